/**
 * Improvement plans through the API: list, read (the whole plan, its priorities, its actions and an
 * action's updates), start a plan, add a priority or an action, and post an action's update under
 * the version read. Every rule (reach, the checks on each field, the owners and links allowed, the
 * version check) is ImprovementPlanService's, so the API refuses what the pages refuse, with the
 * same words: these routes only translate between JSON and it. A plan the caller may not read
 * answers 404, as one that does not exist does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { Viewer } from '../auth/gate.js';
import { apiErrorSchema } from '../web/errors.js';
import type { Body, FieldError } from './forms.js';
import type { MeasureReading } from './measures.js';
import { readMeasures } from './measures.js';
import type { ActionUpdate, ImprovementAction, ImprovementPlan, ImprovementPlanSummary, Priority, SuccessMeasure } from './model.js';
import { priorityProgress } from './progress.js';
import type { ImprovementPlanService, Refusal } from './service.js';
import { isRefusal } from './service.js';
import { improvementActionStatuses, linkKinds, measureFigures, prioritySources } from './tables.js';
import { isOverdue } from './timeline.js';

const read = { permission: 'assessments:read' } as const;
const write = { permission: 'plans:write' } as const;
const tags = ['Improvement plans'];

const base = '/api/v1/improvement-plans';

const planId = { type: 'string', description: 'The plan’s id (a UUID)' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: planId } } as const;
const priorityParams = { type: 'object', required: ['id', 'priorityId'], properties: { id: planId, priorityId: { type: 'string', description: 'The priority’s id (a UUID), from the plan’s priorities' } } } as const;
const actionParams = { type: 'object', required: ['id', 'actionId'], properties: { id: planId, actionId: { type: 'string', description: 'The action’s id (a UUID), from the plan’s actions' } } } as const;

const isoDate = { type: 'string', format: 'date' } as const;
const yearValue = { type: 'object', required: ['year', 'value'], properties: { year: { type: 'string', description: 'Academic year, e.g. 2024/25' }, value: { type: 'number' } } } as const;

const organisationSchema = { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } } as const;
const periodSchema = { type: 'object', required: ['start', 'end'], properties: { start: isoDate, end: isoDate }, description: 'The period the plan covers, both days included' } as const;

const summaryProperties = {
  id: { type: 'string' },
  organisation: { ...organisationSchema, description: 'The organisation whose plan it is' },
  la_code: { type: 'string', description: 'GSS code of the authority the plan belongs to' },
  period: periodSchema,
  title: { type: 'string' },
  priorities: { type: 'integer', description: 'How many priorities the plan has' },
  actions: { type: 'integer', description: 'How many actions, in all its priorities' },
  overdue: { type: 'integer', description: 'Actions past their due date and not done' },
  updated_at: { type: 'string', format: 'date-time' },
  href: { type: 'string', description: 'This plan in the API' },
  html: { type: 'string', description: 'This plan’s page' },
} as const;

const summarySchema = { type: 'object', required: Object.keys(summaryProperties), properties: summaryProperties } as const;

const updateSchema = {
  type: 'object',
  required: ['written_by', 'written_at', 'status', 'note'],
  properties: {
    written_by: { type: 'string' },
    written_at: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: [...improvementActionStatuses], description: 'The action’s status the update gave it' },
    note: { type: 'string', description: 'What had happened' },
  },
} as const;

const actionProperties = {
  id: { type: 'string' },
  priority_id: { type: 'string' },
  title: { type: 'string' },
  owner: {
    type: 'object',
    required: ['kind', 'id', 'name'],
    properties: {
      kind: { type: 'string', enum: ['member', 'partner'], description: 'member: a member of the plan’s organisation (id is their account); partner: a partner organisation or setting of the authority (id is the organisation)' },
      id: { type: 'string' },
      name: { type: 'string' },
    },
  },
  start_date: isoDate,
  due_date: isoDate,
  status: { type: 'string', enum: [...improvementActionStatuses] },
  overdue: { type: 'boolean', description: 'Past its due date and not done' },
  version: { type: 'integer', description: 'Send it back with an update: an update made from an older version is refused (409)' },
  updates: { type: 'array', items: updateSchema, description: 'Oldest first' },
} as const;

const actionSchema = { type: 'object', required: Object.keys(actionProperties), properties: actionProperties } as const;

const measureSchema = {
  type: 'object',
  required: ['id', 'indicator', 'group', 'comparator', 'figure', 'baseline', 'target', 'latest', 'direction'],
  properties: {
    id: { type: 'string' },
    label: { type: 'string', description: 'The measure in words' },
    indicator: { type: 'string', description: 'e.g. ks2_rwm_expected' },
    group: { type: 'string', description: 'The group of children, e.g. children-in-care' },
    comparator: { type: 'string', description: 'all-other, all, england or region' },
    figure: { type: 'string', enum: [...measureFigures], description: 'gap: the gap to the comparator; group-value: the group’s own figure' },
    units: { type: 'string', description: 'percentage points, percent or points' },
    baseline: { ...yearValue, description: 'The figure when the measure was set' },
    target: { ...yearValue, description: 'The figure aimed for, and the year' },
    latest: { type: ['object', 'null'], required: ['year', 'value'], properties: yearValue.properties, description: 'The latest figure released to the caller; null when there is none' },
    direction: { type: 'string', enum: ['toward', 'away', 'unchanged', 'no-data'], description: 'Whether the latest figure is nearer the target than the baseline was' },
  },
} as const;

const progressSchema = {
  type: 'object',
  required: ['actions_done', 'actions', 'overdue', 'measures_toward', 'measures'],
  properties: {
    actions_done: { type: 'integer' },
    actions: { type: 'integer' },
    overdue: { type: 'integer' },
    measures_toward: { type: 'integer', description: 'Measures whose latest figure is nearer the target than the baseline' },
    measures: { type: 'integer' },
  },
} as const;

const priorityProperties = {
  id: { type: 'string' },
  position: { type: 'integer', description: 'The board’s order' },
  title: { type: 'string' },
  rationale: { type: 'string', description: 'Why it is a priority' },
  source: { type: 'string', enum: [...prioritySources], description: 'suggested: made from one of the service’s suggestions; written: written by hand' },
  suggestion_key: { type: ['string', 'null'], description: 'The suggestion it was made from' },
  version: { type: 'integer' },
  links: {
    type: 'array',
    items: { type: 'object', required: ['kind', 'target'], properties: { kind: { type: 'string', enum: [...linkKinds] }, target: { type: 'string' } } },
    description: 'What it points at: golden threads, statements, gaps (indicator|group), turn-the-curve plans, practice items',
  },
  measures: { type: 'array', items: measureSchema, description: 'Success measures, with their figures now' },
  actions: { type: 'array', items: actionSchema },
  progress: progressSchema,
} as const;

const prioritySchema = { type: 'object', required: Object.keys(priorityProperties), properties: priorityProperties } as const;

const planProperties = {
  ...summaryProperties,
  vision: { type: 'string' },
  owner: { type: ['object', 'null'], required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } }, description: 'The member who owns the plan (gets its weekly digest); null for none' },
  version: { type: 'integer', description: 'Of the plan’s own fields (title, vision, period, owner)' },
  revision: { type: 'integer', description: 'How many changes the plan has had, priorities and actions included' },
  created_by: { type: 'string' },
  created_at: { type: 'string', format: 'date-time' },
  updated_by: { type: 'string' },
  priorities: { type: 'array', items: prioritySchema, description: 'In the board’s order' },
} as const;

const planSchema = { type: 'object', required: Object.keys(planProperties), properties: planProperties } as const;

const validationErrorSchema = {
  ...apiErrorSchema,
  properties: {
    ...apiErrorSchema.properties,
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } }, description: 'Each field that is wrong, and why' },
  },
} as const;

const conflictSchema = {
  ...validationErrorSchema,
  properties: {
    ...validationErrorSchema.properties,
    current_version: { type: 'integer', description: 'The version stored now: read it again, decide, and send this one' },
    current: { ...actionSchema, description: 'The action as it is stored now' },
  },
} as const;

const forbidden = { ...apiErrorSchema, description: 'The caller may read the plan but not change it, or their role or token does not carry plans:write' };
const missing = { ...apiErrorSchema, description: 'No such plan within the caller’s reach (or no such priority or action in it)' };

const newPlanProperties = {
  organisation_id: { type: 'string', description: 'Required. The organisation the plan is for: the caller’s own, or for an authority-wide grant one of the authority’s settings or partners' },
  title: { type: 'string', description: 'Required. Up to 200 characters' },
  vision: { type: 'string', description: 'Up to 5,000 characters' },
  period_start: { type: 'string', description: 'Required. yyyy-mm-dd' },
  period_end: { type: 'string', description: 'Required. yyyy-mm-dd, after period_start' },
  owner_user_id: { type: ['string', 'null'], description: 'A member of the organisation who owns the plan; absent or null for none' },
} as const;

const linkItems = { type: 'object', properties: { kind: { type: 'string', description: linkKinds.join(', ') }, target: { type: 'string' } } } as const;

const newPriorityProperties = {
  suggestion: { type: 'string', description: 'The key of one of the plan’s suggestions: its title, reasons and links are taken (a title or rationale given here is kept instead)' },
  title: { type: 'string', description: 'Required unless suggestion is given. Up to 200 characters' },
  rationale: { type: 'string', description: 'Why it is a priority; up to 5,000 characters' },
  links: {
    type: 'array',
    items: linkItems,
    description: 'What it points at: thread GT01..GT10, statement (a catalogue id), gap (indicator|group), curve-plan (its id), practice (a published item’s id). Each must exist and be visible to the caller.',
  },
} as const;

const actionFieldProperties = {
  title: { type: 'string', description: 'Up to 300 characters' },
  owner_user_id: { type: 'string', description: 'A member of the plan’s organisation who owns the action (or give owner_organisation_id)' },
  owner_organisation_id: { type: 'string', description: 'A partner organisation or setting of the authority that owns the action (or give owner_user_id)' },
  start_date: { type: 'string', description: 'yyyy-mm-dd' },
  due_date: { type: 'string', description: 'yyyy-mm-dd, on or after start_date' },
  status: { type: 'string', enum: [...improvementActionStatuses] },
  note: { type: 'string', description: 'Up to 5,000 characters' },
} as const;

const actionUpdateProperties = {
  version: { type: 'integer', minimum: 1, description: 'Required. The action’s version read' },
  ...actionFieldProperties,
} as const;

export function summaryJson(plan: ImprovementPlanSummary) {
  return {
    id: plan.id,
    organisation: { id: plan.organisationId, name: plan.organisationName },
    la_code: plan.laCode,
    period: { start: plan.periodStart, end: plan.periodEnd },
    title: plan.title,
    priorities: plan.priorities,
    actions: plan.actions,
    overdue: plan.overdue,
    updated_at: plan.updatedAt.toISOString(),
    href: `${base}/${plan.id}`,
    html: `/improvement-plans/${plan.id}`,
  };
}

function updateJson(update: ActionUpdate) {
  return { written_by: update.writtenBy, written_at: update.writtenAt.toISOString(), status: update.status, note: update.note };
}

export function actionJson(action: ImprovementAction, today: string) {
  return {
    id: action.id,
    priority_id: action.priorityId,
    title: action.title,
    owner: action.owner.kind === 'member' ? { kind: 'member', id: action.owner.userId, name: action.owner.label } : { kind: 'partner', id: action.owner.organisationId, name: action.owner.label },
    start_date: action.startDate,
    due_date: action.dueDate,
    status: action.status,
    overdue: isOverdue(action, today),
    version: action.version,
    updates: action.updates.map(updateJson),
  };
}

function measureJson(measure: SuccessMeasure, reading: MeasureReading | undefined) {
  return {
    id: measure.id,
    label: reading?.label,
    indicator: measure.indicator,
    group: measure.groupSpec,
    comparator: measure.comparator,
    figure: measure.figure,
    units: reading?.units,
    baseline: { year: measure.baselineYear, value: measure.baselineValue },
    target: { year: measure.targetYear, value: measure.targetValue },
    latest: reading?.latest ?? null,
    direction: reading?.direction ?? 'no-data',
  };
}

function priorityJson(priority: Priority, readings: readonly MeasureReading[], today: string) {
  // Ratings of linked statements are not part of the API's progress, so no links are described.
  const progress = priorityProgress(priority, readings, new Map(), today);
  return {
    id: priority.id,
    position: priority.position,
    title: priority.title,
    rationale: priority.rationale,
    source: priority.source,
    suggestion_key: priority.suggestionKey,
    version: priority.version,
    links: priority.links.map((link) => ({ kind: link.kind, target: link.target })),
    measures: priority.measures.map((measure) => measureJson(measure, readings.find((reading) => reading.measure.id === measure.id))),
    actions: priority.actions.map((action) => actionJson(action, today)),
    progress: { actions_done: progress.actionsDone, actions: progress.actions, overdue: progress.overdue, measures_toward: progress.measuresToward, measures: progress.measures },
  };
}

function allActions(plan: ImprovementPlan): ImprovementAction[] {
  return plan.priorities.flatMap((priority) => priority.actions);
}

function planJson(plan: ImprovementPlan, readings: readonly MeasureReading[], today: string) {
  const actions = allActions(plan);
  return {
    ...summaryJson({ ...plan, priorities: plan.priorities.length, actions: actions.length, overdue: actions.filter((action) => isOverdue(action, today)).length }),
    vision: plan.vision,
    owner: plan.ownerUserId === null ? null : { id: plan.ownerUserId, name: plan.ownerLabel ?? '' },
    version: plan.version,
    revision: plan.revision,
    created_by: plan.createdBy,
    created_at: plan.createdAt.toISOString(),
    updated_by: plan.updatedBy,
    priorities: plan.priorities.map((priority) => priorityJson(priority, readings, today)),
  };
}

const errorWords: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity' };

function send(request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string, extra: object = {}) {
  return reply.code(statusCode).send({ statusCode, error: errorWords[statusCode] ?? 'Error', message, requestId: request.id, ...extra });
}

/**
 * A field as the API names it: the pages' date inputs are three boxes (`period_end-day`), the
 * API's one field (`period_end`).
 */
