import { StatsInputError, show } from './errors.js';
import { regularizedGammaQ } from './gamma.js';

/**
 * Standard normal cumulative distribution function Φ(x).
 *
 * Uses Φ(x) = ½ Q(½, x²/2) for x < 0 and 1 − ½ Q(½, x²/2) for x ≥ 0 (Q the regularized upper
 * incomplete gamma function), so that lower-tail probabilities keep full relative precision.
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 7.1.2 and 6.5.17.
 *
 * @throws {StatsInputError} when x is NaN
 * @example normalCdf(1.959963984540054) // 0.975
 */
export function normalCdf(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new StatsInputError(`Φ(x) needs a number (got ${show(x)})`);
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * regularizedGammaQ(0.5, (x * x) / 2);
  return x < 0 ? tail : 1 - tail;
}

/**
 * Standard normal upper-tail probability 1 − Φ(x), computed directly for x > 0.
 *
 * Reference: as {@link normalCdf}.
 *
 * @example normalUpperTail(3.090232306167813) // 0.001
 */
export function normalUpperTail(x: number): number {
  return normalCdf(-x);
}
