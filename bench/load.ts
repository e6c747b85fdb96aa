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

/**
 * `users` closed-loop users for `seconds`, each calling `send` (which answers the status code) again
 * as soon as it returns; every latency in milliseconds is kept.
 */
export async function closedLoop(users: number, seconds: number, send: (dispatcher: Agent, user: number) => Promise<number>): Promise<LoadPhase> {
  const dispatcher = new Agent({ connections: users, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await send(dispatcher, user);
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: round1(latencies.length / elapsed), p50: round1(percentile(latencies, 50)), p95: round1(percentile(latencies, 95)), p99: round1(percentile(latencies, 99)), statuses };
}

/** A GET of `path` that reads the whole answer, for `closedLoop`. */
export function getting(base: string, path: string | ((user: number) => string), headers: Record<string, string> = {}) {
  return async (dispatcher: Agent, user: number): Promise<number> => {
    const response = await request(`${base}${typeof path === 'string' ? path : path(user)}`, { dispatcher, headers });
    await response.body.arrayBuffer();
    return response.statusCode;
  };
}

/** Runs the load in this process. */
export function runLoad(load: LoadRequest): Promise<LoadPhase> {
  return closedLoop(load.users, load.seconds, getting(load.base, load.path, load.headers));
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
