/**
 * What a submitter says about a piece of practice, and the checks it must pass: lenient while it
 * is a draft (whatever is given must make sense), complete when it is submitted (everything a
 * reviewer needs is there). Every problem names the field it is about, so a form can link to it
 * and an API caller can find it.
 */
import { z } from 'zod';
import { OUTCOME_IDS, TIER_IDS } from '../framework/catalogue.js';
import { regionOf } from '../areas/areas.js';
import { costBand } from './cost.js';
import type { CostBand } from './cost.js';

export const evaluationDesigns = ['none', 'before-after', 'comparison', 'randomised'] as const;
export type EvaluationDesign = (typeof evaluationDesigns)[number];

export const designLabels: Record<EvaluationDesign, string> = {
  none: 'Not formally evaluated',
  'before-after': 'Before and after, no comparison group',
  comparison: 'Compared with a similar group that did not take part',
  randomised: 'Randomised controlled trial',
};

export const settingTypes = [
  'early-years',
  'childrens-centre',
  'primary',
  'secondary',
  'special',
  'alternative-provision',
  'further-education',
  'health',
  'social-care',
  'youth',
  'voluntary-community',
  'local-authority',
  'multi-agency',
] as const;
export type SettingType = (typeof settingTypes)[number];

export const settingTypeLabels: Record<SettingType, string> = {
  'early-years': 'Early years setting',
  'childrens-centre': 'Children’s centre',
  primary: 'Primary school',
  secondary: 'Secondary school',
  special: 'Special school',
  'alternative-provision': 'Alternative provision or pupil referral unit',
  'further-education': 'Further education',
  health: 'Health service',
  'social-care': 'Children’s social care',
  youth: 'Youth service',
  'voluntary-community': 'Voluntary or community organisation',
  'local-authority': 'Local authority service',
  'multi-agency': 'Multi-agency team',
};

export const resultMeasures = ['effect', 'means', 'counts'] as const;
export type ResultMeasure = (typeof resultMeasures)[number];

/**
 * One result: an outcome measured for some children, as an effect size with its interval, as
 * means and standard deviations of two groups, or as how many in each group had the outcome.
 */
export interface PracticeResult {
  /** What was measured, e.g. "reading age" or "permanent exclusions". */
  outcome: string;
  /** Who it was measured for, e.g. "children in care, Year 5–6". */
  forWhom: string;
  measure: ResultMeasure;
  /** Whether a higher mean or more events is the better result (means and counts only). */
  higherIsBetter: boolean;
  effectSize: number | null;
  lower: number | null;
  upper: number | null;
  /** The intervention group's size (every measure). */
  n: number | null;
  mean: number | null;
  sd: number | null;
  events: number | null;
  comparatorMean: number | null;
  comparatorSd: number | null;
  comparatorEvents: number | null;
  comparatorN: number | null;
}

export interface PracticeLink {
  url: string;
  title: string;
}

export interface PracticeContent {
  title: string;
  summary: string;
  /** The problem and its context. */
  problem: string;
  whatWasDone: string;
  groups: string[];
  outcomes: string[];
  threads: string[];
  statements: string[];
  tiers: string[];
  settingTypes: string[];
  ageFrom: number | null;
  ageTo: number | null;
  /** Where it ran: a local authority's GSS code, when it ran in one. */
  laCode: string | null;
  partners: string;
  /** Pounds per child per year; 0 when it costs nothing extra. */
  costPerChild: number | null;
  costNotes: string;
  staffing: string;
  /** What it takes to implement, and what went wrong. */
  implementation: string;
  whatWentWrong: string;
  durationMonths: number | null;
  design: EvaluationDesign | null;
  /** How the evaluation was done, in words: who did it, what was compared. */
  evaluation: string;
  results: PracticeResult[];
  links: PracticeLink[];
  contactName: string;
  contactEmail: string;
  /** Whether the contact may be shown on the published page. */
  contactPublic: boolean;
  consent: boolean;
}

export interface FieldProblem {
  /** The field, as a path: `title`, `results.0.sd`. */
  field: string;
  message: string;
}

export const textLimits = {
  title: 150,
  summary: 1_200,
  long: 8_000,
  short: 500,
} as const;

/** Text of any length up to a hard cap: the field limits are checked by `contentProblems`, which names the field. */
const text = () => z.string().max(100_000).default('').transform((value) => value.replace(/\r\n?/g, '\n').trim());
const count = z.number().finite().nullable().default(null);
const list = z.array(z.string().max(200)).max(600).default([]);

