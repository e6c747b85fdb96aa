/**
 * `ntg stats sii`, `trend`, `gap-trend` and `forecast`: statistics of a series read from a CSV file, one
 * row per quantile or per period. Columns are found by name; each has an option to rename it, whose
 * default is the name documented in docs/methods.md.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { forecastLinear, gapTrend, recentTrend, slopeIndexOfInequality } from '../stats/index.js';
import type { ForecastPoint, GapPoint, QuantileValue, TrendPoint } from '../stats/index.js';
import {
  CommandInputError,
  badCell,
  cellText,
  confidenceOption,
  findColumn,
  given,
  optionalColumn,
  parseCount,
  parseNumber,
  parsePeriodList,
  printEstimate,
  printJson,
  readCsv,
  reportInputErrorsAsync,
  required,
  toNumber,
  toPeriod,
} from './stats-support.js';
import type { Where } from './stats-support.js';

export function registerSeriesCommands(stats: Command): void {
  registerSii(stats);
  registerTrend(stats);
  registerGapTrend(stats);
  registerForecast(stats);
}

// ---------------------------------------------------------------------------------------------------
// Columns and cells

/** A column the command reads: its name in the file, the option naming it, and where it is (undefined: absent). */
interface Column {
  readonly name: string;
  readonly option: string;
  readonly index: number | undefined;
}

/** An option naming a column, with the column's usual name as its default. */
function columnOption(flags: string, description: string, name: string): Option {
  return new Option(flags, description).default(name);
}

/**
 * Finds the column named by option `key` (shown as `option`). A required column, or one the user named,
 * must be present; an optional one left at its default name may be absent.
 */
function locate(file: string, header: readonly string[], command: Command, key: string, option: string, need: 'required' | 'optional'): Column {
  const name = String(command.getOptionValue(key));
  const index =
    need === 'required' || given(command, key) ? findColumn(file, header, name, option) : optionalColumn(file, header, name, option);
  return { name, option, index };
}

/** Refuses a column option that the chosen kind of input does not read, so a mistake is not silently ignored. */
function refuseUnused(command: Command, keys: Record<string, string>, why: string): void {
  for (const [key, option] of Object.entries(keys)) {
    if (given(command, key)) throw new CommandInputError(`${option} names a column used only ${why}`);
  }
}

/** A number, or null for a blank cell or an absent column (a missing value, which the statistics handle). */
function numberOrMissing(cells: readonly string[], column: Column, where: Where): number | null {
  if (column.index === undefined) return null;
  const text = cellText(cells, column.index);
  if (text === '') return null;
  const value = toNumber(text);
  if (value === undefined) throw badCell(where, column.name, 'a number, or blank when missing', text);
  return value;
}

/** A number that must be there. */
function requiredNumber(cells: readonly string[], column: Column, where: Where, what: string): number {
  const text = cellText(cells, column.index ?? -1);
  const value = toNumber(text);
  if (value === undefined) throw badCell(where, column.name, what, text);
  return value;
}

function period(cells: readonly string[], column: Column, where: Where): number {
  const text = cellText(cells, column.index ?? -1);
  const value = toPeriod(text);
  if (value === undefined) throw badCell(where, column.name, 'a period such as 2024 or 2023/24', text);
  return value;
}

const periodOption = (): Option => columnOption('--period <column>', 'column of periods: numbers such as 2024, or years such as 2023/24 (read as 2024)', 'period');
const significanceOption = (): Option =>
  new Option('--significance <level>', 'confidence level of the trend test; 0.998 is the Fingertips level (χ² above 9.5495)')
    .argParser(parseNumber)
    .default(0.998);
const intervalConfidenceOption = (): Option =>
  new Option('--interval-confidence <level>', 'confidence level at which the limits in the file were computed, for their standard errors')
    .argParser(parseNumber)
    .default(0.95);
const windowOption = (): Option =>
  new Option('--window <count>', 'how many of the most recent periods to test, at least 3 (Fingertips: 5)').argParser(parseCount).default(5);

// ---------------------------------------------------------------------------------------------------
// sii

