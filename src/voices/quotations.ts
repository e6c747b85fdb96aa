/**
 * Free-text answers and the quotations published from them. The answers are read only by staff
 * with `surveys:read-answers`; a quotation is published only when the personal-data check of the
 * practice library finds nothing in its text, so a name or a telephone number must be edited out
 * first. Published quotations appear on the results page for everyone who may read it.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { findPersonalData } from '../practice/personal-data.js';
import type { PersonalDataFinding } from '../practice/personal-data.js';
import { freeTextLimit } from './model.js';
import type { Survey } from './store.js';
import { SurveyRefused } from './store.js';

export interface FreeTextAnswer {
  responseId: string;
  questionId: string;
  questionText: string;
  text: string;
  /** What the personal-data check finds in the answer as given. */
  findings: PersonalDataFinding[];
  /** The quotation published from it, if one is. */
  published: string | null;
}

/** A survey's free-text answers, question by question, with what the personal-data check finds in each. */
export async function freeTextAnswers(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id'>, limit = 500): Promise<FreeTextAnswer[]> {
  const rows = await db
    .selectFrom('survey_answer as a')
    .innerJoin('survey_question as q', (join) => join.onRef('q.la_code', '=', 'a.la_code').onRef('q.survey_id', '=', 'a.survey_id').onRef('q.id', '=', 'a.question_id'))
    .leftJoin('survey_quotation as p', (join) => join.onRef('p.la_code', '=', 'a.la_code').onRef('p.survey_id', '=', 'a.survey_id').onRef('p.response_id', '=', 'a.response_id').onRef('p.question_id', '=', 'a.question_id'))
    .select(['a.response_id', 'a.question_id', 'q.text as question_text', 'a.value', 'p.text as published'])
    .where('a.la_code', '=', survey.laCode)
    .where('a.survey_id', '=', survey.id)
    .where('q.kind', '=', 'text')
    .orderBy('q.position')
    .orderBy('a.response_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ responseId: row.response_id, questionId: row.question_id, questionText: row.question_text, text: row.value, findings: findPersonalData(row.value), published: row.published }));
}

/**
 * Publishes a quotation from a free-text answer: the text given (the answer itself, or the answer
 * edited to take out what identifies someone). Refused while the personal-data check finds
 * anything in it, with what it found.
 */
export async function publishQuotation(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id'>, answer: { responseId: string; questionId: string }, text: string, byLabel: string): Promise<void> {
  const quotation = text.trim();
  if (quotation === '') throw new SurveyRefused('Enter the quotation to publish', 'quotation');
  if (quotation.length > freeTextLimit) throw new SurveyRefused(`The quotation must be ${freeTextLimit} characters or fewer`, 'quotation');
  const stored = await db
    .selectFrom('survey_answer as a')
    .innerJoin('survey_question as q', (join) => join.onRef('q.la_code', '=', 'a.la_code').onRef('q.survey_id', '=', 'a.survey_id').onRef('q.id', '=', 'a.question_id'))
    .select(['a.value'])
    .where('a.la_code', '=', survey.laCode)
    .where('a.survey_id', '=', survey.id)
    .where('a.response_id', '=', answer.responseId)
    .where('a.question_id', '=', answer.questionId)
    .where('q.kind', '=', 'text')
    .executeTakeFirst();
  if (stored === undefined) throw new SurveyRefused('No such free-text answer in this survey', undefined, 404);
  const findings = findPersonalData(quotation);
  if (findings.length > 0) {
    throw new SurveyRefused(`The quotation may identify someone: ${findings.map((finding) => `“${finding.text}” (${finding.reason})`).join('; ')}. Edit it to take that out, then publish it`, 'quotation');
  }
  await db
    .insertInto('survey_quotation')
    .values({ la_code: survey.laCode, survey_id: survey.id, response_id: answer.responseId, question_id: answer.questionId, text: quotation, published_by_label: byLabel })
    .onConflict((conflict) => conflict.columns(['la_code', 'survey_id', 'response_id', 'question_id']).doUpdateSet({ text: quotation, published_by_label: byLabel }))
    .execute();
}

export async function withdrawQuotation(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id'>, answer: { responseId: string; questionId: string }): Promise<void> {
  await db.deleteFrom('survey_quotation').where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('response_id', '=', answer.responseId).where('question_id', '=', answer.questionId).execute();
}

/** The quotations published from a survey: only their text and the question they answer. */
export async function publishedQuotations(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id'>): Promise<{ questionText: string; text: string }[]> {
  return db
    .selectFrom('survey_quotation as p')
    .innerJoin('survey_question as q', (join) => join.onRef('q.la_code', '=', 'p.la_code').onRef('q.survey_id', '=', 'p.survey_id').onRef('q.id', '=', 'p.question_id'))
    .select(['q.text as questionText', 'p.text'])
    .where('p.la_code', '=', survey.laCode)
    .where('p.survey_id', '=', survey.id)
    .orderBy('q.position')
    .orderBy('p.published_at')
    .execute();
}
