/**
 * Recording responses: one from the public form, or many from an imported file, each checked
 * against the survey's questions and stored anonymously (answers, the day, declared groups).
 */
import { createHmac } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { claimAttempt } from '../auth/throttle.js';
import type { ThrottleRule } from '../auth/throttle.js';
import { checkAnswer, checkDeclared, groupBits } from './model.js';
import type { Declared } from './model.js';
import type { Question, Survey } from './store.js';
import { SurveyRefused, takesAnswers, todayInEngland } from './store.js';

/** One response as it will be stored: answers by question id, and each of the survey's groups declared. */
export interface CheckedResponse {
  answers: Map<string, string>;
  declared: Declared[];
}

/** A problem with one field of a response (the question's number, or the group), in words. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A response as given (values by question id, and by group id), checked: what will be stored, or
 * every problem with the field named. An empty answer is a question not answered (every question
 * is optional); a group left blank is not said.
 */
export function checkResponse(
  survey: Pick<Survey, 'asksGroups' | 'groupIds'>,
  questions: readonly Question[],
  given: { answers: Record<string, string | undefined>; groups: Record<string, string | undefined> },
  groupName: (id: string) => string,
): { response: CheckedResponse } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const answers = new Map<string, string>();
  for (const question of questions) {
    const raw = given.answers[question.id] ?? '';
    if (raw.trim() === '') continue;
    const checked = checkAnswer(question, raw);
    if ('problem' in checked) problems.push({ field: question.id, message: `Question ${question.position} (${question.text}): the answer ${checked.problem}` });
    else if (checked.value !== '') answers.set(question.id, checked.value);
  }
  const declared: Declared[] = survey.groupIds.map((id) => {
    if (!survey.asksGroups) return 'not-said';
    const checked = checkDeclared(given.groups[id] ?? '');
    if ('problem' in checked) {
      problems.push({ field: `group-${id}`, message: `${groupName(id)}: ${checked.problem}` });
      return 'not-said';
    }
    return checked.declared;
  });
  if (problems.length === 0 && answers.size === 0) problems.push({ field: questions[0]?.id ?? 'answers', message: 'Answer at least one question before sending' });
  return problems.length > 0 ? { problems } : { response: { answers, declared } };
}

/** Stores checked responses in the transaction given (a file's rows all at once, in batches). */
export async function insertResponses(trx: Transaction<Schema>, survey: Pick<Survey, 'laCode' | 'id'>, responses: readonly CheckedResponse[], source: 'online' | 'import'): Promise<void> {
  const batch = 500;
  for (let start = 0; start < responses.length; start += batch) {
    const part = responses.slice(start, start + batch);
    const rows = await trx
      .insertInto('survey_response')
      .values(part.map((response) => {
        const { groupsIn, groupsOut } = groupBits(response.declared);
        return { la_code: survey.laCode, survey_id: survey.id, source, groups_in: groupsIn, groups_out: groupsOut };
      }))
      .returning('id')
      .execute();
    // Each answer carries its response's declared groups, so the results read the answers alone.
    const answers = part.flatMap((response, index) => {
      const { groupsIn, groupsOut } = groupBits(response.declared);
      return [...response.answers].map(([questionId, value]) => ({ la_code: survey.laCode, survey_id: survey.id, response_id: rows[index]!.id, question_id: questionId, value, groups_in: groupsIn, groups_out: groupsOut }));
    });
    for (let answerStart = 0; answerStart < answers.length; answerStart += 2000) await trx.insertInto('survey_answer').values(answers.slice(answerStart, answerStart + 2000)).execute();
  }
}

/** The cookie that marks a device as having answered one survey: random, and stored only as a keyed hash. */
export function deviceCookieName(surveyId: string): string {
  return `ntg_answered_${surveyId.replace(/-/g, '').slice(0, 16)}`;
}

function deviceHash(survey: Pick<Survey, 'deviceSecret'>, deviceToken: string): string {
  return createHmac('sha256', survey.deviceSecret).update(deviceToken).digest('hex');
}

/** Whether this device has answered the survey already (a soft guard: clearing cookies gets round it). */
export async function answeredFromDevice(db: Kysely<Schema>, survey: Survey, deviceToken: string | undefined): Promise<boolean> {
  if (deviceToken === undefined || deviceToken === '') return false;
  const row = await db.selectFrom('survey_device').select('device_hash').where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('device_hash', '=', deviceHash(survey, deviceToken)).executeTakeFirst();
  return row !== undefined;
}

/** Posting answers: this many a quarter of an hour from one address (a whole class behind one school address fits). */
export const answerRule: ThrottleRule = { limit: 300, windowMinutes: 15, lockMinutes: 15 };

/**
 * Records one response from the public form: refused when the survey is not taking answers, when
 * this device has answered it already, or when the address has posted too often; otherwise the
 * response and the device's hash are stored together, so a response is never counted twice.
 * The address is used only for the throttle, as a keyed hash, and never stored with the response.
 */
export async function recordResponse(db: Kysely<Schema>, survey: Survey, response: CheckedResponse, device: { token: string; address: string }, now = new Date()): Promise<void> {
  if (!takesAnswers(survey, todayInEngland(now))) throw new SurveyRefused('This survey is not taking answers: it is closed, or not yet open', undefined, 409);
  const claim = await claimAttempt(db, `survey-answer:${createHmac('sha256', survey.deviceSecret).update(device.address).digest('hex')}`, answerRule, now);
  if (!claim.allowed) throw new SurveyRefused('Too many answers have been sent from this network in the last few minutes. Wait a quarter of an hour and send your answers again.', undefined, 429);
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('survey_device')
      .values({ la_code: survey.laCode, survey_id: survey.id, device_hash: deviceHash(survey, device.token) })
      .onConflict((conflict) => conflict.doNothing())
      .returning('device_hash')
      .executeTakeFirst();
    if (inserted === undefined) throw new SurveyRefused('You have already answered this survey on this device. Thank you: each person answers once.', undefined, 409);
    await insertResponses(trx, survey, [response], 'online');
  });
}
