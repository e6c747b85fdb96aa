import { parseAcademicYear } from '../../ingest/child-standard.js';
import type { ActionFields, PlanText } from './store.js';
import type { IdeaCost, Quadrant } from './tables.js';
import { actionStatuses, ideaCosts, quadrants } from './tables.js';

/** A problem with one field of a form, as the GOV.UK error summary lists it. */
export interface FieldError {
  field: string;
  text: string;
}

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A form field as @fastify/formbody gives it: absent, one value, or several for a repeated name. */
type Field = string | string[] | undefined;
export type FormBody = Record<string, Field>;

function text(field: Field): string {
  return (Array.isArray(field) ? field[0] : field)?.trim() ?? '';
}

function list(field: Field): string[] {
  return (field === undefined ? [] : [field].flat()).map((value) => value.trim());
}

const limits = { title: 200, story: 20_000, partner: 200, idea: 1_000, description: 500, owner: 200, note: 2_000, measure: 300, period: 40 };

function tooLong(errors: FieldError[], field: string, label: string, value: string, limit: number): void {
  if (value.length > limit) errors.push({ field, text: `${label} must be ${limit.toLocaleString('en-GB')} characters or fewer (it has ${value.length.toLocaleString('en-GB')})` });
}

/** A number as people type it: "52", "52.5", "52%", "1,200". */
function parseNumber(value: string): number | undefined {
  const cleaned = value.replace(/[,%\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined;
  return Number(cleaned);
}

/** The version a form was opened at, from its hidden field. */
export function parseVersion(body: FormBody): number | undefined {
  const value = Number(text(body.version));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The plan's own text: title, target, story, partners and what works. */
export function parsePlanText(body: FormBody, options: { percentage: boolean; lastYear: number | null; min?: number | undefined; max?: number | undefined }): FormResult<PlanText> {
  const errors: FieldError[] = [];
  const title = text(body.title);
  if (title === '') errors.push({ field: 'title', text: 'Enter a title for the plan' });
  tooLong(errors, 'title', 'Title', title, limits.title);

  const targetText = text(body.target_value);
  const targetYearText = text(body.target_year);
  let targetValue: number | null = null;
  let targetYear: number | null = null;
  if (targetText !== '' || targetYearText !== '') {
    const value = parseNumber(targetText);
    if (targetText === '') errors.push({ field: 'target_value', text: 'Enter the target value, or clear the target year' });
    else if (value === undefined) errors.push({ field: 'target_value', text: 'Target value must be a number, like 55 or 102.5' });
    else if (options.percentage && (value < 0 || value > 100)) errors.push({ field: 'target_value', text: 'Target value must be a percentage from 0 to 100' });
    else if (!options.percentage && ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max))) {
      errors.push({ field: 'target_value', text: `Target value must be from ${options.min ?? 'any'} to ${options.max ?? 'any'}, the range of the indicator` });
    } else targetValue = value;
    const year = parseAcademicYear(targetYearText);
    if (targetYearText === '') errors.push({ field: 'target_year', text: 'Enter the academic year the target is for, like 2027/28' });
    else if (year === undefined) errors.push({ field: 'target_year', text: 'Target year must be an academic year like 2027/28' });
    else if (options.lastYear !== null && year <= options.lastYear) errors.push({ field: 'target_year', text: 'Target year must be after the latest year with figures' });
    else targetYear = year;
  }

  const story = text(body.story);
  tooLong(errors, 'story', 'The story behind the baseline', story, limits.story);

  const names = list(body.partner_name);
  const roles = list(body.partner_role);
  const partners = names
    .map((name, index) => ({ name, role: roles[index] ?? '', index }))
    .filter((partner) => partner.name !== '' || partner.role !== '');
  for (const partner of partners) {
    if (partner.name === '') errors.push({ field: `partner-name-${partner.index}`, text: `Partner ${partner.index + 1}: enter the partner’s name, or clear its role` });
    tooLong(errors, `partner-name-${partner.index}`, `Partner ${partner.index + 1} name`, partner.name, limits.partner);
    tooLong(errors, `partner-role-${partner.index}`, `Partner ${partner.index + 1} role`, partner.role, limits.idea);
  }

  const ideas = list(body.idea);
  const costs = list(body.idea_cost);
  const whatWorks = ideas.map((idea, index) => ({ idea, cost: costs[index] ?? 'no-cost', index })).filter((entry) => entry.idea !== '');
  for (const entry of whatWorks) {
    tooLong(errors, `idea-${entry.index}`, `Idea ${entry.index + 1}`, entry.idea, limits.idea);
    if (!(ideaCosts as readonly string[]).includes(entry.cost)) errors.push({ field: `idea-cost-${entry.index}`, text: `Idea ${entry.index + 1}: choose what it costs` });
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      title,
      targetValue,
      targetYear,
      story,
      partners: partners.map(({ name, role }) => ({ name, role })),
      whatWorks: whatWorks.map(({ idea, cost }) => ({ idea, cost: cost as IdeaCost })),
    },
  };
}

