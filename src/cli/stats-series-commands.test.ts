import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecastLinear, gapTrend, recentTrend, slopeIndexOfInequality } from '../stats/index.js';
import type { QuantileValue } from '../stats/index.js';
import { temporaryFiles } from '../../test/support/files.js';
import { runNtg, statsRefusal, printed } from '../../test/support/cli.js';

type Printed = Record<string, unknown> & { value?: number | null; lower?: number | null; upper?: number | null };

/** Runs a stats command that should succeed and returns the one JSON object it printed, on one line. */
async function statsJson(...argv: string[]): Promise<Printed> {
  const result = await runNtg('stats', ...argv);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const lines = result.out.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Printed;
}

/** Runs a stats command that should be refused and returns its one-line message. */
/** Asserts a number to a relative tolerance. */
function expectNear(actual: unknown, expected: number, relative = 1e-10): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

const csv = temporaryFiles('ntg-series-');

// PHEindicatormethods phe_sii documentation example, "Area1": population, value and standard error by decile,
// most deprived first. Reference values (src/stats/inequality.test.ts): an independent numpy least-squares fit.
const area1: [number, number, number][] = [
  [7291, 75.9, 1.64],
  [7997, 78.3, 1.58],
  [6105, 83.8, 1.51],
  [7666, 83.6, 1.78],
  [5790, 80.5, 1.7],
  [6934, 81.1, 1.56],
  [5918, 81.7, 1.37],
  [5974, 84.2, 1.4],
  [7147, 80.6, 2.43],
  [7534, 86.3, 1.57],
];
const area1Quantiles: QuantileValue[] = area1.map(([population, value, standardError]) => ({ population, value, standardError, lower: null, upper: null }));
const area1Csv = `decile,population,value,standard_error\n${area1.map((row, i) => `${i + 1},${row.join(',')}`).join('\n')}\n`;

/** The SII as the command prints it: the SII's value, lower and upper first, then the rest of the result. */
function siiAsPrinted(quantiles: readonly QuantileValue[], options: Parameters<typeof slopeIndexOfInequality>[1]): unknown {
  const { sii, ...details } = slopeIndexOfInequality(quantiles, options);
  return printed({ ...sii, ...details });
}

