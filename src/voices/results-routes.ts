/**
 * A survey's results page (whoever may read the authority's aggregates): per closed question, a
 * chart of the percentage agreeing by group with its table beside it, and the published
 * quotations. The free-text answers page, with the personal-data check and publishing, is only for
 * staff with `surveys:read-answers`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { TopLevelSpec } from 'vega-lite';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { chartColours, renderChart } from '../web/charts.js';
import { formatPercent, formatSigned } from '../web/format.js';
import { labelOf, mayReadAnswers, mayReadResults, mayWriteSurveys } from './access.js';
import { audienceLabels, stateLabels } from './manage-routes.js';
import { freeTextAnswers, publishQuotation, publishedQuotations, withdrawQuotation } from './quotations.js';
import type { QuestionResult, ViewsComparator } from './results.js';
import { surveyResults } from './results.js';
import type { Survey } from './store.js';
import { SurveyRefused, readSurvey } from './store.js';

const hidden = { hide: true } as const;
type Body = Record<string, string | string[] | undefined>;
const text = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '');

const percentText = (value: number | null) => (value === null ? 'c' : formatPercent(value, 1));
const intervalText = (lower: number | null, upper: number | null) => (lower === null || upper === null ? '–' : `${formatPercent(lower, 1)} to ${formatPercent(upper, 1)}`);

/** A question's chart: the percentage agreeing of all respondents and of each group shown, with their 95% intervals. */
async function questionChart(result: QuestionResult): Promise<{ svg: string; description: string } | null> {
  const bars = [
    ...(result.all === null || result.all.value === null ? [] : [{ label: 'All respondents', value: result.all.value, lower: result.all.lower, upper: result.all.upper, kind: 'All respondents' }]),
    ...result.groups.filter((group) => !group.suppressed && group.groupValue !== null).map((group) => ({ label: group.groupLabel, value: group.groupValue!, lower: group.groupLower, upper: group.groupUpper, kind: 'Group' })),
  ];
  if (bars.length < 2) return null;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 300,
    data: { values: bars },
    encoding: { y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 220 } } },
    layer: [
      { mark: { type: 'bar', height: 14 }, encoding: { x: { field: 'value', type: 'quantitative', title: 'Percentage agreeing', scale: { domain: [0, 100] } }, color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['All respondents', 'Group'], range: [chartColours.comparator, chartColours.group] } } } },
      { mark: { type: 'rule', color: chartColours.text }, encoding: { x: { field: 'lower', type: 'quantitative' }, x2: { field: 'upper' } } },
    ],
  };
  const description = `Bar chart of the percentage agreeing with “${result.question.text}”: ${bars.map((bar) => `${bar.label} ${formatPercent(bar.value, 1)}`).join('; ')}. The figures are in the table that follows.`;
  return { svg: await renderChart(spec, description), description };
}

