import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { allLocalAuthorities } from '../../areas/areas.js';
import type { Viewer } from '../../auth/gate.js';
import type { Schema } from '../../db/schema.js';
import { formatAcademicYear } from '../../ingest/child-standard.js';
import { apiErrorSchema } from '../../web/errors.js';
import { mayReadPlans, mayWritePlans } from '../../gaps/reach.js';
import { GapRequestError, comparatorNamed, groupNamed, measureNamed } from '../../gaps/service.js';
import type { FieldError, FormBody } from './forms.js';
import { parsePlanText } from './forms.js';
import { planFigures } from './routes.js';
import type { Author, Plan, PlanSummary } from './store.js';
import { PlanConflictError, createPlan, listPlans, planAuthority, readPlan, savePlanText } from './store.js';
import { actionStatuses, ideaCosts, quadrants } from './tables.js';

const read = { permission: 'assessments:read' } as const;
const write = { permission: 'plans:write' } as const;
const tags = ['Plans'];

const planIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The plan’s id (a UUID)' } } } as const;

const planSummarySchema = {
  type: 'object',
  required: ['id', 'la', 'indicator', 'group', 'title', 'open_actions', 'updated_at', 'updated_by', 'href'],
  properties: {
    id: { type: 'string' },
    la: { type: 'string', description: 'GSS code of the authority the plan belongs to' },
    indicator: { type: 'string', description: 'The outcome whose curve the plan turns, e.g. ks2_rwm_expected' },
    group: { type: 'string', description: 'The group (or combination) of children, e.g. children-in-care' },
    title: { type: 'string' },
    open_actions: { type: 'integer', description: 'Actions not started or in progress' },
    updated_at: { type: 'string', format: 'date-time' },
    updated_by: { type: 'string' },
    href: { type: 'string', description: 'This plan in the API' },
  },
} as const;

const planTextProperties = {
  title: { type: 'string', description: 'Up to 200 characters; not blank' },
  target_value: { type: ['number', 'null'], description: 'The value the group should reach (a percentage from 0 to 100 for a proportion); null for no target. Given with target_year.' },
  target_year: { type: ['string', 'null'], description: 'The academic year of the target, e.g. 2027/28, after the latest year with figures; null for no target' },
  story: { type: 'string', description: 'The story behind the baseline, up to 20,000 characters' },
  partners: {
    type: 'array',
    items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, role: { type: 'string' } } },
    description: 'Partners with a role to play',
  },
  what_works: {
    type: 'array',
    items: { type: 'object', required: ['idea'], additionalProperties: false, properties: { idea: { type: 'string' }, cost: { type: 'string', enum: [...ideaCosts] } } },
    description: 'What could work, each with what it costs',
  },
} as const;

const planSchema = {
  type: 'object',
  required: ['id', 'la', 'indicator', 'group', 'comparator', 'title', 'target_value', 'target_year', 'story', 'partners', 'what_works', 'version', 'revision', 'actions', 'measures'],
  properties: {
    id: { type: 'string' },
    la: { type: 'string' },
    indicator: { type: 'string' },
    group: { type: 'string' },
    comparator: { type: 'string', description: 'What the group is compared with: all-other, all or england' },
    ...planTextProperties,
    version: { type: 'integer', description: 'Send it back with a change: a change made from an older version is refused (409)' },
    revision: { type: 'integer', description: 'How many changes the plan has had, actions and measures included' },
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_by: { type: 'string' },
    updated_at: { type: 'string', format: 'date-time' },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          description: { type: 'string' },
          owner: { type: 'string' },
          due_date: { type: ['string', 'null'], format: 'date' },
          status: { type: 'string', enum: [...actionStatuses] },
        },
      },
    },
    measures: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          quadrant: { type: 'string', enum: [...quadrants] },
          name: { type: 'string' },
          values: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, value: { type: 'number' } } } },
        },
      },
    },
    html: { type: 'string', description: 'The plan’s page' },
  },
} as const;

const validationErrorSchema = {
  ...apiErrorSchema,
  properties: {
    ...apiErrorSchema.properties,
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } }, description: 'Each field that is wrong, and why' },
  },
} as const;

