/**
 * The submission form and PracticeContent, both ways. A form sends text; content holds numbers,
 * lists and yes/no. What a person typed is kept as typed (`PracticeForm`), so that a page shown
 * again after a problem holds their words, "12,5" and all, not what the service made of them.
 *
 * Field names follow the content's paths (`results.0.sd`), so a problem from `contentProblems`
 * names the very input it is about; element ids replace the dots with hyphens (`results-0-sd`),
 * which the error summary links to.
 */
import type { EvaluationDesign, FieldProblem, PracticeContent, PracticeLink, PracticeResult, ResultMeasure } from './content.js';
import { evaluationDesigns, fieldLabel, resultMeasures } from './content.js';

/** One result row as typed. */
export interface ResultForm {
  outcome: string;
  forWhom: string;
  measure: string;
  /** 'yes' or 'no'. */
  higherIsBetter: string;
  effectSize: string;
  lower: string;
  upper: string;
  n: string;
  mean: string;
  sd: string;
  events: string;
  comparatorMean: string;
  comparatorSd: string;
  comparatorEvents: string;
  comparatorN: string;
}

/** The submission form as typed: every number still text. */
export interface PracticeForm {
  title: string;
  summary: string;
  problem: string;
  whatWasDone: string;
  groups: string[];
  outcomes: string[];
  threads: string[];
  statements: string[];
  tiers: string[];
  settingTypes: string[];
  ageFrom: string;
  ageTo: string;
  laCode: string;
  partners: string;
  costPerChild: string;
  costNotes: string;
  staffing: string;
  implementation: string;
  whatWentWrong: string;
  durationMonths: string;
  design: string;
  evaluation: string;
  results: ResultForm[];
  links: PracticeLink[];
  contactName: string;
  contactEmail: string;
  contactPublic: boolean;
  consent: boolean;
  /** Only when answering a return; not part of the content. */
  responseToFeedback: string;
  /** Words to find template statements by; not part of the content. */
  statementSearch: string;
}

/** The id of the element a field's problem links to: `results.0.sd` → `results-0-sd`. */
export function fieldId(field: string): string {
  return field.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/** Problems as the GOV.UK error summary lists them, each linking to its field. */
export function errorList(problems: readonly FieldProblem[]): { text: string; href: string }[] {
  return problems.map((problem) => ({ text: problem.message, href: `#${fieldId(problem.field)}` }));
}

/** The message for one field, as a GOV.UK component's `errorMessage`, or undefined. */
export function errorFor(problems: readonly FieldProblem[] | undefined, field: string): { text: string } | undefined {
  const messages = (problems ?? []).filter((problem) => problem.field === field).map((problem) => problem.message);
  return messages.length === 0 ? undefined : { text: messages.join('. ') };
}

const resultNumberFields = ['effectSize', 'lower', 'upper', 'n', 'mean', 'sd', 'events', 'comparatorMean', 'comparatorSd', 'comparatorEvents', 'comparatorN'] as const;
type ResultNumberField = (typeof resultNumberFields)[number];

/** What each figure of a result is, in the words its problems use. */
export const resultFigureLabels: Record<ResultNumberField, string> = {
  effectSize: 'the effect size',
  lower: 'the lower limit of the interval',
  upper: 'the upper limit of the interval',
  n: 'the number in the intervention group',
  mean: 'the intervention group’s mean',
  sd: 'the intervention group’s standard deviation',
  events: 'how many in the intervention group had the outcome',
  comparatorMean: 'the comparison group’s mean',
  comparatorSd: 'the comparison group’s standard deviation',
  comparatorEvents: 'how many in the comparison group had the outcome',
  comparatorN: 'the number in the comparison group',
};

function numberText(value: number | null): string {
  return value === null ? '' : String(value);
}

export function blankResultForm(): ResultForm {
  return {
    outcome: '',
    forWhom: '',
    measure: 'effect',
    higherIsBetter: 'yes',
    effectSize: '',
    lower: '',
    upper: '',
    n: '',
    mean: '',
    sd: '',
    events: '',
    comparatorMean: '',
    comparatorSd: '',
    comparatorEvents: '',
    comparatorN: '',
  };
}

function resultForm(result: PracticeResult): ResultForm {
  const form: ResultForm = { ...blankResultForm(), outcome: result.outcome, forWhom: result.forWhom, measure: result.measure, higherIsBetter: result.higherIsBetter ? 'yes' : 'no' };
  for (const field of resultNumberFields) form[field] = numberText(result[field]);
  return form;
}

/** The form as it shows saved content. */
export function formOf(content: PracticeContent, extra: { responseToFeedback?: string; statementSearch?: string } = {}): PracticeForm {
  return {
    title: content.title,
    summary: content.summary,
    problem: content.problem,
    whatWasDone: content.whatWasDone,
    groups: [...content.groups],
    outcomes: [...content.outcomes],
    threads: [...content.threads],
    statements: [...content.statements],
    tiers: [...content.tiers],
    settingTypes: [...content.settingTypes],
    ageFrom: numberText(content.ageFrom),
    ageTo: numberText(content.ageTo),
    laCode: content.laCode ?? '',
    partners: content.partners,
    costPerChild: numberText(content.costPerChild),
    costNotes: content.costNotes,
    staffing: content.staffing,
    implementation: content.implementation,
    whatWentWrong: content.whatWentWrong,
    durationMonths: numberText(content.durationMonths),
    design: content.design ?? '',
    evaluation: content.evaluation,
    results: content.results.map(resultForm),
    links: content.links.map((link) => ({ ...link })),
    contactName: content.contactName,
    contactEmail: content.contactEmail,
    contactPublic: content.contactPublic,
    consent: content.consent,
    responseToFeedback: extra.responseToFeedback ?? '',
    statementSearch: extra.statementSearch ?? '',
  };
}

type Body = Record<string, unknown>;

function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : '';
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [...new Set([value].flat().map((entry) => text(entry).trim()).filter((entry) => entry !== ''))];
}