function apiField(field: string): string {
  return field.replace(/-day$/, '');
}

function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal, extra: object = {}) {
  const errors = refusal.errors?.map((error) => ({ field: apiField(error.field), message: error.text }));
  const message = errors === undefined || errors.length === 0 ? refusal.message : `${refusal.message}: ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`;
  return send(request, reply, refusal.statusCode, message, { ...(errors === undefined ? {} : { errors }), ...extra });
}

/** A body that did not match the route's schema, as the field-by-field refusal the service gives. */
function schemaRefusal(error: Error & { validation?: FastifySchemaValidationError[] }, what: string): Refusal {
  const errors: FieldError[] = (error.validation ?? []).map((problem) => {
    const absent = (problem.params as { missingProperty?: string }).missingProperty;
    const field = absent ?? (problem.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body');
    return { field, text: absent === undefined ? `${field} ${problem.message ?? 'is not valid'}` : `${field} is required` };
  });
  return { statusCode: 422, message: what, errors: errors.length > 0 ? errors : [{ field: 'body', text: error.message }] };
}

/** A body that is not an object, or names a field the route does not take: refused by name rather than dropped. */
function bodyRefusal(request: FastifyRequest, known: readonly string[], what: string): Refusal | undefined {
  if (request.validationError !== undefined) return schemaRefusal(request.validationError, what);
  const body: unknown = request.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { statusCode: 422, message: what, errors: [{ field: 'body', text: 'The body must be a JSON object' }] };
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length === 0) return undefined;
  return { statusCode: 422, message: what, errors: unknown.map((field) => ({ field, text: `${field} is not a field here (the fields are ${known.join(', ')})` })) };
}

