import type { MaybeNumber } from './errors.js';
import { StatsInputError, isMissing, requireNonNegative, show } from './errors.js';
import { createRandom } from './random.js';
import { standardDeviationFromSums } from './sums.js';

/**
 * Symbols used in Department for Education statistics (Explore education statistics), following the
 * Government Statistical Service conventions for symbols in tables.
 */
export const DFE_SYMBOLS = {
  /** c — confidential: suppressed to protect confidentiality. */
  suppressed: 'c',
  /** x — not available. */
  notAvailable: 'x',
  /** z — not applicable. */
  notApplicable: 'z',
  /** low — a positive figure that rounds to zero at the precision shown. */
  low: 'low',
} as const;

/** Why a figure is withheld: a small count itself, or to stop a small count being worked out by subtraction. */
export type SuppressionReason = 'primary' | 'secondary';

/** A figure after disclosure control. */
export interface DisclosedCell {
  /** The figure if shown; null if suppressed or not available. */
  readonly value: number | null;
  readonly shown: boolean;
  /** Why it is suppressed; null when shown or not available. */
  readonly reason: SuppressionReason | null;
  /** The DfE symbol to print instead of the figure: 'c' when suppressed, 'x' when not available, else null. */
  readonly symbol: 'c' | 'x' | null;
}

/** Options for disclosure control. */
export interface DisclosureOptions {
  /** Counts from 1 up to threshold − 1 are suppressed; default 5 (so 1–4 are suppressed and 0 is shown). */
  readonly threshold?: number;
}

function checkThreshold(threshold: number): void {
  if (!Number.isFinite(threshold) || threshold < 1) {
    throw new StatsInputError(`a suppression threshold must be a number of at least 1 (got ${show(threshold)})`);
  }
}

