/**
 * The pages where a team rates statements together: the list of assessments, starting one, an
 * assessment's overview and sections, and the rating form (with evidence, see evidence-routes.ts).
 * Routes are thin: read the form, call AssessmentService, render. A rating form posted with
 * `Accept: application/json` (the page's save-as-you-go script) is answered in JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { OrganisationSummary } from '../auth/organisations.js';
import type { AppContext } from '../web/capability.js';
import { mayWriteAssessment } from './access.js';
import { allowedEvidenceTypes } from './evidence-files.js';
import { auditRefusal, registerEvidenceRoutes } from './evidence-routes.js';
import type { FieldError } from './rating-input.js';
import { confidenceDescriptions, levelDescriptions, levelLabel } from './scale.js';
import type { Section } from './sections.js';
import { hasAnswer, pointsOf, progressOf, progressStatus, progressText, sectionIdOf, sectionsOf, tierLabel, tierOrder } from './sections.js';
import { isPeriod, scopeDescription, scopeDescriptions, suggestedScopes } from './scope.js';
import type { AssessmentService, Refusal } from './service.js';
import { isRefusal } from './service.js';
import type { Assessment, AssessmentSummary, Rating } from './store.js';
import { assessmentScopes, assessmentStatuses, confidenceLevels } from './tables.js';
import type { AssessmentStatus } from './tables.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'assessments:write' } as const;

type FormBody = Record<string, unknown>;

export const statusText: Record<AssessmentStatus, { text: string; tag: string }> = {
  'in-progress': { text: 'In progress', tag: 'govuk-tag--blue' },
  submitted: { text: 'Submitted for sign-off', tag: 'govuk-tag--yellow' },
  'signed-off': { text: 'Signed off', tag: 'govuk-tag--green' },
};

const levelTags: Record<number, string> = { 1: 'govuk-tag--red', 2: 'govuk-tag--orange', 3: 'govuk-tag--turquoise', 4: 'govuk-tag--green' };

const settingKindWords: Record<string, string> = { school: 'school', 'childrens-centre': 'children’s centre', 'early-years': 'early years setting' };

/** An organisation as a person picks it: "Leeds (local authority)", "Oakwood Primary School (school)". */
export function organisationLabel(organisation: Pick<OrganisationSummary, 'name' | 'kind' | 'settingKind'>): string {
  const kind =
    organisation.kind === 'local-authority'
      ? 'local authority'
      : organisation.kind === 'setting'
        ? (settingKindWords[organisation.settingKind ?? ''] ?? 'setting')
        : organisation.kind === 'partner'
          ? 'partner'
          : organisation.kind;
  return `${organisation.name} (${kind})`;
}

