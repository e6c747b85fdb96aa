import { chiSquareUpperTail } from './chi-square.js';
import { StatsInputError, requireConfidence, requireFinite, show } from './errors.js';
import type { ConfidenceOptions } from './interval.js';
import { twoSidedZ } from './normal-quantile.js';

/** One result to pool: an effect size (Hedges' g, a logit-method d, …) and its standard error. */
export interface StudyEffect {
  readonly value: number;
  readonly standardError: number;
}

/** A pooled effect with its interval; always present, since pooling needs at least one result. */
export interface PooledEstimate {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly standardError: number;
}

/** An item's results pooled, with how much they disagree. */
export interface PooledEffect {
  /** Inverse-variance fixed-effect (common-effect) estimate. */
  readonly fixed: PooledEstimate;
  /** DerSimonian–Laird random-effects estimate. */
  readonly random: PooledEstimate;
  /** Cochran's Q: the weighted sum of squared deviations from the fixed-effect estimate. */
  readonly q: number;
  /** Degrees of freedom of Q: the number of results less one. */
  readonly df: number;
  /** P(χ²_df ≥ Q), the test of no heterogeneity; null with one result (df = 0: nothing to test). */
  readonly pHeterogeneity: number | null;
  /** T², the DerSimonian–Laird estimate of the between-study variance, floored at 0. */
  readonly tauSquared: number;
  /** I² = (Q − df)/Q as a proportion from 0 to 1, floored at 0; null with one result. */
  readonly iSquared: number | null;
  /** How many results were pooled. */
  readonly studies: number;
  readonly confidence: number;
}

interface Checked {
  readonly value: number;
  readonly variance: number;
}

function checkStudies(studies: readonly StudyEffect[]): Checked[] {
  // Tested as unknown: Array.isArray would narrow a readonly array to any[].
  const given: unknown = studies;
  if (!Array.isArray(given)) throw new StatsInputError(`the studies to pool must be an array (got ${show(studies)})`);
  if (studies.length === 0) throw new StatsInputError('pooling needs at least one study (got none)');
  return studies.map((study, index) => {
    if (typeof study !== 'object' || study === null) {
      throw new StatsInputError(`studies[${index}] must be an object with a value and a standardError (got ${show(study)})`);
    }
    const { value, standardError } = study;
    requireFinite(value, `studies[${index}].value`);
    if (typeof standardError !== 'number' || !Number.isFinite(standardError) || standardError <= 0) {
      throw new StatsInputError(`studies[${index}].standardError must be a finite number greater than 0 (got ${show(standardError)})`);
    }
    const variance = standardError * standardError;
    if (variance === 0 || !Number.isFinite(variance)) {
      throw new StatsInputError(`studies[${index}].standardError is too ${variance === 0 ? 'small' : 'large'} to weight by (got ${show(standardError)})`);
    }
    return { value, variance };
  });
}

/** The inverse-variance weighted mean of `values`, kept within their range against rounding. */
function weightedMean(values: readonly number[], weights: readonly number[]): { value: number; sumWeights: number } {
  let sumWeights = 0;
  let sum = 0;
  let smallest = Infinity;
  let largest = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const w = weights[i] as number;
    sumWeights += w;
    sum += w * v;
    if (v < smallest) smallest = v;
    if (v > largest) largest = v;
  }
  return { value: Math.min(largest, Math.max(smallest, sum / sumWeights)), sumWeights };
}

function estimate(value: number, standardError: number, z: number): PooledEstimate {
  return { value, lower: value - z * standardError, upper: value + z * standardError, standardError };
}

