/**
 * Building and publishing surveys (`surveys:write`): list, make, edit, add, edit, reorder and
 * remove questions, preview both versions, open for a period (the public link), move the closing
 * date, close, and load results gathered elsewhere. Every action is a form posted and redirected
 * back (Post/Redirect/Get), with the problem named on the form it came from.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { UploadedFile } from '../web/app.js';
import { labelOf, mayReadAnswers, mayReadResults, mayWriteSurveys, surveyAuthorities } from './access.js';
import { ImportRefused, importResponses } from './import.js';
import { choicesOf, isClosed, kindLabels, polarityLabels } from './model.js';
import { answerPage } from './answer-view.js';
import type { QuestionInput, Survey, SurveyInput } from './store.js';
import { SurveyRefused, addQuestion, closeSurvey, createSurvey, dateFrom, listSurveys, moveQuestion, openSurvey, questionsOf, readSurvey, removeQuestion, setClosingDate, updateQuestion, updateSurvey } from './store.js';
import { polarities, questionKinds } from './tables.js';

const hidden = { hide: true } as const;
const write = { permission: 'surveys:write' } as const;
type Body = Record<string, string | string[] | undefined>;
type ErrorItem = { text: string; href: string };

const text = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '');
const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map((entry) => (typeof entry === 'string' ? entry : '')));

export const stateLabels: Record<Survey['state'], string> = { draft: 'Draft', open: 'Open', closed: 'Closed' };
export const audienceLabels: Record<Survey['audience'], string> = { children: 'Children and young people', parents: 'Parents and carers' };

/** The survey an address names, if the viewer builds that authority's surveys; otherwise it is not there (404). */
async function ownSurvey(db: Kysely<Schema>, viewer: Viewer, id: string): Promise<Survey | undefined> {
  const survey = await readSurvey(db, id);
  return survey !== undefined && mayWriteSurveys(viewer, survey.laCode) ? survey : undefined;
}

function errorsOf(error: SurveyRefused): ErrorItem[] {
  return [{ text: error.message, href: `#${error.field ?? 'main-content'}` }];
}

function errorContext(errors: ErrorItem[]) {
  return { errors, errorSummaryShown: errors.length > 0, errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])) };
}

export function surveyInputFrom(body: Body): SurveyInput {
  return {
    title: text(body.title),
    audience: text(body.audience),
    introduction: text(body.introduction),
    childVersion: text(body.childVersion) === 'yes',
    childTitle: text(body.childTitle),
    childIntroduction: text(body.childIntroduction),
    emojiScale: text(body.emojiScale) === 'yes',
    asksGroups: text(body.asksGroups) === 'yes',
    groupsReason: text(body.groupsReason),
  };
}

function questionInputFrom(body: Body): QuestionInput {
  return { kind: text(body.kind), text: text(body.text), childText: text(body.childText), options: text(body.options), agreeing: list(body.agreeing), polarity: text(body.polarity) || 'higher-is-better' };
}

const dateParts = (body: Body, name: string) => ({ day: text(body[`${name}-day`]), month: text(body[`${name}-month`]), year: text(body[`${name}-year`]) });

