import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { currentAuthoritiesFor } from '../areas/areas.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { CsvValue } from '../export/csv.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { fileNamePart, sendTable, tableFormats } from '../web/downloads.js';
import type { DownloadColumn, DownloadMetadata, TableFormat } from '../web/downloads.js';
import { dataGapsJson } from './data-gaps.js';
import type { DataGapsJson } from './data-gaps.js';
import { comparatorName } from './indicator-page.js';
import type { GapCell, SuppressedReason } from './matrix.js';
import type { MatrixQuery, Sort } from './pages.js';
import { addedCombinations, cellsWanted, outcomeNames, reading, sortRows, sorts, trendText } from './pages.js';
import { mayReadAggregates } from './reach.js';
import { DifferencingRefused, GapRequestError, comparatorNamed, curvesFor, dataGapsFor, gapsFor } from './service.js';
import type { RankedCurve } from './curves.js';
import { notSignificantWeight, trendWeights } from './curves.js';

const measureOf = new Map(indicators.map((measure) => [measure.name, measure]));

/** A figure, or the symbol saying why there is none: c withheld (small numbers), x not available. */
function figure(value: number | null, withheld: boolean): CsvValue {
  return value ?? (withheld ? 'c' : 'x');
}

const count = '#,##0';
const oneDecimal = '#,##0.0';

const suppressedReasonText: Record<SuppressedReason, string> = {
  'group-few-children': 'Fewer than 5 children in the group',
  'group-few-with-outcome': 'Fewer than 5 children in the group meet or miss the outcome',
  'comparator-few-children': 'Fewer than 5 children in the comparator',
  'comparator-few-with-outcome': 'Fewer than 5 children in the comparator meet or miss the outcome',
};

const yesNo = (value: boolean | null): CsvValue => (value === null ? '' : value ? 'Yes' : 'No');