export function registerResultsRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Params: { id: string }; Querystring: { comparator?: string } }>('/surveys/:id/results', { schema: hidden, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const survey = await readSurvey(db, request.params.id);
    if (survey === undefined || !mayReadResults(request.viewer, survey.laCode) || survey.state === 'draft') return reply.callNotFound();
    const comparator: ViewsComparator = request.query.comparator === 'all' ? 'all' : 'all-other';
    const [results, quotations] = await Promise.all([surveyResults(db, survey, comparator), publishedQuotations(db, survey)]);
    const questions = await Promise.all(
      results.questions.map(async (result) => ({
        id: result.question.id,
        number: result.question.position,
        text: result.question.text,
        polarityText: result.question.polarity === 'higher-is-better' ? 'Agreeing is good news.' : 'Agreeing is bad news.',
        allText: result.all === null ? 'withheld (too few respondents)' : `${percentText(result.all.value)} of ${result.all.count} agreed (95% interval ${intervalText(result.all.lower, result.all.upper)})`,
        chart: await questionChart(result),
        rows: result.groups.map((group) => ({
          label: group.groupLabel,
          count: group.groupCount === null ? 'c' : String(group.groupCount),
          value: percentText(group.groupValue),
          interval: group.suppressed ? 'c' : intervalText(group.groupLower, group.groupUpper),
          comparatorValue: percentText(group.comparatorValue),
          gap: group.suppressed ? 'c' : group.gap === null ? '–' : formatSigned(group.gap, 1),
          gapInterval: group.suppressed ? 'c' : intervalText(group.gapLower, group.gapUpper),
          significance: group.suppressed ? 'withheld' : group.significant === null ? 'not known' : group.significant ? 'significant' : 'not significant',
        })),
      })),
    );
    return reply.view('voices/results.njk', {
      pageTitle: `Results: ${survey.title}`,
      breadcrumbs: mayWriteSurveys(request.viewer, survey.laCode) ? [{ text: 'Surveys', href: '/surveys/manage' }, { text: survey.title, href: `/surveys/manage/${survey.id}` }] : [],
      survey,
      authorityName: localAuthorityByGss(survey.laCode)?.name ?? survey.laCode,
      stateLabel: stateLabels[survey.state],
      audienceLabel: audienceLabels[survey.audience],
      comparator,
      comparatorText: comparator === 'all' ? 'all respondents' : 'respondents who said they are not in the group',
      questions,
      quotations,
      mayReadAnswers: mayReadAnswers(request.viewer, survey.laCode),
    });
  });

  async function answersSurvey(viewer: Viewer, id: string): Promise<Survey | undefined> {
    const survey = await readSurvey(db, id);
    return survey !== undefined && mayReadAnswers(viewer, survey.laCode) ? survey : undefined;
  }

  async function answersPage(request: FastifyRequest, reply: FastifyReply, survey: Survey, errors: { text: string; href: string }[] = [], edited: Record<string, string> = {}) {
    const answers = await freeTextAnswers(db, survey);
    await appendAudit(db, { action: 'survey.free-text.read', outcome: 'success', actorUserId: (request.viewer as Extract<Viewer, { signedIn: true }>).userId, actorEmail: (request.viewer as Extract<Viewer, { signedIn: true }>).email, target: survey.id, ip: request.ip });
    return reply.code(errors.length > 0 ? 400 : 200).view('voices/answers.njk', {
      pageTitle: `Free-text answers: ${survey.title}`,
      breadcrumbs: [{ text: 'Surveys', href: '/surveys/manage' }, { text: survey.title, href: `/surveys/manage/${survey.id}` }],
      survey,
      answers: answers.map((answer, index) => ({ ...answer, key: `${answer.responseId}:${answer.questionId}`, index, edited: edited[`${answer.responseId}:${answer.questionId}`] })),
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
      notice: text((request.query as Record<string, unknown>).done) === 'published' ? 'The quotation is published on the results page.' : text((request.query as Record<string, unknown>).done) === 'withdrawn' ? 'The quotation is withdrawn.' : undefined,
    });
  }

  app.get<{ Params: { id: string } }>('/surveys/manage/:id/answers', { schema: hidden, config: { permission: 'surveys:read-answers' } }, async (request, reply) => {
    const survey = await answersSurvey(request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    return answersPage(request, reply, survey);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/surveys/manage/:id/answers/publish', { schema: hidden, config: { permission: 'surveys:read-answers' } }, async (request, reply) => {
    const survey = await answersSurvey(request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    const answer = { responseId: text(body.responseId), questionId: text(body.questionId) };
    const quotation = text(body.quotation);
    try {
      await publishQuotation(db, survey, answer, quotation, labelOf(request.viewer));
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      if (error.statusCode === 404) return reply.callNotFound();
      const answers = await freeTextAnswers(db, survey);
      const index = answers.findIndex((candidate) => candidate.responseId === answer.responseId && candidate.questionId === answer.questionId);
      return answersPage(request, reply, survey, [{ text: error.message, href: `#quotation-${index}` }], { [`${answer.responseId}:${answer.questionId}`]: quotation });
    }
    const viewer = request.viewer as Extract<Viewer, { signedIn: true }>;
    await appendAudit(db, { action: 'survey.quotation.publish', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, target: survey.id, ip: request.ip });
    return reply.redirect(`/surveys/manage/${survey.id}/answers?done=published`, 303);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/surveys/manage/:id/answers/withdraw', { schema: hidden, config: { permission: 'surveys:read-answers' } }, async (request, reply) => {
    const survey = await answersSurvey(request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const body = request.body ?? {};
    await withdrawQuotation(db, survey, { responseId: text(body.responseId), questionId: text(body.questionId) });
    return reply.redirect(`/surveys/manage/${survey.id}/answers?done=withdrawn`, 303);
  });
}
