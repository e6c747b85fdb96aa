import { StatsInputError, isMissing, requireConfidence, show } from './errors.js';
import type { ConfidenceOptions, Estimate } from './interval.js';
import { twoSidedZ } from './normal-quantile.js';
import type { Counts } from './proportion-difference.js';

/** A standardised difference from two groups' counts, by the logit method. */
export interface EffectFromCountsResult extends Estimate {
  readonly confidence: number;
  readonly method: 'logit';
  /** The odds ratio (group over comparator) it was converted from. */
  readonly oddsRatio: number | null;
  readonly standardError: number | null;
  /** Whether 0.5 was added to every cell because one was empty. */
  readonly halfAdded: boolean;
  /** Why there is no value, where there is none. */
  readonly note?: string;
}

function wholeCounts(counts: Counts, label: string): { events: number; count: number } | null {
  const { numerator: events, denominator: count } = counts;
  if (isMissing(events) || isMissing(count)) return null;
  if (!Number.isInteger(count) || count < 1) throw new StatsInputError(`the ${label}'s size must be a whole number of at least 1 (got ${show(count)})`);
  if (!Number.isInteger(events) || events < 0 || events > count) {
    throw new StatsInputError(`the ${label}'s number with the outcome must be a whole number from 0 to its size ${count} (got ${show(events)})`);
  }
  return { events, count };
}

/**
 * A standardised mean difference from two groups' counts (how many had the outcome, of how many),
 * by the logit method: the log odds ratio scaled by √3/π, the standard deviation of the logistic
 * distribution, so that it reads as Cohen's d would for an underlying continuous outcome:
 *
 *   ln OR = ln(a·d / (b·c)),   Var(ln OR) = 1/a + 1/b + 1/c + 1/d,
 *   d = ln OR × √3/π,   Var(d) = Var(ln OR) × 3/π²,   limits = d ∓ z_{1−α/2} √Var(d),
 *
 * with a, b the group's children with and without the outcome and c, d the comparator's. Where a
 * cell is empty, 0.5 is added to all four (Haldane–Anscombe). Where neither group, or every child
 * in both, had the outcome the counts say nothing about a difference and the value is null.
 *
 * Reference: Borenstein M, Hedges LV, Higgins JPT, Rothstein HR. Introduction to meta-analysis.
 * Wiley; 2009, chapter 5 (the odds ratio and its variance) and chapter 7 (converting the log odds
 * ratio to d, equations 7.1 and 7.2); Chinn S. A simple method for converting an odds ratio to
 * effect size for use in meta-analysis. Statistics in Medicine 2000;19(22):3127–3131.
 *
 * A missing count gives a missing result.
 *
 * @throws {StatsInputError} when a size is not a whole number of at least 1, a number with the
 *   outcome is not a whole number from 0 to its size, or the confidence is outside (0, 1)
 * @example standardisedDifferenceFromCounts({ numerator: 5, denominator: 100 }, { numerator: 10, denominator: 100 })
 *   // { value: −0.4120…, oddsRatio: 0.4737…, … } (Borenstein et al. 2009, chapter 5: ln OR −0.7472, variance 0.3216)
 */
export function standardisedDifferenceFromCounts(group: Counts, comparator: Counts, options: ConfidenceOptions = {}): EffectFromCountsResult {
  const confidence = options.confidence ?? 0.95;
  requireConfidence(confidence);
  const none = { value: null, lower: null, upper: null, oddsRatio: null, standardError: null, confidence, method: 'logit' as const, halfAdded: false };
  const a = wholeCounts(group, 'group');
  const c = wholeCounts(comparator, 'comparator');
  if (a === null || c === null) return none;
  if (a.events === 0 && c.events === 0) return { ...none, note: 'no child in either group had the outcome' };
  if (a.events === a.count && c.events === c.count) return { ...none, note: 'every child in both groups had the outcome' };
  const cells = [a.events, a.count - a.events, c.events, c.count - c.events];
  const halfAdded = cells.includes(0);
  const [withOutcome, without, comparatorWith, comparatorWithout] = cells.map((cell) => (halfAdded ? cell + 0.5 : cell)) as [number, number, number, number];
  const oddsRatio = (withOutcome * comparatorWithout) / (without * comparatorWith);
  const logVariance = 1 / withOutcome + 1 / without + 1 / comparatorWith + 1 / comparatorWithout;
  const scale = Math.sqrt(3) / Math.PI;
  const value = Math.log(oddsRatio) * scale;
  const standardError = Math.sqrt(logVariance) * scale;
  const z = twoSidedZ(confidence);
  return { value, lower: value - z * standardError, upper: value + z * standardError, oddsRatio, standardError, confidence, method: 'logit', halfAdded };
}