/** The gap matrix's columns: the API's fields, each with a plain label, and a label beside each code. */
export const gapColumns: readonly DownloadColumn<GapCell & { authority: string }>[] = [
  { label: 'Authority code', value: (cell) => cell.authority },
  { label: 'Academic year', value: (cell) => cell.year },
  { label: 'Group code', value: (cell) => cell.group },
  { label: 'Group', value: (cell) => cell.group_label },
  { label: 'Indicator code', value: (cell) => cell.indicator },
  { label: 'Indicator', value: (cell) => measureOf.get(cell.indicator)?.label ?? cell.indicator },
  { label: 'Outcome code', value: (cell) => cell.outcome },
  { label: 'Outcome', value: (cell) => outcomeNames[cell.outcome] ?? cell.outcome },
  { label: 'Unit', value: (cell) => (cell.value_type === 'percentage' ? 'Per cent' : 'Average') },
  { label: 'Higher or lower is better', value: (cell) => (cell.polarity === 'higher-is-better' ? 'Higher is better' : 'Lower is better') },
  { label: 'Comparator code', value: (cell) => cell.comparator },
  { label: 'Comparator', value: (cell) => comparatorName(cell.comparator) },
  { label: 'Children in the group with a value', value: (cell) => figure(cell.group_count, cell.suppressed), numberFormat: count },
  { label: 'Group value', value: (cell) => figure(cell.group_value, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Group value, lower 95% limit', value: (cell) => figure(cell.group_lower, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Group value, upper 95% limit', value: (cell) => figure(cell.group_upper, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Children in the comparator with a value', value: (cell) => figure(cell.comparator_count, cell.suppressed), numberFormat: count },
  { label: 'Comparator value', value: (cell) => figure(cell.comparator_value, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Comparator value, lower 95% limit', value: (cell) => figure(cell.comparator_lower, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Comparator value, upper 95% limit', value: (cell) => figure(cell.comparator_upper, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Gap', value: (cell) => figure(cell.gap, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Gap, lower 95% limit', value: (cell) => figure(cell.gap_lower, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Gap, upper 95% limit', value: (cell) => figure(cell.gap_upper, cell.suppressed), numberFormat: oneDecimal },
  { label: 'Significant', value: (cell) => yesNo(cell.significant) },
  { label: 'Trend', value: (cell) => trendText[cell.trend].replace(/^./, (first) => first.toUpperCase()) },
  // Released on its own: it can be withheld when the cell is shown.
  { label: 'Children with a value whose membership is not recorded', value: (cell) => figure(cell.unknown_count, true), numberFormat: count },
  { label: 'Withheld', value: (cell) => yesNo(cell.suppressed) },
  { label: 'Why withheld', value: (cell) => (cell.suppressed_reason === null ? '' : suppressedReasonText[cell.suppressed_reason]) },
  { label: 'Why there is no comparator value', value: (cell) => cell.comparator_note ?? '' },
  { label: 'Source of the comparator value', value: (cell) => cell.comparator_source ?? '' },
];

/** The ranked curves' columns: the API's fields, each with a plain label, and a label beside each code. */
export const curveColumns: readonly DownloadColumn<RankedCurve & { authority: string }>[] = [
  { label: 'Authority code', value: (curve) => curve.authority },
  { label: 'Academic year', value: (curve) => curve.year },
  { label: 'Rank', value: (curve) => curve.rank, numberFormat: count },
  { label: 'Group code', value: (curve) => curve.group },
  { label: 'Group', value: (curve) => curve.group_label },
  { label: 'Indicator code', value: (curve) => curve.indicator },
  { label: 'Indicator', value: (curve) => curve.indicator_label },
  { label: 'Outcome', value: (curve) => outcomeNames[curve.outcome] ?? curve.outcome },
  { label: 'Unit', value: (curve) => (curve.value_type === 'percentage' ? 'Per cent' : 'Average') },
  { label: 'Children in the group with a value', value: (curve) => curve.group_count, numberFormat: count },
  { label: 'Group value', value: (curve) => curve.group_value, numberFormat: oneDecimal },
  { label: 'Value of the other children', value: (curve) => curve.comparator_value, numberFormat: oneDecimal },
  { label: 'Gap', value: (curve) => curve.gap, numberFormat: oneDecimal },
  { label: 'Gap, lower 95% limit', value: (curve) => figure(curve.gap_lower, false), numberFormat: oneDecimal },
  { label: 'Gap, upper 95% limit', value: (curve) => figure(curve.gap_upper, false), numberFormat: oneDecimal },
  { label: 'Significant', value: (curve) => yesNo(curve.significant) },
  { label: 'Trend', value: (curve) => trendText[curve.trend].replace(/^./, (first) => first.toUpperCase()) },
  { label: 'Standardised gap', value: (curve) => curve.standardised_gap, numberFormat: '0.000' },
  { label: 'Children to close the gap', value: (curve) => curve.children_to_close, numberFormat: count },
  { label: 'Score', value: (curve) => curve.score, numberFormat: '0.000' },
];

type DataGapsRow = { area: string; year: string; group: DataGapsJson['groups'][number]; cell: DataGapsJson['groups'][number]['cells'][number]; indicatorChildren: number | null };

const statusText: Record<DataGapsRow['cell']['status'], string> = {
  shown: 'Shown',
  withheld: 'Withheld (small numbers)',
  'no-children': 'No child in the group has a value',
  'no-data': 'The indicator has no data',
};

/** The data-gap audit's columns: one row per group and indicator, with the group's and the indicator's own figures repeated on each. */
export const dataGapColumns: readonly DownloadColumn<DataGapsRow>[] = [
  { label: 'Authority code', value: (row) => row.area },
  { label: 'Academic year', value: (row) => row.year },
  { label: 'Group code', value: (row) => row.group.group },
  { label: 'Group', value: (row) => row.group.group_label },
  { label: 'Children', value: (row) => figure(row.group.children, true), numberFormat: count },
  { label: 'Children in the group', value: (row) => figure(row.group.in_group, true), numberFormat: count },
  { label: 'Share of children whose membership is not recorded', value: (row) => figure(row.group.unknown_share, true), numberFormat: '0.0%' },
  { label: 'Indicator code', value: (row) => row.cell.indicator },
  { label: 'Indicator', value: (row) => measureOf.get(row.cell.indicator)?.label ?? row.cell.indicator },
  { label: 'Outcome', value: (row) => outcomeNames[measureOf.get(row.cell.indicator)?.outcome ?? ''] ?? '' },
  { label: 'Children with a value for the indicator', value: (row) => figure(row.indicatorChildren, true), numberFormat: count },
  { label: 'Gap status code', value: (row) => row.cell.status },
  { label: 'Gap status', value: (row) => statusText[row.cell.status] },
  { label: 'Children in the group with a value', value: (row) => figure(row.cell.group_count, true), numberFormat: count },
  { label: 'Children with a value whose membership is not recorded', value: (row) => figure(row.cell.unknown_count, true), numberFormat: count },
];

/** The audit's rows, in the API's order: each group, then each indicator. */
export function dataGapRows(json: DataGapsJson): DataGapsRow[] {
  const indicatorChildren = new Map(json.indicators.map((entry) => [entry.indicator, entry.children]));
  return json.groups.flatMap((group) => group.cells.map((cell) => ({ area: json.area, year: json.year, group, cell, indicatorChildren: indicatorChildren.get(cell.indicator) ?? null })));
}

function disclosureText(suppressed: boolean): string {
  return suppressed
    ? 'Released as published statistics are, because you may not read these children’s records: every count is adjusted slightly and rounded to the nearest 5, a count of 1 to 4 is withheld (c), a gap built on fewer than 5 children in the group or the comparator (or fewer than 5 of them meeting or missing the outcome) is withheld (c), and every figure is made from the released counts, so that no child can be picked out.'
    : 'None: these are the exact figures, small numbers included, because you may read these children’s records. Do not pass them to anyone who may not; for others, download the figures as they see them (signed in with their access) or apply disclosure control.';
}

type Reached = { laCode: string; authorityName: string; suppress: boolean } | { status: 400 | 403 | 404; title: string; message: string };

/** The authority a download names (`la`, a GSS code or DfE number): refused, never replaced, when it is unknown or out of the viewer's reach. */
function authorityAsked(la: string | string[] | undefined, viewer: Viewer): Reached {
  if (typeof la !== 'string' || la.trim() === '') return { status: 400, title: 'Check the address', message: 'la: say which authority (its GSS code, e.g. la=E08000035)' };
  const found = currentAuthoritiesFor(la.trim());
  if (found === undefined || found.ambiguous) return { status: 404, title: 'No such authority', message: `la: “${la}” is not the code of a current local authority.` };
  const authority = found.authorities[0]!;
  if (!mayReadAggregates(viewer, authority.gss)) return { status: 403, title: 'These figures are not shown to you', message: `${authority.name} (${authority.gss}) is outside the areas you may see.` };
  return { laCode: authority.gss, authorityName: authority.name, suppress: !seesSmallNumbers(viewer, { laCode: authority.gss }) };
}

function refuse(reply: FastifyReply, problem: { status: 400 | 403 | 404; title: string; message: string }): FastifyReply {
  return reply.code(problem.status).view('error.njk', { title: problem.title, message: problem.message });
}

/** The year a download asks for (`year`, e.g. 2023/24), undefined for the latest, or a problem. */
function yearAsked(year: string | undefined): number | undefined | { status: 400; title: string; message: string } {
  if (year === undefined || year === '') return undefined;
  return parseAcademicYear(year) ?? { status: 400, title: 'Check the address', message: `year: “${year}” is not an academic year (write 2023/24).` };
}

/**
 * The gap matrix and the data-gap audit as CSV and Excel files: `/gaps.{csv,xlsx}` takes the matrix
 * page's parameters (la, year, comparator, statistics, outcome, significant, trend, group, sort, add)
 * and gives the cells the page shows, in its order; `/gaps/data.{csv,xlsx}` takes la and year. The
 * figures are those of the API, read by the same service call under the same disclosure control.
 */
export function registerGapDownloads(app: FastifyInstance, db: Kysely<Schema>): void {
  const options = { schema: { hide: true }, config: { permission: 'aggregates:read' } } as const;
  for (const format of Object.keys(tableFormats) as TableFormat[]) {
    app.get<{ Querystring: MatrixQuery }>(`/gaps.${format}`, options, async (request, reply) => {
      const query = request.query;
      const reached = authorityAsked(query.la, request.viewer);
      if ('status' in reached) return refuse(reply, reached);
      const year = yearAsked(query.year);
      if (typeof year === 'object') return refuse(reply, year);
      const added = addedCombinations(query);
      if ('problem' in added) return refuse(reply, { status: 400, title: 'Check the address', message: `add: ${added.problem}.` });
      let cells: GapCell[];
      try {
        const comparator = comparatorNamed(query.comparator || undefined);
        const answer = await gapsFor(db, { laCode: reached.laCode, year, comparator, statistics: query.statistics || undefined, suppress: reached.suppress, extraGroups: added.ids });
        if (answer.year === null) return refuse(reply, { status: 404, title: 'No figures', message: `No child-level data has been loaded for ${reached.authorityName}.` });
        if (answer.cells.length === 0) return refuse(reply, { status: 404, title: 'No figures', message: `${reached.authorityName} has no data for ${query.year}.` });
        cells = answer.cells;
      } catch (error) {
        if (error instanceof DifferencingRefused) return refuse(reply, { status: 403, title: 'These figures are not shown to you', message: `${error.message.replace(/^group: /, '').replace(/^./, (first) => first.toUpperCase())}.` });
        if (error instanceof GapRequestError) return refuse(reply, { status: 400, title: 'Check the address', message: `${error.message}.` });
        throw error;
      }
      // The page's choices: its filters of cells, one outcome, one group, and the order of its rows.
      const wanted = cellsWanted(query);
      const sort: Sort = Object.hasOwn(sorts, query.sort ?? '') ? (query.sort as Sort) : 'catalogue';
      const byGroup = new Map<string, { cells: Map<string, GapCell & { reading: string }> }>();
      for (const cell of cells) {
        const row = byGroup.get(cell.group) ?? { cells: new Map() };
        byGroup.set(cell.group, row);
        if (wanted(cell) && (!query.outcome || cell.outcome === query.outcome)) row.cells.set(cell.indicator, { ...cell, reading: reading(cell) });
      }
      const rows = sortRows([...byGroup.entries()].filter(([id]) => !query.group || id === query.group).map(([, row]) => row), sort).flatMap((row) => [...row.cells.values()]);
      const first = cells[0]!;
      const sources = [...new Set(cells.flatMap((cell) => (cell.comparator_source === null ? [] : [cell.comparator_source])))];
      const metadata: DownloadMetadata = {
        title: `Gaps: ${reached.authorityName}, ${first.year}, compared with ${comparatorName(first.comparator).toLowerCase()}`,
        source: `Child-level records of ${reached.authorityName} loaded into Narrowing the Gap${sources.length > 0 ? `; the comparator's figures: ${sources.join('; ')}` : ''}.`,
        disclosure: disclosureText(reached.suppress),
        details: [
          { label: 'Authority', value: `${reached.authorityName} (${reached.laCode})` },
          { label: 'Academic year', value: first.year },
          { label: 'Comparator', value: comparatorName(first.comparator) },
          ...(query.outcome ? [{ label: 'Outcome', value: outcomeNames[query.outcome] ?? query.outcome }] : []),
          ...(query.significant ? [{ label: 'Significance', value: query.significant === 'yes' ? 'Significant gaps only' : 'Gaps that are not significant only' }] : []),
          ...(query.trend ? [{ label: 'Trend', value: trendText[query.trend as GapCell['trend']] ?? query.trend }] : []),
          ...(query.group ? [{ label: 'Group', value: cells.find((cell) => cell.group === query.group)?.group_label ?? query.group }] : []),
          { label: 'Order of the groups', value: sorts[sort] },
        ],
        notes: [
          'The gap is the group’s value minus the comparator’s: percentage points for percentages, the indicator’s own units for averages. It is significant when its 95% confidence interval excludes zero (Newcombe’s interval for percentages, Welch’s for averages); the trend is the direction of travel of the gap over the years to this one (five years are needed).',
          ...(first.comparator === 'england' ? ['England’s figures are published statistics for the same group, taken as fixed: the gap’s interval is the group’s own, moved by England’s figure.'] : []),
          'The same figures are given by the API: /api/v1/areas/{code}/gaps.',
        ],
      };
      return sendTable(reply, { fileName: `gaps-${reached.laCode}-${fileNamePart(first.year)}-${first.comparator}`, columns: gapColumns, rows: rows.map((cell) => ({ ...cell, authority: reached.laCode })), metadata }, format);
    });

    app.get<{ Querystring: { la?: string; year?: string } }>(`/gaps/data.${format}`, options, async (request, reply) => {
      const reached = authorityAsked(request.query.la, request.viewer);
      if ('status' in reached) return refuse(reply, reached);
      const year = yearAsked(request.query.year);
      if (typeof year === 'object') return refuse(reply, year);
      const answer = await dataGapsFor(db, { laCode: reached.laCode, year, suppress: reached.suppress });
      if (answer.year === null) return refuse(reply, { status: 404, title: 'No figures', message: `No child-level data has been loaded for ${reached.authorityName}.` });
      if (answer.audit === null) return refuse(reply, { status: 404, title: 'No figures', message: `${reached.authorityName} has no data for ${request.query.year}.` });
      const json = dataGapsJson(reached.laCode, answer.year, answer.audit);
      return sendTable(
        reply,
        {
          fileName: `data-gaps-${reached.laCode}-${fileNamePart(json.year)}`,
          columns: dataGapColumns,
          rows: dataGapRows(json),
          metadata: {
            title: `Gaps in the data: ${reached.authorityName}, ${json.year}`,
            source: `Child-level records of ${reached.authorityName} loaded into Narrowing the Gap.`,
            disclosure: disclosureText(reached.suppress),
            details: [
              { label: 'Authority', value: `${reached.authorityName} (${reached.laCode})` },
              { label: 'Academic year', value: json.year },
            ],
            notes: [
              'One row for each group and indicator. A gap is withheld by the same rule as in the gap matrix: fewer than 5 children in the group or among the rest, or fewer than 5 of them meeting or missing the outcome.',
              'Membership not recorded: children whose record leaves blank whether they are in the group, so they are counted neither in the group nor among the rest.',
              'The same figures are given by the API: /api/v1/areas/{code}/data-gaps.',
            ],
          },
        },
        format,
      );
    });

    app.get<{ Querystring: { la?: string; year?: string } }>(`/gaps/curves.${format}`, options, async (request, reply) => {
      const reached = authorityAsked(request.query.la, request.viewer);
      if ('status' in reached) return refuse(reply, reached);
      const year = yearAsked(request.query.year);
      if (typeof year === 'object') return refuse(reply, year);
      const answer = await curvesFor(db, { laCode: reached.laCode, year, suppress: reached.suppress });
      if (answer.year === null) return refuse(reply, { status: 404, title: 'No figures', message: `No child-level data has been loaded for ${reached.authorityName}.` });
      if (!answer.years.includes(answer.year)) return refuse(reply, { status: 404, title: 'No figures', message: `${reached.authorityName} has no data for ${request.query.year}.` });
      const yearText = formatAcademicYear(answer.year);
      return sendTable(
        reply,
        {
          fileName: `curves-${reached.laCode}-${fileNamePart(yearText)}`,
          columns: curveColumns,
          rows: answer.curves.map((curve) => ({ ...curve, authority: reached.laCode })),
          metadata: {
            title: `Which curves to turn: ${reached.authorityName}, ${yearText}`,
            source: `Child-level records of ${reached.authorityName} loaded into Narrowing the Gap.`,
            disclosure: disclosureText(reached.suppress) + (reached.suppress ? ' Withheld gaps are left out of the list.' : ''),
            details: [
              { label: 'Authority', value: `${reached.authorityName} (${reached.laCode})` },
              { label: 'Academic year', value: yearText },
              { label: 'Comparator', value: 'All other children (known not to be in the group)' },
            ],
            notes: [
              'Every gap where one of the 13 groups does worse than the children known not to be in it, ranked by score, highest first. Pairs where the group is defined by the indicator (poor attendance on attendance, excluded children on suspensions) are left out.',
              `Standardised gap: Cohen’s h for percentages, Hedges’ g for averages and counts. Children to close the gap: for a percentage, the group’s children times the gap; for an average or count, the children who would have to cross the others’ average (a normal approximation). Score: |standardised gap| × log10(children to close + 10), × ${notSignificantWeight} when not significant, × ${trendWeights.widening} when widening or × ${trendWeights.narrowing} when narrowing.`,
              'The same figures are given by the API: /api/v1/areas/{code}/curves.',
            ],
          },
        },
        format,
      );
    });
  }
}
