/**
 * Results gathered elsewhere (a paper survey typed up, another tool's export), loaded from a CSV:
 * one row a response, a column a question (headed by its number, "Q3" or "3", or its text) and,
 * optionally, a column a framework group (headed by its name or id: yes, no, or blank for not said).
 * Every row and cell is checked first; one problem anywhere and nothing is stored.
 */
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { parse } from 'csv-parse/sync';
import type { Schema } from '../db/schema.js';
import { checkAnswer, checkDeclared, frameworkGroupList } from './model.js';
import type { Declared } from './model.js';
import type { CheckedResponse } from './responses.js';
import { insertResponses } from './responses.js';
import type { Question, Survey } from './store.js';
import { SurveyRefused, questionsOf } from './store.js';

/** A problem in the file: its row (1 is the header), its column's heading, and what is wrong. */
export interface ImportProblem {
  row: number;
  column: string;
  message: string;
}

export class ImportRefused extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(`The file was not loaded: ${problems.length} problem${problems.length === 1 ? '' : 's'}. ${problems.slice(0, 3).map((problem) => `Row ${problem.row}, column “${problem.column}”: ${problem.message}`).join(' ')}`);
    this.name = 'ImportRefused';
  }
}

/** At most this many problems are listed: enough to see what is wrong with a file. */
const problemsListed = 100;
/** A file of more rows than this is refused: load it in parts. */
export const importRowLimit = 100_000;

const normalised = (text: string) => text.trim().toLowerCase().replace(/[\s’']+/g, ' ').replace(/[?.!]+$/, '');

type Column = { kind: 'question'; question: Question } | { kind: 'group'; index: number } | { kind: 'ignored' };

function columnOf(heading: string, questions: readonly Question[], survey: Pick<Survey, 'groupIds' | 'asksGroups'>, groups: ReadonlyMap<string, string>): Column | undefined {
  const number = /^q?\s*(\d+)$/i.exec(heading.trim());
  if (number !== null) {
    const question = questions.find((candidate) => candidate.position === Number(number[1]));
    return question === undefined ? undefined : { kind: 'question', question };
  }
  const byText = questions.find((question) => normalised(question.text) === normalised(heading));
  if (byText !== undefined) return { kind: 'question', question: byText };
  const groupIndex = survey.groupIds.findIndex((id) => id === heading.trim() || normalised(groups.get(id) ?? '') === normalised(heading));
  if (groupIndex !== -1) return { kind: 'group', index: groupIndex };
  return undefined;
}

/** The responses in a CSV's text, checked against the survey: every one, or every problem found (up to a hundred). */
export function checkImport(text: string, survey: Pick<Survey, 'groupIds' | 'asksGroups'>, questions: readonly Question[]): CheckedResponse[] {
  let records: string[][];
  try {
    const parsed: unknown = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true, bom: true });
    records = parsed as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ImportRefused([{ row: line ?? 1, column: '(whole row)', message: `the file is not a well-formed CSV: ${(error as Error).message}` }]);
  }
  const [header, ...rows] = records;
  if (header === undefined || rows.length === 0) throw new ImportRefused([{ row: 1, column: '(whole file)', message: 'the file has no rows of responses under its header' }]);
  if (rows.length > importRowLimit) throw new ImportRefused([{ row: importRowLimit + 2, column: '(whole file)', message: `the file has ${rows.length} rows: load at most ${importRowLimit} at a time` }]);
  const groups = new Map(frameworkGroupList().map((group) => [group.id, group.name]));
  const problems: ImportProblem[] = [];
  const ignored: Column = { kind: 'ignored' };
  const columns = header.map((heading): Column => {
    if (heading.trim() === '') return ignored;
    const column = columnOf(heading, questions, survey, groups);
    if (column === undefined) {
      problems.push({ row: 1, column: heading, message: `names no question of this survey (by its number, such as Q3, or its text) and no framework group` });
      return ignored;
    }
    if (column.kind === 'group' && !survey.asksGroups) {
      problems.push({ row: 1, column: heading, message: 'this survey does not ask which groups respondents are in: remove the column, or change the survey to ask' });
    }
    return column;
  });
  const seen = new Map<string, string>();
  header.forEach((heading, index) => {
    const column = columns[index]!;
    const key = column.kind === 'question' ? `q:${column.question.id}` : column.kind === 'group' ? `g:${column.index}` : undefined;
    if (key === undefined) return;
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push({ row: 1, column: heading, message: `means the same as the column “${earlier}”: keep one` });
    seen.set(key, heading);
  });
  if (!columns.some((column) => column.kind === 'question')) problems.push({ row: 1, column: '(header)', message: 'no column names a question of this survey' });
  if (problems.length > 0) throw new ImportRefused(problems);
  const responses: CheckedResponse[] = [];
  rows.forEach((cells, rowIndex) => {
    const row = rowIndex + 2;
    const answers = new Map<string, string>();
    const declared: Declared[] = survey.groupIds.map(() => 'not-said');
    cells.forEach((cell, index) => {
      const column = columns[index]!;
      const heading = header[index]!;
      if (column.kind === 'question') {
        if (cell.trim() === '') return;
        const checked = checkAnswer(column.question, cell);
        if ('problem' in checked) problems.push({ row, column: heading, message: `the answer ${checked.problem}` });
        else if (checked.value !== '') answers.set(column.question.id, checked.value);
      } else if (column.kind === 'group') {
        const checked = checkDeclared(cell);
        if ('problem' in checked) problems.push({ row, column: heading, message: checked.problem });
        else declared[column.index] = checked.declared;
      }
    });
    if (answers.size === 0 && problems.every((problem) => problem.row !== row)) problems.push({ row, column: '(whole row)', message: 'the row answers no question' });
    responses.push({ answers, declared });
  });
  if (problems.length > 0) throw new ImportRefused(problems.slice(0, problemsListed));
  return responses;
}

/** Loads a file of responses into a survey (not a draft: its questions are fixed once it has opened), all or nothing. */
export async function importResponses(db: Kysely<Schema>, survey: Survey, path: string): Promise<number> {
  if (survey.state === 'draft') throw new SurveyRefused('Open the survey before loading results into it: its questions must be settled first', 'file', 409);
  const questions = await questionsOf(db, survey);
  const responses = checkImport(await readFile(path, 'utf8'), survey, questions);
  await db.transaction().execute((trx) => insertResponses(trx, survey, responses, 'import'));
  return responses.length;
}
