import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireFinite, show } from './errors.js';
import { chiSquareQuantile, chiSquareUpperTail } from './chi-square.js';
import { standardErrorFromLimits } from './sums.js';

/** One point of a time series. Give numerator and denominator for proportions, value with limits otherwise. */
export interface TrendPoint {
  /** The time period as a number (e.g. 2024 for 2023/24); periods must be distinct. */
  readonly period: number;
  readonly value?: MaybeNumber;
  readonly lower?: MaybeNumber;
  readonly upper?: MaybeNumber;
  readonly numerator?: MaybeNumber;
  readonly denominator?: MaybeNumber;
}

/** Options for {@link recentTrend}. */
export interface TrendOptions {
  /** 'proportion': chi-square test for trend on numerators and denominators; 'other': inverse-variance weighted regression on values and limits. */
  readonly valueType: 'proportion' | 'other';
  /** Confidence of the significance test; default 0.998 (Fingertips: χ² > 9.5495 on 1 degree of freedom). */
  readonly significance?: number;
  /** Confidence level of the supplied limits, for the standard errors; default 0.95. */
  readonly intervalConfidence?: number;
  /** How many of the most recent points to test; default 5 (Fingertips); at least 3. */
  readonly window?: number;
}

/** The outcome of a trend test. */
export interface TrendResult {
  readonly trend: 'increasing' | 'decreasing' | 'no-significant-change' | 'not-enough-data';
  /** Fitted change per unit of period: on the values' scale (valueType 'other'), in log-odds (proportions); null when not computed. */
  readonly slope: number | null;
  readonly chiSquare: number | null;
  readonly pValue: number | null;
  /** The χ² (1 df) critical value at the significance level. */
  readonly threshold: number;
  /** Why the trend is what it is. */
  readonly reason: string;
  /** The periods tested. */
  readonly periods: readonly number[];
}

interface Fit {
  slope: number;
  intercept: number;
  chiSquare: number;
  /** A point whose proportion is 0 or 1: the log-odds direction cannot be worked out (proportions only). */
  undefinedAt?: number;
}

/** Armitage's chi-square for trend in proportions (Cochran–Armitage), scores = periods; PHE's significance test. */
function armitageChiSquare(t: readonly number[], r: readonly number[], n: readonly number[]): number | null {
  let total = 0;
  let events = 0;
  let tSum = 0;
  for (let i = 0; i < t.length; i++) {
    total += n[i] as number;
    events += r[i] as number;
    tSum += (n[i] as number) * (t[i] as number);
  }
  const tBar = tSum / total;
  const pBar = events / total;
  let stt = 0;
  let spt = 0;
  for (let i = 0; i < t.length; i++) {
    const dt = (t[i] as number) - tBar;
    stt += (n[i] as number) * dt * dt;
    spt += (r[i] as number) * dt;
  }
  if (stt === 0) return null;
  const variance = pBar * (1 - pBar);
  return variance > 0 ? (spt * spt) / stt / variance : 0;
}

/** Ordinary (unweighted) least squares of y on t: PHE's direction of a proportion's trend, on the log-odds. */
function ordinaryTrend(t: readonly number[], y: readonly number[]): { slope: number; intercept: number } | null {
  const tBar = t.reduce((total, value) => total + value, 0) / t.length;
  const yBar = y.reduce((total, value) => total + value, 0) / y.length;
  let stt = 0;
  let sty = 0;
  for (let i = 0; i < t.length; i++) {
    const dt = (t[i] as number) - tBar;
    stt += dt * dt;
    sty += dt * ((y[i] as number) - yBar);
  }
  if (stt === 0) return null;
  const slope = sty / stt;
  return { slope, intercept: yBar - slope * tBar };
}

/** The log-odds of each proportion, or the index of the first that is 0 or 1 (whose log-odds is infinite). */
function logOdds(r: readonly number[], n: readonly number[]): number[] | { infiniteAt: number } {
  const values: number[] = [];
  for (let i = 0; i < r.length; i++) {
    const p = (r[i] as number) / (n[i] as number);
    if (p <= 0 || p >= 1) return { infiniteAt: i };
    values.push(Math.log(p / (1 - p)));
  }
  return values;
}

