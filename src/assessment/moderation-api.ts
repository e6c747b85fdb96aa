/**
 * The moderator's view of a moderation in the API: the sampled statements' wording and the
 * moderator's own ratings; the self-ratings only once the moderator has submitted (`self` is null
 * until then). The response schema lists every field, so nothing else (a note, a confidence) can
 * be serialised even by mistake.
 */
import type { FastifyInstance } from 'fastify';
import { levelName } from './scale.js';
import { apiErrorSchema } from '../web/errors.js';
import type { AssessmentService } from './service.js';
import type { ComparisonRow } from './moderation.js';
import { isModeratorOf, moderationComparison, moderatorRatings, readModeration, sampledStatements } from './moderation.js';
import { readAssessmentSummary } from './store.js';
import { blindStatuses } from './tables.js';
import { moderationStatuses } from './tables.js';

const answerSchema = {
  type: 'object',
  required: ['level', 'level_name', 'not_applicable'],
  additionalProperties: false,
  properties: {
    level: { type: ['integer', 'null'], description: '1 not yet in place, 2 developing, 3 established, 4 embedded; null when not applicable or not rated' },
    level_name: { type: ['string', 'null'] },
    not_applicable: { type: 'boolean' },
  },
} as const;

const moderationSchema = {
  type: 'object',
  required: ['id', 'status', 'organisation', 'scope', 'period', 'sample_size', 'statements'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: [...moderationStatuses] },
    organisation: { type: 'string', description: 'The organisation whose assessment is moderated' },
    scope: { type: 'string' },
    period: { type: 'string' },
    sample_size: { type: 'integer', description: 'How many statements the moderator rates' },
    statements: {
      type: 'array',
      items: {
        type: 'object',
        required: ['statement_id', 'text', 'moderator', 'moderator_comment', 'self', 'agreed'],
        additionalProperties: false,
        properties: {
          statement_id: { type: 'string' },
          text: { type: 'string', description: 'The wording the assessment rates' },
          moderator: answerSchema,
          moderator_comment: { type: 'string' },
          self: { anyOf: [answerSchema, { type: 'null' }], description: 'The self-rating: null until the moderator has submitted their ratings (blind moderation)' },
          agreed: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['level', 'level_name', 'not_applicable', 'comment', 'by', 'at'],
                properties: { ...answerSchema.properties, comment: { type: 'string' }, by: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
              },
              { type: 'null' },
            ],
          },
        },
      },
    },
  },
} as const;

function answer(level: number | null, notApplicable: boolean) {
  return { level: notApplicable ? null : level, level_name: notApplicable ? null : levelName(level), not_applicable: notApplicable };
}

export function registerModerationApi(app: FastifyInstance, service: AssessmentService): void {
  const db = service.db;
  app.get<{ Params: { moderationId: string } }>(
    '/api/v1/moderation/:moderationId',
    {
      config: { permission: 'assessments:moderate' },
      schema: {
        summary: 'A moderation, as its moderator sees it',
        description:
          'The sampled statements with the moderator’s own ratings. The self-ratings are withheld (`self` is null) until the moderator submits their ratings; afterwards each statement carries the self-rating and any agreed rating. Only the invited moderator may read it.',
        tags: ['Assessments'],
        params: { type: 'object', required: ['moderationId'], properties: { moderationId: { type: 'string', description: 'The moderation’s id (a UUID)' } } },
        response: { 200: { description: 'The moderation', ...moderationSchema }, 404: { ...apiErrorSchema, description: 'No such moderation for which the caller is the moderator' } },
      },
    },
    async (request, reply) => {
      const moderation = await readModeration(db, request.params.moderationId);
      const summary = moderation === undefined ? undefined : await readAssessmentSummary(db, moderation.assessmentId);
      if (moderation === undefined || summary === undefined || !isModeratorOf(request.viewer, moderation)) {
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'There is no moderation at this address for which you are the moderator.', requestId: request.id });
      }
      const blind = blindStatuses.includes(moderation.status) || moderation.submittedAt === null || moderation.status === 'withdrawn';
      const statements = await sampledStatements(db, moderation);
      const own = await moderatorRatings(db, moderation);
      const compared = new Map<string, ComparisonRow>((blind ? [] : await moderationComparison(db, moderation)).map((row) => [row.statementId, row]));
      await service.audit(request.viewer, 'assessment-moderation-read', summary, summary.id, request.ip, { moderation: moderation.id, status: moderation.status, api: true });
      return {
        id: moderation.id,
        status: moderation.status,
        organisation: summary.organisationName,
        scope: summary.scope,
        period: summary.period,
        sample_size: statements.length,
        statements: statements.map((statement) => {
          const mine = own.get(statement.id);
          const row = compared.get(statement.id);
          return {
            statement_id: statement.id,
            text: statement.text,
            moderator: answer(mine?.level ?? null, mine?.notApplicable ?? false),
            moderator_comment: mine?.comment ?? '',
            self: row === undefined ? null : answer(row.selfLevel, row.selfNotApplicable),
            agreed: row?.agreedAt ? { ...answer(row.agreedLevel, row.agreedNotApplicable), comment: row.agreedComment, by: row.agreedBy ?? '', at: row.agreedAt.toISOString() } : null,
          };
        }),
      };
    },
  );
}
