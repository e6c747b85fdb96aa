/**
 * What the submitting, moderation and review pages share: the framework's words for what an item
 * is tagged with, statuses and history in words, an item's content and impact laid out for
 * reading (with flagged passages marked), the published criteria, and the one way a refusal from
 * the workflow becomes a page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { allLocalAuthorities } from '../areas/areas.js';
import { allowedEvidenceTypes } from '../assessment/evidence-files.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems } from '../framework/catalogue.js';
import { effectiveCatalogue } from '../framework/effective.js';
import { formatNumber, formatSigned } from '../web/format.js';
import type { PracticeContent } from './content.js';
import { contentCostBand, designLabels, fieldLabel, settingTypeLabels, settingTypes } from './content.js';
import type { CostBand } from './cost.js';
import type { Effect, ItemImpact, ResultEffect } from './impact.js';
import type { PersonalDataFinding } from './personal-data.js';
import type { PracticeDocumentSummary, PracticeEvent } from './store.js';
import type { PracticeGrade, PracticeStatus } from './tables.js';
import type { Actor } from './workflow.js';
import { PracticeConflictError, PracticeNotFoundError, PracticeStateError, PracticeThrottledError } from './workflow.js';

// ---- Who is acting, and refusals --------------------------------------------------------------

/** The signed-in person making a change, as the workflow records them. */
export function actorOf(request: FastifyRequest): Actor {
  const viewer = request.viewer;
  // The gate lets no one unsigned reach a route that changes practice; this keeps the types honest.
  if (!viewer.signedIn) throw new PracticeNotFoundError();
  return { viewer, ip: request.ip };
}

/**
 * A refusal from the workflow as a page: not found (404, the same whether the item is missing or
 * not theirs), moved on or changed elsewhere (409, with the reason and the way back), too many
 * (429). Anything else is not a refusal and goes to the error handler.
 */
export function refusalPage(reply: FastifyReply, error: unknown, back: { href: string; text: string }): FastifyReply {
  if (error instanceof PracticeNotFoundError) {
    reply.callNotFound();
    return reply;
  }
  if (error instanceof PracticeStateError || error instanceof PracticeConflictError) {
    return reply.code(409).view('practice/shared/refusal.njk', { title: 'That could not be done', message: error.message, back });
  }
  if (error instanceof PracticeThrottledError) {
    return reply.code(429).view('practice/shared/refusal.njk', { title: 'Too many submissions', message: error.message, back });
  }
  throw error;
}

// ---- The framework's words ---------------------------------------------------------------------

export interface Choice {
  value: string;
  text: string;
  hint?: string;
}

export interface StatementChoice {
  id: string;
  text: string;
  /** The layer of the matrix it sits in, or "General condition". */
  where: string;
}

export interface StatementSection {
  key: string;
  label: string;
  statements: StatementChoice[];
}

export interface StatementTemplate {
  template: number;
  label: string;
  sections: StatementSection[];
}

/** Every label the pages need to show what an item is tagged with, by id. */
export interface PracticeVocabularyLabels {
  groups: Choice[];
  outcomes: Choice[];
  threads: Choice[];
  tiers: Choice[];
  settingTypes: Choice[];
  localAuthorities: Choice[];
  statementTemplates: StatementTemplate[];
  statementById: Map<string, StatementChoice & { template: string }>;
}

const templateWords = ['', 'one', 'two', 'three', 'four', 'five'];

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The labels, with template statements as the reality check has left them (added ones in, retired
 * ones out): the same set the workflow accepts.
 */
