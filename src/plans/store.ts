import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Schema } from '../db/schema.js';
import type { ActionOwner, Author, ImprovementAction, ImprovementPlan, ImprovementPlanSummary, PriorityLink, SuccessMeasure } from './model.js';
import type { ImprovementActionStatus, MeasureFigure, PrioritySource } from './tables.js';

type Db = Kysely<Schema> | Transaction<Schema>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** A save that started from an older version than the one stored: nothing was written. */
export class ImprovementConflictError extends Error {
  constructor(
    readonly current: ImprovementPlan,
    readonly what: 'plan' | 'priority' | 'action',
  ) {
    super(`The ${what} was changed by ${current.updatedBy} since you opened it`);
    this.name = 'ImprovementConflictError';
  }
}

/** The plan, priority, measure or action named is not (or no longer) in this plan. */
export class ImprovementNotFoundError extends Error {
  constructor(readonly what: 'plan' | 'priority' | 'measure' | 'action') {
    super(`No such ${what} in this plan`);
    this.name = 'ImprovementNotFoundError';
  }
}

/** The organisation already has a plan starting on that date. */
export class DuplicatePlanError extends Error {
  constructor() {
    super('This organisation already has a plan for a period starting on that date');
    this.name = 'DuplicatePlanError';
  }
}

class StaleVersion extends Error {}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Where a plan belongs, found by its id alone, so a route can check the viewer reaches it before reading it. */
export async function improvementPlanOwner(db: Db, id: string): Promise<{ laCode: string; organisationId: string } | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('improvement_plan').select(['la_code', 'organisation_id']).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : { laCode: row.la_code, organisationId: row.organisation_id };
}

/** The plan's revision now, raised by every change to it: one row by its key, far cheaper than reading the plan. */
export async function improvementPlanRevision(db: Db, id: string): Promise<number | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('improvement_plan').select('revision').where('id', '=', id).executeTakeFirst();
  return row?.revision;
}

/**
 * A plan with its priorities, links, measures, actions and their logs, or undefined when the
 * authority has no plan with that id (any authority's, without `laCode`: the caller checks reach).
 * One query whatever the plan's size: its parts come as JSON arrays beside the plan's row.
 */
