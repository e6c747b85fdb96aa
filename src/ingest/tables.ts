import type { ColumnType, Generated } from 'kysely';
import type { CoordinationCount, CoordinationFlag, MembershipFlag } from './child-standard.js';

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

export type BatchKind = 'children' | 'statistics';
export type BatchOutcome = 'loaded' | 'rejected';

export interface ImportBatchTable {
  id: Generated<string>;
  kind: BatchKind;
  /** The owning authority of a child-level batch; null for published statistics. */
  la_code: string | null;
  organisation_id: string | null;
  uploaded_by: string | null;
  /** The uploader as shown in the history: an email address, or "operator" for the command line. */
  uploaded_by_label: string;
  file_name: string;
  sha256: string;
  /** Path of the kept copy, relative to the data folder. */
  stored_file: string | null;
  byte_size: Int8;
  outcome: BatchOutcome;
  accept_valid: ColumnType<boolean, boolean | undefined, boolean>;
  academic_years: ColumnType<number[], number[] | undefined, number[]>;
  rows_read: ColumnType<number, number | undefined, number>;
  rows_loaded: ColumnType<number, number | undefined, number>;
  rows_quarantined: ColumnType<number, number | undefined, number>;
  problem_count: ColumnType<number, number | undefined, number>;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  started_at: Date;
  finished_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ImportProblemTable {
  batch_id: Int8;
  seq: number;
  /** Which of the batch's files (a statistics batch has two); added by migration 0007. */
  file_name: ColumnType<string | null, string | null | undefined, string | null>;
  row_number: number | null;
  column_name: string;
  value: string;
  expected: string;
}

type ChildFlagColumns = { [K in MembershipFlag | CoordinationFlag]: boolean | null };
type ChildCountColumns = { [K in CoordinationCount]: number | null };

export interface ChildRecordTable extends ChildFlagColumns, ChildCountColumns {
  la_code: string;
  academic_year: number;
  batch_id: Int8;
  /** HMAC-SHA256 of the child identifier under the service's pseudonym key, hex. */
  child_key: string;
  /** Group memberships packed as in src/aggregates/signature.ts. */
  signature: Int8;
  setting_urn: number | null;
  ncy: number | null;
  sex: 'F' | 'M' | null;
  idaci_decile: number | null;
  sen_provision: string | null;
  ethnicity: string | null;
  english_proficiency: string | null;
  /** Key stage 2 prior attainment carried in key stage 4 data (average of reading and maths scaled scores). */
  ks2_prior_average: number | null;
  eyfsp_gld: boolean | null;
  phonics_y1_met: boolean | null;
  ks2_rwm_expected: boolean | null;
  ks2_reading_scaled: number | null;
  ks2_maths_scaled: number | null;
  ks4_attainment8: number | null;
  ks4_eng_maths_grade4: boolean | null;
  attendance_pct: number | null;
  suspensions: number | null;
  healthy_weight_reception: boolean | null;
  healthy_weight_y6: boolean | null;
  neet_16_17: boolean | null;
  local_values: ColumnType<Record<string, number | boolean | null> | null, string | null, string | null>;
}

export interface ChildYearBatchTable {
  la_code: string;
  academic_year: number;
  batch_id: Int8;
  since: ColumnType<Date, Date | undefined, Date>;
}

export interface IngestTables {
  import_batch: ImportBatchTable;
  import_problem: ImportProblemTable;
  child_record: ChildRecordTable;
  child_year_batch: ChildYearBatchTable;
}
