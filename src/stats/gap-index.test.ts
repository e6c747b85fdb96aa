import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StatsInputError, disadvantageGapIndex } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_107;

/** Independent formulation: 10 × (2A − 1), A the Mann–Whitney probability an other pupil outscores a disadvantaged one. */
function mannWhitneyIndex(scores: readonly number[], flags: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (flags[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (!flags[j]) continue;
      const o = scores[i] as number;
      const d = scores[j] as number;
      wins += o > d ? 1 : o === d ? 0.5 : 0;
      pairs += 1;
    }
  }
  return 10 * ((2 * wins) / pairs - 1);
}

describe('disadvantageGapIndex', () => {
  it('computes 10 when every disadvantaged pupil scores below every other pupil, as the DfE scale defines', () => {
    // DfE: the index runs from 0 (no gap) to 10 (all disadvantaged pupils below all others). Hand
    // derivation: ranks 1, 2 (disadvantaged) and 3, 4 (others) out of N = 4 give mean decimal ranks
    // 0.375 and 0.875; 20 × 0.5 = 10.
    const r = disadvantageGapIndex(deepFreeze([10, 20, 30, 40]), deepFreeze([true, true, false, false]));
    expect(r.value).toBe(10);
    expect(r.meanDecimalRankDisadvantaged).toBe(0.375);
    expect(r.meanDecimalRankOthers).toBe(0.875);
    expectClose(disadvantageGapIndex([1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 0, 0, 0, 0]).value, 10, 1e-14);
    expectClose(disadvantageGapIndex([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 1, 1, 1]).value, -10, 1e-14);
  });

  it('gives tied pupils their average rank, matching a hand derivation', () => {
    // Scores 1, 1, 2, 2, 3 take ranks 1.5, 1.5, 3.5, 3.5, 5. Disadvantaged (one 1, one 2): mean rank
    // 2.5, decimal 0.5; others (1, 2, 3): mean rank 10/3, decimal 2/3. Index 20 × (2/3 − 1/2) = 10/3.
    const r = disadvantageGapIndex([1, 1, 2, 2, 3], [true, false, true, false, false]);
    expectClose(r.value, 10 / 3, 1e-14);
    expectClose(r.meanDecimalRankOthers, 2 / 3, 1e-14);
  });

  it('computes 0 when both groups have the same scores', () => {
    expect(disadvantageGapIndex([5, 7, 9, 5, 7, 9], [true, true, true, false, false, false]).value).toBe(0);
  });

  it('excludes pupils with a missing score or group flag and counts them', () => {
    const r = disadvantageGapIndex([10, null, 20, Number.NaN, 30, 40, 50], [true, true, true, false, false, false, undefined]);
    expect(r).toMatchObject({ value: 10, disadvantagedCount: 2, otherCount: 2, excludedCount: 3 });
  });

  it('returns a missing index when a group is empty', () => {
    expect(disadvantageGapIndex([1, 2, 3], [false, false, false]).value).toBeNull();
    expect(disadvantageGapIndex([], []).value).toBeNull();
  });

  it('accepts typed arrays', () => {
    expect(disadvantageGapIndex(new Float64Array([1, 2, 3, 4]), new Uint8Array([1, 1, 0, 0]) as unknown as ArrayLike<0 | 1>).value).toBe(10);
  });

  it('throws when scores and flags differ in length or a flag is not a boolean', () => {
    expect(() => disadvantageGapIndex([1, 2], [true])).toThrow('the gap index needs one group flag per score (got 2 scores and 1 flags)');
    expect(() => disadvantageGapIndex([1, 2], [true, 2 as never])).toThrow(StatsInputError);
  });

  const pupils = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 2, maxLength: 200 });

  it('equals the Mann–Whitney formulation 10 × (2A − 1) (property)', () => {
    fc.assert(
      fc.property(pupils, (rows) => {
        const scores = deepFreeze(rows.map(([s]) => s));
        const flags = deepFreeze(rows.map(([, f]) => f));
        fc.pre(flags.some((f) => f) && flags.some((f) => !f));
        expectClose(disadvantageGapIndex(scores, flags).value, mannWhitneyIndex(scores, flags), 1e-9);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is unchanged by any strictly increasing transformation of the scores (property)', () => {
    const transforms = [(x: number) => Math.exp(x / 7), (x: number) => x * x * x + 5 * x - 100, (x: number) => Math.log1p(x) * 1000 - 3];
    fc.assert(
      fc.property(pupils, fc.constantFrom(0, 1, 2), (rows, which) => {
        const scores = deepFreeze(rows.map(([s]) => s));
        const flags = deepFreeze(rows.map(([, f]) => f));
        fc.pre(flags.some((f) => f) && flags.some((f) => !f));
        const f = transforms[which] as (x: number) => number;
        expect(disadvantageGapIndex(scores.map(f), flags).value).toBe(disadvantageGapIndex(scores, flags).value);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('changes sign when the groups are swapped and stays within [−10, 10] (property)', () => {
    fc.assert(
      fc.property(pupils, (rows) => {
        const scores = deepFreeze(rows.map(([s]) => s));
        const flags = deepFreeze(rows.map(([, f]) => f));
        fc.pre(flags.some((f) => f) && flags.some((f) => !f));
        const a = disadvantageGapIndex(scores, flags).value as number;
        const b = disadvantageGapIndex(scores, flags.map((f) => !f)).value as number;
        expect(Math.abs(a + b)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(a)).toBeLessThanOrEqual(10 + 1e-12);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('gives the same index by counting sort (integer scores) and by comparison sort (other scores) (property)', () => {
    fc.assert(
      fc.property(pupils, (rows) => {
        const scores = deepFreeze(rows.map(([s]) => s));
        const flags = deepFreeze(rows.map(([, f]) => f));
        fc.pre(flags.some((f) => f) && flags.some((f) => !f));
        // Adding 0.5 keeps the order but forces the comparison-sort path; 1e9 steps force it by range.
        expect(disadvantageGapIndex(scores.map((s) => s + 0.5), flags).value).toBe(disadvantageGapIndex(scores, flags).value);
        expect(disadvantageGapIndex(scores.map((s) => s * 1e9), flags).value).toBe(disadvantageGapIndex(scores, flags).value);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('computes the index for 200,000 pupils quickly', () => {
    const n = 200_000;
    const scores = new Float64Array(n);
    const flags = new Array<boolean>(n);
    let state = 12345;
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      flags[i] = state % 3 === 0;
      scores[i] = Math.floor((state / 4294967296) * 100) + (flags[i] ? -5 : 5);
    }
    const start = performance.now();
    const r = disadvantageGapIndex(scores, flags);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(r.value as number).toBeGreaterThan(0);
  });
});
