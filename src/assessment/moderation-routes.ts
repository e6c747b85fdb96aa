/**
 * Pages for sign-off, moderation and peers: submitting and signing off an assessment, inviting a
 * moderator and comparing ratings (the organisation's side), a moderator's invitations and blind
 * ratings (the moderator's side), and the peer distributions with their downloads.
 *
 * Blindness: the moderator's pages read only the statements' wording (`moderationStatements`) and
 * their own ratings (`moderatorRatings`) until they submit; the comparison (`moderationComparison`)
 * refuses to run before then.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/gate.js';
import { localAuthorityByGss, regionOf } from '../areas/areas.js';
import type { AppContext } from '../web/capability.js';
import type { DownloadColumn } from '../web/downloads.js';
import { fileNamePart, sendTable } from '../web/downloads.js';
import { maySignOffAssessment, mayWriteAssessment } from './access.js';
import { registerModerationApi } from './moderation-api.js';
import { blindStatuses } from './tables.js';
import type { ComparisonRow, FieldProblem, Moderation, ModerationStatement } from './moderation.js';
import {
  AgreementConflictError,
  ModerationStepError,
  acceptInvitation,
  declineInvitation,
  invitationsOf,
  inviteModerator,
  isModeratorOf,
  moderationComparison,
  moderationStatements,
  moderationStatusText,
  moderationsOf,
  moderatorRatings,
  parseModerationRating,
  readModeration,
  recordAgreement,
  sampledStatements,
  saveModeratorRating,
  submitModeration,
  withdrawModeration,
} from './moderation.js';
import type { Distribution, PeerRow } from './peers.js';
import { noPeers, peerDistributions, peerThreshold, positionOf } from './peers.js';
import { levelDescriptions, levelLabel } from './scale.js';
import { scopeDescription } from './scope.js';
import type { AssessmentService } from './service.js';
import { authorOf, isRefusal } from './service.js';
import { isStepRefusal, lastReturn, returnAssessment, signOffAssessment, signOffRights, signOffRule, submitAssessment, submitRule } from './sign-off.js';
import type { AssessmentSummary } from './store.js';
import { readAssessmentSummary } from './store.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'assessments:write' } as const;
const signOff = { permission: 'assessments:sign-off' } as const;
const moderate = { permission: 'assessments:moderate' } as const;

type Body = Record<string, unknown>;

const statusText: Record<AssessmentSummary['status'], string> = { 'in-progress': 'In progress', submitted: 'Submitted for sign-off', 'signed-off': 'Signed off' };

const layerNames: Record<string, string> = { conditions: 'General conditions', frontline: 'Frontline', processes: 'Processes', strategy: 'Strategy', governance: 'Governance' };

/** A section as a person reads it: the layer's name, or the wording of the thread or principle heading it. */
function sectionLabel(section: string, statements: readonly { id: string; text: string }[]): string {
  if (layerNames[section] !== undefined) return layerNames[section];
  const heading = statements.find((statement) => statement.id === section);
  if (heading === undefined) return section;
  const words = heading.text.length > 90 ? `${heading.text.slice(0, 87)}…` : heading.text;
  const thread = /^GT0*(\d+)$/.exec(section);
  if (thread !== null) return `Golden thread ${thread[1]}: ${words}`;
  const principle = /^T3-P0*(\d+)$/.exec(section);
  return principle === null ? words : `Principle ${principle[1]}: ${words}`;
}

/** Groups rows by their section, in order of first appearance, each with its label. */
function bySection<Row extends { section: string }>(rows: readonly Row[], statements: readonly { id: string; text: string }[]) {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(row.section, [...(groups.get(row.section) ?? []), row]);
  return [...groups.entries()].map(([section, members]) => ({ section, label: sectionLabel(section, statements), rows: members }));
}

function answerText(level: number | null, notApplicable: boolean): string {
  return notApplicable ? 'Not applicable' : levelLabel(level);
}

function differenceText(row: ComparisonRow): string {
  if (row.difference === null) {
    if (!row.disagree) return 'Same';
    if (row.selfLevel === null && !row.selfNotApplicable) return 'Not rated by the organisation';
    return 'Not applicable on one side only';
  }
  if (row.difference === 0) return 'Same';
  return `${row.difference > 0 ? '+' : '−'}${Math.abs(row.difference)} ${Math.abs(row.difference) === 1 ? 'level' : 'levels'}`;
}

