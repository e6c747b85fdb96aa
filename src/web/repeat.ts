import type { FastifyInstance } from 'fastify';

/**
 * Runs `task` while the app serves: first after `firstAfter` ms (so a starting service, and a
 * test's, is not busy at once), then every `every` ms, stopping when the app closes. The timers do
 * not keep the process alive. A task that fails is logged and tried again at the next turn.
 */
export function repeatWhileServing(app: FastifyInstance, options: { every: number; firstAfter: number; what: string; task: () => Promise<unknown> }): void {
  const timers: NodeJS.Timeout[] = [];
  const run = () => {
    options.task().catch((error: unknown) => app.log.error({ err: error }, `${options.what} failed`));
  };
  app.addHook('onReady', () => {
    timers.push(setTimeout(run, options.firstAfter).unref(), setInterval(run, options.every).unref());
    return Promise.resolve();
  });
  app.addHook('onClose', () => {
    for (const timer of timers) clearTimeout(timer);
    return Promise.resolve();
  });
}