/**
 * Pools an item's results (studies or subgroups, each an effect size with its standard error) and
 * measures how much they disagree. With yᵢ the effects, vᵢ = SEᵢ² and k results:
 *
 *   fixed effect:  wᵢ = 1/vᵢ,   M = Σwᵢyᵢ / Σwᵢ,   SE(M) = √(1/Σwᵢ);
 *   heterogeneity: Q = Σwᵢ(yᵢ − M)²,   df = k − 1,   p = P(χ²_df ≥ Q),
 *                  C = Σwᵢ − Σwᵢ²/Σwᵢ,   T² = max(0, (Q − df)/C),   I² = max(0, (Q − df)/Q);
 *   random effects (DerSimonian–Laird): wᵢ* = 1/(vᵢ + T²),   M* = Σwᵢ*yᵢ / Σwᵢ*,   SE(M*) = √(1/Σwᵢ*);
 *   limits = estimate ∓ z_{1−α/2} × SE.
 *
 * With one result both estimates are that result, Q = 0, df = 0, T² = 0, and I² and p are null.
 * The results are summed in a fixed order (by value, then standard error), so the order they are
 * given in does not change the answer even in the last digit.
 *
 * References: Borenstein M, Hedges LV, Higgins JPT, Rothstein HR. Introduction to meta-analysis.
 * Wiley; 2009, chapters 11–12 (fixed- and random-effects models) and 16 (Q, T², I²); DerSimonian R,
 * Laird N. Meta-analysis in clinical trials. Controlled Clinical Trials 1986;7(3):177–188; Higgins JPT,
 * Thompson SG. Quantifying heterogeneity in a meta-analysis. Statistics in Medicine
 * 2002;21(11):1539–1558.
 *
 * @throws {StatsInputError} when there are no studies, a study's value is not a finite number, a
 *   study's standardError is not a finite number greater than 0 (the message names studies[i] and the
 *   field), or the confidence is outside (0, 1)
 * @example poolEffects([{ value: 0.2, standardError: 0.1 }, { value: 0.6, standardError: 0.1 }])
 *   // { fixed: { value: 0.4, … }, q: 8, df: 1, tauSquared: 0.07, iSquared: 0.875, … }
 */
export function poolEffects(studies: readonly StudyEffect[], options: ConfidenceOptions = {}): PooledEffect {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const z = twoSidedZ(confidence);
  const checked = checkStudies(studies).sort((a, b) => a.value - b.value || a.variance - b.variance);
  const k = checked.length;
  const values = checked.map((s) => s.value);
  const weights = checked.map((s) => 1 / s.variance);

  const fixedMean = weightedMean(values, weights);
  const fixed = estimate(fixedMean.value, Math.sqrt(1 / fixedMean.sumWeights), z);
  const df = k - 1;
  if (df === 0) {
    return { fixed, random: fixed, q: 0, df: 0, pHeterogeneity: null, tauSquared: 0, iSquared: null, studies: 1, confidence };
  }

  let q = 0;
  let sumSquaredWeights = 0;
  for (let i = 0; i < k; i++) {
    const w = weights[i] as number;
    const deviation = (values[i] as number) - fixed.value;
    q += w * deviation * deviation;
    sumSquaredWeights += w * w;
  }
  const c = fixedMean.sumWeights - sumSquaredWeights / fixedMean.sumWeights;
  const tauSquared = q > df && c > 0 ? (q - df) / c : 0;
  const iSquared = q > df ? (q - df) / q : 0;

  const randomWeights = tauSquared === 0 ? weights : checked.map((s) => 1 / (s.variance + tauSquared));
  const randomMean = weightedMean(values, randomWeights);
  const random = estimate(randomMean.value, Math.sqrt(1 / randomMean.sumWeights), z);

  return { fixed, random, q, df, pHeterogeneity: chiSquareUpperTail(q, df), tauSquared, iSquared, studies: k, confidence };
}

/**
 * The standard error behind a result reported only as an estimate with a symmetric interval:
 * SE = (upper − lower) / (2 z), z = z_{1−α/2} the two-sided normal quantile of the interval's
 * confidence (1.959964… for 95%).
 *
 * Reference: Altman DG, Bland JM. How to obtain the confidence interval from a P value. BMJ
 * 2011;343:d2090; Higgins JPT, Thomas J, et al. (eds). Cochrane Handbook for Systematic Reviews of
 * Interventions, version 6, §6.3.1 (obtaining standard errors from confidence intervals).
 *
 * Unlike {@link standardErrorFromLimits} (which gives undefined for a missing limit or an interval of
 * no width), every input here must be present and the interval must have width, since the result is
 * used as a weight.
 *
 * @throws {StatsInputError} when a limit is not a finite number, upper ≤ lower, or the confidence is
 *   outside (0, 1)
 * @example standardErrorFromInterval(0.1, 0.5) // 0.10204…
 */
export function standardErrorFromInterval(lower: number, upper: number, confidence = 0.95): number {
  requireConfidence(confidence);
  requireFinite(lower, "an interval's lower limit");
  requireFinite(upper, "an interval's upper limit");
  if (!(upper > lower)) {
    throw new StatsInputError(`an interval's upper limit must be above its lower limit (got ${show(lower)} to ${show(upper)})`);
  }
  return (upper - lower) / (2 * twoSidedZ(confidence));
}