/** The academic year a day falls in, written 2026/27: a year starts on 1 September. */
export function academicYearOf(day: Date): string {
  const start = day.getUTCMonth() >= 8 ? day.getUTCFullYear() : day.getUTCFullYear() - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

function fieldText(value: unknown): string {
  if (Array.isArray(value)) return fieldText(value[0]);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

function errorList(errors: readonly FieldError[] | undefined) {
  return (errors ?? []).map((error) => ({ text: error.text, href: `#${error.field}` }));
}

function errorFor(errors: readonly FieldError[] | undefined, field: string): { text: string } | undefined {
  const found = (errors ?? []).filter((error) => error.field === field);
  return found.length === 0 ? undefined : { text: found.map((error) => error.text).join('. ') };
}

/** The heading, breadcrumbs and sub-navigation every page of one assessment shares. */
export function assessmentFrame(assessment: AssessmentSummary, viewer: Viewer, currentPath = '') {
  const scope = scopeDescription(assessment.scope);
  const title = `${assessment.organisationName}: ${scope.label}, ${assessment.period}`;
  const base = `/assessments/${assessment.id}`;
  const parts = [
    { text: 'Overview', href: base },
    { text: 'Where we stand', href: `${base}/standing` },
    { text: 'Peers', href: `${base}/peers` },
    { text: 'Moderation', href: `${base}/moderation` },
    { text: 'Sign-off', href: `${base}/sign-off` },
    { text: 'Board report', href: `${base}/report` },
  ];
  const writable = assessment.status === 'in-progress' && mayWriteAssessment(viewer, assessment);
  return {
    assessment,
    title,
    scope,
    status: statusText[assessment.status],
    writable,
    readOnlyReason:
      assessment.status === 'signed-off'
        ? `This assessment was signed off${assessment.signedOffBy ? ` by ${assessment.signedOffBy}` : ''}: it can be read but no longer changed.`
        : assessment.status === 'submitted'
          ? 'This assessment has been submitted for sign-off: it can be changed again only if it is returned.'
          : mayWriteAssessment(viewer, assessment)
            ? null
            : 'You may read this assessment but not rate it.',
    subNavigation: parts.map((part) => ({ ...part, current: currentPath === part.href })),
    breadcrumbs: [
      { text: 'Self-assessment', href: '/assessments' },
      { text: title, href: base },
    ],
  };
}

/** What the tag beside a statement says: its level, "Not applicable" or "Not rated". */
export function ratingTag(rating: Pick<Rating, 'level' | 'notApplicable'>): { text: string; classes: string } {
  if (rating.notApplicable) return { text: 'Not applicable', classes: 'govuk-tag--grey' };
  if (rating.level === null) return { text: 'Not rated', classes: 'govuk-tag--grey ntg-tag--outline' };
  return { text: levelLabel(rating.level), classes: levelTags[rating.level] ?? '' };
}

function statementView(assessment: Assessment, index: number, service: AssessmentService) {
  const statement = assessment.statements[index]!;
  const rating = assessment.ratings[index]!;
  const { points, textAfter } = pointsOf(service.catalogue, statement.id);
  return {
    ...statement,
    points,
    textAfter,
    rating,
    tag: ratingTag(rating),
    confidenceLabel: rating.confidence === null ? null : confidenceDescriptions[rating.confidence].label,
    evidenceCount: assessment.evidence.filter((file) => file.statementId === statement.id).length + rating.links.length + (rating.note === '' ? 0 : 1),
    fileCount: assessment.evidence.filter((file) => file.statementId === statement.id).length,
    href: `/assessments/${assessment.id}/statements/${encodeURIComponent(statement.id)}`,
  };
}

function sectionProgress(assessment: Assessment, sections: readonly Section[], service: AssessmentService) {
  return sections.map((section) => {
    const indexes = assessment.statements.flatMap((statement, index) => (sectionIdOf(statement) === section.id ? [index] : []));
    const ratings = indexes.map((index) => assessment.ratings[index]!);
    const progress = progressOf(ratings);
    const tiers =
      section.kind === 'layer'
        ? tierOrder.flatMap((tier) => {
            const inTier = indexes.filter((index) => assessment.statements[index]!.tier === tier).map((index) => assessment.ratings[index]!);
            return inTier.length === 0 ? [] : [{ tier, label: tierLabel(service.catalogue, tier), progress: progressOf(inTier), text: progressText(progressOf(inTier)) }];
          })
        : [];
    return { ...section, progress, text: progressText(progress), status: progressStatus(progress), tiers, href: `/assessments/${assessment.id}/sections/${section.id}` };
  });
}

/** Counts of carried-forward ratings not yet confirmed, by assessment. */
async function carriedForwardCounts(service: AssessmentService, assessments: readonly AssessmentSummary[]): Promise<Map<string, number>> {
  if (assessments.length === 0) return new Map();
  const rows = await service.db
    .selectFrom('assessment_rating')
    .select((eb) => ['assessment_id', eb.fn.countAll<string>().as('n')])
    .where('assessment_id', 'in', assessments.map((assessment) => assessment.id))
    .where('carried_forward', '=', true)
    .groupBy('assessment_id')
    .execute();
  return new Map(rows.map((row) => [row.assessment_id, Number(row.n)]));
}

/** When the catalogue revision an assessment rates was published, or null for the seed. */
async function revisionPublished(service: AssessmentService, revision: number): Promise<Date | null> {
  if (revision === 0) return null;
  const row = await service.db.selectFrom('framework_revision').select('published_at').where('number', '=', revision).executeTakeFirst();
  return row?.published_at ?? null;
}

function ratingValues(rating: Rating): Record<string, string> {
  return {
    level: rating.notApplicable ? 'not-applicable' : rating.level === null ? '' : String(rating.level),
    not_applicable_reason: rating.notApplicableReason,
    note: rating.note,
    links: rating.links.map((link) => (link.title === '' ? link.url : `${link.title} ${link.url}`)).join('\n'),
    confidence: rating.confidence ?? '',
    next_step: rating.nextStep,
    next_step_owner: rating.nextStepOwner,
    next_step_due: rating.nextStepDue ?? '',
  };
}

function bodyValues(body: FormBody): Record<string, string> {
  const names = ['level', 'not_applicable_reason', 'note', 'links', 'confidence', 'next_step', 'next_step_owner', 'next_step_due'];
  const values = Object.fromEntries(names.map((name) => [name, fieldText(body[name])]));
  if (fieldText(body.not_applicable) !== '' && values.level === '') values.level = 'not-applicable';
  return values;
}

/** A rating as the JSON answers of the rating page give it. */
function ratingJson(rating: Rating) {
  return {
    statementId: rating.statementId,
    level: rating.level,
    levelLabel: rating.notApplicable ? 'Not applicable' : levelLabel(rating.level),
    notApplicable: rating.notApplicable,
    note: rating.note,
    version: rating.version,
    updatedBy: rating.updatedBy,
    updatedAt: rating.updatedAt,
  };
}

export interface RatingPageExtra {
  errors?: FieldError[];
  body?: FormBody;
  conflict?: { current: Rating; yours: Record<string, string> };
  notice?: string;
}

/** The rating page of one statement: the form (or a read-only view), its evidence files and upload form. */
export async function showRatingPage(request: FastifyRequest, reply: FastifyReply, service: AssessmentService, assessment: Assessment, statementId: string, extra: RatingPageExtra = {}) {
  const index = assessment.statements.findIndex((statement) => statement.id === statementId);
  if (index < 0) return reply.callNotFound();
  const statement = statementView(assessment, index, service);
  const frame = assessmentFrame(assessment, request.viewer);
  const sectionId = sectionIdOf(statement);
  const section = sectionsOf(service.catalogue, [statement])[0]!;
  const next = assessment.statements[index + 1];
  const previous = assessment.statements[index - 1];
  // After a stale save, the version now stored (saving again knowingly replaces it); after a refused form, the version it was opened at.
  const version = extra.conflict?.current.version ?? (extra.body === undefined ? statement.rating.version : fieldText(extra.body.version));
  const values = extra.body === undefined ? ratingValues(statement.rating) : bodyValues(extra.body);
  const levelItems = levelDescriptions.map((description) => ({ value: String(description.level), text: description.label, hint: { text: description.descriptor }, checked: values.level === String(description.level) }));
  const limitMb = Math.round(service.options.evidenceLimitBytes / 1_048_576);
  return reply.view('assessments/statement.njk', {
    pageTitle: `Rate a statement: ${section.label}`,
    ...frame,
    breadcrumbs: [...frame.breadcrumbs, { text: section.label, href: `/assessments/${assessment.id}/sections/${sectionId}` }],
    section,
    sectionHref: `/assessments/${assessment.id}/sections/${sectionId}`,
    statement,
    values,
    levelItems,
    confidenceItems: confidenceLevels.map((confidence) => ({ value: confidence, text: confidenceDescriptions[confidence].label, hint: { text: confidenceDescriptions[confidence].descriptor }, checked: values.confidence === confidence })),
    ratingVersion: version,
    mayPropose: viewerMay(request.viewer, 'assessments:write'),
    files: assessment.evidence.filter((file) => file.statementId === statement.id).map((file) => ({ ...file, typeLabel: allowedEvidenceTypes.find((type) => type.mediaType === file.mediaType)?.label ?? file.mediaType, sizeText: sizeText(file.sizeBytes) })),
    nextHref: next === undefined ? null : `/assessments/${assessment.id}/statements/${encodeURIComponent(next.id)}`,
    previousHref: previous === undefined ? null : `/assessments/${assessment.id}/statements/${encodeURIComponent(previous.id)}`,
    errors: extra.errors === undefined ? undefined : errorList(extra.errors),
    errorSummaryShown: extra.errors !== undefined && extra.errors.length > 0,
    errorFor: (field: string) => errorFor(extra.errors, field),
    conflict: extra.conflict === undefined ? undefined : { current: { ...extra.conflict.current, tag: ratingTag(extra.conflict.current), confidenceLabel: extra.conflict.current.confidence === null ? null : confidenceDescriptions[extra.conflict.current.confidence].label }, yours: extra.conflict.yours, yoursLevel: yoursLevelText(extra.conflict.yours) },
    notice: extra.notice,
    limitMb,
    allowedTypes: allowedEvidenceTypes.map((type) => type.label).join(', '),
    accept: allowedEvidenceTypes.flatMap((type) => type.extensions.map((extension) => `.${extension}`)).join(','),
  });
}

/** A file's size as people read it: 840 bytes, 12 KB, 3.4 MB. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function yoursLevelText(values: Record<string, string>): string {
  if (values.level === 'not-applicable') return 'Not applicable';
  const level = Number(values.level);
  return values.level === '' ? 'Not rated' : levelLabel(Number.isInteger(level) ? level : null);
}

/** A refusal from the service as a page (or, for the save-as-you-go script, JSON). */
function refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal) {
  if (refusal.statusCode === 404) {
    if (wantsJson(request)) return reply.code(404).send({ statusCode: 404, message: refusal.message });
    return reply.callNotFound();
  }
  if (wantsJson(request)) return reply.code(refusal.statusCode).send({ statusCode: refusal.statusCode, message: refusal.message, errors: refusal.errors ?? [] });
  const message = [refusal.message, ...(refusal.errors ?? []).map((error) => error.text)].filter((text, position, all) => all.indexOf(text) === position).join('. ');
  return reply.code(refusal.statusCode).view('error.njk', { title: refusal.statusCode === 403 ? 'You cannot change this assessment' : 'This could not be saved', message });
}

/** Rating pages: list, start, overview, sections, the rating form; and the evidence routes. */
export function registerAssessmentPages(app: FastifyInstance, service: AssessmentService, context: AppContext): void {
  void context;

  app.get<{ Querystring: { period?: string; scope?: string; status?: string } }>('/assessments', { schema: hidden, config: read }, async (request, reply) => {
    const viewer = request.viewer;
    const all = await service.list(viewer);
    const filters = {
      period: isPeriod(String(request.query.period ?? '')) ? String(request.query.period) : '',
      scope: (assessmentScopes as readonly string[]).includes(String(request.query.scope ?? '')) ? String(request.query.scope) : '',
      status: (assessmentStatuses as readonly string[]).includes(String(request.query.status ?? '')) ? String(request.query.status) : '',
    };
    const shown = all.filter((assessment) => (filters.period === '' || assessment.period === filters.period) && (filters.scope === '' || assessment.scope === filters.scope) && (filters.status === '' || assessment.status === filters.status));
    const carried = await carriedForwardCounts(service, shown);
    const groups = new Map<string, { name: string; href: string; assessments: unknown[] }>();
    const ordered = [...shown].sort((a, b) => b.period.localeCompare(a.period) || a.organisationName.localeCompare(b.organisationName) || a.scope.localeCompare(b.scope));
    for (const assessment of ordered) {
      const group = groups.get(assessment.organisationId) ?? { name: assessment.organisationName, href: `/assessments/organisations/${assessment.organisationId}`, assessments: [] };
      const carriedForward = carried.get(assessment.id) ?? 0;
      group.assessments.push({
        ...assessment,
        scopeLabel: scopeDescription(assessment.scope).label,
        status: statusText[assessment.status],
        progressText: progressText({ total: assessment.total, rated: assessment.rated, carriedForward, notRated: assessment.total - assessment.rated - carriedForward }),
        carriedForward,
        href: `/assessments/${assessment.id}`,
      });
      groups.set(assessment.organisationId, group);
    }
    const organisations = await service.organisationsToAssess(viewer);
    return reply.view('assessments/list.njk', {
      pageTitle: 'Self-assessment',
      groups: [...groups.values()],
      total: all.length,
      shownCount: shown.length,
      filters,
      filtered: filters.period !== '' || filters.scope !== '' || filters.status !== '',
      periods: [...new Set(all.map((assessment) => assessment.period))].sort().reverse(),
      scopes: scopeDescriptions,
      statuses: assessmentStatuses.map((status) => ({ value: status, text: statusText[status].text })),
      mayStart: organisations.length > 0,
    });
  });

  /**
   * The start form. Someone who may assess several organisations first chooses one (a GET form, so
   * no script is needed), so that the scopes that suit it can come first; the full form still lets
   * them change it. A form sent back with errors is always shown whole.
   */
  async function newForm(request: FastifyRequest, reply: FastifyReply, body: FormBody, errors?: FieldError[]) {
    const organisations = await service.organisationsToAssess(request.viewer);
    const chosenId = fieldText(body.organisation_id) || (organisations.length === 1 ? organisations[0]!.id : '');
    const chosen = organisations.find((organisation) => organisation.id === chosenId);
    const suggested = chosen === undefined ? [] : suggestedScopes(chosen.kind as Parameters<typeof suggestedScopes>[0], chosen.settingKind);
    const scopes = [...scopeDescriptions].sort((a, b) => {
      const rank = (scope: string) => (suggested.includes(scope as never) ? suggested.indexOf(scope as never) : 100);
      return rank(a.scope) - rank(b.scope);
    });
    return reply.view('assessments/new.njk', {
      pageTitle: 'Start an assessment',
      breadcrumbs: [{ text: 'Self-assessment', href: '/assessments' }],
      organisationItems: organisations.map((organisation) => ({ value: organisation.id, text: organisationLabel(organisation), selected: organisation.id === chosenId })),
      organisationCount: organisations.length,
      chosenName: chosen?.name,
      chooseFirst: chosen === undefined && errors === undefined && organisations.length > 1,
      scopeItems: scopes.map((description) => ({
        value: description.scope,
        text: description.label,
        hint: { text: `${suggested.includes(description.scope) && chosen !== undefined ? `Suggested for ${chosen.name}. ` : ''}Suits ${description.suits}.` },
        checked: fieldText(body.scope) === description.scope,
      })),
      period: fieldText(body.period) || academicYearOf(new Date()),
      errors: errors === undefined ? undefined : errorList(errors),
      errorSummaryShown: errors !== undefined && errors.length > 0,
      errorFor: (field: string) => errorFor(errors, field),
    });
  }

  app.get<{ Querystring: { organisation?: string } }>('/assessments/new', { schema: hidden, config: write }, async (request, reply) => {
    return newForm(request, reply, { organisation_id: request.query.organisation ?? '' });
  });

  app.post<{ Body: FormBody }>('/assessments/new', { schema: hidden, config: write }, async (request, reply) => {
    const body = request.body ?? {};
    const started = await service.start(request.viewer, body, request.ip);
    if (isRefusal(started)) return newForm(request, reply.code(started.statusCode), body, started.errors ?? [{ field: 'organisation_id', text: started.message }]);
    return reply.redirect(`/assessments/${started.id}?started=1`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { started?: string } }>('/assessments/:id', { schema: hidden, config: read }, async (request, reply) => {
    const assessment = await service.get(request.viewer, request.params.id);
    if (isRefusal(assessment)) return refuse(request, reply, assessment);
    const sections = sectionProgress(assessment, sectionsOf(service.catalogue, assessment.statements), service);
    const overall = progressOf(assessment.ratings);
    const published = await revisionPublished(service, assessment.catalogueRevision);
    return reply.view('assessments/overview.njk', {
      pageTitle: assessmentFrame(assessment, request.viewer).title,
      ...assessmentFrame(assessment, request.viewer, `/assessments/${assessment.id}`),
      breadcrumbs: [{ text: 'Self-assessment', href: '/assessments' }],
      sections,
      overall,
      overallText: progressText(overall),
      overallPercent: overall.total === 0 ? 0 : Math.round((100 * overall.rated) / overall.total),
      catalogueText: assessment.catalogueRevision === 0 ? 'Framework as published (seed)' : `Framework as revised on ${published === null ? 'an unknown date' : published.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })} (revision ${assessment.catalogueRevision})`,
      firstToRate: (() => {
        const index = assessment.ratings.findIndex((rating) => !hasAnswer(rating) || rating.carriedForward);
        return index < 0 ? null : `/assessments/${assessment.id}/statements/${encodeURIComponent(assessment.statements[index]!.id)}`;
      })(),
      notice: request.query.started ? 'Assessment started. Rate the statements section by section; everyone who may write it can rate at the same time.' : undefined,
    });
  });

  app.get<{ Params: { id: string; section: string }; Querystring: { saved?: string } }>('/assessments/:id/sections/:section', { schema: hidden, config: read }, async (request, reply) => {
    const assessment = await service.get(request.viewer, request.params.id);
    if (isRefusal(assessment)) return refuse(request, reply, assessment);
    const sections = sectionsOf(service.catalogue, assessment.statements);
    const position = sections.findIndex((section) => section.id === request.params.section);
    if (position < 0) return reply.callNotFound();
    const section = sections[position]!;
    const statements = assessment.statements.flatMap((statement, index) => (sectionIdOf(statement) === section.id ? [statementView(assessment, index, service)] : []));
    const groups =
      section.kind === 'layer'
        ? tierOrder.flatMap((tier) => {
            const inTier = statements.filter((statement) => statement.tier === tier);
            return inTier.length === 0 ? [] : [{ label: tierLabel(service.catalogue, tier), statements: inTier }];
          })
        : [{ label: null, statements }];
    const saved = statements.find((statement) => statement.id === request.query.saved);
    const frame = assessmentFrame(assessment, request.viewer);
    return reply.view('assessments/section.njk', {
      pageTitle: `${section.label}: ${frame.title}`,
      ...frame,
      section,
      groups,
      progressText: progressText(progressOf(statements.map((statement) => statement.rating))),
      previous: sections[position - 1] === undefined ? null : { ...sections[position - 1]!, href: `/assessments/${assessment.id}/sections/${sections[position - 1]!.id}` },
      next: sections[position + 1] === undefined ? null : { ...sections[position + 1]!, href: `/assessments/${assessment.id}/sections/${sections[position + 1]!.id}` },
      saved: saved === undefined ? undefined : { id: saved.id, text: saved.text.length > 120 ? `${saved.text.slice(0, 117)}…` : saved.text },
    });
  });

  app.get<{ Params: { id: string; statementId: string }; Querystring: { attached?: string; removed?: string; saved?: string } }>(
    '/assessments/:id/statements/:statementId',
    { schema: hidden, config: read },
    async (request, reply) => {
      const assessment = await service.get(request.viewer, request.params.id);
      if (isRefusal(assessment)) return refuse(request, reply, assessment);
      const notice = request.query.attached ? `${String(request.query.attached).slice(0, 200)} is attached.` : request.query.removed ? 'The file is removed.' : request.query.saved ? 'The previous statement’s rating is saved.' : undefined;
      return showRatingPage(request, reply, service, assessment, request.params.statementId, { notice });
    },
  );

  app.post<{ Params: { id: string; statementId: string }; Body: FormBody }>('/assessments/:id/statements/:statementId', { schema: hidden, config: write }, async (request, reply) => {
    const { id, statementId } = request.params;
    const body = request.body ?? {};
    const outcome = await service.rate(request.viewer, id, statementId, body, request.ip);
    if (outcome.outcome === 'saved') {
      if (wantsJson(request)) return reply.send({ saved: true, version: outcome.rating.version, updatedAt: outcome.rating.updatedAt });
      const assessment = await service.get(request.viewer, id);
      if (isRefusal(assessment)) return refuse(request, reply, assessment);
      const index = assessment.statements.findIndex((statement) => statement.id === statementId);
      const next = assessment.statements[index + 1];
      if (fieldText(body.then) === 'next' && next !== undefined) return reply.redirect(`/assessments/${id}/statements/${encodeURIComponent(next.id)}?saved=1`, 303);
      return reply.redirect(`/assessments/${id}/sections/${sectionIdOf(assessment.statements[index]!)}?saved=${encodeURIComponent(statementId)}#${encodeURIComponent(statementId)}`, 303);
    }
    if (outcome.outcome === 'conflict') {
      if (wantsJson(request)) return reply.code(409).send({ conflict: true, current: ratingJson(outcome.current) });
      const assessment = await service.get(request.viewer, id);
      if (isRefusal(assessment)) return refuse(request, reply, assessment);
      // Keep what this person sent, show what the other saved, and let a second save knowingly replace it.
      return showRatingPage(request, reply.code(409), service, assessment, statementId, { body, conflict: { current: outcome.current, yours: bodyValues(body) } });
    }
    const refusal = outcome.refusal;
    if (refusal.statusCode === 422 && refusal.errors?.every((error) => error.field !== 'statement_id')) {
      // Saving as you go sends half-finished forms by design: only a form someone chose to save is a refusal worth recording.
      if (wantsJson(request)) return reply.code(422).send({ statusCode: 422, message: refusal.message, errors: refusal.errors });
      await auditRefusal(service, request, id, 'assessment-rated', refusal, { statement: statementId.slice(0, 60), fields: refusal.errors.map((error) => error.field) });
      const assessment = await service.get(request.viewer, id);
      if (isRefusal(assessment)) return refuse(request, reply, assessment);
      return showRatingPage(request, reply.code(422), service, assessment, statementId, { body, errors: refusal.errors });
    }
    // The service records stale saves; refusals of who may rate, of a locked assessment and of a statement out of scope are recorded here.
    await auditRefusal(service, request, id, 'assessment-rated', refusal, { statement: statementId.slice(0, 60) });
    return refuse(request, reply, refusal);
  });

  registerEvidenceRoutes(app, service, showRatingPage);
}