/** Indexes of the rows a form sent for a repeated field (`results.3.outcome` → 3), in order. */
function rowIndexes(body: Body, prefix: string): number[] {
  const indexes = new Set<number>();
  const pattern = new RegExp(`^${prefix}\\.(\\d{1,2})\\.`);
  for (const key of Object.keys(body)) {
    const match = pattern.exec(key);
    if (match !== null) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

/**
 * A number as people type it: "1,200", "£150", "−0.2" (a true minus sign), " 12 ". Null when
 * empty; NaN when it is not a number at all.
 */
export function typedNumber(value: string): number | null {
  const cleaned = value.trim().replace(/^£/, '').replace(/[\u2212\u2013]/g, '-').replace(/,(?=\d{3}\b)/g, '').replace(/\s+/g, '');
  if (cleaned === '') return null;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(cleaned)) return Number.NaN;
  return Number(cleaned);
}

/** Reads the form a page sent back: what was typed, and what it is as content where it can be. */
export function readPracticeForm(body: Body | undefined): PracticeForm {
  const values = body ?? {};
  const get = (name: string) => text(values[name]);
  const results = rowIndexes(values, 'results').map((index) => {
    const row = blankResultForm();
    for (const key of Object.keys(row) as (keyof ResultForm)[]) {
      const sent = values[`results.${index}.${key}`];
      if (sent !== undefined) row[key] = text(sent);
    }
    return row;
  });
  const links = rowIndexes(values, 'links').map((index) => ({ url: get(`links.${index}.url`), title: get(`links.${index}.title`) }));
  return {
    title: get('title'),
    summary: get('summary'),
    problem: get('problem'),
    whatWasDone: get('whatWasDone'),
    groups: list(values.groups),
    outcomes: list(values.outcomes),
    threads: list(values.threads),
    statements: list(values.statements),
    tiers: list(values.tiers),
    settingTypes: list(values.settingTypes),
    ageFrom: get('ageFrom'),
    ageTo: get('ageTo'),
    laCode: get('laCode').trim(),
    partners: get('partners'),
    costPerChild: get('costPerChild'),
    costNotes: get('costNotes'),
    staffing: get('staffing'),
    implementation: get('implementation'),
    whatWentWrong: get('whatWentWrong'),
    durationMonths: get('durationMonths'),
    design: get('design').trim(),
    evaluation: get('evaluation'),
    results,
    links,
    contactName: get('contactName'),
    contactEmail: get('contactEmail'),
    contactPublic: get('contactPublic') === 'yes',
    consent: get('consent') === 'yes',
    responseToFeedback: get('responseToFeedback'),
    statementSearch: get('statementSearch').trim().slice(0, 100),
  };
}

function isBlankResult(row: ResultForm): boolean {
  return row.outcome.trim() === '' && row.forWhom.trim() === '' && resultNumberFields.every((field) => row[field].trim() === '');
}

function isBlankLink(link: PracticeLink): boolean {
  return link.url.trim() === '' && link.title.trim() === '';
}

/**
 * The form without rows that hold nothing: a result or link row added and left empty is dropped
 * on saving rather than refused, so "add another" never traps anyone in an empty row.
 */
export function withoutBlankRows(form: PracticeForm): PracticeForm {
  return { ...form, results: form.results.filter((row) => !isBlankResult(row)), links: form.links.filter((link) => !isBlankLink(link)) };
}

/**
 * Content from the form, or the problems with what was typed: a figure that is not a number,
 * a choice that is not one of the choices. Whether the content makes sense (an interval around
 * its estimate, a real group) is `contentProblems`' business, run by the workflow.
 */
export function contentFromForm(form: PracticeForm): { content: PracticeContent; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const number = (field: string, value: string, label: string): number | null => {
    const parsed = typedNumber(value);
    if (parsed !== null && Number.isNaN(parsed)) {
      problems.push({ field, message: `${label} must be a number, like 12 or 0.35 (you entered “${value.trim().slice(0, 40)}”)` });
      return null;
    }
    return parsed;
  };
  const results: PracticeResult[] = form.results.map((row, index) => {
    const measure: ResultMeasure = (resultMeasures as readonly string[]).includes(row.measure) ? (row.measure as ResultMeasure) : 'effect';
    const result: PracticeResult = {
      outcome: row.outcome.trim(),
      forWhom: row.forWhom.trim(),
      measure,
      higherIsBetter: row.higherIsBetter !== 'no',
      effectSize: null,
      lower: null,
      upper: null,
      n: null,
      mean: null,
      sd: null,
      events: null,
      comparatorMean: null,
      comparatorSd: null,
      comparatorEvents: null,
      comparatorN: null,
    };
    for (const field of resultNumberFields) {
      const label = resultFigureLabels[field];
      result[field] = number(`results.${index}.${field}`, row[field], `Result ${index + 1}: ${label}`);
    }
    return result;
  });
  const design = form.design === '' ? null : (evaluationDesigns as readonly string[]).includes(form.design) ? (form.design as EvaluationDesign) : null;
  if (form.design !== '' && design === null) problems.push({ field: 'design', message: 'Choose how it was evaluated from the list' });
  const content: PracticeContent = {
    title: form.title.trim(),
    summary: form.summary.trim(),
    problem: form.problem.trim(),
    whatWasDone: form.whatWasDone.trim(),
    groups: form.groups,
    outcomes: form.outcomes,
    threads: form.threads,
    statements: form.statements,
    tiers: form.tiers,
    settingTypes: form.settingTypes,
    ageFrom: number('ageFrom', form.ageFrom, fieldLabel('ageFrom')),
    ageTo: number('ageTo', form.ageTo, fieldLabel('ageTo')),
    laCode: form.laCode === '' ? null : form.laCode,
    partners: form.partners.trim(),
    costPerChild: number('costPerChild', form.costPerChild, fieldLabel('costPerChild')),
    costNotes: form.costNotes.trim(),
    staffing: form.staffing.trim(),
    implementation: form.implementation.trim(),
    whatWentWrong: form.whatWentWrong.trim(),
    durationMonths: number('durationMonths', form.durationMonths, fieldLabel('durationMonths')),
    design,
    evaluation: form.evaluation.trim(),
    results,
    links: form.links.map((link) => ({ url: link.url.trim(), title: link.title.trim() })),
    contactName: form.contactName.trim(),
    contactEmail: form.contactEmail.trim(),
    contactPublic: form.contactPublic,
    consent: form.consent,
  };
  return { content, problems };
}

/** What a button on the form asks for. */
export type FormAction =
  | { kind: 'save' }
  | { kind: 'submit' }
  | { kind: 'add-result' }
  | { kind: 'remove-result'; index: number }
  | { kind: 'add-link' }
  | { kind: 'remove-link'; index: number }
  | { kind: 'find-statements' }
  | { kind: 'documents' };

/** The button pressed (its `action` value); pressing Enter in a field saves. */
export function formActionOf(body: Body | undefined): FormAction {
  const action = text(body?.action);
  const removal = /^remove-(result|link)-(\d{1,2})$/.exec(action);
  if (removal !== null) return { kind: removal[1] === 'result' ? 'remove-result' : 'remove-link', index: Number(removal[2]) };
  if (action === 'submit' || action === 'add-result' || action === 'add-link' || action === 'find-statements' || action === 'documents') return { kind: action };
  return { kind: 'save' };
}

/** The form after an "add" or "remove" button: a row more or less. */
export function applyRowAction(form: PracticeForm, action: FormAction): PracticeForm {
  switch (action.kind) {
    case 'add-result':
      return { ...form, results: [...form.results, blankResultForm()] };
    case 'remove-result':
      return { ...form, results: form.results.filter((_row, index) => index !== action.index) };
    case 'add-link':
      return { ...form, links: [...form.links, { url: '', title: '' }] };
    case 'remove-link':
      return { ...form, links: form.links.filter((_link, index) => index !== action.index) };
    default:
      return form;
  }
}
