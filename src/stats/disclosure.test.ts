import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DFE_SYMBOLS, applyDisclosureControl, discloseCount, discloseDerived, formatFigure, mixKey, perturbation, releaseCount, releaseSummary, roundToBase, StatsInputError } from './index.js';
import type { DisclosedTable } from './index.js';
import { deepFreeze } from './test-support.js';

const SEED = 20_250_112;

/** Every figure of a disclosed table with its true value, in the layout cells, row totals, column totals, grand total. */
function flatten(table: DisclosedTable, input: readonly (readonly number[])[]): { shown: boolean; truth: number }[] {
  const rows = input.length;
  const columns = input[0]?.length ?? 0;
  const rowTotals = input.map((row) => row.reduce((s, v) => s + v, 0));
  const columnTotals = Array.from({ length: columns }, (_, c) => input.reduce((s, row) => s + (row[c] as number), 0));
  const grand = rowTotals.reduce((s, v) => s + v, 0);
  const out: { shown: boolean; truth: number }[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out.push({ shown: table.cells[r]?.[c]?.shown ?? false, truth: input[r]?.[c] as number });
  for (let r = 0; r < rows; r++) out.push({ shown: table.rowTotals[r]?.shown ?? false, truth: rowTotals[r] as number });
  for (let c = 0; c < columns; c++) out.push({ shown: table.columnTotals[c]?.shown ?? false, truth: columnTotals[c] as number });
  out.push({ shown: table.grandTotal.shown, truth: grand });
  return out;
}

/** Each line as signed member indices: interior members +1, its total −1 (same layout as flatten). */
function lines(rows: number, columns: number): { members: number[]; signs: number[] }[] {
  const rt = (r: number): number => rows * columns + r;
  const ct = (c: number): number => rows * columns + rows + c;
  const g = rows * columns + rows + columns;
  const out: { members: number[]; signs: number[] }[] = [];
  for (let r = 0; r < rows; r++) out.push({ members: [...Array.from({ length: columns }, (_, c) => r * columns + c), rt(r)], signs: [...Array<number>(columns).fill(1), -1] });
  for (let c = 0; c < columns; c++) out.push({ members: [...Array.from({ length: rows }, (_, r) => r * columns + c), ct(c)], signs: [...Array<number>(rows).fill(1), -1] });
  out.push({ members: [...Array.from({ length: columns }, (_, c) => ct(c)), g], signs: [...Array<number>(columns).fill(1), -1] });
  out.push({ members: [...Array.from({ length: rows }, (_, r) => rt(r)), g], signs: [...Array<number>(rows).fill(1), -1] });
  return out;
}

/** Rank of a small matrix by Gaussian elimination with partial pivoting (written independently of the module). */
function rank(matrix: number[][]): number {
  const m = matrix.map((row) => [...row]);
  let r = 0;
  const width = m[0]?.length ?? 0;
  for (let c = 0; c < width && r < m.length; c++) {
    let pivot = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs((m[i] as number[])[c] as number) > Math.abs((m[pivot] as number[])[c] as number)) pivot = i;
    if (Math.abs((m[pivot] as number[])[c] as number) < 1e-9) continue;
    [m[r], m[pivot]] = [m[pivot] as number[], m[r] as number[]];
    for (let i = r + 1; i < m.length; i++) {
      const f = ((m[i] as number[])[c] as number) / ((m[r] as number[])[c] as number);
      for (let j = c; j < width; j++) (m[i] as number[])[j] = ((m[i] as number[])[j] as number) - f * ((m[r] as number[])[j] as number);
    }
    r++;
  }
  return r;
}

/**
 * Suppressed figures an attacker could recover exactly: x_k is determined by the linear constraints on the
 * suppressed figures iff deleting column k lowers the constraint matrix's rank by one.
 */
function recoverable(table: DisclosedTable, input: readonly (readonly number[])[]): number[] {
  const figures = flatten(table, input);
  const hidden = figures.map((f, i) => (f.shown ? -1 : i)).filter((i) => i >= 0);
  if (hidden.length === 0) return [];
  const matrix = lines(input.length, input[0]?.length ?? 0).map((line) => hidden.map((h) => {
    const k = line.members.indexOf(h);
    return k < 0 ? 0 : (line.signs[k] as number);
  }));
  const full = rank(matrix);
  return hidden.filter((_, k) => rank(matrix.map((row) => row.filter((__, j) => j !== k))) === full - 1);
}

