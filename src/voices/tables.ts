import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
/** A date column: select it as text (`col::text`) so no time zone shifts it; written as `YYYY-MM-DD`. */
type DateOnly = ColumnType<Date | string | null, string | null | undefined, string | null>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export const audiences = ['children', 'parents'] as const;
export type Audience = (typeof audiences)[number];

export const surveyStates = ['draft', 'open', 'closed'] as const;
export type SurveyState = (typeof surveyStates)[number];

export const questionKinds = ['likert', 'yes-no', 'choice', 'text'] as const;
export type QuestionKind = (typeof questionKinds)[number];

export const polarities = ['higher-is-better', 'lower-is-better'] as const;
export type Polarity = (typeof polarities)[number];

export interface SurveyTable {
  la_code: string;
  id: Generated<string>;
  title: string;
  audience: Audience;
  introduction: WithDefault<string>;
  child_version: WithDefault<boolean>;
  child_title: WithDefault<string>;
  child_introduction: WithDefault<string>;
  emoji_scale: WithDefault<boolean>;
  opens_on: DateOnly;
  closes_on: DateOnly;
  state: WithDefault<SurveyState>;
  public_token: ColumnType<string | null, string | null | undefined, string | null>;
  asks_groups: WithDefault<boolean>;
  groups_reason: WithDefault<string>;
  group_ids: ColumnType<string[], string[] | undefined, string[]>;
  device_secret: ColumnType<string, string, never>;
  created_by_label: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SurveyQuestionTable {
  la_code: string;
  survey_id: string;
  id: Generated<string>;
  position: number;
  kind: QuestionKind;
  text: string;
  child_text: WithDefault<string>;
  options: ColumnType<string[], string[] | undefined, string[]>;
  agreeing: ColumnType<string[], string[] | undefined, string[]>;
  polarity: WithDefault<Polarity>;
}

export interface SurveyResponseTable {
  la_code: string;
  survey_id: string;
  id: Generated<string>;
  received_on: ColumnType<Date, string | undefined, never>;
  source: 'online' | 'import';
  groups_in: WithDefault<number>;
  groups_out: WithDefault<number>;
}

export interface SurveyAnswerTable {
  la_code: string;
  survey_id: string;
  response_id: string;
  question_id: string;
  value: string;
  /** The response's declared groups, copied (see migration 0031). */
  groups_in: WithDefault<number>;
  groups_out: WithDefault<number>;
}

export interface SurveyDeviceTable {
  la_code: string;
  survey_id: string;
  device_hash: string;
}

export interface SurveyQuotationTable {
  la_code: string;
  survey_id: string;
  response_id: string;
  question_id: string;
  text: string;
  published_by_label: string;
  published_at: CreatedAt;
}

export interface VoicesTables {
  survey: SurveyTable;
  survey_question: SurveyQuestionTable;
  survey_response: SurveyResponseTable;
  survey_answer: SurveyAnswerTable;
  survey_device: SurveyDeviceTable;
  survey_quotation: SurveyQuotationTable;
}
