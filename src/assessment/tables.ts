import type { ColumnType, Generated } from 'kysely';
import type { StatementChangeKind } from '../framework/tables.js';

type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;
/** A date column: select it as text (`next_step_due::text`) so no time zone shifts it. */
type DateColumn = ColumnType<Date | string | null, string | null | undefined, string | null>;

export const assessmentScopes = ['threads', 'T1', 'T2', 'T3', 'T4', 'T5'] as const;
export type AssessmentScope = (typeof assessmentScopes)[number];

export const assessmentStatuses = ['in-progress', 'submitted', 'signed-off'] as const;
export type AssessmentStatus = (typeof assessmentStatuses)[number];

export const confidenceLevels = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof confidenceLevels)[number];

export const amendmentStatuses = ['proposed', 'accepted', 'rejected', 'merged', 'withdrawn'] as const;
export type AmendmentStatus = (typeof amendmentStatuses)[number];

export const moderationStatuses = ['invited', 'declined', 'rating', 'submitted', 'agreed', 'withdrawn'] as const;
export type ModerationStatus = (typeof moderationStatuses)[number];
/** Statuses in which the moderator has not yet submitted: the self-ratings stay hidden from them. */
export const blindStatuses: readonly ModerationStatus[] = ['invited', 'rating'];

export interface EvidenceLink {
  url: string;
  title: string;
}

export interface AssessmentTable {
  la_code: string;
  id: Generated<string>;
  organisation_id: string;
  scope: AssessmentScope;
  period: string;
  catalogue_version: string;
  catalogue_revision: ColumnType<number, number | undefined, number>;
  status: ColumnType<AssessmentStatus, AssessmentStatus | undefined, AssessmentStatus>;
  previous_id: string | null;
  owner_user_id: string | null;
  owner_label: string;
  created_at: CreatedAt;
  submitted_at: NullableTimestamp;
  submitted_by_label: ColumnType<string | null, string | null | undefined, string | null>;
  signed_off_at: NullableTimestamp;
  signed_off_by: ColumnType<string | null, string | null | undefined, string | null>;
  signed_off_by_label: ColumnType<string | null, string | null | undefined, string | null>;
  version: Generated<number>;
}

/** The wording of each statement an assessment rates, copied when it starts. */
export interface AssessmentStatementTable {
  la_code: string;
  assessment_id: string;
  statement_id: string;
  position: number;
  kind: string;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  parent_id: string | null;
  text: string;
}

export interface AssessmentRatingTable {
  la_code: string;
  assessment_id: string;
  statement_id: string;
  /** 1 not yet in place, 2 developing, 3 established, 4 embedded; null when not applicable or not yet rated. */
  level: number | null;
  not_applicable: ColumnType<boolean, boolean | undefined, boolean>;
  not_applicable_reason: ColumnType<string, string | undefined, string>;
  note: ColumnType<string, string | undefined, string>;
  links: Json<EvidenceLink[]>;
  confidence: Confidence | null;
  next_step: ColumnType<string, string | undefined, string>;
  next_step_owner: ColumnType<string, string | undefined, string>;
  next_step_due: DateColumn;
  carried_forward: ColumnType<boolean, boolean | undefined, boolean>;
  version: Generated<number>;
  updated_by: string | null;
  updated_by_label: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AssessmentEvidenceFileTable {
  la_code: string;
  id: Generated<string>;
  assessment_id: string;
  statement_id: string;
  filename: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  /** The file this one was carried forward from (a new period starts from the previous evidence). */
  carried_from: string | null;
  uploaded_by: string | null;
  uploaded_by_label: string;
  uploaded_at: CreatedAt;
}

export interface AssessmentModerationTable {
  la_code: string;
  id: Generated<string>;
  assessment_id: string;
  moderator_user_id: string;
  moderator_label: string;
  /** The moderator's organisation as they are introduced (a region's adviser, a peer authority's leader). */
  moderator_organisation: string;
  /** Statement ids to moderate, or null for all of them. */
  sample: string[] | null;
  status: ColumnType<ModerationStatus, ModerationStatus | undefined, ModerationStatus>;
  invited_by_label: string;
  invited_at: CreatedAt;
  submitted_at: NullableTimestamp;
  agreed_at: NullableTimestamp;
}

export interface AssessmentModerationRatingTable {
  la_code: string;
  moderation_id: string;
  statement_id: string;
  level: number | null;
  not_applicable: ColumnType<boolean, boolean | undefined, boolean>;
  comment: ColumnType<string, string | undefined, string>;
  agreed_level: ColumnType<number | null, number | null | undefined, number | null>;
  agreed_not_applicable: ColumnType<boolean, boolean | undefined, boolean>;
  agreed_comment: ColumnType<string, string | undefined, string>;
  agreed_by_label: ColumnType<string | null, string | null | undefined, string | null>;
  agreed_at: NullableTimestamp;
  version: Generated<number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface FrameworkAmendmentTable {
  la_code: string;
  id: Generated<string>;
  organisation_id: string;
  proposed_by: string | null;
  proposed_by_label: string;
  proposed_at: CreatedAt;
  change: StatementChangeKind;
  /** The statement to amend or retire; null for a new statement. */
  statement_id: string | null;
  /** Where a new statement goes. */
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  /** For a new template-three point: the principle it goes under (`T3-P2`); migration 0019. */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  proposed_text: ColumnType<string, string | undefined, string>;
  reason: string;
  local_evidence: ColumnType<string, string | undefined, string>;
  status: ColumnType<AmendmentStatus, AmendmentStatus | undefined, AmendmentStatus>;
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
  reply: ColumnType<string, string | undefined, string>;
  decided_by_label: ColumnType<string | null, string | null | undefined, string | null>;
  decided_at: NullableTimestamp;
  revision: ColumnType<number | null, number | null | undefined, number | null>;
  /** The id an accepted new statement was given (`GT04-X01`); migration 0019. */
  added_statement_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AssessmentTables {
  assessment: AssessmentTable;
  assessment_statement: AssessmentStatementTable;
  assessment_rating: AssessmentRatingTable;
  assessment_evidence_file: AssessmentEvidenceFileTable;
  assessment_moderation: AssessmentModerationTable;
  assessment_moderation_rating: AssessmentModerationRatingTable;
  framework_amendment: FrameworkAmendmentTable;
}
