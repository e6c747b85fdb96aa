/**
 * Self-assessments through the API: list, start, read with every rating, and save one rating under
 * the version read. Every rule (reach, the scale, the version check, locking after sign-off, the
 * audit) is AssessmentService's: these routes only translate between JSON and it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { levelName } from './scale.js';
import type { FieldError } from './rating-input.js';
import type { AssessmentService, Refusal } from './service.js';
import { isRefusal } from './service.js';
import { isAssessmentScope, isPeriod } from './scope.js';
import type { Assessment, AssessmentSummary, Rating } from './store.js';
import { isUuid } from './store.js';
import { assessmentScopes, assessmentStatuses, confidenceLevels } from './tables.js';
import type { AssessmentStatus } from './tables.js';

const read = { permission: 'assessments:read' } as const;
const write = { permission: 'assessments:write' } as const;
const tags = ['Assessments'];

const levelNames = ['not-yet-in-place', 'developing', 'established', 'embedded'] as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The assessment’s id (a UUID)' } } } as const;

const nullableString = { type: ['string', 'null'] } as const;

const summarySchema = {
  type: 'object',
  required: ['id', 'organisation', 'scope', 'period', 'status', 'catalogue_version', 'catalogue_revision', 'rated', 'total', 'owner', 'created_at', 'href'],
  properties: {
    id: { type: 'string' },
    organisation: {
      type: 'object',
      required: ['id', 'name', 'kind'],
      properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string', description: 'local-authority, setting or partner' }, la: { type: 'string', description: 'GSS code of its authority' } },
    },
    scope: { type: 'string', enum: [...assessmentScopes], description: 'threads (the ten golden threads) or a template, T1 to T5' },
    period: { type: 'string', description: 'e.g. 2025/26' },
    status: { type: 'string', enum: [...assessmentStatuses] },
    catalogue_version: { type: 'string', description: 'The framework catalogue the assessment rates' },
    catalogue_revision: { type: 'integer', description: 'The catalogue revision (0: as published) whose wording the assessment copied' },
    rated: { type: 'integer', description: 'Statements rated (a level or not applicable) in this assessment, not merely carried forward' },
    total: { type: 'integer', description: 'Statements in the assessment' },
    owner: { type: 'string', description: 'Who started it' },
    created_at: { type: 'string', format: 'date-time' },
    submitted_at: { ...nullableString, format: 'date-time' },
    signed_off_at: { ...nullableString, format: 'date-time' },
    signed_off_by: { ...nullableString, description: 'Who signed it off' },
    previous_id: { ...nullableString, description: 'The same organisation’s assessment of the same scope for an earlier period, that this one carried forward' },
    version: { type: 'integer' },
    href: { type: 'string', description: 'This assessment in the API' },
    html: { type: 'string', description: 'This assessment’s page' },
  },
} as const;

const ratingProperties = {
  level: { type: ['integer', 'null'], minimum: 1, maximum: 4, description: '1 not yet in place, 2 developing, 3 established, 4 embedded; null when not rated or not applicable' },
  level_name: { type: ['string', 'null'], enum: [...levelNames, null] },
  not_applicable: { type: 'boolean' },
  not_applicable_reason: { type: 'string' },
  note: { type: 'string', description: 'The evidence, in words' },
  links: { type: 'array', items: { type: 'object', required: ['url', 'title'], properties: { url: { type: 'string' }, title: { type: 'string' } } } },
  confidence: { type: ['string', 'null'], enum: [...confidenceLevels, null], description: 'Confidence in the evidence' },
  next_step: { type: 'string', description: 'What would make this better' },
  next_step_owner: { type: 'string' },
  next_step_due: { ...nullableString, format: 'date' },
  carried_forward: { type: 'boolean', description: 'Carried from the previous period and not rated again since' },
  version: { type: 'integer', description: 'Send it back with a change (0: never rated); a change from an older version is refused (409)' },
  updated_by: nullableString,
  updated_at: { ...nullableString, format: 'date-time' },
} as const;

const ratingSchema = { type: 'object', required: Object.keys(ratingProperties), properties: ratingProperties } as const;

const evidenceFileSchema = {
  type: 'object',
  required: ['id', 'filename', 'media_type', 'size_bytes', 'download'],
  properties: {
    id: { type: 'string' },
    filename: { type: 'string' },
    media_type: { type: 'string' },
    size_bytes: { type: 'integer' },
    uploaded_by: { type: 'string' },
    uploaded_at: { type: 'string', format: 'date-time' },
    carried_forward: { type: 'boolean' },
    download: { type: 'string', description: 'Where to download it (with the same access token)' },
  },
} as const;

const statementSchema = {
  type: 'object',
  required: ['statement_id', 'kind', 'template', 'layer', 'tier', 'thread', 'text', 'rating', 'evidence_files'],
  properties: {
    statement_id: { type: 'string', description: 'The statement’s stable id in the catalogue' },
    kind: { type: 'string', description: 'golden-thread, thread-means, general-condition, matrix-statement, principle or principle-point' },
    template: { type: ['integer', 'null'] },
    layer: nullableString,
    tier: nullableString,
    thread: nullableString,
    parent_id: nullableString,
    text: { type: 'string', description: 'The wording this assessment rates (copied when it started)' },
    rating: ratingSchema,
    evidence_files: { type: 'array', items: evidenceFileSchema },
  },
} as const;

const assessmentSchema = {
  type: 'object',
  required: [...summarySchema.required, 'statements'],
  properties: { ...summarySchema.properties, statements: { type: 'array', items: statementSchema } },
} as const;

const validationErrorSchema = {
  ...apiErrorSchema,
  properties: {
    ...apiErrorSchema.properties,
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } }, description: 'Each field that is wrong, and why' },
  },
} as const;

const conflictSchema = {
  ...apiErrorSchema,
  properties: { ...apiErrorSchema.properties, current: { ...ratingSchema, description: 'The rating as it is stored now (absent when the assessment itself no longer takes changes)' } },
} as const;

/** The rating's fields a PUT may carry; anything else is refused by name rather than dropped. */
const ratingBodyProperties = {
  version: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'The version read (0 for a statement never rated). Required.' },
  level: { anyOf: [{ type: 'integer' }, { type: 'string' }, { type: 'null' }], description: '1 to 4 or its name (not-yet-in-place, developing, established, embedded); null or absent: not rated' },
  not_applicable: { type: 'boolean', description: 'true: the statement does not apply (then not_applicable_reason is required and level is ignored)' },
  not_applicable_reason: { type: 'string' },
  note: { type: 'string', description: 'Up to 10,000 characters' },
  links: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, title: { type: 'string' } } }, description: 'Up to 20, each an http(s) address' },
  confidence: { type: ['string', 'null'], description: 'low, medium or high' },
  next_step: { type: 'string' },
  next_step_owner: { type: 'string' },
  next_step_due: { type: ['string', 'null'], description: 'YYYY-MM-DD' },
} as const;