const resultSchema = z.object({
  outcome: text(),
  forWhom: text(),
  measure: z.enum(resultMeasures).default('effect'),
  higherIsBetter: z.boolean().default(true),
  effectSize: count,
  lower: count,
  upper: count,
  n: count,
  mean: count,
  sd: count,
  events: count,
  comparatorMean: count,
  comparatorSd: count,
  comparatorEvents: count,
  comparatorN: count,
});

/** The shape of content: types only; what the values must be is checked by `contentProblems`. */
export const contentSchema = z.object({
  title: text(),
  summary: text(),
  problem: text(),
  whatWasDone: text(),
  groups: list,
  outcomes: list,
  threads: list,
  statements: list,
  tiers: list,
  settingTypes: list,
  ageFrom: count,
  ageTo: count,
  laCode: z.string().max(20).nullable().default(null),
  partners: text(),
  costPerChild: count,
  costNotes: text(),
  staffing: text(),
  implementation: text(),
  whatWentWrong: text(),
  durationMonths: count,
  design: z.enum(evaluationDesigns).nullable().default(null),
  evaluation: text(),
  results: z.array(resultSchema).max(20).default([]),
  links: z.array(z.object({ url: z.string().max(2_000).default(''), title: text() })).max(20).default([]),
  contactName: text(),
  contactEmail: text(),
  contactPublic: z.boolean().default(false),
  consent: z.boolean().default(false),
});

/** Content with nothing filled in: a new draft. */
export function emptyContent(): PracticeContent {
  return contentSchema.parse({});
}

/** Content from JSON (an API body or a stored draft), or the problems with its types. */
export function readContent(value: unknown): { ok: true; content: PracticeContent } | { ok: false; problems: FieldProblem[] } {
  const parsed = contentSchema.safeParse(value ?? {});
  if (parsed.success) return { ok: true, content: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'content', message: `${issue.path.join('.') || 'content'}: ${issue.message}` })),
  };
}

/** What the framework and the areas know, so that content names only real groups, threads and places. */
export interface Vocabulary {
  groups: ReadonlySet<string>;
  threads: ReadonlySet<string>;
  /** Template statements (general conditions and statements by layer and tier), including ones added by the reality check. */
  statements: ReadonlySet<string>;
  localAuthorities: ReadonlySet<string>;
}

const fieldLabels: Record<string, string> = {
  title: 'Title',
  summary: 'Summary',
  problem: 'The problem and its context',
  whatWasDone: 'What was done',
  groups: 'Who it is for: groups',
  outcomes: 'Outcomes',
  threads: 'Golden threads',
  statements: 'Template statements',
  tiers: 'Tier of need',
  settingTypes: 'Setting type',
  ageFrom: 'Youngest age',
  ageTo: 'Oldest age',
  laCode: 'Where it ran',
  partners: 'Partners',
  costPerChild: 'Cost per child per year',
  costNotes: 'About the cost',
  staffing: 'Staffing',
  implementation: 'What it takes to implement',
  whatWentWrong: 'What went wrong',
  durationMonths: 'How long it ran',
  design: 'How it was evaluated',
  evaluation: 'About the evaluation',
  results: 'Results',
  links: 'Links',
  contactName: 'Contact name',
  contactEmail: 'Contact email address',
  consent: 'Consent to publish',
};

export function fieldLabel(field: string): string {
  return fieldLabels[field] ?? field;
}

const textFieldLimits: [keyof PracticeContent, number][] = [
  ['title', textLimits.title],
  ['summary', textLimits.summary],
  ['problem', textLimits.long],
  ['whatWasDone', textLimits.long],
  ['partners', textLimits.long],
  ['costNotes', textLimits.long],
  ['staffing', textLimits.long],
  ['implementation', textLimits.long],
  ['whatWentWrong', textLimits.long],
  ['evaluation', textLimits.long],
  ['contactName', 200],
  ['contactEmail', 320],
];

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function unknownValues(values: readonly string[], known: ReadonlySet<string> | readonly string[]): string[] {
  const has = known instanceof Set ? (value: string) => known.has(value) : (value: string) => (known as readonly string[]).includes(value);
  return values.filter((value) => !has(value));
}

function isWhole(value: number): boolean {
  return Number.isInteger(value);
}

