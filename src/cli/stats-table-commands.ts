/**
 * `ntg stats suppress`: small-number disclosure control of a two-way table of counts read from a CSV file,
 * printed as JSON (with reason codes) or as CSV with the DfE symbols.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { applyDisclosureControl, formatFigure } from '../stats/index.js';
import type { DisclosedCell, DisclosedTable } from '../stats/index.js';
import { toCsv } from '../export/csv.js';
import { CommandInputError, badCell, cellText, parseNumber, printJson, readCsv, reportInputErrorsAsync, toNumber } from './stats-support.js';
import type { Where } from './stats-support.js';

/** The label of a totals row or column, in any case. */
const totalLabel = 'Total';

const isTotal = (label: string): boolean => label.trim().toLowerCase() === totalLabel.toLowerCase();

export function registerTableCommands(stats: Command): void {
  stats
    .command('suppress')
    .description('withhold small counts in a table of counts, and the figures that would reveal them (DfE symbol c)')
    .argument('<file>', 'CSV file: a header row, then one row per row of the table')
    .addOption(
      new Option('--threshold <count>', 'counts from 1 up to threshold − 1 are withheld; 0 is shown').argParser(parseNumber).default(5),
    )
    .addOption(
      new Option('--format <format>', 'json: every figure with its reason code; csv: the table to publish, c in withheld cells')
        .choices(['json', 'csv'])
        .default('json'),
    )
    .addHelpText(
      'after',
      `
The first column holds the row labels (its header names them, e.g. "ethnicity");
every other column is a column of counts headed by its label. A cell is a whole
number of at least 0, or blank or x when not available. A row labelled Total or a
column headed Total (any case) is optional: it is checked against the sum of its
counts and replaced by the totals computed from the table. The output always has
the row and column totals, since the withheld cells were chosen so that they
cannot be worked out from them. JSON: {"threshold","rowHeader","rowLabels",
"columnLabels","cells","rowTotals","columnTotals","grandTotal"}, each figure
{"value","shown","reason","symbol"} with reason primary (a small count) or
secondary (withheld so a small count cannot be worked out) and symbol c
(withheld) or x (not available). CSV: the table with its Total row and column,
c where withheld and x where not available.`,
    )
    .action(async (file: string, options: { threshold: number; format: 'json' | 'csv' }, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        const table = await readTable(file);
        const disclosed = applyDisclosureControl(table.counts, { threshold: options.threshold });
        if (options.format === 'csv') {
          process.stdout.write(tableToCsv(table, disclosed));
          return;
        }
        printJson({
          threshold: options.threshold,
          rowHeader: table.rowHeader,
          rowLabels: table.rowLabels,
          columnLabels: table.columnLabels,
          ...disclosed,
        });
      });
    });
}

/** A table of counts read from a file, without its totals. */
interface CountTable {
  rowHeader: string;
  rowLabels: string[];
  columnLabels: string[];
  /** Counts by row then column; null when not available. */
  counts: (number | null)[][];
}

/** A total given in the file, to check once the whole table is read. */
interface GivenTotal {
  where: Where;
  column: string;
  value: number;
  /** Which line it totals: a data row, a data column, or the whole table. */
  line: { row: number } | { column: number } | 'grand';
}

async function readTable(file: string): Promise<CountTable> {
  const table: CountTable = { rowHeader: '', rowLabels: [], columnLabels: [], counts: [] };
  let header: string[] = [];
  let totalColumn: number | undefined;
  let totalRowSeen = false;
  const totals: GivenTotal[] = [];
  await readCsv(file, {
    header(cells) {
      header = cells.map((cell) => cell.trim());
      if (header.length < 2) {
        throw new CommandInputError(`${file} needs a column of row labels and at least one column of counts (its header has ${header.length} column)`);
      }
      table.rowHeader = header[0] as string;
      const totalColumns = header.flatMap((label, index) => (index > 0 && isTotal(label) ? [index] : []));
      if (totalColumns.length > 1) throw new CommandInputError(`${file} has more than one column headed ${JSON.stringify(totalLabel)}`);
      totalColumn = totalColumns[0];
      table.columnLabels = header.filter((_, index) => index > 0 && index !== totalColumn);
      if (table.columnLabels.length === 0) throw new CommandInputError(`${file} has a ${JSON.stringify(totalLabel)} column but no columns of counts`);
    },
    row(cells, where) {
      const label = cellText(cells, 0);
      const totalRow = isTotal(label);
      if (totalRow && totalRowSeen) throw new CommandInputError(`${where()}: a second row labelled ${JSON.stringify(totalLabel)}`);
      totalRowSeen ||= totalRow;
      const counts: (number | null)[] = [];
      const row = table.counts.length;
      for (let index = 1; index < header.length; index++) {
        const column = header[index] as string;
        const value = count(cells, index, column, where);
        const data = index - 1 - (totalColumn !== undefined && index > totalColumn ? 1 : 0);
        if (index === totalColumn) {
          if (value !== null) totals.push({ where, column, value, line: totalRow ? 'grand' : { row } });
        } else if (totalRow) {
          if (value !== null) totals.push({ where, column, value, line: { column: data } });
        } else {
          counts.push(value);
        }
      }
      if (!totalRow) {
        table.rowLabels.push(label);
        table.counts.push(counts);
      }
    },
  });
  if (table.counts.length === 0) throw new CommandInputError(`${file} has no rows of counts`);
  for (const total of totals) checkTotal(total, table.counts);
  return table;
}

/** A count: a whole number of at least 0, or null when blank or x (not available). */
function count(cells: readonly string[], index: number, column: string, where: Where): number | null {
  const text = cellText(cells, index);
  if (text === '' || text.toLowerCase() === 'x') return null;
  const value = toNumber(text);
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw badCell(where, column, 'a count (a whole number of at least 0), or blank or x when not available', text);
  }
  return value;
}

/** Refuses a total in the file that is not the sum of its line; a line with a count not available cannot be checked. */
function checkTotal(total: GivenTotal, counts: readonly (readonly (number | null)[])[]): void {
  const line =
    total.line === 'grand'
      ? counts.flat()
      : 'row' in total.line
        ? (counts[total.line.row] ?? [])
        : counts.map((row) => row[(total.line as { column: number }).column] ?? null);
  if (line.some((value) => value === null)) return;
  const sum = (line as number[]).reduce((a, b) => a + b, 0);
  if (sum !== total.value) {
    const what = total.line === 'grand' ? 'the grand total' : 'row' in total.line ? "the row's total" : "the column's total";
    throw new CommandInputError(
      `${total.where()}, column ${JSON.stringify(total.column)}: ${what} ${total.value} is not the sum of its counts (${sum})`,
    );
  }
}

/** The table to publish: labels, figures with c and x, then the Total column and the Total row. */
function tableToCsv(table: CountTable, disclosed: DisclosedTable): string {
  const text = (cell: DisclosedCell): string => formatFigure(cell);
  const rows = table.rowLabels.map((label, r) => [
    label,
    ...(disclosed.cells[r] ?? []).map(text),
    text(disclosed.rowTotals[r] as DisclosedCell),
  ]);
  rows.push([totalLabel, ...disclosed.columnTotals.map(text), text(disclosed.grandTotal)]);
  return toCsv([table.rowHeader, ...table.columnLabels, totalLabel], rows);
}