const newAssessmentProperties = {
  organisation_id: { type: 'string', description: 'The organisation assessed: the caller’s own, or for an authority-wide grant one of the authority’s settings or partners' },
  scope: { type: 'string', description: `One of ${assessmentScopes.join(', ')}` },
  period: { type: 'string', description: 'The year, written like 2025/26' },
} as const;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function summaryJson(assessment: AssessmentSummary) {
  return {
    id: assessment.id,
    organisation: { id: assessment.organisationId, name: assessment.organisationName, kind: assessment.organisationKind, la: assessment.laCode },
    scope: assessment.scope,
    period: assessment.period,
    status: assessment.status,
    catalogue_version: assessment.catalogueVersion,
    catalogue_revision: assessment.catalogueRevision,
    rated: assessment.rated,
    total: assessment.total,
    owner: assessment.ownerLabel,
    created_at: assessment.createdAt.toISOString(),
    submitted_at: iso(assessment.submittedAt),
    signed_off_at: iso(assessment.signedOffAt),
    signed_off_by: assessment.signedOffBy,
    previous_id: assessment.previousId,
    version: assessment.version,
    href: `/api/v1/assessments/${assessment.id}`,
    html: `/assessments/${assessment.id}`,
  };
}

export function ratingJson(rating: Rating) {
  return {
    level: rating.level,
    level_name: levelName(rating.level),
    not_applicable: rating.notApplicable,
    not_applicable_reason: rating.notApplicableReason,
    note: rating.note,
    links: rating.links,
    confidence: rating.confidence,
    next_step: rating.nextStep,
    next_step_owner: rating.nextStepOwner,
    next_step_due: rating.nextStepDue,
    carried_forward: rating.carriedForward,
    version: rating.version,
    updated_by: rating.updatedBy,
    updated_at: iso(rating.updatedAt),
  };
}

