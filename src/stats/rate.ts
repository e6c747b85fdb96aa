import type { ConfidenceOptions, Estimate } from './interval.js';
import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireMultiplier, requireNonNegative, show } from './errors.js';
import { chiSquareQuantile } from './chi-square.js';
import { twoSidedZ } from './normal-quantile.js';

/** Options for {@link crudeRate}. */
export interface RateOptions extends ConfidenceOptions {
  /** Rate per this many of the denominator; default 100,000. */
  readonly multiplier?: number;
}

/** A crude rate with its confidence interval. */
export interface RateResult extends Estimate {
  readonly count: number | null;
  readonly denominator: number | null;
  readonly confidence: number;
  readonly multiplier: number;
  /** 'exact' (Poisson, via chi-square quantiles) below 10 events, 'byar' from 10 events; null when missing. */
  readonly method: 'exact' | 'byar' | null;
}

/**
 * Exact Poisson confidence limits for an observed count O:
 * lower = χ²_{α/2}(2O) / 2, upper = χ²_{1−α/2}(2O + 2) / 2 (lower is 0 when O = 0).
 *
 * Reference: Armitage P, Berry G, Matthews JNS. Statistical methods in medical research (4th edn).
 * Blackwell; 2002; as used by PHEindicatormethods `phe_rate` for fewer than 10 events.
 *
 * @example exactPoissonLimits(0, 0.95) // { lower: 0, upper: 3.6888794541139363 } (= −ln 0.025)
 */
export function exactPoissonLimits(count: number, confidence = 0.95): { lower: number; upper: number } {
  requireNonNegative(count, 'an event count');
  requireConfidence(confidence);
  const alpha = 1 - confidence;
  return {
    lower: count === 0 ? 0 : chiSquareQuantile(alpha / 2, 2 * count) / 2,
    upper: chiSquareQuantile(1 - alpha / 2, 2 * count + 2) / 2,
  };
}

/**
 * Byar's approximation to the exact Poisson limits for an observed count O, with z = Φ⁻¹(1 − α/2):
 * lower = O (1 − 1/(9O) − z/(3√O))³, upper = (O + 1)(1 − 1/(9(O + 1)) + z/(3√(O + 1)))³.
 *
 * Reference: Breslow NE, Day NE. Statistical methods in cancer research, volume II: The design and
 * analysis of cohort studies. IARC Scientific Publications No. 82. Lyon: IARC; 1987 (p. 69);
 * PHEindicatormethods `byars_lower` / `byars_upper`.
 *
 * @throws {StatsInputError} when the count is not positive (Byar's lower limit needs O > 0)
 * @example byarLimits(10, 0.95) // { lower: 4.78745…, upper: 18.39146… }
 */
export function byarLimits(count: number, confidence = 0.95): { lower: number; upper: number } {
  requireNonNegative(count, 'an event count');
  if (count === 0) throw new StatsInputError("Byar's method needs at least 1 event (got 0); use the exact method");
  requireConfidence(confidence);
  const z = twoSidedZ(confidence);
  const o1 = count + 1;
  return {
    lower: count * Math.pow(1 - 1 / (9 * count) - z / (3 * Math.sqrt(count)), 3),
    upper: o1 * Math.pow(1 - 1 / (9 * o1) + z / (3 * Math.sqrt(o1)), 3),
  };
}

/**
 * A crude rate (events ÷ denominator × multiplier) with the PHE/Fingertips confidence interval: exact
 * Poisson limits from chi-square quantiles for fewer than 10 events, Byar's approximation from 10 events,
 * each divided by the denominator and multiplied by the multiplier — as PHEindicatormethods `phe_rate`.
 *
 * Reference: Office for Health Improvement and Disparities. Public Health Technical Guidance:
 * Confidence intervals — crude rates; Breslow & Day 1987; Armitage, Berry & Matthews 2002.
 *
 * A missing count or denominator gives a missing result.
 *
 * @throws {StatsInputError} when the count is negative, the denominator is not greater than 0, the
 *   confidence is outside (0, 1) or the multiplier is not positive
 * @example crudeRate(9, 10000) // { value: 90, lower: 41.15373…, upper: 170.84803…, method: 'exact', … }
 */
export function crudeRate(count: MaybeNumber, denominator: MaybeNumber, options: RateOptions = {}): RateResult {
  const confidence = options.confidence ?? 0.95;
  const multiplier = options.multiplier ?? 100_000;
  requireConfidence(confidence);
  requireMultiplier(multiplier);
  if (isMissing(count) || isMissing(denominator)) {
    return {
      value: null,
      lower: null,
      upper: null,
      count: isMissing(count) ? null : count,
      denominator: isMissing(denominator) ? null : denominator,
      confidence,
      multiplier,
      method: null,
    };
  }
  requireNonNegative(count, 'a rate\'s event count');
  requireNonNegative(denominator, "a rate's denominator");
  if (denominator <= 0) throw new StatsInputError(`a rate needs a denominator greater than 0 (got ${show(denominator)})`);
  const method = count < 10 ? 'exact' : 'byar';
  const limits = method === 'exact' ? exactPoissonLimits(count, confidence) : byarLimits(count, confidence);
  return {
    value: (count / denominator) * multiplier,
    lower: (limits.lower / denominator) * multiplier,
    upper: (limits.upper / denominator) * multiplier,
    count,
    denominator,
    confidence,
    multiplier,
    method,
  };
}
