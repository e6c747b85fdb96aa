import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/** One pupil's progress between two points (progress-pairs.ts), recomputed after every load. */
export interface ChildProgressTable {
  la_code: string;
  /** The year of the outcome. */
  academic_year: number;
  pair: string;
  child_key: string;
  setting_urn: number | null;
  signature: Int8;
  prior_year: number | null;
  prior_value: number | null;
  band: number | null;
  outcome_value: number;
  expected: number | null;
  progress: number | null;
  label: string;
}

/** A child on a work list in a year (src/tracking/listings.ts): kept beside the records, never edited by hand. */
export interface ChildListingTable {
  la_code: string;
  academic_year: number;
  list: string;
  child_key: string;
  setting_urn: number | null;
  ncy: number | null;
  signature: Int8;
  /** Framework groups the child is in: the trusted-adult list holds every child in at least one. */
  group_count: number;
  finding: string;
}

export interface TrackingRulesTable {
  la_code: string;
  rules: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  updated_by: string | null;
  updated_by_label: string;
}

export interface ChildFollowUpTable {
  id: Generated<string>;
  la_code: string;
  child_key: string;
  academic_year: number;
  list: string;
  action: string;
  note: ColumnType<string, string | undefined, string>;
  follow_up_on: ColumnType<string | null, string | null | undefined, string | null>;
  recorded_by: string | null;
  recorded_by_label: string;
  setting_urn: number | null;
  recorded_at: ColumnType<Date, Date | undefined, never>;
}

export interface ChildHandoverTable {
  la_code: string;
  child_key: string;
  academic_year: number;
  to_setting_urn: number;
  from_setting_urn: number;
  confirmed_by: string | null;
  confirmed_by_label: string;
  confirmed_at: ColumnType<Date, Date | undefined, never>;
  note: ColumnType<string, string | undefined, string>;
}

export interface BreakGlassAccessTable {
  id: Generated<string>;
  user_id: string;
  user_email: string;
  la_code: string;
  child_key: string;
  reason: string;
  granted_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
  ended_at: Date | null;
  seen_by_admin_at: Date | null;
}

export interface TrackingTables {
  child_progress: ChildProgressTable;
  child_listing: ChildListingTable;
  tracking_rules: TrackingRulesTable;
  child_follow_up: ChildFollowUpTable;
  child_handover: ChildHandoverTable;
  break_glass_access: BreakGlassAccessTable;
}
