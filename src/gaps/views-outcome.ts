/**
 * The gap matrix's sixth outcome, "Children’s and parents’ views": its rows are the framework
 * groups and its columns the closed questions of the authority's open and closed surveys, each
 * cell the figures of the survey's own results page. The figures come from the voices capability
 * (`viewsGapCells`); this file only lays them out as the matrix does, and never reads its tables.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { viewsGapCells, viewsOutcome } from '../voices/results.js';
import type { Comparator, GapCell } from './matrix.js';

export { viewsOutcome };

/** Survey figures have no published equivalent: against England or the region they compare with all other respondents. */
export function viewsComparatorOf(comparator: Comparator): 'all-other' | 'all' {
  return comparator === 'all' ? 'all' : 'all-other';
}

/** The views outcome as the matrix page lays it out: one column per question, one row per group. */
export async function viewsMatrix(db: Kysely<Schema>, laCode: string, comparator: Comparator) {
  const { indicators, cells } = await viewsGapCells(db, laCode, viewsComparatorOf(comparator));
  const surveyOf = new Map(indicators.map((indicator) => [indicator.name, indicator.surveyId]));
  return {
    columns: [{ outcome: viewsOutcome.id, name: viewsOutcome.name, indicators: indicators.map((indicator) => ({ name: indicator.name, label: indicator.label })) }],
    cells,
    /** Where a cell's figures are explained: its survey's results page. */
    hrefOf: (cell: GapCell) => `/surveys/${surveyOf.get(cell.indicator) ?? ''}/results?comparator=${viewsComparatorOf(cell.comparator)}`,
  };
}
