import type { ConfidenceOptions, Estimate } from './interval.js';
import type { MeanSummary } from './mean.js';
import { StatsInputError, isMissing, requireConfidence, requireFinite, requireNonNegative, show } from './errors.js';
import { logGamma } from './gamma.js';
import { twoSidedZ } from './normal-quantile.js';
import { studentTQuantile } from './student-t.js';

/** A difference between two means (group minus comparator) with its Welch interval. */
export interface MeanDifferenceResult extends Estimate {
  readonly standardError: number | null;
  readonly degreesOfFreedom: number | null;
  readonly confidence: number;
  readonly method: 'welch';
}

/** A standardised mean difference (Hedges' g) with its approximate interval. */
export interface StandardisedMeanDifferenceResult extends Estimate {
  /** Cohen's d before the small-sample correction. */
  readonly uncorrected: number | null;
  /** The correction factor J(m), m = n₁ + n₂ − 2. */
  readonly correction: number | null;
  readonly standardError: number | null;
  readonly confidence: number;
  readonly method: 'hedges-g';
}

interface CheckedSummary {
  n: number;
  mean: number;
  sd: number;
}

function check(summary: MeanSummary, label: string): CheckedSummary | null {
  const { count, mean, standardDeviation } = summary;
  if (isMissing(count) || isMissing(mean) || isMissing(standardDeviation)) return null;
  requireFinite(mean, `the ${label}'s mean`);
  requireNonNegative(standardDeviation, `the ${label}'s standard deviation`);
  if (!Number.isInteger(count) || count < 2) {
    throw new StatsInputError(`the ${label}'s count must be a whole number of at least 2 (got ${show(count)})`);
  }
  return { n: count, mean, sd: standardDeviation };
}

/**
 * The difference between two independent means, x̄₁ − x̄₂, with Welch's interval:
 *
 *   SE = √(s₁²/n₁ + s₂²/n₂),
 *   ν = SE⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1))   (Welch–Satterthwaite),
 *   limits = (x̄₁ − x̄₂) ∓ t_{1−α/2, ν} × SE.
 *
 * Reference: Welch BL. The generalization of "Student's" problem when several different population
 * variances are involved. Biometrika 1947;34(1–2):28–35; Satterthwaite FE. An approximate distribution
 * of estimates of variance components. Biometrics Bulletin 1946;2(6):110–114.
 *
 * A missing summary value gives a missing result.
 *
 * @throws {StatsInputError} when a count is not a whole number ≥ 2, a standard deviation is negative,
 *   both standard deviations are 0, or the confidence is outside (0, 1)
 * @example meanDifference({ count: 10, mean: 0.75, standardDeviation: 1.789 }, { count: 10, mean: 2.33, standardDeviation: 2.002 })
 */
export function meanDifference(group: MeanSummary, comparator: MeanSummary, options: ConfidenceOptions = {}): MeanDifferenceResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const base = { confidence, method: 'welch' as const };
  const a = check(group, 'group');
  const b = check(comparator, 'comparator');
  if (!a || !b) return { value: null, lower: null, upper: null, standardError: null, degreesOfFreedom: null, ...base };
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  if (va + vb === 0) throw new StatsInputError('a Welch interval needs at least one standard deviation above 0 (both were 0)');
  const se = Math.sqrt(va + vb);
  const df = ((va + vb) * (va + vb)) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  const difference = a.mean - b.mean;
  return { value: difference, lower: difference - t * se, upper: difference + t * se, standardError: se, degreesOfFreedom: df, ...base };
}

/**
 * Hedges' small-sample correction factor J(m) = Γ(m/2) / (√(m/2) Γ((m − 1)/2)), exact form
 * (≈ 1 − 3/(4m − 1)).
 *
 * Reference: Hedges LV. Distribution theory for Glass's estimator of effect size and related estimators.
 * Journal of Educational Statistics 1981;6(2):107–128; Hedges LV, Olkin I. Statistical methods for
 * meta-analysis. Academic Press; 1985, p. 80.
 *
 * @throws {StatsInputError} when m ≤ 1
 * @example hedgesCorrection(18) // 0.95765…
 */
export function hedgesCorrection(m: number): number {
  if (!(m > 1) || !Number.isFinite(m)) throw new StatsInputError(`Hedges' correction needs m > 1 (got ${show(m)})`);
  return Math.exp(logGamma(m / 2) - 0.5 * Math.log(m / 2) - logGamma((m - 1) / 2));
}

/**
 * The standardised mean difference Hedges' g (group minus comparator) with its large-sample interval:
 *
 *   s_p = √(((n₁ − 1)s₁² + (n₂ − 1)s₂²)/(n₁ + n₂ − 2)),   d = (x̄₁ − x̄₂)/s_p,   g = J(n₁ + n₂ − 2) × d,
 *   Var(g) ≈ (n₁ + n₂)/(n₁n₂) + g²/(2(n₁ + n₂)),   limits = g ∓ z_{1−α/2} √Var(g).
 *
 * Reference: Hedges LV, Olkin I. Statistical methods for meta-analysis. Academic Press; 1985,
 * chapter 5 (pp. 80–86: the unbiased estimator and its asymptotic variance).
 *
 * A missing summary value gives a missing result.
 *
 * @throws {StatsInputError} when a count is not a whole number ≥ 2, a standard deviation is negative,
 *   the pooled standard deviation is 0, or the confidence is outside (0, 1)
 * @example standardisedMeanDifference({ count: 20, mean: 105, standardDeviation: 15 }, { count: 20, mean: 100, standardDeviation: 15 })
 *   // { value: 0.3267…, uncorrected: 0.3333…, … }
 */
export function standardisedMeanDifference(
  group: MeanSummary,
  comparator: MeanSummary,
  options: ConfidenceOptions = {},
): StandardisedMeanDifferenceResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const base = { confidence, method: 'hedges-g' as const };
  const a = check(group, 'group');
  const b = check(comparator, 'comparator');
  if (!a || !b) return { value: null, lower: null, upper: null, uncorrected: null, correction: null, standardError: null, ...base };
  const m = a.n + b.n - 2;
  const pooled = Math.sqrt(((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd) / m);
  if (pooled === 0) throw new StatsInputError('a standardised mean difference needs a pooled standard deviation above 0 (got 0)');
  const d = (a.mean - b.mean) / pooled;
  const correction = hedgesCorrection(m);
  const g = correction * d;
  const se = Math.sqrt((a.n + b.n) / (a.n * b.n) + (g * g) / (2 * (a.n + b.n)));
  const z = twoSidedZ(confidence);
  return { value: g, lower: g - z * se, upper: g + z * se, uncorrected: d, correction, standardError: se, ...base };
}
