import { StatsInputError, show } from './errors.js';

/** How the Education Endowment Foundation describes an impact in months of additional progress. */
export type ImpactBand = 'very low or no impact' | 'low impact' | 'moderate impact' | 'high impact' | 'very high impact';

/**
 * The largest effect size (to 2 decimal places) of each month of the EEF Teaching and Learning
 * Toolkit's conversion, from 0 months (up to 0.01) to 11 months (up to 0.95); 0.96 and above is 12.
 */
const monthUpperBounds = [0.01, 0.09, 0.18, 0.26, 0.35, 0.44, 0.52, 0.61, 0.69, 0.78, 0.87, 0.95] as const;

/**
 * An effect size as the Education Endowment Foundation's months of additional progress: the number
 * of extra months' progress that children receiving an intervention made, on average, compared with
 * similar children who did not. The effect size is first rounded to 2 decimal places (half away
 * from zero), then read off the Toolkit's table:
 *
 *   |d| ≤ 0.01 → 0,  0.02–0.09 → 1,  0.10–0.18 → 2,  0.19–0.26 → 3,  0.27–0.35 → 4,  0.36–0.44 → 5,
 *   0.45–0.52 → 6,  0.53–0.61 → 7,  0.62–0.69 → 8,  0.70–0.78 → 9,  0.79–0.87 → 10,  0.88–0.95 → 11,
 *   0.96 and above → 12 (the table ends at 1.00; larger effects are still 12 months).
 *
 * A negative effect size gives the same number of months, negative: less progress than without.
 *
 * Reference: Education Endowment Foundation. Teaching and Learning Toolkit: about the toolkits,
 * attainment ("Additional months' progress", conversion table and notes (i) and (ii)).
 *
 * @throws {StatsInputError} when the effect size is not a finite number
 * @example monthsOfProgress(0.4) // 5
 * @example monthsOfProgress(-0.19) // -3
 */
export function monthsOfProgress(effectSize: number): number {
  if (!Number.isFinite(effectSize)) throw new StatsInputError(`an effect size must be a finite number (got ${show(effectSize)})`);
  // The small allowance makes a value written with 3 decimals ending in 5 round up, as a person would, despite binary fractions.
  const hundredths = Math.floor(Math.abs(effectSize) * 100 + 0.5 + 1e-9);
  const months = monthUpperBounds.findIndex((bound) => hundredths <= Math.round(bound * 100));
  const size = months === -1 ? monthUpperBounds.length : months;
  return size === 0 ? 0 : Math.sign(effectSize) * size;
}

/**
 * The EEF's words for a number of months of additional progress (its sign ignored): 0 very low or
 * no impact, 1–2 low, 3–5 moderate, 6–8 high, 9–12 very high.
 *
 * Reference: as `monthsOfProgress`.
 *
 * @example impactBand(4) // 'moderate impact'
 */
export function impactBand(months: number): ImpactBand {
  const size = Math.abs(months);
  if (size === 0) return 'very low or no impact';
  if (size <= 2) return 'low impact';
  if (size <= 5) return 'moderate impact';
  if (size <= 8) return 'high impact';
  return 'very high impact';
}
