/**
 * Closed-loop load for the benchmarks, from a process of its own: `users` virtual users each send a
 * request, wait for the whole answer, then send the next, over keep-alive connections, for `seconds`;
 * every latency is kept, so percentiles are exact. Run apart from the benchmark that asks for it,
 * whose heap holds the data it built (hundreds of megabytes), so that its garbage collection does
 * not stall the measuring and lengthen the latencies it reports.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

export interface LoadPhase {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

export interface LoadRequest {
  /** The service's address, `http://127.0.0.1:PORT`. */
  base: string;
  path: string;
  headers: Record<string, string>;
  users: number;
  seconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Runs the load in this process. */
export async function runLoad(load: LoadRequest): Promise<LoadPhase> {
  const dispatcher = new Agent({ connections: load.users, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + load.seconds * 1000;
  await Promise.all(
    Array.from({ length: load.users }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const response = await request(`${load.base}${load.path}`, { dispatcher, headers: load.headers });
        await response.body.arrayBuffer();
        latencies.push(performance.now() - sent);
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: round1(latencies.length / elapsed), p50: round1(percentile(latencies, 50)), p95: round1(percentile(latencies, 95)), p99: round1(percentile(latencies, 99)), statuses };
}

/** Runs the load in a new process (this file, run with the load as JSON) and gives its figures. */
export function runLoadApart(load: LoadRequest): Promise<LoadPhase> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(load)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as LoadPhase) : reject(new Error(`the load process stopped (exit ${String(code)})`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await runLoad(JSON.parse(process.argv[2]!) as LoadRequest)));
}
