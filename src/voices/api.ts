/**
 * Surveys in the JSON API: the surveys of the authorities whose aggregates the caller may read,
 * and a survey's results, aggregates only, released as on the page. Free-text answers are never
 * in the API.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { allLocalAuthorities } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { mayReadResults, mayWriteSurveys } from './access.js';
import { oneDecimal, surveyResults } from './results.js';
import { listSurveys, readSurvey } from './store.js';
import type { Survey } from './store.js';

const tags = ['Surveys'];
const nullableNumber = { type: ['number', 'null'] } as const;

const surveySchema = {
  type: 'object',
  required: ['id', 'authority', 'title', 'audience', 'state', 'opensOn', 'closesOn', 'asksGroups', 'responses', 'results'],
  properties: {
    id: { type: 'string' },
    authority: { type: 'string', description: 'GSS code of the authority that runs it' },
    title: { type: 'string' },
    audience: { type: 'string', enum: ['children', 'parents'] },
    state: { type: 'string', enum: ['draft', 'open', 'closed'] },
    opensOn: { type: ['string', 'null'], format: 'date' },
    closesOn: { type: ['string', 'null'], format: 'date' },
    asksGroups: { type: 'boolean', description: 'Whether respondents are asked which framework groups they are in (always optional for them)' },
    responses: { type: ['integer', 'null'], description: 'Responses received, rounded to 5 (null: 1 to 4, withheld)' },
    results: { type: ['string', 'null'], description: 'Where its results are (null for a draft)' },
  },
} as const;

const groupResultSchema = {
  type: 'object',
  required: ['group', 'group_label', 'comparator', 'group_count', 'group_value', 'group_lower', 'group_upper', 'comparator_count', 'comparator_value', 'gap', 'gap_lower', 'gap_upper', 'significant', 'suppressed', 'suppressed_reason'],
  properties: {
    group: { type: 'string', description: 'A framework group id' },
    group_label: { type: 'string' },
    comparator: { type: 'string', enum: ['all-other', 'all'] },
    group_count: { ...nullableNumber, description: 'Respondents who said they are in the group and answered (adjusted and rounded to 5)' },
    group_value: { ...nullableNumber, description: 'Percentage agreeing' },
    group_lower: { ...nullableNumber, description: 'Lower 95% limit (Wilson)' },
    group_upper: { ...nullableNumber, description: 'Upper 95% limit (Wilson)' },
    comparator_count: nullableNumber,
    comparator_value: nullableNumber,
    gap: { ...nullableNumber, description: 'Percentage points: the group’s value minus the comparator’s' },
    gap_lower: { ...nullableNumber, description: 'Lower 95% limit of the gap (Newcombe)' },
    gap_upper: nullableNumber,
    significant: { type: ['boolean', 'null'] },
    suppressed: { type: 'boolean', description: 'Withheld: 1 to 4 respondents on a side, or 1 to 4 agreeing or not agreeing' },
    suppressed_reason: { type: ['string', 'null'] },
  },
} as const;

function surveyJson(survey: Survey) {
  const shown = survey.responses >= 1 && survey.responses <= 4 ? null : Math.round(survey.responses / 5) * 5;
  return {
    id: survey.id,
    authority: survey.laCode,
    title: survey.title,
    audience: survey.audience,
    state: survey.state,
    opensOn: survey.opensOn,
    closesOn: survey.closesOn,
    asksGroups: survey.asksGroups,
    responses: shown,
    results: survey.state === 'draft' ? null : `/api/v1/surveys/${survey.id}/results`,
  };
}

export function registerVoicesApi(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: { authority?: string } }>(
    '/api/v1/surveys',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'Surveys of children and parents the caller may see',
        description: 'The open and closed surveys of every authority whose aggregates the caller may read (and, for those who build an authority’s surveys, its drafts too). Filter by one authority’s GSS code.',
        tags,
        querystring: { type: 'object', properties: { authority: { type: 'string', description: 'GSS code of one authority' } } },
        response: { 200: { description: 'The surveys, newest first', type: 'array', items: surveySchema } },
      },
    },
    async (request) => {
      const viewer = request.viewer;
      const codes = allLocalAuthorities().map((la) => la.gss).filter((code) => (request.query.authority === undefined || code === request.query.authority) && mayReadResults(viewer, code));
      const surveys = await listSurveys(db, codes);
      return surveys.filter((survey) => survey.state !== 'draft' || mayWriteSurveys(viewer, survey.laCode)).map(surveyJson);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { comparator?: 'all-other' | 'all' } }>(
    '/api/v1/surveys/:id/results',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'A survey’s results by group',
        description:
          'For each closed question (Likert, yes/no, single choice): the percentage of all respondents agreeing, and for each framework group (as respondents declared it) the percentage agreeing with its 95% Wilson interval against the respondents who said they are not in it (all-other) or against all respondents (all), the gap with its 95% interval and significance. Counts are adjusted and rounded to 5, and a side with 1 to 4 respondents, or 1 to 4 agreeing or not agreeing, is withheld, as in the gap matrix. Free-text answers are never given.',
        tags,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        querystring: { type: 'object', properties: { comparator: { type: 'string', enum: ['all-other', 'all'], default: 'all-other' } } },
        response: {
          200: {
            description: 'The results',
            type: 'object',
            required: ['survey', 'comparator', 'questions'],
            properties: {
              survey: surveySchema,
              comparator: { type: 'string', enum: ['all-other', 'all'] },
              questions: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'number', 'text', 'kind', 'agreeing', 'polarity', 'all', 'groups'],
                  properties: {
                    id: { type: 'string' },
                    number: { type: 'integer' },
                    text: { type: 'string' },
                    kind: { type: 'string', enum: ['likert', 'yes-no', 'choice'] },
                    agreeing: { type: 'array', items: { type: 'string' }, description: 'The answers that count as agreeing (Likert 1 to 5; yes or no; the choices)' },
                    polarity: { type: 'string', enum: ['higher-is-better', 'lower-is-better'] },
                    all: { type: ['object', 'null'], properties: { count: { type: 'number' }, value: nullableNumber, lower: nullableNumber, upper: nullableNumber }, description: 'All respondents to the question; null when withheld' },
                    groups: { type: 'array', items: groupResultSchema },
                  },
                },
              },
            },
          },
          404: { ...apiErrorSchema, description: 'No survey with this id that the caller may see' },
        },
      },
    },
    async (request, reply) => {
      const survey = await readSurvey(db, request.params.id);
      if (survey === undefined || survey.state === 'draft' || !mayReadResults(request.viewer, survey.laCode)) return reply.callNotFound();
      const results = await surveyResults(db, survey, request.query.comparator === 'all' ? 'all' : 'all-other');
      return {
        survey: surveyJson(survey),
        comparator: results.comparator,
        questions: results.questions.map((result) => ({
          id: result.question.id,
          number: result.question.position,
          text: result.question.text,
          kind: result.question.kind,
          agreeing: result.question.agreeing,
          polarity: result.question.polarity,
          all: result.all === null ? null : { count: result.all.count, value: oneDecimal(result.all.value), lower: oneDecimal(result.all.lower), upper: oneDecimal(result.all.upper) },
          groups: result.groups.map((group) => ({
            group: group.group,
            group_label: group.groupLabel,
            comparator: group.comparator,
            group_count: group.groupCount,
            group_value: oneDecimal(group.groupValue),
            group_lower: oneDecimal(group.groupLower),
            group_upper: oneDecimal(group.groupUpper),
            comparator_count: group.comparatorCount,
            comparator_value: oneDecimal(group.comparatorValue),
            gap: oneDecimal(group.gap),
            gap_lower: oneDecimal(group.gapLower),
            gap_upper: oneDecimal(group.gapUpper),
            significant: group.significant,
            suppressed: group.suppressed,
            suppressed_reason: group.suppressedReason,
          })),
        })),
      };
    },
  );
}