/** A date from the GOV.UK date input's three fields, as YYYY-MM-DD; blank is no date. */
function parseDueDate(body: FormBody, errors: FieldError[]): string | null {
  const [day, month, year] = [text(body['due-day']), text(body['due-month']), text(body['due-year'])];
  if (day === '' && month === '' && year === '') return null;
  if (day === '' || month === '' || year === '') {
    errors.push({ field: 'due-day', text: 'Due date must include a day, month and year, or be left blank' });
    return null;
  }
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = Number.isInteger(d) && Number.isInteger(m) && Number.isInteger(y) && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  if (!real || y < 2000 || y > 2100) {
    errors.push({ field: 'due-day', text: 'Due date must be a real date, like 31 3 2027' });
    return null;
  }
  return date.toISOString().slice(0, 10);
}

/** An action of the plan: what, who, by when, and where it stands. */
export function parseAction(body: FormBody): FormResult<ActionFields & { note: string }> {
  const errors: FieldError[] = [];
  const description = text(body.description);
  if (description === '') errors.push({ field: 'description', text: 'Enter what the action is' });
  tooLong(errors, 'description', 'The action', description, limits.description);
  const owner = text(body.owner);
  tooLong(errors, 'owner', 'Owner', owner, limits.owner);
  const dueDate = parseDueDate(body, errors);
  const status = text(body.status) || 'not-started';
  if (!(actionStatuses as readonly string[]).includes(status)) errors.push({ field: 'status', text: 'Choose where the action stands' });
  const note = text(body.note);
  tooLong(errors, 'note', 'Update', note, limits.note);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { description, owner, dueDate, status: status as ActionFields['status'], note } };
}

/** A performance measure of the service, in one of the four quadrants. */
export function parseMeasure(body: FormBody): FormResult<{ quadrant: Quadrant; name: string }> {
  const errors: FieldError[] = [];
  const quadrant = text(body.quadrant);
  if (!(quadrants as readonly string[]).includes(quadrant)) errors.push({ field: 'quadrant', text: 'Choose which question the measure answers' });
  const name = text(body.name);
  if (name === '') errors.push({ field: 'measure-name', text: 'Enter what the measure counts' });
  tooLong(errors, 'measure-name', 'Measure', name, limits.measure);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { quadrant: quadrant as Quadrant, name } };
}

/** One value of a measure for a period the service chooses ("2025/26", "April 2026"). */
export function parseMeasureValue(body: FormBody, options: { percentage: boolean }): FormResult<{ period: string; value: number }> {
  const errors: FieldError[] = [];
  const period = text(body.period);
  if (period === '') errors.push({ field: 'period', text: 'Enter the period the value is for, like 2025/26 or April 2026' });
  tooLong(errors, 'period', 'Period', period, limits.period);
  const valueText = text(body.value);
  const value = parseNumber(valueText);
  if (valueText === '') errors.push({ field: 'value', text: 'Enter the value' });
  else if (value === undefined) errors.push({ field: 'value', text: 'Value must be a number, like 120 or 85.5' });
  else if (options.percentage && (value < 0 || value > 100)) errors.push({ field: 'value', text: 'A percentage must be from 0 to 100' });
  else if (!options.percentage && value < 0) errors.push({ field: 'value', text: 'A count cannot be negative' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { period, value: value! } };
}
