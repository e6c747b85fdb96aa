import { memberIn, memberOut } from '../aggregates/signature.js';
import { measures } from '../ingest/child-standard.js';
import { discloseCount } from '../stats/index.js';
import type { GroupSpec } from './groups.js';
import { standing } from './groups.js';
import type { JointCell } from './joint-aggregates.js';

export type CellStatus = 'shown' | 'withheld' | 'no-children' | 'no-data';

/** What is known, and not known, about one group in one year. */
export interface GroupCoverage {
  group: string;
  label: string;
  children: number;
  inGroup: number;
  /** Children whose membership is not recorded, as a share of all children (0 to 1). */
  unknownShare: number;
  cells: { indicator: string; status: CellStatus; groupCount: number; unknownCount: number }[];
}

export interface IndicatorCoverage {
  indicator: string;
  /** Children with a value for the indicator. */
  children: number;
}

/**
 * The data-gap audit of one year: for each indicator, how many children it covers; for each group,
 * how many children are in it and how many cannot be placed; and for each group and indicator,
 * whether the gap can be shown, is withheld for small numbers, or has no data at all.
 */
export function auditDataGaps(cells: readonly JointCell[], groups: readonly GroupSpec[]): { indicators: IndicatorCoverage[]; groups: GroupCoverage[] } {
  const width = measures.length;
  const totals = new Float64Array(width);
  let children = 0;
  for (const cell of cells) {
    children += cell.children;
    for (let index = 0; index < width; index++) totals[index]! += cell.figures[index * 3]!;
  }
  const coverage = groups.map((group) => {
    const counts = { in: 0, out: 0, unknown: 0 };
    const inN = new Float64Array(width);
    const outN = new Float64Array(width);
    const unknownN = new Float64Array(width);
    for (const cell of cells) {
      const where = standing(group, cell.signature);
      const target = where === memberIn ? inN : where === memberOut ? outN : unknownN;
      if (where === memberIn) counts.in += cell.children;
      else if (where === memberOut) counts.out += cell.children;
      else counts.unknown += cell.children;
      for (let index = 0; index < width; index++) target[index]! += cell.figures[index * 3]!;
    }
    return {
      group: group.id,
      label: group.label,
      children,
      inGroup: counts.in,
      unknownShare: children === 0 ? 0 : counts.unknown / children,
      cells: measures.map((measure, index) => {
        const status: CellStatus =
          totals[index] === 0
            ? 'no-data'
            : inN[index] === 0
              ? 'no-children'
              : discloseCount(inN[index]).reason !== null || discloseCount(outN[index]).reason !== null
                ? 'withheld'
                : 'shown';
        return { indicator: measure.name, status, groupCount: inN[index]!, unknownCount: unknownN[index]! };
      }),
    };
  });
  return { indicators: measures.map((measure, index) => ({ indicator: measure.name, children: totals[index]! })), groups: coverage };
}
