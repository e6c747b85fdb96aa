import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { ActionStatus } from './tables.js';
import { actionStatuses } from './tables.js';

/** Where a plan stands, as a board reads it: its target, and its actions by status. */
export interface PlanProgress {
  laCode: string;
  id: string;
  indicator: string;
  groupSpec: string;
  title: string;
  targetValue: number | null;
  targetYear: number | null;
  actions: Record<ActionStatus, number>;
  /** Actions past their due date and not done or stopped. */
  overdue: number;
  updatedAt: Date;
}

/** The plans of some authorities with their progress, most recently changed first. */
export async function plansProgress(db: Kysely<Schema>, laCodes: readonly string[], today: string = new Date().toISOString().slice(0, 10)): Promise<PlanProgress[]> {
  if (laCodes.length === 0) return [];
  const plans = await db
    .selectFrom('curve_plan')
    .select(['la_code', 'id', 'indicator', 'group_spec', 'title', 'target_value', 'target_year', 'updated_at'])
    .where('la_code', 'in', [...laCodes])
    .orderBy('updated_at', 'desc')
    .execute();
  if (plans.length === 0) return [];
  const actions = await db
    .selectFrom('curve_plan_action')
    .select(['la_code', 'plan_id', 'status', sql<string | null>`due_date::text`.as('due')])
    .where('la_code', 'in', [...laCodes])
    .execute();
  return plans.map((plan) => {
    const own = actions.filter((action) => action.la_code === plan.la_code && action.plan_id === plan.id);
    const counts = Object.fromEntries(actionStatuses.map((status) => [status, own.filter((action) => action.status === status).length])) as Record<ActionStatus, number>;
    return {
      laCode: plan.la_code,
      id: plan.id,
      indicator: plan.indicator,
      groupSpec: plan.group_spec,
      title: plan.title,
      targetValue: plan.target_value,
      targetYear: plan.target_year,
      actions: counts,
      overdue: own.filter((action) => (action.status === 'not-started' || action.status === 'in-progress') && action.due !== null && action.due < today).length,
      updatedAt: plan.updated_at,
    };
  });
}
