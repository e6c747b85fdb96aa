import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { AggregateAccumulator, jointColumns, settingColumns } from '../aggregates/accumulator.js';
import { dimension, memberIn, memberOut } from '../aggregates/signature.js';
import { migrateToLatest } from '../db/migrate.js';
import { measures } from '../ingest/child-standard.js';
import { createRandom, meanFromSummary } from '../stats/index.js';
import { cellKeysFor } from './cell-keys.js';
import { parseGroup } from './groups.js';
import { readJointAggregates } from './joint-aggregates.js';
import { computeGapMatrix } from './matrix.js';
import { settingsFunnel } from './settings-funnel.js';

const leeds = 'E08000035';
const year = 2023;
const poorer = dimension('poorer-socio-economic-groups')!;
const inCare = dimension('children-in-care')!;
const ks2 = measures.findIndex((measure) => measure.name === 'ks2_rwm_expected');
const reading = measures.findIndex((measure) => measure.name === 'ks2_reading_scaled');

/** Rows of the accumulator as the table's objects. */
const asObjects = (columns: { name: string }[], rows: unknown[][]) => rows.map((row) => Object.fromEntries(columns.map((column, index) => [column.name, row[index]])));

describe.each(testEngines)('the authority’s figure in the gap matrix and in the settings funnel on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    // 900 children at six settings (and some with none), built as a load builds them, so the matrix's
    // joint aggregates and the funnel's setting aggregates hold the same children.
    const random = createRandom(20_261_203);
    const accumulator = new AggregateAccumulator();
    for (let child = 0; child < 900; child++) {
      const isPoorer = random.uniform() < 0.35;
      const signature = (isPoorer ? memberIn : memberOut) * 2 ** poorer.shift + (random.uniform() < 0.05 ? memberIn : memberOut) * 2 ** inCare.shift;
      const values: (number | null)[] = measures.map(() => null);
      values[ks2] = random.uniform() < (isPoorer ? 0.45 : 0.65) ? 1 : 0;
      values[reading] = random.uniform() < 0.9 ? Math.round(100 + 8 * (random.uniform() - (isPoorer ? 0.7 : 0.4)) * 3) : null;
      const urn = child % 7 === 6 ? null : 100_001 + (child % 6);
      accumulator.add(year, urn, signature, values);
    }
    await database.db.insertInto('child_aggregate').values(asObjects(jointColumns, accumulator.jointRows(leeds))).execute();
    await database.db.insertInto('child_setting_aggregate').values(asObjects(settingColumns, accumulator.settingRows(leeds))).execute();
  });
  afterAll(async () => {
    await database.dispose();
  });

  for (const indicator of ['ks2_rwm_expected', 'ks2_reading_scaled']) {
    it(`is one figure for ${indicator}: the same value, and for a mean the same spread`, async () => {
      const measure = measures.find((entry) => entry.name === indicator)!;
      const aggregates = await readJointAggregates(database.db, leeds);
      const [cell] = computeGapMatrix(aggregates, { groups: [parseGroup('poorer-socio-economic-groups')], indicators: [measure] });
      const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator, group: 'poorer-socio-economic-groups', year, suppress: false });
      expect(cell!.group_value).not.toBeNull();
      expect(funnel!.target).toBe(cell!.group_value);
      if (measure.type !== 'binary') {
        // The matrix's interval is Student's t from the same n, mean and standard deviation the funnel draws with.
        const interval = meanFromSummary({ count: cell!.group_count, mean: funnel!.target, standardDeviation: funnel!.standardDeviation });
        expect(cell!.group_lower).toBe(interval.lower);
        expect(cell!.group_upper).toBe(interval.upper);
      }
    });

    it(`is one released figure for ${indicator} for a viewer who may not see small numbers`, async () => {
      const measure = measures.find((entry) => entry.name === indicator)!;
      const aggregates = await readJointAggregates(database.db, leeds);
      const cellKeys = await cellKeysFor(database.db);
      const [cell] = computeGapMatrix(aggregates, { groups: [parseGroup('poorer-socio-economic-groups')], indicators: [measure], suppress: true, cellKeys });
      const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator, group: 'poorer-socio-economic-groups', year, suppress: true });
      // Released figures are perturbed by a secret: the two are compared with each other, not with a value.
      expect(cell!.suppressed).toBe(false);
      expect(Math.round(funnel!.target! * 10) / 10).toBe(cell!.group_value);
    });
  }

  it('is one figure for every child too, as the matrix gives everyone against a group', async () => {
    const aggregates = await readJointAggregates(database.db, leeds);
    const [cell] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], comparator: 'all' });
    const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'all', year, suppress: false });
    expect(funnel!.target).toBe(cell!.comparator_value);
  });
});
