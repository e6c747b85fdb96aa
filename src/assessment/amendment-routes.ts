/**
 * The reality check's pages and API: propose a change to the framework, see what happened to your
 * authority's proposals, and (the national team) review every proposal grouped by statement and
 * decide it. `GET /framework/changes` lists what each published revision changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';
import { historyOf, listRevisions, statementsAt } from '../framework/revisions.js';
import type { AppContext } from '../web/capability.js';
import { apiErrorSchema } from '../web/errors.js';
import { writableMemberships } from './access.js';
import type { Amendment, AmendmentFilter, Proposer } from './amendments.js';
import {
  DecisionRefusedError,
  changeKinds,
  changeLabels,
  decideAmendment,
  fieldText,
  groupAmendments,
  isAmendmentStatus,
  isChangeKind,
  knownStatements,
  listAmendments,
  parseDecision,
  parseProposal,
  placeKey,
  placeOfStatement,
  placeOptions,
  readAmendment,
  statusLabels,
  storeProposal,
} from './amendments.js';
import type { FieldError } from './rating-input.js';
import type { AssessmentService } from './service.js';
import { amendmentStatuses } from './tables.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'assessments:write' } as const;
const review = { permission: 'framework:review' } as const;
const publicRoute = { permission: 'public' } as const;

type FormBody = Record<string, unknown>;

export function isReviewer(viewer: Viewer): boolean {
  return viewerMay(viewer, 'framework:review');
}

/** The authorities whose proposals a viewer who is not a reviewer sees: those they belong to. */
export function ownAuthorities(viewer: Viewer): string[] {
  if (!viewer.signedIn) return [];
  return [...new Set(viewer.memberships.filter((membership) => scopeOf(membership.role, 'assessments:read') !== undefined && membership.laCode !== null).map((membership) => membership.laCode!))];
}

export function proposerOf(viewer: Viewer): Proposer {
  if (!viewer.signedIn) return { userId: null, label: '', organisations: [] };
  const organisations = new Map(writableMemberships(viewer).map((membership) => [membership.organisationId, { organisationId: membership.organisationId, organisationName: membership.organisationName, laCode: membership.laCode! }]));
  return { userId: viewer.userId, label: viewer.displayName || viewer.email, organisations: [...organisations.values()] };
}

function errorList(errors: readonly FieldError[]) {
  return errors.map((error) => ({ text: error.text, href: `#${error.field}` }));
}

function errorFor(errors: readonly FieldError[] | undefined, field: string): { text: string } | undefined {
  const found = errors?.find((error) => error.field === field);
  return found === undefined ? undefined : { text: found.text };
}

/** The filters of the list and the API, from the address; unknown values are left out, not refused. */
function filterOf(query: Record<string, unknown>): Omit<AmendmentFilter, 'laCodes'> {
  const status = fieldText(query.status);
  const change = fieldText(query.change);
  const template = fieldText(query.template);
  const statement = fieldText(query.statement);
  return {
    ...(isAmendmentStatus(status) ? { status } : {}),
    ...(isChangeKind(change) ? { change } : {}),
    ...(template === 'threads' ? { template: 'threads' as const } : /^[1-5]$/.test(template) ? { template: Number(template) } : {}),
    ...(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/.test(statement) ? { statementId: statement } : {}),
  };
}