export async function vocabularyLabels(db: Kysely<Schema>, catalogue: Catalogue): Promise<PracticeVocabularyLabels> {
  const threadHeadlines = new Map(findItems(catalogue, { kind: 'thread-headline' }).map((item) => [item.thread, item.text]));
  const layerNames = new Map(findItems(catalogue, { kind: 'layer' }).map((item) => [item.id as string, capitalised(item.text)]));
  const tiers = findItems(catalogue, { kind: 'tier' });
  const templates = findItems(catalogue, { kind: 'template' });
  const effective = await effectiveCatalogue(db, catalogue);
  const statements = effective.statements.filter((statement) => statement.kind === 'general-condition' || statement.kind === 'matrix-statement');
  const statementTemplates: StatementTemplate[] = [];
  const statementById: PracticeVocabularyLabels['statementById'] = new Map();
  for (const template of templates) {
    const own = statements.filter((statement) => statement.template === template.number);
    if (own.length === 0) continue;
    const label = `Template ${templateWords[template.number] ?? template.number}: ${template.subject}`;
    const choice = (statement: (typeof own)[number]): StatementChoice => ({
      id: statement.id,
      text: statement.text,
      where: statement.kind === 'general-condition' ? 'General condition' : (layerNames.get(statement.layer ?? '') ?? 'Matrix statement'),
    });
    const sections: StatementSection[] = [];
    const conditions = own.filter((statement) => statement.kind === 'general-condition');
    if (conditions.length > 0) sections.push({ key: `T${template.number}-conditions`, label: 'General conditions', statements: conditions.map(choice) });
    for (const tier of tiers) {
      const inTier = own.filter((statement) => statement.kind === 'matrix-statement' && statement.tier === tier.id);
      if (inTier.length > 0) sections.push({ key: `T${template.number}-${tier.id}`, label: `${capitalised(tier.name)}: ${tier.text}`, statements: inTier.map(choice) });
    }
    statementTemplates.push({ template: template.number, label, sections });
    for (const section of sections) {
      for (const statement of section.statements) statementById.set(statement.id, { ...statement, template: `${label} (${section.label.split(':')[0]})` });
    }
  }
  return {
    groups: findItems(catalogue, { kind: 'group' }).map((item) => ({ value: item.id, text: item.name })),
    outcomes: findItems(catalogue, { kind: 'outcome' }).map((item) => ({ value: item.id, text: capitalised(item.name) })),
    threads: findItems(catalogue, { kind: 'golden-thread' }).map((item) => ({
      value: item.id,
      text: `Golden thread ${item.number}: ${item.shortTitle}`,
      ...(threadHeadlines.has(item.id) ? { hint: capitalised(threadHeadlines.get(item.id)!) } : {}),
    })),
    tiers: tiers.map((item) => ({ value: item.id, text: capitalised(item.name), hint: capitalised(item.text) })),
    settingTypes: settingTypes.map((value) => ({ value, text: settingTypeLabels[value] })),
    localAuthorities: allLocalAuthorities()
      .map((la) => ({ value: la.gss, text: la.name }))
      .sort((a, b) => a.text.localeCompare(b.text, 'en-GB')),
    statementTemplates,
    statementById,
  };
}

function labelOf(choices: readonly Choice[], value: string): string {
  return choices.find((choice) => choice.value === value)?.text ?? value;
}

// ---- Statuses, history, grades ------------------------------------------------------------------

const statusTags: Record<PracticeStatus, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  submitted: { text: 'Waiting to be screened', classes: 'govuk-tag--blue' },
  'in-review': { text: 'With reviewers', classes: 'govuk-tag--purple' },
  'awaiting-decision': { text: 'Waiting for decision', classes: 'govuk-tag--yellow' },
  returned: { text: 'Returned for changes', classes: 'govuk-tag--orange' },
  published: { text: 'Published', classes: 'govuk-tag--green' },
  rejected: { text: 'Not accepted', classes: 'govuk-tag--red' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--grey' },
};

/** A status as a GOV.UK tag. */
export function statusTag(status: PracticeStatus): { text: string; classes: string } {
  return statusTags[status];
}

/** A reference as people quote it: P-0042. */
export function referenceText(reference: number): string {
  return `P-${String(reference).padStart(4, '0')}`;
}

