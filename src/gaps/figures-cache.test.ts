import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { loadConfig } from '../config.js';
import { importChildFile } from '../ingest/child-import.js';
import { restoreBatch } from '../ingest/batches.js';
import { prepareDatabase } from '../service.js';
import { sql } from 'kysely';
import { curvesFor, dataGapsFor, gapsFor } from './service.js';

const camden = 'E09000007';

describe.each(testEngines)('kept gap figures on %s', (engine) => {
  let database: TestDatabase;
  let folder: string;
  const actor = { userId: null, organisationId: null, label: 'test' };

  /** Loads 20 young carers, `reaching` of whom reach the standard, and 20 other children, 10 of whom do. */
  async function load(reaching: number, name: string): Promise<string> {
    const rows = [
      ...Array.from({ length: 20 }, (_, index) => child(index, { young_carer: 'Y', ks2_rwm_expected: index < reaching ? 'Y' : 'N' })),
      ...Array.from({ length: 20 }, (_, index) => child(100 + index, { young_carer: 'N', ks2_rwm_expected: index < 10 ? 'Y' : 'N' })),
    ];
    const path = join(folder, name);
    writeFileSync(path, childCsv(rows));
    const result = await importChildFile({ path, fileName: name, laCode: camden, acceptValid: false, actor }, { database, dataDir: folder, pseudonymKey: testPseudonymKey });
    return String(result.batchId);
  }
  const youngCarersValue = async (): Promise<number | null> =>
    (await gapsFor(database.db, { laCode: camden, indicator: 'ks2_rwm_expected', group: 'young-carers', suppress: false })).cells[0]!.group_value;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    folder = mkdtempSync(join(tmpdir(), 'ntg-figures-cache-'));
    await prepareDatabase(database, loadConfig({ NTG_DATA_DIR: folder }));
  });
  afterAll(async () => {
    await database.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers from what is kept until a load or a restore changes the data, then from the new data', async () => {
    const first = await load(5, 'first.csv');
    expect(await youngCarersValue()).toBe(25);
    // The same question again is the same kept answer, not a new computation.
    const asked = { laCode: camden, indicator: 'ks2_rwm_expected', group: 'young-carers', suppress: false };
    expect(await gapsFor(database.db, asked)).toBe(await gapsFor(database.db, asked));

    await load(15, 'second.csv');
    expect(await youngCarersValue()).toBe(75);

    await restoreBatch(database, 'all', first, actor);
    expect(await youngCarersValue()).toBe(25);
  });

  it('keeps an authority’s figures in the database, read as they were computed by a process that has not computed them', async () => {
    await load(7, 'third.csv');
    // Each Kysely instance keeps its own figures in memory: a new one stands for a new process.
    const questions = [
      (db: typeof database.db) => curvesFor(db, { laCode: camden, suppress: true }),
      (db: typeof database.db) => curvesFor(db, { laCode: camden, suppress: false }),
      (db: typeof database.db) => dataGapsFor(db, { laCode: camden, suppress: true }),
      (db: typeof database.db) => gapsFor(db, { laCode: camden, comparator: 'england', suppress: false }),
    ];
    for (const ask of questions) {
      const computed = await ask(database.db.withoutPlugins());
      expect(await ask(database.db.withoutPlugins())).toEqual(computed);
    }
    const kept = await sql<{ versions: string; rows: string }>`select count(distinct data_version)::text as versions, count(*)::text as rows from gap_figures where la_code = ${camden}`.execute(database.db);
    expect(kept.rows[0]).toEqual({ versions: '1', rows: String(questions.length) });

    // Read, not computed again: figures changed in the database are what a new process answers...
    const asked = { laCode: camden, indicator: 'ks2_rwm_expected', group: 'young-carers', suppress: false };
    const value = async () => (await gapsFor(database.db.withoutPlugins(), asked)).cells[0]!.group_value;
    expect(await value()).toBe(35);
    await sql`update gap_figures set figures = replace(figures, '"group_value":35,', '"group_value":99,') where la_code = ${camden}`.execute(database.db);
    expect(await value()).toBe(99);
    // ...until the data changes: then they are computed from the new data, and the old ones go.
    await load(9, 'fourth.csv');
    expect(await value()).toBe(45);
    const after = await sql<{ versions: string }>`select count(distinct data_version)::text as versions from gap_figures where la_code = ${camden}`.execute(database.db);
    expect(after.rows[0]!.versions).toBe('1');
  });
});
