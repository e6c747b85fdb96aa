import type { ColumnType } from 'kysely';

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/**
 * Sufficient statistics per authority, year and signature (src/aggregates/signature.ts). Each
 * measure has `<name>_n` (children with a value), `<name>_sum` and `<name>_sumsq`.
 */
export interface ChildAggregateTable {
  la_code: string;
  academic_year: number;
  signature: Int8;
  children: number;
  [measureColumn: string]: unknown;
}

/**
 * The same per setting (`setting_urn` -1: children without one) and one group at a time:
 * `dimension` a group id with `membership` 0 unknown, 1 in, 2 out; or 'all' (membership 1).
 */
export interface ChildSettingAggregateTable {
  la_code: string;
  academic_year: number;
  setting_urn: number;
  dimension: string;
  membership: number;
  children: number;
  [measureColumn: string]: unknown;
}

/** When an authority's aggregates last changed other than by a load (new rules for derived indicators). */
export interface AggregateRevisionTable {
  la_code: string;
  revised_at: ColumnType<Date, Date | undefined, Date>;
}

/** Per setting: its children, those in any vulnerable group and their IDACI deciles (setting-profiles.ts). */
export interface ChildSettingProfileTable {
  la_code: string;
  academic_year: number;
  setting_urn: number;
  children: number;
  in_any_group: number;
  idaci_known: number;
  idaci_most_deprived: number;
}

export interface AggregateTables {
  aggregate_revision: AggregateRevisionTable;
  child_aggregate: ChildAggregateTable;
  child_setting_aggregate: ChildSettingAggregateTable;
  child_setting_profile: ChildSettingProfileTable;
}