export async function readImprovementPlan(db: Db, laCode: string | undefined, id: string): Promise<ImprovementPlan | undefined> {
  if (!isUuid(id)) return undefined;
  let query = db
    .selectFrom('improvement_plan as plan')
    .innerJoin('organisation', 'organisation.id', 'plan.organisation_id')
    .leftJoin('user_account as owner', 'owner.id', 'plan.owner_user_id')
    .select((eb) => [
      'plan.la_code',
      'plan.id',
      'plan.organisation_id',
      'organisation.name as organisation_name',
      'organisation.kind as organisation_kind',
      sql<string>`plan.period_start::text`.as('period_start'),
      sql<string>`plan.period_end::text`.as('period_end'),
      'plan.title',
      'plan.vision',
      'plan.owner_user_id',
      'owner.display_name as owner_name',
      'owner.email as owner_email',
      'plan.version',
      'plan.revision',
      'plan.created_by_label',
      'plan.created_at',
      'plan.updated_by_label',
      'plan.updated_at',
      jsonArrayFrom(
        eb
          .selectFrom('improvement_priority as priority')
          .select(['priority.id', 'priority.position', 'priority.title', 'priority.rationale', 'priority.source', 'priority.suggestion_key', 'priority.version'])
          .whereRef('priority.la_code', '=', 'plan.la_code')
          .whereRef('priority.plan_id', '=', 'plan.id')
          .orderBy('priority.position')
          .orderBy('priority.created_at'),
      ).as('priorities'),
      jsonArrayFrom(
        eb
          .selectFrom('improvement_link as link')
          .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'link.la_code').onRef('priority.id', '=', 'link.priority_id'))
          .select(['link.priority_id', 'link.kind', 'link.target'])
          .whereRef('priority.la_code', '=', 'plan.la_code')
          .whereRef('priority.plan_id', '=', 'plan.id')
          .orderBy('link.position'),
      ).as('links'),
      jsonArrayFrom(
        eb
          .selectFrom('improvement_measure as measure')
          .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'measure.la_code').onRef('priority.id', '=', 'measure.priority_id'))
          .select(['measure.id', 'measure.priority_id', 'measure.indicator', 'measure.group_spec', 'measure.comparator', 'measure.figure', 'measure.baseline_year', 'measure.baseline_value', 'measure.target_year', 'measure.target_value'])
          .whereRef('priority.la_code', '=', 'plan.la_code')
          .whereRef('priority.plan_id', '=', 'plan.id')
          .orderBy('measure.created_at')
          .orderBy('measure.id'),
      ).as('measures'),
      jsonArrayFrom(
        actionRows(db)
          .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
          .where('priority.la_code', '=', sql.ref<string>('plan.la_code'))
          .where('priority.plan_id', '=', sql.ref<string>('plan.id'))
          .orderBy('action.due_date')
          .orderBy('action.created_at')
          .orderBy('action.id'),
      ).as('actions'),
      jsonArrayFrom(
        eb
          .selectFrom('improvement_action_update as update')
          .innerJoin('improvement_action as action', (join) => join.onRef('action.la_code', '=', 'update.la_code').onRef('action.id', '=', 'update.action_id'))
          .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
          .select(['update.action_id', 'update.written_by_label', 'update.written_at', 'update.status', 'update.note'])
          .whereRef('priority.la_code', '=', 'plan.la_code')
          .whereRef('priority.plan_id', '=', 'plan.id')
          .orderBy('update.id'),
      ).as('updates'),
    ])
    .where('plan.id', '=', id);
  if (laCode !== undefined) query = query.where('plan.la_code', '=', laCode);
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  // Inside JSON a timestamp is text: made a Date again, as every other read gives it.
  const updatesByAction = groupBy(
    parseJson(row.updates).map((update) => ({ ...update, written_at: new Date(update.written_at) })),
    (update) => update.action_id,
  );
  const linksByPriority = groupBy(parseJson(row.links), (link) => link.priority_id);
  const measuresByPriority = groupBy(parseJson(row.measures), (measure) => measure.priority_id);
  const actionsByPriority = groupBy(parseJson(row.actions), (action) => action.priority_id);
  return {
    laCode: row.la_code,
    id: row.id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    organisationKind: row.organisation_kind,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    title: row.title,
    vision: row.vision,
    ownerUserId: row.owner_user_id,
    ownerLabel: row.owner_user_id === null ? null : row.owner_name || row.owner_email,
    version: row.version,
    revision: row.revision,
    createdBy: row.created_by_label,
    createdAt: row.created_at,
    updatedBy: row.updated_by_label,
    updatedAt: row.updated_at,
    priorities: parseJson(row.priorities).map((priority) => ({
      id: priority.id,
      position: priority.position,
      title: priority.title,
      rationale: priority.rationale,
      source: priority.source,
      suggestionKey: priority.suggestion_key,
      version: priority.version,
      links: (linksByPriority.get(priority.id) ?? []).map((link) => ({ kind: link.kind, target: link.target })),
      measures: (measuresByPriority.get(priority.id) ?? []).map(measureOf),
      actions: (actionsByPriority.get(priority.id) ?? []).map((action) => actionOf(action, updatesByAction.get(action.id) ?? [])),
    })),
  };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = key(row);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [row]);
    else group.push(row);
  }
  return groups;
}

function actionRows(db: Db) {
  return db
    .selectFrom('improvement_action as action')
    .leftJoin('user_account as person', 'person.id', 'action.owner_user_id')
    .leftJoin('organisation as partner', 'partner.id', 'action.owner_organisation_id')
    .select([
      'action.id',
      'action.priority_id',
      'action.title',
      'action.owner_user_id',
      'action.owner_organisation_id',
      'person.display_name as person_name',
      'person.email as person_email',
      'partner.name as partner_name',
      sql<string>`action.start_date::text`.as('start_date'),
      sql<string>`action.due_date::text`.as('due_date'),
      'action.status',
      'action.version',
    ]);
}

type ActionRow = Awaited<ReturnType<ReturnType<typeof actionRows>['execute']>>[number];

