import type { ColumnType } from 'kysely';

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/**
 * Sufficient statistics per authority, year, setting and signature (src/aggregates/signature.ts):
 * `setting_urn` 0 is the whole authority, -1 children without a setting. Each measure has
 * `<name>_n` (children with a value), `<name>_sum` and `<name>_sumsq`.
 */
export interface ChildAggregateTable {
  la_code: string;
  academic_year: number;
  setting_urn: number;
  signature: Int8;
  children: number;
  [measureColumn: string]: unknown;
}

export interface AggregateTables {
  child_aggregate: ChildAggregateTable;
}
