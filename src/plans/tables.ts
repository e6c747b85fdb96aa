import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
/** A date column: select it as text (`col::text`) so no time zone shifts it. */
type DateColumn = ColumnType<Date | string, string, string>;

/** An action's status, as a board reads it: the three middle ones are the owner's judgement. */
export const improvementActionStatuses = ['not-started', 'on-track', 'at-risk', 'off-track', 'done'] as const;
export type ImprovementActionStatus = (typeof improvementActionStatuses)[number];

/** What a priority can point at as its evidence or its means. */
export const linkKinds = ['thread', 'statement', 'gap', 'curve-plan', 'practice'] as const;
export type LinkKind = (typeof linkKinds)[number];

/** Which figure of a gap-matrix cell a success measure follows. */
export const measureFigures = ['gap', 'group-value'] as const;
export type MeasureFigure = (typeof measureFigures)[number];

export const prioritySources = ['suggested', 'written'] as const;
export type PrioritySource = (typeof prioritySources)[number];

export interface ImprovementPlanTable {
  la_code: string;
  id: Generated<string>;
  organisation_id: string;
  period_start: DateColumn;
  period_end: DateColumn;
  title: string;
  vision: Generated<string>;
  owner_user_id: string | null;
  version: Generated<number>;
  revision: Generated<number>;
  created_by_label: string;
  created_at: Timestamp;
  updated_by_label: string;
  updated_at: Timestamp;
}

export interface ImprovementPriorityTable {
  la_code: string;
  id: Generated<string>;
  plan_id: string;
  position: number;
  title: string;
  rationale: Generated<string>;
  source: PrioritySource;
  suggestion_key: string | null;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface ImprovementLinkTable {
  la_code: string;
  priority_id: string;
  kind: LinkKind;
  target: string;
  position: number;
}

export interface ImprovementMeasureTable {
  la_code: string;
  id: Generated<string>;
  priority_id: string;
  indicator: string;
  group_spec: string;
  comparator: string;
  figure: MeasureFigure;
  baseline_year: string;
  baseline_value: number;
  target_year: string;
  target_value: number;
  created_at: Timestamp;
}

export interface ImprovementActionTable {
  la_code: string;
  id: Generated<string>;
  priority_id: string;
  title: string;
  owner_user_id: string | null;
  owner_organisation_id: string | null;
  start_date: DateColumn;
  due_date: DateColumn;
  status: ImprovementActionStatus;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface ImprovementActionUpdateTable {
  la_code: string;
  id: Generated<string | number>;
  action_id: string;
  written_by_user_id: string | null;
  written_by_label: string;
  written_at: Timestamp;
  status: ImprovementActionStatus;
  note: string;
}

export interface ImprovementRevisionTable {
  la_code: string;
  plan_id: string;
  revision: number;
  changed_by_label: string;
  changed_at: Timestamp;
  change: string;
  snapshot: Json<unknown>;
}

/** Per person: whether they get due-date reminders and the weekly digest (both on until they say no). */
export interface ReminderPreferenceTable {
  user_id: string;
  due_reminders: boolean;
  weekly_digest: boolean;
  updated_at: Timestamp;
}

/** Reminders already queued, so each goes once: an action's due-soon and overdue per due date, a digest per week. */
export interface ReminderSentTable {
  user_id: string;
  kind: 'due-soon' | 'overdue' | 'weekly-digest';
  /** The action (due-soon, overdue) or the empty string (digest). */
  subject_id: string;
  /** The due date (reminders) or the Monday of the week (digest). */
  occasion: DateColumn;
  sent_at: Timestamp;
}

export interface ImprovementPlanTables {
  improvement_plan: ImprovementPlanTable;
  improvement_priority: ImprovementPriorityTable;
  improvement_link: ImprovementLinkTable;
  improvement_measure: ImprovementMeasureTable;
  improvement_action: ImprovementActionTable;
  improvement_action_update: ImprovementActionUpdateTable;
  improvement_revision: ImprovementRevisionTable;
  reminder_preference: ReminderPreferenceTable;
  reminder_sent: ReminderSentTable;
}
