/**
 * Reading improvement-plan forms and JSON bodies into fields, with a message per field that names
 * what is wrong. Checks that need the database (owners, links) are the service's.
 */
import type { PriorityLink } from './model.js';
import type { ImprovementActionStatus, LinkKind, MeasureFigure } from './tables.js';
import { improvementActionStatuses, linkKinds, measureFigures } from './tables.js';

/** A problem with one field, as the GOV.UK error summary lists it and the API returns it. */
export interface FieldError {
  field: string;
  text: string;
}

export type Body = Record<string, unknown>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const limits = { title: 200, vision: 5_000, rationale: 5_000, actionTitle: 300, note: 5_000 } as const;

export const actionStatusText: Record<ImprovementActionStatus, string> = {
  'not-started': 'Not started',
  'on-track': 'On track',
  'at-risk': 'At risk',
  'off-track': 'Off track',
  done: 'Done',
};

/** A field as trimmed text: forms give strings (or arrays for repeated names), JSON may give numbers. */
export function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** A repeated field (checkboxes) or a JSON array, as trimmed non-empty strings. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(text).filter((entry) => entry !== '');
}

function required(errors: FieldError[], field: string, value: string, missing: string, limit: number, label: string): void {
  if (value === '') errors.push({ field, text: missing });
  else if (value.length > limit) errors.push({ field, text: `${label} must be ${limit.toLocaleString('en-GB')} characters or fewer (it has ${value.length.toLocaleString('en-GB')})` });
}

function atMost(errors: FieldError[], field: string, value: string, limit: number, label: string): void {
  if (value.length > limit) errors.push({ field, text: `${label} must be ${limit.toLocaleString('en-GB')} characters or fewer (it has ${value.length.toLocaleString('en-GB')})` });
}

/** Whether a yyyy-mm-dd string names a real day. */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && year >= 2000 && year <= 2100;
}

/**
 * A date from a JSON field (`start_date: "2027-01-31"`) or a GOV.UK date input's three fields
 * (`start_date-day`, `-month`, `-year`). The error names the field the person fixes: the input's
 * day box, or the JSON field.
 */
export function parseDate(body: Body, name: string, label: string, errors: FieldError[]): string | undefined {
  const whole = text(body[name]);
  const parts = [text(body[`${name}-day`]), text(body[`${name}-month`]), text(body[`${name}-year`])];
  if (whole !== '') {
    if (isIsoDate(whole)) return whole;
    errors.push({ field: name, text: `${label} must be a real date written as yyyy-mm-dd, like 2027-03-31` });
    return undefined;
  }
  const field = `${name}-day`;
  if (parts.every((part) => part === '')) {
    errors.push({ field, text: `Enter the ${label.toLowerCase()}` });
    return undefined;
  }
  if (parts.some((part) => part === '')) {
    errors.push({ field, text: `${label} must include a day, month and year` });
    return undefined;
  }
  const [day, month, year] = parts.map(Number);
  const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  if (!parts.every((part) => /^\d+$/.test(part)) || !isIsoDate(iso)) {
    errors.push({ field, text: `${label} must be a real date, like 31 3 2027` });
    return undefined;
  }
  return iso;
}

export interface PlanForm {
  title: string;
  vision: string;
  periodStart: string;
  periodEnd: string;
  /** The account named as the plan's owner (who gets the weekly digest), or '' for none. */
  ownerUserId: string;
}

export function parsePlanForm(body: Body): Parsed<PlanForm> {
  const errors: FieldError[] = [];
  const title = text(body.title);
  const vision = text(body.vision);
  required(errors, 'title', title, 'Enter a title for the plan', limits.title, 'Title');
  atMost(errors, 'vision', vision, limits.vision, 'Vision');
  const periodStart = parseDate(body, 'period_start', 'Start of the period', errors);
  const periodEnd = parseDate(body, 'period_end', 'End of the period', errors);
  if (periodStart !== undefined && periodEnd !== undefined && periodEnd <= periodStart) {
    errors.push({ field: text(body.period_end) === '' ? 'period_end-day' : 'period_end', text: 'The period must end after it starts' });
  }
  if (errors.length > 0 || periodStart === undefined || periodEnd === undefined) return { ok: false, errors };
  return { ok: true, value: { title, vision, periodStart, periodEnd, ownerUserId: text(body.owner_user_id) } };
}

export interface PriorityForm {
  title: string;
  rationale: string;
  links: PriorityLink[];
}

/** Link fields: `threads`, `statements`, `gaps` (indicator|group), `curve_plans`, `practice_items`; in JSON also `links: [{kind, target}]`. */
const linkFields: Record<LinkKind, string> = { thread: 'threads', statement: 'statements', gap: 'gaps', 'curve-plan': 'curve_plans', practice: 'practice_items' };

export function linkField(kind: LinkKind): string {
  return linkFields[kind];
}

export function parseLinks(body: Body, errors: FieldError[]): PriorityLink[] {
  const links: PriorityLink[] = [];
  for (const kind of linkKinds) for (const target of list(body[linkFields[kind]])) links.push({ kind, target });
  if (body.links !== undefined) {
    if (!Array.isArray(body.links)) errors.push({ field: 'links', text: 'links must be a list of {"kind", "target"}' });
    else {
      body.links.forEach((entry: unknown, index) => {
        const kind = text((entry as Body | null)?.kind);
        const target = text((entry as Body | null)?.target);
        if (!(linkKinds as readonly string[]).includes(kind)) errors.push({ field: `links[${index}].kind`, text: `Link ${index + 1}: kind must be one of ${linkKinds.join(', ')}` });
        else if (target === '') errors.push({ field: `links[${index}].target`, text: `Link ${index + 1}: give the target it points at` });
        else links.push({ kind: kind as LinkKind, target });
      });
    }
  }
  return links;
}

