import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { isUuid } from '../store.js';
import type { ActionStatus, Partner, Quadrant, WhatWorksIdea } from './tables.js';

/** Who made a change, as the history shows it. */
export interface Author {
  userId: string | null;
  label: string;
}

export interface PlanAction {
  id: string;
  description: string;
  owner: string;
  dueDate: string | null;
  status: ActionStatus;
  version: number;
  updates: { writtenBy: string; writtenAt: Date; status: ActionStatus; note: string }[];
}

export interface PlanMeasure {
  id: string;
  quadrant: Quadrant;
  name: string;
  values: { period: string; value: number }[];
}

export interface Plan extends PlanText {
  laCode: string;
  id: string;
  indicator: string;
  groupSpec: string;
  comparator: string;
  version: number;
  revision: number;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  actions: PlanAction[];
  measures: PlanMeasure[];
}

export interface PlanSummary {
  laCode: string;
  id: string;
  indicator: string;
  groupSpec: string;
  title: string;
  updatedAt: Date;
  updatedBy: string;
  openActions: number;
}

/** The text of a plan that one form edits, under one version. */
export interface PlanText {
  title: string;
  targetValue: number | null;
  targetYear: number | null;
  story: string;
  partners: Partner[];
  whatWorks: WhatWorksIdea[];
}

export interface ActionFields {
  description: string;
  owner: string;
  dueDate: string | null;
  status: ActionStatus;
}

/** A save that started from an older version than the one stored: nothing was written. */
export class PlanConflictError extends Error {
  constructor(
    readonly current: Plan,
    readonly what: 'plan' | 'action',
  ) {
    super(`The ${what} was changed by ${current.updatedBy} since you opened it`);
    this.name = 'PlanConflictError';
  }
}

type Db = Kysely<Schema> | Transaction<Schema>;

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** A plan with its actions and measures, or undefined when the authority has no plan with that id. */
export async function readPlan(db: Db, laCode: string, id: string): Promise<Plan | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db.selectFrom('curve_plan').selectAll().where('la_code', '=', laCode).where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const actions = await db
    .selectFrom('curve_plan_action')
    .select(['id', 'description', 'owner', sql<string | null>`due_date::text`.as('due_date'), 'status', 'version'])
    .where('la_code', '=', laCode)
    .where('plan_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const updates = actions.length === 0
    ? []
    : await db
        .selectFrom('curve_plan_action_update')
        .select(['action_id', 'written_by_label', 'written_at', 'status', 'note'])
        .where('la_code', '=', laCode)
        .where('action_id', 'in', actions.map((action) => action.id))
        .orderBy('id')
        .execute();
  const measures = await db.selectFrom('curve_plan_measure').select(['id', 'quadrant', 'name']).where('la_code', '=', laCode).where('plan_id', '=', id).orderBy('created_at').orderBy('id').execute();
  const values = measures.length === 0
    ? []
    : await db
        .selectFrom('curve_plan_measure_value')
        .select(['measure_id', 'period', 'value'])
        .where('la_code', '=', laCode)
        .where('measure_id', 'in', measures.map((measure) => measure.id))
        .orderBy('period')
        .execute();
  return {
    laCode: row.la_code,
    id: row.id,
    indicator: row.indicator,
    groupSpec: row.group_spec,
    comparator: row.comparator,
    title: row.title,
    targetValue: row.target_value,
    targetYear: row.target_year,
    story: row.story,
    partners: parseJson(row.partners),
    whatWorks: parseJson(row.what_works),
    version: row.version,
    revision: row.revision,
    createdBy: row.created_by_label,
    createdAt: row.created_at,
    updatedBy: row.updated_by_label,
    updatedAt: row.updated_at,
    actions: actions.map((action) => ({
      id: action.id,
      description: action.description,
      owner: action.owner,
      dueDate: action.due_date,
      status: action.status,
      version: action.version,
      updates: updates
        .filter((update) => update.action_id === action.id)
        .map((update) => ({ writtenBy: update.written_by_label, writtenAt: update.written_at, status: update.status, note: update.note })),
    })),
    measures: measures.map((measure) => ({
      id: measure.id,
      quadrant: measure.quadrant,
      name: measure.name,
      values: values.filter((value) => value.measure_id === measure.id).map((value) => ({ period: value.period, value: value.value })),
    })),
  };
}

/** The plans of some authorities, most recently changed first. */
/** The titles of an authority's turn-the-curve plans among `ids`, by id (ids not its own are left out). */
export async function curvePlanTitles(db: Db, laCode: string, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = ids.filter(isUuid);
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('curve_plan').select(['id', 'title']).where('la_code', '=', laCode).where('id', 'in', wanted).execute();
  return new Map(rows.map((row) => [row.id, row.title]));
}