/** True when a count must be suppressed on its own: 0 < count < threshold. */
function isSmall(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

/**
 * Primary suppression of a single count: a count from 1 up to threshold − 1 (default: 1 to 4) is withheld
 * with reason 'primary'; zero and larger counts are shown; a missing count is 'x' (not available).
 *
 * Reference: Government Statistical Service. Disclosure control policy for tables produced from
 * administrative data sources (2014); Department for Education. Statistics: disclosure control
 * (suppression of counts below a threshold, shown as 'c').
 *
 * @throws {StatsInputError} when the count is negative or infinite, or the threshold is below 1
 * @example discloseCount(3) // { value: null, shown: false, reason: 'primary', symbol: 'c' }
 */
export function discloseCount(count: MaybeNumber, options: DisclosureOptions = {}): DisclosedCell {
  const threshold = options.threshold ?? 5;
  checkThreshold(threshold);
  if (isMissing(count)) return { value: null, shown: false, reason: null, symbol: 'x' };
  requireNonNegative(count, 'a count');
  if (isSmall(count, threshold)) return { value: null, shown: false, reason: 'primary', symbol: 'c' };
  return { value: count, shown: true, reason: null, symbol: null };
}

/**
 * A rate, percentage or other figure built on counts, withheld whenever any count it is built on is
 * withheld (with that count's reason: 'primary' if any basis is primary, else 'secondary'), and 'x' when
 * the value or a basis is not available.
 *
 * @example discloseDerived(42.9, [discloseCount(3), discloseCount(7)]) // { value: null, shown: false, reason: 'primary', symbol: 'c' }
 */
export function discloseDerived(value: MaybeNumber, basedOn: readonly DisclosedCell[]): DisclosedCell {
  const suppressed = basedOn.filter((cell) => cell.reason !== null);
  if (suppressed.length > 0) {
    return { value: null, shown: false, reason: suppressed.some((c) => c.reason === 'primary') ? 'primary' : 'secondary', symbol: 'c' };
  }
  if (isMissing(value) || basedOn.some((cell) => cell.symbol === 'x')) return { value: null, shown: false, reason: null, symbol: 'x' };
  return { value, shown: true, reason: null, symbol: null };
}

/** A two-way table of counts after disclosure control, with its totals. */
export interface DisclosedTable {
  readonly cells: readonly (readonly DisclosedCell[])[];
  readonly rowTotals: readonly DisclosedCell[];
  readonly columnTotals: readonly DisclosedCell[];
  readonly grandTotal: DisclosedCell;
}

interface WorkCell {
  value: number | null;
  reason: SuppressionReason | null;
}

/** A linear constraint: Σ plus-members − Σ minus-members = 0 (a line's cells add up to its total). */
interface Line {
  members: number[];
  signs: number[];
}

function buildLines(rows: number, columns: number): Line[] {
  // Index layout: interior r*columns + c; row totals R0 + r; column totals C0 + c; grand total G.
  const rowTotal = (r: number): number => rows * columns + r;
  const columnTotal = (c: number): number => rows * columns + rows + c;
  const grand = rows * columns + rows + columns;
  const lines: Line[] = [];
  for (let r = 0; r < rows; r++) {
    const members = Array.from({ length: columns }, (_, c) => r * columns + c);
    lines.push({ members: [...members, rowTotal(r)], signs: [...members.map(() => 1), -1] });
  }
  for (let c = 0; c < columns; c++) {
    const members = Array.from({ length: rows }, (_, r) => r * columns + c);
    lines.push({ members: [...members, columnTotal(c)], signs: [...members.map(() => 1), -1] });
  }
  const columnTotals = Array.from({ length: columns }, (_, c) => columnTotal(c));
  lines.push({ members: [...columnTotals, grand], signs: [...columnTotals.map(() => 1), -1] });
  const rowTotals = Array.from({ length: rows }, (_, r) => rowTotal(r));
  lines.push({ members: [...rowTotals, grand], signs: [...rowTotals.map(() => 1), -1] });
  return lines;
}

/**
 * The suppressed cells (by index) whose values are fixed by the shown figures: those whose unit vector lies
 * in the row space of the line constraints restricted to suppressed cells (found from the reduced row
 * echelon form). Lines with a not-available member are no constraint, since they cannot be used.
 */
function determinedCells(work: readonly WorkCell[], lines: readonly Line[]): number[] {
  const suppressed: number[] = [];
  const column = new Map<number, number>();
  for (const [i, cell] of work.entries()) {
    if (cell.reason !== null) {
      column.set(i, suppressed.length);
      suppressed.push(i);
    }
  }
  if (suppressed.length === 0) return [];
  const matrix: number[][] = [];
  for (const line of lines) {
    if (line.members.some((m) => (work[m] as WorkCell).value === null && (work[m] as WorkCell).reason === null)) continue;
    const row = new Array<number>(suppressed.length).fill(0);
    let any = false;
    for (const [k, m] of line.members.entries()) {
      const col = column.get(m);
      if (col !== undefined) {
        row[col] = line.signs[k] as number;
        any = true;
      }
    }
    if (any) matrix.push(row);
  }
  // Reduced row echelon form.
  const width = suppressed.length;
  let pivotRow = 0;
  const pivots: number[] = [];
  for (let col = 0; col < width && pivotRow < matrix.length; col++) {
    let best = -1;
    for (let r = pivotRow; r < matrix.length; r++) if (Math.abs((matrix[r] as number[])[col] as number) > 1e-9) { best = r; break; }
    if (best < 0) continue;
    [matrix[pivotRow], matrix[best]] = [matrix[best] as number[], matrix[pivotRow] as number[]];
    const pivot = matrix[pivotRow] as number[];
    const scale = pivot[col] as number;
    for (let c = 0; c < width; c++) pivot[c] = (pivot[c] as number) / scale;
    for (let r = 0; r < matrix.length; r++) {
      if (r === pivotRow) continue;
      const row = matrix[r] as number[];
      const factor = row[col] as number;
      if (Math.abs(factor) > 1e-12) for (let c = 0; c < width; c++) row[c] = (row[c] as number) - factor * (pivot[c] as number);
    }
    pivots.push(col);
    pivotRow++;
  }
  const determined: number[] = [];
  for (let r = 0; r < pivots.length; r++) {
    const row = matrix[r] as number[];
    let nonZero = 0;
    for (let c = 0; c < width; c++) if (Math.abs(row[c] as number) > 1e-9) nonZero++;
    if (nonZero === 1) determined.push(suppressed[pivots[r] as number] as number);
  }
  return determined;
}

/** The shown member of a line to suppress next: the smallest non-zero figure, else the smallest zero. */
function nextToSuppress(line: Line, work: readonly WorkCell[]): number | null {
  let best: number | null = null;
  let bestKey = Infinity;
  for (const m of line.members) {
    const cell = work[m] as WorkCell;
    if (cell.reason !== null || cell.value === null) continue;
    const key = cell.value === 0 ? Number.MAX_VALUE : cell.value;
    if (key < bestKey) {
      bestKey = key;
      best = m;
    }
  }
  return best;
}

/**
 * Disclosure control for a two-way table of counts with its row, column and grand totals (the totals are
 * computed from the cells and published with them; a one-row table is a group-versus-rest pair).
 *
 * 1. Primary suppression: every count (cells and totals) from 1 up to threshold − 1 is withheld
 *    (reason 'primary'); zeros are shown.
 * 2. Secondary suppression, repeated until stable: in every line (a row with its total, a column with its
 *    total, the column totals with the grand total, the row totals with the grand total) that has exactly
 *    one withheld figure, the smallest shown figure of that line is also withheld (reason 'secondary'),
 *    preferring a non-zero figure; then, if any withheld figure can still be worked out by combining
 *    several lines (its unit vector lies in the row space of the line constraints on the withheld figures),
 *    the smallest shown figure in one of its lines is withheld too.
 *
 * After this no withheld figure can be recovered exactly by adding and subtracting shown figures.
 * Missing cells are shown as 'x' (and make their row and column totals 'x').
 *
 * Reference: Government Statistical Service. Disclosure control policy for tables produced from
 * administrative data sources (2014) — primary and secondary (complementary) suppression; Hundepool A et
 * al. Statistical disclosure control. Wiley; 2012, §4.2 (linear recoverability of suppressed cells).
 *
 * @param cells the interior counts, rows × columns (every row the same length)
 * @throws {StatsInputError} when a count is negative or infinite, the rows differ in length, or the
 *   threshold is below 1
 * @example applyDisclosureControl([[3, 10], [20, 30]]).cells[0][0] // { value: null, shown: false, reason: 'primary', symbol: 'c' }
 */
export function applyDisclosureControl(cells: readonly (readonly MaybeNumber[])[], options: DisclosureOptions = {}): DisclosedTable {
  const threshold = options.threshold ?? 5;
  checkThreshold(threshold);
  const rows = cells.length;
  const columns = rows === 0 ? 0 : (cells[0] as readonly MaybeNumber[]).length;
  for (const [r, row] of cells.entries()) {
    if (row.length !== columns) throw new StatsInputError(`every row of a table must have ${columns} cells (row ${r + 1} has ${row.length})`);
  }
  const size = rows * columns + rows + columns + 1;
  const work: WorkCell[] = Array.from({ length: size }, () => ({ value: null, reason: null }));
  const rowSums = new Array<number | null>(rows).fill(0);
  const columnSums = new Array<number | null>(columns).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const v = (cells[r] as readonly MaybeNumber[])[c];
      if (isMissing(v)) {
        rowSums[r] = null;
        columnSums[c] = null;
        continue;
      }
      requireNonNegative(v, `the count in row ${r + 1}, column ${c + 1}`);
      (work[r * columns + c] as WorkCell).value = v;
      if (rowSums[r] !== null) rowSums[r] = (rowSums[r] as number) + v;
      if (columnSums[c] !== null) columnSums[c] = (columnSums[c] as number) + v;
    }
  }
  let grand: number | null = 0;
  for (let r = 0; r < rows; r++) {
    (work[rows * columns + r] as WorkCell).value = rowSums[r] as number | null;
    grand = grand === null || rowSums[r] === null ? null : grand + (rowSums[r] as number);
  }
  for (let c = 0; c < columns; c++) {
    (work[rows * columns + rows + c] as WorkCell).value = columnSums[c] as number | null;
    if (columnSums[c] === null) grand = null;
  }
  (work[size - 1] as WorkCell).value = grand;

  for (const cell of work) if (cell.value !== null && isSmall(cell.value, threshold)) cell.reason = 'primary';

  const lines = buildLines(rows, columns);
  for (let guard = 0; guard < size + 1; guard++) {
    let changed = false;
    for (const line of lines) {
      if (line.members.some((m) => (work[m] as WorkCell).value === null && (work[m] as WorkCell).reason === null)) continue;
      const withheld = line.members.filter((m) => (work[m] as WorkCell).reason !== null).length;
      if (withheld === 1) {
        const next = nextToSuppress(line, work);
        if (next !== null) {
          (work[next] as WorkCell).reason = 'secondary';
          changed = true;
        }
      }
    }
    if (changed) continue;
    const determined = determinedCells(work, lines);
    for (const index of determined) {
      const candidates = lines.filter((line) => line.members.includes(index));
      const choice = candidates.map((line) => nextToSuppress(line, work)).find((m) => m !== null);
      if (choice !== undefined && choice !== null) {
        (work[choice] as WorkCell).reason = 'secondary';
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }

  const toCell = (cell: WorkCell): DisclosedCell =>
    cell.reason !== null
      ? { value: null, shown: false, reason: cell.reason, symbol: 'c' }
      : cell.value === null
        ? { value: null, shown: false, reason: null, symbol: 'x' }
        : { value: cell.value, shown: true, reason: null, symbol: null };
  return {
    cells: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => toCell(work[r * columns + c] as WorkCell))),
    rowTotals: Array.from({ length: rows }, (_, r) => toCell(work[rows * columns + r] as WorkCell)),
    columnTotals: Array.from({ length: columns }, (_, c) => toCell(work[rows * columns + rows + c] as WorkCell)),
    grandTotal: toCell(work[size - 1] as WorkCell),
  };
}

