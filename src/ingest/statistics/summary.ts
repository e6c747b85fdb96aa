import type { StatisticsRow } from './data-rows.js';
import { groupForFilterValue } from './groups.js';

/** What a statistics file holds, as the import reports it and the dataset keeps it. */
export interface DatasetSummary {
  title: string;
  /** Rows per geographic level, in the order first met. */
  levels: { level: string; rows: number }[];
  timeIdentifiers: string[];
  /** Distinct time periods as published, in order. */
  periods: string[];
  indicatorCount: number;
  filterCount: number;
  observations: number;
  /** Observations per status: 'value' for numbers, 'text' for categories in words, else the symbol (c, x, z, low, ...). */
  statuses: Record<string, number>;
  /** The filter values tagged with a framework group, and how many rows each tagged. */
  groups: { groupId: string; filter: string; value: string; rows: number }[];
  /** Indicators with values in words (categories, kept as published but never compared as numbers), and how many. */
  textValues?: { indicator: string; values: number }[];
  /** Data columns the metadata does not describe, which EES ignores and so does the import. Absent in summaries made before. */
  ignoredColumns?: string[];
  /** Rows at levels EES loads only from a file of that level alone (School, Provider, Institution, Planning area), ignored in a file that mixes levels. */
  ignoredRows?: { level: string; rows: number }[];
}

/** Adds up the summary of the valid rows as they stream past; holds only distinct values. */
export class SummaryBuilder {
  private readonly levels = new Map<string, number>();
  private readonly identifiers = new Set<string>();
  private readonly periods = new Set<string>();
  private readonly statuses = new Map<string, number>();
  private readonly groups = new Map<string, { groupId: string; filter: string; value: string; rows: number }>();
  private readonly startYears = new Set<number>();
  private readonly textValues = new Map<string, number>();
  private observations = 0;

  constructor(
    private readonly title: string,
    private readonly indicatorCount: number,
    private readonly filterCount: number,
    /** The indicators' names in cell order, to say which hold words. */
    private readonly indicatorNames: readonly string[] = [],
  ) {}

  add(row: StatisticsRow): void {
    this.levels.set(row.geographicLevel, (this.levels.get(row.geographicLevel) ?? 0) + 1);
    this.identifiers.add(row.timeIdentifier);
    this.periods.add(row.timePeriod);
    this.startYears.add(row.startYear);
    row.cells.forEach((cell, index) => {
      const status = typeof cell === 'number' ? 'value' : typeof cell === 'string' ? cell : 'text';
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (status === 'text') {
        const indicator = this.indicatorNames[index] ?? `indicator ${index + 1}`;
        this.textValues.set(indicator, (this.textValues.get(indicator) ?? 0) + 1);
      }
    });
    this.observations += row.cells.length;
    if (row.groupId === null) return;
    for (const [filter, value] of Object.entries(row.filters)) {
      if (groupForFilterValue(value) !== row.groupId) continue;
      const key = `${filter}\u0000${value}`;
      const entry = this.groups.get(key) ?? { groupId: row.groupId, filter, value, rows: 0 };
      entry.rows += 1;
      this.groups.set(key, entry);
    }
  }

  /** The distinct start years of the rows, in order. */
  years(): number[] {
    return [...this.startYears].sort((a, b) => a - b);
  }

  summary(ignored: { columns: string[]; rows: { level: string; rows: number }[] } = { columns: [], rows: [] }): DatasetSummary {
    return {
      title: this.title,
      levels: [...this.levels].map(([level, rows]) => ({ level, rows })),
      timeIdentifiers: [...this.identifiers],
      periods: [...this.periods].sort(),
      indicatorCount: this.indicatorCount,
      filterCount: this.filterCount,
      observations: this.observations,
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => (a === 'value' ? -1 : b === 'value' ? 1 : a < b ? -1 : 1))),
      groups: [...this.groups.values()],
      textValues: [...this.textValues].map(([indicator, values]) => ({ indicator, values })),
      ignoredColumns: ignored.columns,
      ignoredRows: ignored.rows,
    };
  }
}

/** "exclusions_by_reason.csv" reads as "Exclusions by reason". */
export function titleFromFileName(fileName: string): string {
  const words = fileName.replace(/\.(meta\.)?csv$/i, '').replace(/[_-]+/g, ' ').trim();
  return words === '' ? fileName : words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * What an import left out, or kept in words rather than numbers, as EES does, in sentences for the
 * person who loaded the file (the command line and the web pages say the same).
 */
export function leftOutNotes(dataset: Pick<DatasetSummary, 'ignoredColumns' | 'ignoredRows' | 'textValues'>): string[] {
  const notes: string[] = [];
  const columns = dataset.ignoredColumns ?? [];
  if (columns.length > 0) notes.push(`Ignored ${count(columns.length, 'column')} the metadata file does not describe (as EES ignores them): ${columns.join(', ')}.`);
  const rows = dataset.ignoredRows ?? [];
  if (rows.length > 0)
    notes.push(
      `Ignored ${rows.map((entry) => `${count(entry.rows, 'row')} at ${entry.level} level`).join(', ')}: EES loads School, Provider, Institution and Planning area rows only from a file of that level alone.`,
    );
  const words = dataset.textValues ?? [];
  if (words.length > 0) notes.push(`Kept in words, not numbers (categories, never compared as figures): ${words.map((entry) => `${entry.indicator} (${count(entry.values, 'value')})`).join(', ')}.`);
  return notes;
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-GB')} ${noun}${value === 1 ? '' : 's'}`;
}
