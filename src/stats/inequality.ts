import type { Estimate } from './interval.js';
import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireConfidence, requireFinite, show } from './errors.js';
import { twoSidedZ } from './normal-quantile.js';
import { createRandom } from './random.js';

/** One quantile of a deprivation scale (e.g. an IDACI decile), ordered from most to least deprived. */
export interface QuantileValue {
  /** The quantile's population (denominator); must be greater than 0. */
  readonly population: number;
  /** The indicator's value in this quantile. */
  readonly value: MaybeNumber;
  /** The value's standard error on the modelling scale (log for rates, logit for proportions). */
  readonly standardError?: MaybeNumber;
  /** The value's lower confidence limit (at `intervalConfidence`, default 95%), used when no standard error is given. */
  readonly lower?: MaybeNumber;
  /** The value's upper confidence limit. */
  readonly upper?: MaybeNumber;
}

/** Options for {@link slopeIndexOfInequality}. */
export interface InequalityOptions {
  /** 'normal' (default): values used as they are; 'rate': modelled on the log scale; 'proportion' (0–1): logit scale. */
  readonly valueType?: 'normal' | 'rate' | 'proportion';
  /** Confidence level of the SII and RII intervals; default 0.95. */
  readonly confidence?: number;
  /** Confidence level of the supplied lower/upper limits; default 0.95 (PHE hard-codes 95%). */
  readonly intervalConfidence?: number;
  /** Scale for the SII (e.g. 100 for percentage points); a negative multiplier also inverts the RII (PHE). Default 1. */
  readonly multiplier?: number;
  /** 'simulation' (default; PHE's method, seeded) or 'analytic' (delta method, deterministic). */
  readonly method?: 'simulation' | 'analytic';
  /** Simulation draws; default 100,000; at least 1,000. */
  readonly repetitions?: number;
  /** Seed for the simulation; default 1. */
  readonly seed?: number;
}

