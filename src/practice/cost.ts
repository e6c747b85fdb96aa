/**
 * What an intervention costs, per child per year, in the Education Endowment Foundation's five
 * cost bands, so that items of very different kinds can be compared at a glance.
 *
 * Reference: Education Endowment Foundation. Teaching and Learning Toolkit guide, cost rating:
 * very low (under £80 per pupil per year), low (£80 to £170), moderate (£170 to £700), high (£700 to
 * £1,200), very high (over £1,200). A figure on a boundary takes the lower band's upper end: £80 is
 * low, £170 low, £700 moderate, £1,200 high.
 */
export const costBands = ['no cost', 'very low', 'low', 'moderate', 'high', 'very high'] as const;
export type CostBand = (typeof costBands)[number];

/** The cost band of a cost per child per year in pounds; 0 is "no cost". */
export function costBand(poundsPerChildPerYear: number): CostBand {
  if (!Number.isFinite(poundsPerChildPerYear) || poundsPerChildPerYear < 0) {
    throw new RangeError(`a cost per child per year must be £0 or more (got ${String(poundsPerChildPerYear)})`);
  }
  if (poundsPerChildPerYear === 0) return 'no cost';
  if (poundsPerChildPerYear < 80) return 'very low';
  if (poundsPerChildPerYear <= 170) return 'low';
  if (poundsPerChildPerYear <= 700) return 'moderate';
  if (poundsPerChildPerYear <= 1200) return 'high';
  return 'very high';
}
