import { memberIn, memberOut } from '../aggregates/signature.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { releaseCount, releaseSummary } from '../stats/index.js';
import type { CellKeys } from './cell-keys.js';
import { figureKey } from './cell-keys.js';
import type { GroupSpec } from './groups.js';
import { standing } from './groups.js';
import type { JointCell } from './joint-aggregates.js';

export type CellStatus = 'shown' | 'withheld' | 'no-children' | 'no-data';

/**
 * What is known, and not known, about one group in one year. Released to a viewer who may not see
 * small numbers, every count is released as the gap matrix releases it (a count from 1 to 4 is null,
 * withheld), and the unknown share is made from the released counts.
 */
export interface GroupCoverage {
  group: string;
  label: string;
  children: number | null;
  inGroup: number | null;
  /** Children whose membership is not recorded, as a share of all children (0 to 1); null when withheld. */
  unknownShare: number | null;
  cells: { indicator: string; status: CellStatus; groupCount: number | null; unknownCount: number | null }[];
}

export interface IndicatorCoverage {
  indicator: string;
  /** Children with a value for the indicator (rounded when released; null when 1 to 4 and withheld). */
  children: number | null;
}

interface SideSums {
  n: Float64Array;
  sum: Float64Array;
  sumsq: Float64Array;
  /** Per measure, the summed cell keys of the signatures with a value; and of those with any child. */
  keys: Float64Array;
  childrenKey: number;
}

function sideSums(width: number): SideSums {
  return { n: new Float64Array(width), sum: new Float64Array(width), sumsq: new Float64Array(width), keys: new Float64Array(width), childrenKey: 0 };
}


/**
 * The data-gap audit of one year: for each indicator, how many children it covers; for each group,
 * how many children are in it and how many cannot be placed; and for each group and indicator,
 * whether the gap can be shown, is withheld for small numbers, or has no data at all. A cell is
 * withheld by the same rule as the gap matrix's (`releaseSummary` on the group and on the rest), so
 * the audit says "withheld" exactly where the matrix withholds.
 *
 * @param options.suppress release the figures to a viewer who may not see small numbers
 * @param options.cellKeys and options.year perturb the released counts exactly as the gap matrix does
 *   (the same children, measure and year give the same figure on both pages)
 */
export function auditDataGaps(
  cells: readonly JointCell[],
  groups: readonly GroupSpec[],
  options: { suppress?: boolean; cellKeys?: CellKeys; year?: number } = {},
): { indicators: IndicatorCoverage[]; groups: GroupCoverage[] } {
  const width = indicators.length;
  const keyed = options.suppress === true && options.cellKeys !== undefined && options.year !== undefined;
  const released = (count: number, keySum: number): number | null =>
    !options.suppress ? count : releaseCount(count, { key: keyed ? figureKey(keySum, options.year!) : undefined });
  const everyone = sideSums(width);
  let children = 0;
  for (const cell of cells) {
    children += cell.children;
    const key = keyed ? options.cellKeys!.signature(cell.signature) : 0;
    if (cell.children > 0) everyone.childrenKey += key;
    for (let index = 0; index < width; index++) {
      everyone.n[index]! += cell.figures[index * 3]!;
      if (cell.figures[index * 3]! > 0) everyone.keys[index]! += key;
    }
  }
  const coverage = groups.map((group): GroupCoverage => {
    const counts = { in: 0, out: 0, unknown: 0 };
    const sides = { in: sideSums(width), out: sideSums(width), unknown: sideSums(width) };
    for (const cell of cells) {
      const where = standing(group, cell.signature);
      const place = where === memberIn ? 'in' : where === memberOut ? 'out' : 'unknown';
      counts[place] += cell.children;
      const target = sides[place];
      const key = keyed ? options.cellKeys!.signature(cell.signature) : 0;
      if (cell.children > 0) target.childrenKey += key;
      for (let index = 0; index < width; index++) {
        target.n[index]! += cell.figures[index * 3]!;
        target.sum[index]! += cell.figures[index * 3 + 1]!;
        target.sumsq[index]! += cell.figures[index * 3 + 2]!;
        if (cell.figures[index * 3]! > 0) target.keys[index]! += key;
      }
    }
    const summary = (target: SideSums, index: number) => ({ n: target.n[index]!, sum: target.sum[index]!, sumsq: target.sumsq[index]! });
    const shownChildren = released(children, everyone.childrenKey);
    const shownUnknown = released(counts.unknown, sides.unknown.childrenKey);
    return {
      group: group.id,
      label: group.label,
      children: shownChildren,
      inGroup: released(counts.in, sides.in.childrenKey),
      unknownShare: shownChildren === null || shownUnknown === null ? null : shownChildren === 0 ? 0 : Math.min(1, shownUnknown / shownChildren),
      cells: indicators.map((measure, index) => {
        const withheld = releaseSummary(summary(sides.in, index), measure.type).withheld !== null || releaseSummary(summary(sides.out, index), measure.type).withheld !== null;
        const status: CellStatus = everyone.n[index] === 0 ? 'no-data' : sides.in.n[index] === 0 ? 'no-children' : withheld ? 'withheld' : 'shown';
        return { indicator: measure.name, status, groupCount: released(sides.in.n[index]!, sides.in.keys[index]!), unknownCount: released(sides.unknown.n[index]!, sides.unknown.keys[index]!) };
      }),
    };
  });
  return { indicators: indicators.map((measure, index) => ({ indicator: measure.name, children: released(everyone.n[index]!, everyone.keys[index]!) })), groups: coverage };
}

/** The audit as the API gives it (field names in snake case, labels beside codes), and as its downloads are made. */
export interface DataGapsJson {
  area: string;
  year: string;
  indicators: { indicator: string; indicator_label: string; outcome: string; children: number | null }[];
  groups: {
    group: string;
    group_label: string;
    children: number | null;
    in_group: number | null;
    unknown_share: number | null;
    cells: { indicator: string; status: CellStatus; group_count: number | null; unknown_count: number | null }[];
  }[];
}

export function dataGapsJson(laCode: string, year: number, audit: { indicators: readonly IndicatorCoverage[]; groups: readonly GroupCoverage[] }): DataGapsJson {
  const measureOf = new Map(indicators.map((measure) => [measure.name, measure]));
  return {
    area: laCode,
    year: formatAcademicYear(year),
    indicators: audit.indicators.map((entry) => ({
      indicator: entry.indicator,
      indicator_label: measureOf.get(entry.indicator)!.label,
      outcome: measureOf.get(entry.indicator)!.outcome,
      children: entry.children,
    })),
    groups: audit.groups.map((group) => ({
      group: group.group,
      group_label: group.label,
      children: group.children,
      in_group: group.inGroup,
      unknown_share: group.unknownShare,
      cells: group.cells.map((cell) => ({ indicator: cell.indicator, status: cell.status, group_count: cell.groupCount, unknown_count: cell.unknownCount })),
    })),
  };
}