export function parsePriorityForm(body: Body): Parsed<PriorityForm> {
  const errors: FieldError[] = [];
  const title = text(body.title);
  const rationale = text(body.rationale);
  required(errors, 'title', title, 'Enter the priority', limits.title, 'Priority');
  atMost(errors, 'rationale', rationale, limits.rationale, 'Why it is a priority');
  const links = parseLinks(body, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { title, rationale, links } };
}

export interface ActionForm {
  title: string;
  /** `user:<uuid>` or `organisation:<uuid>`, as the owner select gives it; JSON may give `owner_user_id` or `owner_organisation_id`. */
  owner: { kind: 'member'; userId: string } | { kind: 'partner'; organisationId: string };
  startDate: string;
  dueDate: string;
  status: ImprovementActionStatus;
  note: string;
}

function parseOwner(body: Body, errors: FieldError[]): ActionForm['owner'] | undefined {
  const chosen = text(body.owner);
  const userId = text(body.owner_user_id);
  const organisationId = text(body.owner_organisation_id);
  if (chosen.startsWith('user:')) return { kind: 'member', userId: chosen.slice('user:'.length) };
  if (chosen.startsWith('organisation:')) return { kind: 'partner', organisationId: chosen.slice('organisation:'.length) };
  if (userId !== '' && organisationId !== '') {
    errors.push({ field: 'owner', text: 'Give one owner: a member or a partner organisation, not both' });
    return undefined;
  }
  if (userId !== '') return { kind: 'member', userId };
  if (organisationId !== '') return { kind: 'partner', organisationId };
  errors.push({ field: 'owner', text: chosen === '' ? 'Choose who owns the action' : 'Choose an owner from the list' });
  return undefined;
}

export function parseActionForm(body: Body, options: { noteRequired: boolean }): Parsed<ActionForm> {
  const errors: FieldError[] = [];
  const title = text(body.title);
  required(errors, 'title', title, 'Describe the action', limits.actionTitle, 'Action');
  const owner = parseOwner(body, errors);
  const startDate = parseDate(body, 'start_date', 'Start date', errors);
  const dueDate = parseDate(body, 'due_date', 'Due date', errors);
  if (startDate !== undefined && dueDate !== undefined && dueDate < startDate) {
    errors.push({ field: text(body.due_date) === '' ? 'due_date-day' : 'due_date', text: 'The due date must be on or after the start date' });
  }
  const status = text(body.status);
  if (!(improvementActionStatuses as readonly string[]).includes(status)) {
    errors.push({ field: 'status', text: status === '' ? 'Choose the action’s status' : `Status must be one of: ${improvementActionStatuses.join(', ')}` });
  }
  const note = text(body.note);
  if (options.noteRequired && note === '') errors.push({ field: 'note', text: 'Say what has happened since the last update' });
  atMost(errors, 'note', note, limits.note, 'Update');
  if (errors.length > 0 || owner === undefined || startDate === undefined || dueDate === undefined) return { ok: false, errors };
  return { ok: true, value: { title, owner, startDate, dueDate, status: status as ImprovementActionStatus, note } };
}

export interface MeasureForm {
  indicator: string;
  groupSpec: string;
  comparator: string;
  figure: MeasureFigure;
  targetValue: number;
  targetYear: string;
}

/** A number as people type it: "52", "-3.5", "52%". */
export function parseNumber(value: string): number | undefined {
  const cleaned = value.replace(/[,%\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined;
  return Number(cleaned);
}

export function parseMeasureForm(body: Body): Parsed<MeasureForm> {
  const errors: FieldError[] = [];
  const gap = text(body.gap);
  const [gapIndicator, gapGroup] = gap.includes('|') ? gap.split('|') : ['', ''];
  const indicator = text(body.indicator) || gapIndicator || '';
  const groupSpec = text(body.group) || gapGroup || '';
  if (indicator === '' || groupSpec === '') errors.push({ field: 'gap', text: 'Choose the gap the measure follows' });
  const comparator = text(body.comparator) || 'all-other';
  const figure = text(body.figure) || 'gap';
  if (!(measureFigures as readonly string[]).includes(figure)) errors.push({ field: 'figure', text: `Figure must be one of: ${measureFigures.join(', ')}` });
  const targetText = text(body.target_value);
  const targetValue = parseNumber(targetText);
  if (targetText === '') errors.push({ field: 'target_value', text: 'Enter the target value' });
  else if (targetValue === undefined) errors.push({ field: 'target_value', text: 'Target value must be a number, like 5 or -2.5' });
  const targetYear = text(body.target_year);
  if (targetYear === '') errors.push({ field: 'target_year', text: 'Enter the year the target is for, like 2028/29' });
  if (errors.length > 0 || targetValue === undefined) return { ok: false, errors };
  return { ok: true, value: { indicator, groupSpec, comparator, figure: figure as MeasureFigure, targetValue, targetYear } };
}

/** The version a form or JSON body started from. */
export function parseVersion(body: Body): number | undefined {
  const value = Number(text(body.version));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
