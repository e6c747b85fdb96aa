import type { MaybeNumber } from './errors.js';
import { StatsInputError, show } from './errors.js';

/** A pupil's group flag: true (or 1) for disadvantaged, false (or 0) for all other pupils; null/undefined if unknown. */
export type GroupFlag = boolean | 0 | 1 | null | undefined;

/** The disadvantage gap index and its parts. */
export interface GapIndexResult {
  /** 20 × (mean decimal rank of other pupils − mean decimal rank of disadvantaged pupils); null if a group is empty. */
  readonly value: number | null;
  readonly meanDecimalRankDisadvantaged: number | null;
  readonly meanDecimalRankOthers: number | null;
  readonly disadvantagedCount: number;
  readonly otherCount: number;
  /** Pupils left out because their score or group flag was missing. */
  readonly excludedCount: number;
}

/**
 * The Department for Education's disadvantage gap index.
 *
 * 1. Every pupil with a score and a known group is ranked on the score, lowest = rank 1; tied pupils
 *    take the average of the ranks they span.
 * 2. Each rank becomes a decimal rank, rank ÷ N (N = pupils ranked), so decimal ranks lie in (0, 1].
 * 3. The index is 20 × (mean decimal rank of other pupils − mean decimal rank of disadvantaged pupils).
 *
 * It is 0 when the two groups' scores are distributed alike and 10 when every disadvantaged pupil scores
 * below every other pupil (the mean decimal ranks then differ by exactly ½); it is negative when
 * disadvantaged pupils do better. Any decimal-rank offset, e.g. (rank − 0.5)/N, cancels in the difference,
 * so the index depends only on dividing by N. Equivalently, index = 10 × (2A − 1), where
 * A = U/(n_D × n_O) is the Mann–Whitney probability that an other pupil outscores a disadvantaged one
 * (ties counted ½). The index is unchanged by any strictly increasing transformation of the scores and
 * changes sign when the groups are swapped.
 *
 * Performance: no per-pupil objects. Integer scores in a modest range (such as KS2 scaled scores) are
 * ranked by a counting sort in O(N + range); other scores by two native Float64Array sorts (all scores,
 * disadvantaged scores) and one merge pass, O(N log N). One million pupils take well under a second either way.
 *
 * Reference: Department for Education. Measuring disadvantaged pupils' attainment gaps over time
 * (updated): methodology. Statistical First Release SFR 40/2014, annex; DfE Key stage 2 and Key stage 4
 * attainment statistics: methodology ("disadvantage gap index"). Mann HB, Whitney DR. On a test of whether
 * one of two random variables is stochastically larger than the other. Annals of Mathematical Statistics
 * 1947;18(1):50–60 (for the equivalence).
 *
 * @param scores each pupil's attainment score; missing scores (null, undefined, NaN) are excluded
 * @param disadvantaged each pupil's group flag, same length as scores; pupils with a missing flag are excluded
 * @throws {StatsInputError} when the two arrays differ in length
 * @example disadvantageGapIndex([10, 20, 30, 40], [true, true, false, false]).value // 10
 */
export function disadvantageGapIndex(scores: ArrayLike<MaybeNumber>, disadvantaged: ArrayLike<GroupFlag>): GapIndexResult {
  const length = scores.length;
  if (disadvantaged.length !== length) {
    throw new StatsInputError(
      `the gap index needs one group flag per score (got ${show(length)} scores and ${show(disadvantaged.length)} flags)`,
    );
  }
  const all = new Float64Array(length);
  const group = new Float64Array(length);
  let n = 0;
  let nDisadvantaged = 0;
  let allIntegers = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const score = scores[i];
    const flag = disadvantaged[i];
    if (score === null || score === undefined || Number.isNaN(score) || flag === null || flag === undefined) continue;
    if (typeof score !== 'number') throw new StatsInputError(`score ${i} must be a number (got ${show(score)})`);
    all[n++] = score;
    if (score < min) min = score;
    if (score > max) max = score;
    if (allIntegers && !Number.isInteger(score)) allIntegers = false;
    if (flag === true || flag === 1) group[nDisadvantaged++] = score;
    else if (flag !== false && flag !== 0) {
      throw new StatsInputError(`group flag ${i} must be true, false, 1, 0 or missing (got ${show(flag)})`);
    }
  }
  const nOthers = n - nDisadvantaged;
  const excludedCount = length - n;
  if (nDisadvantaged === 0 || nOthers === 0) {
    return {
      value: null,
      meanDecimalRankDisadvantaged: null,
      meanDecimalRankOthers: null,
      disadvantagedCount: nDisadvantaged,
      otherCount: nOthers,
      excludedCount,
    };
  }
  const range = max - min;
  const rankSumValue =
    allIntegers && range <= Math.max(1_000_000, 4 * n)
      ? countingRankSum(all.subarray(0, n), group.subarray(0, nDisadvantaged), min, range)
      : sortingRankSum(all.subarray(0, n), group.subarray(0, nDisadvantaged));
  return finish(rankSumValue, n, nDisadvantaged, excludedCount);
}

/** Sum of disadvantaged pupils' mid-ranks for integer scores in a modest range: a counting sort, O(N + range). */
function countingRankSum(all: Float64Array, group: Float64Array, min: number, range: number): number {
  const countAll = new Uint32Array(range + 1);
  const countGroup = new Uint32Array(range + 1);
  for (let i = 0; i < all.length; i++) {
    const k = (all[i] as number) - min;
    countAll[k] = (countAll[k] as number) + 1;
  }
  for (let i = 0; i < group.length; i++) {
    const k = (group[i] as number) - min;
    countGroup[k] = (countGroup[k] as number) + 1;
  }
  let rankSum = 0;
  let below = 0;
  for (let v = 0; v <= range; v++) {
    const c = countAll[v] as number;
    if (c === 0) continue;
    const d = countGroup[v] as number;
    if (d > 0) rankSum += d * (below + (c + 1) / 2);
    below += c;
  }
  return rankSum;
}

/** Sum of disadvantaged pupils' mid-ranks for any scores: two native typed-array sorts and a merge. */
function sortingRankSum(all: Float64Array, group: Float64Array): number {
  const n = all.length;
  const nDisadvantaged = group.length;
  const sortedAll = all.sort();
  const sortedGroup = group.sort();
  // Sum of the (mid-)ranks of disadvantaged pupils, by one pass over the runs of equal scores.
  let rankSum = 0;
  let j = 0;
  let i = 0;
  while (i < n) {
    const v = sortedAll[i] as number;
    let k = i + 1;
    while (k < n && sortedAll[k] === v) k++;
    let count = 0;
    while (j < nDisadvantaged && (sortedGroup[j] as number) < v) j++;
    while (j < nDisadvantaged && sortedGroup[j] === v) {
      j++;
      count++;
    }
    if (count > 0) rankSum += count * ((i + 1 + k) / 2);
    i = k;
  }
  return rankSum;
}

function finish(rankSum: number, n: number, nDisadvantaged: number, excludedCount: number): GapIndexResult {
  const nOthers = n - nDisadvantaged;
  const totalRankSum = (n * (n + 1)) / 2;
  const meanDisadvantaged = rankSum / nDisadvantaged / n;
  const meanOthers = (totalRankSum - rankSum) / nOthers / n;
  return {
    value: 20 * (meanOthers - meanDisadvantaged),
    meanDecimalRankDisadvantaged: meanDisadvantaged,
    meanDecimalRankOthers: meanOthers,
    disadvantagedCount: nDisadvantaged,
    otherCount: nOthers,
    excludedCount,
  };
}