describe('ntg stats sii', () => {
  it('prints the SII, RII and intercept of the PHE example matching an independent least-squares fit', async () => {
    const file = csv('area1.csv', area1Csv);
    const json = await statsJson('sii', file, '--method', 'analytic');
    expect(Object.keys(json).slice(0, 3)).toEqual(['value', 'lower', 'upper']);
    expect(json).toEqual(siiAsPrinted(area1Quantiles, { method: 'analytic' }));
    expectNear(json.value, 7.00023476007992);
    expectNear(json.lower, 3.153428895451977);
    expectNear(json.upper, 10.847040624707862);
    expectNear((json.rii as { value: number }).value, 1.0897097049119417);
    expectNear(json.intercept, 78.03207876952992);
    expect(json).toMatchObject({ confidence: 0.95, method: 'analytic' });
  });

  it('recovers the slope of exactly linear quintiles, computed by hand', async () => {
    // Equal populations give relative ranks 0.1, 0.3, 0.5, 0.7, 0.9; values 50 + 10 × rank lie on a line with
    // intercept 50 and slope 10, so SII = 10 and RII = (50 + 10)/50 = 1.2.
    const file = csv('linear.csv', 'quintile,pop,rate,se\n1,200,51,1\n2,200,53,1\n3,200,55,1\n4,200,57,1\n5,200,59,1\n');
    const json = await statsJson('sii', file, '--population', 'pop', '--value', 'rate', '--standard-error', 'se', '--method', 'analytic');
    expectNear(json.value, 10, 1e-12);
    expectNear((json.rii as { value: number }).value, 1.2, 1e-12);
    expectNear(json.intercept, 50, 1e-12);
    expect((json.relativeRanks as number[]).map((rank) => rank.toFixed(12))).toEqual(['0.100000000000', '0.300000000000', '0.500000000000', '0.700000000000', '0.900000000000']);
  });

  it('gives a seeded simulation that repeats exactly and agrees with the analytic interval', async () => {
    const file = csv('area1-sim.csv', area1Csv);
    const first = await statsJson('sii', file, '--seed', '7', '--repetitions', '20000');
    const second = await statsJson('sii', file, '--seed', '7', '--repetitions', '20000');
    expect(second).toEqual(first);
    expect(first).toEqual(siiAsPrinted(area1Quantiles, { seed: 7, repetitions: 20_000 }));
    // Monte Carlo error of the 2.5th and 97.5th percentiles with 20,000 draws is about 0.05 here.
    expect(Math.abs((first.lower as number) - 3.153428895451977)).toBeLessThan(0.2);
    expect(Math.abs((first.upper as number) - 10.847040624707862)).toBeLessThan(0.2);
    expect(first.method).toBe('simulation');
  });

  it('uses 95% limits for the standard errors, on the log scale for rates, as the stats module does', async () => {
    const rows = area1.map(([population, value]) => ({ population, value, lower: value / 1.1, upper: value * 1.1 }));
    const file = csv('rates.csv', `population,value,lower,upper\n${rows.map((r) => `${r.population},${r.value},${r.lower},${r.upper}`).join('\n')}\n`);
    const json = await statsJson('sii', file, '--value-type', 'rate', '--method', 'analytic', '--multiplier', '-1', '--confidence', '0.998');
    const quantiles = rows.map((r) => ({ ...r, standardError: null }));
    expect(json).toEqual(siiAsPrinted(quantiles, { valueType: 'rate', method: 'analytic', multiplier: -1, confidence: 0.998 }));
    expectNear(json.value, -7.00023476007992);
  });

  it('prints a missing result when a quantile has no value, as the stats module does', async () => {
    const file = csv('gap.csv', area1Csv.replace('4,7666,83.6,1.78', '4,7666,,1.78'));
    const json = await statsJson('sii', file);
    expect(json).toMatchObject({ value: null, lower: null, upper: null, rii: { value: null, lower: null, upper: null } });
  });

  it('refuses too few quantiles and an out-of-range proportion with the stats message on one line', async () => {
    const four = csv('four.csv', area1Csv.split('\n').slice(0, 5).join('\n'));
    expect(await statsRefusal('sii', four)).toBe('ntg: an SII needs between 5 and 100 quantiles (got 4)');
    const file = csv('percent.csv', area1Csv);
    expect(await statsRefusal('sii', file, '--value-type', 'proportion')).toBe(
      'ntg: a proportion must be strictly between 0 and 1 for the logit scale (quantile 1 got 75.9)',
    );
  });

  it('refuses a file with neither standard errors nor both limits on one line, naming the columns', async () => {
    const file = csv('no-se.csv', 'decile,population,value,lower\n1,10,3,2\n');
    expect(await statsRefusal('sii', file)).toBe(
      `ntg: ${file} needs a column "standard_error" (--standard-error), or columns "lower" and "upper" (--lower, --upper); ` +
        'its columns are "decile", "population", "value", "lower"',
    );
  });

  it('refuses a cell that is not a number and a blank population on one line, naming the row and column', async () => {
    const bad = csv('bad-value.csv', area1Csv.replace('78.3', 'n/a'));
    expect(await statsRefusal('sii', bad)).toBe(`ntg: ${bad}, row 3, column "value": expected a number, or blank when missing (got "n/a")`);
    const blank = csv('blank-population.csv', area1Csv.replace('5790', ''));
    expect(await statsRefusal('sii', blank)).toBe(
      `ntg: ${blank}, row 6, column "population": expected the quantile's population, a number (got "")`,
    );
  });

  it('refuses a column named by an option that the file lacks, and an unknown value type, on one line', async () => {
    const file = csv('area1-names.csv', area1Csv);
    expect(await statsRefusal('sii', file, '--lower', 'lcl')).toBe(
      `ntg: ${file} has no column "lcl" (--lower); its columns are "decile", "population", "value", "standard_error"`,
    );
    expect(await statsRefusal('sii', file, '--value-type', 'count')).toMatch(
      /^ntg: option '--value-type <type>' argument 'count' is invalid. Allowed choices are normal, rate, proportion\./,
    );
    expect(await statsRefusal('sii', file, '--repetitions', '10')).toBe(
      'ntg: the simulation needs a whole number of at least 1000 repetitions (got 10)',
    );
  });

  it('refuses a missing file on one line', async () => {
    const file = join(tmpdir(), 'ntg-no-such-folder', 'nowhere.csv');
    expect(await statsRefusal('sii', file)).toBe(`ntg: cannot read ${file}: no such file`);
  });
});

