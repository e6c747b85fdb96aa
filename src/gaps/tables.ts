import type { ColumnType } from 'kysely';

/** Gap figures kept with the version of the data they came from (migration 0024, figures-cache.ts). */
export interface GapFiguresTable {
  la_code: string;
  key: string;
  data_version: string;
  /** The figures as JSON. */
  figures: string;
  computed_at: ColumnType<Date, Date | undefined, Date>;
}

export interface GapTables {
  gap_figures: GapFiguresTable;
}
