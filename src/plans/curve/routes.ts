import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { readFile } from 'node:fs/promises';
import { allLocalAuthorities, localAuthorityByGss } from '../../areas/areas.js';
import { seesSmallNumbers } from '../../aggregates/disclosure-policy.js';
import type { Viewer } from '../../auth/gate.js';
import type { Config } from '../../config.js';
import type { Schema } from '../../db/schema.js';
import { formatAcademicYear, parseAcademicYear } from '../../ingest/child-standard.js';
import { indicators } from '../../aggregates/indicators.js';
import { renderChart } from '../../web/charts.js';
import { sourcePath } from '../../web/paths.js';
import { PdfUnavailableError, htmlToPdf } from '../../web/pdf.js';
import { frameworkGroupSpecs, parseGroup } from '../../gaps/groups.js';
import type { GapCell } from '../../gaps/matrix.js';
import { authorityNamed, isAuthorityRefusal, mayReadPlans, mayWritePlans } from '../../gaps/reach.js';
import { refuseAuthority } from '../../gaps/authority-choice.js';
import { DifferencingRefused, GapRequestError, comparatorNamed, gapSeriesFor, groupNamed, measureNamed } from '../../gaps/service.js';
import { baselineFigure, baselineOf } from './baseline.js';
import type { FieldError, FormBody } from './forms.js';
import { parseAction, parseMeasure, parseMeasureValue, parsePlanText, parseVersion } from './forms.js';
import type { ImprovementPlanSummary } from '../model.js';
import { prioritiesLinkingTo } from '../store.js';
import type { Author, Plan } from './store.js';
import {
  PlanConflictError,
  addAction,
  addMeasure,
  createPlan,
  listPlans,
  listRevisions,
  planAuthority,
  readPlan,
  recordMeasureValue,
  savePlanText,
  updateAction,
} from './store.js';
import type { ideaCosts} from './tables.js';
import { actionStatuses, quadrants } from './tables.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'plans:write' } as const;

export const actionStatusText: Record<(typeof actionStatuses)[number], string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  done: 'Done',
  stopped: 'Stopped',
};
export const quadrantText: Record<(typeof quadrants)[number], { question: string; hint: string }> = {
  'how-much': { question: 'How much did we do?', hint: 'Quantity of effort: children seen, sessions run, families supported' },
  'how-well': { question: 'How well did we do it?', hint: 'Quality of effort: share seen on time, staff trained, satisfaction' },
  'better-off-number': { question: 'Is anyone better off? (number)', hint: 'Quantity of effect: how many children are better off' },
  'better-off-percentage': { question: 'Is anyone better off? (percentage)', hint: 'Quality of effect: what share of those served are better off' },
};
export const ideaCostText: Record<(typeof ideaCosts)[number], string> = { 'no-cost': 'No cost', 'low-cost': 'Low cost', 'needs-funding': 'Needs funding' };

function authorOf(viewer: Viewer): Author {
  if (!viewer.signedIn) throw new Error('A plan is changed only by someone signed in');
  return { userId: viewer.userId, label: viewer.displayName || viewer.email };
}

function errorList(errors: readonly FieldError[]) {
  return errors.map((error) => ({ text: error.text, href: `#${error.field}` }));
}

function errorFor(errors: readonly FieldError[] | undefined, field: string): { text: string } | undefined {
  const found = errors?.find((error) => error.field === field);
  return found === undefined ? undefined : { text: found.text };
}

const trendWords: Record<GapCell['trend'], string> = {
  narrowing: 'narrowing',
  widening: 'widening',
  'no-significant-change': 'no significant change',
  'not-enough-data': 'too few years to tell',
};

function latestGapText(latest: GapCell | undefined, percentage: boolean): string {
  if (latest === undefined) return 'No figures yet';
  if (latest.suppressed) return `Withheld in ${latest.year}: fewer than 5 children behind a figure (in the group, or meeting or missing the outcome)`;
  if (latest.gap === null) return `Not known in ${latest.year}`;
  const sign = latest.gap > 0 ? '+' : '';
  return `${sign}${latest.gap.toFixed(1)} ${percentage ? 'percentage points' : 'points'} in ${latest.year} (95% interval ${latest.gap_lower?.toFixed(1)} to ${latest.gap_upper?.toFixed(1)}), ${latest.significant ? 'significant' : 'not significant'}; over the years: ${trendWords[latest.trend]}`;
}