function resultProblems(result: PracticeResult, index: number, complete: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const at = (field: string, message: string) => problems.push({ field: `results.${index}.${field}`, message: `Result ${index + 1}: ${message}` });
  if (complete && result.outcome === '') at('outcome', 'say what was measured');
  if (result.outcome.length > textLimits.short) at('outcome', `what was measured must be ${textLimits.short} characters or fewer`);
  if (result.forWhom.length > textLimits.short) at('forWhom', `who it was measured for must be ${textLimits.short} characters or fewer`);
  const sizes: [keyof PracticeResult, string][] = [
    ['n', 'the number in the intervention group'],
    ['comparatorN', 'the number in the comparison group'],
    ['events', 'the number in the intervention group with the outcome'],
    ['comparatorEvents', 'the number in the comparison group with the outcome'],
  ];
  for (const [field, words] of sizes) {
    const value = result[field] as number | null;
    if (value !== null && (!isWhole(value) || value < 0)) at(field, `${words} must be a whole number, 0 or more (got ${value})`);
  }
  if (result.n !== null && result.n === 0) at('n', 'the number in the intervention group must be at least 1');
  if (result.comparatorN !== null && result.comparatorN === 0) at('comparatorN', 'the number in the comparison group must be at least 1');
  for (const field of ['sd', 'comparatorSd'] as const) {
    const value = result[field];
    if (value !== null && value <= 0) at(field, `a standard deviation must be above 0 (got ${value})`);
  }
  if (result.events !== null && result.n !== null && result.events > result.n) at('events', `${result.events} with the outcome is more than the ${result.n} in the intervention group`);
  if (result.comparatorEvents !== null && result.comparatorN !== null && result.comparatorEvents > result.comparatorN) {
    at('comparatorEvents', `${result.comparatorEvents} with the outcome is more than the ${result.comparatorN} in the comparison group`);
  }
  if (result.measure === 'effect') {
    const { effectSize, lower, upper } = result;
    if (effectSize !== null && Math.abs(effectSize) > 5) at('effectSize', `an effect size of ${effectSize} is not plausible: a standardised difference is almost always between −2 and 2`);
    if (lower !== null && upper !== null && lower >= upper) at('lower', `the interval's lower limit (${lower}) must be below its upper limit (${upper})`);
    else if (effectSize !== null && lower !== null && upper !== null && (effectSize < lower || effectSize > upper)) {
      at('effectSize', `the interval ${lower} to ${upper} does not contain the effect size ${effectSize}`);
    }
    if ((lower === null) !== (upper === null)) at(lower === null ? 'lower' : 'upper', 'give both limits of the interval, or neither');
    if (complete) {
      if (effectSize === null) at('effectSize', 'give the effect size');
      if (result.n === null) at('n', 'give the number of children it was measured for');
    }
  } else if (complete) {
    const needed: [keyof PracticeResult, string][] =
      result.measure === 'means'
        ? [
            ['mean', 'the intervention group’s mean'],
            ['sd', 'the intervention group’s standard deviation'],
            ['n', 'the number in the intervention group'],
            ['comparatorMean', 'the comparison group’s mean'],
            ['comparatorSd', 'the comparison group’s standard deviation'],
            ['comparatorN', 'the number in the comparison group'],
          ]
        : [
            ['events', 'how many in the intervention group had the outcome'],
            ['n', 'the number in the intervention group'],
            ['comparatorEvents', 'how many in the comparison group had the outcome'],
            ['comparatorN', 'the number in the comparison group'],
          ];
    for (const [field, words] of needed) if (result[field] === null) at(field, `give ${words}`);
  }
  return problems;
}

/**
 * What is wrong with content: when `complete`, also what is missing for a submission. A draft
 * may be incomplete but never wrong (a negative sample size is refused even in a draft).
 */