export function registerAmendmentRoutes(app: FastifyInstance, service: AssessmentService, _context: AppContext): void {
  const { db, catalogue } = service;

  async function audit(request: FastifyRequest, action: string, amendment: { id: string; laCode: string; organisationId: string } | undefined, details: Record<string, unknown>, outcome: 'success' | 'failure' = 'success') {
    const viewer = request.viewer;
    await appendAudit(db, {
      action,
      outcome,
      actorUserId: viewer.signedIn ? viewer.userId : null,
      actorEmail: viewer.signedIn ? viewer.email : null,
      organisationId: amendment?.organisationId ?? null,
      laCode: amendment?.laCode ?? null,
      target: amendment === undefined ? 'framework-amendment' : `framework-amendment:${amendment.id}`,
      ip: request.ip,
      details,
    });
  }

  /** A proposal the viewer may see: any for a reviewer, else their own authority's. */
  async function visibleAmendment(viewer: Viewer, id: string): Promise<Amendment | undefined> {
    const amendment = await readAmendment(db, catalogue, id);
    if (amendment === undefined) return undefined;
    return isReviewer(viewer) || ownAuthorities(viewer).includes(amendment.laCode) ? amendment : undefined;
  }

  const labels = { changeLabels, statusLabels };

  app.get<{ Querystring: Record<string, string> }>('/framework/amendments', { schema: hidden, config: read }, async (request, reply) => {
    const viewer = request.viewer;
    const reviewer = isReviewer(viewer);
    const filter = filterOf(request.query);
    const amendments = await listAmendments(db, catalogue, reviewer ? filter : { ...filter, laCodes: ownAuthorities(viewer) });
    return reply.view('reality-check/list.njk', {
      pageTitle: reviewer ? 'Proposed changes to the framework' : 'Your proposed changes to the framework',
      breadcrumbs: [{ text: 'Framework', href: '/framework' }],
      reviewer,
      mayPropose: viewerMay(viewer, 'assessments:write') && proposerOf(viewer).organisations.length > 0,
      amendments,
      groups: reviewer ? groupAmendments(amendments) : [],
      filter: { status: filter.status ?? '', change: filter.change ?? '', template: filter.template === undefined ? '' : String(filter.template) },
      statuses: amendmentStatuses,
      changeKinds,
      ...labels,
    });
  });

  async function proposalForm(request: FastifyRequest, reply: FastifyReply, values: FormBody, errors?: FieldError[]) {
    const proposer = proposerOf(request.viewer);
    const change = fieldText(values.change);
    const statementId = fieldText(values.statement).toUpperCase();
    const { byId } = await knownStatements(db, catalogue);
    const statement = byId.get(statementId);
    const options = placeOptions(catalogue);
    const chosenPlace = fieldText(values.place) || (statement === undefined ? '' : placeKey(placeOfStatement(statement)));
    const groups = [...new Set(options.map((option) => option.group))].map((group) => ({ group, options: options.filter((option) => option.group === group) }));
    return reply.view('reality-check/new.njk', {
      pageTitle: `${isChangeKind(change) ? changeLabels[change] : 'Propose a change to the framework'}`,
      breadcrumbs: [{ text: 'Framework', href: '/framework' }, { text: 'Proposed changes', href: '/framework/amendments' }],
      change: isChangeKind(change) ? change : '',
      statementId,
      statement: statement !== undefined && !statement.retired ? statement : undefined,
      statementRetired: statement?.retired ?? false,
      chosenPlace,
      placeGroups: groups,
      organisations: proposer.organisations,
      values: {
        organisation_id: fieldText(values.organisation_id),
        proposed_text: values.proposed_text === undefined ? (change === 'amend' ? (statement?.text ?? '') : '') : fieldText(values.proposed_text),
        reason: fieldText(values.reason),
        local_evidence: fieldText(values.local_evidence),
      },
      errors: errors ? errorList(errors) : undefined,
      errorSummaryShown: errors !== undefined,
      errorFor: (field: string) => errorFor(errors, field),
      changeKinds,
      ...labels,
    });
  }

  app.get<{ Querystring: Record<string, string> }>('/framework/amendments/new', { schema: hidden, config: write }, async (request, reply) => {
    return proposalForm(request, reply, { change: request.query.change, statement: request.query.statement, place: request.query.place });
  });

  app.post<{ Body: FormBody }>('/framework/amendments/new', { schema: hidden, config: write }, async (request, reply) => {
    const body = request.body ?? {};
    const proposer = proposerOf(request.viewer);
    const parsed = await parseProposal(db, catalogue, body, proposer);
    if (!parsed.ok) {
      await audit(request, 'framework-amendment-proposed', undefined, { refused: parsed.errors.map((error) => error.field), change: fieldText(body.change), statement: fieldText(body.statement).slice(0, 80) }, 'failure');
      return proposalForm(request, reply.code(422), body, parsed.errors);
    }
    const id = await storeProposal(db, parsed.value, proposer);
    await audit(request, 'framework-amendment-proposed', { id, laCode: parsed.value.organisation.laCode, organisationId: parsed.value.organisation.organisationId }, { change: parsed.value.change, statement: parsed.value.statementId, place: parsed.value.place === null ? null : placeKey(parsed.value.place) });
    return reply.redirect(`/framework/amendments/${id}?proposed=1`, 303);
  });

  async function showAmendment(request: FastifyRequest, reply: FastifyReply, amendment: Amendment, extra: { errors?: FieldError[]; values?: FormBody; notice?: string } = {}) {
    const reviewer = isReviewer(request.viewer);
    const statementId = amendment.change === 'add' ? amendment.addedStatementId : amendment.statementId;
    const related = reviewer
      ? (await listAmendments(db, catalogue, amendment.change === 'add' ? { change: 'add' } : { statementId: amendment.statementId ?? '' })).filter(
          (other) => other.id !== amendment.id && (amendment.change !== 'add' || (other.place !== null && amendment.place !== null && placeKey(other.place) === placeKey(amendment.place))),
        )
      : [];
    const merged = related.filter((other) => other.mergedInto === amendment.id);
    const target = amendment.mergedInto === null ? undefined : await readAmendment(db, catalogue, amendment.mergedInto);
    return reply.view('reality-check/show.njk', {
      pageTitle: `${changeLabels[amendment.change]}: proposal from ${amendment.organisationName}`,
      breadcrumbs: [{ text: 'Framework', href: '/framework' }, { text: 'Proposed changes', href: '/framework/amendments' }],
      amendment,
      reviewer,
      mayDecide: reviewer && amendment.status === 'proposed',
      merged,
      target,
      mergeCandidates: related.filter((other) => other.status === 'proposed' && other.change === amendment.change),
      statementHistory: statementId === null ? [] : await historyOf(db, statementId),
      values: { outcome: fieldText(extra.values?.outcome), reply: fieldText(extra.values?.reply), final_text: extra.values?.final_text === undefined ? amendment.proposedText : fieldText(extra.values.final_text), merge_into: fieldText(extra.values?.merge_into) },
      errors: extra.errors ? errorList(extra.errors) : undefined,
      errorSummaryShown: extra.errors !== undefined,
      errorFor: (field: string) => errorFor(extra.errors, field),
      notice: extra.notice,
      ...labels,
    });
  }

  app.get<{ Params: { id: string }; Querystring: { proposed?: string; decided?: string } }>('/framework/amendments/:id', { schema: hidden, config: read }, async (request, reply) => {
    const amendment = await visibleAmendment(request.viewer, request.params.id);
    if (amendment === undefined) return reply.callNotFound();
    const notice = request.query.proposed ? 'Your proposal is sent to the national team. You will see their decision here and on your list.' : request.query.decided ? 'The decision is recorded.' : undefined;
    return showAmendment(request, reply, amendment, { notice });
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/framework/amendments/:id/decision', { schema: hidden, config: review }, async (request, reply) => {
    const amendment = await readAmendment(db, catalogue, request.params.id);
    if (amendment === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const parsed = parseDecision(body, amendment);
    if (!parsed.ok) {
      await audit(request, 'framework-amendment-decided', amendment, { refused: parsed.errors.map((error) => error.field), outcome: fieldText(body.outcome) }, 'failure');
      return showAmendment(request, reply.code(422), amendment, { errors: parsed.errors, values: body });
    }
    const viewer = request.viewer;
    try {
      const result = await decideAmendment(db, catalogue, amendment.id, parsed.value, { label: viewer.signedIn ? viewer.displayName || viewer.email : 'national team' });
      await audit(request, 'framework-amendment-decided', amendment, { outcome: parsed.value.outcome, status: result.status, revision: result.revision, added_statement: result.addedStatementId, followers: result.followers, ...(parsed.value.outcome === 'merge' ? { merged_into: parsed.value.mergeInto } : {}) });
    } catch (error) {
      if (!(error instanceof DecisionRefusedError)) throw error;
      await audit(request, 'framework-amendment-decided', amendment, { refused: error.message, outcome: parsed.value.outcome }, 'failure');
      const fresh = (await readAmendment(db, catalogue, amendment.id)) ?? amendment;
      return showAmendment(request, reply.code(error.statusCode), fresh, { errors: error.errors, values: body });
    }
    return reply.redirect(`/framework/amendments/${amendment.id}?decided=1`, 303);
  });

  app.get('/framework/changes', { schema: hidden, config: publicRoute }, async (_request, reply) => {
    const revisions = await listRevisions(db);
    const { revision } = await statementsAt(db, catalogue);
    return reply.view('reality-check/changes.njk', {
      pageTitle: 'What has changed in the framework',
      breadcrumbs: [{ text: 'Framework', href: '/framework' }],
      revisions,
      latest: revision,
      changeWords: { amend: 'Reworded', add: 'Added', retire: 'Retired' },
    });
  });

  registerAmendmentApi(app, service);
}

const amendmentJsonSchema = {
  type: 'object',
  required: ['id', 'la', 'organisation', 'change', 'statement_id', 'place', 'proposed_text', 'reason', 'local_evidence', 'status', 'outcome', 'proposed_at', 'href'],
  properties: {
    id: { type: 'string' },
    la: { type: 'string', description: 'GSS code of the proposing authority' },
    organisation: { type: 'string', description: 'The proposing organisation’s name' },
    change: { type: 'string', enum: [...changeKinds], description: 'amend: new wording; add: a new statement; retire: take a statement out' },
    statement_id: { type: ['string', 'null'], description: 'The statement to reword or retire; null for a new statement' },
    place: { type: ['string', 'null'], description: 'Where the statement is or goes: thread:GT04, conditions:1, cell:1:frontline:universal or principle:T3-P2' },
    current_text: { type: ['string', 'null'], description: 'The statement’s wording at the latest revision (its last wording when retired)' },
    proposed_text: { type: 'string' },
    reason: { type: 'string' },
    local_evidence: { type: 'string' },
    proposed_by: { type: 'string' },
    proposed_at: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: [...amendmentStatuses] },
    merged_into: { type: ['string', 'null'], description: 'The proposal this one was merged into; its outcome is this one’s' },
    outcome: {
      type: 'object',
      required: ['status', 'reply', 'revision'],
      properties: {
        status: { type: 'string', enum: [...amendmentStatuses], description: 'What happened in the end (a merged proposal follows the one it was merged into)' },
        reply: { type: 'string', description: 'The national team’s reply' },
        revision: { type: ['integer', 'null'], description: 'The catalogue revision that made the change, once accepted' },
        decided_at: { type: ['string', 'null'], format: 'date-time' },
        accepted_text: { type: ['string', 'null'], description: 'The wording the catalogue took (the reviewer may have edited it)' },
        added_statement_id: { type: ['string', 'null'], description: 'The id a new statement was given, e.g. GT04-X01' },
      },
    },
    href: { type: 'string', description: 'The proposal’s page' },
  },
} as const;

