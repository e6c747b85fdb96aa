import type { Command } from 'commander';
import { startService } from '../service.js';
import { configWith } from './program.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('apply pending database migrations and serve the web application and API')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--demo', 'demo mode: demo accounts for every role, listed on the sign-in page (never with real data)')
    .action(async (options: { port?: string; host?: string; demo?: boolean }) => {
      const config = configWith({ PORT: options.port, HOST: options.host, NTG_DEMO: options.demo ? 'true' : undefined });
      const service = await startService(config);
      console.error(`Narrowing the Gap is running at ${service.url} (data: ${service.database.location}). Press Ctrl+C to stop.`);
      await waitForStopSignal();
      console.error('Stopping…');
      await service.stop();
    });
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
