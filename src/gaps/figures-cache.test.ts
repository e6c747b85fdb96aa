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
import { gapsFor } from './service.js';

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
});