/** The slope and relative indices of inequality with their intervals. */
export interface InequalityResult {
  readonly sii: Estimate;
  readonly rii: Estimate;
  /** Fitted value at the most deprived end of the scale (relative rank 0), before the multiplier. */
  readonly intercept: number | null;
  /** Each quantile's relative rank: the midpoint of its band of the cumulative population share. */
  readonly relativeRanks: readonly number[];
  readonly confidence: number;
  readonly method: 'simulation' | 'analytic';
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const missingEstimate: Estimate = { value: null, lower: null, upper: null };

/**
 * The slope index of inequality (SII) and relative index of inequality (RII) across an ordered scale of
 * deprivation quantiles, by the PHE method.
 *
 * Each quantile i has population share aᵢ and relative rank bᵢ (the midpoint of its band of the
 * cumulative population, so b₁ = a₁/2, b₂ = a₁ + a₂/2, ...). The weighted regression yᵢ√aᵢ = β₀√aᵢ +
 * β₁bᵢ√aᵢ (no other intercept) — least squares of y on b with weights a — gives SII = multiplier × β₁
 * (the fitted difference between the least and most deprived ends, b = 1 and b = 0) and
 * RII = (β₀ + β₁)/β₀ (inverted when the multiplier is negative).
 *
 * Intervals:
 * - 'simulation' (default, as PHEindicatormethods `phe_sii`): each repetition draws every quantile's
 *   value from N(value, SE) on the modelling scale (log for rates, logit for proportions), transforms back,
 *   refits, and the limits are the sorted draws at positions round(R × α/2) and round(R × (1 − α/2))
 *   (1-based, R's round-half-even). The generator is seeded ({@link createRandom}), so results repeat exactly;
 *   they differ from R's only by Monte Carlo error.
 * - 'analytic': β is linear in y, so Var(β₁) = Σ w₁ᵢ² Var(yᵢ) with Var(yᵢ) = SEᵢ² × (dy/dη)² (1, y, or
 *   y(1 − y)); limits SII ∓ z √Var; the RII by the delta method.
 *
 * Standard errors come from `standardError`, or from the limits as (g(U) − g(L))/(2 z₀.₉₇₅), g the
 * modelling-scale transform.
 *
 * Reference: Low A, Low A. Measuring the gap: quantifying and comparing local health inequalities.
 * Journal of Public Health 2004;26(4):388–395; Office for Health Improvement and Disparities. Public Health
 * Technical Guidance: Slope index of inequality (PHEindicatormethods `phe_sii`).
 *
 * A missing value (or missing limits and standard error) in any quantile gives missing results.
 *
 * @param quantiles ordered from most deprived to least deprived; between 5 and 100 of them (PHE's rule)
 * @throws {StatsInputError} for fewer than 5 or more than 100 quantiles, a population not above 0, a
 *   negative standard error, a proportion outside (0, 1), a rate not above 0, or invalid options
 * @example slopeIndexOfInequality(deciles, { method: 'analytic' }).sii // { value, lower, upper }
 */
export function slopeIndexOfInequality(quantiles: readonly QuantileValue[], options: InequalityOptions = {}): InequalityResult {
  const valueType = options.valueType ?? 'normal';
  const confidence = options.confidence ?? 0.95;
  const intervalConfidence = options.intervalConfidence ?? 0.95;
  const multiplier = options.multiplier ?? 1;
  const method = options.method ?? 'simulation';
  const repetitions = options.repetitions ?? 100_000;
  const seed = options.seed ?? 1;
  requireConfidence(confidence);
  requireConfidence(intervalConfidence);
  requireFinite(multiplier, 'a multiplier');
  if (multiplier === 0) throw new StatsInputError('a multiplier must not be 0');
  if (valueType !== 'normal' && valueType !== 'rate' && valueType !== 'proportion') {
    throw new StatsInputError(`valueType must be 'normal', 'rate' or 'proportion' (got ${show(valueType)})`);
  }
  if (method !== 'simulation' && method !== 'analytic') {
    throw new StatsInputError(`method must be 'simulation' or 'analytic' (got ${show(method)})`);
  }
  if (method === 'simulation' && (!Number.isInteger(repetitions) || repetitions < 1000)) {
    throw new StatsInputError(`the simulation needs a whole number of at least 1000 repetitions (got ${show(repetitions)})`);
  }
  const k = quantiles.length;
  if (k < 5 || k > 100) throw new StatsInputError(`an SII needs between 5 and 100 quantiles (got ${k})`);

  let totalPopulation = 0;
  for (const [i, q] of quantiles.entries()) {
    requireFinite(q.population, `quantile ${i + 1}'s population`);
    if (q.population <= 0) throw new StatsInputError(`quantile ${i + 1}'s population must be greater than 0 (got ${show(q.population)})`);
    totalPopulation += q.population;
  }
  const a = new Float64Array(k);
  const b = new Float64Array(k);
  let cumulative = 0;
  for (let i = 0; i < k; i++) {
    const share = (quantiles[i] as QuantileValue).population / totalPopulation;
    a[i] = share;
    b[i] = cumulative + share / 2;
    cumulative += share;
  }
  const relativeRanks = Array.from(b);
  const missingResult: InequalityResult = { sii: missingEstimate, rii: missingEstimate, intercept: null, relativeRanks, confidence, method };

  // Transform, standard errors.
  const forward = (y: number): number => (valueType === 'rate' ? Math.log(y) : valueType === 'proportion' ? Math.log(y / (1 - y)) : y);
  const y = new Float64Array(k);
  const eta = new Float64Array(k);
  const se = new Float64Array(k);
  const zInterval = twoSidedZ(intervalConfidence);
  for (let i = 0; i < k; i++) {
    const q = quantiles[i] as QuantileValue;
    if (isMissing(q.value)) return missingResult;
    const v = q.value;
    requireFinite(v, `quantile ${i + 1}'s value`);
    if (valueType === 'rate' && v <= 0) throw new StatsInputError(`a rate must be greater than 0 for the log scale (quantile ${i + 1} got ${show(v)})`);
    if (valueType === 'proportion' && (v <= 0 || v >= 1)) {
      throw new StatsInputError(`a proportion must be strictly between 0 and 1 for the logit scale (quantile ${i + 1} got ${show(v)})`);
    }
    y[i] = v;
    eta[i] = forward(v);
    if (!isMissing(q.standardError)) {
      const s = q.standardError;
      if (!(s >= 0) || !Number.isFinite(s)) throw new StatsInputError(`quantile ${i + 1}'s standard error must be a finite number ≥ 0 (got ${show(s)})`);
      se[i] = s;
    } else if (!isMissing(q.lower) && !isMissing(q.upper)) {
      if (q.lower > q.upper) throw new StatsInputError(`quantile ${i + 1}'s lower limit exceeds its upper limit`);
      se[i] = (forward(q.upper) - forward(q.lower)) / (2 * zInterval);
      if (!Number.isFinite(se[i])) {
        throw new StatsInputError(`quantile ${i + 1}'s limits cannot be transformed to the ${valueType === 'rate' ? 'log' : 'logit'} scale`);
      }
    } else {
      return missingResult;
    }
  }

  // Weighted least squares weights: β₀ = Σ w0ᵢ yᵢ, β₁ = Σ w1ᵢ yᵢ.
  let bBar = 0;
  for (let i = 0; i < k; i++) bBar += (a[i] as number) * (b[i] as number);
  let sbb = 0;
  for (let i = 0; i < k; i++) sbb += (a[i] as number) * ((b[i] as number) - bBar) ** 2;
  const w1 = new Float64Array(k);
  const w0 = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    w1[i] = ((a[i] as number) * ((b[i] as number) - bBar)) / sbb;
    w0[i] = (a[i] as number) - bBar * (w1[i] as number);
  }
  const fit = (values: Float64Array): [number, number] => {
    let b0 = 0;
    let b1 = 0;
    for (let i = 0; i < k; i++) {
      b0 += (w0[i] as number) * (values[i] as number);
      b1 += (w1[i] as number) * (values[i] as number);
    }
    return [b0, b1];
  };
  const toRii = (b0: number, b1: number): number => {
    const r = (b0 + b1) / b0;
    return multiplier < 0 ? 1 / r : r;
  };
  const [beta0, beta1] = fit(y);
  const siiValue = multiplier * beta1;
  const riiValue = toRii(beta0, beta1);
  const z = twoSidedZ(confidence);