// PHEindicatormethods assign_trend_markers documentation example: numerators, denominators, and the value
// (per cent) with its 95% limits. References (src/stats/trend.test.ts, mpmath): proportions
// β = −0.0017427638408979314, χ² = 47.896676707589116; weighted regression β = −1.7515662226629496,
// χ² = 46.763597160549599; both decreasing.
const pheSeries = [
  { period: 1, numerator: 1367, denominator: 44701, value: 30.6, lower: 28.98, upper: 32.25 },
  { period: 2, numerator: 1332, denominator: 44064, value: 30.2, lower: 28.63, upper: 31.9 },
  { period: 3, numerator: 1199, denominator: 42811, value: 28, lower: 26.44, upper: 29.64 },
  { period: 4, numerator: 1023, denominator: 41527, value: 24.6, lower: 23.15, upper: 26.19 },
  { period: 5, numerator: 994, denominator: 40299, value: 24.67, lower: 23.16, upper: 26.25 },
];
const pheCsv = `period,numerator,denominator,value,lower,upper\n${pheSeries
  .map((p) => [p.period, p.numerator, p.denominator, p.value, p.lower, p.upper].join(','))
  .join('\n')}\n`;

describe('ntg stats trend', () => {
  it("finds the PHE example decreasing as PHE's assign_trend_markers does, matching the independent reference", async () => {
    const file = csv('phe.csv', pheCsv);
    const json = await statsJson('trend', file, '--value-type', 'proportion');
    const points = pheSeries.map(({ period, numerator, denominator }) => ({ period, numerator, denominator }));
    expect(json).toEqual(printed(recentTrend(points, { valueType: 'proportion' })));
    expect(json.trend).toBe('decreasing');
    // The slope of the log-odds (PHE's direction); χ² is Armitage's (src/stats/reference/phe-trend-markers.json).
    expectNear(json.slope, -0.0652496407789835);
    expectNear(json.chiSquare, 47.896676707589116);
    expectNear(json.threshold, 9.549535706083244);
  });

  it('finds the PHE example decreasing by weighted regression on values and limits', async () => {
    const file = csv('phe-other.csv', pheCsv);
    const json = await statsJson('trend', file, '--value-type', 'other');
    const points = pheSeries.map(({ period, value, lower, upper }) => ({ period, value, lower, upper }));
    expect(json).toEqual(printed(recentTrend(points, { valueType: 'other' })));
    expect(json.trend).toBe('decreasing');
    expectNear(json.slope, -1.7515662226629496);
    expectNear(json.chiSquare, 46.7635971605496);
  });

  it("matches R's prop.trend.test on its documented example, with renamed columns, a window of 4 and years like 2020/21", async () => {
    // R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82)) → X-squared = 8.2249, p-value = 0.004132;
    // below Fingertips' 99.8% threshold, so no significant change. Years 2020/21… are read as 2021…, equally spaced.
    const file = csv('smokers.csv', 'year,smokers,patients\n2022/23,129,136\n2020/21,83,86\n2021/22,90,93\n2023/24,70,82\n');
    const json = await statsJson(
      'trend', file, '--value-type', 'proportion', '--period', 'year', '--numerator', 'smokers', '--denominator', 'patients', '--window', '4',
    );
    expect(json.periods).toEqual([2021, 2022, 2023, 2024]);
    expect((json.chiSquare as number).toFixed(4)).toBe('8.2249');
    expect((json.pValue as number).toFixed(6)).toBe('0.004132');
    expect(json.trend).toBe('no-significant-change');
    const at95 = await statsJson(
      'trend', file, '--value-type', 'proportion', '--period', 'year', '--numerator', 'smokers', '--denominator', 'patients', '--window', '4',
      '--significance', '0.95',
    );
    expect(at95.trend).toBe('decreasing');
  });

  it('reports not enough data for a blank value in the window, as Fingertips does', async () => {
    const file = csv('blank.csv', pheCsv.replace('28,26.44,29.64', ',26.44,29.64'));
    const json = await statsJson('trend', file, '--value-type', 'other');
    expect(json).toMatchObject({ trend: 'not-enough-data', reason: 'missing values' });
  });

  it('refuses duplicate periods with the stats message, and a period it cannot read, on one line', async () => {
    const twice = csv('twice.csv', pheCsv.replace(/\n2,/, '\n1,'));
    expect(await statsRefusal('trend', twice, '--value-type', 'proportion')).toBe('ntg: a trend needs distinct periods (got 1 twice)');
    const badYear = csv('bad-year.csv', pheCsv.replace(/\n3,/, '\n2021/23,'));
    expect(await statsRefusal('trend', badYear, '--value-type', 'proportion')).toBe(
      `ntg: ${badYear}, row 4, column "period": expected a period such as 2024 or 2023/24 (got "2021/23")`,
    );
  });

  it('refuses impossible counts with the stats message on one line', async () => {
    const file = csv('too-many.csv', pheCsv.replace('1199,42811', '42812,42811'));
    expect(await statsRefusal('trend', file, '--value-type', 'proportion')).toBe(
      "ntg: a proportion's counts must satisfy 0 ≤ numerator ≤ denominator, denominator > 0 (period 3 got 42812 out of 42811)",
    );
  });

  it('refuses a missing value type, a missing column and a column option the value type does not use, on one line', async () => {
    const file = csv('phe-options.csv', pheCsv);
    expect(await statsRefusal('trend', file)).toMatch(/^ntg: required option '--value-type <type>' not specified/);
    const noLimits = csv('no-limits.csv', 'period,value\n1,2\n');
    expect(await statsRefusal('trend', noLimits, '--value-type', 'other')).toBe(
      `ntg: ${noLimits} has no column "lower" (--lower); its columns are "period", "value"`,
    );
    expect(await statsRefusal('trend', file, '--value-type', 'other', '--numerator', 'numerator')).toBe(
      'ntg: --numerator names a column used only with --value-type proportion',
    );
  });
});