export async function listPlans(db: Db, laCodes: readonly string[], subject: { indicator?: string; groupSpec?: string } = {}): Promise<PlanSummary[]> {
  if (laCodes.length === 0) return [];
  let query = db
    .selectFrom('curve_plan as plan')
    .select((eb) => [
      'plan.la_code',
      'plan.id',
      'plan.indicator',
      'plan.group_spec',
      'plan.title',
      'plan.updated_at',
      'plan.updated_by_label',
      eb
        .selectFrom('curve_plan_action as action')
        .select(eb.fn.countAll<string | number>().as('open'))
        .whereRef('action.la_code', '=', 'plan.la_code')
        .whereRef('action.plan_id', '=', 'plan.id')
        .where('action.status', 'in', ['not-started', 'in-progress'])
        .as('open_actions'),
    ])
    .where('plan.la_code', 'in', laCodes);
  if (subject.indicator !== undefined) query = query.where('plan.indicator', '=', subject.indicator);
  if (subject.groupSpec !== undefined) query = query.where('plan.group_spec', '=', subject.groupSpec);
  const rows = await query.orderBy('plan.updated_at', 'desc').execute();
  return rows.map((row) => ({
    laCode: row.la_code,
    id: row.id,
    indicator: row.indicator,
    groupSpec: row.group_spec,
    title: row.title,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by_label,
    openActions: Number(row.open_actions ?? 0),
  }));
}

/**
 * Runs a change to a plan in one transaction: locks the plan row (so revisions number in order
 * whoever writes), makes the change, then records the next revision with a snapshot of the result.
 */
async function changePlan(db: Kysely<Schema>, laCode: string, planId: string, author: Author, change: string, work: (transaction: Transaction<Schema>) => Promise<void>): Promise<Plan> {
  return db.transaction().execute(async (transaction) => {
    const locked = await transaction.selectFrom('curve_plan').select('revision').where('la_code', '=', laCode).where('id', '=', planId).forUpdate().executeTakeFirst();
    if (locked === undefined) throw new Error(`No plan ${planId} in ${laCode}`);
    await work(transaction);
    const revision = locked.revision + 1;
    await transaction
      .updateTable('curve_plan')
      .set({ revision, updated_by_label: author.label, updated_at: new Date() })
      .where('la_code', '=', laCode)
      .where('id', '=', planId)
      .execute();
    const plan = (await readPlan(transaction, laCode, planId))!;
    await transaction
      .insertInto('curve_plan_revision')
      .values({ la_code: laCode, plan_id: planId, revision, changed_by_label: author.label, change, snapshot: JSON.stringify(snapshotOf(plan)) })
      .execute();
    return plan;
  });
}

/** What a revision keeps: the plan as it then stood, without the bookkeeping. */
function snapshotOf(plan: Plan): unknown {
  const { version: _version, revision: _revision, updatedAt: _updatedAt, updatedBy: _updatedBy, ...content } = plan;
  return content;
}

export interface NewPlan {
  laCode: string;
  indicator: string;
  groupSpec: string;
  comparator: string;
  title: string;
}

