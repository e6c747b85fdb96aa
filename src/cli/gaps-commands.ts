import { Option } from 'commander';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { toCsv } from '../export/csv.js';
import { localAuthorityByGss } from '../areas/areas.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { curveFields } from '../gaps/curves.js';
import type { RankedCurve } from '../gaps/curves.js';
import { DifferencingRefused, GapRequestError, curvesFor, gapCellFields, gapsFor } from '../gaps/service.js';
import { comparators } from '../gaps/matrix.js';
import type { GapCell } from '../gaps/matrix.js';
import { prepareDatabase } from '../service.js';
import { authorityCode } from './import-commands.js';
import { UsageError, configWith } from './program.js';

/** A question refused under --suppress because its answer would give back withheld figures by subtraction. */
export class DisclosureRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisclosureRefusedError';
  }
}

function rounded(value: number | null, places = 1): string {
  return value === null ? '–' : value.toLocaleString('en-GB', { minimumFractionDigits: places, maximumFractionDigits: places });
}

const whole = (value: number | null) => (value === null ? '–' : value.toLocaleString('en-GB'));

const comparatorWords: Record<string, string> = {
  'all-other': 'all other children',
  all: 'all children',
  england: 'the same group in England (published statistics, taken as fixed)',
};

const trendWords: Record<GapCell['trend'], string> = {
  widening: 'widening',
  narrowing: 'narrowing',
  'no-significant-change': 'no significant change',
  'not-enough-data': 'too few years',
};

const measureLabel = new Map(indicators.map((measure) => [measure.name, measure.label]));

