/**
 * An item's impact, comparable across items: each result as a standardised difference with its
 * interval (Hedges' g from means, the logit-method d from counts, or the effect the submitter
 * reports), the results pooled (random effects, so that disagreeing results widen the interval
 * rather than hide), and each figure as the EEF's months of additional progress. Positive always
 * means the children who took part did better.
 */
import { impactBand, monthsOfProgress, poolEffects, standardErrorFromInterval, standardisedDifferenceFromCounts, standardisedMeanDifference } from '../stats/index.js';
import type { ImpactBand } from '../stats/index.js';
import type { PracticeContent, PracticeResult } from './content.js';

export type EffectMethod = 'hedges-g' | 'logit-d' | 'reported';

export interface Effect {
  value: number;
  lower: number | null;
  upper: number | null;
  standardError: number | null;
  months: number;
  monthsLower: number | null;
  monthsUpper: number | null;
}

export interface ResultEffect extends Effect {
  index: number;
  outcome: string;
  forWhom: string;
  method: EffectMethod;
  /** Children the result is about: both groups where there was a comparison. */
  children: number | null;
}

export interface ItemImpact {
  results: ResultEffect[];
  /** The results pooled; one result stands alone. Null when no result gives an effect. */
  overall: (Effect & { pooledFrom: number; iSquared: number | null; tauSquared: number | null; impact: ImpactBand }) | null;
  /** Results whose figures give no effect (a double zero in counts, say), with why. */
  notComparable: { index: number; outcome: string; reason: string }[];
}

function withMonths(value: number, lower: number | null, upper: number | null, standardError: number | null): Effect {
  return {
    value,
    lower,
    upper,
    standardError,
    months: monthsOfProgress(value),
    monthsLower: lower === null ? null : monthsOfProgress(lower),
    monthsUpper: upper === null ? null : monthsOfProgress(upper),
  };
}

/** A result's effect oriented so that positive is better for the children, or why there is none. */
export function resultEffect(result: PracticeResult, index: number): ResultEffect | { reason: string } {
  const base = { index, outcome: result.outcome, forWhom: result.forWhom };
  try {
    if (result.measure === 'effect') {
      if (result.effectSize === null) return { reason: 'no effect size given' };
      const standardError = result.lower !== null && result.upper !== null ? standardErrorFromInterval(result.lower, result.upper) : null;
      const children = result.n;
      return { ...base, method: 'reported', children, ...withMonths(result.effectSize, result.lower, result.upper, standardError) };
    }
    const sign = result.higherIsBetter ? 1 : -1;
    const estimate =
      result.measure === 'means'
        ? result.mean === null || result.sd === null || result.n === null || result.comparatorMean === null || result.comparatorSd === null || result.comparatorN === null
          ? null
          : standardisedMeanDifference(
              { count: result.n, mean: result.mean, standardDeviation: result.sd },
              { count: result.comparatorN, mean: result.comparatorMean, standardDeviation: result.comparatorSd },
            )
        : result.events === null || result.n === null || result.comparatorEvents === null || result.comparatorN === null
          ? null
          : standardisedDifferenceFromCounts({ numerator: result.events, denominator: result.n }, { numerator: result.comparatorEvents, denominator: result.comparatorN });
    if (estimate === null) return { reason: 'figures missing for both groups' };
    if (estimate.value === null) return { reason: 'the figures give no effect (for counts: none or all had the outcome in both groups)' };
    const value = sign * estimate.value;
    const limits = [sign * (estimate.lower ?? Number.NaN), sign * (estimate.upper ?? Number.NaN)].sort((a, b) => a - b);
    const lower = Number.isFinite(limits[0]) ? limits[0]! : null;
    const upper = Number.isFinite(limits[1]) ? limits[1]! : null;
    const children = (result.n ?? 0) + (result.comparatorN ?? 0);
    return { ...base, method: result.measure === 'means' ? 'hedges-g' : 'logit-d', children, ...withMonths(value, lower, upper, estimate.standardError ?? null) };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Every result's effect, and the results pooled by random effects (DerSimonian–Laird). */
export function itemImpact(content: PracticeContent): ItemImpact {
  const results: ResultEffect[] = [];
  const notComparable: ItemImpact['notComparable'] = [];
  content.results.forEach((result, index) => {
    const effect = resultEffect(result, index);
    if ('reason' in effect) notComparable.push({ index, outcome: result.outcome, reason: effect.reason });
    else results.push(effect);
  });
  const poolable = results.filter((result) => result.standardError !== null && result.standardError > 0);
  let overall: ItemImpact['overall'] = null;
  if (poolable.length >= 2) {
    const pooled = poolEffects(poolable.map((result) => ({ value: result.value, standardError: result.standardError! })));
    const effect = withMonths(pooled.random.value, pooled.random.lower, pooled.random.upper, pooled.random.standardError);
    overall = { ...effect, pooledFrom: poolable.length, iSquared: pooled.iSquared, tauSquared: pooled.tauSquared, impact: impactBand(effect.months) };
  } else if (poolable.length === 1 || results.length === 1) {
    const single = poolable[0] ?? results[0]!;
    overall = { ...withMonths(single.value, single.lower, single.upper, single.standardError), pooledFrom: 1, iSquared: null, tauSquared: null, impact: impactBand(single.months) };
  }
  return { results, overall, notComparable };
}