/**
 * The text to publish for a figure, with DfE symbols: 'c' when suppressed, 'x' when not available, 'z' when
 * not applicable, 'low' when a positive figure would round to zero at the given decimal places, else the
 * figure rounded to `decimals` places (half away from zero).
 *
 * Reference: Government Analysis Function. Symbols in tables, definitions and footnotes (c, x, z); DfE
 * Explore education statistics conventions ('low').
 *
 * @throws {StatsInputError} when decimals is not a whole number from 0 to 20
 * @example formatFigure({ value: 0.02, shown: true, reason: null, symbol: null }, 1) // 'low'
 */
export function formatFigure(figure: DisclosedCell | 'not-applicable', decimals = 0): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new StatsInputError(`decimals must be a whole number from 0 to 20 (got ${show(decimals)})`);
  }
  if (figure === 'not-applicable') return DFE_SYMBOLS.notApplicable;
  if (figure.symbol === 'c') return DFE_SYMBOLS.suppressed;
  if (figure.value === null) return DFE_SYMBOLS.notAvailable;
  const v = figure.value;
  const factor = 10 ** decimals;
  const rounded = (Math.sign(v) * Math.round(Math.abs(v) * factor)) / factor;
  if (v !== 0 && rounded === 0) return DFE_SYMBOLS.low;
  return rounded.toFixed(decimals);
}