export function registerManageRoutes(app: FastifyInstance, db: Kysely<Schema>, options: { baseUrl: string }): void {
  const audit = (request: FastifyRequest, action: string, target: string, details?: Record<string, unknown>) => {
    const viewer = request.viewer as Extract<Viewer, { signedIn: true }>;
    return appendAudit(db, { action, outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, target, ip: request.ip, ...(details === undefined ? {} : { details }) });
  };
  const breadcrumbs = (survey?: Survey) => [{ text: 'Surveys', href: '/surveys/manage' }, ...(survey === undefined ? [] : [{ text: survey.title, href: `/surveys/manage/${survey.id}` }])];

  app.get('/surveys/manage', { schema: hidden, config: write }, async (request, reply) => {
    const authorities = surveyAuthorities(request.viewer);
    const surveys = await listSurveys(db, authorities);
    return reply.view('voices/manage-list.njk', {
      pageTitle: 'Surveys of children and parents',
      surveys: surveys.map((survey) => ({
        ...survey,
        stateLabel: stateLabels[survey.state],
        audienceLabel: audienceLabels[survey.audience],
        authorityName: localAuthorityByGss(survey.laCode)?.name ?? survey.laCode,
        publicPath: survey.state === 'open' && survey.publicToken !== null ? `/surveys/answer/${survey.publicToken}` : null,
      })),
      mayCreate: authorities.length > 0,
    });
  });

  function surveyForm(reply: FastifyReply, values: Partial<SurveyInput>, action: string, errors: ErrorItem[] = [], survey?: Survey) {
    return reply.code(errors.length > 0 ? 400 : 200).view('voices/survey-form.njk', {
      pageTitle: survey === undefined ? 'Make a survey' : `Change ${survey.title}`,
      breadcrumbs: breadcrumbs(survey),
      values,
      action,
      ...errorContext(errors),
      authorities: surveyAuthorities(reply.request.viewer).map((code) => ({ value: code, text: localAuthorityByGss(code)?.name ?? code })),
      isNew: survey === undefined,
    });
  }

  app.get('/surveys/manage/new', { schema: hidden, config: write }, async (_request, reply) => surveyForm(reply, { audience: 'children', childVersion: true, emojiScale: true, asksGroups: true }, '/surveys/manage/new'));

  app.post<{ Body: Body }>('/surveys/manage/new', { schema: hidden, config: write }, async (request, reply) => {
    const body = request.body ?? {};
    const authorities = surveyAuthorities(request.viewer);
    const laCode = text(body.laCode) || authorities[0] || '';
    const input = surveyInputFrom(body);
    if (!authorities.includes(laCode)) return surveyForm(reply, input, '/surveys/manage/new', [{ text: 'Choose one of your own authorities', href: '#laCode' }]);
    try {
      const id = await createSurvey(db, laCode, labelOf(request.viewer), input);
      await audit(request, 'survey.create', id, { title: input.title.trim() });
      return reply.redirect(`/surveys/manage/${id}`, 303);
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      return surveyForm(reply, input, '/surveys/manage/new', errorsOf(error));
    }
  });

  async function surveyPage(request: FastifyRequest, reply: FastifyReply, survey: Survey, errors: ErrorItem[] = [], values: Body = {}) {
    const questions = await questionsOf(db, survey);
    const notices: Record<string, string> = {
      created: 'The question is added.',
      changed: 'The change is saved.',
      opened: 'The survey is open. Share its link with the people it is for.',
      closed: 'The survey is closed: its link takes no more answers.',
      imported: 'The results are loaded.',
    };
    const done = text((request.query as Record<string, unknown>).done);
    const editable = survey.responses === 0 && survey.state !== 'closed';
    return reply.code(errors.length > 0 ? (errors[0]?.text.includes('no longer') ? 409 : 400) : 200).view('voices/manage-survey.njk', {
      pageTitle: survey.title,
      breadcrumbs: breadcrumbs(),
      survey,
      stateLabel: stateLabels[survey.state],
      audienceLabel: audienceLabels[survey.audience],
      authorityName: localAuthorityByGss(survey.laCode)?.name ?? survey.laCode,
      questions: questions.map((question) => ({
        ...question,
        kindLabel: kindLabels[question.kind],
        agreeingText: choicesOf(question).filter((choice) => question.agreeing.includes(choice.value)).map((choice) => choice.label).join(', '),
        polarityText: question.polarity === 'higher-is-better' ? 'agreeing is good news' : 'agreeing is bad news',
        closed: isClosed(question.kind),
      })),
      editable,
      publicLink: survey.publicToken === null ? null : `${options.baseUrl.replace(/\/$/, '')}/surveys/answer/${survey.publicToken}`,
      publicPath: survey.publicToken === null ? null : `/surveys/answer/${survey.publicToken}`,
      notice: notices[done],
      mayReadAnswers: mayReadAnswers(request.viewer, survey.laCode),
      mayReadResults: mayReadResults(request.viewer, survey.laCode),
      values,
      ...errorContext(errors),
    });
  }

  app.get<{ Params: { id: string } }>('/surveys/manage/:id', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    return surveyPage(request, reply, survey);
  });

  app.get<{ Params: { id: string } }>('/surveys/manage/:id/edit', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    return surveyForm(reply, survey, `/surveys/manage/${survey.id}/edit`, [], survey);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/surveys/manage/:id/edit', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const input = surveyInputFrom(request.body ?? {});
    try {
      await updateSurvey(db, survey, input);
      await audit(request, 'survey.update', survey.id);
      return reply.redirect(`/surveys/manage/${survey.id}?done=changed`, 303);
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      if (error.statusCode === 409) return surveyPage(request, reply, survey, errorsOf(error));
      return surveyForm(reply, input, `/surveys/manage/${survey.id}/edit`, errorsOf(error), survey);
    }
  });

  function questionForm(reply: FastifyReply, survey: Survey, values: Partial<QuestionInput> & { optionsText?: string }, action: string, errors: ErrorItem[] = []) {
    const kind = (values.kind ?? 'likert') as (typeof questionKinds)[number];
    const agreeingChoices = (['likert', 'yes-no'] as const).map((questionKind) => ({
      kind: questionKind,
      items: choicesOf({ kind: questionKind, options: [] }).map((choice) => ({ value: choice.value, text: choice.label, checked: kind === questionKind && (values.agreeing ?? []).includes(choice.value) })),
    }));
    const options = kind === 'choice' ? (values.options ?? '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '') : [];
    return reply.code(errors.length > 0 ? 400 : 200).view('voices/question-form.njk', {
      pageTitle: action.endsWith('/new') ? 'Add a question' : 'Change a question',
      breadcrumbs: breadcrumbs(survey),
      survey,
      values,
      action,
      kindItems: questionKinds.map((value) => ({ value, text: kindLabels[value], checked: kind === value })),
      polarityItems: polarities.map((value) => ({ value, text: polarityLabels[value], checked: (values.polarity ?? 'higher-is-better') === value })),
      agreeingChoices,
      choiceAgreeing: options.map((option) => ({ value: option, text: option, checked: (values.agreeing ?? []).includes(option) })),
      ...errorContext(errors),
    });
  }

  app.get<{ Params: { id: string } }>('/surveys/manage/:id/questions/new', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    return questionForm(reply, survey, { kind: 'likert', polarity: 'higher-is-better', agreeing: ['4', '5'] }, `/surveys/manage/${survey.id}/questions/new`);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/surveys/manage/:id/questions/new', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const input = questionInputFrom(request.body ?? {});
    try {
      await addQuestion(db, survey, input);
      await audit(request, 'survey.question.add', survey.id);
      return reply.redirect(`/surveys/manage/${survey.id}?done=created#questions`, 303);
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      if (error.statusCode === 409) return surveyPage(request, reply, survey, errorsOf(error));
      return questionForm(reply, survey, input, `/surveys/manage/${survey.id}/questions/new`, errorsOf(error));
    }
  });

  app.get<{ Params: { id: string; questionId: string } }>('/surveys/manage/:id/questions/:questionId/edit', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const question = (await questionsOf(db, survey)).find((candidate) => candidate.id === request.params.questionId);
    if (question === undefined) return reply.callNotFound();
    return questionForm(reply, survey, { ...question, options: question.options.join('\n') }, `/surveys/manage/${survey.id}/questions/${question.id}/edit`);
  });

  app.post<{ Params: { id: string; questionId: string }; Body: Body }>('/surveys/manage/:id/questions/:questionId/edit', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const input = questionInputFrom(request.body ?? {});
    try {
      await updateQuestion(db, survey, request.params.questionId, input);
      await audit(request, 'survey.question.update', survey.id);
      return reply.redirect(`/surveys/manage/${survey.id}?done=changed#questions`, 303);
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      if (error.statusCode === 404) return reply.callNotFound();
      if (error.statusCode === 409) return surveyPage(request, reply, survey, errorsOf(error));
      return questionForm(reply, survey, input, `/surveys/manage/${survey.id}/questions/${request.params.questionId}/edit`, errorsOf(error));
    }
  });

  /** An action on the survey's page: run it, audit it, back to the page (or the page with the problem). */
  function surveyAction(path: string, action: string, run: (survey: Survey, body: Body, params: Record<string, string>) => Promise<string>) {
    app.post<{ Params: Record<string, string>; Body: Body }>(path, { schema: hidden, config: write }, async (request, reply) => {
      const survey = await ownSurvey(db, request.viewer, request.params.id ?? '');
      if (survey === undefined) return reply.callNotFound();
      const body = request.body ?? {};
      try {
        const done = await run(survey, body, request.params);
        await audit(request, action, survey.id);
        return reply.redirect(`/surveys/manage/${survey.id}?done=${done}`, 303);
      } catch (error) {
        if (!(error instanceof SurveyRefused)) throw error;
        if (error.statusCode === 404) return reply.callNotFound();
        return surveyPage(request, reply, await ownSurvey(db, request.viewer, survey.id) ?? survey, errorsOf(error), body);
      }
    });
  }

  surveyAction('/surveys/manage/:id/questions/:questionId/move', 'survey.question.move', async (survey, body, params) => {
    await moveQuestion(db, survey, params.questionId ?? '', text(body.direction) === 'up' ? 'up' : 'down');
    return 'changed#questions';
  });
  surveyAction('/surveys/manage/:id/questions/:questionId/remove', 'survey.question.remove', async (survey, _body, params) => {
    await removeQuestion(db, survey, params.questionId ?? '');
    return 'changed#questions';
  });
  surveyAction('/surveys/manage/:id/open', 'survey.open', async (survey, body) => {
    await openSurvey(db, survey, { opensOn: dateFrom(dateParts(body, 'opensOn'), 'opensOn', 'opening date'), closesOn: dateFrom(dateParts(body, 'closesOn'), 'closesOn', 'closing date') });
    return 'opened';
  });
  surveyAction('/surveys/manage/:id/closing-date', 'survey.closing-date', async (survey, body) => {
    await setClosingDate(db, survey, dateFrom(dateParts(body, 'closesOn'), 'closesOn', 'closing date'));
    return 'changed';
  });
  surveyAction('/surveys/manage/:id/close', 'survey.close', async (survey) => {
    await closeSurvey(db, survey);
    return 'closed';
  });

  app.get<{ Params: { id: string }; Querystring: { version?: string } }>('/surveys/manage/:id/preview', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const forChildren = request.query.version === 'children' && survey.childVersion;
    return answerPage(reply, survey, await questionsOf(db, survey), { preview: true, forChildren, breadcrumbs: breadcrumbs(survey) });
  });

  function importForm(reply: FastifyReply, survey: Survey, problems: { row: number; column: string; message: string }[] = [], errors: ErrorItem[] = []) {
    return reply.code(problems.length > 0 || errors.length > 0 ? 400 : 200).view('voices/import.njk', { pageTitle: `Load results into ${survey.title}`, breadcrumbs: breadcrumbs(survey), survey, problems, ...errorContext(errors) });
  }

  app.get<{ Params: { id: string } }>('/surveys/manage/:id/import', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    return importForm(reply, survey);
  });

  app.post<{ Params: { id: string }; Body: { file?: UploadedFile | string } }>('/surveys/manage/:id/import', { schema: hidden, config: write }, async (request, reply) => {
    const survey = await ownSurvey(db, request.viewer, request.params.id);
    if (survey === undefined) return reply.callNotFound();
    const file = request.body?.file;
    if (file === undefined || typeof file === 'string' || file.size === 0) return importForm(reply, survey, [], [{ text: 'Choose a CSV file of responses', href: '#file' }]);
    try {
      const loaded = await importResponses(db, survey, file.path);
      await audit(request, 'survey.import', survey.id, { file: file.filename, responses: loaded });
      return reply.redirect(`/surveys/manage/${survey.id}?done=imported`, 303);
    } catch (error) {
      if (error instanceof ImportRefused) return importForm(reply, survey, error.problems, [{ text: `${file.filename} was not loaded: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} (listed below). Nothing from it was stored.`, href: '#problems' }]);
      if (error instanceof SurveyRefused) return importForm(reply, survey, [], errorsOf(error));
      throw error;
    }
  });
}