function ownerOf(row: ActionRow): ActionOwner {
  if (row.owner_user_id !== null) return { kind: 'member', userId: row.owner_user_id, label: row.person_name || row.person_email || 'A former member' };
  return { kind: 'partner', organisationId: row.owner_organisation_id!, label: row.partner_name ?? 'A partner organisation' };
}

function actionOf(row: ActionRow, updates: readonly { written_by_label: string; written_at: Date; status: ImprovementActionStatus; note: string }[]): ImprovementAction {
  return {
    id: row.id,
    priorityId: row.priority_id,
    title: row.title,
    owner: ownerOf(row),
    startDate: row.start_date,
    dueDate: row.due_date,
    status: row.status,
    version: row.version,
    updates: updates.map((update) => ({ writtenBy: update.written_by_label, writtenAt: update.written_at, status: update.status, note: update.note })),
  };
}

function measureOf(row: {
  id: string;
  priority_id: string;
  indicator: string;
  group_spec: string;
  comparator: string;
  figure: MeasureFigure;
  baseline_year: string;
  baseline_value: number;
  target_year: string;
  target_value: number;
}): SuccessMeasure {
  return {
    id: row.id,
    priorityId: row.priority_id,
    indicator: row.indicator,
    groupSpec: row.group_spec,
    comparator: row.comparator,
    figure: row.figure,
    baselineYear: row.baseline_year,
    baselineValue: row.baseline_value,
    targetYear: row.target_year,
    targetValue: row.target_value,
  };
}

/** The plans of some organisations or authorities, newest period first, with counts as of `today`. */
export async function listImprovementPlans(db: Db, filter: { laCodes?: readonly string[]; organisationIds?: readonly string[]; today: string }): Promise<ImprovementPlanSummary[]> {
  if (filter.laCodes?.length === 0 || filter.organisationIds?.length === 0) return [];
  let query = db
    .selectFrom('improvement_plan as plan')
    .innerJoin('organisation', 'organisation.id', 'plan.organisation_id')
    .select((eb) => [
      'plan.la_code',
      'plan.id',
      'plan.organisation_id',
      'organisation.name as organisation_name',
      'organisation.kind as organisation_kind',
      sql<string>`plan.period_start::text`.as('period_start'),
      sql<string>`plan.period_end::text`.as('period_end'),
      'plan.title',
      'plan.updated_at',
      eb
        .selectFrom('improvement_priority as priority')
        .select(eb.fn.countAll<string | number>().as('count'))
        .whereRef('priority.la_code', '=', 'plan.la_code')
        .whereRef('priority.plan_id', '=', 'plan.id')
        .as('priorities'),
      eb
        .selectFrom('improvement_action as action')
        .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
        .select(sql<string | number>`count(*)`.as('count'))
        .whereRef('priority.la_code', '=', 'plan.la_code')
        .whereRef('priority.plan_id', '=', 'plan.id')
        .as('actions'),
      eb
        .selectFrom('improvement_action as action')
        .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
        .select(sql<string | number>`count(*)`.as('count'))
        .whereRef('priority.la_code', '=', 'plan.la_code')
        .whereRef('priority.plan_id', '=', 'plan.id')
        .where('action.status', '<>', 'done')
        .where(sql<boolean>`action.due_date < ${filter.today}::date`)
        .as('overdue'),
    ]);
  if (filter.laCodes !== undefined) query = query.where('plan.la_code', 'in', filter.laCodes);
  if (filter.organisationIds !== undefined) query = query.where('plan.organisation_id', 'in', filter.organisationIds);
  const rows = await query.orderBy('plan.period_start', 'desc').orderBy('organisation.name').execute();
  return rows.map((row) => ({
    laCode: row.la_code,
    id: row.id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    organisationKind: row.organisation_kind,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    title: row.title,
    priorities: Number(row.priorities ?? 0),
    actions: Number(row.actions ?? 0),
    overdue: Number(row.overdue ?? 0),
    updatedAt: row.updated_at,
  }));
}

/** An action as "my actions" lists it: with the plan and priority it serves. */
export interface OwnedAction extends ImprovementAction {
  laCode: string;
  organisationId: string;
  planId: string;
  planTitle: string;
  organisationName: string;
  priorityTitle: string;
}

