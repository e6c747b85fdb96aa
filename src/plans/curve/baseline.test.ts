import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../web/charts.js';
import type { GapCell } from '../../gaps/matrix.js';
import { baselineFigure, baselineOf } from './baseline.js';

function cell(year: number, value: number | null, interval?: [number, number]): GapCell {
  return {
    group: 'young-carers',
    group_label: 'Young carers',
    indicator: 'ks2_rwm_expected',
    outcome: 'enjoy-and-achieve',
    year: `${year}/${String((year + 1) % 100).padStart(2, '0')}`,
    group_count: 100,
    group_value: value,
    group_lower: interval?.[0] ?? null,
    group_upper: interval?.[1] ?? null,
    comparator: 'all-other',
    comparator_count: 1000,
    comparator_value: 60,
    comparator_lower: null,
    comparator_upper: null,
    gap: value === null ? null : value - 60,
    gap_lower: null,
    gap_upper: null,
    significant: null,
    trend: 'not-enough-data',
    suppressed: false,
    unknown_count: 0,
    value_type: 'percentage',
    polarity: 'higher-is-better',
  } as GapCell;
}

describe('the turn-the-curve baseline', () => {
  it('forecasts by least squares with the textbook prediction interval (worked by hand)', () => {
    // Values 1, 3, 2, 4 in years 1..4: slope 0.8, intercept 0.5, s² = 1.8/2 = 0.9.
    // At year 5: 4.5 ± t(0.975, 2) √(0.9 (1 + 1/4 + 2.5²/5)) = 4.5 ± 4.302653 × 1.5.
    const baseline = baselineOf([cell(2001, 1), cell(2002, 3), cell(2003, 2), cell(2004, 4)], null);
    const first = baseline.points.find((point) => point.kind === 'forecast')!;
    expect(first.year).toBe(2005);
    expect(first.value).toBeCloseTo(4.5, 10);
    expect(first.lower).toBeCloseTo(4.5 - 4.302653 * 1.5, 5);
    expect(first.upper).toBeCloseTo(4.5 + 4.302653 * 1.5, 5);
    expect(baseline.points.filter((point) => point.kind === 'forecast').map((point) => point.year)).toEqual([2005, 2006, 2007]);
    // The gap forecast runs parallel: the comparator is 60 every year.
    expect(first.gap).toBeCloseTo(4.5 - 60, 10);
  });

  it('weights each year by its precision when every year has an interval', () => {
    // A year with a wide interval barely moves the line drawn through two precise ones.
    const precise = baselineOf([cell(2001, 10, [9.9, 10.1]), cell(2002, 50, [0, 100]), cell(2003, 12, [11.9, 12.1])], null);
    expect(precise.points.find((point) => point.year === 2004)!.value).toBeCloseTo(13, 1);
  });

  it('looks as far as the target (at most five years), and needs three years to forecast', () => {
    const series = [cell(2021, 40), cell(2022, 42), cell(2023, 45)];
    expect(baselineOf(series, 2027).points.at(-1)!.year).toBe(2027);
    expect(baselineOf(series, 2040).points.at(-1)!.year).toBe(2028);
    const short = baselineOf(series.slice(0, 2), null);
    expect(short.forecastable).toBe(false);
    expect(short.points.filter((point) => point.kind === 'forecast').every((point) => point.value === null)).toBe(true);
  });

  it('keeps a forecast within what the measure can be', () => {
    const rising = baselineOf([cell(2021, 80), cell(2022, 90), cell(2023, 99)], null, { min: 0, max: 100 });
    for (const point of rising.points) {
      for (const value of [point.value, point.lower, point.upper]) if (value !== null) expect(value).toBeLessThanOrEqual(100);
    }
  });

  it('forecasts a straight line exactly, whatever the line (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 20, max: 80, noNaN: true }), (slope, start) => {
        const series = [0, 1, 2, 3].map((step) => cell(2020 + step, start + slope * step));
        const forecast = baselineOf(series, null).points.filter((point) => point.kind === 'forecast');
        forecast.forEach((point, index) => expect(point.value).toBeCloseTo(start + slope * (4 + index), 6));
      }),
    );
  });

  it('makes a figure whose table holds every point and whose chart renders', async () => {
    const baseline = baselineOf([cell(2021, 40, [35, 45]), cell(2022, 42, [37, 47]), cell(2023, 45, [40, 50])], 2026);
    const figure = baselineFigure(baseline, { groupLabel: 'Young carers', measureLabel: 'Reached the expected standard', percentage: true, targetValue: 55, targetYear: 2026 });
    expect(figure.table.rows.map((row) => [row[0], row[1]])).toEqual([
      ['2021/22', 'Observed'],
      ['2022/23', 'Observed'],
      ['2023/24', 'Observed'],
      ['2024/25', 'Forecast'],
      ['2025/26', 'Forecast'],
      ['2026/27', 'Forecast'],
    ]);
    expect(figure.summary).toContain('The target is 55.0% by 2026/27.');
    const svg = await renderChart(figure.spec, figure.description);
    expect(svg).toMatch(/^<svg role="img" aria-label="Young carers/);
    expect(svg).toContain('Target');
  });
});
