import { StatsInputError, show } from './errors.js';
import { incompleteBetaXY } from './beta.js';
import { logGamma } from './gamma.js';
import { normalQuantile } from './normal-quantile.js';

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new StatsInputError(`a Student t distribution needs degrees of freedom greater than 0 (got ${show(df)})`);
  }
}

/** P(T > t) for t ≥ 0: ½ I_{ν/(ν+t²)}(ν/2, ½). */
function upperTail(t: number, df: number): number {
  if (t === Infinity) return 0;
  const t2 = t * t;
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return 0.5 * incompleteBetaXY(x, y, df / 2, 0.5);
}

/**
 * Cumulative distribution function of Student's t distribution with `df` (possibly non-integer)
 * degrees of freedom: for t ≥ 0, F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½), and F(−t) = 1 − F(t).
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 26.7.1 and 26.5.27.
 *
 * @throws {StatsInputError} when df ≤ 0 or t is NaN
 * @example studentTCdf(2.7764451051977987, 4) // 0.975
 */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new StatsInputError(`a Student t CDF needs a number (got ${show(t)})`);
  return t >= 0 ? 1 - upperTail(t, df) : upperTail(-t, df);
}

function logDensity(t: number, df: number): number {
  return (
    logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df)
  );
}

/**
 * Quantile of Student's t distribution with `df` (possibly non-integer) degrees of freedom.
 *
 * Closed forms for 1 and 2 degrees of freedom; otherwise a Cornish–Fisher starting value
 * (Abramowitz & Stegun 26.7.5) refined by Newton's method on the upper tail, safeguarded by bisection,
 * to a relative step below 1e-15.
 *
 * Reference: Abramowitz M, Stegun IA. Handbook of Mathematical Functions. 1964, 26.7.5;
 * Hill GW. Algorithm 396: Student's t-quantiles. Communications of the ACM 1970;13(10):619–620
 * (closed forms for 1 and 2 degrees of freedom).
 *
 * @throws {StatsInputError} when p is outside [0, 1] or df ≤ 0
 * @example studentTQuantile(0.975, 4) // 2.7764451051977987
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (typeof p !== 'number' || Number.isNaN(p) || p < 0 || p > 1) {
    throw new StatsInputError(`a Student t quantile needs a probability between 0 and 1 (got ${show(p)})`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const sign = p > 0.5 ? 1 : -1;
  const q = p > 0.5 ? 1 - p : p; // target upper-tail probability of |t|
  if (df === 1) return sign / Math.tan(Math.PI * q);
  if (df === 2) return (sign * (1 - 2 * q)) / Math.sqrt(2 * q * (1 - q));

  const z = -normalQuantile(q);
  const z2 = z * z;
  let t =
    z +
    (z * (z2 + 1)) / (4 * df) +
    (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df * df) +
    (z * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * df * df * df);
  if (!(t > 0) || !Number.isFinite(t)) t = z;
  let lo = 0;
  let hi = Infinity;
  for (let i = 0; i < 500; i++) {
    const f = q - upperTail(t, df); // increasing in t
    if (f === 0) return sign * t;
    if (f < 0) lo = t;
    else hi = t;
    const density = Math.exp(logDensity(t, df));
    let next = t - f / density;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) {
      next = hi === Infinity ? 2 * t : (lo + hi) / 2;
    }
    if (Math.abs(next - t) <= 1e-15 * next) return sign * next;
    if (hi !== Infinity && hi - lo <= 4e-16 * hi) return (sign * (lo + hi)) / 2;
    t = next;
  }
  return sign * t;
}
