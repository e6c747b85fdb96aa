/**
 * Coverage of the core offer as a chart: a grid of localities by strands, each square coloured by
 * how the offer stands (no local service, thin, served) and marked where need is high, with the
 * number of local services written in it. A grid rather than a map: localities are the authority's
 * own and have no published boundaries, and the grid reads the same on a phone.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { formatNumber } from '../web/format.js';
import { coreOfferStrandLabel } from './core-offer.js';
import type { CoverageCell, OfferCoverage } from './coverage.js';

export const coverageStates = {
  flagged: { label: 'Thin offer where need is high', colour: '#d4351c' },
  thin: { label: 'Thin offer', colour: '#f47738' },
  served: { label: 'Served', colour: '#00703c' },
} as const;
type CoverageState = keyof typeof coverageStates;

export function stateOf(cell: CoverageCell): CoverageState {
  return cell.flagged ? 'flagged' : cell.thin ? 'thin' : 'served';
}

/** The rate as a person reads it: "4.2 per 1,000", or why there is none. */
export function rateText(rate: number | null): string {
  return rate === null ? 'No vulnerable children counted' : `${formatNumber(rate, 1)} per 1,000`;
}

/** Short strand names for the chart's axis, so five columns fit a phone's width. */
const shortLabels: Record<string, string> = {
  childcare: 'Childcare',
  'varied-activities': 'Activities',
  'parenting-support': 'Parenting',
  'swift-access': 'Specialist access',
  'community-access': 'Community',
};

export function coverageFigure(coverage: OfferCoverage, where: string): ChartFigure {
  const values = coverage.cells.map((cell) => ({
    locality: cell.locality,
    strand: shortLabels[cell.strand] ?? coreOfferStrandLabel(cell.strand),
    state: coverageStates[stateOf(cell)].label,
    services: cell.services.length,
  }));
  const states = Object.values(coverageStates);
  const strandOrder = coverage.strands.map((strand) => shortLabels[strand.strand] ?? strand.label);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: Math.max(240, strandOrder.length * 64),
    height: Math.max(80, coverage.localities.length * 40),
    data: { values },
    encoding: {
      x: { field: 'strand', type: 'nominal', sort: strandOrder, title: null, axis: { labelAngle: -30, labelLimit: 120, orient: 'top' } },
      y: { field: 'locality', type: 'nominal', title: null, axis: { labelLimit: 140 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'state',
            type: 'nominal',
            scale: { domain: states.map((state) => state.label), range: states.map((state) => state.colour) },
            legend: { title: 'The offer', orient: 'bottom', direction: 'vertical' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 14, fontWeight: 'bold', color: 'white' },
        encoding: { text: { field: 'services', type: 'quantitative' } },
      },
    ],
    config: { view: { stroke: null }, axis: { labelColor: chartColours.text, labelFontSize: 12, domain: false, ticks: false } },
  };
  const rows: FigureCell[][] = coverage.cells.map((cell) => [cell.locality, coreOfferStrandLabel(cell.strand), cell.services.length, rateText(cell.perThousandVulnerable), coverageStates[stateOf(cell)].label]);
  const flagged = coverage.cells.filter((cell) => cell.flagged).length;
  return {
    id: 'coverage',
    title: `The core offer in ${where}’s localities`,
    summary:
      flagged === 0
        ? 'Each square is a locality and a strand of the core offer, with the number of services at locations there. No locality with high need has a thin offer.'
        : `Each square is a locality and a strand of the core offer, with the number of services at locations there. ${flagged === 1 ? 'One square is red' : `${formatNumber(flagged)} squares are red`}: the offer is thin where need is high.`,
    description: `Grid of ${coverage.localities.length} localities by the ${coverage.strands.length} strands of the core offer, each square showing the number of local services and coloured by whether the offer is thin where need is high, thin, or served. The table below gives the same figures.`,
    spec,
    table: { caption: `Local services by locality and strand of the core offer, ${where}`, head: ['Locality', 'Strand', 'Local services', 'Per 1,000 vulnerable children', 'The offer'], rows, rowHeaders: true },
  };
}