function errorList(problems: readonly FieldProblem[]) {
  return problems.map((problem) => ({ text: problem.text, href: `#${problem.field}` }));
}

function errorFor(problems: readonly FieldProblem[] | undefined, field: string): { text: string } | undefined {
  const found = problems?.find((problem) => problem.field === field);
  return found === undefined ? undefined : { text: found.text };
}

function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value].flat().map((entry) => text(entry)).filter((entry) => entry !== '');
}

function levelItems(selected: string) {
  return [
    ...levelDescriptions.map((description) => ({ value: String(description.level), text: description.label, hint: { text: description.descriptor }, checked: selected === String(description.level) })),
    { divider: 'or' },
    { value: 'na', text: 'Not applicable', checked: selected === 'na' },
  ];
}

function answerValue(level: number | null, notApplicable: boolean): string {
  return notApplicable ? 'na' : level === null ? '' : String(level);
}

/** Sign-off, moderation and peers pages. */
export function registerModerationRoutes(app: FastifyInstance, service: AssessmentService, context: AppContext): void {
  void context;
  const db = service.db;
  registerModerationApi(app, service);

  /** The assessment's summary for a page, or a reply already sent (not found, or a moderator still blind). */
  async function summaryFor(request: FastifyRequest, reply: FastifyReply, id: string): Promise<AssessmentSummary | undefined> {
    const summary = await service.summary(request.viewer, id);
    if (!isRefusal(summary)) return summary;
    if (summary.statusCode === 404) {
      reply.callNotFound();
      return undefined;
    }
    await refuse(request, reply, undefined, id, 'assessment-read', summary.statusCode, summary.message);
    return undefined;
  }

  /** Answers a refusal with a page naming the reason, and audits it. */
  async function refuse(request: FastifyRequest, reply: FastifyReply, owner: { organisationId: string; laCode: string } | undefined, id: string, action: string, statusCode: number, message: string) {
    if (owner !== undefined) await service.audit(request.viewer, action, owner, id, request.ip, { refused: message }, 'denied');
    else if (request.viewer.signedIn) {
      const summary = await readAssessmentSummary(db, id);
      if (summary !== undefined) await service.audit(request.viewer, action, summary, id, request.ip, { refused: message }, 'denied');
    }
    return reply.code(statusCode).view('error.njk', { title: 'That could not be done', message });
  }

  // ---- Submit, return and sign off --------------------------------------------------------

  async function signOffPage(request: FastifyRequest, reply: FastifyReply, summary: AssessmentSummary, extra: { problems?: FieldProblem[]; reason?: string } = {}) {
    const rights = await signOffRights(db, request.viewer, summary);
    return reply.view('moderation/sign-off.njk', {
      pageTitle: `Sign-off: ${summary.organisationName}, ${summary.period}`,
      breadcrumbs: [
        { text: 'Self-assessment', href: '/assessments' },
        { text: `${summary.organisationName}: ${scopeDescription(summary.scope).label}, ${summary.period}`, href: `/assessments/${summary.id}` },
      ],
      assessment: summary,
      scopeLabel: scopeDescription(summary.scope).label,
      statusText: statusText[summary.status],
      rights,
      submitRule,
      signOffRule,
      // Only submit, return and sign-off change an assessment's version: above 1 while in progress means it was returned.
      returned: summary.status === 'in-progress' && summary.version > 1 ? await lastReturn(db, summary.laCode, summary.id) : undefined,
      unrated: summary.total - summary.rated,
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
      reason: extra.reason ?? '',
    });
  }

  app.get<{ Params: { id: string } }>('/assessments/:id/sign-off', { schema: hidden, config: read }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    return signOffPage(request, reply, summary);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/assessments/:id/submit', { schema: hidden, config: write }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    const outcome = await submitAssessment(db, request.viewer, summary.id);
    if (isStepRefusal(outcome)) return refuse(request, reply, summary, summary.id, 'assessment-submitted', outcome.statusCode, outcome.message);
    await service.audit(request.viewer, 'assessment-submitted', summary, summary.id, request.ip, { rated: summary.rated, total: summary.total });
    return reply.redirect(`/assessments/${summary.id}/sign-off?done=submitted`, 303);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/assessments/:id/return', { schema: hidden, config: signOff }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    const reason = text(request.body?.reason);
    const outcome = await returnAssessment(db, request.viewer, summary.id, reason);
    if (isStepRefusal(outcome)) {
      if (outcome.field !== undefined) {
        await service.audit(request.viewer, 'assessment-returned', summary, summary.id, request.ip, { refused: outcome.message }, 'failure');
        return signOffPage(request, reply.code(outcome.statusCode), summary, { problems: [{ field: outcome.field, text: outcome.message }], reason });
      }
      return refuse(request, reply, summary, summary.id, 'assessment-returned', outcome.statusCode, outcome.message);
    }
    await service.audit(request.viewer, 'assessment-returned', summary, summary.id, request.ip, { reason, by: authorOf(request.viewer).label });
    return reply.redirect(`/assessments/${summary.id}/sign-off?done=returned`, 303);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/assessments/:id/sign-off', { schema: hidden, config: signOff }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    if (!maySignOffAssessment(request.viewer, summary)) {
      return refuse(request, reply, summary, summary.id, 'assessment-signed-off', 403, `Only a leader of ${summary.organisationName} may sign this assessment off.`);
    }
    if (text(request.body?.confirm) !== 'yes') {
      await service.audit(request.viewer, 'assessment-signed-off', summary, summary.id, request.ip, { refused: 'not confirmed' }, 'failure');
      return signOffPage(request, reply.code(422), summary, { problems: [{ field: 'confirm', text: 'Confirm that you have read the assessment and agree it is a fair account' }] });
    }
    const outcome = await signOffAssessment(db, request.viewer, summary.id);
    if (isStepRefusal(outcome)) return refuse(request, reply, summary, summary.id, 'assessment-signed-off', outcome.statusCode, outcome.message);
    await service.audit(request.viewer, 'assessment-signed-off', summary, summary.id, request.ip, { rated: summary.rated, total: summary.total });
    return reply.redirect(`/assessments/${summary.id}/sign-off?done=signed-off`, 303);
  });

  // ---- Moderation: the organisation's side ------------------------------------------------

  function mayManageModeration(viewer: Viewer, summary: AssessmentSummary): boolean {
    return mayWriteAssessment(viewer, summary) || maySignOffAssessment(viewer, summary);
  }

  async function organisationModerationPage(request: FastifyRequest, reply: FastifyReply, summary: AssessmentSummary, extra: { problems?: FieldProblem[]; values?: Body } = {}) {
    const moderations = await moderationsOf(db, summary.laCode, summary.id);
    const current = moderations.find((moderation) => moderation.status !== 'declined' && moderation.status !== 'withdrawn');
    const statements = await moderationStatements(db, summary.laCode, summary.id);
    const comparison = current !== undefined && !blindStatuses.includes(current.status) ? await moderationComparison(db, current) : undefined;
    const values = extra.values ?? {};
    return reply.view('moderation/organisation.njk', {
      pageTitle: `Moderation: ${summary.organisationName}, ${summary.period}`,
      breadcrumbs: [
        { text: 'Self-assessment', href: '/assessments' },
        { text: `${summary.organisationName}: ${scopeDescription(summary.scope).label}, ${summary.period}`, href: `/assessments/${summary.id}` },
      ],
      assessment: summary,
      scopeLabel: scopeDescription(summary.scope).label,
      mayManage: mayManageModeration(request.viewer, summary),
      mayInvite: mayManageModeration(request.viewer, summary) && summary.status !== 'in-progress' && (current === undefined || current.status === 'agreed'),
      current,
      past: moderations.filter((moderation) => moderation !== current),
      moderationStatusText,
      comparison: comparison === undefined ? undefined : bySection(comparison, statements),
      comparisonTotals: comparison === undefined ? undefined : { disagreements: comparison.filter((row) => row.disagree).length, agreed: comparison.filter((row) => row.agreedAt !== null).length, total: comparison.length },
      sections: bySection(statements, statements),
      answerText,
      differenceText,
      values: { email: text(values.email), sample: text(values.sample) || 'all', size: text(values.size) || String(Math.min(20, statements.length)), picked: list(values.picked) },
      statementCount: statements.length,
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
      notice: noticeOf(request),
    });
  }

  function noticeOf(request: FastifyRequest): string | undefined {
    const done = text((request.query as Record<string, unknown> | undefined)?.done);
    const notices: Record<string, string> = {
      invited: 'The moderator has been invited. They will see the invitation on their moderation page.',
      withdrawn: 'The invitation has been withdrawn.',
      agreed: 'The agreed rating has been recorded.',
      accepted: 'You have accepted the invitation. Rate each statement, then submit your ratings.',
      declined: 'You have declined the invitation.',
      rated: 'Your rating has been saved.',
      submitted: 'Your ratings have been submitted. You can now see them beside the self-ratings and agree a rating for each statement.',
      'signed-off': 'The assessment has been signed off. It can no longer be changed.',
      returned: 'The assessment has been returned to the team with your reason.',
    };
    return notices[done];
  }

  app.get<{ Params: { id: string } }>('/assessments/:id/moderation', { schema: hidden, config: read }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    return organisationModerationPage(request, reply, summary);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/assessments/:id/moderation', { schema: hidden, config: write }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    if (!mayManageModeration(request.viewer, summary)) return refuse(request, reply, summary, summary.id, 'assessment-moderation-invited', 403, 'You may read this assessment but not invite a moderator to it.');
    const body = request.body ?? {};
    const sample = text(body.sample) as 'all' | 'random' | 'picked';
    const outcome = await inviteModerator(db, summary, { email: text(body.email), sample, size: text(body.size) === '' ? undefined : Number(text(body.size)), picked: list(body.picked) }, authorOf(request.viewer).label);
    if ('problems' in outcome) {
      await service.audit(request.viewer, 'assessment-moderation-invited', summary, summary.id, request.ip, { refused: outcome.problems.map((problem) => problem.text).join('; ') }, 'failure');
      return organisationModerationPage(request, reply.code(outcome.statusCode), summary, { problems: outcome.problems, values: body });
    }
    await service.audit(request.viewer, 'assessment-moderation-invited', summary, summary.id, request.ip, { moderation: outcome.id, sample });
    return reply.redirect(`/assessments/${summary.id}/moderation?done=invited`, 303);
  });

  /** The moderation with that id if it belongs to the assessment. */
  async function moderationOfAssessment(summary: AssessmentSummary, moderationId: string): Promise<Moderation | undefined> {
    const moderation = await readModeration(db, moderationId);
    return moderation !== undefined && moderation.assessmentId === summary.id && moderation.laCode === summary.laCode ? moderation : undefined;
  }

  app.post<{ Params: { id: string; moderationId: string }; Body: Body }>('/assessments/:id/moderation/:moderationId/withdraw', { schema: hidden, config: write }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    const moderation = await moderationOfAssessment(summary, request.params.moderationId);
    if (moderation === undefined) return reply.callNotFound();
    if (!mayManageModeration(request.viewer, summary)) return refuse(request, reply, summary, summary.id, 'assessment-moderation-withdrawn', 403, 'You may read this assessment but not change its moderation.');
    try {
      await withdrawModeration(db, moderation);
    } catch (error) {
      if (!(error instanceof ModerationStepError)) throw error;
      return refuse(request, reply, summary, summary.id, 'assessment-moderation-withdrawn', 409, error.message);
    }
    await service.audit(request.viewer, 'assessment-moderation-withdrawn', summary, summary.id, request.ip, { moderation: moderation.id });
    return reply.redirect(`/assessments/${summary.id}/moderation?done=withdrawn`, 303);
  });

  /** The agreement form for one statement, for either side. */
  async function agreementPage(
    request: FastifyRequest,
    reply: FastifyReply,
    moderation: Moderation,
    statementId: string,
    side: { action: string; back: string; breadcrumbs: { text: string; href: string }[] },
    extra: { problems?: FieldProblem[]; values?: Body; conflict?: boolean } = {},
  ) {
    const rows = await moderationComparison(db, moderation);
    const row = rows.find((entry) => entry.statementId === statementId);
    if (row === undefined) return reply.callNotFound();
    const values = extra.values ?? {};
    return reply.view('moderation/agree.njk', {
      pageTitle: 'Record the agreed rating',
      breadcrumbs: side.breadcrumbs,
      row,
      action: side.action,
      back: side.back,
      answerText,
      differenceText,
      levelItems: levelItems(extra.values ? text(values.level) : answerValue(row.agreedLevel, row.agreedNotApplicable)),
      comment: extra.values ? text(values.comment) : row.agreedComment,
      conflict: extra.conflict,
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
    });
  }

  /** Records an agreement from either side; audits it; answers the form again on a problem. */
  async function agree(request: FastifyRequest<{ Body: Body }>, reply: FastifyReply, summary: AssessmentSummary, moderation: Moderation, statementId: string, side: Parameters<typeof agreementPage>[4]) {
    const body = request.body ?? {};
    const parsed = parseModerationRating(body, { commentRequired: true, field: 'level' });
    if (!parsed.ok) {
      await service.audit(request.viewer, 'assessment-moderation-agreed', summary, summary.id, request.ip, { moderation: moderation.id, statement: statementId, refused: parsed.problems.map((problem) => problem.text).join('; ') }, 'failure');
      return agreementPage(request, reply.code(422), moderation, statementId, side, { problems: parsed.problems, values: body });
    }
    const version = Number(text(body.version));
    try {
      await recordAgreement(db, moderation, statementId, Number.isInteger(version) ? version : -1, parsed.value, authorOf(request.viewer).label);
    } catch (error) {
      if (error instanceof AgreementConflictError) {
        await service.audit(request.viewer, 'assessment-moderation-agreed', summary, summary.id, request.ip, { moderation: moderation.id, statement: statementId, refused: 'stale version' }, 'failure');
        return agreementPage(request, reply.code(409), moderation, statementId, side, { values: body, conflict: true });
      }
      if (error instanceof ModerationStepError) return refuse(request, reply, summary, summary.id, 'assessment-moderation-agreed', 409, error.message);
      throw error;
    }
    await service.audit(request.viewer, 'assessment-moderation-agreed', summary, summary.id, request.ip, {
      moderation: moderation.id,
      statement: statementId,
      level: parsed.value.level,
      not_applicable: parsed.value.notApplicable,
    });
    return reply.redirect(`${side.back}?done=agreed#${statementId}`, 303);
  }

  function organisationSide(summary: AssessmentSummary, moderation: Moderation, statementId: string) {
    return {
      action: `/assessments/${summary.id}/moderation/${moderation.id}/statements/${encodeURIComponent(statementId)}`,
      back: `/assessments/${summary.id}/moderation`,
      breadcrumbs: [
        { text: 'Self-assessment', href: '/assessments' },
        { text: `${summary.organisationName}: ${scopeDescription(summary.scope).label}, ${summary.period}`, href: `/assessments/${summary.id}` },
        { text: 'Moderation', href: `/assessments/${summary.id}/moderation` },
      ],
    };
  }

  app.get<{ Params: { id: string; moderationId: string; statementId: string } }>(
    '/assessments/:id/moderation/:moderationId/statements/:statementId',
    { schema: hidden, config: write },
    async (request, reply) => {
      const summary = await summaryFor(request, reply, request.params.id);
      if (summary === undefined) return reply;
      const moderation = await moderationOfAssessment(summary, request.params.moderationId);
      if (moderation === undefined || blindStatuses.includes(moderation.status) || moderation.submittedAt === null) return reply.callNotFound();
      if (!mayManageModeration(request.viewer, summary)) return refuse(request, reply, summary, summary.id, 'assessment-moderation-agreed', 403, 'You may read this assessment but not record agreed ratings.');
      return agreementPage(request, reply, moderation, request.params.statementId, organisationSide(summary, moderation, request.params.statementId));
    },
  );

  app.post<{ Params: { id: string; moderationId: string; statementId: string }; Body: Body }>(
    '/assessments/:id/moderation/:moderationId/statements/:statementId',
    { schema: hidden, config: write },
    async (request, reply) => {
      const summary = await summaryFor(request, reply, request.params.id);
      if (summary === undefined) return reply;
      const moderation = await moderationOfAssessment(summary, request.params.moderationId);
      if (moderation === undefined || moderation.submittedAt === null) return reply.callNotFound();
      if (!mayManageModeration(request.viewer, summary)) return refuse(request, reply, summary, summary.id, 'assessment-moderation-agreed', 403, 'You may read this assessment but not record agreed ratings.');
      return agree(request, reply, summary, moderation, request.params.statementId, organisationSide(summary, moderation, request.params.statementId));
    },
  );

  // ---- Moderation: the moderator's side ---------------------------------------------------

  app.get('/moderation', { schema: hidden, config: moderate }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.callNotFound();
    const invitations = await invitationsOf(db, viewer.userId);
    return reply.view('moderation/invitations.njk', {
      pageTitle: 'Moderation',
      invitations: invitations.map((invitation) => ({ ...invitation, sampleText: invitation.sampleSize === null ? 'All' : `A sample of ${invitation.sampleSize}`, scopeLabel: scopeDescription(invitation.scope).label, statusText: moderationStatusText[invitation.status] })),
    });
  });

  /** The moderation with that id when the viewer is its moderator, with the assessment's summary (status and owner only are used). */
  async function moderatorsModeration(request: FastifyRequest, moderationId: string): Promise<{ moderation: Moderation; summary: AssessmentSummary } | undefined> {
    const moderation = await readModeration(db, moderationId);
    if (moderation === undefined || !isModeratorOf(request.viewer, moderation)) return undefined;
    const summary = await readAssessmentSummary(db, moderation.assessmentId);
    return summary === undefined ? undefined : { moderation, summary };
  }

  async function moderatorPage(request: FastifyRequest, reply: FastifyReply, moderation: Moderation, summary: AssessmentSummary, extra: { problem?: string } = {}) {
    const statements = await moderationStatements(db, moderation.laCode, moderation.assessmentId);
    const sampled = await sampledStatements(db, moderation);
    const blind = blindStatuses.includes(moderation.status);
    const ratings = await moderatorRatings(db, moderation);
    const comparison = !blind && moderation.submittedAt !== null && moderation.status !== 'withdrawn' ? await moderationComparison(db, moderation) : undefined;
    const rated = [...ratings.values()].filter((rating) => rating.level !== null || rating.notApplicable).length;
    return reply.view('moderation/moderator.njk', {
      pageTitle: `Moderating ${summary.organisationName}, ${summary.period}`,
      breadcrumbs: [{ text: 'Moderation', href: '/moderation' }],
      moderation,
      organisationName: summary.organisationName,
      scopeLabel: scopeDescription(summary.scope).label,
      period: summary.period,
      statusText: moderationStatusText[moderation.status],
      blind,
      sections: bySection(
        sampled.map((statement: ModerationStatement) => ({ ...statement, rating: ratings.get(statement.id) })),
        statements,
      ),
      rated,
      total: sampled.length,
      comparison: comparison === undefined ? undefined : bySection(comparison, statements),
      comparisonTotals: comparison === undefined ? undefined : { disagreements: comparison.filter((row) => row.disagree).length, agreed: comparison.filter((row) => row.agreedAt !== null).length, total: comparison.length },
      answerText,
      differenceText,
      problem: extra.problem,
      notice: noticeOf(request),
    });
  }

  app.get<{ Params: { moderationId: string } }>('/moderation/:moderationId', { schema: hidden, config: moderate }, async (request, reply) => {
    const found = await moderatorsModeration(request, request.params.moderationId);
    if (found === undefined) return reply.callNotFound();
    await service.audit(request.viewer, 'assessment-moderation-read', found.summary, found.summary.id, request.ip, { moderation: found.moderation.id, status: found.moderation.status });
    return moderatorPage(request, reply, found.moderation, found.summary);
  });

  for (const [path, action, run, done] of [
    ['accept', 'assessment-moderation-accepted', acceptInvitation, 'accepted'],
    ['decline', 'assessment-moderation-declined', declineInvitation, 'declined'],
    ['submit', 'assessment-moderation-submitted', submitModeration, 'submitted'],
  ] as const) {
    app.post<{ Params: { moderationId: string }; Body: Body }>(`/moderation/:moderationId/${path}`, { schema: hidden, config: moderate }, async (request, reply) => {
      const found = await moderatorsModeration(request, request.params.moderationId);
      if (found === undefined) return reply.callNotFound();
      try {
        await run(db, found.moderation);
      } catch (error) {
        if (!(error instanceof ModerationStepError)) throw error;
        await service.audit(request.viewer, action, found.summary, found.summary.id, request.ip, { moderation: found.moderation.id, refused: error.message }, 'failure');
        return moderatorPage(request, reply.code(409), (await readModeration(db, found.moderation.id))!, found.summary, { problem: error.message });
      }
      await service.audit(request.viewer, action, found.summary, found.summary.id, request.ip, { moderation: found.moderation.id });
      return reply.redirect(path === 'decline' ? '/moderation' : `/moderation/${found.moderation.id}?done=${done}`, 303);
    });
  }

  function moderatorSide(moderation: Moderation, statementId: string) {
    return {
      action: `/moderation/${moderation.id}/statements/${encodeURIComponent(statementId)}`,
      back: `/moderation/${moderation.id}`,
      breadcrumbs: [
        { text: 'Moderation', href: '/moderation' },
        { text: 'This moderation', href: `/moderation/${moderation.id}` },
      ],
    };
  }

  /** The moderator's blind rating form: the statement's wording and their own rating only. */
  async function blindRatingPage(request: FastifyRequest, reply: FastifyReply, moderation: Moderation, statementId: string, extra: { problems?: FieldProblem[]; values?: Body } = {}) {
    const sampled = await sampledStatements(db, moderation);
    const statement = sampled.find((entry) => entry.id === statementId);
    if (statement === undefined) return reply.callNotFound();
    const own = (await moderatorRatings(db, moderation)).get(statementId);
    const values = extra.values ?? {};
    const index = sampled.indexOf(statement);
    return reply.view('moderation/rate.njk', {
      pageTitle: 'Rate a statement',
      breadcrumbs: [
        { text: 'Moderation', href: '/moderation' },
        { text: 'This moderation', href: `/moderation/${moderation.id}` },
      ],
      moderation,
      statement,
      position: index + 1,
      total: sampled.length,
      next: sampled[index + 1],
      editable: moderation.status === 'rating',
      own,
      answerText,
      levelItems: levelItems(extra.values ? text(values.level) : own === undefined ? '' : answerValue(own.level, own.notApplicable)),
      comment: extra.values ? text(values.comment) : (own?.comment ?? ''),
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
    });
  }

  app.get<{ Params: { moderationId: string; statementId: string } }>('/moderation/:moderationId/statements/:statementId', { schema: hidden, config: moderate }, async (request, reply) => {
    const found = await moderatorsModeration(request, request.params.moderationId);
    if (found === undefined) return reply.callNotFound();
    const { moderation } = found;
    if (blindStatuses.includes(moderation.status)) return blindRatingPage(request, reply, moderation, request.params.statementId);
    if (moderation.submittedAt === null) return reply.callNotFound();
    return agreementPage(request, reply, moderation, request.params.statementId, moderatorSide(moderation, request.params.statementId));
  });

  app.post<{ Params: { moderationId: string; statementId: string }; Body: Body }>('/moderation/:moderationId/statements/:statementId', { schema: hidden, config: moderate }, async (request, reply) => {
    const found = await moderatorsModeration(request, request.params.moderationId);
    if (found === undefined) return reply.callNotFound();
    const { moderation, summary } = found;
    const statementId = request.params.statementId;
    if (!blindStatuses.includes(moderation.status)) {
      if (moderation.submittedAt === null) return reply.callNotFound();
      return agree(request, reply, summary, moderation, statementId, moderatorSide(moderation, statementId));
    }
    const body = request.body ?? {};
    const parsed = parseModerationRating(body, { commentRequired: false, field: 'level' });
    if (!parsed.ok) {
      await service.audit(request.viewer, 'assessment-moderation-rated', summary, summary.id, request.ip, { moderation: moderation.id, statement: statementId, refused: parsed.problems.map((problem) => problem.text).join('; ') }, 'failure');
      return blindRatingPage(request, reply.code(422), moderation, statementId, { problems: parsed.problems, values: body });
    }
    try {
      await saveModeratorRating(db, moderation, statementId, parsed.value);
    } catch (error) {
      if (!(error instanceof ModerationStepError)) throw error;
      return refuse(request, reply, summary, summary.id, 'assessment-moderation-rated', 409, error.message);
    }
    await service.audit(request.viewer, 'assessment-moderation-rated', summary, summary.id, request.ip, { moderation: moderation.id, statement: statementId, level: parsed.value.level, not_applicable: parsed.value.notApplicable });
    const sampled = await sampledStatements(db, moderation);
    const next = sampled[sampled.findIndex((entry) => entry.id === statementId) + 1];
    return reply.redirect(next !== undefined && text(body.then) === 'next' ? `/moderation/${moderation.id}/statements/${encodeURIComponent(next.id)}` : `/moderation/${moderation.id}?done=rated#${statementId}`, 303);
  });

  // ---- Peers ------------------------------------------------------------------------------

  async function peerTable(summary: AssessmentSummary) {
    const statements = await moderationStatements(db, summary.laCode, summary.id);
    const own = await db
      .selectFrom('assessment_rating')
      .select(['statement_id', 'level', 'not_applicable'])
      .where('la_code', '=', summary.laCode)
      .where('assessment_id', '=', summary.id)
      .execute();
    const ownBy = new Map(own.map((row) => [row.statement_id, row]));
    const peers = await peerDistributions(db, summary.scope, summary.laCode);
    const isAuthority = summary.organisationKind === 'local-authority';
    const rows = statements.map((statement) => {
      const peer: PeerRow = peers.get(statement.id) ?? noPeers(statement.id);
      const mine = ownBy.get(statement.id);
      const level = mine?.level ?? null;
      return {
        ...statement,
        level,
        notApplicable: mine?.not_applicable ?? false,
        region: peer.region,
        england: peer.england,
        // An authority is compared with the others; a setting or partner with every authority, its own included.
        regionPosition: positionOf(peer.region, level, isAuthority ? peer.ownCounted : null),
        englandPosition: positionOf(peer.england, level, isAuthority ? peer.ownCounted : null),
      };
    });
    return { statements, rows, regionName: regionOf(summary.laCode)?.name ?? 'the region', authorityName: localAuthorityByGss(summary.laCode)?.name ?? summary.organisationName };
  }

  app.get<{ Params: { id: string } }>('/assessments/:id/peers', { schema: hidden, config: read }, async (request, reply) => {
    const summary = await summaryFor(request, reply, request.params.id);
    if (summary === undefined) return reply;
    const { statements, rows, regionName, authorityName } = await peerTable(summary);
    return reply.view('moderation/peers.njk', {
      pageTitle: `Peers: ${summary.organisationName}, ${scopeDescription(summary.scope).label}`,
      breadcrumbs: [
        { text: 'Self-assessment', href: '/assessments' },
        { text: `${summary.organisationName}: ${scopeDescription(summary.scope).label}, ${summary.period}`, href: `/assessments/${summary.id}` },
      ],
      assessment: summary,
      scopeLabel: scopeDescription(summary.scope).label,
      sections: bySection(rows, statements),
      regionName,
      authorityName,
      threshold: peerThreshold,
      answerText,
      levelDescriptions,
      isAuthority: summary.organisationKind === 'local-authority',
    });
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get<{ Params: { id: string } }>(`/assessments/:id/peers.${format}`, { schema: hidden, config: read }, async (request, reply) => {
      const summary = await summaryFor(request, reply, request.params.id);
      if (summary === undefined) return reply;
      const { rows, regionName } = await peerTable(summary);
      type Row = (typeof rows)[number];
      const distributionColumns = (area: 'region' | 'england', name: string): DownloadColumn<Row>[] => [
        { label: `${name}: authorities contributing`, value: (row) => row[area].contributors, numberFormat: '0' },
        ...levelDescriptions.map((description) => ({ label: `${name}: ${description.label}`, value: (row: Row) => (row[area].shown ? row[area].levels[description.level - 1]! : 'c'), numberFormat: '0' })),
        { label: `${name}: Not applicable`, value: (row) => (row[area].shown ? row[area].notApplicable : 'c'), numberFormat: '0' },
        { label: `${name}: median level`, value: (row) => (row[area].shown ? (row[area].median ?? 'z') : 'c'), numberFormat: '0' },
      ];
      await service.audit(request.viewer, 'assessment-peers-downloaded', summary, summary.id, request.ip, { format });
      return sendTable(
        reply,
        {
          fileName: fileNamePart(`peers-${summary.scope}-${summary.period}-${summary.organisationName}`),
          sheetName: 'Peers',
          columns: [
            { label: 'Statement', value: (row) => row.text },
            { label: 'Statement reference', value: (row) => row.id },
            { label: 'This assessment’s rating', value: (row) => answerText(row.level, row.notApplicable) },
            ...distributionColumns('region', regionName),
            ...distributionColumns('england', 'England'),
          ],
          rows,
          metadata: {
            title: `Peer ratings: ${scopeDescription(summary.scope).label}`,
            source: 'Each local authority’s latest signed-off self-assessment of this scope',
            disclosure: `A distribution is given only where at least ${peerThreshold} authorities rated the statement (a level or not applicable); authorities are never named. This authority’s own latest signed-off assessment is counted.`,
            details: [
              { label: 'Organisation', value: summary.organisationName },
              { label: 'Period', value: summary.period },
            ],
          },
        },
        format,
      );
    });
  }
}

export type { Distribution };
