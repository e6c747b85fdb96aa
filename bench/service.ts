/** The service under a benchmark, in a process of its own: a port for it, and waiting until it answers. */
import type { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nothing listens on now, for the service to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `/health` answers; fails if the service stops first. */
export async function waitUntilServing(base: string, child: ReturnType<typeof spawn>): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service stopped (exit ${String(child.exitCode)})`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
