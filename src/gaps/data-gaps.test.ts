import { describe, expect, it } from 'vitest';
import { dimension, memberIn, memberOut } from '../aggregates/signature.js';
import { indicators } from '../aggregates/indicators.js';
import { auditDataGaps } from './data-gaps.js';
import { parseGroup } from './groups.js';
import type { JointCell } from './joint-aggregates.js';

const carers = dimension('young-carers')!;
const ks2 = indicators.findIndex((measure) => measure.name === 'ks2_rwm_expected');
const gld = indicators.findIndex((measure) => measure.name === 'eyfsp_gld');

function cell(value: number, children: number, ks2Count: number, gldCount: number): JointCell {
  const figures = new Float64Array(indicators.length * 3);
  figures[ks2 * 3] = ks2Count;
  figures[gld * 3] = gldCount;
  return { signature: value * 2 ** carers.shift, children, figures };
}

describe('the data-gap audit', () => {
  // 3 young carers with KS2 results, 90 other children (80 with KS2, 20 with GLD), 7 with carer status unknown.
  const cells = [cell(memberIn, 3, 3, 0), cell(memberOut, 90, 80, 20), cell(0, 7, 5, 0)];
  const audit = auditDataGaps(cells, [parseGroup('young-carers')]);

  it('counts the children each indicator covers, and says which indicators have no data', () => {
    const covered = Object.fromEntries(audit.indicators.map((entry) => [entry.indicator, entry.children]));
    expect(covered).toMatchObject({ ks2_rwm_expected: 88, eyfsp_gld: 20, neet_16_17: 0 });
  });

  it('gives the share of children whose membership is unknown, and the state of each cell', () => {
    const [carersCoverage] = audit.groups;
    expect(carersCoverage).toMatchObject({ group: 'young-carers', children: 100, inGroup: 3, unknownShare: 0.07 });
    const status = Object.fromEntries(carersCoverage!.cells.map((entry) => [entry.indicator, entry.status]));
    expect(status).toMatchObject({ ks2_rwm_expected: 'withheld', eyfsp_gld: 'no-children', neet_16_17: 'no-data' });
    expect(carersCoverage!.cells.find((entry) => entry.indicator === 'ks2_rwm_expected')).toMatchObject({ groupCount: 3, unknownCount: 5 });
  });

  it('releases rounded counts to a viewer who may not see small numbers, withholding 1 to 4', () => {
    const released = auditDataGaps(cells, [parseGroup('young-carers')], { suppress: true });
    expect(Object.fromEntries(released.indicators.map((entry) => [entry.indicator, entry.children]))).toMatchObject({ ks2_rwm_expected: 90, eyfsp_gld: 20, neet_16_17: 0 });
    const [carersCoverage] = released.groups;
    // 100 children, 3 carers (withheld), 7 unknown (rounded to 5): a share of 5%.
    expect(carersCoverage).toMatchObject({ children: 100, inGroup: null, unknownShare: 0.05 });
    expect(carersCoverage!.cells.find((entry) => entry.indicator === 'ks2_rwm_expected')).toMatchObject({ status: 'withheld', groupCount: null, unknownCount: 5 });
  });

  it('withholds a cell where fewer than 5 of the group miss the outcome, as the gap matrix does', () => {
    const figures = (n: number, yes: number) => {
      const values = new Float64Array(indicators.length * 3);
      values.set([n, yes, yes], ks2 * 3);
      return values;
    };
    const nearlyAll = [
      { signature: memberIn * 2 ** carers.shift, children: 30, figures: figures(30, 28) },
      { signature: memberOut * 2 ** carers.shift, children: 300, figures: figures(300, 150) },
    ];
    const status = auditDataGaps(nearlyAll, [parseGroup('young-carers')]).groups[0]!.cells.find((entry) => entry.indicator === 'ks2_rwm_expected')!.status;
    expect(status).toBe('withheld');
  });
});
