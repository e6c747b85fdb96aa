/**
 * The service under a benchmark: a PostgreSQL database of the benchmark's own, and the service in a
 * process of its own on it, as in production.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Config } from '../src/config.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { openDatabase, openPostgres } from '../src/db/database.js';
import { prepareDatabase } from '../src/service.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

export interface BenchDatabase {
  /** The database's address, for the service's process. */
  url: string;
  /** The service's data folder (uploads, kept files). */
  dataDir: string;
  config: Config;
  database: Database;
  /** Closes the database and drops it (kept when BENCH_KEEP_DATABASE is set, to look into a query plan afterwards), and removes the data folder. */
  close(): Promise<void>;
}

/**
 * A new database on BENCH_DATABASE_URL's server (default: the CI machine's), migrated as the service
 * migrates it, and a data folder, both named for the benchmark.
 */
export async function openBenchDatabase(label: string, environment: Record<string, string> = {}): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `ntg_bench_${label}_${process.pid}`;
  const admin = await openPostgres(adminUrl, 1);
  await sql.raw(`create database ${name}`).execute(admin.db);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), `ntg-bench-${label}-`));
  const config = loadConfig({ NTG_DATA_DIR: dataDir, DATABASE_URL: url.toString(), DATABASE_POOL_MAX: '4', ...environment });
  const database = await openDatabase(config);
  const close = async () => {
    await database.close();
    if (process.env.BENCH_KEEP_DATABASE !== undefined) console.log(`Kept the database ${name}.`);
    else await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await prepareDatabase(database, config);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: url.toString(), dataDir, config, database, close };
}

export interface BenchService {
  /** `http://127.0.0.1:PORT` */
  base: string;
  stop(): void;
}

/**
 * The service on the benchmark's database, in a process of its own (bench/assessment-service.ts),
 * once it answers. BENCH_PROFILE_DIR writes its CPU profile there when it stops.
 */
export async function startBenchService(bench: BenchDatabase): Promise<BenchService> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const profile = process.env.BENCH_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(root, 'bench', 'assessment-service.ts'), bench.url, String(port), bench.dataDir], { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
  try {
    await waitUntilServing(base, child);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { base, stop: () => child.kill('SIGTERM') };
}
