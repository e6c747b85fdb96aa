import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { renderChart } from '../web/charts.js';
import { fileNamePart } from '../web/downloads.js';
import { EncodedHtml } from '../web/encoded-html.js';
import type { SlottedHtml } from '../web/encoded-html.js';
import { Kept } from '../web/kept.js';
import { csrfTokenFor } from '../web/views.js';
import { PdfUnavailableError } from '../web/pdf.js';
import { boardPaperDocx } from './board-paper-docx.js';
import { boardPaperCharts, boardPaperPdf } from './board-paper-print.js';
import type { Body, FieldError } from './forms.js';
import { actionStatusText, list, text } from './forms.js';
import { threadTitles as threadTitlesOf } from './evidence.js';
import type { DescribedLink } from './links.js';
import { linkKey } from './links.js';
import type { MeasureReading } from './measures.js';
import type { ImprovementAction, ImprovementPlan, Priority } from './model.js';
import { priorityProgress } from './progress.js';
import type { Refusal , ImprovementPlanService} from './service.js';
import { isRefusal, mayWriteImprovementPlan } from './service.js';
import { listImprovementRevisions } from './store.js';
import { rankingRule } from './suggest.js';
import { improvementActionStatuses } from './tables.js';
import { isOverdue, timelineFigure } from './timeline.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'plans:write' } as const;
const signedIn = { permission: 'signed-in' } as const;

const threadIds = Array.from({ length: 10 }, (_, index) => `GT${String(index + 1).padStart(2, '0')}`);

function errorList(errors: readonly FieldError[]) {
  return errors.map((error) => ({ text: error.text, href: `#${error.field}` }));
}

function errorFor(errors: readonly FieldError[] | undefined) {
  return (field: string) => {
    const found = errors?.find((error) => error.field === field);
    return found === undefined ? undefined : { text: found.text };
  };
}

function isoParts(iso: string | undefined, name: string): Record<string, string> {
  if (iso === undefined || iso === '') return {};
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year ?? '' };
}

function planPath(plan: { id: string }): string {
  return `/improvement-plans/${plan.id}`;
}

function crumbs(plan?: ImprovementPlan) {
  const base = [{ text: 'Plans', href: '/plans' }];
  return plan === undefined ? base : [...base, { text: plan.title, href: planPath(plan) }];
}

