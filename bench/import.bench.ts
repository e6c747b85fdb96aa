/**
 * Import benchmark: 1,000,000 child-year rows from CSV into PostgreSQL and into PGlite, end to end
 * (validation, pseudonymisation, loading and the aggregate rebuild), with a bare COPY of the same
 * file into an untyped staging table as the reference, and peak memory of each run. Targets on
 * PostgreSQL: at least 100,000 rows/s, within 2x of the bare COPY, under 300 MB.
 * `npm run bench -- import`. PostgreSQL from BENCH_DATABASE_URL (default the CI server); the file is
 * generated once by the demo generator into the system's temporary folder and reused.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { demoHeader, generateChildRows } from '../src/demo/generate-children.js';

const ROWS_PER_YEAR = 200_000;
const YEARS = 5;
const LA = 'E08000035';
const file = join(tmpdir(), `ntg-bench-children-${ROWS_PER_YEAR}x${YEARS}.csv`);

if (!existsSync(file)) {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  out.write(`${demoHeader().join(',')}\n`);
  for (const row of generateChildRows({ children: ROWS_PER_YEAR, years: YEARS, lastYear: 2024, seed: 1, laCode: LA })) {
    if (!out.write(`${row.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, file);
}

const worker = join(dirname(fileURLToPath(import.meta.url)), 'import-worker.ts');
for (const engine of ['postgres', 'pglite']) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', worker, engine, file, LA], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (run.status !== 0) process.exitCode = 1;
}
