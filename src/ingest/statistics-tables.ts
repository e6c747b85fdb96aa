import type { ColumnType } from 'kysely';
import type { FilterColumn, IndicatorColumn } from './statistics/metadata.js';
import type { DatasetSummary } from './statistics/summary.js';

/** bigint: PostgreSQL returns it as a string, PGlite as a number; written as either. */
type Int8 = ColumnType<string | number, string | number | bigint, string | number | bigint>;
type Json<T> = ColumnType<T, string, string>;

/** One loaded statistics file (data and metadata), made by one import batch. */
export interface StatisticsDatasetTable {
  id: ColumnType<string | number, never, never>;
  batch_id: Int8;
  /** From the data file's name: "Exclusions by reason". */
  title: string;
  data_file_name: string;
  meta_file_name: string;
  filters: Json<FilterColumn[]>;
  indicators: Json<IndicatorColumn[]>;
  summary: Json<DatasetSummary>;
  rows_loaded: number;
  observations_loaded: number;
  loaded_at: ColumnType<Date, Date | undefined, Date>;
}

/** One published figure: one indicator of one data row. See migration 0007 for the meaning of each code. */
export interface StatisticsObservationTable {
  dataset_id: Int8;
  /** The row of the data file it came from (the header is row 1). */
  row_number: number;
  /** The indicator's col_name in its metadata file. */
  indicator: string;
  time_period: string;
  time_identifier: string;
  /** The first year of the period: 2016 for 201617 and for 2016. */
  start_year: number;
  geographic_level: string;
  area_code: string;
  la_code: string | null;
  old_la_code: string | null;
  new_la_code: string | null;
  /** Filter column to value; a blank published value is "Not specified". */
  filters: Json<Record<string, string>>;
  /** The framework group a filter value names, when exactly one does. */
  group_id: string | null;
  /** Null whenever status is not 'value'. */
  value: number | null;
  /** 'value'; 'text' for a category in words (in text_value); or the symbol published instead of a number: c, x, z, low, k, u, :, ~. */
  status: string;
  /** The published words when status is 'text' (migration 0016); null otherwise. */
  text_value: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StatisticsTables {
  statistics_dataset: StatisticsDatasetTable;
  statistics_observation: StatisticsObservationTable;
}
