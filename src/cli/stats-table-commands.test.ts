import { describe, expect, it } from 'vitest';
import { applyDisclosureControl, formatFigure } from '../stats/index.js';
import type { DisclosedTable } from '../stats/index.js';
import { temporaryFiles } from '../../test/support/files.js';
import { runNtg, statsRefusal } from '../../test/support/cli.js';

/** Runs `ntg stats suppress` expecting success and returns what it printed. */
async function suppress(...argv: string[]): Promise<string> {
  const result = await runNtg('stats', 'suppress', ...argv);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return result.out;
}

/** Runs `ntg stats suppress` expecting JSON: one object on one line. */
async function suppressJson(...argv: string[]): Promise<Record<string, unknown> & DisclosedTable> {
  const out = await suppress(...argv);
  const lines = out.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown> & DisclosedTable;
}

/** Runs a stats command that should be refused and returns its one-line message. */
/** A CSV document as the command writes it: byte-order mark, CRLF line ends. */
function csvText(rows: string[][]): string {
  return `\uFEFF${rows.map((row) => `${row.join(',')}\r\n`).join('')}`;
}

const csv = temporaryFiles('ntg-suppress-');

describe('ntg stats suppress', () => {
  // Hand-worked (src/stats/disclosure.test.ts): 3 is primary; its row (3, 10 | 13) and column (3, 20 | 23) each
  // then hold one withheld figure, so 10 and 20 are withheld; row 2 (20, 30 | 50) then holds one, so 30 is
  // withheld. The totals 13, 50, 23, 40 and 63 stay shown: no withheld figure can be worked out from them.
  const handWorked = 'ethnicity,boys,girls,Total\nWhite,3,10,13\nBlack,20,30,50\nTotal,23,40,63\n';

  it('prints the disclosed table as JSON with reason codes, as the stats module computes it', async () => {
    const file = csv('hand-worked.csv', handWorked);
    const json = await suppressJson(file);
    expect(json).toEqual({
      threshold: 5,
      rowHeader: 'ethnicity',
      rowLabels: ['White', 'Black'],
      columnLabels: ['boys', 'girls'],
      ...JSON.parse(JSON.stringify(applyDisclosureControl([[3, 10], [20, 30]]))),
    });
    expect(json.cells.map((row) => row.map((cell) => cell.reason))).toEqual([
      ['primary', 'secondary'],
      ['secondary', 'secondary'],
    ]);
    expect(json.cells.flat().map((cell) => cell.symbol)).toEqual(['c', 'c', 'c', 'c']);
    expect(json.rowTotals.map((cell) => cell.value)).toEqual([13, 50]);
    expect(json.columnTotals.map((cell) => cell.value)).toEqual([23, 40]);
    expect(json.grandTotal).toEqual({ value: 63, shown: true, reason: null, symbol: null });
  });

  it('writes the table to publish as CSV, with c in the withheld cells and its totals', async () => {
    const file = csv('hand-worked-csv.csv', handWorked);
    expect(await suppress(file, '--format', 'csv')).toBe(
      csvText([
        ['ethnicity', 'boys', 'girls', 'Total'],
        ['White', 'c', 'c', '13'],
        ['Black', 'c', 'c', '50'],
        ['Total', '23', '40', '63'],
      ]),
    );
  });

  it('adds the totals to a table given without them, protecting a group-versus-rest pair', async () => {
    // One row, 2 and 40: 2 is primary, and with the total 42 shown, 40 would reveal it, so 40 is withheld too.
    const file = csv('pair.csv', 'group,disadvantaged,others\nPupils,2,40\n');
    expect(await suppress(file, '--format', 'csv')).toBe(
      csvText([
        ['group', 'disadvantaged', 'others', 'Total'],
        ['Pupils', 'c', 'c', '42'],
        ['Total', 'c', 'c', '42'],
      ]),
    );
    const json = await suppressJson(file);
    expect(json.cells[0]?.map((cell) => cell.reason)).toEqual(['primary', 'secondary']);
  });

  it('marks blank and x cells not available (x), with their totals, and shows zeros', async () => {
    // A Total row and column in any case and position, quoted labels, and CRLF line ends are read too.
    const file = csv('missing.csv', '"area, type",total,girls,boys,other\r\nTOTAL,,,42,0\r\nNorth,,x,12,0\r\nSouth,37,7,30,0\r\n');
    const json = await suppressJson(file);
    expect(json).toEqual({
      threshold: 5,
      rowHeader: 'area, type',
      rowLabels: ['North', 'South'],
      columnLabels: ['girls', 'boys', 'other'],
      ...JSON.parse(JSON.stringify(applyDisclosureControl([[null, 12, 0], [7, 30, 0]]))),
    });
    expect(await suppress(file, '--format', 'csv')).toBe(
      csvText([
        ['"area, type"', 'girls', 'boys', 'other', 'Total'],
        ['North', 'x', '12', '0', 'x'],
        ['South', '7', '30', '0', '37'],
        ['Total', 'x', '42', '0', 'x'],
      ]),
    );
  });

  it('applies a higher threshold, as the stats module does', async () => {
    const file = csv('threshold.csv', 'school,fsm,not fsm\nA,9,40\nB,12,45\nC,30,60\n');
    const json = await suppressJson(file, '--threshold', '10');
    const direct = applyDisclosureControl([[9, 40], [12, 45], [30, 60]], { threshold: 10 });
    expect(json).toMatchObject(JSON.parse(JSON.stringify(direct)) as object);
    expect(json.threshold).toBe(10);
    expect(json.cells[0]?.[0]?.reason).toBe('primary');
    const rows = (await suppress(file, '--format', 'csv', '--threshold', '10')).replace('\uFEFF', '').trimEnd().split('\r\n');
    expect(rows[1]).toBe(['A', ...(direct.cells[0] ?? []).map((cell) => formatFigure(cell)), formatFigure(direct.rowTotals[0] ?? direct.grandTotal)].join(','));
    expect(rows[1]?.split(',')[1]).toBe('c');
  });

  it('refuses a total that is not the sum of its counts on one line, naming the row and column', async () => {
    const row = csv('bad-row-total.csv', 'ethnicity,boys,girls,Total\nWhite,3,10,14\n');
    expect(await statsRefusal('suppress', row)).toBe(`ntg: ${row}, row 2, column "Total": the row's total 14 is not the sum of its counts (13)`);
    const column = csv('bad-column-total.csv', 'ethnicity,boys,girls\nWhite,3,10\nBlack,20,30\nTotal,24,40\n');
    expect(await statsRefusal('suppress', column)).toBe(
      `ntg: ${column}, row 4, column "boys": the column's total 24 is not the sum of its counts (23)`,
    );
    const grand = csv('bad-grand-total.csv', 'ethnicity,boys,girls,Total\nWhite,3,10,13\nBlack,20,30,50\nTotal,23,40,64\n');
    expect(await statsRefusal('suppress', grand)).toBe(
      `ntg: ${grand}, row 4, column "Total": the grand total 64 is not the sum of its counts (63)`,
    );
  });

  it('refuses a cell that is not a count on one line, naming the row and column', async () => {
    for (const bad of ['-1', '2.5', 'c', 'five']) {
      const file = csv(`bad-count-${bad}.csv`, `ethnicity,boys,girls\nWhite,3,10\nBlack,20,${bad}\n`);
      expect(await statsRefusal('suppress', file)).toBe(
        `ntg: ${file}, row 3, column "girls": expected a count (a whole number of at least 0), or blank or x when not available (got "${bad}")`,
      );
    }
  });

  it('refuses a table without counts, without rows, or with two Total rows, on one line', async () => {
    const labels = csv('labels-only.csv', 'ethnicity\nWhite\n');
    expect(await statsRefusal('suppress', labels)).toBe(
      `ntg: ${labels} needs a column of row labels and at least one column of counts (its header has 1 column)`,
    );
    const onlyTotal = csv('only-total.csv', 'ethnicity,Total\nWhite,3\n');
    expect(await statsRefusal('suppress', onlyTotal)).toBe(`ntg: ${onlyTotal} has a "Total" column but no columns of counts`);
    const noRows = csv('no-rows.csv', 'ethnicity,boys,girls\nTotal,3,4\n');
    expect(await statsRefusal('suppress', noRows)).toBe(`ntg: ${noRows} has no rows of counts`);
    const twoTotals = csv('two-totals.csv', 'ethnicity,boys\nWhite,3\nTotal,3\ntotal,3\n');
    expect(await statsRefusal('suppress', twoTotals)).toBe(`ntg: ${twoTotals}, row 4: a second row labelled "Total"`);
  });

  it('refuses ragged rows, a threshold below 1 and an unknown format on one line', async () => {
    const ragged = csv('ragged.csv', 'ethnicity,boys,girls\nWhite,3\n');
    expect(await statsRefusal('suppress', ragged)).toMatch(new RegExp(`^ntg: ${ragged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid CSV: `));
    const file = csv('fine.csv', 'ethnicity,boys\nWhite,3\n');
    expect(await statsRefusal('suppress', file, '--threshold', '0')).toBe('ntg: a suppression threshold must be a number of at least 1 (got 0)');
    expect(await statsRefusal('suppress', file, '--format', 'xlsx')).toMatch(
      /^ntg: option '--format <format>' argument 'xlsx' is invalid. Allowed choices are json, csv\./,
    );
  });
});
