import { StatsInputError, isMissing, requireConfidence, show } from './errors.js';
import type { MaybeNumber } from './errors.js';
import { normalCdf } from './normal-cdf.js';
import { studentTQuantile } from './student-t.js';

/**
 * Cohen's h, the difference between two proportions on the arcsine scale:
 *
 *   h = 2·arcsin(√p₁) − 2·arcsin(√p₂).
 *
 * The transformation makes equal differences in h equally detectable wherever the proportions lie,
 * so h can be set beside a standardised mean difference: Cohen's conventions call 0.2 small, 0.5
 * medium and 0.8 large for both.
 *
 * Reference: Cohen J. Statistical power analysis for the behavioral sciences. 2nd ed. Lawrence
 * Erlbaum; 1988, chapter 6 (section 6.2, the effect size index h, and table 6.2.1).
 *
 * A missing proportion gives a missing result.
 *
 * @throws {StatsInputError} when a proportion is outside [0, 1]
 * @example cohensH(0.65, 0.45) // 0.4049 (Cohen 1988, table 6.2.2: φ(0.65) − φ(0.45) = 1.8755 − 1.4706)
 */
export function cohensH(group: MaybeNumber, comparator: MaybeNumber): number | null {
  if (isMissing(group) || isMissing(comparator)) return null;
  for (const [value, label] of [
    [group, 'group'],
    [comparator, 'comparator'],
  ] as const) {
    if (!(value >= 0 && value <= 1)) throw new StatsInputError(`the ${label}'s proportion must be between 0 and 1 (got ${show(value)})`);
  }
  return 2 * Math.asin(Math.sqrt(group)) - 2 * Math.asin(Math.sqrt(comparator));
}

/**
 * The standard deviation behind a mean's Student's t interval: the interval is x̄ ∓ t_{1−α/2, n−1}·s/√n,
 * so s = (upper − lower) / (2·t_{1−α/2, n−1}) · √n. Used where only a published or released mean
 * with its interval and count is at hand, not the values.
 *
 * Reference: the interval of `meanFromSummary` (see docs/methods.md, Means), solved for s.
 *
 * A missing limit or count gives a missing result.
 *
 * @throws {StatsInputError} when the count is not a whole number of at least 2, the upper limit is
 *   below the lower, or the confidence is outside (0, 1)
 * @example standardDeviationFromMeanInterval(96.3, 103.7, 30) // 9.908…
 */
export function standardDeviationFromMeanInterval(lower: MaybeNumber, upper: MaybeNumber, count: MaybeNumber, confidence = 0.95): number | null {
  if (isMissing(lower) || isMissing(upper) || isMissing(count)) return null;
  requireConfidence(confidence);
  if (!Number.isInteger(count) || count < 2) throw new StatsInputError(`the count must be a whole number of at least 2 (got ${show(count)})`);
  if (!(upper >= lower)) throw new StatsInputError(`the upper limit (${show(upper)}) is below the lower (${show(lower)})`);
  const t = studentTQuantile(1 - (1 - confidence) / 2, count - 1);
  return ((upper - lower) / (2 * t)) * Math.sqrt(count);
}

/**
 * How many of a group's children would have to move from one side of the comparator's average to
 * the other for the group's distribution to centre on it, when the two differ by a standardised
 * difference d: n·|Φ(d) − ½|. Φ(d) is Cohen's U₃, the share of one normal distribution beyond the
 * other's mean; with no gap it is one half. It puts a gap in an average or a count into children,
 * as the gap in a percentage is put into children by n·|gap|/100.
 *
 * Reference: Cohen J. Statistical power analysis for the behavioral sciences. 2nd ed. 1988,
 * section 2.2.1 (U₃, table 2.2.1), under its assumption of normal distributions of equal spread.
 *
 * @throws {StatsInputError} when the count is negative or not whole
 * @example childrenBeyondMean(0.5, 100) // 19.15…
 */
export function childrenBeyondMean(standardisedDifference: number, count: number): number {
  if (!Number.isInteger(count) || count < 0) throw new StatsInputError(`the count must be a whole number of at least 0 (got ${show(count)})`);
  return count * Math.abs(normalCdf(standardisedDifference) - 0.5);
}