/** Every action a person owns, across the plans they are named in, soonest due first. */
export async function actionsOwnedBy(db: Db, userId: string): Promise<OwnedAction[]> {
  if (!isUuid(userId)) return [];
  const rows = await actionRows(db)
    .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
    .innerJoin('improvement_plan as plan', (join) => join.onRef('plan.la_code', '=', 'priority.la_code').onRef('plan.id', '=', 'priority.plan_id'))
    .innerJoin('organisation as planner', 'planner.id', 'plan.organisation_id')
    .select(['plan.la_code', 'plan.organisation_id', 'plan.id as plan_id', 'plan.title as plan_title', 'planner.name as organisation_name', 'priority.title as priority_title'])
    .where('action.owner_user_id', '=', userId)
    .orderBy('action.due_date')
    .orderBy('action.title')
    .execute();
  return rows.map((row) => ({
    ...actionOf(row, []),
    laCode: row.la_code,
    organisationId: row.organisation_id,
    planId: row.plan_id,
    planTitle: row.plan_title,
    organisationName: row.organisation_name,
    priorityTitle: row.priority_title,
  }));
}

/**
 * Runs a change to a plan in one transaction: locks the plan row (so revisions number in order
 * whoever writes), makes the change, then records the next revision with a snapshot of the result.
 */
async function changePlan(db: Kysely<Schema>, laCode: string, planId: string, author: Author, change: string, work: (transaction: Transaction<Schema>) => Promise<void>): Promise<ImprovementPlan> {
  return db.transaction().execute(async (transaction) => {
    const locked = await transaction.selectFrom('improvement_plan').select('revision').where('la_code', '=', laCode).where('id', '=', planId).forUpdate().executeTakeFirst();
    if (locked === undefined) throw new ImprovementNotFoundError('plan');
    await work(transaction);
    const revision = locked.revision + 1;
    await transaction.updateTable('improvement_plan').set({ revision, updated_by_label: author.label, updated_at: new Date() }).where('la_code', '=', laCode).where('id', '=', planId).execute();
    const plan = (await readImprovementPlan(transaction, laCode, planId))!;
    await transaction
      .insertInto('improvement_revision')
      .values({ la_code: laCode, plan_id: planId, revision, changed_by_label: author.label, change, snapshot: JSON.stringify(snapshotOf(plan)) })
      .execute();
    return plan;
  });
}

/** A change that names the version it started from: a stale one becomes an ImprovementConflictError with the plan as it now is. */
async function changeVersioned(db: Kysely<Schema>, laCode: string, planId: string, what: 'plan' | 'priority' | 'action', author: Author, change: string, work: (transaction: Transaction<Schema>) => Promise<void>): Promise<ImprovementPlan> {
  try {
    return await changePlan(db, laCode, planId, author, change, work);
  } catch (error) {
    if (error instanceof StaleVersion) throw new ImprovementConflictError((await readImprovementPlan(db, laCode, planId))!, what);
    throw error;
  }
}

/** What a revision keeps: the plan as it then stood, without the bookkeeping. */
function snapshotOf(plan: ImprovementPlan): unknown {
  const { version: _version, revision: _revision, updatedAt: _updatedAt, updatedBy: _updatedBy, ...content } = plan;
  return content;
}

export interface PlanFields {
  title: string;
  vision: string;
  periodStart: string;
  periodEnd: string;
  ownerUserId: string | null;
}