const eventWords: Record<string, string> = {
  drafted: 'Draft started',
  submitted: 'Submitted for moderation',
  resubmitted: 'Revised and resubmitted',
  withdrawn: 'Withdrawn',
  'personal-data-flagged': 'Held for a check on personal data',
  'personal-data-cleared': 'Flagged passages checked',
  screened: 'Screened and sent to reviewers',
  'reviewers-assigned': 'Reviewers assigned',
  'reviewer-replaced': 'Reviewer replaced',
  reviewed: 'A review was submitted',
  'reviews-complete': 'Both reviews in',
  returned: 'Returned with feedback',
  rejected: 'Not accepted',
  published: 'Published',
  'document-added': 'Document added',
  'document-removed': 'Document removed',
};

export interface TimelineEntry {
  at: Date;
  heading: string;
  actor: string;
  detail: string;
  internal: boolean;
}

/** The history as a timeline, oldest first. */
export function timelineOf(events: readonly PracticeEvent[]): TimelineEntry[] {
  return events.map((event) => ({ at: event.at, heading: eventWords[event.kind] ?? capitalised(event.kind.replace(/-/g, ' ')), actor: event.actor, detail: event.detail, internal: !event.shownToSubmitter }));
}

export const gradeLabels: Record<PracticeGrade, string> = { validated: 'Validated', promising: 'Promising', emerging: 'Emerging' };

/**
 * The published criteria (after C4EO's validated local practice, and the EEF's padlocks for the
 * security of evidence). docs/practice.md says the same words: change both together.
 */
export const gradeCriteria: { value: PracticeGrade; text: string; description: string }[] = [
  {
    value: 'validated',
    text: 'Validated',
    description: 'Robust evidence of impact in more than one place, or from a strong design: a well-matched comparison group or a randomised trial.',
  },
  {
    value: 'promising',
    text: 'Promising',
    description: 'Some evidence of impact: for example before-and-after figures with reasonable numbers of children, or one comparison-group study.',
  },
  {
    value: 'emerging',
    text: 'Emerging',
    description: 'Early or local evidence of impact, and a clear rationale for why the practice should work.',
  },
];

export const padlockCriteria: { value: number; text: string; description: string }[] = [
  { value: 1, text: '1 padlock', description: 'No comparison: practitioners’ reports, or before-and-after figures for a small number of children in one place.' },
  { value: 2, text: '2 padlocks', description: 'Before-and-after figures with reasonable numbers, or in more than one place; or a comparison with a poorly matched group.' },
  { value: 3, text: '3 padlocks', description: 'At least one study with a well-matched comparison group and reasonable numbers.' },
  { value: 4, text: '4 padlocks', description: 'A randomised trial with some limitations (small, or many children lost), or two or more well-matched comparison studies in different places.' },
  { value: 5, text: '5 padlocks', description: 'A well-conducted randomised trial of good size, or several consistent comparison-group or randomised studies in more than one place.' },
];

export function padlocksText(strength: number | null): string {
  return strength === null ? 'Not given' : `${strength} of 5 padlocks`;
}

// ---- Cost --------------------------------------------------------------------------------------

const costBandWords: Record<CostBand, string> = {
  'no cost': 'no extra cost',
  'very low': 'very low (under £80 per child per year)',
  low: 'low (£80 to £170 per child per year)',
  moderate: 'moderate (£170 to £700 per child per year)',
  high: 'high (£700 to £1,200 per child per year)',
  'very high': 'very high (over £1,200 per child per year)',
};

/** The EEF cost band of the content's cost, in words, or null before a cost is given. */
export function costBandText(content: PracticeContent): string | null {
  const band = contentCostBand(content);
  return band === null ? null : costBandWords[band];
}

// ---- Impact ------------------------------------------------------------------------------------

const methodWords: Record<ResultEffect['method'], string> = {
  'hedges-g': 'Hedges’ g, from the means and standard deviations',
  'logit-d': 'Standardised difference from the counts (logit method)',
  reported: 'Effect size as reported',
};

function monthsText(months: number): string {
  const size = Math.abs(months);
  const unit = size === 1 ? 'month' : 'months';
  return months > 0 ? `+${size} ${unit}` : months < 0 ? `−${size} ${unit}` : `0 months`;
}

