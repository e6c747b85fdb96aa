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
  /** Observations per status: 'value' for numbers, else the symbol (c, x, z, low, ...). */
  statuses: Record<string, number>;
  /** The filter values tagged with a framework group, and how many rows each tagged. */
  groups: { groupId: string; filter: string; value: string; rows: number }[];
}

/** Adds up the summary of the valid rows as they stream past; holds only distinct values. */
export class SummaryBuilder {
  private readonly levels = new Map<string, number>();
  private readonly identifiers = new Set<string>();
  private readonly periods = new Set<string>();
  private readonly statuses = new Map<string, number>();
  private readonly groups = new Map<string, { groupId: string; filter: string; value: string; rows: number }>();
  private readonly startYears = new Set<number>();
  private observations = 0;

  constructor(
    private readonly title: string,
    private readonly indicatorCount: number,
    private readonly filterCount: number,
  ) {}

  add(row: StatisticsRow): void {
    this.levels.set(row.geographicLevel, (this.levels.get(row.geographicLevel) ?? 0) + 1);
    this.identifiers.add(row.timeIdentifier);
    this.periods.add(row.timePeriod);
    this.startYears.add(row.startYear);
    for (const cell of row.cells) {
      const status = typeof cell === 'number' ? 'value' : cell;
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    }
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

  summary(): DatasetSummary {
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
    };
  }
}

/** "exclusions_by_reason.csv" reads as "Exclusions by reason". */
export function titleFromFileName(fileName: string): string {
  const words = fileName.replace(/\.(meta\.)?csv$/i, '').replace(/[_-]+/g, ' ').trim();
  return words === '' ? fileName : words.charAt(0).toUpperCase() + words.slice(1);
}