export async function createPlan(db: Kysely<Schema>, plan: NewPlan, author: Author): Promise<Plan> {
  return db.transaction().execute(async (transaction) => {
    const { id } = await transaction
      .insertInto('curve_plan')
      .values({
        la_code: plan.laCode,
        indicator: plan.indicator,
        group_spec: plan.groupSpec,
        comparator: plan.comparator,
        title: plan.title,
        target_value: null,
        target_year: null,
        partners: '[]',
        what_works: '[]',
        created_by: author.userId,
        created_by_label: author.label,
        updated_by_label: author.label,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = (await readPlan(transaction, plan.laCode, id))!;
    await transaction
      .insertInto('curve_plan_revision')
      .values({ la_code: plan.laCode, plan_id: id, revision: 1, changed_by_label: author.label, change: 'Plan started', snapshot: JSON.stringify(snapshotOf(created)) })
      .execute();
    return created;
  });
}

/** Saves the plan's text if nobody has saved it since `expectedVersion`; otherwise throws PlanConflictError. */
export async function savePlanText(db: Kysely<Schema>, laCode: string, planId: string, expectedVersion: number, text: PlanText, author: Author): Promise<Plan> {
  try {
    return await changePlan(db, laCode, planId, author, 'Plan text edited', async (transaction) => {
      const saved = await transaction
        .updateTable('curve_plan')
        .set((eb) => ({
          title: text.title,
          target_value: text.targetValue,
          target_year: text.targetYear,
          story: text.story,
          partners: JSON.stringify(text.partners),
          what_works: JSON.stringify(text.whatWorks),
          version: eb('version', '+', 1),
        }))
        .where('la_code', '=', laCode)
        .where('id', '=', planId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (saved.numUpdatedRows === 0n) throw new StaleVersion();
    });
  } catch (error) {
    if (error instanceof StaleVersion) throw new PlanConflictError((await readPlan(db, laCode, planId))!, 'plan');
    throw error;
  }
}

class StaleVersion extends Error {}

export async function addAction(db: Kysely<Schema>, laCode: string, planId: string, fields: ActionFields, author: Author): Promise<Plan> {
  return changePlan(db, laCode, planId, author, `Action added: ${fields.description}`, async (transaction) => {
    const { id } = await transaction
      .insertInto('curve_plan_action')
      .values({ la_code: laCode, plan_id: planId, description: fields.description, owner: fields.owner, due_date: fields.dueDate, status: fields.status })
      .returning('id')
      .executeTakeFirstOrThrow();
    await transaction.insertInto('curve_plan_action_update').values({ la_code: laCode, action_id: id, written_by_label: author.label, status: fields.status, note: 'Action added' }).execute();
  });
}

/** Changes an action and logs the update, if nobody has changed the action since `expectedVersion`. */
export async function updateAction(
  db: Kysely<Schema>,
  laCode: string,
  planId: string,
  actionId: string,
  expectedVersion: number,
  fields: ActionFields & { note: string },
  author: Author,
): Promise<Plan> {
  try {
    return await changePlan(db, laCode, planId, author, `Action updated: ${fields.description}`, async (transaction) => {
      const saved = await transaction
        .updateTable('curve_plan_action')
        .set((eb) => ({ description: fields.description, owner: fields.owner, due_date: fields.dueDate, status: fields.status, version: eb('version', '+', 1) }))
        .where('la_code', '=', laCode)
        .where('plan_id', '=', planId)
        .where('id', '=', actionId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (saved.numUpdatedRows === 0n) throw new StaleVersion();
      await transaction.insertInto('curve_plan_action_update').values({ la_code: laCode, action_id: actionId, written_by_label: author.label, status: fields.status, note: fields.note }).execute();
    });
  } catch (error) {
    if (error instanceof StaleVersion) throw new PlanConflictError((await readPlan(db, laCode, planId))!, 'action');
    throw error;
  }
}

export async function addMeasure(db: Kysely<Schema>, laCode: string, planId: string, measure: { quadrant: Quadrant; name: string }, author: Author): Promise<Plan> {
  return changePlan(db, laCode, planId, author, `Performance measure added: ${measure.name}`, async (transaction) => {
    await transaction.insertInto('curve_plan_measure').values({ la_code: laCode, plan_id: planId, quadrant: measure.quadrant, name: measure.name }).execute();
  });
}

/** Records a measure's value for a period, replacing any value already given for that period. */
export async function recordMeasureValue(
  db: Kysely<Schema>,
  laCode: string,
  planId: string,
  measureId: string,
  entry: { period: string; value: number },
  author: Author,
): Promise<Plan> {
  return changePlan(db, laCode, planId, author, `Measure value recorded for ${entry.period}`, async (transaction) => {
    const measure = await transaction.selectFrom('curve_plan_measure').select('name').where('la_code', '=', laCode).where('plan_id', '=', planId).where('id', '=', measureId).executeTakeFirst();
    if (measure === undefined) throw new Error(`No measure ${measureId} in plan ${planId}`);
    await transaction
      .insertInto('curve_plan_measure_value')
      .values({ la_code: laCode, measure_id: measureId, period: entry.period, value: entry.value, written_by_label: author.label })
      .onConflict((conflict) => conflict.columns(['la_code', 'measure_id', 'period']).doUpdateSet({ value: entry.value, written_by_label: author.label, written_at: new Date() }))
      .execute();
  });
}

export interface PlanRevision {
  revision: number;
  changedBy: string;
  changedAt: Date;
  change: string;
}

export async function listRevisions(db: Db, laCode: string, planId: string): Promise<PlanRevision[]> {
  const rows = await db
    .selectFrom('curve_plan_revision')
    .select(['revision', 'changed_by_label', 'changed_at', 'change'])
    .where('la_code', '=', laCode)
    .where('plan_id', '=', planId)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map((row) => ({ revision: row.revision, changedBy: row.changed_by_label, changedAt: row.changed_at, change: row.change }));
}

/** One revision's snapshot: the plan as it stood after that change. */
export async function readRevisionSnapshot(db: Db, laCode: string, planId: string, revision: number): Promise<unknown> {
  const row = await db
    .selectFrom('curve_plan_revision')
    .select('snapshot')
    .where('la_code', '=', laCode)
    .where('plan_id', '=', planId)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return row === undefined ? undefined : parseJson(row.snapshot);
}

/** The authority a plan belongs to, found by its id alone, so a route can check the viewer reaches it. */
export async function planAuthority(db: Db, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db.selectFrom('curve_plan').select('la_code').where('id', '=', id).executeTakeFirst();
  return row?.la_code;
}