export function contentProblems(content: PracticeContent, vocabulary: Vocabulary, options: { complete: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const { complete } = options;

  for (const [field, limit] of textFieldLimits) {
    const value = content[field] as string;
    if (value.length > limit) add(field, `${fieldLabel(field)} must be ${limit.toLocaleString('en-GB')} characters or fewer (it has ${value.length.toLocaleString('en-GB')})`);
  }
  if (content.title === '') add('title', 'Enter a title');
  if (complete) {
    const required: [keyof PracticeContent, string][] = [
      ['summary', 'Enter a summary'],
      ['problem', 'Describe the problem and its context'],
      ['whatWasDone', 'Describe what was done'],
      ['implementation', 'Say what it takes to implement'],
      ['contactName', 'Enter a contact name'],
      ['contactEmail', 'Enter a contact email address'],
    ];
    for (const [field, message] of required) if (content[field] === '') add(field, message);
    if (content.groups.length === 0) add('groups', 'Choose at least one group it is for');
    if (content.outcomes.length === 0) add('outcomes', 'Choose at least one outcome it improves');
    if (content.tiers.length === 0) add('tiers', 'Choose at least one tier of need');
    if (content.settingTypes.length === 0) add('settingTypes', 'Choose at least one setting type');
    if (content.costPerChild === null) add('costPerChild', 'Enter the cost per child per year (0 if it costs nothing extra)');
    if (content.durationMonths === null) add('durationMonths', 'Enter how many months it ran');
    if (content.design === null) add('design', 'Choose how it was evaluated');
    if (content.design !== null && content.design !== 'none' && content.results.length === 0) add('results', 'Give at least one result of the evaluation');
    if (!content.consent) add('consent', 'Confirm that you consent to publication and that the text holds no personal data about a child');
  }

  const bad = (field: 'groups' | 'threads' | 'statements', known: ReadonlySet<string>, words: string) => {
    const unknown = unknownValues(content[field], known);
    if (unknown.length > 0) add(field, `${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}: not ${words}`);
  };
  bad('groups', vocabulary.groups, 'a group in the framework');
  bad('threads', vocabulary.threads, 'a golden thread');
  bad('statements', vocabulary.statements, 'a template statement');
  const unknownOutcomes = unknownValues(content.outcomes, OUTCOME_IDS);
  if (unknownOutcomes.length > 0) add('outcomes', `${unknownOutcomes.join(', ')}: not an Every Child Matters outcome`);
  const unknownTiers = unknownValues(content.tiers, TIER_IDS);
  if (unknownTiers.length > 0) add('tiers', `${unknownTiers.join(', ')}: not a tier of need`);
  const unknownSettings = unknownValues(content.settingTypes, settingTypes);
  if (unknownSettings.length > 0) add('settingTypes', `${unknownSettings.join(', ')}: not a setting type`);
  if (content.laCode !== null && !vocabulary.localAuthorities.has(content.laCode)) add('laCode', `${content.laCode} is not a local authority in England`);

  for (const field of ['ageFrom', 'ageTo'] as const) {
    const value = content[field];
    if (value !== null && (!isWhole(value) || value < 0 || value > 25)) add(field, `${fieldLabel(field)} must be a whole number of years from 0 to 25 (got ${value})`);
  }
  if (content.ageFrom !== null && content.ageTo !== null && content.ageFrom > content.ageTo) add('ageTo', `The oldest age (${content.ageTo}) must not be below the youngest (${content.ageFrom})`);
  if (content.costPerChild !== null && (content.costPerChild < 0 || content.costPerChild > 1_000_000)) {
    add('costPerChild', `Cost per child per year must be from £0 to £1,000,000 (got ${content.costPerChild})`);
  }
  if (content.durationMonths !== null && (!isWhole(content.durationMonths) || content.durationMonths < 1 || content.durationMonths > 600)) {
    add('durationMonths', `How long it ran must be a whole number of months from 1 to 600 (got ${content.durationMonths})`);
  }
  if (content.contactEmail !== '' && !emailPattern.test(content.contactEmail)) add('contactEmail', 'Enter the contact email address in the right format, like name@example.org');
  content.results.forEach((result, index) => problems.push(...resultProblems(result, index, complete)));
  content.links.forEach((link, index) => {
    if (!/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(link.url)) add(`links.${index}.url`, `Link ${index + 1}: enter a web address starting with https:// or http://`);
    if (link.title === '') add(`links.${index}.title`, `Link ${index + 1}: enter what the link is to`);
  });
  return problems;
}

/** All the words a submitter wrote, each with its field: what the personal-data check reads. */
export function textFields(content: PracticeContent): { field: string; text: string }[] {
  const fields: { field: string; text: string }[] = [];
  for (const field of ['title', 'summary', 'problem', 'whatWasDone', 'partners', 'costNotes', 'staffing', 'implementation', 'whatWentWrong', 'evaluation'] as const) {
    if (content[field] !== '') fields.push({ field, text: content[field] });
  }
  content.results.forEach((result, index) => {
    if (result.outcome !== '') fields.push({ field: `results.${index}.outcome`, text: result.outcome });
    if (result.forWhom !== '') fields.push({ field: `results.${index}.forWhom`, text: result.forWhom });
  });
  content.links.forEach((link, index) => {
    if (link.title !== '') fields.push({ field: `links.${index}.title`, text: link.title });
  });
  return fields;
}

/** The cost band of content's cost, or null before one is given. */
export function contentCostBand(content: PracticeContent): CostBand | null {
  return content.costPerChild === null ? null : costBand(content.costPerChild);
}

/** The region (E12) of where the practice ran, when that is one authority. */
export function contentRegion(content: PracticeContent): string | null {
  return content.laCode === null ? null : (regionOf(content.laCode)?.code ?? null);
}
