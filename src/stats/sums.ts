import type { MeanSummary } from './mean.js';
import { StatsInputError, requireConfidence, requireFinite, requireNonNegative, show } from './errors.js';
import { twoSidedZ } from './normal-quantile.js';

/** Sufficient statistics of a sample: how many values, their sum and the sum of their squares. */
export interface Sums {
  readonly n: number;
  readonly sum: number;
  readonly sumsq: number;
}

/**
 * The sample standard deviation (divisor n − 1) from a sample's sums:
 * s = √((Σx² − (Σx)²/n) / (n − 1)), clamped at zero where rounding makes the numerator slightly
 * negative. Null with fewer than two values (a spread needs two).
 *
 * Every place that turns stored sums into a spread (the gap matrix, the settings funnel, disclosure
 * control) calls this one function, so the same sums always give the same spread.
 *
 * Reference: Altman DG. Practical statistics for medical research. Chapman & Hall; 1991, §3.4
 * (the "computing formula" for the variance).
 *
 * @throws {StatsInputError} when n is negative or not whole, or a sum is not finite
 * @example standardDeviationFromSums({ n: 5, sum: 15, sumsq: 55 }) // 1.5811388300841898
 */
export function standardDeviationFromSums(sums: Sums): number | null {
  checkSums(sums);
  if (sums.n < 2) return null;
  return Math.sqrt(Math.max(0, (sums.sumsq - (sums.sum * sums.sum) / sums.n) / (sums.n - 1)));
}

/**
 * A sample's count, mean and standard deviation from its sums, in the shape {@link meanFromSummary}
 * and {@link meanDifference} take. The mean is NaN (missing) with no values and the standard
 * deviation NaN with fewer than two, as {@link summarise} gives them.
 *
 * @throws {StatsInputError} as {@link standardDeviationFromSums}
 * @example summaryFromSums({ n: 5, sum: 15, sumsq: 55 }) // { count: 5, mean: 3, standardDeviation: 1.5811388300841898 }
 */
export function summaryFromSums(sums: Sums): MeanSummary & { count: number; mean: number; standardDeviation: number } {
  const standardDeviation = standardDeviationFromSums(sums);
  return { count: sums.n, mean: sums.n === 0 ? NaN : sums.sum / sums.n, standardDeviation: standardDeviation ?? NaN };
}

function checkSums(sums: Sums): void {
  requireNonNegative(sums.n, 'a number of values');
  if (!Number.isInteger(sums.n)) throw new StatsInputError(`a number of values must be whole (got ${show(sums.n)})`);
  requireFinite(sums.sum, 'a sum');
  requireFinite(sums.sumsq, 'a sum of squares');
}

/**
 * The standard error behind a symmetric confidence interval: SE = (U − L) / (2 z), z the two-sided
 * normal quantile of the interval's confidence (1.959964… for 95%). Undefined when a limit is missing
 * or the interval has no width (there is then no standard error to weight by).
 *
 * Reference: Altman DG, Bland JM. How to obtain the confidence interval from a P value. BMJ
 * 2011;343:d2090 (SE = (upper − lower)/(2 × 1.96)); PHEindicatormethods `assign_trend_markers`
 * (`calculate_trend_weighted_regression`: σ = (UL − LL) / (2 × qnorm(1 − (1 − confidence)/2))).
 *
 * @throws {StatsInputError} for a limit that is not finite, an upper limit below the lower, or a
 *   confidence outside (0, 1)
 * @example standardErrorFromLimits(28.98, 32.25) // 0.8341…
 */
export function standardErrorFromLimits(lower: number | null | undefined, upper: number | null | undefined, confidence = 0.95): number | undefined {
  requireConfidence(confidence);
  const z = twoSidedZ(confidence);
  if (lower === null || lower === undefined || upper === null || upper === undefined || Number.isNaN(lower) || Number.isNaN(upper)) return undefined;
  requireFinite(lower, 'a lower confidence limit');
  requireFinite(upper, 'an upper confidence limit');
  if (upper < lower) throw new StatsInputError(`an upper confidence limit must not be below the lower (got ${show(lower)} to ${show(upper)})`);
  if (upper === lower) return undefined;
  return (upper - lower) / (2 * z);
}
