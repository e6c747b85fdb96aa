import { StatsInputError, requireConfidence, requireFinite, requireNonNegative, show } from './errors.js';
import type { FunnelPoint } from './funnel.js';
import { twoSidedZ } from './normal-quantile.js';

/** Options for {@link meanFunnelLimits}. */
export interface MeanFunnelOptions {
  /** Control-limit levels; default [0.95, 0.998] (about 2 and 3 standard errors). */
  readonly confidences?: readonly number[];
}

/**
 * Funnel-plot control limits for a mean around a target θ (e.g. the authority's mean over all its
 * settings), for each number of contributors n and each level (default 95% and 99.8%, two-sided, so
 * z = 1.96 and 3.09): θ ∓ z σ/√n, the normal approximation with σ the standard deviation of one
 * child's value, taken as known. Under the null hypothesis that every unit has mean θ, a unit's mean of
 * n values has standard error σ/√n, so these are the limits within which it falls by chance alone.
 * The limits are symmetric about θ and widen as n falls; they are not clipped to the measure's range.
 *
 * Reference: Spiegelhalter DJ. Funnel plots for comparing institutional performance. Statistics in
 * Medicine 2005;24(8):1185–1202 (Table I, normal data with known σ).
 *
 * @param target θ, the mean the units are compared with
 * @param standardDeviation σ, e.g. the standard deviation of the values of all children together
 * @param denominators the numbers of values behind each unit's mean, whole numbers of at least 1
 * @throws {StatsInputError} when θ is not finite, σ is negative or not finite, a denominator is not a
 *   whole number of at least 1, or a level is outside (0, 1)
 * @example meanFunnelLimits(100, 15, [25]) // [{ denominator: 25, limits: [{ confidence: 0.95, lower: 94.1201…, upper: 105.8798… }, …] }]
 */
export function meanFunnelLimits(target: number, standardDeviation: number, denominators: readonly number[], options: MeanFunnelOptions = {}): FunnelPoint[] {
  const confidences = options.confidences ?? [0.95, 0.998];
  requireFinite(target, "a funnel plot's target mean");
  requireNonNegative(standardDeviation, "a funnel plot's standard deviation");
  for (const c of confidences) requireConfidence(c);
  const zs = confidences.map((confidence) => ({ confidence, z: twoSidedZ(confidence) }));
  return denominators.map((n) => {
    if (!Number.isInteger(n) || n < 1) throw new StatsInputError(`a funnel plot's denominator must be a whole number of at least 1 (got ${show(n)})`);
    const standardError = standardDeviation / Math.sqrt(n);
    return { denominator: n, limits: zs.map(({ confidence, z }) => ({ confidence, lower: target - z * standardError, upper: target + z * standardError })) };
  });
}