/** Improvement plans: list, start, the plan, suggestions, priorities, measures, actions, timeline, board paper, history, my actions. */
export function registerImprovementPlanRoutes(app: FastifyInstance, service: ImprovementPlanService, config: Config): void {
  const timelinesKept = new Kept<Promise<{ withoutChart: string | undefined; html: EncodedHtml | undefined }>>(32);
  const slippingRowsKept = new Kept<EncodedHtml>(64);
  const prioritiesKept = new Kept<SlottedHtml>(64);
  /** Sends a refusal as a page: 404 as not found, anything else with its message. */
  function refuse(reply: FastifyReply, refusal: Refusal) {
    if (refusal.statusCode === 404) return reply.callNotFound();
    return reply.code(refusal.statusCode).view('error.njk', { title: refusal.statusCode === 403 ? 'You cannot change this plan' : 'This could not be done', message: refusal.message });
  }

  async function readable(request: FastifyRequest<{ Params: { id: string } }>): Promise<ImprovementPlan | Refusal> {
    return service.get(request.viewer, request.params.id);
  }

  // --- Starting a plan -------------------------------------------------------------------------

  async function newPlanForm(request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldError[]; body?: Body } = {}) {
    const organisations = await service.organisationsToPlan(request.viewer);
    const today = service.today();
    const year = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
    const values = extra.body ?? { organisation_id: organisations[0]?.id ?? '', ...isoParts(`${year}-04-01`, 'period_start'), ...isoParts(`${year + 3}-03-31`, 'period_end'), owner_user_id: request.viewer.signedIn ? request.viewer.userId : '' };
    return reply.view('plans/improvement/new.njk', {
      pageTitle: 'Start an improvement plan',
      breadcrumbs: crumbs(),
      organisations,
      values,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorFor: errorFor(extra.errors),
    });
  }

  app.get('/improvement-plans/new', { schema: hidden, config: write }, async (request, reply) => newPlanForm(request, reply));

  app.post<{ Body: Body }>('/improvement-plans', { schema: hidden, config: write }, async (request, reply) => {
    const body = request.body ?? {};
    const body2 = { ...body, owner_user_id: text(body.owner_user_id) === 'me' && request.viewer.signedIn ? request.viewer.userId : body.owner_user_id };
    const created = await service.create(request.viewer, body2);
    if (isRefusal(created)) return created.errors ? newPlanForm(request, reply.code(created.statusCode), { errors: created.errors, body }) : refuse(reply, created);
    return reply.redirect(`${planPath(created)}/suggestions?started=1`, 303);
  });

  // --- The plan --------------------------------------------------------------------------------

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/improvement-plans/:id', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    const today = service.today();
    const { readings, links } = await service.details(request.viewer, plan);
    const all = plan.priorities.flatMap((priority) => priority.actions.map((action) => ({ priority, action })));
    const slipping = all.filter(({ action }) => isOverdue(action, today) || action.status === 'at-risk' || action.status === 'off-track');
    const mayWrite = mayWriteImprovementPlan(request.viewer, plan);
    const state = `${shownStateOf(plan, today)}\u0000${String(mayWrite)}`;
    // Most of the page is made once for each state of the plan, not for every reader: the slipping
    // rows, and the priorities for each state of the figures and links the reader is shown too.
    const slippingRows = slippingRowsKept.get(state, () =>
      new EncodedHtml(reply.renderView('plans/improvement/_slipping-rows.njk', { slipping: slipping.map(({ priority, action }) => ({ priority, action, overdue: isOverdue(action, today) })), actionStatusText })),
    );
    const prioritiesHtml = prioritiesKept
      .get(`${state}\u0000${digestOf(readings, links)}`, () => {
        const priorities = plan.priorities.map((priority) => ({
          priority,
          progress: priorityProgress(priority, readings, links, today),
          evidence: priority.links.filter((link) => link.kind !== 'curve-plan').map((link) => links.get(linkKey(link))).filter((link): link is DescribedLink => link !== undefined),
          curvePlans: priority.links.filter((link) => link.kind === 'curve-plan').map((link) => links.get(linkKey(link))).filter((link): link is DescribedLink => link !== undefined),
          measures: readings.filter((reading) => reading.measure.priorityId === priority.id),
          actions: priority.actions,
        }));
        const actionRows = Object.fromEntries(
          priorities.map((entry) => [entry.priority.id, reply.renderView('plans/improvement/_action-rows.njk', { plan, actions: entry.actions.map((action) => ({ action, overdue: isOverdue(action, today) })), mayWrite, actionStatusText })]),
        );
        return EncodedHtml.slotted(reply.renderView('plans/improvement/_priorities.njk', { plan, priorities, actionRows, mayWrite, csrfToken: csrfSlot }), csrfSlot);
      })
      .filled(mayWrite ? (csrfTokenFor(reply) ?? '') : '');
    return reply.view('plans/improvement/show.njk', {
      pageTitle: plan.title,
      breadcrumbs: crumbs(),
      plan,
      slipping,
      slippingRows,
      prioritiesHtml,
      counts: {
        actions: all.length,
        done: all.filter(({ action }) => action.status === 'done').length,
        overdue: all.filter(({ action }) => isOverdue(action, today)).length,
        measures: readings.length,
        toward: readings.filter((reading) => reading.direction === 'toward').length,
      },
      mayWrite,
      notice: request.query.saved ? 'Your changes are saved.' : undefined,
    });
  });

  async function detailsForm(request: FastifyRequest, reply: FastifyReply, plan: ImprovementPlan, extra: { errors?: FieldError[]; body?: Body; conflict?: ImprovementPlan } = {}) {
    const choices = await service.ownerChoices(plan);
    const values = extra.body ?? { title: plan.title, vision: plan.vision, owner_user_id: plan.ownerUserId ?? '', ...isoParts(plan.periodStart, 'period_start'), ...isoParts(plan.periodEnd, 'period_end') };
    return reply.view('plans/improvement/edit.njk', {
      pageTitle: `Edit: ${plan.title}`,
      breadcrumbs: crumbs(plan),
      plan: extra.conflict ?? plan,
      members: choices.members,
      values,
      conflict: extra.conflict,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorFor: errorFor(extra.errors),
    });
  }

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/edit', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    return detailsForm(request, reply, plan);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/improvement-plans/:id', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const body = request.body ?? {};
    const saved = await service.saveDetails(request.viewer, plan.id, body);
    if (isRefusal(saved)) {
      if (saved.current !== undefined) return detailsForm(request, reply.code(409), plan, { body, conflict: saved.current });
      return saved.errors ? detailsForm(request, reply.code(saved.statusCode), plan, { errors: saved.errors, body }) : refuse(reply, saved);
    }
    return reply.redirect(`${planPath(plan)}?saved=1`, 303);
  });

  // --- Suggestions and priorities --------------------------------------------------------------

  app.get<{ Params: { id: string }; Querystring: { started?: string } }>('/improvement-plans/:id/suggestions', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    const suggestions = await service.suggestions(request.viewer, plan);
    return reply.view('plans/improvement/suggestions.njk', {
      pageTitle: `Suggested priorities: ${plan.title}`,
      breadcrumbs: crumbs(plan),
      plan,
      suggestions,
      rankingRule,
      mayWrite: mayWriteImprovementPlan(request.viewer, plan),
      priorityTitles: new Map(plan.priorities.map((priority) => [priority.id, priority.title])),
      notice: request.query.started ? 'Plan started. Choose its priorities from the evidence below, or write your own.' : undefined,
    });
  });

  async function priorityForm(request: FastifyRequest, reply: FastifyReply, plan: ImprovementPlan, priority: Priority | undefined, extra: { errors?: FieldError[]; body?: Body; conflict?: boolean } = {}) {
    const choices = await service.choices(request.viewer, plan);
    const { links } = await service.details(request.viewer, plan);
    const chosen = (kind: string) => (extra.body ? list(extra.body[kind]) : (priority?.links ?? []).filter((link) => link.kind === kindOf[kind]).map((link) => link.target));
    const kindOf: Record<string, string> = { threads: 'thread', statements: 'statement', gaps: 'gap', curve_plans: 'curve-plan', practice_items: 'practice' };
    // Links already made stay on offer even when they are no longer among the top choices.
    const withExisting = (options: { target: string; label: string }[], kind: string) => {
      const existing = chosen(kind).filter((target) => !options.some((option) => option.target === target));
      return [...existing.map((target) => ({ target, label: links.get(`${kindOf[kind]}\u0000${target}`)?.text ?? target })), ...options];
    };
    const threadTitles = threadTitlesOf(service.catalogue);
    return reply.view('plans/improvement/priority.njk', {
      pageTitle: priority === undefined ? 'Write a priority' : `Edit priority: ${priority.title}`,
      breadcrumbs: crumbs(plan),
      plan,
      priority,
      values: extra.body ?? { title: priority?.title ?? '', rationale: priority?.rationale ?? '' },
      options: {
        threads: threadIds.map((id) => ({ value: id, text: `Golden thread ${Number(id.slice(2))}: ${threadTitles.get(id) ?? id}`, checked: chosen('threads').includes(id) })),
        statements: chosen('statements').map((id) => ({ value: id, text: links.get(`statement\u0000${id}`)?.text ?? id, checked: true })),
        gaps: withExisting(choices.gaps, 'gaps').map((option) => ({ value: option.target, text: option.label, checked: chosen('gaps').includes(option.target) })),
        curvePlans: withExisting(choices.curvePlans, 'curve_plans').map((option) => ({ value: option.target, text: option.label, checked: chosen('curve_plans').includes(option.target) })),
        practice: withExisting(choices.practice, 'practice_items').map((option) => ({ value: option.target, text: option.label, checked: chosen('practice_items').includes(option.target) })),
      },
      conflict: extra.conflict,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorFor: errorFor(extra.errors),
    });
  }

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/priorities/new', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    return priorityForm(request, reply, plan, undefined);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/improvement-plans/:id/priorities', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const body = request.body ?? {};
    const added = await service.addPriority(request.viewer, plan.id, body);
    if (isRefusal(added)) {
      if (text(body.suggestion) !== '') return refuse(reply, { ...added, message: added.errors?.[0]?.text ?? added.message });
      return added.errors ? priorityForm(request, reply.code(added.statusCode), plan, undefined, { errors: added.errors, body }) : refuse(reply, added);
    }
    return reply.redirect(`${planPath(plan)}?saved=1#priority-${added.priorityId}`, 303);
  });

  function priorityOf(plan: ImprovementPlan, id: string): Priority | undefined {
    return plan.priorities.find((priority) => priority.id === id);
  }

  app.get<{ Params: { id: string; priorityId: string } }>('/improvement-plans/:id/priorities/:priorityId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    return priorityForm(request, reply, plan, priority);
  });

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>('/improvement-plans/:id/priorities/:priorityId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const saved = await service.savePriority(request.viewer, plan.id, priority.id, body);
    if (isRefusal(saved)) {
      if (saved.current !== undefined) return priorityForm(request, reply.code(409), saved.current, priorityOf(saved.current, priority.id) ?? priority, { body, conflict: true });
      return saved.errors ? priorityForm(request, reply.code(saved.statusCode), plan, priority, { errors: saved.errors, body }) : refuse(reply, saved);
    }
    return reply.redirect(`${planPath(plan)}?saved=1#priority-${priority.id}`, 303);
  });

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>('/improvement-plans/:id/priorities/:priorityId/remove', { schema: hidden, config: write }, async (request, reply) => {
    const removed = await service.removePriority(request.viewer, request.params.id, request.params.priorityId, request.body ?? {});
    if (isRefusal(removed)) return refuse(reply, removed);
    return reply.redirect(`${planPath(removed)}?saved=1`, 303);
  });

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>('/improvement-plans/:id/priorities/:priorityId/move', { schema: hidden, config: write }, async (request, reply) => {
    const moved = await service.movePriority(request.viewer, request.params.id, request.params.priorityId, text(request.body?.direction));
    if (isRefusal(moved)) return refuse(reply, moved);
    return reply.redirect(`${planPath(moved)}#priority-${request.params.priorityId}`, 303);
  });

  // --- Measures --------------------------------------------------------------------------------

  async function measureForm(request: FastifyRequest, reply: FastifyReply, plan: ImprovementPlan, priority: Priority, extra: { errors?: FieldError[]; body?: Body } = {}) {
    const choices = await service.choices(request.viewer, plan);
    const linked = priority.links.filter((link) => link.kind === 'gap').map((link) => link.target);
    const gapOptions = [...choices.gaps.filter((option) => linked.includes(option.target)), ...choices.gaps.filter((option) => !linked.includes(option.target))];
    const values = extra.body ?? { gap: linked[0] ?? gapOptions[0]?.target ?? '', figure: 'gap' };
    return reply.view('plans/improvement/measure.njk', {
      pageTitle: 'Add a success measure',
      breadcrumbs: crumbs(plan),
      plan,
      priority,
      gapOptions: gapOptions.map((option) => ({ value: option.target, text: option.label, selected: option.target === text(values.gap) })),
      values,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorFor: errorFor(extra.errors),
    });
  }

  app.get<{ Params: { id: string; priorityId: string } }>('/improvement-plans/:id/priorities/:priorityId/measures/new', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    return measureForm(request, reply, plan, priority);
  });

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>('/improvement-plans/:id/priorities/:priorityId/measures', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const added = await service.addMeasure(request.viewer, plan.id, priority.id, body);
    if (isRefusal(added)) return added.errors ? measureForm(request, reply.code(added.statusCode), plan, priority, { errors: added.errors, body }) : refuse(reply, added);
    return reply.redirect(`${planPath(plan)}?saved=1#priority-${priority.id}`, 303);
  });

  app.post<{ Params: { id: string; measureId: string } }>('/improvement-plans/:id/measures/:measureId/remove', { schema: hidden, config: write }, async (request, reply) => {
    const removed = await service.removeMeasure(request.viewer, request.params.id, request.params.measureId);
    if (isRefusal(removed)) return refuse(reply, removed);
    return reply.redirect(`${planPath(removed)}?saved=1`, 303);
  });

  // --- Actions ---------------------------------------------------------------------------------

  async function actionForm(request: FastifyRequest, reply: FastifyReply, plan: ImprovementPlan, priority: Priority, action: ImprovementAction | undefined, extra: { errors?: FieldError[]; body?: Body; conflict?: boolean } = {}) {
    const choices = await service.ownerChoices(plan);
    const ownerValue = action === undefined ? '' : action.owner.kind === 'member' ? `user:${action.owner.userId}` : `organisation:${action.owner.organisationId}`;
    const values = extra.body ?? (action === undefined ? { status: 'not-started', owner: '' } : { title: action.title, owner: ownerValue, status: action.status, ...isoParts(action.startDate, 'start_date'), ...isoParts(action.dueDate, 'due_date') });
    return reply.view('plans/improvement/action.njk', {
      pageTitle: action === undefined ? 'Add an action' : `Update: ${action.title}`,
      breadcrumbs: crumbs(plan),
      plan,
      priority,
      action,
      values,
      owners: [
        { value: '', text: 'Choose an owner' },
        ...choices.members.map((member) => ({ value: `user:${member.userId}`, text: member.label, selected: `user:${member.userId}` === text(values.owner) })),
        ...choices.partners.map((partner) => ({ value: `organisation:${partner.organisationId}`, text: `${partner.label} (partner)`, selected: `organisation:${partner.organisationId}` === text(values.owner) })),
      ],
      statuses: improvementActionStatuses.map((status) => ({ value: status, text: actionStatusText[status], checked: status === text(values.status) })),
      actionStatusText,
      overdue: action !== undefined && isOverdue(action, service.today()),
      conflict: extra.conflict,
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorFor: errorFor(extra.errors),
    });
  }

  app.get<{ Params: { id: string; priorityId: string } }>('/improvement-plans/:id/priorities/:priorityId/actions/new', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    return actionForm(request, reply, plan, priority, undefined);
  });

  app.post<{ Params: { id: string; priorityId: string }; Body: Body }>('/improvement-plans/:id/priorities/:priorityId/actions', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const priority = priorityOf(plan, request.params.priorityId);
    if (priority === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const added = await service.addAction(request.viewer, plan.id, priority.id, body);
    if (isRefusal(added)) return added.errors ? actionForm(request, reply.code(added.statusCode), plan, priority, undefined, { errors: added.errors, body }) : refuse(reply, added);
    return reply.redirect(`${planPath(plan)}?saved=1#action-${added.actionId}`, 303);
  });

  function actionOf(plan: ImprovementPlan, actionId: string): { priority: Priority; action: ImprovementAction } | undefined {
    for (const priority of plan.priorities) {
      const action = priority.actions.find((entry) => entry.id === actionId);
      if (action !== undefined) return { priority, action };
    }
    return undefined;
  }

  app.get<{ Params: { id: string; actionId: string } }>('/improvement-plans/:id/actions/:actionId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const found = actionOf(plan, request.params.actionId);
    if (found === undefined) return reply.callNotFound();
    return actionForm(request, reply, plan, found.priority, found.action);
  });

  app.post<{ Params: { id: string; actionId: string }; Body: Body }>('/improvement-plans/:id/actions/:actionId', { schema: hidden, config: write }, async (request, reply) => {
    const plan = await service.writable(request.viewer, request.params.id);
    if (isRefusal(plan)) return refuse(reply, plan);
    const found = actionOf(plan, request.params.actionId);
    if (found === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const saved = await service.updateAction(request.viewer, plan.id, found.action.id, body);
    if (isRefusal(saved)) {
      const now = saved.current === undefined ? undefined : actionOf(saved.current, found.action.id);
      if (saved.current !== undefined && now !== undefined) return actionForm(request, reply.code(409), saved.current, now.priority, now.action, { body, conflict: true });
      return saved.errors ? actionForm(request, reply.code(saved.statusCode), plan, found.priority, found.action, { errors: saved.errors, body }) : refuse(reply, saved);
    }
    return reply.redirect(`${planPath(plan)}?saved=1#action-${found.action.id}`, 303);
  });

  // --- Following it through --------------------------------------------------------------------

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/timeline', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    const today = service.today();
    const drawn = await timelinesKept.get(shownStateOf(plan, today), async () => {
      const figure = timelineFigure(plan, today);
      if (figure.withoutChart !== undefined) return { withoutChart: figure.withoutChart, html: undefined };
      const svg = await renderChart(figure.spec, figure.description);
      return { withoutChart: undefined, html: new EncodedHtml(reply.renderView('plans/improvement/_timeline-figure.njk', { figure, svg })) };
    });
    return reply.view('plans/improvement/timeline.njk', { pageTitle: `Timeline: ${plan.title}`, breadcrumbs: crumbs(plan), plan, drawn });
  });

  app.get('/my-actions', { schema: hidden, config: signedIn }, async (request, reply) => {
    const today = service.today();
    const actions = await service.myActions(request.viewer);
    return reply.view('plans/improvement/my-actions.njk', {
      pageTitle: 'My actions',
      actions: actions.map((action) => ({ action, overdue: isOverdue(action, today), href: mayWriteImprovementPlan(request.viewer, action) ? `/improvement-plans/${action.planId}/actions/${action.id}` : null })),
      actionStatusText,
      open: actions.filter((action) => action.status !== 'done').length,
      overdue: actions.filter((action) => isOverdue(action, today)).length,
    });
  });

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/history', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    return reply.view('plans/improvement/history.njk', { pageTitle: `History: ${plan.title}`, breadcrumbs: crumbs(plan), plan, revisions: await listImprovementRevisions(service.db, plan.laCode, plan.id) });
  });

  // --- The board paper -------------------------------------------------------------------------

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/board-paper', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    const paper = await service.boardPaper(request.viewer, plan);
    return reply.view('plans/improvement/board-paper.njk', { pageTitle: paper.title, breadcrumbs: crumbs(plan), plan, paper, charts: await boardPaperCharts(paper), headingLevel: 2 });
  });

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/board-paper.docx', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    const document = await boardPaperDocx(await service.boardPaper(request.viewer, plan));
    return reply
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('content-disposition', attachmentNamed(plan, service.today(), 'docx'))
      .send(document);
  });

  app.get<{ Params: { id: string } }>('/improvement-plans/:id/board-paper.pdf', { schema: hidden, config: read }, async (request, reply) => {
    const plan = await readable(request);
    if (isRefusal(plan)) return refuse(reply, plan);
    try {
      const pdf = await boardPaperPdf(await service.boardPaper(request.viewer, plan), { chromiumPath: config.chromiumPath });
      return reply.type('application/pdf').header('content-disposition', attachmentNamed(plan, service.today(), 'pdf')).send(pdf);
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      return reply.code(503).view('error.njk', { title: 'The PDF cannot be made here', message: `${error.message} The board paper page prints well from the browser, and the Word version works.` });
    }
  });
}