/**
 * A count rounded to the nearest multiple of `base` (halves up; counts are whole so with base 5 no
 * count is ever half-way). Every sum or difference of figures rounded this way is itself a
 * multiple of `base`, so no adding and subtracting of them can give back a count from 1 to base − 1.
 *
 * Reference: Office for National Statistics. Statistical disclosure control methodology for 2021
 * Census data (rounding to base 5); NHS Digital. Hospital Episode Statistics: disclosure control
 * ("counts between 1 and 7 are suppressed, all other counts are rounded to the nearest 5").
 *
 * @throws {StatsInputError} when the count is negative or not finite, or the base is not a whole number of at least 1
 * @example roundToBase(38) // 40
 */
export function roundToBase(count: number, base = 5): number {
  if (!Number.isInteger(base) || base < 1) throw new StatsInputError(`a rounding base must be a whole number of at least 1 (got ${show(base)})`);
  requireNonNegative(count, 'a count');
  return Math.floor(count / base + 0.5) * base;
}

/** The sufficient statistics of one set of children on one measure: how many, the sum and the sum of squares of their values. */
export interface MeasureSummary {
  readonly n: number;
  readonly sum: number;
  readonly sumsq: number;
}

/**
 * What a measure's values are: yes/no (sum counts those meeting it), a count of events per child
 * (sum counts the events), or a continuous score.
 */