function intervalText(effect: Effect): string {
  return effect.lower === null || effect.upper === null ? 'No interval' : `${formatSigned(effect.lower, 2)} to ${formatSigned(effect.upper, 2)}`;
}

function monthsIntervalText(effect: Effect): string {
  return effect.monthsLower === null || effect.monthsUpper === null ? '' : ` (${monthsText(effect.monthsLower)} to ${monthsText(effect.monthsUpper)})`;
}

export interface ResultImpactView {
  index: number;
  outcome: string;
  forWhom: string;
  method: string;
  effect: string;
  interval: string;
  months: string;
  children: string;
}

export interface ImpactView {
  results: ResultImpactView[];
  /** Results by their row (index), including ones with no effect, for the submission form. */
  byIndex: Map<number, ResultImpactView | { reason: string }>;
  overall: { effect: string; interval: string; months: string; impact: string; pooledFrom: number; heterogeneity: string } | null;
  notComparable: { index: number; outcome: string; reason: string }[];
}

/** An item's impact as the pages write it. */
export function impactView(impact: ItemImpact): ImpactView {
  const results = impact.results.map((result) => ({
    index: result.index,
    outcome: result.outcome || `Result ${result.index + 1}`,
    forWhom: result.forWhom,
    method: methodWords[result.method],
    effect: formatSigned(result.value, 2),
    interval: intervalText(result),
    months: `${monthsText(result.months)}${monthsIntervalText(result)}`,
    children: result.children === null ? 'Not given' : formatNumber(result.children),
  }));
  const byIndex: ImpactView['byIndex'] = new Map();
  for (const result of results) byIndex.set(result.index, result);
  for (const entry of impact.notComparable) byIndex.set(entry.index, { reason: entry.reason });
  const overall = impact.overall;
  return {
    results,
    byIndex,
    overall:
      overall === null
        ? null
        : {
            effect: formatSigned(overall.value, 2),
            interval: intervalText(overall),
            months: `${monthsText(overall.months)}${monthsIntervalText(overall)}`,
            impact: capitalised(overall.impact),
            pooledFrom: overall.pooledFrom,
            heterogeneity: overall.iSquared === null ? '' : `I² ${formatNumber(overall.iSquared * 100, 0)}%: ${overall.iSquared < 0.3 ? 'the results broadly agree' : overall.iSquared < 0.6 ? 'the results differ somewhat' : 'the results differ a lot'}`,
          },
    notComparable: impact.notComparable.map((entry) => ({ ...entry, outcome: entry.outcome || `Result ${entry.index + 1}` })),
  };
}

// ---- Content for reading, with flagged passages marked ----------------------------------------

export interface Segment {
  text: string;
  /** Why the passage was flagged, when it was. */
  flagged?: string;
}

/** Text as paragraphs of lines of passages: how a page writes it, keeping the writer's line breaks. */
export type Paragraphs = Segment[][][];

/** Passages cut at the writer's line breaks: a blank line starts a paragraph, a single break a line. */
export function paragraphsOf(segments: readonly Segment[]): Paragraphs {
  const lines: Segment[][] = [[]];
  for (const segment of segments) {
    segment.text.split(/\r?\n/).forEach((piece, index) => {
      if (index > 0) lines.push([]);
      if (piece !== '') lines.at(-1)!.push({ ...segment, text: piece });
    });
  }
  const paragraphs: Paragraphs = [];
  let paragraph: Segment[][] = [];
  for (const line of lines) {
    if (line.every((segment) => segment.text.trim() === '')) {
      if (paragraph.length > 0) paragraphs.push(paragraph);
      paragraph = [];
    } else paragraph.push(line);
  }
  if (paragraph.length > 0) paragraphs.push(paragraph);
  return paragraphs;
}

export interface ContentRow {
  key: string;
  /** The content path (`whatWasDone`, `results.0.outcome`): the row's anchor. */
  field: string;
  segments?: Paragraphs;
  items?: { text: string; hint?: string }[];
  links?: { url: string; title: string }[];
  empty: string;
}

export interface ContentSection {
  heading: string;
  rows: ContentRow[];
}