describe('ntg stats gap-trend', () => {
  it('finds a shrinking positive gap narrowing, with the slope and fitted ends computed by hand', async () => {
    // Gaps 10, 8.5, 7, 5.2, 4 with equal widths (so ordinary least squares): mean 6.94, Σ(t − t̄)(y − ȳ) = −15.3,
    // Σ(t − t̄)² = 10, slope −1.53; fitted 6.94 ± 2 × 1.53 = 10 and 3.88 at the ends. SE = 1/(2 × 1.959964),
    // so χ² = 1.53² × 10 × (2 × 1.959964)² = 359.70, above 9.5495.
    const gaps = [10, 8.5, 7, 5.2, 4];
    const file = csv('gaps.csv', `year,gap,gap_lower,gap_upper\n${gaps.map((g, i) => `${2019 + i}/${20 + i},${g},${g - 0.5},${g + 0.5}`).join('\n')}\n`);
    const json = await statsJson('gap-trend', file, '--period', 'year', '--value', 'gap', '--lower', 'gap_lower', '--upper', 'gap_upper');
    const points = gaps.map((value, i) => ({ period: 2020 + i, value, lower: value - 0.5, upper: value + 0.5 }));
    expect(json).toEqual(printed(gapTrend(points)));
    expect(json).toMatchObject({ trend: 'narrowing', reversed: false, periods: [2020, 2021, 2022, 2023, 2024] });
    expectNear(json.slope, -1.53);
    expectNear(json.fittedStart, 10);
    expectNear(json.fittedEnd, 3.88);
    expectNear(json.chiSquare, 1.53 ** 2 * 10 * (2 * 1.959963984540054) ** 2, 1e-9);
  });

  it('flags a gap that reverses, and applies a chosen significance level, as the stats module does', async () => {
    const gaps = [5, 3, 1, -1, -2];
    const file = csv('reversing.csv', `period,value,lower,upper\n${gaps.map((g, i) => `${2019 + i},${g},${g - 0.5},${g + 0.5}`).join('\n')}\n`);
    const json = await statsJson('gap-trend', file, '--significance', '0.95', '--window', '4');
    const points = gaps.map((value, i) => ({ period: 2019 + i, value, lower: value - 0.5, upper: value + 0.5 }));
    expect(json).toEqual(printed(gapTrend(points, { significance: 0.95, window: 4 })));
    expect(json.reversed).toBe(true);
  });

  it('refuses limits the wrong way round with the stats message on one line', async () => {
    const file = csv('inverted.csv', 'period,value,lower,upper\n1,3,4,2\n2,3,2,4\n3,3,2,4\n4,3,2,4\n5,3,2,4\n');
    expect(await statsRefusal('gap-trend', file)).toBe(
      'ntg: a trend needs each upper limit above its lower limit (period 1 got 4 to 2)',
    );
  });

  it('refuses a limit that is not a number on one line, naming the row and its file line', async () => {
    // The blank line after the header is skipped, so row 2 is on line 3.
    const file = csv('bad-limit.csv', 'period,value,lower,upper\n\n1,3,about 2,4\n');
    expect(await statsRefusal('gap-trend', file)).toBe(
      `ntg: ${file}, row 2 (line 3), column "lower": expected a number, or blank when missing (got "about 2")`,
    );
  });

  it('refuses a window below 3 with the stats message on one line', async () => {
    const file = csv('short-window.csv', 'period,value,lower,upper\n1,3,2,4\n');
    expect(await statsRefusal('gap-trend', file, '--window', '2')).toBe('ntg: a trend window must be a whole number of at least 3 (got 2)');
  });
});

