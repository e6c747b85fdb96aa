/**
 * Reads a rating from a form or a JSON body into RatingFields, or says what is wrong with each
 * field. Forms and the API share it, so a rating means the same whichever way it arrives.
 *
 * Field names (form and JSON alike): `level` (1-4 or its name: not-yet-in-place, developing,
 * established, embedded), `not_applicable` (true, or "yes" from a form) with
 * `not_applicable_reason`, `note`, `links` (JSON: [{url, title}]; a form: one per line, a title and
 * then the address), `confidence` (low, medium, high), `next_step`, `next_step_owner`,
 * `next_step_due` (YYYY-MM-DD), and `version` (the version read; 0 for a statement never rated).
 */
import type { EvidenceLink } from './tables.js';
import { confidenceLevels } from './tables.js';
import type { RatingFields } from './store.js';
import { levelDescriptions, parseLevel } from './scale.js';

export interface FieldError {
  field: string;
  text: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ratingLimits = { note: 10_000, reason: 2_000, nextStep: 2_000, owner: 200, links: 20, linkTitle: 200, url: 2_000 };

function textOf(value: unknown): string {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return '';
}

function tooLong(errors: FieldError[], field: string, label: string, value: string, limit: number): void {
  if (value.length > limit) errors.push({ field, text: `${label} must be ${limit.toLocaleString('en-GB')} characters or fewer (it has ${value.length.toLocaleString('en-GB')})` });
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Links from JSON ([{url, title}]) or a form's text area (one per line: a title, then the address). */
function parseLinks(raw: unknown, errors: FieldError[]): EvidenceLink[] {
  if (raw === undefined || raw === null || raw === '') return [];
  const entries: { url: string; title: string; where: string }[] = [];
  if (Array.isArray(raw) && raw.every((entry) => typeof entry === 'object' && entry !== null)) {
    raw.forEach((entry: Record<string, unknown>, index) => entries.push({ url: textOf(entry.url), title: textOf(entry.title), where: `link ${index + 1}` }));
  } else if (typeof raw === 'string' || Array.isArray(raw)) {
    textOf(Array.isArray(raw) ? raw.join('\n') : raw)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .forEach((line, index) => {
        const match = /^(.*?)\s*(https?:\/\/\S+)$/i.exec(line);
        entries.push(match === null ? { url: line, title: '', where: `line ${index + 1}` } : { url: match[2]!, title: match[1]!.replace(/[-–:|]\s*$/, '').trim(), where: `line ${index + 1}` });
      });
  } else {
    errors.push({ field: 'links', text: 'Links must be a list of { "url", "title" } objects' });
    return [];
  }
  if (entries.length > ratingLimits.links) errors.push({ field: 'links', text: `Give at most ${ratingLimits.links} links (there are ${entries.length})` });
  const links: EvidenceLink[] = [];
  for (const entry of entries) {
    if (!isWebAddress(entry.url)) {
      errors.push({ field: 'links', text: `Links, ${entry.where}: “${entry.url.slice(0, 80)}” is not a web address starting https:// or http://` });
      continue;
    }
    tooLong(errors, 'links', `Links, ${entry.where}: the address`, entry.url, ratingLimits.url);
    tooLong(errors, 'links', `Links, ${entry.where}: the title`, entry.title, ratingLimits.linkTitle);
    links.push({ url: entry.url, title: entry.title });
  }
  return links;
}

function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = textOf(value).toLowerCase();
  return text === 'yes' || text === 'true' || text === 'on' || text === '1';
}

/** A calendar date written YYYY-MM-DD that exists. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The version a save started from: 0 for a statement never rated. */
export function parseRatingVersion(body: Record<string, unknown>): ParseResult<number> {
  const raw = textOf(body.version);
  const value = Number(raw);
  if (raw === '' || !Number.isInteger(value) || value < 0) {
    return { ok: false, errors: [{ field: 'version', text: 'Give the version of the rating you read (0 for a statement not yet rated), so that no one else’s change is overwritten' }] };
  }
  return { ok: true, value };
}

/** A rating's fields from a form or a JSON body, or the problems with them, each naming its field. */
export function parseRating(body: Record<string, unknown>): ParseResult<RatingFields> {
  const errors: FieldError[] = [];
  const notApplicable = isTrue(body.not_applicable) || textOf(body.level) === 'not-applicable';
  const levelText = textOf(body.level);
  let level: number | null = null;
  if (!notApplicable && levelText !== '') {
    const parsed = parseLevel(body.level);
    if (parsed === undefined) {
      errors.push({ field: 'level', text: `Level must be one of ${levelDescriptions.map((d) => `${d.level} (${d.name})`).join(', ')}, or not applicable; “${levelText.slice(0, 40)}” is not on the scale` });
    } else level = parsed;
  }
  const notApplicableReason = textOf(body.not_applicable_reason);
  if (notApplicable && notApplicableReason === '') errors.push({ field: 'not_applicable_reason', text: 'Say why this statement does not apply to you' });
  tooLong(errors, 'not_applicable_reason', 'The reason', notApplicableReason, ratingLimits.reason);

  const note = textOf(body.note);
  tooLong(errors, 'note', 'The evidence note', note, ratingLimits.note);
  const links = parseLinks(body.links, errors);

  const confidenceText = textOf(body.confidence).toLowerCase();
  let confidence: RatingFields['confidence'] = null;
  if (confidenceText !== '') {
    if ((confidenceLevels as readonly string[]).includes(confidenceText)) confidence = confidenceText as RatingFields['confidence'];
    else errors.push({ field: 'confidence', text: `Confidence must be low, medium or high; “${confidenceText.slice(0, 40)}” is not one of them` });
  }

  const nextStep = textOf(body.next_step);
  tooLong(errors, 'next_step', 'The next step', nextStep, ratingLimits.nextStep);
  const nextStepOwner = textOf(body.next_step_owner);
  tooLong(errors, 'next_step_owner', 'The next step’s owner', nextStepOwner, ratingLimits.owner);
  const dueText = textOf(body.next_step_due);
  let nextStepDue: string | null = null;
  if (dueText !== '') {
    if (isCalendarDate(dueText)) nextStepDue = dueText;
    else errors.push({ field: 'next_step_due', text: `The next step’s date must be a real date written YYYY-MM-DD, like 2026-03-31; “${dueText.slice(0, 40)}” is not` });
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { level, notApplicable, notApplicableReason: notApplicable ? notApplicableReason : '', note, links, confidence, nextStep, nextStepOwner, nextStepDue } };
}
