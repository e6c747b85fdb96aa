import type { GapCell } from './matrix.js';

/** A gap the area should try to turn, with what puts it in its place in the list. */
export interface CurveToTurn {
  cell: GapCell;
  /** For percentages: how many more children in the group would need to reach the standard to close the gap. For averages: the children in the group. */
  childrenBehind: number;
  rank: number;
}

const trendOrder: Record<GapCell['trend'], number> = { widening: 0, 'no-significant-change': 1, 'not-enough-data': 1, narrowing: 2 };

/** True when the group does significantly worse than its comparator, given the indicator's polarity. */
export function significantlyWorse(cell: GapCell): boolean {
  if (cell.significant !== true || cell.gap === null) return false;
  return cell.polarity === 'higher-is-better' ? cell.gap < 0 : cell.gap > 0;
}

/**
 * Which curves to turn, in order. The rule, as the page explains it: only gaps where the group does
 * significantly worse; widening gaps first, then those not changing (or too new to tell), then
 * those already narrowing; within each, the gaps that leave the most children behind first.
 */
export function curvesToTurn(cells: readonly GapCell[]): CurveToTurn[] {
  return cells
    .filter(significantlyWorse)
    .map((cell) => ({
      cell,
      childrenBehind: cell.value_type === 'percentage' ? Math.round(((cell.group_count ?? 0) * Math.abs(cell.gap ?? 0)) / 100) : (cell.group_count ?? 0),
      rank: 0,
    }))
    .sort((a, b) => trendOrder[a.cell.trend] - trendOrder[b.cell.trend] || b.childrenBehind - a.childrenBehind || a.cell.group.localeCompare(b.cell.group))
    .map((curve, index) => ({ ...curve, rank: index + 1 }));
}