interface SiiOptions {
  population: string;
  value: string;
  standardError: string;
  lower: string;
  upper: string;
  valueType: 'normal' | 'rate' | 'proportion';
  confidence: number;
  intervalConfidence: number;
  multiplier: number;
  method: 'simulation' | 'analytic';
  repetitions: number;
  seed: number;
}

function registerSii(stats: Command): void {
  stats
    .command('sii')
    .description('the slope and relative indices of inequality across deprivation quantiles, from a CSV file')
    .argument('<file>', 'CSV file with one row per quantile, most deprived first (5 to 100 rows)')
    .addOption(columnOption('--population <column>', "column of each quantile's population, greater than 0", 'population'))
    .addOption(columnOption('--value <column>', "column of the indicator's value in each quantile; blank when missing", 'value'))
    .addOption(
      columnOption('--standard-error <column>', "column of each value's standard error on the modelling scale (log for rates, logit for proportions)", 'standard_error'),
    )
    .addOption(columnOption('--lower <column>', "column of each value's lower confidence limit, used where no standard error is given", 'lower'))
    .addOption(columnOption('--upper <column>', "column of each value's upper confidence limit", 'upper'))
    .addOption(
      new Option('--value-type <type>', 'normal: values as they are; rate: modelled on the log scale; proportion (0 to 1): logit scale')
        .choices(['normal', 'rate', 'proportion'])
        .default('normal'),
    )
    .addOption(confidenceOption())
    .addOption(intervalConfidenceOption())
    .addOption(
      new Option('--multiplier <number>', 'scale of the SII, e.g. 100 for percentage points; negative also inverts the RII (PHE)')
        .argParser(parseNumber)
        .default(1),
    )
    .addOption(
      new Option('--method <method>', "simulation (PHE's method, seeded) or analytic (delta method)").choices(['simulation', 'analytic']).default('simulation'),
    )
    .addOption(new Option('--repetitions <count>', 'simulation draws, at least 1000').argParser(parseCount).default(100_000))
    .addOption(new Option('--seed <integer>', 'seed of the simulation: the same seed gives the same limits').argParser(parseCount).default(1))
    .addHelpText(
      'after',
      `
Each row needs a population and a value, and a standard error or both limits
(when a row has both, the standard error is used). Other columns are ignored.
Prints the SII as "value", "lower" and "upper", then "rii" (its own value,
lower, upper), "intercept", "relativeRanks", "confidence" and "method".
Messages about "quantile 3" mean the third data row (row 4 of the file).`,
    )
    .action(async (file: string, options: SiiOptions, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        const quantiles: QuantileValue[] = [];
        let columns: Record<'population' | 'value' | 'standardError' | 'lower' | 'upper', Column> | undefined;
        await readCsv(file, {
          header(cells) {
            columns = {
              population: locate(file, cells, command, 'population', '--population', 'required'),
              value: locate(file, cells, command, 'value', '--value', 'required'),
              standardError: locate(file, cells, command, 'standardError', '--standard-error', 'optional'),
              lower: locate(file, cells, command, 'lower', '--lower', 'optional'),
              upper: locate(file, cells, command, 'upper', '--upper', 'optional'),
            };
            const { standardError, lower, upper } = columns;
            if (standardError.index === undefined && (lower.index === undefined || upper.index === undefined)) {
              const available = cells.map((column) => JSON.stringify(column.trim())).join(', ');
              throw new CommandInputError(
                `${file} needs a column ${JSON.stringify(standardError.name)} (--standard-error), or columns ` +
                  `${JSON.stringify(lower.name)} and ${JSON.stringify(upper.name)} (--lower, --upper); its columns are ${available}`,
              );
            }
          },
          row(cells, where) {
            const c = columns as NonNullable<typeof columns>;
            quantiles.push({
              population: requiredNumber(cells, c.population, where, "the quantile's population, a number"),
              value: numberOrMissing(cells, c.value, where),
              standardError: numberOrMissing(cells, c.standardError, where),
              lower: numberOrMissing(cells, c.lower, where),
              upper: numberOrMissing(cells, c.upper, where),
            });
          },
        });
        const { valueType, confidence, intervalConfidence, multiplier, method, repetitions, seed } = options;
        const { sii, ...details } = slopeIndexOfInequality(quantiles, {
          valueType,
          confidence,
          intervalConfidence,
          multiplier,
          method,
          repetitions,
          seed,
        });
        printEstimate({ ...sii, ...details });
      });
    });
}

