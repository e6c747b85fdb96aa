import type { FastifyReply } from 'fastify';
import { choicesOf, freeTextLimit, frameworkGroupList } from './model.js';
import type { Question, Survey } from './store.js';

/** One question as the answering form shows it: its wording for the audience, and its choices. */
function questionView(question: Question, survey: Survey, forChildren: boolean, given: Record<string, string | undefined>) {
  const wording = forChildren && question.childText !== '' ? question.childText : question.text;
  const emoji = forChildren && survey.emojiScale;
  return {
    id: question.id,
    kind: question.kind,
    number: question.position,
    wording,
    value: given[question.id] ?? '',
    limit: freeTextLimit,
    choices: choicesOf(question).map((choice) => ({
      value: choice.value,
      label: forChildren ? choice.childLabel : choice.label,
      // Decorative: the label is the choice's accessible name, the emoji is hidden from screen readers.
      emoji: emoji ? (choice.emoji ?? null) : null,
      checked: given[question.id] === choice.value,
    })),
  };
}

/** The answering form (the public page, and its preview for the survey's builders). */
export function answerPage(
  reply: FastifyReply,
  survey: Survey,
  questions: readonly Question[],
  options: { preview: boolean; forChildren: boolean; breadcrumbs?: { text: string; href: string }[]; errors?: { text: string; href: string }[]; given?: { answers: Record<string, string | undefined>; groups: Record<string, string | undefined> }; statusCode?: number },
) {
  const given = options.given ?? { answers: {}, groups: {} };
  const errors = options.errors ?? [];
  const groups = new Map(frameworkGroupList().map((group) => [group.id, group.name]));
  return reply.code(options.statusCode ?? (errors.length > 0 ? 400 : 200)).view('voices/answer.njk', {
    pageTitle: options.forChildren ? survey.childTitle || survey.title : survey.title,
    breadcrumbs: options.breadcrumbs,
    survey,
    preview: options.preview,
    forChildren: options.forChildren,
    title: options.forChildren ? survey.childTitle || survey.title : survey.title,
    introduction: options.forChildren ? survey.childIntroduction || survey.introduction : survey.introduction,
    questions: questions.map((question) => questionView(question, survey, options.forChildren, given.answers)),
    groups: survey.asksGroups
      ? survey.groupIds.map((id) => ({ id, name: groups.get(id) ?? id, value: given.groups[id] ?? '' }))
      : [],
    errors,
    errorSummaryShown: errors.length > 0,
    errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
    action: survey.publicToken === null ? '' : `/surveys/answer/${survey.publicToken}`,
  });
}
