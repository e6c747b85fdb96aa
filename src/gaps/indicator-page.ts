import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Schema } from '../db/schema.js';
import { toCsv } from '../export/csv.js';
import { measures } from '../ingest/child-standard.js';
import { chartColours, renderChart } from '../web/charts.js';
import type { GapCell } from './matrix.js';
import { mayReadAggregates } from './reach.js';
import { GapRequestError, gapCellFields, gapSeriesFor } from './service.js';

interface IndicatorQuery {
  la?: string;
  indicator?: string;
  group?: string;
  comparator?: string;
}

const trendSentence: Record<GapCell['trend'], string> = {
  narrowing: 'Over the years the gap is narrowing.',
  widening: 'Over the years the gap is widening.',
  'no-significant-change': 'Over the years the gap shows no significant change.',
  'not-enough-data': 'There are too few years yet to judge its trend (five are needed).',
};

function comparatorName(comparator: string): string {
  return comparator === 'all' ? 'All children' : 'All other children';
}

async function valueChart(cells: readonly GapCell[], unit: string, groupLabel: string, comparator: string): Promise<string> {
  const values = cells.flatMap((cell) => [
    { year: cell.year, series: groupLabel, value: cell.group_value, lower: cell.group_lower, upper: cell.group_upper },
    { year: cell.year, series: comparatorName(comparator), value: cell.comparator_value, lower: cell.comparator_lower, upper: cell.comparator_upper },
  ]).filter((point) => point.value !== null);
  const colour = { field: 'series', type: 'nominal', title: null, scale: { domain: [groupLabel, comparatorName(comparator)], range: [chartColours.group, chartColours.comparator] } } as const;
  return renderChart(
    {
      width: 560,
      height: 260,
      data: { values },
      encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', axis: { labelAngle: 0 } } },
      layer: [
        { mark: { type: 'errorbar', ticks: { size: 12 } }, encoding: { y: { field: 'lower', type: 'quantitative', title: unit, scale: { zero: false } }, y2: { field: 'upper' }, color: colour } },
        { mark: { type: 'line', point: { filled: true, size: 60 } }, encoding: { y: { field: 'value', type: 'quantitative' }, color: colour, shape: { field: 'series', type: 'nominal', title: null } } },
      ],
    },
    `${groupLabel} and ${comparatorName(comparator).toLowerCase()} by academic year, with 95% confidence intervals; the table below gives the figures.`,
  );
}

async function gapChart(cells: readonly GapCell[], unit: string): Promise<string> {
  const values = cells.filter((cell) => cell.gap !== null).map((cell) => ({ year: cell.year, gap: cell.gap, lower: cell.gap_lower, upper: cell.gap_upper }));
  return renderChart(
    {
      width: 560,
      height: 220,
      data: { values },
      encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', axis: { labelAngle: 0 } } },
      layer: [
        { mark: { type: 'rule', color: chartColours.neutral, strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
        { mark: { type: 'errorbar', ticks: { size: 12 }, color: chartColours.group }, encoding: { y: { field: 'lower', type: 'quantitative', title: `Gap (${unit})` }, y2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 70, color: chartColours.group }, encoding: { y: { field: 'gap', type: 'quantitative' } } },
      ],
    },
    'The gap by academic year with its 95% confidence interval; the dashed line is no gap. The table below gives the figures.',
  );
}

/** One group's gap on one indicator over the years: two charts, each with its table, and the figures as CSV. */
export function registerIndicatorPage(app: FastifyInstance, db: Kysely<Schema>): void {
  const prepare = async (query: IndicatorQuery, viewer: Parameters<typeof mayReadAggregates>[0]) => {
    const laCode = query.la?.toUpperCase() ?? '';
    if (!mayReadAggregates(viewer, laCode) || !query.indicator || !query.group) return undefined;
    const cells = await gapSeriesFor(db, { laCode, indicator: query.indicator, group: query.group, comparator: query.comparator, suppress: !seesSmallNumbers(viewer, { laCode }) });
    return { laCode, cells };
  };

  app.get<{ Querystring: IndicatorQuery }>('/gaps/indicator', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    let prepared;
    try {
      prepared = await prepare(request.query, request.viewer);
    } catch (error) {
      if (error instanceof GapRequestError) return reply.code(400).view('error.njk', { title: 'Check the address', message: error.message });
      throw error;
    }
    if (prepared === undefined || prepared.cells.length === 0) return reply.code(404).view('404.njk');
    const { laCode, cells } = prepared;
    const measure = measures.find((entry) => entry.name === request.query.indicator)!;
    const latest = cells.at(-1)!;
    const unit = latest.value_type === 'percentage' ? 'percentage points' : 'points';
    const valueUnit = latest.value_type === 'percentage' ? 'Per cent' : 'Average';
    const comparator = latest.comparator;
    const query = new URLSearchParams({ la: laCode, indicator: measure.name, group: latest.group, comparator }).toString();
    return reply.view('gaps/indicator.njk', {
      pageTitle: `${latest.group_label}: ${measure.label}`,
      breadcrumbs: [{ text: 'Gaps', href: `/gaps?la=${laCode}` }],
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      measure,
      latest,
      cells,
      comparatorName: comparatorName(comparator),
      trendSentence: trendSentence[latest.trend],
      unit,
      valueChart: await valueChart(cells, valueUnit, latest.group_label, comparator),
      gapChart: await gapChart(cells, unit),
      query,
    });
  });

  app.get<{ Querystring: IndicatorQuery }>('/gaps/indicator.csv', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    let prepared;
    try {
      prepared = await prepare(request.query, request.viewer);
    } catch (error) {
      if (error instanceof GapRequestError) return reply.code(400).view('error.njk', { title: 'Check the address', message: error.message });
      throw error;
    }
    if (prepared === undefined || prepared.cells.length === 0) return reply.code(404).view('404.njk');
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="gap-${prepared.laCode}-${request.query.indicator}.csv"`)
      .send(toCsv(gapCellFields, prepared.cells.map((cell) => gapCellFields.map((field) => cell[field]))));
  });
}