// ---------------------------------------------------------------------------------------------------
// trend and gap-trend

interface TrendCommandOptions {
  valueType: 'proportion' | 'other';
  significance: number;
  intervalConfidence: number;
  window: number;
}

function registerTrend(stats: Command): void {
  stats
    .command('trend')
    .description("a series' recent trend by the Fingertips trend-marker method, from a CSV file with one row per period")
    .argument('<file>', 'CSV file with one row per period, in any order')
    .addOption(
      required('--value-type <type>', "proportion: counts, as PHE's assign_trend_markers (Armitage's χ² for significance, the slope of the log-odds for direction); other: values with limits, weighted regression").choices([
        'proportion',
        'other',
      ]),
    )
    .addOption(periodOption())
    .addOption(columnOption('--numerator <column>', 'with proportion: column of numerators', 'numerator'))
    .addOption(columnOption('--denominator <column>', 'with proportion: column of denominators', 'denominator'))
    .addOption(columnOption('--value <column>', 'with other: column of values', 'value'))
    .addOption(columnOption('--lower <column>', 'with other: column of lower confidence limits', 'lower'))
    .addOption(columnOption('--upper <column>', 'with other: column of upper confidence limits', 'upper'))
    .addOption(significanceOption())
    .addOption(intervalConfidenceOption())
    .addOption(windowOption())
    .addHelpText(
      'after',
      `
A blank cell is a missing value: when it falls in the window the trend is
"not-enough-data", as Fingertips shows "cannot be calculated". Prints
{"trend","reason","slope","chiSquare","pValue","threshold","periods"}; trend is
increasing, decreasing, no-significant-change or not-enough-data.`,
    )
    .action(async (file: string, options: TrendCommandOptions, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        const proportions = options.valueType === 'proportion';
        if (proportions) refuseUnused(command, { value: '--value', lower: '--lower', upper: '--upper' }, 'with --value-type other');
        else refuseUnused(command, { numerator: '--numerator', denominator: '--denominator' }, 'with --value-type proportion');
        const names: Record<string, string> = proportions ? { numerator: '--numerator', denominator: '--denominator' } : { value: '--value', lower: '--lower', upper: '--upper' };
        const points = await readSeries<TrendPoint>(file, command, names);
        const { valueType, significance, intervalConfidence, window } = options;
        printJson(recentTrend(points, { valueType, significance, intervalConfidence, window }));
      });
    });
}

function registerGapTrend(stats: Command): void {
  stats
    .command('gap-trend')
    .description('whether a gap is narrowing or widening, from a CSV file of the gap and its interval per period')
    .argument('<file>', 'CSV file with one row per period, in any order')
    .addOption(periodOption())
    .addOption(columnOption('--value <column>', 'column of the gap (group minus comparator, signed), e.g. from ntg stats gap', 'value'))
    .addOption(columnOption('--lower <column>', "column of the gap's lower confidence limits", 'lower'))
    .addOption(columnOption('--upper <column>', "column of the gap's upper confidence limits", 'upper'))
    .addOption(significanceOption())
    .addOption(intervalConfidenceOption())
    .addOption(windowOption())
    .addHelpText(
      'after',
      `
Prints {"trend","fittedStart","fittedEnd","reversed","slope","chiSquare",
"pValue","threshold","periods","reason"}; trend is narrowing, widening,
no-significant-change or not-enough-data; reversed is true when the fitted gap
changes sign within the window.`,
    )
    .action(async (file: string, options: Omit<TrendCommandOptions, 'valueType'>, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        const points = await readSeries<GapPoint>(file, command, { value: '--value', lower: '--lower', upper: '--upper' });
        const { significance, intervalConfidence, window } = options;
        printJson(gapTrend(points, { significance, intervalConfidence, window }));
      });
    });
}

