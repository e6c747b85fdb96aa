/**
 * Surveys and their questions: making, editing, reordering, opening and closing. Every change
 * checks the survey's rules (a survey with answers is fixed but for its closing date; only a draft
 * opens; only an open survey closes) and refuses in words naming the field.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { choicesOf, defaultAgreeing, frameworkGroupList, isClosed } from './model.js';
import { audiences, polarities, questionKinds } from './tables.js';
import type { Audience, Polarity, QuestionKind, SurveyState } from './tables.js';

/** A refusal: what is wrong, the field it is about (for the form's error summary) and its HTTP status. */
export class SurveyRefused extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly statusCode: 400 | 404 | 409 | 429 = 400,
  ) {
    super(message);
    this.name = 'SurveyRefused';
  }
}

export interface Survey {
  laCode: string;
  id: string;
  title: string;
  audience: Audience;
  introduction: string;
  childVersion: boolean;
  childTitle: string;
  childIntroduction: string;
  emojiScale: boolean;
  /** `YYYY-MM-DD`, or null before it is opened. */
  opensOn: string | null;
  closesOn: string | null;
  state: SurveyState;
  publicToken: string | null;
  asksGroups: boolean;
  groupsReason: string;
  groupIds: string[];
  deviceSecret: string;
  createdByLabel: string;
  responses: number;
}

export interface Question {
  id: string;
  position: number;
  kind: QuestionKind;
  text: string;
  childText: string;
  options: string[];
  agreeing: string[];
  polarity: Polarity;
}

function surveyColumns(db: Kysely<Schema>) {
  return db
    .selectFrom('survey')
    .select([
      'survey.la_code',
      'survey.id',
      'survey.title',
      'survey.audience',
      'survey.introduction',
      'survey.child_version',
      'survey.child_title',
      'survey.child_introduction',
      'survey.emoji_scale',
      sql<string | null>`survey.opens_on::text`.as('opens_on'),
      sql<string | null>`survey.closes_on::text`.as('closes_on'),
      'survey.state',
      'survey.public_token',
      'survey.asks_groups',
      'survey.groups_reason',
      'survey.group_ids',
      'survey.device_secret',
      'survey.created_by_label',
      (eb) => eb.selectFrom('survey_response').select((inner) => inner.fn.countAll<string>().as('n')).whereRef('survey_response.la_code', '=', 'survey.la_code').whereRef('survey_response.survey_id', '=', 'survey.id').as('responses'),
    ]);
}

type SurveyRow = Awaited<ReturnType<ReturnType<typeof surveyColumns>['executeTakeFirstOrThrow']>>;

function surveyOf(row: SurveyRow): Survey {
  return {
    laCode: row.la_code,
    id: row.id,
    title: row.title,
    audience: row.audience,
    introduction: row.introduction,
    childVersion: row.child_version,
    childTitle: row.child_title,
    childIntroduction: row.child_introduction,
    emojiScale: row.emoji_scale,
    opensOn: row.opens_on,
    closesOn: row.closes_on,
    state: row.state,
    publicToken: row.public_token,
    asksGroups: row.asks_groups,
    groupsReason: row.groups_reason,
    groupIds: row.group_ids,
    deviceSecret: row.device_secret,
    createdByLabel: row.created_by_label,
    responses: Number(row.responses ?? 0),
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A survey by its id, whoever owns it (the caller checks the owner), or undefined; an id that is not one is simply not found. */
export async function readSurvey(db: Kysely<Schema>, id: string): Promise<Survey | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const row = await surveyColumns(db).where('survey.id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : surveyOf(row);
}

/** A survey by its public link's token, or undefined. */
export async function readSurveyByToken(db: Kysely<Schema>, token: string): Promise<Survey | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  const row = await surveyColumns(db).where('survey.public_token', '=', token).executeTakeFirst();
  return row === undefined ? undefined : surveyOf(row);
}

/** The surveys of some authorities, newest first. */
export async function listSurveys(db: Kysely<Schema>, laCodes: readonly string[], states: readonly SurveyState[] = ['draft', 'open', 'closed']): Promise<Survey[]> {
  if (laCodes.length === 0) return [];
  const rows = await surveyColumns(db).where('survey.la_code', 'in', [...laCodes]).where('survey.state', 'in', [...states]).orderBy('survey.created_at', 'desc').orderBy('survey.id').execute();
  return rows.map(surveyOf);
}

export async function questionsOf(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id'>): Promise<Question[]> {
  const rows = await db.selectFrom('survey_question').selectAll().where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).orderBy('position').execute();
  return rows.map((row) => ({ id: row.id, position: row.position, kind: row.kind, text: row.text, childText: row.child_text, options: row.options, agreeing: row.agreeing, polarity: row.polarity }));
}