function amendmentJson(amendment: Amendment) {
  return {
    id: amendment.id,
    la: amendment.laCode,
    organisation: amendment.organisationName,
    change: amendment.change,
    statement_id: amendment.statementId,
    place: amendment.place === null ? null : placeKey(amendment.place),
    current_text: amendment.currentText,
    proposed_text: amendment.proposedText,
    reason: amendment.reason,
    local_evidence: amendment.localEvidence,
    proposed_by: amendment.proposedBy,
    proposed_at: amendment.proposedAt.toISOString(),
    status: amendment.status,
    merged_into: amendment.mergedInto,
    outcome: {
      status: amendment.outcome.status,
      reply: amendment.outcome.reply,
      revision: amendment.outcome.revision,
      decided_at: amendment.outcome.decidedAt?.toISOString() ?? null,
      accepted_text: amendment.acceptedText,
      added_statement_id: amendment.addedStatementId,
    },
    href: `/framework/amendments/${amendment.id}`,
  };
}

function registerAmendmentApi(app: FastifyInstance, service: AssessmentService): void {
  app.get<{ Querystring: { status?: string; statement?: string; change?: string; template?: string } }>(
    '/api/v1/framework/amendments',
    {
      config: read,
      schema: {
        summary: 'Proposed changes to the framework (the reality check)',
        description:
          'The national team (framework reviewers) see every proposal; anyone else sees their own authority’s, each with its outcome and the national team’s reply. Newest first.',
        tags: ['Framework'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...amendmentStatuses], description: 'Only proposals with this status' },
            statement: { type: 'string', pattern: '^[A-Z0-9]+(?:-[A-Z0-9]+)*$', description: 'Only proposals about this statement (or that added it), e.g. GT04-M2' },
            change: { type: 'string', enum: [...changeKinds], description: 'Only this kind of change' },
            template: { type: 'string', pattern: '^([1-5]|threads)$', description: 'Only proposals about this template (1 to 5) or the golden threads (threads)' },
          },
        },
        response: {
          200: {
            description: 'The proposals',
            type: 'object',
            required: ['total', 'revision', 'amendments'],
            properties: {
              total: { type: 'integer' },
              revision: { type: 'integer', description: 'The catalogue’s latest revision (0: the seed pack)' },
              amendments: { type: 'array', items: amendmentJsonSchema },
            },
          },
          400: { ...apiErrorSchema, description: 'A filter is not valid' },
        },
      },
    },
    async (request) => {
      const viewer = request.viewer;
      const filter = filterOf(request.query);
      const amendments = await listAmendments(service.db, service.catalogue, isReviewer(viewer) ? filter : { ...filter, laCodes: ownAuthorities(viewer) });
      const { revision } = await statementsAt(service.db, service.catalogue);
      return { total: amendments.length, revision, amendments: amendments.map(amendmentJson) };
    },
  );
}
