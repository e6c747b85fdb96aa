/**
 * Load benchmark: the gap-matrix page at 20 concurrent users on the demo authority (60,000 children a
 * year, five years) on PostgreSQL, with `/health` measured in the same run as the reference. Target:
 * p95 latency of the page under 100 ms. `npm run bench -- load`.
 *
 * The service runs in its own process (`ntg serve --demo`, as in production) on a fresh database from
 * BENCH_DATABASE_URL (default the CI server); this process only sends requests. Each virtual user sends
 * a request, waits for the whole answer, then sends the next (a closed loop), over keep-alive
 * connections; every latency is kept, so the percentiles are exact rather than from a histogram.
 * BENCH_LOAD_SECONDS sets how long each phase runs (default 20).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Agent, request } from 'undici';
import { sessionCookieName } from '../src/auth/gate.js';
import { openDatabase, openPostgres } from '../src/db/database.js';
import { newSignedInUser } from '../test/support/accounts.js';
import { reportFigures } from './report.js';
import { freePort, waitUntilServing } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const DEMO_LA = 'E08000035';

interface Phase {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  failures: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** USERS closed-loop users requesting `path` for `seconds`; latencies in milliseconds. */
async function runPhase(base: string, path: string, cookie: string, seconds: number): Promise<Phase> {
  const dispatcher = new Agent({ connections: USERS, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const user = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const response = await request(`${base}${path}`, { dispatcher, headers: { cookie } });
      await response.body.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (response.statusCode !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: USERS }, user));
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    requests: latencies.length,
    perSecond: round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? Number.NaN),
    failures,
  };
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `ntg_bench_load_${process.pid}`;
const admin = await openPostgres(adminUrl, 1);
await sql.raw(`create database ${name}`).execute(admin.db);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-bench-load-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const service = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--demo', '--port', String(port)], {
  env: { ...process.env, DATABASE_URL: url.toString(), NTG_DATA_DIR: dataDir, NTG_DEMO_CHILDREN: '60000', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
// As the service opens it: the accounts made here are audited under the service's key (from the data folder).
const database = await openDatabase({ databaseUrl: url.toString(), databasePoolMax: 2, dataDir });
try {
  const loadStarted = performance.now();
  await waitUntilServing(base, service);
  const demoLoadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
  const authority = await database.db.selectFrom('organisation').select('id').where('la_code', '=', DEMO_LA).where('kind', '=', 'local-authority').executeTakeFirstOrThrow();
  const analyst = await newSignedInUser(database.db, { email: 'bench-analyst@example.org', role: 'analyst', organisationId: authority.id });
  const leader = await newSignedInUser(database.db, { email: 'bench-leader@example.org', role: 'leader', organisationId: authority.id });
  const cookieOf = (token: string) => `${sessionCookieName(false)}=${token}`;
  const children = await database.db.selectFrom('child_aggregate').select((eb) => eb.fn.sum<string>('children').as('rows')).where('la_code', '=', DEMO_LA).executeTakeFirstOrThrow();

  // Warm up: the first requests compile templates and fill the connection pool.
  await runPhase(base, '/gaps', cookieOf(analyst.sessionToken), 3);
  const health = await runPhase(base, '/health', '', SECONDS);
  const matrix = await runPhase(base, '/gaps', cookieOf(analyst.sessionToken), SECONDS);
  const matrixSuppressed = await runPhase(base, '/gaps', cookieOf(leader.sessionToken), SECONDS);
  reportFigures('gap-matrix page at 20 concurrent users (demo authority, PostgreSQL)', {
    child_year_rows: Number(children.rows),
    users: USERS,
    seconds_per_phase: SECONDS,
    demo_load_s: demoLoadSeconds,
    health_per_s: health.perSecond,
    health_p95_ms: health.p95,
    matrix_per_s: matrix.perSecond,
    matrix_p50_ms: matrix.p50,
    matrix_p95_ms: matrix.p95,
    matrix_p99_ms: matrix.p99,
    matrix_max_ms: matrix.max,
    matrix_failures: matrix.failures,
    matrix_vs_health_throughput: Math.round((matrix.perSecond / health.perSecond) * 1000) / 1000,
    suppressed_matrix_per_s: matrixSuppressed.perSecond,
    suppressed_matrix_p95_ms: matrixSuppressed.p95,
    suppressed_matrix_failures: matrixSuppressed.failures,
    target_p95_ms: 100,
    target_met: matrix.p95 < 100 && matrixSuppressed.p95 < 100,
  });
} finally {
  service.kill('SIGTERM');
  await new Promise((resolve) => service.once('exit', resolve));
  await database.close();
  await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  await admin.close();
  rmSync(dataDir, { recursive: true, force: true });
}