export interface SurveyInput {
  title: string;
  audience: string;
  introduction: string;
  childVersion: boolean;
  childTitle: string;
  childIntroduction: string;
  emojiScale: boolean;
  asksGroups: boolean;
  groupsReason: string;
}

function checkedSurvey(input: SurveyInput) {
  const title = input.title.trim();
  if (title === '') throw new SurveyRefused('Enter the survey’s title', 'title');
  if (title.length > 200) throw new SurveyRefused('The title must be 200 characters or fewer', 'title');
  if (!(audiences as readonly string[]).includes(input.audience)) throw new SurveyRefused('Choose who the survey is for: children or parents', 'audience');
  if (input.introduction.trim().length > 2000) throw new SurveyRefused('The introduction must be 2,000 characters or fewer', 'introduction');
  const childTitle = input.childTitle.trim();
  if (input.childVersion && childTitle === '') throw new SurveyRefused('Enter the title children read, in plain words', 'childTitle');
  if (childTitle.length > 200) throw new SurveyRefused('The children’s title must be 200 characters or fewer', 'childTitle');
  if (input.childIntroduction.trim().length > 2000) throw new SurveyRefused('The children’s introduction must be 2,000 characters or fewer', 'childIntroduction');
  const groupsReason = input.groupsReason.trim();
  if (input.asksGroups && groupsReason === '') throw new SurveyRefused('Say why you ask which groups people are in: respondents read it before they answer', 'groupsReason');
  if (groupsReason.length > 1000) throw new SurveyRefused('The reason must be 1,000 characters or fewer', 'groupsReason');
  return {
    title,
    audience: input.audience as Audience,
    introduction: input.introduction.trim(),
    child_version: input.childVersion,
    child_title: input.childVersion ? childTitle : '',
    child_introduction: input.childVersion ? input.childIntroduction.trim() : '',
    emoji_scale: input.childVersion && input.emojiScale,
    asks_groups: input.asksGroups,
    groups_reason: input.asksGroups ? groupsReason : '',
  };
}