/** PHE's proportion trend: direction from the OLS slope of logit(p) on t, significance from Armitage's χ². */
function proportionTrend(t: readonly number[], r: readonly number[], n: readonly number[]): Fit | null {
  const chiSquare = armitageChiSquare(t, r, n);
  if (chiSquare === null) return null;
  const logits = logOdds(r, n);
  if (!Array.isArray(logits)) return { slope: NaN, intercept: NaN, chiSquare, undefinedAt: logits.infiniteAt };
  const fit = ordinaryTrend(t, logits);
  return fit === null ? null : { ...fit, chiSquare };
}

/** Inverse-variance weighted least squares of y on t; χ² = β̂² / Var(β̂). */
function weightedTrend(t: readonly number[], y: readonly number[], w: readonly number[]): Fit | null {
  let sw = 0;
  let swt = 0;
  let swy = 0;
  for (let i = 0; i < t.length; i++) {
    sw += w[i] as number;
    swt += (w[i] as number) * (t[i] as number);
    swy += (w[i] as number) * (y[i] as number);
  }
  const tBar = swt / sw;
  const yBar = swy / sw;
  let stt = 0;
  let sty = 0;
  for (let i = 0; i < t.length; i++) {
    const dt = (t[i] as number) - tBar;
    stt += (w[i] as number) * dt * dt;
    sty += (w[i] as number) * dt * ((y[i] as number) - yBar);
  }
  if (stt === 0) return null;
  const slope = sty / stt;
  return { slope, intercept: yBar - slope * tBar, chiSquare: slope * slope * stt };
}

function without<T>(values: readonly T[], index: number): T[] {
  return values.filter((_, i) => i !== index);
}

interface PreparedSeries {
  periods: number[];
  fitAll: (drop?: number) => Fit | null;
  reasonIfNotReady: string | null;
}

function prepare(points: readonly TrendPoint[], valueType: 'proportion' | 'other', window: number, intervalConfidence: number): PreparedSeries {
  const sorted = [...points].sort((p, q) => p.period - q.period);
  for (const [i, p] of sorted.entries()) {
    requireFinite(p.period, 'a period');
    if (i > 0 && (sorted[i - 1] as TrendPoint).period === p.period) {
      throw new StatsInputError(`a trend needs distinct periods (got ${show(p.period)} twice)`);
    }
  }
  const recent = sorted.slice(-window);
  const periods = recent.map((p) => p.period);
  const none: PreparedSeries = { periods, fitAll: () => null, reasonIfNotReady: null };
  if (recent.length < window) return { ...none, reasonIfNotReady: `fewer than ${window} points` };
  if (valueType === 'proportion') {
    const r: number[] = [];
    const n: number[] = [];
    for (const p of recent) {
      if (isMissing(p.numerator) || isMissing(p.denominator)) return { ...none, reasonIfNotReady: 'missing values' };
      if (p.numerator < 0 || p.denominator <= 0 || p.numerator > p.denominator) {
        throw new StatsInputError(`a proportion's counts must satisfy 0 ≤ numerator ≤ denominator, denominator > 0 (period ${show(p.period)} got ${show(p.numerator)} out of ${show(p.denominator)})`);
      }
      r.push(p.numerator);
      n.push(p.denominator);
    }
    return {
      periods,
      reasonIfNotReady: null,
      fitAll: (drop) => (drop === undefined ? proportionTrend(periods, r, n) : proportionTrend(without(periods, drop), without(r, drop), without(n, drop))),
    };
  }
  const y: number[] = [];
  const w: number[] = [];
  for (const p of recent) {
    if (isMissing(p.value)) return { ...none, reasonIfNotReady: 'missing values' };
    if (isMissing(p.lower) || isMissing(p.upper)) return { ...none, reasonIfNotReady: 'missing confidence limits' };
    if (!(p.upper > p.lower) || !Number.isFinite(p.upper - p.lower)) {
      throw new StatsInputError(`a trend needs each upper limit above its lower limit (period ${show(p.period)} got ${show(p.lower)} to ${show(p.upper)})`);
    }
    const se = standardErrorFromLimits(p.lower, p.upper, intervalConfidence) as number;
    y.push(p.value);
    w.push(1 / (se * se));
  }
  return {
    periods,
    reasonIfNotReady: null,
    fitAll: (drop) => (drop === undefined ? weightedTrend(periods, y, w) : weightedTrend(without(periods, drop), without(y, drop), without(w, drop))),
  };
}

