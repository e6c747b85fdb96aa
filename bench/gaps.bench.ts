/**
 * Gap matrix benchmark: on 1,000,000 child-year rows (the demo generator's authority, 200,000 children
 * a year for five years) loaded into PostgreSQL, the full gap matrix (13 groups x 12 indicators x 5
 * years, each with its trend) read from the aggregates and computed. Target: under 1 second.
 * `npm run bench -- gaps`. Uses the import benchmark's generated file (made by it if missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase, openPostgres } from '../src/db/database.js';
import { frameworkGroupBits, frameworkGroupSpecs } from '../src/gaps/groups.js';
import { readJointAggregates } from '../src/gaps/joint-aggregates.js';
import { computeGapMatrix } from '../src/gaps/matrix.js';
import { importChildFile } from '../src/ingest/child-import.js';
import { prepareDatabase } from '../src/service.js';
import { reportFigures, timeMs } from './report.js';

const LA = 'E08000035';
const file = join(tmpdir(), 'ntg-bench-children-200000x5.csv');
if (!existsSync(file)) {
  // The import benchmark writes the file; run it for that alone if needed.
  spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'import.bench.ts')], { stdio: 'ignore' });
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `ntg_bench_gaps_${process.pid}`;
const admin = await openPostgres(adminUrl, 1);
await sql.raw(`create database ${name}`).execute(admin.db);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-bench-gaps-'));
// As the service opens it, with the audit key the import's audit entries are chained with.
const database = await openDatabase({ databaseUrl: url.toString(), databasePoolMax: 4, dataDir });
try {
  await prepareDatabase(database, loadConfig({ NTG_DATA_DIR: dataDir }));
  const loaded = await importChildFile(
    { path: file, fileName: 'bench.csv', laCode: LA, acceptValid: false, actor: { userId: null, organisationId: null, label: 'benchmark' } },
    { database, dataDir, pseudonymKey: 'benchmark-only-pseudonym-key-0123456789' },
  );
  const groups = frameworkGroupSpecs();
  let cells = 0;
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    runs.push(
      await timeMs(async () => {
        const aggregates = await readJointAggregates(database.db, LA, { keepBits: frameworkGroupBits });
        cells = computeGapMatrix(aggregates, { groups }).length;
      }),
    );
  }
  runs.sort((a, b) => a - b);
  reportFigures('gap-matrix-postgres', {
    child_rows: loaded.rowsLoaded,
    cells,
    median_ms: Math.round(runs[2]!),
    slowest_ms: Math.round(runs[4]!),
    target_ms: 1000,
  });
} finally {
  await database.close();
  await sql.raw(`drop database if exists ${name}`).execute(admin.db);
  await admin.close();
  rmSync(dataDir, { recursive: true, force: true });
}