/** Stands in the kept priorities for the reader's CSRF token (no stored text holds a NUL). */
const csrfSlot = '\u0000csrf-token\u0000';

/** A digest of the figures and links a reader is shown: the same digest, the same priorities section. */
function digestOf(readings: readonly MeasureReading[], links: ReadonlyMap<string, DescribedLink>): string {
  return createHash('sha256').update(JSON.stringify(readings)).update(JSON.stringify([...links])).digest('base64url');
}

/**
 * What a plan's action rows and timeline show: its content (every change raises the revision),
 * the day (which actions are overdue) and the names of its organisation and owners (which change
 * without a revision). Made again only when one of these changes: drawing 200 bars takes Vega a
 * good part of a second, and writing 200 rows most of a page's time.
 */
function shownStateOf(plan: ImprovementPlan, today: string): string {
  return [plan.id, plan.revision, today, plan.organisationName, plan.ownerLabel ?? '', ...plan.priorities.flatMap((priority) => priority.actions.map((action) => action.owner.label))].join('\u0000');
}

/** The download's name: plain letters, digits and hyphens, so every browser and file system keeps it. */
function attachmentNamed(plan: ImprovementPlan, today: string, extension: 'docx' | 'pdf'): string {
  return `attachment; filename="board-paper-${fileNamePart(plan.organisationName.toLowerCase()).slice(0, 60)}-${today}.${extension}"`;
}
