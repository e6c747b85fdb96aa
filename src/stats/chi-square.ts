import { StatsInputError, show } from './errors.js';
import { gammaQuantile, regularizedGammaP, regularizedGammaQ } from './gamma.js';

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new StatsInputError(`a chi-square distribution needs degrees of freedom greater than 0 (got ${show(df)})`);
  }
}

/**
 * Cumulative distribution function of the chi-square distribution with `df` degrees of freedom:
 * F(x) = P(df/2, x/2), the regularized lower incomplete gamma function.
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 26.4.19.
 *
 * @throws {StatsInputError} when df ≤ 0 or x < 0
 * @example chiSquareCdf(3.841458820694124, 1) // 0.95
 */
export function chiSquareCdf(x: number, df: number): number {
  checkDf(df);
  return regularizedGammaP(df / 2, x / 2);
}

/**
 * Upper-tail probability of the chi-square distribution, 1 − F(x) = Q(df/2, x/2), computed directly
 * so that small p-values keep their precision.
 *
 * Reference: as {@link chiSquareCdf}.
 *
 * @throws {StatsInputError} when df ≤ 0 or x < 0
 * @example chiSquareUpperTail(9.549535706, 1) // ≈ 0.002
 */
export function chiSquareUpperTail(x: number, df: number): number {
  checkDf(df);
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * Quantile of the chi-square distribution with `df` degrees of freedom: 2 × the Gamma(df/2) quantile.
 * As in R's `qchisq`, zero degrees of freedom is allowed and is the point mass at 0 (its quantile is 0),
 * which is what the exact Poisson lower limit for 0 events uses.
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 26.4.19; see
 * {@link gammaQuantile} for the numerical method.
 *
 * @throws {StatsInputError} when p is outside [0, 1] or df < 0
 * @example chiSquareQuantile(0.95, 1) // 3.841458820694124
 */
export function chiSquareQuantile(p: number, df: number): number {
  if (df === 0) {
    if (typeof p !== 'number' || Number.isNaN(p) || p < 0 || p > 1) {
      throw new StatsInputError(`a chi-square quantile needs a probability between 0 and 1 (got ${show(p)})`);
    }
    return 0;
  }
  checkDf(df);
  return 2 * gammaQuantile(p, df / 2);
}
