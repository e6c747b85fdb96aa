/**
 * One run of the import benchmark, in its own process so its peak memory is its own:
 * `node --import tsx bench/import-worker.ts <pglite|postgres> <file.csv> <laCode>`. Prints one JSON line.
 */
import { createReadStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { openDatabase, openPostgres } from '../src/db/database.js';
import type { Database } from '../src/db/database.js';
import { importChildFile } from '../src/ingest/child-import.js';
import { standardColumns } from '../src/ingest/child-standard.js';
import { loadConfig } from '../src/config.js';
import { prepareDatabase } from '../src/service.js';
import { reportFigures, timeMs } from './report.js';

const [engine, file, laCode] = process.argv.slice(2) as ['pglite' | 'postgres', string, string];
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-bench-data-'));
const stagingColumns = standardColumns.map((column) => `${column} text`).join(', ');

async function postgresDatabase(): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const name = `ntg_bench_${process.pid}`;
  const admin = await openPostgres(adminUrl, 1);
  await sql.raw(`drop database if exists ${name}`).execute(admin.db);
  await sql.raw(`create database ${name}`).execute(admin.db);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), databasePoolMax: 4, dataDir });
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await sql.raw(`drop database if exists ${name}`).execute(admin.db);
      await admin.close();
    },
  };
}

/** The reference: the same file into an untyped staging table, nothing checked or computed. */
async function bareCopyMs(url: string | undefined): Promise<number> {
  if (url !== undefined) {
    const { default: pg } = await import('pg');
    const { from: copyFrom } = await import('pg-copy-streams');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create unlogged table staging (${stagingColumns})`);
    const ms = await timeMs(() => pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom('copy staging from stdin with (format csv, header true)'))));
    await client.query('drop table staging');
    await client.end();
    return ms;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create();
  await pglite.exec(`create table staging (${stagingColumns})`);
  const blob = await openAsBlob(file);
  const ms = await timeMs(() => pglite.query(`copy staging from '/dev/blob' with (format csv, header true)`, [], { blob }));
  await pglite.close();
  return ms;
}

// On disk, as the service runs it: an in-memory PGlite would count the whole database as this process's memory.
// Opened as the service opens it, so the import's audit entries are chained under a key.
const pglite = engine === 'pglite' ? await openDatabase({ databaseUrl: undefined, databasePoolMax: 1, dataDir }) : undefined;
const opened = pglite === undefined ? await postgresDatabase() : { database: pglite, url: undefined, drop: () => pglite.close() };
const config = loadConfig({ NTG_DATA_DIR: dataDir });
await prepareDatabase(opened.database, config);
const referenceMs = await bareCopyMs(opened.url);
let result: Awaited<ReturnType<typeof importChildFile>> | undefined;
// Memory during the import itself, sampled, apart from what setting up and the reference COPY used.
const peak = { rss: 0, heap: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peak.rss = Math.max(peak.rss, usage.rss);
  peak.heap = Math.max(peak.heap, usage.heapUsed);
}, 100);
const importMs = await timeMs(async () => {
  result = await importChildFile(
    { path: file, fileName: 'bench-children.csv', laCode, acceptValid: false, actor: { userId: null, organisationId: null, label: 'benchmark' } },
    { database: opened.database, dataDir, pseudonymKey: 'benchmark-only-pseudonym-key-0123456789' },
  );
});
clearInterval(sampler);
const aggregates = await sql<{ n: string }>`select count(*) as n from child_aggregate`.execute(opened.database.db);
await opened.drop();
rmSync(dataDir, { recursive: true, force: true });
if (result?.outcome !== 'loaded') throw new Error(`the benchmark file did not load: ${JSON.stringify(result?.problems.slice(0, 3))}`);
const rows = result.rowsLoaded;
reportFigures(`import-children-${engine}`, {
  rows,
  file_mb: Math.round(statSync(file).size / 1_048_576),
  import_s: Math.round(importMs) / 1000,
  rows_per_s: Math.round(rows / (importMs / 1000)),
  bare_copy_s: Math.round(referenceMs) / 1000,
  ratio_to_bare_copy: Math.round((importMs / referenceMs) * 100) / 100,
  aggregate_rows: Number(aggregates.rows[0]!.n),
  import_peak_rss_mb: Math.round(peak.rss / 1_048_576),
  import_peak_heap_mb: Math.round(peak.heap / 1_048_576),
  target_rows_per_s: engine === 'postgres' ? 100_000 : 'none (embedded engine)',
});