describe('ntg stats forecast', () => {
  const seriesCsv = 'period,value\n2019,10\n2020,12\n2021,13\n2022,15\n2023,18\n';
  const points = [10, 12, 13, 15, 18].map((value, i) => ({ period: 2019 + i, value, weight: null }));

  it('forecasts two periods ahead with the textbook prediction interval', async () => {
    // Least squares on 2019–2023: ȳ = 13.6, slope Σ(t − t̄)(y − ȳ)/Σ(t − t̄)² = 19/10 = 1.9, so 2025 gives
    // 13.6 + 4 × 1.9 = 21.2. mpmath (src/stats/forecast.test.ts): prediction 17.975400251352998 to
    // 24.424599748647; line 18.614568399518333 to 23.785431600481665.
    const file = csv('series.csv', seriesCsv);
    const json = await statsJson('forecast', file, '--horizon', '2');
    expect(json).toEqual({ confidence: 0.95, forecasts: printed(forecastLinear(points, [2025])) });
    const [f] = json.forecasts as { period: number; value: number; lower: number; upper: number; lineLower: number; lineUpper: number }[];
    expect(f?.period).toBe(2025);
    expectNear(f?.value, 21.2, 1e-12);
    expectNear(f?.lower, 17.975400251352998);
    expectNear(f?.upper, 24.424599748647);
    expectNear(f?.lineLower, 18.614568399518333);
    expectNear(f?.lineUpper, 23.785431600481665);
  });

  it('forecasts named periods, with weights and a 99.8% level, as the stats module computes them', async () => {
    const file = csv('weighted.csv', 'period,value,weight\n2019,10,1\n2020,12,2\n2021,,\n2022,15,4\n2023,18,\n');
    const json = await statsJson('forecast', file, '--periods', '2024/25,2026', '--confidence', '0.998');
    const weighted = [
      { period: 2019, value: 10, weight: 1 },
      { period: 2020, value: 12, weight: 2 },
      { period: 2021, value: null, weight: null },
      { period: 2022, value: 15, weight: 4 },
      { period: 2023, value: 18, weight: null },
    ];
    expect(json).toEqual({ confidence: 0.998, forecasts: printed(forecastLinear(weighted, [2025, 2026], { confidence: 0.998 })) });
  });

  it('prints null forecasts with fewer than three values, as the stats module does', async () => {
    const file = csv('two.csv', 'period,value\n2019,10\n2020,\n2021,12\n');
    const json = await statsJson('forecast', file, '--horizon', '1');
    expect(json.forecasts).toEqual([{ period: 2022, value: null, lower: null, upper: null, lineLower: null, lineUpper: null }]);
  });

  it('refuses neither or both of --horizon and --periods, and a horizon that is not ahead, on one line', async () => {
    const file = csv('series-options.csv', seriesCsv);
    expect(await statsRefusal('forecast', file)).toBe('ntg: give --horizon (periods ahead of the latest period in the file) or --periods');
    expect(await statsRefusal('forecast', file, '--horizon', '1', '--periods', '2025')).toMatch(
      /^ntg: option '--horizon <list>' cannot be used with option '--periods <list>'/,
    );
    expect(await statsRefusal('forecast', file, '--horizon', '1,0')).toMatch(
      /^ntg: option '--horizon <list>' argument '1,0' is invalid. item 2 \("0"\) is not a number of periods ahead greater than 0/,
    );
  });

  it('refuses a zero weight and duplicate periods with the stats message on one line', async () => {
    const zero = csv('zero-weight.csv', 'period,value,weight\n1,3,0\n2,4,1\n3,5,1\n');
    expect(await statsRefusal('forecast', zero, '--horizon', '1')).toBe('ntg: a weight must be a finite number above 0 (period 1 got 0)');
    const twice = csv('twice.csv', 'period,value\n1,3\n1,4\n2,5\n');
    expect(await statsRefusal('forecast', twice, '--periods', '3')).toBe('ntg: a forecast needs distinct periods (got 1 twice)');
  });

  it('refuses an empty file and an explicitly named weight column that is absent, on one line', async () => {
    const empty = csv('empty.csv', '');
    expect(await statsRefusal('forecast', empty, '--horizon', '1')).toBe(`ntg: ${empty} is empty: expected a header row naming the columns`);
    const headerOnly = csv('header-only.csv', 'period,value\n');
    expect(await statsRefusal('forecast', headerOnly, '--horizon', '1')).toBe(
      `ntg: ${headerOnly} has no rows, so --horizon has no latest period to count from`,
    );
    const file = csv('no-weight.csv', seriesCsv);
    expect(await statsRefusal('forecast', file, '--horizon', '1', '--weight', 'w')).toBe(
      `ntg: ${file} has no column "w" (--weight); its columns are "period", "value"`,
    );
  });
});
