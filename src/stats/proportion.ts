import type { ConfidenceOptions, Estimate } from './interval.js';
import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireMultiplier, requireNonNegative, show } from './errors.js';
import { twoSidedZ } from './normal-quantile.js';

/** Options for {@link proportion} and {@link wilsonInterval}. */
export interface ProportionOptions extends ConfidenceOptions {
  /** Scale for value and limits: 1 for a proportion (the default), 100 for a percentage. */
  readonly multiplier?: number;
}

/** A proportion with its Wilson score interval, all on the multiplier's scale. */
export interface ProportionResult extends Estimate {
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly confidence: number;
  readonly multiplier: number;
  readonly method: 'wilson';
}

let cachedConfidence = NaN;
let cachedZ = NaN;

/** z for a confidence level, remembering the last level asked for (the usual case is one level for many cells). */
export function criticalZ(confidence: number): number {
  if (confidence !== cachedConfidence) {
    requireConfidence(confidence);
    cachedZ = twoSidedZ(confidence);
    cachedConfidence = confidence;
  }
  return cachedZ;
}

/** Throws unless numerator and denominator make a proportion. */
export function checkProportionCounts(numerator: number, denominator: number): void {
  requireNonNegative(numerator, "a proportion's numerator");
  requireNonNegative(denominator, "a proportion's denominator");
  if (denominator < 1) {
    throw new StatsInputError(`a proportion needs a denominator of at least 1 (got ${show(denominator)})`);
  }
  if (numerator > denominator) {
    throw new StatsInputError(
      `a proportion's numerator must not exceed its denominator (got ${show(numerator)} out of ${show(denominator)})`,
    );
  }
}

/**
 * Wilson score interval for a proportion x/n, on the 0–1 scale.
 *
 * lower, upper = (2x + z² ∓ z √(z² + 4x(n − x)/n)) / (2(n + z²)), with z = Φ⁻¹(1 − α/2).
 * At x = 0 the lower limit is exactly 0 and at x = n the upper limit is exactly 1.
 *
 * Reference: Wilson EB. Probable inference, the law of succession, and statistical inference.
 * Journal of the American Statistical Association 1927;22:209–212; Newcombe RG, Altman DG.
 * Proportions and their differences. In: Altman DG et al. (eds). Statistics with confidence (2nd edn).
 * BMJ Books; 2000, pp. 46–48 (the form used by the PHE/OHID Technical Guide and PHEindicatormethods).
 *
 * @throws {StatsInputError} when a count is negative, the denominator is below 1, the numerator exceeds
 *   the denominator, or the confidence level is outside (0, 1)
 * @example wilsonInterval(81, 263) // { lower: 0.25528851987827…, upper: 0.36620957698280… }
 */
export function wilsonInterval(numerator: number, denominator: number, confidence = 0.95): { lower: number; upper: number } {
  checkProportionCounts(numerator, denominator);
  const z = criticalZ(confidence);
  return wilsonBounds(numerator, denominator, z);
}

/** Wilson bounds for already-checked counts and a critical value z. */
export function wilsonBounds(x: number, n: number, z: number): { lower: number; upper: number } {
  const z2 = z * z;
  const centre = 2 * x + z2;
  const spread = z * Math.sqrt(z2 + (4 * x * (n - x)) / n);
  const scale = 2 * (n + z2);
  const lower = x === 0 ? 0 : Math.max(0, (centre - spread) / scale);
  const upper = x === n ? 1 : Math.min(1, (centre + spread) / scale);
  return { lower, upper };
}

/**
 * A proportion (numerator ÷ denominator, times the multiplier) with its Wilson score interval at any
 * confidence level in (0, 1) — 0.95 and 0.998 are the PHE/Fingertips standards.
 *
 * value = x/n × m; lower, upper = Wilson limits × m (see {@link wilsonInterval}).
 *
 * Reference: Wilson 1927; Newcombe & Altman 2000 (see {@link wilsonInterval}); Office for Health
 * Improvement and Disparities. Public Health Technical Guidance: Confidence intervals (Fingertips).
 *
 * A missing numerator or denominator (null, undefined, NaN) gives a missing result (value, lower and
 * upper null).
 *
 * @throws {StatsInputError} when a count is negative or not finite, the denominator is below 1, the
 *   numerator exceeds the denominator, the confidence is outside (0, 1) or the multiplier is not positive
 * @example proportion(15, 148, { multiplier: 100 })
 *   // { value: 10.135…, lower: 6.2386…, upper: 16.0487…, numerator: 15, denominator: 148, … }
 */
export function proportion(numerator: MaybeNumber, denominator: MaybeNumber, options: ProportionOptions = {}): ProportionResult {
  const confidence = options.confidence ?? 0.95;
  const multiplier = options.multiplier ?? 1;
  const z = criticalZ(confidence);
  if (multiplier !== 1) requireMultiplier(multiplier);
  if (isMissing(numerator) || isMissing(denominator)) {
    return {
      value: null,
      lower: null,
      upper: null,
      numerator: isMissing(numerator) ? null : numerator,
      denominator: isMissing(denominator) ? null : denominator,
      confidence,
      multiplier,
      method: 'wilson',
    };
  }
  checkProportionCounts(numerator, denominator);
  const { lower, upper } = wilsonBounds(numerator, denominator, z);
  return {
    value: (numerator / denominator) * multiplier,
    lower: lower * multiplier,
    upper: upper * multiplier,
    numerator,
    denominator,
    confidence,
    multiplier,
    method: 'wilson',
  };
}
