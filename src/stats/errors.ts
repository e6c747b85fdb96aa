/**
 * Errors and input checks shared by every statistics function.
 *
 * Convention used throughout `narrowing-the-gap/stats`:
 * - a *missing* input (null, undefined or NaN for a count or value) gives a *missing result*
 *   (value, lower and upper all null) — never an exception and never a zero;
 * - an *invalid* input (a negative count, a numerator above its denominator, a confidence level of 95
 *   instead of 0.95, ...) throws a {@link StatsInputError} whose message says what was wrong.
 */

/** Thrown when an input to a statistics function is present but invalid. */
export class StatsInputError extends Error {
  override readonly name = 'StatsInputError';
}

/** A number that may be missing: null, undefined and NaN all mean "not known". */
export type MaybeNumber = number | null | undefined;

/** True when `value` is null, undefined or NaN. */
export function isMissing(value: MaybeNumber): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value);
}

/** Formats a number for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return typeof value;
}

/** Throws unless `value` is a finite number (what: e.g. "a proportion's numerator"). */
export function requireFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StatsInputError(`${what} must be a finite number (got ${show(value)})`);
  }
}

/** Throws unless `value` is a finite number ≥ 0. */
export function requireNonNegative(value: number, what: string): void {
  requireFinite(value, what);
  if (value < 0) throw new StatsInputError(`${what} must not be negative (got ${show(value)})`);
}

/**
 * Throws unless `confidence` is a level strictly between 0 and 1, e.g. 0.95 or 0.998.
 * A level given as a percentage (95, 99.8) is refused rather than guessed at.
 */
export function requireConfidence(confidence: number): void {
  if (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence <= 0 || confidence >= 1) {
    const hint = typeof confidence === 'number' && confidence >= 50 && confidence < 100 ? `; did you mean ${confidence / 100}?` : '';
    throw new StatsInputError(
      `a confidence level must be strictly between 0 and 1, e.g. 0.95 (got ${show(confidence)}${hint})`,
    );
  }
}

/** Throws unless `multiplier` is a finite number > 0 (1 for a proportion, 100 for a percentage, ...). */
export function requireMultiplier(multiplier: number): void {
  requireFinite(multiplier, 'a multiplier');
  if (multiplier <= 0) throw new StatsInputError(`a multiplier must be greater than 0 (got ${show(multiplier)})`);
}