export async function createSurvey(db: Kysely<Schema>, laCode: string, byLabel: string, input: SurveyInput): Promise<string> {
  const row = await db
    .insertInto('survey')
    .values({ la_code: laCode, ...checkedSurvey(input), group_ids: frameworkGroupList().map((group) => group.id), device_secret: randomBytes(32).toString('base64url'), created_by_label: byLabel })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Refuses any change but the closing date once a survey has answers. */
function checkEditable(survey: Survey): void {
  if (survey.responses > 0) throw new SurveyRefused(`The survey has ${survey.responses} response${survey.responses === 1 ? '' : 's'}, so it can no longer be changed (only its closing date can)`, undefined, 409);
  if (survey.state === 'closed') throw new SurveyRefused('The survey is closed, so it can no longer be changed', undefined, 409);
}

export async function updateSurvey(db: Kysely<Schema>, survey: Survey, input: SurveyInput): Promise<void> {
  checkEditable(survey);
  await db.updateTable('survey').set({ ...checkedSurvey(input), updated_at: new Date() }).where('la_code', '=', survey.laCode).where('id', '=', survey.id).execute();
}

export interface QuestionInput {
  kind: string;
  text: string;
  childText: string;
  /** One choice a line, for a single-choice question. */
  options: string;
  /** The answers that count as agreeing (values); empty means the default for the kind. */
  agreeing: readonly string[];
  polarity: string;
}

function checkedQuestion(input: QuestionInput) {
  if (!(questionKinds as readonly string[]).includes(input.kind)) throw new SurveyRefused('Choose the kind of question', 'kind');
  const kind = input.kind as QuestionKind;
  const text = input.text.trim();
  if (text === '') throw new SurveyRefused('Enter the question', 'text');
  if (text.length > 500) throw new SurveyRefused('The question must be 500 characters or fewer', 'text');
  const childText = input.childText.trim();
  if (childText.length > 500) throw new SurveyRefused('The question in plain words must be 500 characters or fewer', 'childText');
  const options = kind === 'choice' ? [...new Set(input.options.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ''))] : [];
  if (kind === 'choice' && options.length < 2) throw new SurveyRefused('Give at least two answers to choose from, one a line', 'options');
  if (options.some((option) => option.length > 200)) throw new SurveyRefused('Each answer to choose from must be 200 characters or fewer', 'options');
  if (!(polarities as readonly string[]).includes(input.polarity)) throw new SurveyRefused('Say whether agreeing is good or bad news', 'polarity');
  const rules = { kind, options };
  const allowed = choicesOf(rules).map((choice) => choice.value);
  // The form offers every kind's answers at once: only those of the kind chosen count.
  const chosen = input.agreeing.filter((value) => allowed.includes(value));
  const agreeing = !isClosed(kind) ? [] : chosen.length > 0 ? chosen : kind === 'choice' ? options.slice(0, 1) : defaultAgreeing(rules);
  if (isClosed(kind) && agreeing.length === 0) throw new SurveyRefused('Choose the answers that count as agreeing', 'agreeing');
  if (isClosed(kind) && agreeing.length === allowed.length) throw new SurveyRefused('Not every answer can count as agreeing: leave at least one out', 'agreeing');
  return { kind, text, child_text: childText, options, agreeing, polarity: input.polarity as Polarity };
}

export async function addQuestion(db: Kysely<Schema>, survey: Survey, input: QuestionInput): Promise<string> {
  checkEditable(survey);
  const values = checkedQuestion(input);
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('survey_question').select((eb) => eb.fn.max('position').as('last')).where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).executeTakeFirst();
    const row = await trx
      .insertInto('survey_question')
      .values({ la_code: survey.laCode, survey_id: survey.id, position: Number(last?.last ?? 0) + 1, ...values })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

export async function updateQuestion(db: Kysely<Schema>, survey: Survey, questionId: string, input: QuestionInput): Promise<void> {
  checkEditable(survey);
  const values = checkedQuestion(input);
  const result = await db.updateTable('survey_question').set(values).where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('id', '=', questionId).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new SurveyRefused('No such question in this survey', undefined, 404);
}

export async function removeQuestion(db: Kysely<Schema>, survey: Survey, questionId: string): Promise<void> {
  checkEditable(survey);
  await db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('survey_question').where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('id', '=', questionId).returning('position').executeTakeFirst();
    if (removed === undefined) throw new SurveyRefused('No such question in this survey', undefined, 404);
    await trx.updateTable('survey_question').set((eb) => ({ position: eb('position', '-', 1) })).where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('position', '>', removed.position).execute();
  });
}

