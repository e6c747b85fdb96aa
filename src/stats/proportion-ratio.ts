import type { ConfidenceOptions, Estimate } from './interval.js';
import type { Counts } from './proportion-difference.js';
import { checkProportionCounts, criticalZ } from './proportion.js';
import { isMissing, requireConfidence } from './errors.js';

/** A ratio of two proportions (group ÷ comparator) with its log-scale interval. */
export interface ProportionRatioResult extends Estimate {
  readonly confidence: number;
  readonly method: 'katz-log';
  /** Why the interval (or value) is null although the counts are present, e.g. a zero count. */
  readonly note: string | null;
}

/**
 * The ratio of two independent proportions (relative risk), RR = (x₁/n₁) ÷ (x₂/n₂), with the Katz
 * log-scale interval:
 *
 *   SE(ln RR) = √(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂),   limits = exp(ln RR ∓ z × SE).
 *
 * When a numerator is 0 the log-scale interval is undefined and lower/upper are null (with a note);
 * when the comparator's numerator is 0 the ratio itself is undefined and value is null too.
 *
 * Reference: Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in
 * cohort studies. Biometrics 1978;34(3):469–474.
 *
 * A missing count gives a missing result.
 *
 * @throws {StatsInputError} as {@link proportion} for either group's counts or the confidence
 * @example proportionRatio({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 })
 *   // { value: 1.3333…, lower: 1.07663…, upper: 1.65125…, … }
 */
export function proportionRatio(group: Counts, comparator: Counts, options: ConfidenceOptions = {}): ProportionRatioResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const base = { confidence, method: 'katz-log' as const };
  const { numerator: x1, denominator: n1 } = group;
  const { numerator: x2, denominator: n2 } = comparator;
  if (isMissing(x1) || isMissing(n1) || isMissing(x2) || isMissing(n2)) {
    return { value: null, lower: null, upper: null, note: null, ...base };
  }
  checkProportionCounts(x1, n1);
  checkProportionCounts(x2, n2);
  if (x2 === 0) {
    return { value: null, lower: null, upper: null, note: "the comparator's proportion is 0, so the ratio is undefined", ...base };
  }
  const ratio = x1 / n1 / (x2 / n2);
  if (x1 === 0) {
    return { value: ratio, lower: null, upper: null, note: 'a zero numerator leaves the log-scale interval undefined', ...base };
  }
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
  const z = criticalZ(confidence);
  return { value: ratio, lower: ratio * Math.exp(-z * se), upper: ratio * Math.exp(z * se), note: null, ...base };
}