/** Columns padded to their widest entry; the numeric ones (by index) to the right. */
function aligned(header: readonly string[], rows: readonly string[][], numeric: ReadonlySet<number>): string[] {
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((text, column) => (numeric.has(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ').trimEnd());
}

function tableLines(cells: readonly GapCell[]): string[] {
  // The reasons a published comparator is missing go last, and only when there are any.
  const withNotes = cells.some((cell) => cell.comparator_note !== null);
  const header = ['Group', 'Indicator', 'Group', 'Children', 'Comparator', 'Children', 'Gap', '95% interval', 'Significant', 'Trend', ...(withNotes ? ['Note'] : [])];
  const rows = cells.map((cell) => [
    cell.group_label,
    measureLabel.get(cell.indicator) ?? cell.indicator,
    rounded(cell.group_value),
    cell.suppressed ? 'c' : whole(cell.group_count),
    rounded(cell.comparator_value),
    cell.suppressed ? 'c' : whole(cell.comparator_count),
    cell.suppressed ? 'c' : rounded(cell.gap),
    cell.gap_lower === null || cell.gap_upper === null ? '–' : `${rounded(cell.gap_lower)} to ${rounded(cell.gap_upper)}`,
    cell.significant === null ? '–' : cell.significant ? 'yes' : 'no',
    trendWords[cell.trend],
    ...(withNotes ? [cell.comparator_note ?? ''] : []),
  ]);
  return aligned(header, rows, new Set([2, 3, 4, 5, 6, 7]));
}

function curveLines(curves: readonly RankedCurve[]): string[] {
  const header = ['Rank', 'Group', 'Indicator', 'Gap', '95% interval', 'Significant', 'Trend', 'Standardised', 'Children to close', 'Score'];
  const rows = curves.map((curve) => [
    String(curve.rank),
    curve.group_label,
    curve.indicator_label,
    rounded(curve.gap),
    curve.gap_lower === null || curve.gap_upper === null ? '–' : `${rounded(curve.gap_lower)} to ${rounded(curve.gap_upper)}`,
    curve.significant === null ? '–' : curve.significant ? 'yes' : 'no',
    trendWords[curve.trend],
    rounded(curve.standardised_gap, 2),
    whole(curve.children_to_close),
    rounded(curve.score, 2),
  ]);
  return aligned(header, rows, new Set([0, 3, 4, 7, 8, 9]));
}

/** The academic year an option names, or undefined for the latest; a UsageError when it is not one. */
function yearOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const year = parseAcademicYear(text);
  if (year === undefined) throw new UsageError(`--year: "${text}" is not an academic year (write 2023/24 or 202324)`);
  return year;
}

/** Runs work against the installation's database, closing it whatever happens. */
async function withDatabase<T>(work: (db: Parameters<typeof gapsFor>[0]) => Promise<T>): Promise<T> {
  const config = configWith({});
  const database = await openDatabase(config);
  try {
    await prepareDatabase(database, config);
    return await work(database.db);
  } finally {
    await database.close();
  }
}

/** Why an answer has no figures, as an operator can act on it. */
function noDataProblem(laCode: string, answer: { year: number | null; years: number[] }): UsageError {
  const held = answer.years.map(formatAcademicYear).join(', ');
  return new UsageError(held === '' ? `no child-level data has been loaded for ${laCode}` : `--year: ${laCode} has no data for ${formatAcademicYear(answer.year ?? 0)} (it has ${held})`);
}

export function registerGapsCommand(program: Command): void {
  const gaps = program
    .command('gaps')
    .description('the gap matrix of an authority for a year: every group against its comparator on every indicator, as the operator (no suppression unless asked)')
    // Not a required option: commander would then ask for it before `ntg gaps curves` too.
    .option('--la <code>', 'the authority: GSS code (E08000035) or DfE number (383) (required)')
    .option('--year <year>', 'academic year, e.g. 2023/24 (default: the latest with data)')
    .option('--indicator <name>', 'one indicator only, e.g. ks2_rwm_expected')
    .option('--group <group>', 'one group or combination only, e.g. children-in-care or poorer-socio-economic-groups&sex:M')
    .addOption(
      new Option(
        '--comparator <comparator>',
        'what each group is compared with: all-other (children known not to be in the group), all (every child), england (the same group in England, from published statistics loaded with `ntg import statistics`) or region (the same group in the authority’s region, from the same statistics)',
      )
        .choices([...comparators])
        .default('all-other'),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--suppress', 'release the figures as viewers without child-level access see them: small numbers withheld, counts rounded to 5')
    .action(async (options: { la?: string; year?: string; indicator?: string; group?: string; comparator: string; format: 'table' | 'csv' | 'json'; suppress?: boolean }) => {
      if (options.la === undefined) throw new UsageError("required option '--la <code>' not specified");
      const laCode = authorityCode(options.la);
      const year = yearOption(options.year);
      await withDatabase(async (db) => {
        let answer;
        try {
          answer = await gapsFor(db, { laCode, year, indicator: options.indicator, group: options.group, comparator: options.comparator, suppress: options.suppress === true });
        } catch (error) {
          if (error instanceof DifferencingRefused) throw new DisclosureRefusedError(`refused with --suppress: ${error.problem}`);
          if (error instanceof GapRequestError) throw new UsageError(`--${error.message}`);
          throw error;
        }
        if (answer.cells.length === 0) throw noDataProblem(laCode, answer);
        if (options.format === 'json') console.log(JSON.stringify(answer.cells, null, 2));
        else if (options.format === 'csv') process.stdout.write(toCsv(gapCellFields, answer.cells.map((cell) => gapCellFields.map((field) => cell[field]))));
        else {
          console.log(`Gaps for ${authorityName(laCode)}, ${formatAcademicYear(answer.year!)}: each group against ${comparatorWords[options.comparator] ?? options.comparator}; percentages (or averages), gaps in percentage points (or the measure’s units)${options.suppress ? '; small numbers withheld (c)' : ''}.`);
          console.log(tableLines(answer.cells).join('\n'));
        }
      });
    });

  gaps
    .command('curves')
    .description('which curves to turn: every gap where a group does worse than the other children, ranked (see docs/gaps.md for the rule)')
    .requiredOption('--la <code>', 'the authority: GSS code (E08000035) or DfE number (383)')
    .option('--year <year>', 'academic year, e.g. 2023/24 (default: the latest with data)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--suppress', 'rank the figures as viewers without child-level access see them: withheld gaps left out, the rest made from released counts')
    .action(async (options: { la: string; year?: string; format: 'table' | 'csv' | 'json'; suppress?: boolean }) => {
      const laCode = authorityCode(options.la);
      const year = yearOption(options.year);
      await withDatabase(async (db) => {
        const answer = await curvesFor(db, { laCode, year, suppress: options.suppress === true });
        if (answer.year === null || !answer.years.includes(answer.year)) throw noDataProblem(laCode, answer);
        if (options.format === 'json') console.log(JSON.stringify(answer.curves, null, 2));
        else if (options.format === 'csv') process.stdout.write(toCsv(curveFields, answer.curves.map((curve) => curveFields.map((field) => curve[field]))));
        else {
          console.log(
            `Which curves to turn in ${authorityName(laCode)}, ${formatAcademicYear(answer.year)}: ${answer.curves.length.toLocaleString('en-GB')} gaps where a group does worse than the other children, the one to turn first at the top${options.suppress ? ' (withheld gaps left out)' : ''}.`,
          );
          if (answer.curves.length > 0) console.log(curveLines(answer.curves).join('\n'));
        }
      });
    });
}

function authorityName(laCode: string): string {
  return localAuthorityByGss(laCode)?.name ?? laCode;
}
