import { StatsInputError, requireConfidence, requireMultiplier, show } from './errors.js';
import { binomialCdf } from './binomial.js';
import { twoSidedZ } from './normal-quantile.js';

/** Options for {@link funnelLimits}. */
export interface FunnelOptions {
  /** Control-limit levels; default [0.95, 0.998] (about 2 and 3 standard deviations). */
  readonly confidences?: readonly number[];
  /**
   * 'wilson' (default): the observed proportion at which its Wilson score interval just reaches the target,
   * which is θ ∓ z √(θ(1 − θ)/n) — what PHEindicatormethods `phe_funnels` computes;
   * 'exact': Spiegelhalter's interpolated exact binomial limits.
   */
  readonly method?: 'wilson' | 'exact';
  /** Scale for the limits (100 for percentages); default 1. */
  readonly multiplier?: number;
}

/** Control limits at one confidence level. */
export interface FunnelLevel {
  readonly confidence: number;
  readonly lower: number;
  readonly upper: number;
}

/** Control limits for one denominator. */
export interface FunnelPoint {
  readonly denominator: number;
  readonly limits: readonly FunnelLevel[];
}

/**
 * Spiegelhalter's interpolated binomial quantile: with R ~ Binomial(n, θ), r_p the smallest r with
 * P(R ≤ r) ≥ p, and α = (P(R ≤ r_p) − p)/(P(R ≤ r_p) − P(R ≤ r_p − 1)), the limit is (r_p − α)/n.
 */
function interpolatedBinomialLimit(p: number, n: number, theta: number): number {
  // Start near the normal approximation, then step to the smallest r with F(r) ≥ p.
  const guess = Math.floor(n * theta + twoSidedZ(Math.abs(2 * p - 1)) * Math.sign(p - 0.5) * Math.sqrt(n * theta * (1 - theta)));
  let r = Math.min(n, Math.max(0, guess));
  while (r > 0 && binomialCdf(r - 1, n, theta) >= p) r--;
  while (r < n && binomialCdf(r, n, theta) < p) r++;
  const upper = binomialCdf(r, n, theta);
  const lower = binomialCdf(r - 1, n, theta);
  const alpha = upper === lower ? 0 : (upper - p) / (upper - lower);
  return (r - alpha) / n;
}

/**
 * Funnel-plot control limits for proportions around a target θ (e.g. the national or all-areas proportion),
 * for each denominator n and each level (default 95% and 99.8%, two-sided, so z = 1.96 and 3.09).
 *
 * - 'wilson' (default, PHE): the limits are the observed proportions whose Wilson score interval has θ as
 *   its end point. Solving (p − θ)² = z²θ(1 − θ)/n gives θ ∓ z √(θ(1 − θ)/n); this is what
 *   PHEindicatormethods `phe_funnels` / `phe_funnel_significance` compute (their `sigma_adjustment`
 *   reduces algebraically to it). Limits are clipped to [0, 1].
 * - 'exact': Spiegelhalter's interpolated exact binomial limits, (r_p − α)/n at p = α/2 and 1 − α/2,
 *   which are smooth in n. They are clipped to [0, 1]; for very small expected counts (nθ well below 1)
 *   the interpolated upper limit can fall below θ (even to 0), a genuine feature of the discrete distribution.
 *
 * All limits are multiplied by the multiplier.
 *
 * Reference: Spiegelhalter DJ. Funnel plots for comparing institutional performance. Statistics in
 * Medicine 2005;24(8):1185–1202 (Appendix A.1.1); Office for Health Improvement and Disparities. Public
 * Health Technical Guidance: Funnel plots (PHEindicatormethods `phe_funnels`).
 *
 * @throws {StatsInputError} when θ is outside [0, 1], a denominator is not a whole number of at least 1,
 *   a level is outside (0, 1), or the multiplier is not positive
 * @example funnelLimits(0.3, [100]) // [{ denominator: 100, limits: [{ confidence: 0.95, lower: 0.2102…, upper: 0.3898… }, …] }]
 */
export function funnelLimits(target: number, denominators: readonly number[], options: FunnelOptions = {}): FunnelPoint[] {
  const confidences = options.confidences ?? [0.95, 0.998];
  const method = options.method ?? 'wilson';
  const multiplier = options.multiplier ?? 1;
  if (typeof target !== 'number' || !(target >= 0 && target <= 1)) {
    throw new StatsInputError(`a funnel plot's target proportion must be between 0 and 1 (got ${show(target)})`);
  }
  if (method !== 'wilson' && method !== 'exact') throw new StatsInputError(`method must be 'wilson' or 'exact' (got ${show(method)})`);
  requireMultiplier(multiplier);
  for (const c of confidences) requireConfidence(c);
  return denominators.map((n) => {
    if (!Number.isInteger(n) || n < 1) throw new StatsInputError(`a funnel plot's denominator must be a whole number of at least 1 (got ${show(n)})`);
    const limits = confidences.map((confidence) => {
      let lower: number;
      let upper: number;
      if (method === 'wilson') {
        const half = twoSidedZ(confidence) * Math.sqrt((target * (1 - target)) / n);
        lower = Math.max(0, target - half);
        upper = Math.min(1, target + half);
      } else if (target === 0 || target === 1) {
        lower = target;
        upper = target;
      } else {
        const alpha = 1 - confidence;
        lower = Math.min(1, Math.max(0, interpolatedBinomialLimit(alpha / 2, n, target)));
        upper = Math.min(1, Math.max(0, interpolatedBinomialLimit(1 - alpha / 2, n, target)));
      }
      return { confidence, lower: lower * multiplier, upper: upper * multiplier };
    });
    return { denominator: n, limits };
  });
}
