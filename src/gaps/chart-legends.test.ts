import { describe, expect, it } from 'vitest';
import { legendAndDrawnSeries } from '../../test/support/chart-legends.js';
import { measures } from '../ingest/child-standard.js';
import { benchmarkChartSpec } from './benchmark-figure.js';
import type { IndicatorSeries } from './indicator-page.js';
import { gapFigure, groupAndComparatorFigure } from './indicator-page.js';
import type { GapCell } from './matrix.js';
import { baselineFigure } from '../plans/curve/baseline.js';
import type { BaselinePoint } from '../plans/curve/baseline.js';
import type { SettingsFunnel } from './settings-funnel.js';
import { funnelFigure } from './settings-funnel.js';

const measure = measures.find((entry) => entry.name === 'ks2_rwm_expected')!;

function cell(year: string, fields: Partial<GapCell> = {}): GapCell {
  return {
    group: 'young-carers', group_label: 'Young carers', indicator: measure.name, outcome: measure.outcome, year,
    group_count: 40, group_value: 45, group_lower: 30, group_upper: 60,
    comparator: 'all-other', comparator_count: 400, comparator_value: 60, comparator_lower: 55, comparator_upper: 65,
    gap: -15, gap_lower: -30, gap_upper: -1, significant: true, trend: 'not-enough-data', suppressed: false, unknown_count: 0,
    value_type: 'percentage', polarity: 'higher-is-better', comparator_note: null, comparator_source: null, suppressed_reason: null,
    ...fields,
  };
}

/** Only what the two indicator-page figures read from a series. */
function series(cells: GapCell[]): IndicatorSeries {
  return { cells, latest: cells.at(-1)!, measure, authorityName: 'Leeds', suppress: false } as unknown as IndicatorSeries;
}

const noEngland = { comparator: 'england', comparator_count: null, comparator_value: null, comparator_lower: null, comparator_upper: null, gap: null, gap_lower: null, gap_upper: null, significant: null, comparator_note: 'no published statistic measures this indicator in the same way' } as const;

function funnel(fields: Partial<SettingsFunnel>): SettingsFunnel {
  const limits = (children: number) => ({ children, lower95: 40, upper95: 70, lower998: 30, upper998: 80 });
  return {
    laCode: 'E08000035', year: 2023, measure, group: { id: 'young-carers', label: 'Young carers' }, valueType: 'percentage', target: 55, standardDeviation: null, childrenWithoutSetting: 0,
    settings: [10, 20].map((children, index) => ({ urn: 100000 + index, name: `School ${index + 1}`, kind: 'school', children, value: 50 + index, limits: limits(children), position: 'within' as const, withheld: null })),
    lines: [limits(10), limits(20)],
    released: false,
    ...fields,
  };
}

function baselinePoint(year: number, kind: BaselinePoint['kind'], value: number | null): BaselinePoint {
  return { year, kind, value, lower: value === null ? null : value - 5, upper: value === null ? null : value + 5, gap: null, gapLower: null, gapUpper: null, count: 40 };
}

/*
 * Every chart builder, in the cases where a series may have nothing to draw: the legend lists
 * exactly the series drawn, no more (an entry for a comparator without data) and no fewer.
 */
describe('chart legends list exactly the series drawn', () => {
  const cases: [string, () => Promise<{ spec: Parameters<typeof legendAndDrawnSeries>[0] }> | { spec: Parameters<typeof legendAndDrawnSeries>[0] }, string[]][] = [
    ['the group and its comparator, both with figures', () => groupAndComparatorFigure(series([cell('2022/23'), cell('2023/24')])), ['All other children', 'Young carers']],
    ['the group against England where England has no figure', () => groupAndComparatorFigure(series([cell('2022/23', noEngland), cell('2023/24', noEngland)])), ['Young carers']],
    ['the group against England with a figure in one year only', () => groupAndComparatorFigure(series([cell('2022/23', noEngland), cell('2023/24', { comparator: 'england', comparator_value: 60, comparator_lower: null, comparator_upper: null })])), ['The same group in England (published)', 'Young carers']],
    ['the gap, one series and no legend', () => gapFigure(series([cell('2022/23'), cell('2023/24')])), []],
    [
      'the benchmarks where the region has no figure',
      () => ({
        spec: benchmarkChartSpec(
          ['2022/23', '2023/24'].flatMap((year) => [
            { year, series: 'Leeds', value: 45, lower: 40, upper: 50, tip: null },
            { year, series: 'England', value: 60, lower: null, upper: null, tip: null },
            { year, series: 'Yorkshire and The Humber', value: null, lower: null, upper: null, tip: null },
          ]),
          ['Leeds', 'England', 'Yorkshire and The Humber'],
          'Per cent',
        ),
      }),
      ['England', 'Leeds'],
    ],
    ['the settings funnel with its lines and settings', () => funnelFigure(funnel({})), ['95% limits', '99.8% limits', 'Schools', 'The authority as a whole']],
    [
      'the settings funnel when every setting is withheld',
      () => funnelFigure(funnel({ settings: funnel({}).settings.map((setting) => ({ ...setting, children: null, value: null, limits: null, position: null, withheld: 'small-number' as const })) })),
      ['95% limits', '99.8% limits', 'The authority as a whole'],
    ],
    ['the baseline with two years and no target', () => baselineFigure({ points: [baselinePoint(2022, 'observed', 40), baselinePoint(2023, 'observed', 42)], forecastable: false }, { groupLabel: 'Young carers', measureLabel: measure.label, percentage: true, targetValue: null, targetYear: null }), ['Observed']],
    [
      'the baseline with a forecast and a target',
      () =>
        baselineFigure(
          { points: [baselinePoint(2021, 'observed', 40), baselinePoint(2022, 'observed', 41), baselinePoint(2023, 'observed', 43), baselinePoint(2024, 'forecast', 44)], forecastable: true },
          { groupLabel: 'Young carers', measureLabel: measure.label, percentage: true, targetValue: 55, targetYear: 2026 },
        ),
      ['Forecast if nothing changes', 'Observed', 'Target'],
    ],
  ];

  it.each(cases)('draws %s with a legend of what it draws', async (_name, build, expected) => {
    const { spec } = await build();
    const { legend, drawn } = await legendAndDrawnSeries(spec);
    expect(drawn).toEqual(expected);
    expect(legend).toEqual(drawn);
  });
});
