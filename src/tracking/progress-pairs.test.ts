import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bandOf, expectedByBand, minimumBandSize, progressLabel, progressPair } from './progress-pairs.js';
import type { ProgressPair } from './progress-pairs.js';

/** Each pupil of a hand-worked table labelled with the expectation of their band. */
function labelled(pair: ProgressPair, pupils: readonly { prior: number | null; outcome: number }[]) {
  const expected = expectedByBand(pair, pupils.filter((pupil): pupil is { prior: number; outcome: number } => pupil.prior !== null));
  return pupils.map((pupil) => {
    const band = pupil.prior === null ? null : bandOf(pair, pupil.prior);
    const expectation = band === null ? null : (expected.get(band) ?? null);
    return { ...pupil, expected: expectation, label: progressLabel(pair, pupil.prior, pupil.outcome, expectation) };
  });
}

const pupilsWith = (prior: number | null, outcomes: readonly number[]) => outcomes.map((outcome) => ({ prior, outcome }));

describe('progress from key stage 2 to Attainment 8', () => {
  const pair = progressPair('ks2_ks4');
  // Worked by hand: band 104 to under 106 expects (30+40+42+45+48+50+52+55+58+60)/10 = 48;
  // 110 to under 112 expects 660/10 = 66; below 90 expects 210/10 = 21.
  const middle = pupilsWith(105, [30, 40, 42, 45, 48, 50, 52, 55, 58, 60]);
  const high = pupilsWith(111, [50, 60, 62, 64, 66, 68, 70, 72, 74, 74]);
  const low = pupilsWith(85, [10, 12, 14, 16, 18, 20, 22, 24, 26, 48]);
  const fewer = pupilsWith(92, [30, 31, 32, 33, 34, 35, 36, 37, 38]);
  const table = labelled(pair, [...middle, ...high, ...low, ...fewer, { prior: null, outcome: 40 }]);
  const find = (prior: number | null, outcome: number) => table.find((pupil) => pupil.prior === prior && pupil.outcome === outcome)!;

  it('expects of each pupil the mean outcome of the pupils who started in the same band', () => {
    expect(find(105, 30).expected).toBe(48);
    expect(find(111, 50).expected).toBe(66);
    expect(find(85, 10).expected).toBe(21);
  });

  it('labels the hand-worked pupils as the stated margins say', () => {
    expect(find(105, 30).label).toBe('underperforming'); // 18 points below
    expect(find(105, 42).label).toBe('underperforming'); // 6 below: past the margin of 5
    expect(find(105, 45).label).toBe('as-expected'); // 3 below
    expect(find(111, 50).label).toBe('coasting'); // high prior attainment, 16 below
    expect(find(111, 60).label).toBe('underperforming'); // high prior, but 6 below is not "well below" (10)
    expect(find(111, 64).label).toBe('as-expected');
    expect(find(85, 10).label).toBe('stuck'); // below the standard at both points, 11 below expected
    expect(find(85, 20).label).toBe('stuck'); // 1 below expected
    expect(find(85, 22).label).toBe('as-expected'); // still below 40, but 1 above what was expected
    expect(find(85, 48).label).toBe('as-expected');
  });

  it('says "not enough data" with no starting point, or fewer pupils in the band than an expectation needs', () => {
    expect(find(null, 40)).toMatchObject({ expected: null, label: 'not-enough-data' });
    expect(fewer).toHaveLength(minimumBandSize - 1);
    expect(find(92, 30)).toMatchObject({ expected: null, label: 'not-enough-data' });
  });
});

describe('progress from the end of Reception to the phonics check', () => {
  const pair = progressPair('eyfsp_phonics');
  // A good level of development: 9 of 10 met the check (expected 90); without it 4 of 10 (expected 40).
  const table = labelled(pair, [...pupilsWith(1, [100, 100, 100, 100, 100, 100, 100, 100, 100, 0]), ...pupilsWith(0, [100, 100, 100, 100, 0, 0, 0, 0, 0, 0])]);
  it('labels a pupil who reached a good level of development but did not meet the check as coasting', () => {
    expect(table.find((pupil) => pupil.prior === 1 && pupil.outcome === 0)).toMatchObject({ expected: 90, label: 'coasting' });
  });
  it('labels a pupil below the standard at both points as stuck, and one who met the check as expected', () => {
    expect(table.find((pupil) => pupil.prior === 0 && pupil.outcome === 0)).toMatchObject({ expected: 40, label: 'stuck' });
    expect(table.find((pupil) => pupil.prior === 0 && pupil.outcome === 100)).toMatchObject({ label: 'as-expected' });
  });
});

describe('attendance against last year’s', () => {
  const pair = progressPair('attendance');
  const table = labelled(pair, [...pupilsWith(95, [80, 88, 92, 94, 95, 95, 96, 96, 97, 97]), ...pupilsWith(87, [80, 84, 86, 88, 89, 90, 91, 92, 95, 95])]);
  const find = (prior: number, outcome: number) => table.find((pupil) => pupil.prior === prior && pupil.outcome === outcome)!;
  it('counts the margin as reached at exactly five points below', () => {
    expect(find(95, 88)).toMatchObject({ expected: 93, label: 'underperforming' });
    expect(find(95, 92).label).toBe('as-expected');
  });
  it('labels persistent absence that did no better than expected as stuck, and attendance back over 90% as expected', () => {
    expect(find(87, 89)).toMatchObject({ expected: 89, label: 'stuck' });
    expect(find(87, 90).label).toBe('as-expected');
  });
});

describe('progress labels', () => {
  const pair = progressPair('ks2_ks4');
  it('never label a pupil without a starting point or an expectation', () => {
    fc.assert(
      fc.property(fc.option(fc.double({ min: 80, max: 120, noNaN: true })), fc.double({ min: 0, max: 90, noNaN: true }), fc.option(fc.double({ min: 0, max: 90, noNaN: true })), (prior, outcome, expected) => {
        const label = progressLabel(pair, prior, outcome, expected);
        expect(label === 'not-enough-data').toBe(prior === null || expected === null);
      }),
    );
  });
  it('give a pupil who did at least as well as expected no label of concern', () => {
    fc.assert(
      fc.property(fc.double({ min: 80, max: 120, noNaN: true }), fc.double({ min: 0, max: 90, noNaN: true }), fc.double({ min: 0.01, max: 30, noNaN: true }), (prior, expected, above) => {
        fc.pre(expected + above <= 90);
        expect(progressLabel(pair, prior, expected + above, expected)).toBe('as-expected');
      }),
    );
  });
  it('put every starting point in exactly one band, in order', () => {
    fc.assert(
      fc.property(fc.double({ min: 80, max: 120, noNaN: true }), fc.double({ min: 80, max: 120, noNaN: true }), (a, b) => {
        if (a <= b) expect(bandOf(pair, a)).toBeLessThanOrEqual(bandOf(pair, b));
      }),
    );
  });
});
