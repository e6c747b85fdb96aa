import type { ConfidenceOptions, Estimate } from './interval.js';
import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireFinite, requireNonNegative, show } from './errors.js';
import { studentTQuantile } from './student-t.js';

/** A mean with its Student-t confidence interval. */
export interface MeanResult extends Estimate {
  readonly count: number | null;
  readonly standardDeviation: number | null;
  readonly standardError: number | null;
  readonly degreesOfFreedom: number | null;
  readonly confidence: number;
  readonly method: 'student-t';
}

/** Summary statistics of a sample: its size, mean and (sample, n − 1) standard deviation. */
export interface MeanSummary {
  readonly count: MaybeNumber;
  readonly mean: MaybeNumber;
  readonly standardDeviation: MaybeNumber;
}

function missingMean(confidence: number, summary?: MeanSummary): MeanResult {
  return {
    value: null,
    lower: null,
    upper: null,
    count: summary && !isMissing(summary.count) ? summary.count : null,
    standardDeviation: summary && !isMissing(summary.standardDeviation) ? summary.standardDeviation : null,
    standardError: null,
    degreesOfFreedom: null,
    confidence,
    method: 'student-t',
  };
}

/**
 * A mean with its Student-t interval from summary statistics (n, mean, sd):
 * mean ± t_{1−α/2, n−1} × sd/√n.
 *
 * Reference: Student. The probable error of a mean. Biometrika 1908;6(1):1–25; Office for Health
 * Improvement and Disparities. Public Health Technical Guidance: Confidence intervals — means
 * (PHEindicatormethods `phe_mean`).
 *
 * Any missing summary value gives a missing result.
 *
 * @throws {StatsInputError} when the count is not an integer of at least 2, the standard deviation is
 *   negative, the mean is not finite or the confidence is outside (0, 1)
 * @example meanFromSummary({ count: 5, mean: 3, standardDeviation: Math.sqrt(2.5) })
 *   // { value: 3, lower: 1.036757…, upper: 4.963243…, degreesOfFreedom: 4, … }
 */
export function meanFromSummary(summary: MeanSummary, options: ConfidenceOptions = {}): MeanResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const { count, mean, standardDeviation } = summary;
  if (isMissing(count) || isMissing(mean) || isMissing(standardDeviation)) return missingMean(confidence, summary);
  requireFinite(mean, 'a mean');
  requireNonNegative(standardDeviation, 'a standard deviation');
  if (!Number.isInteger(count) || count < 2) {
    throw new StatsInputError(`a mean's interval needs a count that is a whole number of at least 2 (got ${show(count)})`);
  }
  const df = count - 1;
  const standardError = standardDeviation / Math.sqrt(count);
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  return {
    value: mean,
    lower: mean - t * standardError,
    upper: mean + t * standardError,
    count,
    standardDeviation,
    standardError,
    degreesOfFreedom: df,
    confidence,
    method: 'student-t',
  };
}

/**
 * Sample size, mean and sample standard deviation (divisor n − 1) of the present values, skipping
 * missing ones (null, undefined, NaN). Uses Welford's one-pass algorithm for numerical stability.
 *
 * Reference: Welford BP. Note on a method for calculating corrected sums of squares and products.
 * Technometrics 1962;4(3):419–420.
 *
 * @throws {StatsInputError} when a present value is infinite
 * @example summarise([1, 2, 3, 4, 5]) // { count: 5, mean: 3, standardDeviation: 1.5811388300841898 }
 */
export function summarise(values: ArrayLike<MaybeNumber>): { count: number; mean: number; standardDeviation: number } {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    requireFinite(v, `value ${i}`);
    count += 1;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  return { count, mean: count === 0 ? NaN : mean, standardDeviation: count < 2 ? NaN : Math.sqrt(m2 / (count - 1)) };
}

/**
 * A mean of raw values with its Student-t interval (see {@link meanFromSummary}); missing values
 * (null, undefined, NaN) are skipped. No present values gives a missing result.
 *
 * Reference: Student 1908; PHE/OHID Technical Guidance: Confidence intervals — means.
 *
 * @throws {StatsInputError} when exactly one value is present (an interval needs at least 2) or a value is
 *   infinite
 * @example meanFromValues([1, 2, 3, 4, 5]) // { value: 3, lower: 1.036757…, upper: 4.963243…, … }
 */
export function meanFromValues(values: ArrayLike<MaybeNumber>, options: ConfidenceOptions = {}): MeanResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const summary = summarise(values);
  if (summary.count === 0) return missingMean(confidence);
  if (summary.count < 2) {
    throw new StatsInputError(`a mean's interval needs at least 2 values (got ${summary.count})`);
  }
  return meanFromSummary(summary, { confidence });
}