function testTrend(points: readonly TrendPoint[], options: TrendOptions): TrendResult & { fit: Fit | null } {
  const significance = options.significance ?? 0.998;
  const intervalConfidence = options.intervalConfidence ?? 0.95;
  const window = options.window ?? 5;
  requireConfidence(significance);
  requireConfidence(intervalConfidence);
  if (options.valueType !== 'proportion' && options.valueType !== 'other') {
    throw new StatsInputError(`valueType must be 'proportion' or 'other' (got ${show(options.valueType)})`);
  }
  if (!Number.isInteger(window) || window < 3) throw new StatsInputError(`a trend window must be a whole number of at least 3 (got ${show(window)})`);
  const threshold = chiSquareQuantile(significance, 1);
  const series = prepare(points, options.valueType, window, intervalConfidence);
  const blank = { slope: null, chiSquare: null, pValue: null, threshold, periods: series.periods, fit: null };
  if (series.reasonIfNotReady !== null) return { trend: 'not-enough-data', reason: series.reasonIfNotReady, ...blank };
  const fit = series.fitAll();
  if (fit === null) return { trend: 'no-significant-change', reason: 'no variation in period', ...blank };
  const stats = { slope: Number.isNaN(fit.slope) ? null : fit.slope, chiSquare: fit.chiSquare, pValue: chiSquareUpperTail(fit.chiSquare, 1), threshold, periods: series.periods, fit };
  if (!(fit.chiSquare > threshold)) {
    return { trend: 'no-significant-change', reason: `χ² ${fit.chiSquare.toFixed(4)} is not above ${threshold.toFixed(4)}`, ...stats };
  }
  if (fit.undefinedAt !== undefined) {
    // PHE computes the direction as the slope of log-odds, which a proportion of 0 or 1 makes infinite (R then stops with an error).
    const period = series.periods[fit.undefinedAt];
    return { trend: 'not-enough-data', reason: `cannot be calculated: the proportion in period ${period} is 0 or 1, whose log-odds (from which the direction is taken) is infinite`, ...stats, slope: null };
  }
  const sign = Math.sign(fit.slope);
  for (let i = 0; i < series.periods.length; i++) {
    const partial = series.fitAll(i);
    if (partial === null || partial.undefinedAt !== undefined || Math.sign(partial.slope) !== sign) {
      return { trend: 'no-significant-change', reason: `the slope changes sign without period ${series.periods[i]} (an outlier)`, ...stats };
    }
  }
  return { trend: sign > 0 ? 'increasing' : 'decreasing', reason: 'significant trend, stable without any one point', ...stats };
}

/**
 * The recent trend of a series, by the Fingertips trend-marker method: the most recent five points
 * (option `window`), a significance test at 99.8% (χ² on 1 degree of freedom above 9.5495), and a check
 * that the slope keeps its sign when each point in turn is left out (otherwise "no significant change":
 * an outlier drives the trend).
 *
 * - Proportions (valueType 'proportion', numerators rᵢ out of nᵢ at periods tᵢ), as PHEindicatormethods
 *   `assign_trend_markers` computes them (`calculate_trend_logistic_regression`): the *significance* is
 *   Armitage's chi-square for trend, with N = Σnᵢ, p̄ = Σrᵢ/N, t̄ = Σnᵢtᵢ/N,
 *   χ² = (Σrᵢ(tᵢ − t̄))² / (Σnᵢ(tᵢ − t̄)² · p̄(1 − p̄)) (PHE writes it as N(NΣrt − ΣrΣnt)² / (R(N − R)(NΣnt² − (Σnt)²)));
 *   the *direction*, in the full window and with each point left out, is the sign of the unweighted
 *   least-squares slope of the log-odds yᵢ = ln(pᵢ/(1 − pᵢ)) on tᵢ:  β̂ = Σ(tᵢ − t̄ᵤ)(yᵢ − ȳ) / Σ(tᵢ − t̄ᵤ)²
 *   (t̄ᵤ, ȳ unweighted means). `slope` is that β̂ (change in log-odds per period). A proportion of 0 or 1
 *   has no finite log-odds: with a significant χ² the trend then "cannot be calculated" ('not-enough-data',
 *   where R stops with an error).
 * - Other indicator types (valueType 'other', value yᵢ with limits): weighted least squares with
 *   wᵢ = 1/SEᵢ², SEᵢ = (Uᵢ − Lᵢ)/(2 × 1.959964) (for 95% limits; {@link standardErrorFromLimits}):
 *   β̂ = Σwᵢ(tᵢ − t̄_w)(yᵢ − ȳ_w) / Σwᵢ(tᵢ − t̄_w)²,   χ² = β̂² Σwᵢ(tᵢ − t̄_w)².
 *
 * The actual period values are used, so unequal spacing is handled (Fingertips itself only tests equally
 * spaced annual series). The threshold is computed exactly, χ²₀.₉₉₈(1) = 9.549535…, where PHEindicatormethods
 * writes 9.5495.
 *
 * Reference: Office for Health Improvement and Disparities. Fingertips trend markers (Public Health
 * Technical Guidance); PHEindicatormethods `assign_trend_markers`; Armitage P. Tests for linear trends in
 * proportions and frequencies. Biometrics 1955;11(3):375–386; Altman DG. Practical statistics for medical
 * research. Chapman & Hall; 1991, §10.7.4.
 *
 * @returns 'not-enough-data' when fewer than `window` points are given or one of the recent points lacks a
 *   value, limits or counts (Fingertips: "cannot be calculated")
 * @throws {StatsInputError} for duplicate periods, invalid counts or limits, or invalid options
 * @example recentTrend(series, { valueType: 'proportion' }).trend // 'decreasing'
 */
