import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, show } from './errors.js';

/** Statistical direction of an indicator relative to its benchmark. */
export type Direction = 'higher' | 'similar' | 'lower' | 'not-compared';

/** How to read a direction: which way is better, or no judgement. */
export type Polarity = 'higher-is-better' | 'lower-is-better' | 'no-judgement';

/** A comparison turned into words for the reader. */
export type Judgement = 'better' | 'similar' | 'worse' | 'higher' | 'lower' | 'not-compared';

/** An interval that may be missing. */
export interface MaybeInterval {
  readonly lower: MaybeNumber;
  readonly upper: MaybeNumber;
}

/** A benchmark: a single value (e.g. England), or an interval (e.g. another area's estimate). */
export type Benchmark = MaybeNumber | MaybeInterval;

/** The outcome of {@link compareWithBenchmark}. */
export interface Comparison {
  readonly direction: Direction;
  readonly judgement: Judgement;
  /** Which rule was applied: the indicator's interval against a value, or two intervals' overlap. */
  readonly rule: 'interval-vs-value' | 'interval-overlap' | null;
}

function checkInterval(lower: number, upper: number, what: string): void {
  if (!Number.isFinite(lower) || !Number.isFinite(upper)) {
    throw new StatsInputError(`${what} needs finite limits (got ${show(lower)} to ${show(upper)})`);
  }
  if (lower > upper) throw new StatsInputError(`${what}'s lower limit must not exceed its upper limit (got ${show(lower)} to ${show(upper)})`);
}

/**
 * Turns a direction into a judgement by polarity: with 'higher-is-better', higher → 'better' and
 * lower → 'worse'; with 'lower-is-better' the reverse; with 'no-judgement' the direction is kept
 * ('higher' | 'similar' | 'lower'). 'similar' and 'not-compared' are unchanged.
 *
 * Reference: Office for Health Improvement and Disparities. Fingertips: comparisons with benchmarks
 * (polarity "RAG — high is good / low is good", or "BOB — no judgement", shown as higher/lower).
 *
 * @throws {StatsInputError} when the polarity is not one of the three named
 * @example judge('higher', 'lower-is-better') // 'worse'
 */
export function judge(direction: Direction, polarity: Polarity): Judgement {
  if (polarity !== 'higher-is-better' && polarity !== 'lower-is-better' && polarity !== 'no-judgement') {
    throw new StatsInputError(
      `polarity must be 'higher-is-better', 'lower-is-better' or 'no-judgement' (got ${show(polarity)})`,
    );
  }
  if (direction === 'similar' || direction === 'not-compared' || polarity === 'no-judgement') return direction;
  const higherIsBetter = polarity === 'higher-is-better';
  return (direction === 'higher') === higherIsBetter ? 'better' : 'worse';
}

/**
 * Compares an indicator's confidence interval with a benchmark, Fingertips-style, and judges it by polarity.
 *
 * - Benchmark a value B (the Fingertips rule): 'higher' when the indicator's lower limit is above B,
 *   'lower' when its upper limit is below B, otherwise 'similar'. A limit exactly equal to B counts as
 *   similar.
 * - Benchmark an interval (L_B, U_B) (e.g. comparing two areas): 'higher' when the indicator's lower limit
 *   is above U_B, 'lower' when its upper limit is below L_B, otherwise 'similar' — the intervals-overlap
 *   rule. It is conservative: two 95% intervals that just fail to overlap correspond to a difference
 *   significant at about the 0.6% level for equal standard errors (Schenker & Gelman 2001), so prefer testing the difference itself
 *   (e.g. {@link proportionDifference}) when both are estimates.
 *
 * The significance level is the level at which the intervals were computed: call it once with the 95%
 * intervals and once with the 99.8% intervals for Fingertips' two levels.
 *
 * Missing limits or a missing benchmark give direction 'not-compared'.
 *
 * Reference: Office for Health Improvement and Disparities. Public Health Technical Guidance:
 * Fingertips comparisons against benchmarks; Schenker N, Gelman A. On judging the significance of
 * differences by examining the overlap between confidence intervals. The American Statistician
 * 2001;55(3):182–186.
 *
 * @throws {StatsInputError} when a lower limit exceeds its upper limit, a limit is infinite, or the
 *   polarity is not recognised
 * @example compareWithBenchmark({ lower: 61.2, upper: 64.8 }, 60.1, 'higher-is-better')
 *   // { direction: 'higher', judgement: 'better', rule: 'interval-vs-value' }
 */
export function compareWithBenchmark(indicator: MaybeInterval, benchmark: Benchmark, polarity: Polarity): Comparison {
  const notCompared: Comparison = { direction: 'not-compared', judgement: judge('not-compared', polarity), rule: null };
  const { lower, upper } = indicator;
  if (isMissing(lower) || isMissing(upper) || benchmark === null || benchmark === undefined) return notCompared;
  checkInterval(lower, upper, "the indicator's interval");
  let direction: Direction;
  let rule: Comparison['rule'];
  if (typeof benchmark === 'number') {
    if (Number.isNaN(benchmark)) return notCompared;
    if (!Number.isFinite(benchmark)) throw new StatsInputError(`a benchmark value must be finite (got ${show(benchmark)})`);
    rule = 'interval-vs-value';
    direction = lower > benchmark ? 'higher' : upper < benchmark ? 'lower' : 'similar';
  } else {
    const bl = benchmark.lower;
    const bu = benchmark.upper;
    if (isMissing(bl) || isMissing(bu)) return notCompared;
    checkInterval(bl, bu, "the benchmark's interval");
    rule = 'interval-overlap';
    direction = lower > bu ? 'higher' : upper < bl ? 'lower' : 'similar';
  }
  return { direction, judgement: judge(direction, polarity), rule };
}