describe('discloseCount and discloseDerived', () => {
  it('suppresses counts 1 to 4 by default and shows 0 and 5', () => {
    expect([0, 1, 4, 5].map((c) => discloseCount(c).shown)).toEqual([true, false, false, true]);
    expect(discloseCount(3)).toEqual({ value: null, shown: false, reason: 'primary', symbol: 'c' });
    expect(discloseCount(9, { threshold: 10 }).reason).toBe('primary');
    expect(discloseCount(null)).toEqual({ value: null, shown: false, reason: null, symbol: 'x' });
  });

  it('suppresses a percentage built on a suppressed count', () => {
    expect(discloseDerived(42.9, [discloseCount(3), discloseCount(7)]).symbol).toBe('c');
    expect(discloseDerived(70, [discloseCount(7), discloseCount(10)])).toEqual({ value: 70, shown: true, reason: null, symbol: null });
  });

  it('throws for a negative count or a threshold below 1', () => {
    expect(() => discloseCount(-2)).toThrow(/must not be negative/);
    expect(() => discloseCount(2, { threshold: 0 })).toThrow(/threshold must be a number of at least 1/);
  });
});

describe('applyDisclosureControl', () => {
  it('adds secondary suppression so the small count cannot be worked out from the totals', () => {
    // Hand-worked: 3 is primary; its row (3, 10 | 13) and column (3, 20 | 23) each then hold one withheld
    // figure, so 10 and 20 are withheld; row 2 (20, 30 | 50) then holds one, so 30 is withheld.
    const input = deepFreeze([
      [3, 10],
      [20, 30],
    ]);
    const table = applyDisclosureControl(input);
    expect(table.cells.map((row) => row.map((c) => c.reason))).toEqual([
      ['primary', 'secondary'],
      ['secondary', 'secondary'],
    ]);
    expect(table.rowTotals.map((c) => c.value)).toEqual([13, 50]);
    expect(table.grandTotal.value).toBe(63);
    expect(recoverable(table, input)).toEqual([]);
  });

  it('protects a group-versus-rest pair: one row with its total', () => {
    const table = applyDisclosureControl([[2, 40]]);
    expect(table.cells[0]?.map((c) => c.symbol)).toEqual(['c', 'c']);
    expect(table.rowTotals[0]?.value).toBe(42);
  });

  it('leaves a table without small counts untouched and shows zeros', () => {
    const table = applyDisclosureControl([
      [0, 12],
      [7, 30],
    ]);
    expect(table.cells.flat().every((c) => c.shown)).toBe(true);
  });

  it('marks missing cells not available and their totals too', () => {
    const table = applyDisclosureControl([
      [null, 12],
      [7, 30],
    ]);
    expect(table.cells[0]?.[0]?.symbol).toBe('x');
    expect(table.rowTotals[0]?.symbol).toBe('x');
    expect(table.columnTotals[1]?.value).toBe(42);
  });

  it('throws for ragged rows', () => {
    expect(() => applyDisclosureControl([[1, 2], [3]])).toThrow('every row of a table must have 2 cells (row 2 has 1)');
  });

  const tables = fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
    .chain(([rows, columns]) =>
      fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 60 })), { minLength: columns, maxLength: columns }), {
        minLength: rows,
        maxLength: rows,
      }),
    );

  it('leaves no suppressed figure recoverable from the shown figures (property)', () => {
    fc.assert(
      fc.property(tables, (generated) => {
        const input = deepFreeze(generated);
        const table = applyDisclosureControl(input);
        const figures = flatten(table, input);
        // Every small count is withheld.
        for (const f of figures) if (f.truth > 0 && f.truth < 5) expect(f.shown).toBe(false);
        // No line has exactly one withheld figure.
        for (const line of lines(input.length, input[0]?.length ?? 0)) {
          expect(line.members.filter((m) => !(figures[m] as { shown: boolean }).shown).length).not.toBe(1);
        }
        // No withheld figure is fixed by the linear constraints.
        expect(recoverable(table, input)).toEqual([]);
        // Every withheld figure carries a reason and the symbol c.
        const all = [...table.cells.flat(), ...table.rowTotals, ...table.columnTotals, table.grandTotal];
        for (const c of all) if (!c.shown) expect([c.reason, c.symbol]).toSatisfy(([reason, symbol]: [string, string]) => (reason === 'primary' || reason === 'secondary') && symbol === 'c');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('formatFigure', () => {
  it('prints DfE symbols: c suppressed, x not available, z not applicable, low rounds to zero', () => {
    expect(DFE_SYMBOLS).toEqual({ suppressed: 'c', notAvailable: 'x', notApplicable: 'z', low: 'low' });
    expect(formatFigure(discloseCount(3))).toBe('c');
    expect(formatFigure(discloseCount(null))).toBe('x');
    expect(formatFigure('not-applicable')).toBe('z');
    expect(formatFigure({ value: 0.04, shown: true, reason: null, symbol: null }, 1)).toBe('low');
    expect(formatFigure({ value: 0, shown: true, reason: null, symbol: null }, 1)).toBe('0.0');
    expect(formatFigure({ value: 12.345, shown: true, reason: null, symbol: null }, 1)).toBe('12.3');
    expect(formatFigure({ value: 2.5, shown: true, reason: null, symbol: null }, 0)).toBe('3');
  });
});

describe('roundToBase', () => {
  it('rounds a count to the nearest multiple of 5 (ONS and NHS Digital rounding to base 5)', () => {
    // Worked by hand: 37 is nearer 35, 38 nearer 40; 2 nearer 0, 3 nearer 5.
    expect([0, 2, 3, 5, 7, 8, 37, 38, 1000].map((count) => roundToBase(count))).toEqual([0, 0, 5, 5, 5, 10, 35, 40, 1000]);
    expect(roundToBase(14, 10)).toBe(10);
  });

  it('refuses a negative count or a base below 1', () => {
    expect(() => roundToBase(-1)).toThrow(StatsInputError);
    expect(() => roundToBase(10, 0)).toThrow(/base/);
  });

  it('gives figures whose every sum and difference is a multiple of the base', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 8, maxLength: 8 }), (counts, weights) => {
        const combination = counts.reduce((total, count, index) => total + (weights[index] as number) * roundToBase(count), 0);
        expect(Math.abs(combination) % 5).toBe(0);
        // So no combination of them can be a count from 1 to 4.
        expect([1, 2, 3, 4]).not.toContain(Math.abs(combination));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('releaseSummary', () => {
  it('withholds too few children, too few meeting or missing a yes/no outcome, and too few events', () => {
    expect(releaseSummary({ n: 4, sum: 2, sumsq: 2 }, 'binary')).toEqual({ summary: null, withheld: 'few-children' });
    expect(releaseSummary({ n: 30, sum: 3, sumsq: 3 }, 'binary')).toEqual({ summary: null, withheld: 'few-meeting' });
    expect(releaseSummary({ n: 30, sum: 27, sumsq: 27 }, 'binary')).toEqual({ summary: null, withheld: 'few-missing' });
    expect(releaseSummary({ n: 30, sum: 4, sumsq: 6 }, 'count')).toEqual({ summary: null, withheld: 'few-events' });
  });

  it('shows zero as zero: no child to protect', () => {
    expect(releaseSummary({ n: 0, sum: 0, sumsq: 0 }, 'binary')).toEqual({ summary: { n: 0, sum: 0, sumsq: 0 }, withheld: null });
    expect(releaseSummary({ n: 30, sum: 0, sumsq: 0 }, 'binary')).toEqual({ summary: { n: 30, sum: 0, sumsq: 0 }, withheld: null });
    expect(releaseSummary({ n: 30, sum: 0, sumsq: 0 }, 'count')).toEqual({ summary: { n: 30, sum: 0, sumsq: 0 }, withheld: null });
  });

  it('rounds the children and those meeting a yes/no outcome to 5', () => {
    // 17 of 38 (44.7%) are released as 15 of 40 (37.5%): the figures made from them are rounded figures.
    expect(releaseSummary({ n: 38, sum: 17, sumsq: 17 }, 'binary')).toEqual({ summary: { n: 40, sum: 15, sumsq: 15 }, withheld: null });
  });

  it('rounds a score’s mean and standard deviation to one decimal place and its children to 5', () => {
    // 37 children averaging 45.54 with standard deviation 0.246 (36 at 45.5, one at 47): released as 35 at 45.5, sd 0.2.
    const values = [...Array<number>(36).fill(45.5), 47];
    const summary = { n: 37, sum: values.reduce((a, b) => a + b, 0), sumsq: values.reduce((a, b) => a + b * b, 0) };
    const released = releaseSummary(summary, 'continuous').summary!;
    expect(released.n).toBe(35);
    expect(released.sum / released.n).toBeCloseTo(45.5, 10);
    expect(Math.sqrt((released.sumsq - (released.sum * released.sum) / released.n) / (released.n - 1))).toBeCloseTo(0.2, 10);
  });

  it('rounds a count of events to 5, keeping the spread to two decimal places', () => {
    const released = releaseSummary({ n: 52, sum: 23, sumsq: 41 }, 'count').summary!;
    expect([released.n, released.sum]).toEqual([50, 25]);
  });

  it('never releases a count from 1 to 4, and releases only multiples of 5 (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 500 }), fc.nat({ max: 500 }), (n, meetingSeed) => {
        const meeting = n === 0 ? 0 : meetingSeed % (n + 1);
        const input = Object.freeze({ n, sum: meeting, sumsq: meeting });
        const result = releaseSummary(input, 'binary');
        const small = (count: number) => count > 0 && count < 5;
        expect(result.withheld !== null).toBe(small(n) || small(meeting) || small(n - meeting));
        if (result.summary !== null) {
          expect(result.summary.n % 5).toBe(0);
          expect(result.summary.sum % 5).toBe(0);
          expect(result.summary.sum).toBeLessThanOrEqual(result.summary.n);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('perturbation', () => {
  it('gives the same perturbations for the same key, and different ones for different keys', () => {
    expect(mixKey(99, 38)).toBe(mixKey(99, 38));
    expect(mixKey(99, 38)).not.toBe(mixKey(99, 39));
    expect(perturbation(2024)).toEqual(perturbation(2024));
    const counts = new Set(Array.from({ length: 50 }, (_, key) => perturbation(key).count));
    expect(counts.size).toBeGreaterThan(5);
  });

  it('draws the count’s perturbation from the two-sided geometric distribution, P(d) = ⅓·2^−|d|', () => {
    // Frequencies over 30,000 keys against the distribution's own: P(0) = 1/3, P(±1) = 1/6 each, P(|d| ≥ 5) = 1/24.
    const draws = Array.from({ length: 30_000 }, (_, key) => perturbation(key * 7919).count);
    const share = (test: (d: number) => boolean) => draws.filter(test).length / draws.length;
    expect(share((d) => d === 0)).toBeCloseTo(1 / 3, 1);
    expect(share((d) => d === 1)).toBeCloseTo(1 / 6, 1);
    expect(share((d) => Math.abs(d) >= 5)).toBeCloseTo(1 / 24, 1);
    expect(Math.max(...draws.map(Math.abs))).toBeGreaterThanOrEqual(12);
  });

  it('lets every true count give each released count near it: a released figure does not rule a nearby count out', () => {
    // Every perturbation has a chance (two-sided geometric), so in principle any count can give any
    // released figure; over 20,000 keys, every count from 5 to 40 gives every multiple of 5 within 5 of it.
    const keys = Array.from({ length: 20_000 }, (_, key) => key * 2_654_435_761);
    for (let count = 5; count <= 40; count++) {
      const released = new Set(keys.map((key) => releaseCount(count, { key })));
      for (let shown = Math.max(5, Math.ceil((count - 5) / 5) * 5); shown <= count + 5; shown += 5) expect(released.has(shown), `${count} released as ${shown}`).toBe(true);
    }
  });

  it('keeps zero as zero and a small count withheld, whatever the key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (key) => {
        expect(releaseCount(0, { key })).toBe(0);
        expect(releaseCount(3, { key })).toBeNull();
        expect(releaseCount(17, { key })! % 5).toBe(0);
        expect(releaseCount(17, { key })).toBeGreaterThanOrEqual(5);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('moves a score’s mean by at most a tenth of its range shared among the children', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 5, max: 200 }), (key, n) => {
        const summary = { n, sum: 50 * n, sumsq: 2600 * n };
        const released = releaseSummary(summary, 'continuous', { key, valueRange: 90 }).summary!;
        expect(Math.abs(released.sum / released.n - 50)).toBeLessThanOrEqual(9 / n + 0.05 + 1e-9);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
