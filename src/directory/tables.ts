import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | undefined, Date>;

/** An authority's locality: the postcode districts it is drawn with (its settings name it in `organisation.locality`). */
export interface DirectoryLocalityTable {
  la_code: string;
  name: string;
  districts: ColumnType<string[], string[] | undefined, string[]>;
  updated_by_label: string;
  updated_at: Timestamp;
}

export interface DirectoryTables {
  directory_locality: DirectoryLocalityTable;
}