interface PlanTextBody {
  version?: number;
  title?: string;
  target_value?: number | null;
  target_year?: string | null;
  story?: string;
  partners?: { name: string; role?: string }[];
  what_works?: { idea: string; cost?: string }[];
}

interface NewPlanBody {
  la: string;
  indicator: string;
  group: string;
  comparator?: string;
}

function summaryJson(plan: PlanSummary) {
  return {
    id: plan.id,
    la: plan.laCode,
    indicator: plan.indicator,
    group: plan.groupSpec,
    title: plan.title,
    open_actions: plan.openActions,
    updated_at: plan.updatedAt.toISOString(),
    updated_by: plan.updatedBy,
    href: `/api/v1/plans/${plan.id}`,
  };
}

function planJson(plan: Plan) {
  return {
    id: plan.id,
    la: plan.laCode,
    indicator: plan.indicator,
    group: plan.groupSpec,
    comparator: plan.comparator,
    title: plan.title,
    target_value: plan.targetValue,
    target_year: plan.targetYear === null ? null : formatAcademicYear(plan.targetYear),
    story: plan.story,
    partners: plan.partners,
    what_works: plan.whatWorks,
    version: plan.version,
    revision: plan.revision,
    created_by: plan.createdBy,
    created_at: plan.createdAt.toISOString(),
    updated_by: plan.updatedBy,
    updated_at: plan.updatedAt.toISOString(),
    actions: plan.actions.map((action) => ({ id: action.id, description: action.description, owner: action.owner, due_date: action.dueDate, status: action.status })),
    measures: plan.measures.map((measure) => ({ id: measure.id, quadrant: measure.quadrant, name: measure.name, values: measure.values })),
    html: `/plans/${plan.id}`,
  };
}

/** The plan's text as the edit form would send it, so the API checks it exactly as the page does. */
function asForm(text: Required<Omit<PlanTextBody, 'version'>>): FormBody {
  return {
    title: text.title,
    target_value: text.target_value === null ? '' : String(text.target_value),
    target_year: text.target_year ?? '',
    story: text.story,
    partner_name: text.partners.map((partner) => partner.name),
    partner_role: text.partners.map((partner) => partner.role ?? ''),
    idea: text.what_works.map((entry) => entry.idea),
    idea_cost: text.what_works.map((entry) => entry.cost ?? 'no-cost'),
  };
}

/** The form's field names in the API's terms: `partner-name-0` is `partners[0].name`. */
function apiField(field: string): string {
  const listed = /^(partner-name|partner-role|idea-cost|idea)-(\d+)$/.exec(field);
  if (listed === null) return field;
  const [, kind, index] = listed;
  const place: Record<string, string> = { 'partner-name': 'partners[$].name', 'partner-role': 'partners[$].role', idea: 'what_works[$].idea', 'idea-cost': 'what_works[$].cost' };
  return place[kind!]!.replace('$', index!);
}

function unknownFields(body: object, known: readonly string[]): string[] {
  return Object.keys(body).filter((key) => !known.includes(key));
}

function authorOf(viewer: Viewer): Author {
  if (!viewer.signedIn) throw new Error('A plan is changed only by someone signed in');
  return { userId: viewer.userId, label: viewer.displayName || viewer.email };
}

/**
 * Turn-the-curve plans through the API: the same reach, checks and conflict rule as the pages. A
 * plan of an authority out of the caller's reach answers 404, as an unknown one does.
 */