/** A row of a series: its period and the numbers read (null for a blank cell or an absent optional column). */
type SeriesRow = { period: number } & Record<string, number | null>;

/**
 * Reads a series: a period column (required, never blank), the required number columns and the optional
 * ones (blank cells are missing values). Each row is an object with `period` and one property per column,
 * keyed by the option's key; the keys are the statistics' own field names, so a row is a point of type T
 * (TrendPoint, GapPoint or ForecastPoint) when the columns asked for are that type's fields.
 */
async function readSeries<T extends { period: number }>(
  file: string,
  command: Command,
  requiredColumns: Record<string, string>,
  optionalColumns: Record<string, string> = {},
): Promise<T[]> {
  const rows: T[] = [];
  let periodColumn: Column | undefined;
  const columns: [string, Column][] = [];
  await readCsv(file, {
    header(cells) {
      periodColumn = locate(file, cells, command, 'period', '--period', 'required');
      for (const [key, option] of Object.entries(requiredColumns)) columns.push([key, locate(file, cells, command, key, option, 'required')]);
      for (const [key, option] of Object.entries(optionalColumns)) columns.push([key, locate(file, cells, command, key, option, 'optional')]);
    },
    row(cells, where) {
      const row: SeriesRow = { period: period(cells, periodColumn as Column, where) };
      for (const [key, column] of columns) row[key] = numberOrMissing(cells, column, where);
      rows.push(row as unknown as T);
    },
  });
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// forecast

function registerForecast(stats: Command): void {
  stats
    .command('forecast')
    .description('straight-line forecasts with prediction intervals ("if nothing changes"), from a CSV file with one row per period')
    .argument('<file>', 'CSV file with one row per period, in any order')
    .addOption(periodOption())
    .addOption(columnOption('--value <column>', 'column of values; blank when missing (skipped)', 'value'))
    .addOption(columnOption('--weight <column>', 'optional column of relative weights, e.g. 1/SE²; blank or absent means 1', 'weight'))
    .addOption(
      new Option('--horizon <list>', 'periods ahead of the latest period in the file, comma-separated, e.g. 1,2,3')
        .argParser(parseHorizons)
        .conflicts('periods'),
    )
    .addOption(new Option('--periods <list>', 'future periods to forecast, comma-separated, e.g. 2026,2027 or 2025/26').argParser(parsePeriodList))
    .addOption(confidenceOption())
    .addHelpText(
      'after',
      `
Give --horizon or --periods. Prints {"confidence","forecasts":[{"period","value",
"lower","upper","lineLower","lineUpper"}]}: lower and upper bound where the
observed value is expected to fall (prediction interval), lineLower and
lineUpper the fitted line itself. Fewer than 3 values give null forecasts.`,
    )
    .action(async (file: string, options: { horizon?: number[]; periods?: number[]; confidence: number }, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        if (options.horizon === undefined && options.periods === undefined) {
          throw new CommandInputError('give --horizon (periods ahead of the latest period in the file) or --periods');
        }
        const points = await readSeries<ForecastPoint>(file, command, { value: '--value' }, { weight: '--weight' });
        let horizons = options.periods;
        if (horizons === undefined) {
          if (points.length === 0) throw new CommandInputError(`${file} has no rows, so --horizon has no latest period to count from`);
          const latest = Math.max(...points.map((point) => point.period));
          horizons = (options.horizon as number[]).map((ahead) => latest + ahead);
        }
        printJson({ confidence: options.confidence, forecasts: forecastLinear(points, horizons, { confidence: options.confidence }) });
      });
    });
}

function parseHorizons(text: string): number[] {
  return text.split(',').map((item, index) => {
    const value = toNumber(item);
    if (value === undefined || !(value > 0)) {
      throw new InvalidArgumentError(`item ${index + 1} (${JSON.stringify(item.trim())}) is not a number of periods ahead greater than 0`);
    }
    return value;
  });
}
