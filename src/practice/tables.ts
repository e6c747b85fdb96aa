import type { ColumnType, Generated } from 'kysely';
import type { PracticeContent } from './content.js';
import type { PersonalDataFinding } from './personal-data.js';

type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** PostgreSQL `numeric` arrives as text so that no precision is lost on the way. */
type NumericColumn = ColumnType<string | null, number | null | undefined, number | null>;

export const practiceStatuses = ['draft', 'submitted', 'in-review', 'awaiting-decision', 'returned', 'published', 'rejected', 'withdrawn'] as const;
export type PracticeStatus = (typeof practiceStatuses)[number];

/** After C4EO's validated local practice: how far the evidence shows the practice works. */
export const practiceGrades = ['validated', 'promising', 'emerging'] as const;
export type PracticeGrade = (typeof practiceGrades)[number];

export const reviewStatuses = ['assigned', 'submitted', 'withdrawn'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

export const decisionOutcomes = ['publish', 'return', 'reject'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

export interface PracticeItemTable {
  id: Generated<string>;
  reference: ColumnType<number, never, never>;
  status: ColumnType<PracticeStatus, PracticeStatus | undefined, PracticeStatus>;
  submitter_user_id: string | null;
  submitter_label: string;
  /** What the submitter is editing: the next version's content, or the last one's while it is judged. */
  draft: Json<PracticeContent>;
  current_version: ColumnType<number, number | undefined, number>;
  published_version: Optional<number>;
  grade: Optional<PracticeGrade>;
  evidence_strength: Optional<number>;
  personal_data_findings: ColumnType<PersonalDataFinding[], string | undefined, string>;
  personal_data_cleared_by_label: Optional<string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  submitted_at: NullableTimestamp;
  published_at: NullableTimestamp;
  title: ColumnType<string, string | undefined, string>;
  groups: ColumnType<string[], string[] | undefined, string[]>;
  outcomes: ColumnType<string[], string[] | undefined, string[]>;
  threads: ColumnType<string[], string[] | undefined, string[]>;
  statements: ColumnType<string[], string[] | undefined, string[]>;
  tiers: ColumnType<string[], string[] | undefined, string[]>;
  setting_types: ColumnType<string[], string[] | undefined, string[]>;
  cost_band: Optional<string>;
  region_code: Optional<string>;
  la_code: Optional<string>;
  impact_months: NumericColumn;
  effect_size: NumericColumn;
  version: Generated<number>;
}

export interface PracticeVersionTable {
  item_id: string;
  version: number;
  content: Json<PracticeContent>;
  response_to_feedback: ColumnType<string, string | undefined, string>;
  submitted_at: CreatedAt;
  submitted_by_label: string;
}

export interface PracticeReviewTable {
  item_id: string;
  version: number;
  reviewer_user_id: string;
  reviewer_label: string;
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  assigned_at: CreatedAt;
  assigned_by_label: string;
  submitted_at: NullableTimestamp;
  grade: Optional<PracticeGrade>;
  evidence_strength: Optional<number>;
  studies: Optional<number>;
  reasons: ColumnType<string, string | undefined, string>;
}

export interface PracticeDecisionTable {
  item_id: string;
  version: number;
  outcome: DecisionOutcome;
  grade: PracticeGrade | null;
  evidence_strength: number | null;
  agreement: string;
  feedback: string;
  decided_at: CreatedAt;
  decided_by_user_id: string | null;
  decided_by_label: string;
}

export interface PracticeEventTable {
  item_id: string;
  sequence: ColumnType<number, never, never>;
  at: CreatedAt;
  kind: string;
  actor_label: string;
  detail: ColumnType<string, string | undefined, string>;
  shown_to_submitter: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface PracticeDocumentTable {
  id: Generated<string>;
  item_id: string;
  name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  added_at: CreatedAt;
  added_by_label: string;
  removed_at: NullableTimestamp;
}

export interface DigestSection {
  heading: string;
  introduction: string;
  itemIds: string[];
}

export interface PracticeDigestEditionTable {
  number: number;
  title: string;
  introduction: string;
  sections: Json<DigestSection[]>;
  status: ColumnType<'draft' | 'published', 'draft' | 'published' | undefined, 'draft' | 'published'>;
  created_at: CreatedAt;
  created_by_label: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  published_at: NullableTimestamp;
  published_by_label: Optional<string>;
  /** The published items as they were when the edition was published, keyed by item id. */
  items: ColumnType<unknown, string | null | undefined, string | null>;
  version: Generated<number>;
}

export interface PracticeSubmissionAttemptTable {
  key: string;
  at: CreatedAt;
}

/** A published item's words for the library's search: title A, summary B, body C, the rest D. */
export interface PracticeSearchTable {
  item_id: string;
  reference: number;
  published_at: Date;
  search_vector: ColumnType<string, string, string>;
}

export interface PracticeTables {
  practice_item: PracticeItemTable;
  practice_search: PracticeSearchTable;
  practice_version: PracticeVersionTable;
  practice_review: PracticeReviewTable;
  practice_decision: PracticeDecisionTable;
  practice_event: PracticeEventTable;
  practice_document: PracticeDocumentTable;
  practice_digest_edition: PracticeDigestEditionTable;
  practice_submission_attempt: PracticeSubmissionAttemptTable;
}