export async function createImprovementPlan(db: Kysely<Schema>, owner: { laCode: string; organisationId: string }, fields: PlanFields, author: Author): Promise<ImprovementPlan> {
  try {
    return await db.transaction().execute(async (transaction) => {
      const { id } = await transaction
        .insertInto('improvement_plan')
        .values({
          la_code: owner.laCode,
          organisation_id: owner.organisationId,
          period_start: fields.periodStart,
          period_end: fields.periodEnd,
          title: fields.title,
          vision: fields.vision,
          owner_user_id: fields.ownerUserId,
          created_by_label: author.label,
          updated_by_label: author.label,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const created = (await readImprovementPlan(transaction, owner.laCode, id))!;
      await transaction
        .insertInto('improvement_revision')
        .values({ la_code: owner.laCode, plan_id: id, revision: 1, changed_by_label: author.label, change: 'Plan started', snapshot: JSON.stringify(snapshotOf(created)) })
        .execute();
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicatePlanError();
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error).code === '23505';
}

/** Saves the plan's own fields if nobody has saved them since `expectedVersion`. */
export async function savePlanFields(db: Kysely<Schema>, laCode: string, planId: string, expectedVersion: number, fields: PlanFields, author: Author): Promise<ImprovementPlan> {
  try {
    return await changeVersioned(db, laCode, planId, 'plan', author, 'Plan details edited', async (transaction) => {
      const saved = await transaction
        .updateTable('improvement_plan')
        .set((eb) => ({
          title: fields.title,
          vision: fields.vision,
          period_start: fields.periodStart,
          period_end: fields.periodEnd,
          owner_user_id: fields.ownerUserId,
          version: eb('version', '+', 1),
        }))
        .where('la_code', '=', laCode)
        .where('id', '=', planId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (saved.numUpdatedRows === 0n) throw new StaleVersion();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicatePlanError();
    throw error;
  }
}

export interface PriorityFields {
  title: string;
  rationale: string;
  links: PriorityLink[];
}

async function writeLinks(transaction: Transaction<Schema>, laCode: string, priorityId: string, links: readonly PriorityLink[]): Promise<void> {
  await transaction.deleteFrom('improvement_link').where('la_code', '=', laCode).where('priority_id', '=', priorityId).execute();
  const unique = [...new Map(links.map((link) => [`${link.kind}\u0000${link.target}`, link])).values()];
  if (unique.length === 0) return;
  await transaction
    .insertInto('improvement_link')
    .values(unique.map((link, position) => ({ la_code: laCode, priority_id: priorityId, kind: link.kind, target: link.target, position })))
    .execute();
}

export async function addPriority(
  db: Kysely<Schema>,
  laCode: string,
  planId: string,
  fields: PriorityFields & { source: PrioritySource; suggestionKey: string | null },
  author: Author,
): Promise<{ plan: ImprovementPlan; priorityId: string }> {
  let priorityId = '';
  const plan = await changePlan(db, laCode, planId, author, `Priority added: ${fields.title}`, async (transaction) => {
    const last = await transaction
      .selectFrom('improvement_priority')
      .select((eb) => eb.fn.max('position').as('position'))
      .where('la_code', '=', laCode)
      .where('plan_id', '=', planId)
      .executeTakeFirst();
    const inserted = await transaction
      .insertInto('improvement_priority')
      .values({ la_code: laCode, plan_id: planId, position: Number(last?.position ?? 0) + 1, title: fields.title, rationale: fields.rationale, source: fields.source, suggestion_key: fields.suggestionKey })
      .returning('id')
      .executeTakeFirstOrThrow();
    priorityId = inserted.id;
    await writeLinks(transaction, laCode, priorityId, fields.links);
  });
  return { plan, priorityId };
}

/** Saves a priority's title, rationale and links if nobody has changed it since `expectedVersion`. */
export async function savePriority(db: Kysely<Schema>, laCode: string, planId: string, priorityId: string, expectedVersion: number, fields: PriorityFields, author: Author): Promise<ImprovementPlan> {
  return changeVersioned(db, laCode, planId, 'priority', author, `Priority edited: ${fields.title}`, async (transaction) => {
    await existingPriority(transaction, laCode, planId, priorityId);
    const saved = await transaction
      .updateTable('improvement_priority')
      .set((eb) => ({ title: fields.title, rationale: fields.rationale, version: eb('version', '+', 1) }))
      .where('la_code', '=', laCode)
      .where('plan_id', '=', planId)
      .where('id', '=', priorityId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (saved.numUpdatedRows === 0n) throw new StaleVersion();
    await writeLinks(transaction, laCode, priorityId, fields.links);
  });
}

async function existingPriority(transaction: Transaction<Schema>, laCode: string, planId: string, priorityId: string): Promise<{ title: string }> {
  const found = isUuid(priorityId)
    ? await transaction.selectFrom('improvement_priority').select('title').where('la_code', '=', laCode).where('plan_id', '=', planId).where('id', '=', priorityId).executeTakeFirst()
    : undefined;
  if (found === undefined) throw new ImprovementNotFoundError('priority');
  return found;
}

/** Moves a priority one place up or down in the board's order (swapping with its neighbour). */
export async function movePriority(db: Kysely<Schema>, laCode: string, planId: string, priorityId: string, direction: 'up' | 'down', author: Author): Promise<ImprovementPlan> {
  return changePlan(db, laCode, planId, author, `Priority moved ${direction}`, async (transaction) => {
    await existingPriority(transaction, laCode, planId, priorityId);
    const order = await transaction.selectFrom('improvement_priority').select(['id', 'position']).where('la_code', '=', laCode).where('plan_id', '=', planId).orderBy('position').orderBy('created_at').execute();
    const index = order.findIndex((entry) => entry.id === priorityId);
    const other = order[direction === 'up' ? index - 1 : index + 1];
    if (other === undefined) return;
    // Numbered afresh from the order read, so the board's order stays 1, 2, 3... whatever was removed.
    const reordered = order.map((entry) => entry.id);
    reordered[index] = other.id;
    reordered[direction === 'up' ? index - 1 : index + 1] = priorityId;
    for (const [position, id] of reordered.entries()) {
      await transaction.updateTable('improvement_priority').set({ position: position + 1 }).where('la_code', '=', laCode).where('id', '=', id).execute();
    }
  });
}

/** Removes a priority with its links, measures and actions, if nobody has changed it since `expectedVersion`. */
export async function removePriority(db: Kysely<Schema>, laCode: string, planId: string, priorityId: string, expectedVersion: number, author: Author): Promise<ImprovementPlan> {
  return changeVersioned(db, laCode, planId, 'priority', author, 'Priority removed', async (transaction) => {
    await existingPriority(transaction, laCode, planId, priorityId);
    const removed = await transaction.deleteFrom('improvement_priority').where('la_code', '=', laCode).where('plan_id', '=', planId).where('id', '=', priorityId).where('version', '=', expectedVersion).executeTakeFirst();
    if (removed.numDeletedRows === 0n) throw new StaleVersion();
  });
}

export interface MeasureFields {
  indicator: string;
  groupSpec: string;
  comparator: string;
  figure: MeasureFigure;
  baselineYear: string;
  baselineValue: number;
  targetYear: string;
  targetValue: number;
}

export async function addMeasure(db: Kysely<Schema>, laCode: string, planId: string, priorityId: string, fields: MeasureFields, author: Author): Promise<ImprovementPlan> {
  return changePlan(db, laCode, planId, author, `Success measure added: ${fields.indicator} for ${fields.groupSpec}`, async (transaction) => {
    await existingPriority(transaction, laCode, planId, priorityId);
    await transaction
      .insertInto('improvement_measure')
      .values({
        la_code: laCode,
        priority_id: priorityId,
        indicator: fields.indicator,
        group_spec: fields.groupSpec,
        comparator: fields.comparator,
        figure: fields.figure,
        baseline_year: fields.baselineYear,
        baseline_value: fields.baselineValue,
        target_year: fields.targetYear,
        target_value: fields.targetValue,
      })
      .execute();
  });
}

export async function removeMeasure(db: Kysely<Schema>, laCode: string, planId: string, measureId: string, author: Author): Promise<ImprovementPlan> {
  return changePlan(db, laCode, planId, author, 'Success measure removed', async (transaction) => {
    const removed = isUuid(measureId)
      ? await transaction
          .deleteFrom('improvement_measure')
          .where('la_code', '=', laCode)
          .where('id', '=', measureId)
          .where('priority_id', 'in', (eb) => eb.selectFrom('improvement_priority').select('id').where('la_code', '=', laCode).where('plan_id', '=', planId))
          .executeTakeFirst()
      : { numDeletedRows: 0n };
    if (removed.numDeletedRows === 0n) throw new ImprovementNotFoundError('measure');
  });
}

export interface ActionFields {
  title: string;
  owner: { kind: 'member'; userId: string } | { kind: 'partner'; organisationId: string };
  startDate: string;
  dueDate: string;
  status: ImprovementActionStatus;
}

function ownerColumns(owner: ActionFields['owner']) {
  return owner.kind === 'member' ? { owner_user_id: owner.userId, owner_organisation_id: null } : { owner_user_id: null, owner_organisation_id: owner.organisationId };
}

export async function addAction(db: Kysely<Schema>, laCode: string, planId: string, priorityId: string, fields: ActionFields & { note: string }, author: Author): Promise<{ plan: ImprovementPlan; actionId: string }> {
  let actionId = '';
  const plan = await changePlan(db, laCode, planId, author, `Action added: ${fields.title}`, async (transaction) => {
    await existingPriority(transaction, laCode, planId, priorityId);
    const inserted = await transaction
      .insertInto('improvement_action')
      .values({ la_code: laCode, priority_id: priorityId, title: fields.title, ...ownerColumns(fields.owner), start_date: fields.startDate, due_date: fields.dueDate, status: fields.status })
      .returning('id')
      .executeTakeFirstOrThrow();
    actionId = inserted.id;
    await transaction
      .insertInto('improvement_action_update')
      .values({ la_code: laCode, action_id: actionId, written_by_user_id: author.userId, written_by_label: author.label, status: fields.status, note: fields.note === '' ? 'Action added' : fields.note })
      .execute();
  });
  return { plan, actionId };
}

/** Changes an action and logs the update, if nobody has changed the action since `expectedVersion`. */
export async function updateAction(db: Kysely<Schema>, laCode: string, planId: string, actionId: string, expectedVersion: number, fields: ActionFields & { note: string }, author: Author): Promise<ImprovementPlan> {
  return changeVersioned(db, laCode, planId, 'action', author, `Action updated: ${fields.title}`, async (transaction) => {
    const found = isUuid(actionId)
      ? await transaction
          .selectFrom('improvement_action')
          .select('id')
          .where('la_code', '=', laCode)
          .where('id', '=', actionId)
          .where('priority_id', 'in', (eb) => eb.selectFrom('improvement_priority').select('id').where('la_code', '=', laCode).where('plan_id', '=', planId))
          .executeTakeFirst()
      : undefined;
    if (found === undefined) throw new ImprovementNotFoundError('action');
    const saved = await transaction
      .updateTable('improvement_action')
      .set((eb) => ({ title: fields.title, ...ownerColumns(fields.owner), start_date: fields.startDate, due_date: fields.dueDate, status: fields.status, version: eb('version', '+', 1) }))
      .where('la_code', '=', laCode)
      .where('id', '=', actionId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (saved.numUpdatedRows === 0n) throw new StaleVersion();
    await transaction
      .insertInto('improvement_action_update')
      .values({ la_code: laCode, action_id: actionId, written_by_user_id: author.userId, written_by_label: author.label, status: fields.status, note: fields.note })
      .execute();
  });
}

export interface PlanRevision {
  revision: number;
  changedBy: string;
  changedAt: Date;
  change: string;
}

export async function listImprovementRevisions(db: Db, laCode: string, planId: string): Promise<PlanRevision[]> {
  const rows = await db
    .selectFrom('improvement_revision')
    .select(['revision', 'changed_by_label', 'changed_at', 'change'])
    .where('la_code', '=', laCode)
    .where('plan_id', '=', planId)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map((row) => ({ revision: row.revision, changedBy: row.changed_by_label, changedAt: row.changed_at, change: row.change }));
}

/** The priorities (with their plans) that link to something: a turn-the-curve plan shows the improvement plans it serves. */
export async function prioritiesLinkingTo(db: Db, laCode: string, link: PriorityLink): Promise<{ planId: string; planTitle: string; priorityId: string; priorityTitle: string }[]> {
  const rows = await db
    .selectFrom('improvement_link as link')
    .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'link.la_code').onRef('priority.id', '=', 'link.priority_id'))
    .innerJoin('improvement_plan as plan', (join) => join.onRef('plan.la_code', '=', 'priority.la_code').onRef('plan.id', '=', 'priority.plan_id'))
    .select(['plan.id as plan_id', 'plan.title as plan_title', 'priority.id as priority_id', 'priority.title as priority_title'])
    .where('link.la_code', '=', laCode)
    .where('link.kind', '=', link.kind)
    .where('link.target', '=', link.target)
    .orderBy('plan.period_start', 'desc')
    .execute();
  return rows.map((row) => ({ planId: row.plan_id, planTitle: row.plan_title, priorityId: row.priority_id, priorityTitle: row.priority_title }));
}