function assessmentJson(assessment: Assessment) {
  const files = Map.groupBy(assessment.evidence, (file) => file.statementId);
  return {
    ...summaryJson(assessment),
    statements: assessment.statements.map((statement, index) => ({
      statement_id: statement.id,
      kind: statement.kind,
      template: statement.template,
      layer: statement.layer,
      tier: statement.tier,
      thread: statement.thread,
      parent_id: statement.parentId,
      text: statement.text,
      rating: ratingJson(assessment.ratings[index]!),
      evidence_files: (files.get(statement.id) ?? []).map((file) => ({
        id: file.id,
        filename: file.filename,
        media_type: file.mediaType,
        size_bytes: file.sizeBytes,
        uploaded_by: file.uploadedBy,
        uploaded_at: file.uploadedAt.toISOString(),
        carried_forward: file.carriedForward,
        download: `/api/v1/assessments/${assessment.id}/evidence/${file.id}`,
      })),
    })),
  };
}

const errorWords: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity' };

function send(request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string, extra: object = {}) {
  return reply.code(statusCode).send({ statusCode, error: errorWords[statusCode] ?? 'Error', message, requestId: request.id, ...extra });
}

function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal) {
  const errors = refusal.errors?.map((error) => ({ field: error.field, message: error.text }));
  const message = errors === undefined || errors.length === 0 ? refusal.message : `${refusal.message}: ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`;
  return send(request, reply, refusal.statusCode, message, errors === undefined ? {} : { errors });
}

/** A body that did not match the route's schema, as the field-by-field refusal the service gives. */
function schemaRefusal(error: Error & { validation?: FastifySchemaValidationError[] }, what: string): Refusal {
  const errors: FieldError[] = (error.validation ?? []).map((problem) => {
    const missing = (problem.params as { missingProperty?: string }).missingProperty;
    const field = missing ?? (problem.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body');
    return { field, text: missing === undefined ? `${field} ${problem.message ?? 'is not valid'}` : `${field} is required` };
  });
  return { statusCode: 422, message: what, errors: errors.length > 0 ? errors : [{ field: 'body', text: error.message }] };
}

function unknownFields(body: unknown, known: readonly string[], what: string): Refusal | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { statusCode: 422, message: what, errors: [{ field: 'body', text: 'The body must be a JSON object' }] };
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length === 0) return undefined;
  return { statusCode: 422, message: what, errors: unknown.map((field) => ({ field, text: `${field} is not a field here (the fields are ${known.join(', ')})` })) };
}

interface ListQuery {
  organisation?: string;
  scope?: string;
  period?: string;
  status?: string;
}

/**
 * The assessments API. Reach and rules are AssessmentService's; an assessment the caller may not
 * read answers 404, as one that does not exist does. Personal access tokens with the
 * assessments:read (and for changes assessments:write) scope work as on every API route, and
 * need no CSRF token.
 */
