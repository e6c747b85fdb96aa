import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPseudonymKey } from '../../test/support/child-files.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { demoHeader, generateChildRows } from '../demo/generate-children.js';
import { importChildFile } from '../ingest/child-import.js';
import { rebuildChildAggregates } from './rebuild.js';

const leeds = 'E08000035';

describe.each(testEngines)('aggregates built while loading equal those rebuilt from the stored rows, on %s', (engine) => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    folder = mkdtempSync(join(tmpdir(), 'ntg-aggregates-'));
    const lines = [demoHeader().join(','), ...[...generateChildRows({ children: 1500, years: 2, lastYear: 2024, seed: 7, laCode: leeds })].map((row) => row.join(','))];
    const path = join(folder, 'demo.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await importChildFile(
      { path, fileName: 'demo.csv', laCode: leeds, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } },
      { database, dataDir: folder, pseudonymKey: testPseudonymKey },
    );
    expect(result.outcome).toBe('loaded');
  });
  afterAll(async () => {
    await database.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  async function snapshot(): Promise<string[]> {
    const joint = await sql<Record<string, unknown>>`select * from child_aggregate order by academic_year, signature`.execute(database.db);
    const settings = await sql<Record<string, unknown>>`select * from child_setting_aggregate order by academic_year, setting_urn, dimension, membership`.execute(database.db);
    const canonical = (row: Record<string, unknown>) =>
      JSON.stringify(Object.entries(row).map(([name, value]) => [name, typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) ? Math.round(Number(value) * 1e6) / 1e6 : value]));
    return [...joint.rows.map(canonical), ...settings.rows.map(canonical)];
  }

  it('holds the same figures either way', async () => {
    const accumulated = await snapshot();
    expect(accumulated.length).toBeGreaterThan(100);
    await database.bulkTransaction((session) => rebuildChildAggregates(session, leeds, [2023, 2024]));
    expect(await snapshot()).toEqual(accumulated);
  });

  it('counts every child once in the authority’s figures and once in some setting’s', async () => {
    const totals = await sql<{ source: string; children: string }>`
      select 'records' as source, count(*)::text as children from child_record
      union all select 'joint', sum(children)::text from child_aggregate
      union all select 'settings', sum(children)::text from child_setting_aggregate where dimension = 'all'`.execute(database.db);
    expect(new Set(totals.rows.map((row) => Number(row.children)))).toEqual(new Set([3000]));
  });
});