export function recentTrend(points: readonly TrendPoint[], options: TrendOptions): TrendResult {
  const { fit: _fit, ...result } = testTrend(points, options);
  return result;
}

/** One point of a gap series: the gap and its confidence interval (e.g. from {@link proportionDifference}). */
export interface GapPoint {
  readonly period: number;
  readonly value: MaybeNumber;
  readonly lower: MaybeNumber;
  readonly upper: MaybeNumber;
}

/** The outcome of {@link gapTrend}. */
export interface GapTrendResult {
  readonly trend: 'narrowing' | 'widening' | 'no-significant-change' | 'not-enough-data';
  readonly slope: number | null;
  readonly chiSquare: number | null;
  readonly pValue: number | null;
  readonly threshold: number;
  /** Fitted gap at the first and last period of the window. */
  readonly fittedStart: number | null;
  readonly fittedEnd: number | null;
  /** True when the fitted line crosses zero inside the window (the gap reversed). */
  readonly reversed: boolean;
  readonly reason: string;
  readonly periods: readonly number[];
}

/**
 * Whether a gap is narrowing or widening: the Fingertips weighted-regression trend test (as
 * {@link recentTrend} with valueType 'other') applied to the signed gap series and its intervals, then
 * read against zero. With a significant, outlier-stable slope, the fitted gap at the first and last
 * period of the window are compared: 'narrowing' when |fitted end| < |fitted start| (the gap moves toward
 * zero, even if it crosses it), 'widening' when it is larger. Without a significant slope the result is
 * 'no-significant-change'.
 *
 * Reference: as {@link recentTrend} (Fingertips trend markers, which list "gap" among the indicator types
 * tested by weighted regression).
 *
 * @throws {StatsInputError} for duplicate periods, invalid limits or invalid options
 * @example gapTrend(gaps).trend // 'narrowing'
 */
export function gapTrend(points: readonly GapPoint[], options: Omit<TrendOptions, 'valueType'> = {}): GapTrendResult {
  const tested = testTrend(points, { ...options, valueType: 'other' });
  const base = {
    slope: tested.slope,
    chiSquare: tested.chiSquare,
    pValue: tested.pValue,
    threshold: tested.threshold,
    periods: tested.periods,
    reason: tested.reason,
  };
  const fit = tested.fit;
  if (fit === null || tested.periods.length === 0) {
    return { trend: tested.trend === 'not-enough-data' ? 'not-enough-data' : 'no-significant-change', fittedStart: null, fittedEnd: null, reversed: false, ...base };
  }
  const first = tested.periods[0] as number;
  const last = tested.periods[tested.periods.length - 1] as number;
  const fittedStart = fit.intercept + fit.slope * first;
  const fittedEnd = fit.intercept + fit.slope * last;
  const reversed = Math.sign(fittedStart) * Math.sign(fittedEnd) < 0;
  if (tested.trend !== 'increasing' && tested.trend !== 'decreasing') {
    return { trend: 'no-significant-change', fittedStart, fittedEnd, reversed, ...base };
  }
  const trend = Math.abs(fittedEnd) < Math.abs(fittedStart) ? 'narrowing' : Math.abs(fittedEnd) > Math.abs(fittedStart) ? 'widening' : 'no-significant-change';
  return { trend, fittedStart, fittedEnd, reversed, ...base };
}