/** Swaps a question with the one before it (`up`) or after it (`down`); at either end, nothing moves. */
export async function moveQuestion(db: Kysely<Schema>, survey: Survey, questionId: string, direction: 'up' | 'down'): Promise<void> {
  checkEditable(survey);
  await db.transaction().execute(async (trx) => {
    const questions = await trx.selectFrom('survey_question').select(['id', 'position']).where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).orderBy('position').execute();
    const index = questions.findIndex((question) => question.id === questionId);
    if (index === -1) throw new SurveyRefused('No such question in this survey', undefined, 404);
    const other = questions[direction === 'up' ? index - 1 : index + 1];
    if (other === undefined) return;
    const moving = questions[index]!;
    const set = (id: string, position: number) => trx.updateTable('survey_question').set({ position }).where('la_code', '=', survey.laCode).where('survey_id', '=', survey.id).where('id', '=', id).execute();
    await set(moving.id, other.position);
    await set(other.id, moving.position);
  });
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** A date as the form gives it (day, month, year), checked: `YYYY-MM-DD`, or a refusal naming the field. */
export function dateFrom(parts: { day: string; month: string; year: string }, field: string, label: string): string {
  const [day, month, year] = [parts.day, parts.month, parts.year].map((part) => part.trim());
  if (!day || !month || !year) throw new SurveyRefused(`Enter the ${label} as a day, month and year`, field);
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year) || date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) {
    throw new SurveyRefused(`The ${label} must be a real date, such as 14 3 2026`, field);
  }
  return date.toISOString().slice(0, 10);
}

/** Opens a draft for the period given: it gets its unguessable public link. */
export async function openSurvey(db: Kysely<Schema>, survey: Survey, period: { opensOn: string; closesOn: string }): Promise<string> {
  if (survey.state !== 'draft') throw new SurveyRefused('Only a draft can be opened', undefined, 409);
  const questions = await questionsOf(db, survey);
  if (questions.length === 0) throw new SurveyRefused('Add at least one question before opening the survey', 'opensOn');
  if (!isoDate.test(period.opensOn) || !isoDate.test(period.closesOn)) throw new SurveyRefused('Enter the dates the survey opens and closes', 'opensOn');
  if (period.closesOn < period.opensOn) throw new SurveyRefused('The closing date must be on or after the opening date', 'closesOn');
  const token = randomBytes(24).toString('base64url');
  await db.updateTable('survey').set({ state: 'open', opens_on: period.opensOn, closes_on: period.closesOn, public_token: token, updated_at: new Date() }).where('la_code', '=', survey.laCode).where('id', '=', survey.id).where('state', '=', 'draft').execute();
  return token;
}

/** Moves the closing date: the one change a survey with answers allows. */
export async function setClosingDate(db: Kysely<Schema>, survey: Survey, closesOn: string): Promise<void> {
  if (survey.state !== 'open') throw new SurveyRefused('Only an open survey’s closing date can be changed', 'closesOn', 409);
  if (survey.opensOn !== null && closesOn < survey.opensOn) throw new SurveyRefused('The closing date must be on or after the opening date', 'closesOn');
  await db.updateTable('survey').set({ closes_on: closesOn, updated_at: new Date() }).where('la_code', '=', survey.laCode).where('id', '=', survey.id).execute();
}

/** Closes an open survey at once: its link answers no more. */
export async function closeSurvey(db: Kysely<Schema>, survey: Survey): Promise<void> {
  if (survey.state !== 'open') throw new SurveyRefused('Only an open survey can be closed', undefined, 409);
  await db.updateTable('survey').set({ state: 'closed', updated_at: new Date() }).where('la_code', '=', survey.laCode).where('id', '=', survey.id).execute();
}

/** Whether the survey takes answers today (open, and today within its period). */
export function takesAnswers(survey: Pick<Survey, 'state' | 'opensOn' | 'closesOn'>, today: string): boolean {
  return survey.state === 'open' && survey.opensOn !== null && survey.closesOn !== null && survey.opensOn <= today && today <= survey.closesOn;
}

/** Today's date in England, `YYYY-MM-DD`. */
export function todayInEngland(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
