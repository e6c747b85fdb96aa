/**
 * The rules of a survey's questions, as pure functions: the values each kind of question allows,
 * their labels (for adults, and in plain words with an emoji for children), which answers count as
 * agreeing by default, and the checks every answer passes however it arrives (the form or a CSV).
 */
import { findItems, loadCatalogue } from '../framework/catalogue.js';
import type { Polarity, QuestionKind } from './tables.js';

export interface QuestionRules {
  kind: QuestionKind;
  /** The choices of a single-choice question, as written (the value stored is the choice's text). */
  options: readonly string[];
}

export interface AnswerChoice {
  value: string;
  /** The label adults read. */
  label: string;
  /** The label in a children's version: plain words. */
  childLabel: string;
  /** The emoji shown beside the children's label when the survey uses the emoji scale (decorative). */
  emoji?: string;
}

/** A five-point Likert scale, 1 (strongly disagree) to 5 (strongly agree). */
export const likertChoices: readonly AnswerChoice[] = [
  { value: '1', label: 'Strongly disagree', childLabel: 'No, not at all', emoji: '😞' },
  { value: '2', label: 'Disagree', childLabel: 'Not really', emoji: '🙁' },
  { value: '3', label: 'Neither agree nor disagree', childLabel: 'Not sure', emoji: '😐' },
  { value: '4', label: 'Agree', childLabel: 'Yes, mostly', emoji: '🙂' },
  { value: '5', label: 'Strongly agree', childLabel: 'Yes, a lot', emoji: '😀' },
];

export const yesNoChoices: readonly AnswerChoice[] = [
  { value: 'yes', label: 'Yes', childLabel: 'Yes', emoji: '👍' },
  { value: 'no', label: 'No', childLabel: 'No', emoji: '👎' },
];

export const kindLabels: Record<QuestionKind, string> = {
  likert: 'Agree or disagree (five points)',
  'yes-no': 'Yes or no',
  choice: 'Choose one of several answers',
  text: 'Free text',
};

export const polarityLabels: Record<Polarity, string> = {
  'higher-is-better': 'Agreeing is good news (for example “I feel safe at school”)',
  'lower-is-better': 'Agreeing is bad news (for example “I have been bullied this term”)',
};

/** A free-text answer is cut to nothing longer than this. */
export const freeTextLimit = 1000;

/** Whether a question's answers can be counted (every kind but free text). */
export function isClosed(kind: QuestionKind): boolean {
  return kind !== 'text';
}

/** The answers a closed question allows, in order; none for free text. */
export function choicesOf(question: QuestionRules): readonly AnswerChoice[] {
  if (question.kind === 'likert') return likertChoices;
  if (question.kind === 'yes-no') return yesNoChoices;
  if (question.kind === 'choice') return question.options.map((option) => ({ value: option, label: option, childLabel: option }));
  return [];
}

/** The answers that count as agreeing unless the survey's author says otherwise: the top two points, "yes". */
export function defaultAgreeing(question: QuestionRules): string[] {
  if (question.kind === 'likert') return ['4', '5'];
  if (question.kind === 'yes-no') return ['yes'];
  return [];
}

/**
 * An answer as given (form or CSV), checked: the stored value, or a problem in words. A closed
 * question takes only one of its values (a Likert point also by its label, a choice by its text or
 * number); free text is kept as the text it is, trimmed, never interpreted, and refused when too long.
 */
export function checkAnswer(question: QuestionRules, given: string): { value: string } | { problem: string } {
  const text = given.trim();
  if (question.kind === 'text') {
    if (text.length > freeTextLimit) return { problem: `is ${text.length} characters long: at most ${freeTextLimit} are kept` };
    return { value: text };
  }
  const choices = choicesOf(question);
  const lower = text.toLowerCase();
  const byValue = choices.find((choice) => choice.value.toLowerCase() === lower || choice.label.toLowerCase() === lower || choice.childLabel.toLowerCase() === lower);
  if (byValue !== undefined) return { value: byValue.value };
  if (question.kind === 'choice' && /^\d+$/.test(text)) {
    const option = question.options[Number(text) - 1];
    if (option !== undefined) return { value: option };
  }
  const allowed = question.kind === 'likert' ? '1 to 5 (strongly disagree to strongly agree)' : choices.map((choice) => `“${choice.value}”`).join(', ');
  return { problem: `“${text.slice(0, 40)}” is not one of the answers allowed: ${allowed}` };
}

/** How a respondent answered the question of belonging to a group. */
export type Declared = 'in' | 'out' | 'not-said';

/** The framework's 13 groups, in the catalogue's order: a survey fixes this list when it is made. */
export function frameworkGroupList(): { id: string; name: string }[] {
  return findItems(loadCatalogue(), { kind: 'group' }).map((group) => ({ id: group.id, name: group.name }));
}

/** A group answer from the form or a CSV cell: yes, no, or blank and "prefer not to say" (not said). */
export function checkDeclared(given: string): { declared: Declared } | { problem: string } {
  const text = given.trim().toLowerCase();
  if (text === '' || text === 'prefer not to say' || text === 'not-said' || text === 'not said') return { declared: 'not-said' };
  if (['yes', 'y', 'in', '1', 'true'].includes(text)) return { declared: 'in' };
  if (['no', 'n', 'out', '0', 'false'].includes(text)) return { declared: 'out' };
  return { problem: `“${given.trim().slice(0, 40)}” is not yes, no or blank (blank: not said)` };
}

/** Declared groups as the two bit sets stored with a response (bit i: the survey's i-th group). */
export function groupBits(declared: readonly Declared[]): { groupsIn: number; groupsOut: number } {
  let groupsIn = 0;
  let groupsOut = 0;
  declared.forEach((answer, index) => {
    if (answer === 'in') groupsIn |= 1 << index;
    if (answer === 'out') groupsOut |= 1 << index;
  });
  return { groupsIn, groupsOut };
}