export type SummaryKind = 'binary' | 'count' | 'continuous';

/** Why a summary is withheld: too few children, too few meeting or missing a yes/no outcome, or too few events. */
export type WithheldBecause = 'few-children' | 'few-meeting' | 'few-missing' | 'few-events';

/** A summary as it may be released to someone who may not see small numbers. */
export type ReleasedSummary = { readonly summary: MeasureSummary; readonly withheld: null } | { readonly summary: null; readonly withheld: WithheldBecause };

/** Options for releasing a summary. */
export interface ReleaseOptions extends DisclosureOptions {
  /** Counts are rounded to a multiple of this; default 5. */
  readonly base?: number;
  /**
   * The set's key: a secret-keyed number that is the same whenever the same children are asked
   * about, mixed with each figure's true count (`mixKey`) to draw its perturbation (`perturbation`).
   * With it, counts are perturbed before they are rounded; without it they are only rounded, which
   * reasoning about ranges can undo (see docs/methods.md).
   */
  readonly key?: number;
  /** The measure's range (largest less smallest possible value): a score's mean is perturbed by up to a tenth of it, shared among the children. */
  readonly valueRange?: number;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The perturbations of one cell, from its key: whole numbers from a two-sided geometric (discrete
 * Laplace) distribution, P(d) = ⅓·2^−|d|, for the count and for those meeting the outcome (or the
 * events), and a uniform number in (−1, 1) for a mean. The same key always gives the same
 * perturbations, so asking again, or asking for the same children another way, gains nothing.
 *
 * Every whole number has a chance, so a released figure rules out no true count: interval
 * reasoning over several figures (the parts of a total, say) can narrow a likelihood but never pin
 * a withheld count. Reference: ONS cell key perturbation (Statistical disclosure control
 * methodology for 2021 Census data); the two-sided geometric mechanism, Ghosh, Roughgarden and
 * Sundararajan, Universally utility-maximizing privacy mechanisms, SIAM J. Comput. 2012;41(6).
 *
 * @example perturbation(12345).count // the same whole number every time for key 12345
 */
export function perturbation(key: number): { count: number; outcome: number; mean: number } {
  const random = createRandom(key >>> 0);
  const geometric = () => Math.floor(Math.log(random.uniform()) / Math.log(0.5));
  const twoSided = () => geometric() - geometric();
  return { count: twoSided(), outcome: twoSided(), mean: 2 * random.uniform() - 1 };
}

/**
 * A 32-bit key mixed with whole numbers (MurmurHash3's finaliser after each), so that nearby inputs
 * give unrelated keys. A figure's perturbation is keyed by its set's key mixed with the figure's own
 * true count: the same children give the same count, and so the same perturbation, whichever
 * measure or question they are counted for, and asking for them again gains nothing.
 *
 * @example mixKey(12345, 38) === mixKey(12345, 38) // true
 */
export function mixKey(key: number, ...values: number[]): number {
  let h = key >>> 0;
  for (const value of values) {
    h = Math.imul(h ^ ((value >>> 0) + 0x9e3779b9), 0x85ebca6b) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** A non-zero count perturbed and rounded to the base, never shown below the base (a shown count is never 0 or less when children are there). */
function perturbedCount(count: number, offset: number, base: number): number {
  return count === 0 ? 0 : Math.max(base, roundToBase(Math.max(0, count + offset), base));
}

/**
 * Disclosure control of one set of children's summary on a measure, for release to someone without
 * access to the records behind it.
 *
 * 1. Primary suppression: withheld when 1 to threshold − 1 children are in it (default 1–4); for a
 *    yes/no measure also when 1 to threshold − 1 of them meet the outcome or miss it; for a count
 *    of events when the events number 1 to threshold − 1.
 * 2. Perturbation (with a cell key): the number of children, and those meeting a yes/no outcome
 *    (or the events), each get a whole-number perturbation from the key (`perturbation`); a score's
 *    mean moves by up to a tenth of the measure's range divided by the number of children, so no
 *    one child's score can be read off it.
 * 3. Rounding: the perturbed counts are rounded to the nearest multiple of `base` (default 5), and
 *    never shown below it; a score's mean and standard deviation to one decimal place (a count's
 *    standard deviation to two). The summary released is rebuilt from those figures.
 *
 * Every figure then derived from the released summary (a percentage, a mean, an interval, a gap and
 * its significance) is a function of released figures only: a withheld count cannot be given back
 * by differencing (every released count is a multiple of the base), nor pinned by reasoning about
 * the ranges the rounded figures allow (the perturbation has no bound), nor a denominator read off
 * a long decimal.
 *
 * Reference: Department for Education. Statistics: guidance on disclosure control (suppression of
 * numerators and denominators below a threshold); Office for National Statistics. Statistical
 * disclosure control methodology for 2021 Census data (cell key perturbation, rounding); NHS
 * Digital. HES analysis guide, disclosure control (suppress small counts and round the rest to 5).
 *
 * @throws {StatsInputError} when n is negative or not finite, or the threshold or base is invalid
 * @example releaseSummary({ n: 38, sum: 17, sumsq: 17 }, 'binary') // { summary: { n: 40, sum: 15, sumsq: 15 }, withheld: null }
 */
export function releaseSummary(summary: MeasureSummary, kind: SummaryKind, options: ReleaseOptions = {}): ReleasedSummary {
  const threshold = options.threshold ?? 5;
  const base = options.base ?? 5;
  checkThreshold(threshold);
  requireNonNegative(summary.n, 'a number of children');
  const withheld = (because: WithheldBecause): ReleasedSummary => ({ summary: null, withheld: because });
  if (isSmall(summary.n, threshold)) return withheld('few-children');
  if (summary.n === 0) return { summary: { n: 0, sum: 0, sumsq: 0 }, withheld: null };
  // Each figure is keyed by its set's key and its own true figures: the same children, the same perturbation.
  const key = options.key;
  const offsets =
    key === undefined
      ? { count: 0, outcome: 0, mean: 0, spread: 0 }
      : {
          count: perturbation(mixKey(key, summary.n)).count,
          outcome: perturbation(mixKey(key, summary.n, summary.sum)).outcome,
          mean: perturbation(mixKey(key, summary.n, Math.round(summary.sum * 1000))).mean,
          spread: perturbation(mixKey(key, summary.n, Math.round(summary.sumsq * 1000))).mean,
        };
  const n = perturbedCount(summary.n, offsets.count, base);
  if (kind === 'binary') {
    if (isSmall(summary.sum, threshold)) return withheld('few-meeting');
    if (isSmall(summary.n - summary.sum, threshold)) return withheld('few-missing');
    const meeting = Math.min(n, perturbedCount(summary.sum, offsets.outcome, base));
    return { summary: { n, sum: meeting, sumsq: meeting }, withheld: null };
  }
  // The spread moves by up to a tenth of itself (with a key) before rounding, so an interval's width gives no exact figure back.
  const spread = (decimals: number) =>
    summary.n < 2 ? 0 : roundTo((standardDeviationFromSums(summary) ?? 0) * (1 + offsets.spread / 10), decimals);
  if (kind === 'count') {
    if (isSmall(summary.sum, threshold)) return withheld('few-events');
    const events = perturbedCount(summary.sum, offsets.outcome, base);
    const sd = spread(2);
    return { summary: { n, sum: events, sumsq: (n - 1) * sd * sd + (events * events) / n }, withheld: null };
  }
  const shift = options.valueRange === undefined ? 0 : (offsets.mean * options.valueRange) / 10 / summary.n;
  const mean = roundTo(summary.sum / summary.n + shift, 1);
  const sd = spread(1);
  return { summary: { n, sum: mean * n, sumsq: (n - 1) * sd * sd + n * mean * mean }, withheld: null };
}

/**
 * A count released on its own (children of unknown membership, say): withheld (null) from 1 to
 * threshold − 1, else perturbed by the cell key, if given, and rounded to the base as in
 * `releaseSummary`.
 *
 * @example releaseCount(3) // null
 */
export function releaseCount(count: number, options: ReleaseOptions = {}): number | null {
  const threshold = options.threshold ?? 5;
  checkThreshold(threshold);
  requireNonNegative(count, 'a count');
  if (isSmall(count, threshold)) return null;
  return perturbedCount(count, options.key === undefined ? 0 : perturbation(mixKey(options.key, count)).count, options.base ?? 5);
}