/** Findings by the field they were found in: the workflow writes each reason as "field: why". */
export function findingsByField(findings: readonly PersonalDataFinding[]): Map<string, PersonalDataFinding[]> {
  const byField = new Map<string, PersonalDataFinding[]>();
  for (const finding of findings) {
    const match = /^([\w.]+): (.*)$/s.exec(finding.reason);
    const field = match?.[1] ?? '';
    const reason = match?.[2] ?? finding.reason;
    byField.set(field, [...(byField.get(field) ?? []), { ...finding, reason }]);
  }
  return byField;
}

/** Text cut into plain and flagged passages, so a page marks each finding where it was found. */
export function segmentsOf(text: string, findings: readonly PersonalDataFinding[] = []): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const finding of [...findings].sort((a, b) => a.start - b.start)) {
    const end = finding.start + finding.text.length;
    // A finding that no longer lines up with the text (it was found in another version) is listed, not marked.
    if (finding.start < at || text.slice(finding.start, end) !== finding.text) continue;
    if (finding.start > at) segments.push({ text: text.slice(at, finding.start) });
    segments.push({ text: finding.text, flagged: `${finding.kind}: ${finding.reason}` });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

function numberWords(value: number | null, unit = ''): string {
  return value === null ? '' : `${formatNumber(value, Number.isInteger(value) ? 0 : 2)}${unit}`;
}

const measureWords = { effect: 'An effect size with its interval', means: 'Means and standard deviations of two groups', counts: 'How many in each group had the outcome' };

/** The content as sections of rows for reading, each text row marked where the personal-data check flagged it. */
export function contentSections(content: PracticeContent, labels: PracticeVocabularyLabels, findings: readonly PersonalDataFinding[] = []): ContentSection[] {
  const flagged = findingsByField(findings);
  const textRow = (field: string, value: string, key = fieldLabel(field)): ContentRow => ({
    key,
    field,
    segments: value === '' ? [] : paragraphsOf(segmentsOf(value, flagged.get(field))),
    empty: 'Not given',
  });
  const listRow = (field: string, items: { text: string; hint?: string }[], key = fieldLabel(field)): ContentRow => ({ key, field, items, empty: 'None chosen' });
  const ages = content.ageFrom === null && content.ageTo === null ? '' : `${content.ageFrom ?? '?'} to ${content.ageTo ?? '?'} years`;
  const cost = content.costPerChild === null ? '' : `£${formatNumber(content.costPerChild, Number.isInteger(content.costPerChild) ? 0 : 2)} per child per year: ${costBandText(content)}`;
  const results: ContentRow[] = content.results.flatMap((result, index) => {
    const figures = [
      result.n === null ? '' : `intervention group ${formatNumber(result.n)}`,
      result.comparatorN === null ? '' : `comparison group ${formatNumber(result.comparatorN)}`,
      result.measure === 'effect' && result.effectSize !== null ? `effect size ${numberWords(result.effectSize)}${result.lower !== null && result.upper !== null ? ` (${numberWords(result.lower)} to ${numberWords(result.upper)})` : ''}` : '',
      result.measure === 'means' && result.mean !== null ? `mean ${numberWords(result.mean)} (SD ${numberWords(result.sd)}) against ${numberWords(result.comparatorMean)} (SD ${numberWords(result.comparatorSd)})` : '',
      result.measure === 'counts' && result.events !== null ? `${numberWords(result.events)} with the outcome against ${numberWords(result.comparatorEvents)}` : '',
      result.measure === 'effect' ? '' : result.higherIsBetter ? 'higher is better' : 'lower is better',
    ].filter((part) => part !== '');
    return [
      textRow(`results.${index}.outcome`, result.outcome, `Result ${index + 1}: what was measured`),
      textRow(`results.${index}.forWhom`, result.forWhom, `Result ${index + 1}: for whom`),
      { key: `Result ${index + 1}: figures`, field: `results.${index}.figures`, segments: [[[{ text: `${measureWords[result.measure]}: ${figures.join('; ') || 'none given'}` }]]], empty: 'Not given' },
    ];
  });
  return [
    {
      heading: 'About it',
      rows: [textRow('title', content.title), textRow('summary', content.summary), textRow('problem', content.problem), textRow('whatWasDone', content.whatWasDone)],
    },
    {
      heading: 'Who it is for',
      rows: [
        listRow('groups', content.groups.map((id) => ({ text: labelOf(labels.groups, id) }))),
        listRow('outcomes', content.outcomes.map((id) => ({ text: labelOf(labels.outcomes, id) }))),
        listRow(
          'threads',
          content.threads.map((id) => {
            const thread = labels.threads.find((choice) => choice.value === id);
            return { text: thread?.text ?? id, ...(thread?.hint === undefined ? {} : { hint: thread.hint }) };
          }),
        ),
        listRow(
          'statements',
          content.statements.map((id) => {
            const statement = labels.statementById.get(id);
            return statement === undefined ? { text: `A statement no longer in the framework (${id})` } : { text: statement.text, hint: `${statement.template}, ${statement.where.toLowerCase()}` };
          }),
        ),
        listRow('tiers', content.tiers.map((id) => ({ text: labelOf(labels.tiers, id) }))),
        listRow('settingTypes', content.settingTypes.map((id) => ({ text: labelOf(labels.settingTypes, id) }))),
        { key: 'Ages', field: 'ageFrom', segments: ages === '' ? [] : [[[{ text: ages }]]], empty: 'Not given' },
        { key: fieldLabel('laCode'), field: 'laCode', segments: content.laCode === null ? [] : [[[{ text: labelOf(labels.localAuthorities, content.laCode) }]]], empty: 'Not one local authority' },
      ],
    },
    {
      heading: 'Cost and implementation',
      rows: [
        { key: fieldLabel('costPerChild'), field: 'costPerChild', segments: cost === '' ? [] : [[[{ text: cost }]]], empty: 'Not given' },
        textRow('costNotes', content.costNotes),
        textRow('staffing', content.staffing),
        textRow('partners', content.partners),
        textRow('implementation', content.implementation),
        textRow('whatWentWrong', content.whatWentWrong),
        { key: fieldLabel('durationMonths'), field: 'durationMonths', segments: content.durationMonths === null ? [] : [[[{ text: `${content.durationMonths} ${content.durationMonths === 1 ? 'month' : 'months'}` }]]], empty: 'Not given' },
      ],
    },
    {
      heading: 'Evaluation',
      rows: [
        { key: fieldLabel('design'), field: 'design', segments: content.design === null ? [] : [[[{ text: designLabels[content.design] }]]], empty: 'Not given' },
        textRow('evaluation', content.evaluation),
        ...results,
        {
          key: fieldLabel('links'),
          field: 'links',
          links: content.links,
          empty: 'None',
        },
      ],
    },
    {
      heading: 'Contact and consent',
      rows: [
        textRow('contactName', content.contactName),
        textRow('contactEmail', content.contactEmail),
        { key: 'Contact shown when published', field: 'contactPublic', segments: [[[{ text: content.contactPublic ? 'Yes' : 'No' }]]], empty: '' },
        { key: fieldLabel('consent'), field: 'consent', segments: [[[{ text: content.consent ? 'Given' : 'Not given' }]]], empty: '' },
      ],
    },
  ];
}

/** The fields a new version changed, in the form's order, by their labels. */
export function changedFields(before: PracticeContent, after: PracticeContent): string[] {
  return (Object.keys(after) as (keyof PracticeContent)[])
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => (field === 'contactPublic' ? 'Contact shown when published' : fieldLabel(field)));
}

// ---- Documents ---------------------------------------------------------------------------------

/** A file's size as people read it: 840 bytes, 12 KB, 3.4 MB. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Documents with their type and size in words. */
export function documentsView(documents: readonly PracticeDocumentSummary[]) {
  return documents.map((document) => ({
    ...document,
    typeLabel: allowedEvidenceTypes.find((type) => type.mediaType === document.mediaType)?.label ?? 'File',
    sizeText: sizeText(document.sizeBytes),
  }));
}
