import { StatsInputError, show } from './errors.js';
import { incompleteBetaXY } from './beta.js';

/**
 * Binomial cumulative distribution function P(R ≤ k) for R ~ Binomial(n, p):
 * P(R ≤ k) = I_{1−p}(n − k, k + 1) for 0 ≤ k < n.
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 26.5.24.
 *
 * @param k the number of successes (any real; it is floored)
 * @param n the number of trials, a non-negative integer
 * @param p the success probability in [0, 1]
 * @throws {StatsInputError} when n is not a non-negative integer or p is outside [0, 1]
 * @example binomialCdf(2, 4, 0.5) // 11/16 = 0.6875
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new StatsInputError(`binomial trials must be a non-negative integer (got ${show(n)})`);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new StatsInputError(`a binomial probability must be between 0 and 1 (got ${show(p)})`);
  if (Number.isNaN(k)) throw new StatsInputError(`a binomial count must be a number (got ${show(k)})`);
  const r = Math.floor(k);
  if (r < 0) return 0;
  if (r >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  return incompleteBetaXY(1 - p, p, n - r, r + 1);
}