  if (method === 'analytic') {
    let varSlope = 0;
    let varRii = 0;
    for (let i = 0; i < k; i++) {
      const yi = y[i] as number;
      const derivative = valueType === 'rate' ? yi : valueType === 'proportion' ? yi * (1 - yi) : 1;
      const variance = ((se[i] as number) * derivative) ** 2;
      varSlope += (w1[i] as number) ** 2 * variance;
      const gradient = (w1[i] as number) / beta0 - ((w0[i] as number) * beta1) / (beta0 * beta0);
      varRii += gradient * gradient * variance;
    }
    const siiHalf = Math.abs(multiplier) * z * Math.sqrt(varSlope);
    const rawRii = (beta0 + beta1) / beta0;
    const riiHalf = z * Math.sqrt(varRii);
    const riiLow = rawRii - riiHalf;
    const riiHigh = rawRii + riiHalf;
    const rii: Estimate =
      multiplier < 0 ? { value: riiValue, lower: 1 / riiHigh, upper: 1 / riiLow } : { value: riiValue, lower: riiLow, upper: riiHigh };
    return {
      sii: { value: siiValue, lower: siiValue - siiHalf, upper: siiValue + siiHalf },
      rii,
      intercept: beta0,
      relativeRanks,
      confidence,
      method,
    };
  }

  const random = createRandom(seed);
  const siiDraws = new Float64Array(repetitions);
  const riiDraws = new Float64Array(repetitions);
  const draw = new Float64Array(k);
  for (let r = 0; r < repetitions; r++) {
    for (let i = 0; i < k; i++) {
      const e = (eta[i] as number) + (se[i] as number) * random.normal();
      draw[i] = valueType === 'rate' ? Math.exp(e) : valueType === 'proportion' ? 1 / (1 + Math.exp(-e)) : e;
    }
    const [d0, d1] = fit(draw);
    siiDraws[r] = multiplier * d1;
    riiDraws[r] = toRii(d0, d1);
  }
  siiDraws.sort();
  riiDraws.sort();
  const critical = confidence + (1 - confidence) / 2;
  const lowerIndex = Math.min(repetitions, Math.max(1, roundHalfEven(repetitions * (1 - critical)))) - 1;
  const upperIndex = Math.min(repetitions, Math.max(1, roundHalfEven(repetitions * critical))) - 1;
  return {
    sii: { value: siiValue, lower: siiDraws[lowerIndex] as number, upper: siiDraws[upperIndex] as number },
    rii: { value: riiValue, lower: riiDraws[lowerIndex] as number, upper: riiDraws[upperIndex] as number },
    intercept: beta0,
    relativeRanks,
    confidence,
    method,
  };
}
