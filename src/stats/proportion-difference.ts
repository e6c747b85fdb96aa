import type { Estimate } from './interval.js';
import type { MaybeNumber } from './errors.js';
import type { ProportionOptions, ProportionResult } from './proportion.js';
import { proportion } from './proportion.js';

/** Counts for one group: the numerator (e.g. pupils meeting the standard) and the denominator. */
export interface Counts {
  readonly numerator: MaybeNumber;
  readonly denominator: MaybeNumber;
}

/** A gap between two proportions (group minus comparator) with its Newcombe interval. */
export interface ProportionDifferenceResult extends Estimate {
  readonly group: ProportionResult;
  readonly comparator: ProportionResult;
  readonly confidence: number;
  readonly multiplier: number;
  readonly method: 'newcombe-hybrid-score';
}

/**
 * The difference between two independent proportions, p₁ − p₂ (the gap: group minus comparator), with
 * Newcombe's hybrid score interval (method 10), built from the two Wilson intervals (l₁, u₁) and (l₂, u₂):
 *
 *   lower = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²)
 *   upper = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²)
 *
 * all times the multiplier. Swapping the groups negates the gap and mirrors its interval.
 *
 * Reference: Newcombe RG. Interval estimation for the difference between independent proportions:
 * comparison of eleven methods. Statistics in Medicine 1998;17(8):873–890 (method 10).
 *
 * A missing count in either group gives a missing result.
 *
 * @throws {StatsInputError} as {@link proportion} for either group's counts, the confidence or the multiplier
 * @example proportionDifference({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 })
 *   // { value: 0.2, lower: 0.05243…, upper: 0.33386…, … } (Newcombe 1998, Table II, example (a))
 */
export function proportionDifference(
  group: Counts,
  comparator: Counts,
  options: ProportionOptions = {},
): ProportionDifferenceResult {
  const confidence = options.confidence ?? 0.95;
  const multiplier = options.multiplier ?? 1;
  const g = proportion(group.numerator, group.denominator, { confidence, multiplier });
  const c = proportion(comparator.numerator, comparator.denominator, { confidence, multiplier });
  const base = { group: g, comparator: c, confidence, multiplier, method: 'newcombe-hybrid-score' as const };
  if (g.value === null || c.value === null || g.lower === null || g.upper === null || c.lower === null || c.upper === null) {
    return { value: null, lower: null, upper: null, ...base };
  }
  const difference = g.value - c.value;
  const lower = difference - Math.hypot(g.value - g.lower, c.upper - c.value);
  const upper = difference + Math.hypot(g.upper - g.value, c.value - c.lower);
  return { value: difference, lower, upper, ...base };
}
