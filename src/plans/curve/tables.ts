import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;

export const actionStatuses = ['not-started', 'in-progress', 'done', 'stopped'] as const;
export type ActionStatus = (typeof actionStatuses)[number];

/** Friedman's four quadrants of performance measures for a service. */
export const quadrants = ['how-much', 'how-well', 'better-off-number', 'better-off-percentage'] as const;
export type Quadrant = (typeof quadrants)[number];

export interface Partner {
  name: string;
  role: string;
}

export const ideaCosts = ['no-cost', 'low-cost', 'needs-funding'] as const;
export type IdeaCost = (typeof ideaCosts)[number];

export interface WhatWorksIdea {
  idea: string;
  cost: IdeaCost;
}

export interface CurvePlanTable {
  la_code: string;
  id: Generated<string>;
  indicator: string;
  group_spec: string;
  comparator: string;
  title: string;
  target_value: number | null;
  target_year: number | null;
  story: Generated<string>;
  partners: Json<Partner[]>;
  what_works: Json<WhatWorksIdea[]>;
  version: Generated<number>;
  revision: Generated<number>;
  created_by: string | null;
  created_by_label: string;
  created_at: Timestamp;
  updated_by_label: string;
  updated_at: Timestamp;
}

export interface CurvePlanActionTable {
  la_code: string;
  id: Generated<string>;
  plan_id: string;
  description: string;
  owner: string;
  /** A date column: select it as text (`due_date::text`) so no time zone shifts it. */
  due_date: ColumnType<Date | string | null, string | null, string | null>;
  status: ActionStatus;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface CurvePlanActionUpdateTable {
  la_code: string;
  id: Generated<string | number>;
  action_id: string;
  written_by_label: string;
  written_at: Timestamp;
  status: ActionStatus;
  note: string;
}

export interface CurvePlanMeasureTable {
  la_code: string;
  id: Generated<string>;
  plan_id: string;
  quadrant: Quadrant;
  name: string;
  created_at: Timestamp;
}

export interface CurvePlanMeasureValueTable {
  la_code: string;
  measure_id: string;
  period: string;
  value: number;
  written_by_label: string;
  written_at: Timestamp;
}

export interface CurvePlanRevisionTable {
  la_code: string;
  plan_id: string;
  revision: number;
  changed_by_label: string;
  changed_at: Timestamp;
  change: string;
  snapshot: Json<unknown>;
}

export interface PlanTables {
  curve_plan: CurvePlanTable;
  curve_plan_action: CurvePlanActionTable;
  curve_plan_action_update: CurvePlanActionUpdateTable;
  curve_plan_measure: CurvePlanMeasureTable;
  curve_plan_measure_value: CurvePlanMeasureValueTable;
  curve_plan_revision: CurvePlanRevisionTable;
}
