/**
 * Answering a survey (public, no sign-in, by its link, only while it is open). A device that has
 * answered carries a random cookie, remembered only as a keyed hash: a soft guard against
 * answering twice, which clearing cookies or another device gets round, and said so on the page.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { answerPage } from './answer-view.js';
import { frameworkGroupList } from './model.js';
import { answeredFromDevice, checkResponse, deviceCookieName, recordResponse } from './responses.js';
import type { Survey } from './store.js';
import { SurveyRefused, questionsOf, readSurveyByToken, takesAnswers, todayInEngland } from './store.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
type Body = Record<string, string | string[] | undefined>;
const text = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '');

export function registerAnswerRoutes(app: FastifyInstance, db: Kysely<Schema>, options: { https: boolean }): void {
  function refusal(reply: FastifyReply, survey: Survey | undefined, statusCode: number, title: string, message: string) {
    return reply.code(statusCode).view('voices/answer-refused.njk', { pageTitle: title, title, message, forChildren: survey?.childVersion === true });
  }

  const notTakingAnswers = (reply: FastifyReply, survey: Survey) =>
    refusal(reply, survey, 409, 'This survey is not taking answers', survey.state === 'closed' || (survey.closesOn !== null && survey.closesOn < todayInEngland()) ? 'The survey has closed. Thank you for wanting to take part.' : `The survey is not open yet. It opens on ${survey.opensOn ?? 'a date still to be set'}.`);

  const alreadyAnswered = (reply: FastifyReply, survey: Survey) =>
    refusal(reply, survey, 409, 'You have already answered this survey', 'Answers have already been sent from this device, and each person answers once. Thank you for taking part.');

  app.get<{ Params: { token: string } }>('/surveys/answer/:token', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const survey = await readSurveyByToken(db, request.params.token);
    if (survey === undefined) return reply.callNotFound();
    if (!takesAnswers(survey, todayInEngland())) return notTakingAnswers(reply, survey);
    if (await answeredFromDevice(db, survey, request.cookies[deviceCookieName(survey.id)])) return alreadyAnswered(reply, survey);
    return answerPage(reply, survey, await questionsOf(db, survey), { preview: false, forChildren: survey.childVersion });
  });

  app.post<{ Params: { token: string }; Body: Body }>('/surveys/answer/:token', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const survey = await readSurveyByToken(db, request.params.token);
    if (survey === undefined) return reply.callNotFound();
    if (!takesAnswers(survey, todayInEngland())) return notTakingAnswers(reply, survey);
    const body = request.body ?? {};
    const questions = await questionsOf(db, survey);
    const given = {
      answers: Object.fromEntries(questions.map((question) => [question.id, body[`q-${question.id}`] === undefined ? undefined : text(body[`q-${question.id}`])])),
      groups: Object.fromEntries(survey.groupIds.map((id) => [id, body[`group-${id}`] === undefined ? undefined : text(body[`group-${id}`])])),
    };
    const names = new Map(frameworkGroupList().map((group) => [group.id, group.name]));
    const checked = checkResponse(survey, questions, given, (id) => names.get(id) ?? id);
    if ('problems' in checked) {
      return answerPage(reply, survey, questions, { preview: false, forChildren: survey.childVersion, given, errors: checked.problems.map((problem) => ({ text: problem.message, href: `#${problem.field.startsWith('group-') ? problem.field : `q-${problem.field}`}` })) });
    }
    const cookieName = deviceCookieName(survey.id);
    const token = request.cookies[cookieName] ?? randomBytes(24).toString('base64url');
    try {
      await recordResponse(db, survey, checked.response, { token, address: request.ip });
    } catch (error) {
      if (!(error instanceof SurveyRefused)) throw error;
      if (error.statusCode === 409 && error.message.startsWith('You have already')) return alreadyAnswered(reply, survey);
      if (error.statusCode === 409) return notTakingAnswers(reply, survey);
      return refusal(reply, survey, error.statusCode, 'Wait before sending again', error.message);
    }
    const closes = new Date(`${survey.closesOn ?? todayInEngland()}T23:59:59Z`);
    void reply.setCookie(cookieName, token, { path: `/surveys/answer/${survey.publicToken}`, httpOnly: true, sameSite: 'lax', secure: options.https, expires: new Date(closes.getTime() + 86_400_000) });
    return reply.redirect(`/surveys/answer/${survey.publicToken}/thanks`, 303);
  });

  app.get<{ Params: { token: string } }>('/surveys/answer/:token/thanks', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const survey = await readSurveyByToken(db, request.params.token);
    if (survey === undefined) return reply.callNotFound();
    return reply.view('voices/answer-thanks.njk', { pageTitle: 'Thank you', survey, forChildren: survey.childVersion });
  });
}