export function registerAssessmentsApi(app: FastifyInstance, service: AssessmentService): void {
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/assessments',
    {
      config: read,
      schema: {
        summary: 'Self-assessments in reach',
        description:
          'Every assessment the caller may read (their organisation’s; an authority-wide grant: every organisation of the authority; a regional adviser: the region’s), the latest period first, with how many statements are rated.',
        tags,
        querystring: {
          type: 'object',
          properties: {
            organisation: { type: 'string', description: 'Only this organisation’s (its id)' },
            scope: { type: 'string', description: `One of ${assessmentScopes.join(', ')}` },
            period: { type: 'string', description: 'e.g. 2025/26' },
            status: { type: 'string', description: `One of ${assessmentStatuses.join(', ')}` },
          },
        },
        response: {
          200: { description: 'The assessments', type: 'object', required: ['assessments'], properties: { assessments: { type: 'array', items: summarySchema } } },
          422: { ...validationErrorSchema, description: 'A filter is not one of its allowed values: `errors` names it' },
        },
      },
    },
    async (request, reply) => {
      const { organisation, scope, period, status } = request.query;
      const errors: FieldError[] = [];
      if (organisation !== undefined && !isUuid(organisation)) errors.push({ field: 'organisation', text: `organisation must be an organisation’s id (a UUID); “${organisation.slice(0, 40)}” is not` });
      if (scope !== undefined && !isAssessmentScope(scope)) errors.push({ field: 'scope', text: `scope must be one of ${assessmentScopes.join(', ')}` });
      if (period !== undefined && !isPeriod(period)) errors.push({ field: 'period', text: 'period must be a year written like 2025/26' });
      if (status !== undefined && !(assessmentStatuses as readonly string[]).includes(status)) errors.push({ field: 'status', text: `status must be one of ${assessmentStatuses.join(', ')}` });
      if (errors.length > 0) return sendRefusal(request, reply, { statusCode: 422, message: 'The filters are not valid', errors });
      const found = await service.list(request.viewer, {
        ...(organisation === undefined ? {} : { organisationIds: [organisation] }),
        ...(scope === undefined || !isAssessmentScope(scope) ? {} : { scope }),
        ...(period === undefined ? {} : { period }),
        ...(status === undefined ? {} : { status: status as AssessmentStatus }),
      });
      return { assessments: found.map(summaryJson) };
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/assessments',
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Start a self-assessment',
        description:
          'Starts an assessment of one scope for one period: the wording of every statement in scope is copied from the current catalogue, and the organisation’s previous assessment of the same scope (if any) is carried forward, each rating marked carried_forward until rated again. Needs assessments:write for the organisation.',
        tags,
        body: { type: 'object', required: ['organisation_id', 'scope', 'period'], properties: newAssessmentProperties },
        response: {
          201: { description: 'Started; Location says where it is', ...summarySchema },
          409: { ...validationErrorSchema, description: 'The organisation already has an assessment of this scope for this period' },
          422: { ...validationErrorSchema, description: 'A field is wrong or missing (`errors` names each), or the organisation is not one the caller may assess; nothing was created' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The assessment could not be started';
      if (request.validationError !== undefined) return sendRefusal(request, reply, schemaRefusal(request.validationError, what));
      const unknown = unknownFields(request.body, Object.keys(newAssessmentProperties), what);
      if (unknown !== undefined) return sendRefusal(request, reply, unknown);
      const started = await service.start(request.viewer, request.body, request.ip);
      if (isRefusal(started)) return sendRefusal(request, reply, started);
      const summary = await service.summary(request.viewer, started.id);
      if (isRefusal(summary)) return sendRefusal(request, reply, summary);
      return reply.code(201).header('Location', `/api/v1/assessments/${started.id}`).send(summaryJson(summary));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/assessments/:id',
    {
      config: read,
      schema: {
        summary: 'One self-assessment with every rating',
        description:
          'The assessment’s summary and each statement it rates, in order, with the wording it rated, its rating (version 0 when never rated: send 0 to rate it), and its evidence files.',
        tags,
        params: idParams,
        response: { 200: { description: 'The assessment', ...assessmentSchema }, 404: { ...apiErrorSchema, description: 'No such assessment within the caller’s reach' } },
      },
    },
    async (request, reply) => {
      const assessment = await service.get(request.viewer, request.params.id);
      if (isRefusal(assessment)) return sendRefusal(request, reply, assessment);
      return assessmentJson(assessment);
    },
  );

  app.put<{ Params: { id: string; statementId: string }; Body: Record<string, unknown> }>(
    '/api/v1/assessments/:id/ratings/:statementId',
    {
      config: write,
      attachValidation: true,
      schema: {
        summary: 'Rate one statement',
        description:
          'Replaces the statement’s rating (a field left out is emptied) if it is still at `version`, checked as the rating page checks it. A stale version changes nothing and answers 409 with the rating as it stands; an assessment submitted or signed off answers 409 too. Needs assessments:write for the assessment’s organisation; with an access token, no CSRF token is needed.',
        tags,
        params: { type: 'object', required: ['id', 'statementId'], properties: { id: idParams.properties.id, statementId: { type: 'string', description: 'e.g. GT01 or T1-FRONTLINE-UNIVERSAL-03' } } },
        body: { type: 'object', required: ['version'], properties: ratingBodyProperties },
        response: {
          200: { description: 'Saved: the rating as it now stands, with its new version', ...ratingSchema },
          403: { ...apiErrorSchema, description: 'The caller may read this assessment but not rate it' },
          404: { ...apiErrorSchema, description: 'No such assessment within the caller’s reach' },
          409: { ...conflictSchema, description: 'Someone saved since that version (`current` is what is stored now), or the assessment is submitted or signed off; nothing was saved' },
          422: { ...validationErrorSchema, description: 'A field is wrong, or the statement is not in the assessment’s scope: `errors` names each; nothing was saved' },
        },
      },
    },
    async (request, reply) => {
      const what = 'The rating could not be saved';
      const { id, statementId } = request.params;
      const invalid = request.validationError !== undefined ? schemaRefusal(request.validationError, what) : unknownFields(request.body, Object.keys(ratingBodyProperties), what);
      if (invalid !== undefined) {
        // Reach first: an assessment out of reach answers 404 whatever the body says.
        const summary = await service.summary(request.viewer, id);
        if (isRefusal(summary)) return sendRefusal(request, reply, summary);
        await service.audit(request.viewer, 'assessment-rated', summary, id, request.ip, { statement: statementId, refused: invalid.errors?.map((error) => error.field) ?? [] }, 'failure');
        return sendRefusal(request, reply, invalid);
      }
      const outcome = await service.rate(request.viewer, id, statementId, request.body, request.ip);
      if (outcome.outcome === 'saved') return ratingJson(outcome.rating);
      if (outcome.outcome === 'conflict') {
        return send(
          request,
          reply,
          409,
          `The rating of ${statementId} was changed by ${outcome.current.updatedBy ?? 'someone else'} since version ${String(request.body.version)}: it is now at version ${outcome.current.version}. Nothing was saved; read it again and decide.`,
          { current: ratingJson(outcome.current) },
        );
      }
      const summary = outcome.refusal.statusCode === 404 ? undefined : await service.summary(request.viewer, id);
      if (summary !== undefined && !isRefusal(summary)) {
        await service.audit(request.viewer, 'assessment-rated', summary, id, request.ip, { statement: statementId, refused: outcome.refusal.errors?.map((error) => error.field) ?? outcome.refusal.message }, outcome.refusal.statusCode === 403 ? 'denied' : 'failure');
      }
      return sendRefusal(request, reply, outcome.refusal);
    },
  );

  app.get<{ Params: { id: string; fileId: string } }>(
    '/api/v1/assessments/:id/evidence/:fileId',
    {
      config: read,
      schema: {
        summary: 'Download an evidence file',
        description: 'The file’s bytes, as uploaded, for someone who may read the assessment. Every download is audited.',
        tags,
        params: { type: 'object', required: ['id', 'fileId'], properties: { id: idParams.properties.id, fileId: { type: 'string', description: 'The file’s id, from the assessment’s evidence_files' } } },
        response: { 200: { description: 'The file', type: 'string', format: 'binary' }, 404: { ...apiErrorSchema, description: 'No such file in an assessment within the caller’s reach' } },
      },
    },
    async (request, reply) => {
      const file = await service.evidenceDownload(request.viewer, request.params.id, request.params.fileId, request.ip);
      if (isRefusal(file)) return sendRefusal(request, reply, file);
      return reply
        .header('Content-Type', file.mediaType)
        .header('Content-Disposition', `attachment; filename="${file.filename.replace(/[^\w.\- ]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('X-Content-Type-Options', 'nosniff')
        .send(file.content);
    },
  );
}