export function registerPlansApi(app: FastifyInstance, db: Kysely<Schema>): void {
  const problem = (request: FastifyRequest, reply: FastifyReply, statusCode: number, error: string, message: string, extra: object = {}) =>
    reply.code(statusCode).send({ statusCode, error, message, requestId: request.id, ...extra });
  const notFound = (request: FastifyRequest, reply: FastifyReply) => problem(request, reply, 404, 'Not Found', `There is no plan ${(request.params as { id: string }).id} within your reach.`);

  async function planFor(viewer: Viewer, id: string, need: 'read' | 'write'): Promise<Plan | undefined> {
    const laCode = await planAuthority(db, id);
    if (laCode === undefined) return undefined;
    const allowed = need === 'read' ? mayReadPlans(viewer, laCode) : mayWritePlans(viewer, laCode);
    return allowed ? readPlan(db, laCode, id) : undefined;
  }

  app.get<{ Querystring: { la?: string } }>(
    '/api/v1/plans',
    {
      config: read,
      schema: {
        summary: 'Turn-the-curve plans in reach',
        description: 'The plans of every authority the caller reaches (their own; their region’s for an adviser), most recently changed first; or of one authority.',
        tags,
        querystring: { type: 'object', properties: { la: { type: 'string', description: 'GSS code of one authority' } } },
        response: {
          200: { description: 'The plans', type: 'object', properties: { plans: { type: 'array', items: planSummarySchema } } },
          404: { ...apiErrorSchema, description: 'The authority asked for is unknown or out of reach' },
        },
      },
    },
    async (request, reply) => {
      const asked = request.query.la?.toUpperCase();
      if (asked !== undefined && !mayReadPlans(request.viewer, asked)) return problem(request, reply, 404, 'Not Found', `${asked} is not an authority whose plans you may read.`);
      const laCodes = (asked !== undefined ? [asked] : allLocalAuthorities().map((la) => la.gss)).filter((code) => mayReadPlans(request.viewer, code));
      return { plans: (await listPlans(db, laCodes)).map(summaryJson) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/plans/:id',
    {
      config: read,
      schema: {
        summary: 'One turn-the-curve plan',
        description: 'The plan’s text, target, partners, what works, actions and performance measures, with its version.',
        tags,
        params: planIdParams,
        response: { 200: { description: 'The plan', ...planSchema }, 404: { ...apiErrorSchema, description: 'No such plan within the caller’s reach' } },
      },
    },
    async (request, reply) => {
      const plan = await planFor(request.viewer, request.params.id, 'read');
      return plan === undefined ? notFound(request, reply) : planJson(plan);
    },
  );

  app.post<{ Body: NewPlanBody }>(
    '/api/v1/plans',
    {
      config: write,
      schema: {
        summary: 'Start a turn-the-curve plan',
        description:
          'Starts the authority’s plan for an indicator and group. An authority has one plan for each: if it has one already, that plan is answered (200) and nothing is created. Needs plans:write for the authority; with an access token, no CSRF token is needed.',
        tags,
        body: {
          type: 'object',
          required: ['la', 'indicator', 'group'],
          properties: {
            la: { type: 'string', description: 'GSS code of the authority' },
            indicator: { type: 'string', description: 'e.g. ks2_rwm_expected' },
            group: { type: 'string', description: 'A framework group, e.g. children-in-care, or a combination' },
            comparator: { type: 'string', description: 'all-other (the default), all or england' },
          },
        },
        response: {
          200: { description: 'The authority’s plan for that indicator and group already existed', ...planSchema },
          201: { description: 'The plan was started', ...planSchema },
          400: { ...apiErrorSchema, description: 'The indicator, group or comparator names nothing that exists' },
          404: { ...apiErrorSchema, description: 'The authority is unknown, or the caller may not write its plans' },
        },
      },
    },
    async (request, reply) => {
      const unknown = unknownFields(request.body, ['la', 'indicator', 'group', 'comparator']);
      if (unknown.length > 0) return problem(request, reply, 400, 'Bad Request', `${unknown.join(', ')}: not a field of a new plan (the fields are la, indicator, group, comparator)`);
      const laCode = request.body.la.toUpperCase();
      if (!mayWritePlans(request.viewer, laCode)) return problem(request, reply, 404, 'Not Found', `${laCode} is not an authority whose plans you may write.`);
      let subject;
      try {
        subject = { measure: measureNamed(request.body.indicator), group: groupNamed(request.body.group), comparator: comparatorNamed(request.body.comparator) };
      } catch (error) {
        if (!(error instanceof GapRequestError)) throw error;
        return problem(request, reply, 400, 'Bad Request', error.message);
      }
      const existing = await listPlans(db, [laCode], { indicator: subject.measure.name, groupSpec: subject.group.id });
      if (existing[0] !== undefined) return reply.header('Location', `/api/v1/plans/${existing[0].id}`).send(planJson((await readPlan(db, laCode, existing[0].id))!));
      const plan = await createPlan(
        db,
        { laCode, indicator: subject.measure.name, groupSpec: subject.group.id, comparator: subject.comparator, title: `${subject.group.label}: ${subject.measure.label}` },
        authorOf(request.viewer),
      );
      return reply.code(201).header('Location', `/api/v1/plans/${plan.id}`).send(planJson(plan));
    },
  );

  // No additionalProperties: false, which would drop an unknown field silently; unknownFields names it instead.
  const textBody = (required: readonly string[]) => ({ type: 'object', required: ['version', ...required], properties: { version: { type: 'integer', minimum: 1 }, ...planTextProperties } });
  const changeResponses = {
    200: { description: 'Saved: the plan as it now stands, with its new version', ...planSchema },
    400: { ...validationErrorSchema, description: 'A field is wrong: `errors` says which and why; nothing was saved' },
    404: { ...apiErrorSchema, description: 'No such plan, or the caller may not write it' },
    409: { ...apiErrorSchema, description: 'The plan was changed since that version: nothing was saved; read it again and decide' },
  };

  async function saveText(request: FastifyRequest<{ Params: { id: string }; Body: PlanTextBody }>, reply: FastifyReply, merge: boolean) {
    const plan = await planFor(request.viewer, request.params.id, 'write');
    if (plan === undefined) return notFound(request, reply);
    const body = request.body;
    const unknown = unknownFields(body, ['version', ...Object.keys(planTextProperties)]);
    if (unknown.length > 0) return problem(request, reply, 400, 'Bad Request', `${unknown.join(', ')}: not a field of a plan's text (the fields are version, ${Object.keys(planTextProperties).join(', ')})`);
    const current = planJson(plan);
    const pick = <K extends keyof PlanTextBody>(key: K, fallback: NonNullable<PlanTextBody[K]> | null) => (body[key] !== undefined ? body[key] : merge ? current[key as keyof typeof current] : fallback);
    const text = {
      title: pick('title', '') as string,
      target_value: pick('target_value', null) as number | null,
      target_year: pick('target_year', null) as string | null,
      story: pick('story', '') as string,
      partners: pick('partners', []) as { name: string; role?: string }[],
      what_works: pick('what_works', []) as { idea: string; cost?: string }[],
    };
    const figures = await planFigures(db, request.viewer, plan);
    const parsed = parsePlanText(asForm(text), { percentage: figures.percentage, lastYear: figures.lastYear, min: figures.measure.min, max: figures.measure.max });
    if (!parsed.ok) {
      const errors = parsed.errors.map((error: FieldError) => ({ field: apiField(error.field), message: error.text }));
      return problem(request, reply, 400, 'Bad Request', errors.map((error) => `${error.field}: ${error.message}`).join('; '), { errors });
    }
    try {
      return planJson(await savePlanText(db, plan.laCode, plan.id, body.version!, parsed.value, authorOf(request.viewer)));
    } catch (error) {
      if (!(error instanceof PlanConflictError)) throw error;
      return problem(request, reply, 409, 'Conflict', `The plan was changed by ${error.current.updatedBy} since version ${body.version}: it is now at version ${error.current.version}. Nothing was saved; read it again and decide.`);
    }
  }

  app.patch<{ Params: { id: string }; Body: PlanTextBody }>(
    '/api/v1/plans/:id',
    {
      config: write,
      schema: {
        summary: 'Change part of a plan’s text',
        description:
          'Changes the fields sent (title, target, story, partners, what works) and keeps the rest, checked as the edit page checks them, if the plan is still at `version`. Needs plans:write for the plan’s authority; with an access token, no CSRF token is needed.',
        tags,
        params: planIdParams,
        body: textBody([]),
        response: changeResponses,
      },
    },
    (request, reply) => saveText(request, reply, true),
  );

  app.put<{ Params: { id: string }; Body: PlanTextBody }>(
    '/api/v1/plans/:id',
    {
      config: write,
      schema: {
        summary: 'Replace a plan’s text',
        description:
          'Replaces the whole text (title required; a field left out is emptied: no target, no story, no partners, no ideas), checked as the edit page checks it, if the plan is still at `version`. Actions and measures are kept.',
        tags,
        params: planIdParams,
        body: textBody(['title']),
        response: changeResponses,
      },
    },
    (request, reply) => saveText(request, reply, false),
  );
}