/** The gap series behind a plan as the viewer may see it, and what a target for it must respect (pages and API alike). */
export async function planFigures(db: Kysely<Schema>, viewer: Viewer, plan: Plan) {
  const measure = indicators.find((entry) => entry.name === plan.indicator)!;
  const group = parseGroup(plan.groupSpec);
  let cells: GapCell[] = [];
  let refusal: string | null = null;
  try {
    cells = await gapSeriesFor(db, {
      laCode: plan.laCode,
      indicator: plan.indicator,
      group: plan.groupSpec,
      comparator: plan.comparator,
      suppress: !seesSmallNumbers(viewer, { laCode: plan.laCode }),
    });
  } catch (error) {
    // A plan for children not in a group: its figures are for those who may see small numbers.
    if (!(error instanceof DifferencingRefused)) throw error;
    refusal = 'Not shown to you: figures for children not in a group are shown only to people who may see the child-level records';
  }
  const latest = cells.at(-1);
  const percentage = latest?.value_type === 'percentage' || measure.type === 'binary';
  const lastYear = latest === undefined ? null : (parseAcademicYear(latest.year) ?? null);
  return { measure, group, cells, refusal, latest, percentage, lastYear };
}

/** Everything the plan pages show about a plan's subject: the indicator, the group and the baseline. */
async function planSubject(db: Kysely<Schema>, viewer: Viewer, plan: Plan) {
  const { measure, group, cells, refusal, latest, percentage, lastYear } = await planFigures(db, viewer, plan);
  const baseline = baselineOf(cells, plan.targetYear, percentage ? { min: 0, max: 100 } : { min: measure.min, max: measure.max });
  const figure = baselineFigure(baseline, { groupLabel: group.label, measureLabel: measure.label, percentage, targetValue: plan.targetValue, targetYear: plan.targetYear });
  return {
    measure,
    group,
    latest,
    latestGapText: refusal ?? latestGapText(latest, percentage),
    percentage,
    lastYear,
    baselineFigure: figure,
    baselineChart: await renderChart(figure.spec, figure.description),
    authorityName: localAuthorityByGss(plan.laCode)?.name ?? plan.laCode,
    indicatorHref: `/gaps/indicator?${new URLSearchParams({ la: plan.laCode, indicator: plan.indicator, group: plan.groupSpec, comparator: plan.comparator }).toString()}`,
  };
}

/** The plan pages share one frame of values. */
function planView(plan: Plan, subject: Awaited<ReturnType<typeof planSubject>>, viewer: Viewer) {
  return {
    plan,
    ...subject,
    mayWrite: mayWritePlans(viewer, plan.laCode),
    measuresIn: Object.fromEntries(quadrants.map((quadrant) => [quadrant, plan.measures.filter((measure) => measure.quadrant === quadrant)])),
    actionStatusText,
    quadrantText,
    ideaCostText,
    quadrants,
    formatAcademicYear,
  };
}

/** The form values of the plan's text: what is saved, or what was just sent; with blank rows to add to. */
function planTextValues(plan: Plan, body?: FormBody) {
  const list = (field: string | string[] | undefined) => (field === undefined ? [] : [field].flat());
  const partners = body ? list(body.partner_name).map((name, index) => ({ name, role: list(body.partner_role)[index] ?? '' })) : plan.partners;
  const ideas = body ? list(body.idea).map((idea, index) => ({ idea, cost: list(body.idea_cost)[index] ?? 'no-cost' })) : plan.whatWorks;
  const blanks = <T>(rows: T[], blank: T) => [...rows.filter((row) => Object.values(row as object).some((value) => value !== '' && value !== 'no-cost')), blank, blank];
  return {
    title: body ? String(body.title ?? '') : plan.title,
    target_value: body ? String(body.target_value ?? '') : (plan.targetValue ?? ''),
    target_year: body ? String(body.target_year ?? '') : plan.targetYear === null ? '' : formatAcademicYear(plan.targetYear),
    story: body ? String(body.story ?? '') : plan.story,
    partners: blanks(partners, { name: '', role: '' }),
    ideas: blanks(ideas, { idea: '', cost: 'no-cost' }),
  };
}

function dueParts(dueDate: string | null) {
  if (dueDate === null) return { 'due-day': '', 'due-month': '', 'due-year': '' };
  const [year, month, day] = dueDate.split('-');
  return { 'due-day': String(Number(day)), 'due-month': String(Number(month)), 'due-year': year ?? '' };
}

/** The improvement plans the list shows above the turn-the-curve plans (the improvement plan's capability gives them). */
export type ImprovementPlanLister = (viewer: Viewer, laCodes: readonly string[]) => Promise<{ plans: ImprovementPlanSummary[]; mayStart: boolean }>;

