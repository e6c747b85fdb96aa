import { Option } from 'commander';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { toCsv } from '../export/csv.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { DifferencingRefused, GapRequestError, gapCellFields, gapsFor } from '../gaps/service.js';

/** A question refused under --suppress because its answer would give back withheld figures by subtraction. */
export class DisclosureRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisclosureRefusedError';
  }
}
import { comparators } from '../gaps/matrix.js';
import type { GapCell } from '../gaps/matrix.js';
import { prepareDatabase } from '../service.js';
import { authorityCode } from './import-commands.js';
import { UsageError, configWith } from './program.js';

function rounded(value: number | null, places = 1): string {
  return value === null ? '–' : value.toFixed(places);
}

const comparatorWords: Record<string, string> = {
  'all-other': 'all other children',
  all: 'all children',
  england: 'the same group in England (published statistics, taken as fixed)',
};

function tableLines(cells: readonly GapCell[]): string[] {
  // The reasons a published comparator is missing go last, and only when there are any.
  const withNotes = cells.some((cell) => cell.comparator_note !== null);
  const header = ['group', 'indicator', 'group', 'n', 'comparator', 'n', 'gap', '95% interval', 'sig.', 'trend', ...(withNotes ? ['note'] : [])];
  const rows = cells.map((cell) => [
    cell.group,
    cell.indicator,
    rounded(cell.group_value),
    cell.suppressed ? 'c' : String(cell.group_count ?? '–'),
    rounded(cell.comparator_value),
    cell.suppressed ? 'c' : String(cell.comparator_count ?? '–'),
    cell.suppressed ? 'c' : rounded(cell.gap),
    cell.gap_lower === null || cell.gap_upper === null ? '–' : `${rounded(cell.gap_lower)} to ${rounded(cell.gap_upper)}`,
    cell.significant === null ? '–' : cell.significant ? 'yes' : 'no',
    cell.trend,
    ...(withNotes ? [cell.comparator_note ?? ''] : []),
  ]);
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((text, column) => (column >= 2 && column <= 7 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ').trimEnd());
}

export function registerGapsCommand(program: Command): void {
  program
    .command('gaps')
    .description('the gap matrix of an authority for a year: every group against its comparator on every indicator, as the operator (no suppression unless asked)')
    .requiredOption('--la <code>', 'the authority: GSS code (E08000035) or DfE number (383)')
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
    .action(async (options: { la: string; year?: string; indicator?: string; group?: string; comparator: string; format: 'table' | 'csv' | 'json'; suppress?: boolean }) => {
      const laCode = authorityCode(options.la);
      let year: number | undefined;
      if (options.year !== undefined) {
        year = parseAcademicYear(options.year);
        if (year === undefined) throw new UsageError(`--year: "${options.year}" is not an academic year (write 2023/24 or 202324)`);
      }
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        await prepareDatabase(database, config);
        let answer;
        try {
          answer = await gapsFor(database.db, { laCode, year, indicator: options.indicator, group: options.group, comparator: options.comparator, suppress: options.suppress === true });
        } catch (error) {
          if (error instanceof DifferencingRefused) throw new DisclosureRefusedError(`refused with --suppress: ${error.problem}`);
          if (error instanceof GapRequestError) throw new UsageError(`--${error.message}`);
          throw error;
        }
        if (answer.cells.length === 0) {
          const held = answer.years.map(formatAcademicYear).join(', ');
          throw new UsageError(held === '' ? `no child-level data has been loaded for ${laCode}` : `--year: ${laCode} has no data for ${formatAcademicYear(answer.year ?? 0)} (it has ${held})`);
        }
        if (options.format === 'json') console.log(JSON.stringify(answer.cells, null, 2));
        else if (options.format === 'csv') process.stdout.write(toCsv(gapCellFields, answer.cells.map((cell) => gapCellFields.map((field) => cell[field]))));
        else {
          console.log(`Gaps for ${laCode}, ${formatAcademicYear(answer.year!)}: each group against ${comparatorWords[options.comparator] ?? options.comparator}; percentages (or means), gaps in points${options.suppress ? '; small numbers withheld (c)' : ''}.`);
          console.log(tableLines(answer.cells).join('\n'));
        }
      } finally {
        await database.close();
      }
    });
}
