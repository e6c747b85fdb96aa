import type { ConfidenceOptions } from './interval.js';
import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireFinite, show } from './errors.js';
import { studentTQuantile } from './student-t.js';

/** One observed point for a forecast. */
export interface ForecastPoint {
  readonly period: number;
  readonly value: MaybeNumber;
  /** Relative weight (e.g. 1/SE²); default 1. Only ratios between weights matter. */
  readonly weight?: MaybeNumber;
}

/** A forecast for one future period. */
export interface ForecastResult {
  readonly period: number;
  readonly value: number | null;
  /** Prediction interval: where the observed value for that period is expected to fall. */
  readonly lower: number | null;
  readonly upper: number | null;
  /** Confidence interval for the fitted line itself at that period. */
  readonly lineLower: number | null;
  readonly lineUpper: number | null;
}

/** A straight-line fit with what forecasts need. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Residual variance for a point of weight 1. */
  readonly residualVariance: number;
  readonly degreesOfFreedom: number;
  readonly count: number;
}

/**
 * Linear extrapolation of a series with prediction intervals, for turn-the-curve baselines ("where will
 * this go if nothing changes?").
 *
 * Weighted least squares of value on period with weights wᵢ (default 1, i.e. ordinary least squares):
 *   β̂₁ = Σwᵢ(tᵢ − t̄)(yᵢ − ȳ)/Sₜₜ, Sₜₜ = Σwᵢ(tᵢ − t̄)², β̂₀ = ȳ − β̂₁t̄ (t̄, ȳ weighted means),
 *   s² = Σwᵢ(yᵢ − ŷᵢ)²/(n − 2).
 * At a future period t₀, ŷ₀ = β̂₀ + β̂₁t₀ and
 *   line interval:        ŷ₀ ∓ t_{1−α/2, n−2} s √(1/Σwᵢ + (t₀ − t̄)²/Sₜₜ)
 *   prediction interval:  ŷ₀ ∓ t_{1−α/2, n−2} s √(1/w₀ + 1/Σwᵢ + (t₀ − t̄)²/Sₜₜ)
 * where w₀ is the weight of the latest observed point (a future observation is assumed as precise as the
 * latest one). With unit weights these are the textbook intervals.
 *
 * Reference: Draper NR, Smith H. Applied regression analysis (3rd edn). Wiley; 1998, §1.4 (intervals for
 * a future observation) and §9.2 (weighted least squares).
 *
 * Missing values are skipped; with fewer than 3 present points every forecast is missing.
 *
 * @param horizons the future periods to forecast, e.g. [2026, 2027, 2028]
 * @throws {StatsInputError} for duplicate or non-finite periods, negative or zero weights, or a
 *   confidence outside (0, 1)
 * @example forecastLinear(series, [2026, 2027]) // [{ period: 2026, value, lower, upper, … }, …]
 */
export function forecastLinear(points: readonly ForecastPoint[], horizons: readonly number[], options: ConfidenceOptions = {}): ForecastResult[] {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  for (const h of horizons) requireFinite(h, 'a forecast period');
  const fit = fitLine(points);
  if (fit === null) return horizons.map((period) => ({ period, value: null, lower: null, upper: null, lineLower: null, lineUpper: null }));
  const t = studentTQuantile(1 - (1 - confidence) / 2, fit.degreesOfFreedom);
  const s = Math.sqrt(fit.residualVariance);
  return horizons.map((period) => {
    const value = fit.intercept + fit.slope * period;
    const dt = period - fit.meanPeriod;
    const lineSe = s * Math.sqrt(1 / fit.totalWeight + (dt * dt) / fit.stt);
    const predictionSe = s * Math.sqrt(1 / fit.latestWeight + 1 / fit.totalWeight + (dt * dt) / fit.stt);
    return { period, value, lower: value - t * predictionSe, upper: value + t * predictionSe, lineLower: value - t * lineSe, lineUpper: value + t * lineSe };
  });
}

interface InternalFit extends LinearFit {
  meanPeriod: number;
  stt: number;
  totalWeight: number;
  latestWeight: number;
}

function fitLine(points: readonly ForecastPoint[]): InternalFit | null {
  const present = points
    .filter((p) => !isMissing(p.value))
    .map((p) => {
      requireFinite(p.period, 'a period');
      requireFinite(p.value as number, `the value for period ${show(p.period)}`);
      const w = isMissing(p.weight) ? 1 : p.weight;
      if (!(w > 0) || !Number.isFinite(w)) throw new StatsInputError(`a weight must be a finite number above 0 (period ${show(p.period)} got ${show(w)})`);
      return { t: p.period, y: p.value as number, w };
    })
    .sort((p, q) => p.t - q.t);
  for (let i = 1; i < present.length; i++) {
    if ((present[i] as { t: number }).t === (present[i - 1] as { t: number }).t) {
      throw new StatsInputError(`a forecast needs distinct periods (got ${show((present[i] as { t: number }).t)} twice)`);
    }
  }
  const n = present.length;
  if (n < 3) return null;
  let sw = 0;
  let swt = 0;
  let swy = 0;
  for (const p of present) {
    sw += p.w;
    swt += p.w * p.t;
    swy += p.w * p.y;
  }
  const meanPeriod = swt / sw;
  const meanValue = swy / sw;
  let stt = 0;
  let sty = 0;
  for (const p of present) {
    stt += p.w * (p.t - meanPeriod) ** 2;
    sty += p.w * (p.t - meanPeriod) * (p.y - meanValue);
  }
  const slope = sty / stt;
  const intercept = meanValue - slope * meanPeriod;
  let sse = 0;
  for (const p of present) sse += p.w * (p.y - intercept - slope * p.t) ** 2;
  const latest = present[n - 1] as { w: number };
  return {
    slope,
    intercept,
    residualVariance: sse / (n - 2),
    degreesOfFreedom: n - 2,
    count: n,
    meanPeriod,
    stt,
    totalWeight: sw,
    latestWeight: latest.w,
  };
}