function bodyOf(request: FastifyRequest): Body {
  return (request.body ?? {}) as Body;
}

/**
 * `/api/v1/improvement-plans`: the improvement plans API. Reading needs assessments:read reaching
 * the plan's organisation, changing needs plans:write reaching it; a personal access token must
 * carry the scope and needs no CSRF token.
 */
export function registerImprovementPlansApi(app: FastifyInstance, service: ImprovementPlanService): void {
  async function readings(viewer: Viewer, plan: ImprovementPlan): Promise<MeasureReading[]> {
    return readMeasures(service.db, viewer, plan.laCode, plan.priorities.flatMap((priority) => priority.measures));
  }

  async function fullJson(viewer: Viewer, plan: ImprovementPlan) {
    return planJson(plan, await readings(viewer, plan), service.today());
  }

  app.get(
    base,
    {
      config: read,
      schema: {
        summary: 'Improvement plans in reach',
        description:
          'Every improvement plan the caller may read (their organisation’s; an authority-wide grant: every organisation of the authority; a regional adviser: the region’s), with how many priorities, actions and overdue actions each has.',
        tags,
        response: { 200: { description: 'The plans', type: 'object', required: ['plans'], properties: { plans: { type: 'array', items: summarySchema } } } },
      },
    },
    async (request) => ({ plans: (await service.list(request.viewer)).map(summaryJson) }),
  );

  app.post<{ Body: Body }>(
    base,
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Start an improvement plan',
        description:
          'Starts an organisation’s plan for a period, checked as the page checks it: 422 names each field that is wrong (a period that ends before it starts names period_end) and nothing is stored. An organisation has one plan starting on a given day (409). Needs plans:write reaching the organisation; with an access token, no CSRF token is needed.',
        tags,
        body: { type: 'object', properties: newPlanProperties },
        response: {
          201: { description: 'Started; Location says where it is', ...planSchema },
          403: forbidden,
          409: { ...validationErrorSchema, description: 'The organisation already has a plan starting on that day; nothing was stored' },
          422: { ...validationErrorSchema, description: 'A field is wrong or missing (`errors` names each), or the organisation is not one the caller may plan for; nothing was stored' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The plan could not be started';
      const invalid = bodyRefusal(request, Object.keys(newPlanProperties), what);
      if (invalid !== undefined) return sendRefusal(request, reply, invalid);
      const body = bodyOf(request);
      const created = await service.create(request.viewer, { ...body, owner_user_id: body.owner_user_id ?? '' });
      if (isRefusal(created)) return sendRefusal(request, reply, created);
      return reply.code(201).header('Location', `${base}/${created.id}`).send(await fullJson(request.viewer, created));
    },
  );

  app.get<{ Params: { id: string } }>(
    `${base}/:id`,
    {
      config: read,
      schema: {
        summary: 'One improvement plan, whole',
        description:
          'The plan with its vision, owner and version, and each priority in the board’s order with its links, success measures (with the latest figure released to the caller and which way it has moved), actions (with their updates) and progress.',
        tags,
        params: idParams,
        response: { 200: { description: 'The plan', ...planSchema }, 404: missing },
      },
    },
    async (request, reply) => {
      const plan = await service.get(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      return fullJson(request.viewer, plan);
    },
  );

  app.get<{ Params: { id: string } }>(
    `${base}/:id/priorities`,
    {
      config: read,
      schema: {
        summary: 'An improvement plan’s priorities',
        description: 'The priorities in the board’s order, each as in the whole plan.',
        tags,
        params: idParams,
        response: { 200: { description: 'The priorities', type: 'object', required: ['priorities'], properties: { priorities: { type: 'array', items: prioritySchema } } }, 404: missing },
      },
    },
    async (request, reply) => {
      const plan = await service.get(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const today = service.today();
      const measured = await readings(request.viewer, plan);
      return { priorities: plan.priorities.map((priority) => priorityJson(priority, measured, today)) };
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    `${base}/:id/priorities`,
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Add a priority to an improvement plan',
        description:
          'Adds a priority at the end of the board’s order: written (title, rationale, links) or made from one of the plan’s suggestions (suggestion: its key). Each link must name something that exists and the caller may see (422 names the link). Adding only adds, so it never conflicts; a suggestion already made into a priority answers 409. Needs plans:write reaching the plan’s organisation.',
        tags,
        params: idParams,
        body: { type: 'object', properties: newPriorityProperties },
        response: {
          201: { description: 'Added: the new priority', ...prioritySchema },
          403: forbidden,
          404: missing,
          409: { ...validationErrorSchema, description: 'The plan already has a priority made from that suggestion; nothing was added' },
          422: { ...validationErrorSchema, description: 'A field or link is wrong (`errors` names each); nothing was added' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The priority could not be added';
      const plan = await service.writable(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const invalid = bodyRefusal(request, Object.keys(newPriorityProperties), what);
      if (invalid !== undefined) return sendRefusal(request, reply, invalid);
      const added = await service.addPriority(request.viewer, plan.id, bodyOf(request));
      if (isRefusal(added)) return sendRefusal(request, reply, added);
      const priority = added.plan.priorities.find((entry) => entry.id === added.priorityId)!;
      return reply.code(201).send(priorityJson(priority, [], service.today()));
    },
  );

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>(
    `${base}/:id/priorities/:priorityId/actions`,
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Add an action to a priority',
        description:
          'Adds an action: its title, an owner (owner_user_id, a member of the plan’s organisation, or owner_organisation_id, a partner organisation or setting of the authority), start_date and due_date (yyyy-mm-dd), its status (not-started when left out) and an optional note. Checked as the page checks it: 422 names each field that is wrong. Needs plans:write reaching the plan’s organisation.',
        tags,
        params: priorityParams,
        body: { type: 'object', properties: actionFieldProperties },
        response: {
          201: { description: 'Added: the new action, at version 1', ...actionSchema },
          403: forbidden,
          404: missing,
          422: { ...validationErrorSchema, description: 'A field is wrong or missing (`errors` names each); nothing was added' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The action could not be added';
      const plan = await service.writable(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const invalid = bodyRefusal(request, Object.keys(actionFieldProperties), what);
      if (invalid !== undefined) return sendRefusal(request, reply, invalid);
      const body = bodyOf(request);
      const added = await service.addAction(request.viewer, plan.id, request.params.priorityId, { ...body, status: body.status ?? 'not-started' });
      if (isRefusal(added)) return sendRefusal(request, reply, added);
      const action = allActions(added.plan).find((entry) => entry.id === added.actionId)!;
      return reply.code(201).send(actionJson(action, service.today()));
    },
  );

  app.get<{ Params: { id: string } }>(
    `${base}/:id/actions`,
    {
      config: read,
      schema: {
        summary: 'An improvement plan’s actions',
        description: 'Every action of the plan, priority by priority in the board’s order (soonest due first within each), with its owner, dates, status, whether it is overdue, its version and its updates.',
        tags,
        params: idParams,
        response: { 200: { description: 'The actions', type: 'object', required: ['actions'], properties: { actions: { type: 'array', items: actionSchema } } }, 404: missing },
      },
    },
    async (request, reply) => {
      const plan = await service.get(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const today = service.today();
      return { actions: allActions(plan).map((action) => actionJson(action, today)) };
    },
  );

  app.get<{ Params: { id: string; actionId: string } }>(
    `${base}/:id/actions/:actionId/updates`,
    {
      config: read,
      schema: {
        summary: 'An action’s updates',
        description: 'The updates posted to the action, oldest first: who wrote each and when, the status it gave the action, and what had happened.',
        tags,
        params: actionParams,
        response: { 200: { description: 'The updates', type: 'object', required: ['updates'], properties: { updates: { type: 'array', items: updateSchema } } }, 404: missing },
      },
    },
    async (request, reply) => {
      const plan = await service.get(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const action = allActions(plan).find((entry) => entry.id === request.params.actionId);
      if (action === undefined) return send(request, reply, 404, 'There is no such action in this plan (it may have been removed).');
      return { updates: action.updates.map(updateJson) };
    },
  );

  app.post<{ Params: { id: string; actionId: string }; Body: Body }>(
    `${base}/:id/actions/:actionId/updates`,
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Post an update to an action',
        description:
          'Logs an update (a note saying what has happened, required, and the status it gives the action) and changes the action, if it is still at `version`. The title, owner, start_date and due_date may be changed too; any left out keep their current values, as does the status. A stale version changes nothing and answers 409 with the action as it stands. Needs plans:write reaching the plan’s organisation; with an access token, no CSRF token is needed.',
        tags,
        params: actionParams,
        body: { type: 'object', required: ['version'], properties: actionUpdateProperties },
        response: {
          201: { description: 'Logged: the action as it now stands, with its new version and the update last', ...actionSchema },
          403: forbidden,
          404: missing,
          409: { ...conflictSchema, description: 'Someone changed the action since that version (`current` is what is stored now); nothing was saved' },
          422: { ...validationErrorSchema, description: 'A field is wrong or missing (`errors` names each); nothing was saved' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The update could not be saved';
      const plan = await service.writable(request.viewer, request.params.id);
      if (isRefusal(plan)) return sendRefusal(request, reply, plan);
      const action = allActions(plan).find((entry) => entry.id === request.params.actionId);
      if (action === undefined) return send(request, reply, 404, 'There is no such action in this plan (it may have been removed).');
      const invalid = bodyRefusal(request, Object.keys(actionUpdateProperties), what);
      if (invalid !== undefined) return sendRefusal(request, reply, invalid);
      const body = bodyOf(request);
      const ownerGiven = body.owner_user_id !== undefined || body.owner_organisation_id !== undefined;
      const owner = ownerGiven ? {} : action.owner.kind === 'member' ? { owner_user_id: action.owner.userId } : { owner_organisation_id: action.owner.organisationId };
      const merged: Body = {
        title: action.title,
        start_date: action.startDate,
        due_date: action.dueDate,
        status: action.status,
        ...owner,
        ...Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)),
      };
      const saved = await service.updateAction(request.viewer, plan.id, action.id, merged);
      if (isRefusal(saved)) {
        const current = saved.current === undefined ? undefined : allActions(saved.current).find((entry) => entry.id === action.id);
        if (saved.statusCode !== 409 || current === undefined) return sendRefusal(request, reply, saved);
        return sendRefusal(request, reply, { ...saved, message: `${saved.message} The action is now at version ${current.version}.` }, { current_version: current.version, current: actionJson(current, service.today()) });
      }
      const updated = allActions(saved).find((entry) => entry.id === action.id)!;
      return reply.code(201).send(actionJson(updated, service.today()));
    },
  );
}