/** Turn-the-curve plans: list, start, read, edit, actions, performance measures, history, print and PDF. */
export function registerPlanRoutes(app: FastifyInstance, db: Kysely<Schema>, config: Config, improvementPlans: ImprovementPlanLister = () => Promise.resolve({ plans: [], mayStart: false })): void {
  /** The plan with that id if the viewer reaches its authority (for writing, as a member who may write); else undefined, a 404. */
  async function planFor(request: FastifyRequest, id: string, need: 'read' | 'write'): Promise<Plan | undefined> {
    const laCode = await planAuthority(db, id);
    if (laCode === undefined) return undefined;
    const allowed = need === 'read' ? mayReadPlans(request.viewer, laCode) : mayWritePlans(request.viewer, laCode);
    return allowed ? readPlan(db, laCode, id) : undefined;
  }

  async function showPlan(request: FastifyRequest, reply: FastifyReply, plan: Plan, extra: Record<string, unknown> = {}) {
    const [subject, servedPriorities] = await Promise.all([planSubject(db, request.viewer, plan), prioritiesLinkingTo(db, plan.laCode, { kind: 'curve-plan', target: plan.id })]);
    return reply.view('plans/show.njk', {
      pageTitle: plan.title,
      breadcrumbs: [{ text: 'Plans', href: `/plans?la=${plan.laCode}` }],
      ...planView(plan, subject, request.viewer),
      servedPriorities: servedPriorities.map((served) => ({ ...served, href: `/improvement-plans/${served.planId}#priority-${served.priorityId}` })),
      ...extra,
    });
  }

  async function editForm(request: FastifyRequest, reply: FastifyReply, plan: Plan, extra: { errors?: FieldError[]; body?: FormBody; conflict?: Plan } = {}) {
    const subject = await planSubject(db, request.viewer, extra.conflict ?? plan);
    return reply.view('plans/edit.njk', {
      pageTitle: `Edit: ${plan.title}`,
      breadcrumbs: [{ text: 'Plans', href: `/plans?la=${plan.laCode}` }, { text: plan.title, href: `/plans/${plan.id}` }],
      ...planView(extra.conflict ?? plan, subject, request.viewer),
      values: planTextValues(plan, extra.body),
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorSummaryShown: extra.errors !== undefined,
      errorFor: (field: string) => errorFor(extra.errors, field),
      conflict: extra.conflict,
    });
  }

  app.get<{ Querystring: { la?: string } }>('/plans', { schema: hidden, config: read }, async (request, reply) => {
    const viewer = request.viewer;
    // Every authority the viewer reaches: their own, their region's for an adviser, England's for the national team.
    // An address naming one authority must name one the viewer may see: refused in words otherwise, never an empty list.
    const asked = request.query.la === undefined || request.query.la === '' ? undefined : authorityNamed(viewer, String(request.query.la), mayReadPlans);
    if (asked !== undefined && isAuthorityRefusal(asked)) return refuseAuthority(reply, asked);
    const laCodes = (asked !== undefined ? [asked.laCode] : allLocalAuthorities().map((la) => la.gss)).filter((code) => mayReadPlans(viewer, code));
    const [plans, improvement] = await Promise.all([listPlans(db, laCodes), improvementPlans(viewer, laCodes)]);
    return reply.view('plans/list.njk', {
      pageTitle: 'Plans',
      improvementPlans: improvement.plans.map((plan) => ({ ...plan, href: `/improvement-plans/${plan.id}` })),
      mayStartImprovementPlan: improvement.mayStart,
      plans: plans.map((plan) => ({
        ...plan,
        authorityName: localAuthorityByGss(plan.laCode)?.name ?? plan.laCode,
        measureLabel: indicators.find((entry) => entry.name === plan.indicator)?.label ?? plan.indicator,
        groupLabel: parseGroup(plan.groupSpec).label,
      })),
      laCodes,
      newPlanAuthority: laCodes.find((code) => mayWritePlans(viewer, code)),
      measures: indicators,
      groups: frameworkGroupSpecs(),
    });
  });

  /** Starts a plan for an indicator and group, or opens the authority's plan for them if there is one: one click from a gap. */
  app.post<{ Body: FormBody }>('/plans', { schema: hidden, config: write }, async (request, reply) => {
    const body = request.body ?? {};
    const laCode = String(body.la ?? '').toUpperCase();
    if (!mayWritePlans(request.viewer, laCode)) return reply.callNotFound();
    let subject;
    try {
      subject = { measure: measureNamed(String(body.indicator ?? '')), group: groupNamed(String(body.group ?? '')), comparator: comparatorNamed(body.comparator === undefined ? undefined : String(body.comparator)) };
    } catch (error) {
      if (!(error instanceof GapRequestError)) throw error;
      return reply.code(400).view('error.njk', { title: 'The plan could not be started', message: error.message });
    }
    const { measure, group, comparator } = subject;
    const existing = await listPlans(db, [laCode], { indicator: measure.name, groupSpec: group.id });
    if (existing[0] !== undefined) return reply.redirect(`/plans/${existing[0].id}`, 303);
    const plan = await createPlan(db, { laCode, indicator: measure.name, groupSpec: group.id, comparator, title: `${group.label}: ${measure.label}` }, authorOf(request.viewer));
    return reply.redirect(`/plans/${plan.id}?started=1`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { started?: string; saved?: string } }>('/plans/:id', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'read');
    if (plan === undefined) return reply.callNotFound();
    const notice = request.query.started ? 'Plan started. Set a target, then tell the story behind the baseline.' : request.query.saved ? 'Your changes are saved.' : undefined;
    return showPlan(request, reply, plan, { notice });
  });

  app.get<{ Params: { id: string } }>('/plans/:id/edit', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    return editForm(request, reply, plan);
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/plans/:id', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const subject = await planSubject(db, request.viewer, plan);
    const parsed = parsePlanText(body, { percentage: subject.percentage, lastYear: subject.lastYear, min: subject.measure.min, max: subject.measure.max });
    const version = parseVersion(body);
    if (!parsed.ok) return editForm(request, reply.code(400), plan, { errors: parsed.errors, body });
    if (version === undefined) return reply.code(400).view('error.njk', { title: 'The plan could not be saved', message: 'The form was missing its version: open the plan and edit it again.' });
    try {
      await savePlanText(db, plan.laCode, plan.id, version, parsed.value, authorOf(request.viewer));
    } catch (error) {
      if (!(error instanceof PlanConflictError)) throw error;
      // Keep what this person wrote, show what the other saved, and let a second save knowingly replace it.
      return editForm(request, reply.code(409), plan, { body, conflict: error.current });
    }
    return reply.redirect(`/plans/${plan.id}?saved=1`, 303);
  });

  app.get<{ Params: { id: string } }>('/plans/:id/actions/new', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    return actionForm(request, reply, plan, undefined, {});
  });

  async function actionForm(request: FastifyRequest, reply: FastifyReply, plan: Plan, actionId: string | undefined, extra: { errors?: FieldError[]; body?: FormBody; conflict?: boolean }) {
    const action = plan.actions.find((entry) => entry.id === actionId);
    const values = extra.body ?? (action === undefined ? { status: 'not-started' } : { description: action.description, owner: action.owner, status: action.status, ...dueParts(action.dueDate) });
    return reply.view('plans/action.njk', {
      pageTitle: action === undefined ? 'Add an action' : 'Update an action',
      breadcrumbs: [{ text: 'Plans', href: `/plans?la=${plan.laCode}` }, { text: plan.title, href: `/plans/${plan.id}` }],
      plan,
      action,
      values,
      actionStatuses,
      actionStatusText,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorSummaryShown: extra.errors !== undefined,
      errorFor: (field: string) => errorFor(extra.errors, field),
      conflict: extra.conflict,
    });
  }

  app.post<{ Params: { id: string }; Body: FormBody }>('/plans/:id/actions', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    const parsed = parseAction(request.body ?? {});
    if (!parsed.ok) return actionForm(request, reply.code(400), plan, undefined, { errors: parsed.errors, body: request.body });
    await addAction(db, plan.laCode, plan.id, parsed.value, authorOf(request.viewer));
    return reply.redirect(`/plans/${plan.id}?saved=1#actions`, 303);
  });

  app.get<{ Params: { id: string; actionId: string } }>('/plans/:id/actions/:actionId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined || !plan.actions.some((action) => action.id === request.params.actionId)) return reply.callNotFound();
    return actionForm(request, reply, plan, request.params.actionId, {});
  });

  app.post<{ Params: { id: string; actionId: string }; Body: FormBody }>('/plans/:id/actions/:actionId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    const actionId = request.params.actionId;
    if (plan === undefined || !plan.actions.some((action) => action.id === actionId)) return reply.callNotFound();
    const body = request.body ?? {};
    const parsed = parseAction(body);
    const version = parseVersion(body);
    if (!parsed.ok) return actionForm(request, reply.code(400), plan, actionId, { errors: parsed.errors, body });
    if (version === undefined) return reply.code(400).view('error.njk', { title: 'The action could not be saved', message: 'The form was missing its version: open the action and update it again.' });
    try {
      await updateAction(db, plan.laCode, plan.id, actionId, version, parsed.value, authorOf(request.viewer));
    } catch (error) {
      if (!(error instanceof PlanConflictError)) throw error;
      return actionForm(request, reply.code(409), error.current, actionId, { body, conflict: true });
    }
    return reply.redirect(`/plans/${plan.id}?saved=1#actions`, 303);
  });

  app.get<{ Params: { id: string } }>('/plans/:id/measures/new', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    return measureForm(request, reply, plan, {});
  });

  function measureForm(request: FastifyRequest, reply: FastifyReply, plan: Plan, extra: { errors?: FieldError[]; body?: FormBody }) {
    return reply.view('plans/measure.njk', {
      pageTitle: 'Add a performance measure',
      breadcrumbs: [{ text: 'Plans', href: `/plans?la=${plan.laCode}` }, { text: plan.title, href: `/plans/${plan.id}` }],
      plan,
      values: extra.body ?? {},
      quadrants,
      quadrantText,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorSummaryShown: extra.errors !== undefined,
      errorFor: (field: string) => errorFor(extra.errors, field),
    });
  }

  app.post<{ Params: { id: string }; Body: FormBody }>('/plans/:id/measures', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    if (plan === undefined) return reply.callNotFound();
    const parsed = parseMeasure(request.body ?? {});
    if (!parsed.ok) return measureForm(request, reply.code(400), plan, { errors: parsed.errors, body: request.body });
    await addMeasure(db, plan.laCode, plan.id, parsed.value, authorOf(request.viewer));
    return reply.redirect(`/plans/${plan.id}?saved=1#measures`, 303);
  });

  app.post<{ Params: { id: string; measureId: string }; Body: FormBody }>('/plans/:id/measures/:measureId/values', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'write');
    const measure = plan?.measures.find((entry) => entry.id === request.params.measureId);
    if (plan === undefined || measure === undefined) return reply.callNotFound();
    const parsed = parseMeasureValue(request.body ?? {}, { percentage: measure.quadrant === 'how-well' || measure.quadrant === 'better-off-percentage' });
    if (!parsed.ok) {
      return showPlan(request, reply.code(400), plan, {
        errors: errorList(parsed.errors.map((error) => ({ ...error, field: `${error.field}-${measure.id}` }))),
        errorSummaryShown: true,
        valueErrors: { measureId: measure.id, body: request.body, byField: Object.fromEntries(parsed.errors.map((error) => [error.field, { text: error.text }])) },
      });
    }
    await recordMeasureValue(db, plan.laCode, plan.id, measure.id, parsed.value, authorOf(request.viewer));
    return reply.redirect(`/plans/${plan.id}?saved=1#measure-${measure.id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/plans/:id/history', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'read');
    if (plan === undefined) return reply.callNotFound();
    return reply.view('plans/history.njk', {
      pageTitle: `History: ${plan.title}`,
      breadcrumbs: [{ text: 'Plans', href: `/plans?la=${plan.laCode}` }, { text: plan.title, href: `/plans/${plan.id}` }],
      plan,
      revisions: await listRevisions(db, plan.laCode, plan.id),
    });
  });

  async function reportHtml(request: FastifyRequest, reply: FastifyReply, plan: Plan, inlineCss?: string): Promise<string> {
    const subject = await planSubject(db, request.viewer, plan);
    return reply.renderView('plans/report.njk', { ...planView(plan, subject, request.viewer), inlineCss, printedAt: new Date() });
  }

  app.get<{ Params: { id: string } }>('/plans/:id/print', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'read');
    if (plan === undefined) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').send(await reportHtml(request, reply, plan));
  });

  app.get<{ Params: { id: string } }>('/plans/:id/report.pdf', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await planFor(request, request.params.id, 'read');
    if (plan === undefined) return reply.callNotFound();
    // Chromium renders a page that fetches nothing: the styles go in the document itself.
    const css = await readFile(sourcePath('web', 'public', 'report.css'), 'utf8');
    const html = await reportHtml(request, reply, plan, css);
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(html, { chromiumPath: config.chromiumPath, title: plan.title });
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      request.log.warn({ err: error }, 'PDF unavailable');
      return reply.code(503).view('error.njk', {
        title: 'The PDF cannot be made on this server',
        message: `${error.message}. Open the print version and use your browser’s Print (it can save as PDF).`,
      });
    }
    const fileName = `turn-the-curve-${plan.laCode}-${plan.indicator}-${plan.id.slice(0, 8)}.pdf`;
    return reply.type('application/pdf').header('Content-Disposition', `attachment; filename="${fileName}"`).send(pdf);
  });
}
