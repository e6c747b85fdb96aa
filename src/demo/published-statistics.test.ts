import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { localAuthoritiesIn } from '../areas/areas.js';
import { demoAuthorityCode, demoRegionCode } from '../auth/demo.js';
import { migrateToLatest } from '../db/migrate.js';
import { measures } from '../ingest/child-standard.js';
import { englandComparisons, readBenchmarks, regionComparisons } from '../gaps/benchmarks.js';
import { loadDemoStatistics } from './load-demo.js';

/**
 * The groups each default measure's publications split by, as the demo loads them (docs/demo-data.md):
 * written out here, not read from the demo's files, so a publication dropped or a group lost fails.
 * null is all children. Measures not listed have no published figure by a framework group.
 */
const publishedGroups: Readonly<Record<string, readonly (string | null)[]>> = {
  eyfsp_gld: [null, 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english'],
  phonics_y1_met: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english'],
  ks2_rwm_expected: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  ks2_reading_scaled: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  ks2_maths_scaled: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  ks4_attainment8: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  ks4_eng_maths_grade4: [null, 'poorer-socio-economic-groups', 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  attendance_pct: [null, 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  suspensions: [null, 'poorer-socio-economic-groups:fsm', 'children-with-sen', 'not-fluent-in-english', 'children-in-care', 'at-risk-of-significant-harm'],
  neet_16_17: [null, 'children-with-sen', 'children-in-care'],
};
/** Not published by a framework group at all (healthy weight: NCMP is published by deprivation decile and broad ethnic group). */
const withoutPublishedFigures = ['healthy_weight_reception', 'healthy_weight_y6'];

/** The demo's last two years (2023/24 and 2024/25): every publication has figures for them. */
const recentYears = [2023, 2024];

describe.each(testEngines)('the demo’s published statistics on %s', (engine) => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-demo-statistics-'));
    await loadDemoStatistics(database.db, dataDir, dataDir);
  });

  afterAll(async () => {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('covers every default measure: each has a publication or is named as having none', () => {
    expect([...Object.keys(publishedGroups), ...withoutPublishedFigures].sort()).toEqual(measures.map((measure) => measure.name).sort());
  });

  it('loads the files as national statistics, each labelled as fictional demo data', async () => {
    const batches = await database.db.selectFrom('import_batch').select(['la_code', 'file_name', 'outcome']).where('kind', '=', 'statistics').execute();
    expect(batches.length).toBe(7);
    for (const batch of batches) {
      expect(batch).toMatchObject({ la_code: null, outcome: 'loaded' });
      expect(batch.file_name).toMatch(/^Demo data \(fictional\) /);
    }
  });

  it('gives every default measure an England and a region comparator for each group its publication splits by', async () => {
    const groups = [...new Set(Object.values(publishedGroups).flat().filter((group): group is string => group !== null))];
    const england = await englandComparisons(database.db, Object.keys(publishedGroups), groups);
    const region = await regionComparisons(database.db, demoAuthorityCode, Object.keys(publishedGroups), groups);
    const missing: string[] = [];
    for (const [measure, measureGroups] of Object.entries(publishedGroups)) {
      for (const group of measureGroups.filter((entry): entry is string => entry !== null)) {
        for (const year of recentYears) {
          for (const [place, lookup] of [['England', england], ['region', region]] as const) {
            const found = lookup(measure, group, year);
            if (typeof found.value !== 'number') missing.push(`${measure} ${group} ${year} ${place}`);
            else expect(found.source).toMatch(/^National statistics: “Demo data \(fictional\) /);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('publishes all children for England, the region and every authority of the region', async () => {
    const authorities = localAuthoritiesIn(demoRegionCode).map((la) => la.gss);
    for (const measure of Object.keys(publishedGroups)) {
      const points = await readBenchmarks(database.db, { indicators: [measure], groups: [null], places: { england: true, regions: [demoRegionCode], authorities } });
      const latest = points.filter((point) => point.year === 2024 && point.status === 'value');
      expect(latest.map((point) => point.area_code).sort(), measure).toEqual(['E92000001', demoRegionCode, ...authorities].sort());
    }
  });

  it('follows the national headlines: key stage 2 in 2023/24, disadvantaged 46% against 61% for all pupils (DfE, Key stage 2 attainment 2024)', async () => {
    const points = await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: [null, 'poorer-socio-economic-groups'], places: { england: true } });
    expect(points.filter((point) => point.year === 2023).map((point) => [point.group, point.value])).toEqual([
      [null, 61],
      ['poorer-socio-economic-groups', 46],
    ]);
  });

  it('withholds a small authority’s figure for a small group as c, as published', async () => {
    // York: about 0.28% of England's 660,000 pupils at key stage 2 are in the city, 0.5% of them on a protection plan (about 9).
    const points = await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: ['at-risk-of-significant-harm'], places: { authorities: ['E06000014'] } });
    expect(points.find((point) => point.year === 2024)).toMatchObject({ value: null, status: 'c' });
  });
});
