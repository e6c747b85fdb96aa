/**
 * The digest: editions the national team compiles from published practice, each a title, an
 * introduction and sections (by theme or group) of chosen items.
 *
 * One draft at a time, numbered next after the last edition, so published editions are numbered in
 * the order they appear. Every change to a draft names the version it started from and is refused
 * if someone changed the draft since (two moderators in two tabs never overwrite each other). Each
 * change is one transaction that locks the edition's row, so two publishes at once are taken one
 * after the other: the first publishes, the second finds it published.
 *
 * Publishing freezes each chosen item as it was then (its published content, grade, evidence
 * strength and impact) into the edition, so an edition reads the same whatever later happens to
 * its items; a published edition never changes.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems } from '../framework/catalogue.js';
import { impactBand } from '../stats/index.js';
import type { FieldProblem, PracticeContent } from './content.js';
import { contentCostBand, contentSchema, designLabels, settingTypeLabels } from './content.js';
import type { CostBand } from './cost.js';
import { itemImpact } from './impact.js';
import { costBandLabel, gradeLabel } from './library.js';
import { padlocksSvg } from './library-routes.js';
import { practiceReference } from './reference.js';
import type { Db } from './store.js';
import { isItemId } from './store.js';
import type { DigestSection, PracticeGrade } from './tables.js';
import { practiceGrades } from './tables.js';
import type { Actor } from './workflow.js';
import { PracticeConflictError, PracticeInputError, PracticeNotFoundError, PracticeStateError } from './workflow.js';

export type { DigestSection } from './tables.js';

/** How long the words of an edition may be, and how big it may grow. */
export const digestLimits = { title: 150, introduction: 4_000, heading: 120, sectionIntroduction: 1_200, sections: 30, items: 200 } as const;

/** Items "suggest sections by group" puts in each group's section: the best graded first. */
export const suggestedPerGroup = 6;

/** Most items the "add items" search lists at once. */
export const searchLimit = 50;

export type EditionStatus = 'draft' | 'published';

/** An item as it was when the edition was published (or, in a draft's preview, as it is now). */
export interface FrozenItem {
  id: string;
  reference: number;
  /** The published version of the item this copy was taken from. */
  version: number;
  /** The published content, without the contact where the submitter did not make it public. */
  content: PracticeContent;
  grade: PracticeGrade;
  evidenceStrength: number;
  costBand: CostBand | null;
  /** The item's overall effect with its interval, in effect size and EEF months; null when its results give none. */
  impact: { value: number; lower: number | null; upper: number | null; months: number; monthsLower: number | null; monthsUpper: number | null; pooledFrom: number } | null;
  publishedAt: string;
}

export interface DigestEdition {
  number: number;
  title: string;
  introduction: string;
  sections: DigestSection[];
  status: EditionStatus;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
  /** The frozen items of a published edition, by item id; null for a draft. */
  items: Record<string, FrozenItem> | null;
  version: number;
}

export type EditionSummary = Omit<DigestEdition, 'items' | 'sections'> & { sectionCount: number; itemCount: number };

/** A published item as the "add items" search and the editor list it. */
export interface PublishedItemHead {
  id: string;
  reference: number;
  title: string;
  grade: PracticeGrade | null;
  evidenceStrength: number | null;
  groups: string[];
  status: string;
}

// ---- Reading ---------------------------------------------------------------------------------

const frozenItemSchema = z.object({
  id: z.string(),
  reference: z.number(),
  version: z.number(),
  content: contentSchema,
  grade: z.enum(practiceGrades),
  evidenceStrength: z.number(),
  costBand: z.string().nullable(),
  impact: z
    .object({
      value: z.number(),
      lower: z.number().nullable(),
      upper: z.number().nullable(),
      months: z.number(),
      monthsLower: z.number().nullable(),
      monthsUpper: z.number().nullable(),
      pooledFrom: z.number(),
    })
    .nullable(),
  publishedAt: z.string(),
});

const sectionsSchema = z.array(z.object({ heading: z.string(), introduction: z.string().default(''), itemIds: z.array(z.string()).default([]) }));

function parsedJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function storedSections(value: unknown): DigestSection[] {
  return sectionsSchema.parse(parsedJson(value));
}

function storedItems(value: unknown): Record<string, FrozenItem> | null {
  const parsed = parsedJson(value);
  if (parsed === null || parsed === undefined) return null;
  return z.record(z.string(), frozenItemSchema).parse(parsed) as Record<string, FrozenItem>;
}

type EditionRow = {
  number: number;
  title: string;
  introduction: string;
  sections: unknown;
  status: EditionStatus;
  created_at: Date;
  created_by_label: string;
  updated_at: Date;
  published_at: Date | null;
  published_by_label: string | null;
  items: unknown;
  version: number;
};

function editionOf(row: EditionRow): DigestEdition {
  return {
    number: row.number,
    title: row.title,
    introduction: row.introduction,
    sections: storedSections(row.sections),
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by_label,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    publishedBy: row.published_by_label,
    items: storedItems(row.items),
    version: row.version,
  };
}

/** An edition number as a person or an address gives it: a whole number from 1, else undefined. */
export function editionNumber(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[1-9]\d{0,5}$/.test(text)) return undefined;
  return Number(text);
}

export async function readEdition(db: Db, number: number, options: { forUpdate?: boolean } = {}): Promise<DigestEdition | undefined> {
  let query = db.selectFrom('practice_digest_edition').selectAll().where('number', '=', number);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : editionOf(row);
}

/** Editions, the newest first: every one for the national team, the published ones for everyone else. */
export async function listEditions(db: Db, filter: { status?: EditionStatus } = {}): Promise<EditionSummary[]> {
  let query = db.selectFrom('practice_digest_edition').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('number', 'desc').execute();
  return rows.map((row) => {
    const { items: _items, sections, ...rest } = editionOf(row);
    return { ...rest, sectionCount: sections.length, itemCount: sections.reduce((sum, section) => sum + section.itemIds.length, 0) };
  });
}

/** The latest published edition's number, or undefined before the first. */
export async function latestPublishedNumber(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('practice_digest_edition').select('number').where('status', '=', 'published').orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row?.number;
}

/** Items by id with their status, whatever it is: the editor warns of a chosen item no longer published. */
export async function itemHeads(db: Db, ids: readonly string[]): Promise<Map<string, PublishedItemHead>> {
  const valid = ids.filter(isItemId);
  if (valid.length === 0) return new Map();
  const rows = await db
    .selectFrom('practice_item')
    .select(['id', 'reference', 'title', 'grade', 'evidence_strength', 'groups', 'status'])
    .where('id', 'in', valid)
    .execute();
  return new Map(rows.map((row) => [row.id, { id: row.id, reference: row.reference, title: row.title, grade: row.grade, evidenceStrength: row.evidence_strength, groups: row.groups, status: row.status }]));
}

/** Copies of published items as the public reads them now: what publishing an edition freezes. */
export async function freezeItems(db: Db, ids: readonly string[]): Promise<Map<string, FrozenItem>> {
  const valid = ids.filter(isItemId);
  if (valid.length === 0) return new Map();
  const rows = await db
    .selectFrom('practice_item')
    .innerJoin('practice_version', (join) => join.onRef('practice_version.item_id', '=', 'practice_item.id').onRef('practice_version.version', '=', 'practice_item.published_version'))
    .select([
      'practice_item.id',
      'practice_item.reference',
      'practice_item.published_version',
      'practice_item.grade',
      'practice_item.evidence_strength',
      'practice_item.published_at',
      'practice_version.content',
      'practice_version.submitted_at',
    ])
    .where('practice_item.id', 'in', valid)
    .where('practice_item.status', '=', 'published')
    .execute();
  const frozen = new Map<string, FrozenItem>();
  for (const row of rows) {
    if (row.grade === null || row.evidence_strength === null || row.published_version === null) continue;
    const stored = contentSchema.parse(parsedJson(row.content));
    // As the library shows it: the contact only where the submitter chose to make it public.
    const content = stored.contactPublic ? stored : { ...stored, contactName: '', contactEmail: '' };
    const overall = itemImpact(content).overall;
    frozen.set(row.id, {
      id: row.id,
      reference: row.reference,
      version: row.published_version,
      content,
      grade: row.grade,
      evidenceStrength: row.evidence_strength,
      costBand: contentCostBand(content),
      impact:
        overall === null
          ? null
          : { value: overall.value, lower: overall.lower, upper: overall.upper, months: overall.months, monthsLower: overall.monthsLower, monthsUpper: overall.monthsUpper, pooledFrom: overall.pooledFrom },
      publishedAt: (row.published_at ?? row.submitted_at).toISOString(),
    });
  }
  return frozen;
}

/** Escapes LIKE's wildcards, so that a search for "50%" means the characters typed. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A reference as people write it ("P-0042", "p42", "42"), or undefined. */
export function referenceNumber(text: string): number | undefined {
  const match = /^p?-?0*(\d{1,9})$/i.exec(text.trim());
  return match === null ? undefined : Number(match[1]);
}

/** Published items whose title has the words (or whose reference is the one given), in a group if one is given. */
export async function searchPublished(db: Db, query: { text: string; group: string }): Promise<PublishedItemHead[]> {
  const text = query.text.trim().slice(0, 200);
  let select = db
    .selectFrom('practice_item')
    .select(['id', 'reference', 'title', 'grade', 'evidence_strength', 'groups', 'status'])
    .where('status', '=', 'published');
  if (text !== '') {
    const reference = referenceNumber(text);
    select = select.where((eb) => {
      const byTitle = eb('title', 'ilike', likePattern(text));
      return reference === undefined ? byTitle : eb.or([byTitle, eb('reference', '=', reference)]);
    });
  }
  if (query.group !== '') select = select.where(sql<boolean>`${query.group} = any(groups)`);
  const rows = await select
    .orderBy('title')
    .orderBy('reference')
    .limit(searchLimit + 1)
    .execute();
  return rows.map((row) => ({ id: row.id, reference: row.reference, title: row.title, grade: row.grade, evidenceStrength: row.evidence_strength, groups: row.groups, status: row.status }));
}

// ---- What a reader sees -------------------------------------------------------------------------

export const gradeLabels: Record<PracticeGrade, string> = { validated: gradeLabel('validated'), promising: gradeLabel('promising'), emerging: gradeLabel('emerging') };

const tierLabels: Record<string, string> = { universal: 'Universal', targeted: 'Targeted', complex: 'Complex', specialist: 'Specialist' };

/** A number of months with its sign, a true minus and the right noun: "+3 months", "−1 month", "0 months". */
export function monthsText(months: number): string {
  const size = Math.abs(months);
  const sign = months > 0 ? '+' : months < 0 ? '−' : '';
  return `${sign}${size} ${size === 1 ? 'month' : 'months'}`;
}

function signedMonths(months: number): string {
  return months > 0 ? `+${months}` : months < 0 ? `−${Math.abs(months)}` : '0';
}

/** The first sentences of a text up to about `limit` characters, cut at a word with an ellipsis when a sentence will not fit. */
export function inBrief(text: string, limit = 320): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const sentences = flat.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let brief = '';
  for (const sentence of sentences) {
    if ((brief + sentence).trim().length > limit) break;
    brief += sentence;
  }
  if (brief.trim() !== '') return brief.trim();
  const cut = flat.slice(0, limit);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), limit / 2)).replace(/[\s,;:]+$/, '')}…`;
}

export interface DigestEntry {
  id: string;
  reference: string;
  anchor: string;
  title: string;
  summary: string;
  whatWasDoneInBrief: string;
  grade: PracticeGrade;
  gradeLabel: string;
  evidenceStrength: number;
  /** The library's padlocks picture (fixed markup, no text from anyone), so an item looks the same in both. */
  padlocks: string;
  /** "+3 months" and its interval in words, or null when the results give no effect. */
  impact: { months: string; interval: string | null; words: string; pooledFrom: number } | null;
  cost: string;
  groups: string[];
  whoFor: string;
  settings: string;
  evaluation: string;
  /** The library's page for the item, as a path. */
  path: string;
}

export interface DigestSectionView {
  number: number;
  anchor: string;
  heading: string;
  introduction: string[];
  entries: DigestEntry[];
}

export interface EditionView {
  number: number;
  title: string;
  introduction: string[];
  status: EditionStatus;
  /** When it was published; for a draft's preview, null. */
  publishedAt: Date | null;
  sections: DigestSectionView[];
  itemCount: number;
  /** Chosen items that are no longer published: a draft cannot be published with them. */
  missing: { section: number; itemId: string }[];
}

/** Paragraphs of a text, split at blank lines. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
}

/** "P-0042", as the library shows it. */
export const referenceLabel = practiceReference;

/** Names of the catalogue's groups and outcomes by id, for labels. */
export interface DigestLabels {
  groups: Map<string, string>;
  outcomes: Map<string, string>;
}

export function digestLabels(catalogue: Catalogue): DigestLabels {
  return {
    groups: new Map(findItems(catalogue, { kind: 'group' }).map((item) => [item.id, item.name])),
    outcomes: new Map(findItems(catalogue, { kind: 'outcome' }).map((item) => [item.id, item.text])),
  };
}

function agesText(content: PracticeContent): string {
  if (content.ageFrom !== null && content.ageTo !== null) return content.ageFrom === content.ageTo ? `aged ${content.ageFrom}` : `aged ${content.ageFrom} to ${content.ageTo}`;
  if (content.ageFrom !== null) return `aged ${content.ageFrom} and over`;
  if (content.ageTo !== null) return `aged up to ${content.ageTo}`;
  return '';
}

/** An item as the edition shows it: every label in words, nothing a reader would have to look up. */
export function digestEntry(item: FrozenItem, labels: DigestLabels): DigestEntry {
  const { content } = item;
  const groups = content.groups.map((group) => labels.groups.get(group) ?? group);
  const ages = agesText(content);
  const tiers = content.tiers.map((tier) => tierLabels[tier] ?? tier);
  const impact = item.impact;
  return {
    id: item.id,
    reference: referenceLabel(item.reference),
    anchor: `item-${item.reference}`,
    title: content.title,
    summary: content.summary,
    whatWasDoneInBrief: inBrief(content.whatWasDone),
    grade: item.grade,
    gradeLabel: gradeLabels[item.grade],
    evidenceStrength: item.evidenceStrength,
    padlocks: padlocksSvg(item.evidenceStrength),
    impact:
      impact === null
        ? null
        : {
            months: monthsText(impact.months),
            interval: impact.monthsLower === null || impact.monthsUpper === null ? null : `95% confidence interval ${signedMonths(impact.monthsLower)} to ${signedMonths(impact.monthsUpper)} months`,
            words: impactBand(impact.months),
            pooledFrom: impact.pooledFrom,
          },
    cost: item.costBand === null ? 'Cost not given' : item.costBand === 'no cost' ? 'No cost' : `${costBandLabel(item.costBand)} per child per year`,
    groups,
    whoFor: [groups.join(', '), ages].filter((part) => part !== '').join(', '),
    settings: [content.settingTypes.map((setting) => settingTypeLabels[setting as keyof typeof settingTypeLabels] ?? setting).join(', '), tiers.length > 0 ? `${tiers.join(', ')} tier${tiers.length === 1 ? '' : 's'} of need`.replace(/^./, (first) => first.toUpperCase()) : '']
      .filter((part) => part !== '')
      .join('. '),
    evaluation: content.design === null ? 'Evaluation not described' : designLabels[content.design],
    path: `/practice/${item.id}`,
  };
}

/** An edition as a reader sees it: from its frozen items once published, from the items as they are now in a draft's preview. */
export async function editionView(db: Db, edition: DigestEdition, labels: DigestLabels): Promise<EditionView> {
  const ids = edition.sections.flatMap((section) => section.itemIds);
  const items = edition.items !== null ? new Map(Object.entries(edition.items)) : await freezeItems(db, ids);
  const missing: EditionView['missing'] = [];
  const sections = edition.sections.map((section, index) => {
    const entries = section.itemIds.flatMap((itemId) => {
      const item = items.get(itemId);
      if (item === undefined) {
        missing.push({ section: index + 1, itemId });
        return [];
      }
      return [digestEntry(item, labels)];
    });
    return { number: index + 1, anchor: `section-${index + 1}`, heading: section.heading, introduction: paragraphs(section.introduction), entries };
  });
  return {
    number: edition.number,
    title: edition.title,
    introduction: paragraphs(edition.introduction),
    status: edition.status,
    publishedAt: edition.publishedAt,
    sections,
    itemCount: sections.reduce((sum, section) => sum + section.entries.length, 0),
    missing,
  };
}

// ---- Changing a draft ---------------------------------------------------------------------------

/** A change to a draft's sections, as the editor's buttons make it. */
export type SectionChange =
  | { kind: 'add-section'; heading: string; introduction: string }
  | { kind: 'edit-section'; section: number; heading: string; introduction: string }
  | { kind: 'move-section'; section: number; direction: 'up' | 'down' }
  | { kind: 'remove-section'; section: number }
  | { kind: 'add-items'; section: number; itemIds: string[] }
  | { kind: 'move-item'; section: number; itemId: string; direction: 'up' | 'down' }
  | { kind: 'remove-item'; section: number; itemId: string };

function labelOf(actor: Actor): string {
  return actor.viewer.displayName || actor.viewer.email;
}

function requireModerator(viewer: Viewer): void {
  if (!viewerMay(viewer, 'practice:moderate')) throw new PracticeNotFoundError();
}

function detailProblems(title: string, introduction: string, options: { forPublication: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (title === '') problems.push({ field: 'title', message: 'Enter a title for the edition' });
  if (title.length > digestLimits.title) problems.push({ field: 'title', message: `The title must be ${digestLimits.title} characters or fewer (it has ${title.length})` });
  if (introduction.length > digestLimits.introduction) {
    problems.push({ field: 'introduction', message: `The introduction must be ${digestLimits.introduction.toLocaleString('en-GB')} characters or fewer (it has ${introduction.length.toLocaleString('en-GB')})` });
  }
  if (options.forPublication && introduction === '') problems.push({ field: 'introduction', message: 'Write an introduction before you publish the edition' });
  return problems;
}

function sectionWordProblems(heading: string, introduction: string, fieldPrefix: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (heading === '') problems.push({ field: `${fieldPrefix}heading`, message: 'Enter a heading for the section' });
  if (heading.length > digestLimits.heading) problems.push({ field: `${fieldPrefix}heading`, message: `The section heading must be ${digestLimits.heading} characters or fewer (it has ${heading.length})` });
  if (introduction.length > digestLimits.sectionIntroduction) {
    problems.push({ field: `${fieldPrefix}introduction`, message: `The section’s introduction must be ${digestLimits.sectionIntroduction.toLocaleString('en-GB')} characters or fewer (it has ${introduction.length.toLocaleString('en-GB')})` });
  }
  return problems;
}

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

function sectionAt(sections: readonly DigestSection[], section: number): DigestSection {
  const found = sections[section - 1];
  if (found === undefined) throw new PracticeStateError(`There is no section ${section} in this edition any more: it may have been removed. Open the edition again.`);
  return found;
}

function moved<T>(list: readonly T[], index: number, direction: 'up' | 'down'): T[] {
  const target = direction === 'up' ? index - 1 : index + 1;
  if (index < 0 || target < 0 || target >= list.length) return [...list];
  const copy = [...list];
  [copy[index], copy[target]] = [copy[target]!, copy[index]!];
  return copy;
}

/**
 * The sections after a change, or the problems with it. Pure: items' publication is checked by the
 * caller, which knows the database.
 */
export function changedSections(sections: readonly DigestSection[], change: SectionChange, headings: ReadonlyMap<string, PublishedItemHead>): DigestSection[] {
  const copy = sections.map((section) => ({ ...section, itemIds: [...section.itemIds] }));
  switch (change.kind) {
    case 'add-section': {
      const heading = clean(change.heading);
      const introduction = clean(change.introduction);
      const problems = sectionWordProblems(heading, introduction, 'new-section-');
      if (copy.length >= digestLimits.sections) problems.push({ field: 'new-section-heading', message: `An edition may have at most ${digestLimits.sections} sections` });
      if (problems.length > 0) throw new PracticeInputError(problems);
      return [...copy, { heading, introduction, itemIds: [] }];
    }
    case 'edit-section': {
      const heading = clean(change.heading);
      const introduction = clean(change.introduction);
      const problems = sectionWordProblems(heading, introduction, `section-${change.section}-`);
      if (problems.length > 0) throw new PracticeInputError(problems);
      const section = sectionAt(copy, change.section);
      section.heading = heading;
      section.introduction = introduction;
      return copy;
    }
    case 'move-section':
      sectionAt(copy, change.section);
      return moved(copy, change.section - 1, change.direction);
    case 'remove-section':
      sectionAt(copy, change.section);
      return copy.filter((_section, index) => index !== change.section - 1);
    case 'add-items': {
      const section = sectionAt(copy, change.section);
      const wanted = [...new Set(change.itemIds)];
      if (wanted.length === 0) throw new PracticeInputError([{ field: 'items', message: 'Choose at least one item to add' }]);
      const problems: FieldProblem[] = [];
      for (const itemId of wanted) {
        const head = headings.get(itemId);
        if (head === undefined || head.status !== 'published') {
          problems.push({ field: 'items', message: `${head === undefined ? 'An item you chose' : `${referenceLabel(head.reference)} ${head.title}`} is not published, so it cannot go in the digest` });
          continue;
        }
        const holder = copy.findIndex((candidate) => candidate.itemIds.includes(itemId));
        if (holder !== -1) problems.push({ field: 'items', message: `${referenceLabel(head.reference)} ${head.title} is already in section ${holder + 1}, “${copy[holder]!.heading}”: an item appears in one section only` });
      }
      const total = copy.reduce((sum, candidate) => sum + candidate.itemIds.length, 0) + wanted.length;
      if (total > digestLimits.items) problems.push({ field: 'items', message: `An edition may hold at most ${digestLimits.items} items; this would make ${total}` });
      if (problems.length > 0) throw new PracticeInputError(problems);
      section.itemIds.push(...wanted);
      return copy;
    }
    case 'move-item': {
      const section = sectionAt(copy, change.section);
      section.itemIds = moved(section.itemIds, section.itemIds.indexOf(change.itemId), change.direction);
      return copy;
    }
    case 'remove-item': {
      const section = sectionAt(copy, change.section);
      section.itemIds = section.itemIds.filter((itemId) => itemId !== change.itemId);
      return copy;
    }
  }
}

/** Is this a unique-key violation (two people creating the same edition number at once)? */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code ?? ((error as { cause?: { code?: unknown } } | null)?.cause?.code);
  return code === '23505';
}

const gradeOrder = sql<number>`case grade when 'validated' then 1 when 'promising' then 2 else 3 end`;

export class DigestService {
  readonly labels: DigestLabels;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly catalogue: Catalogue,
  ) {
    this.labels = digestLabels(catalogue);
  }

  private async audit(actor: Actor, action: string, number: number, details: Record<string, unknown> = {}): Promise<void> {
    await appendAudit(this.db, { action, outcome: 'success', actorUserId: actor.viewer.userId, actorEmail: actor.viewer.email, target: `practice-digest:${number}`, ip: actor.ip, details });
  }

  /** A published edition, for anyone; a draft is not found (the same answer as no edition at all). */
  async published(number: number): Promise<DigestEdition> {
    const edition = await readEdition(this.db, number);
    if (edition === undefined || edition.status !== 'published') throw new PracticeNotFoundError();
    return edition;
  }

  /** Any edition, for the national team. */
  async forModerator(viewer: Viewer, number: number): Promise<DigestEdition> {
    requireModerator(viewer);
    const edition = await readEdition(this.db, number);
    if (edition === undefined) throw new PracticeNotFoundError();
    return edition;
  }

  async view(edition: DigestEdition): Promise<EditionView> {
    return editionView(this.db, edition, this.labels);
  }

  /** Starts the next edition as a draft; there is one draft at a time, so editions are numbered in the order they appear. */
  async createDraft(actor: Actor, details: { title: string; introduction: string }): Promise<number> {
    requireModerator(actor.viewer);
    const title = clean(details.title);
    const introduction = clean(details.introduction);
    const problems = detailProblems(title, introduction, { forPublication: false });
    if (problems.length > 0) throw new PracticeInputError(problems);
    let number: number;
    try {
      number = await this.db.transaction().execute(async (trx) => {
        const draft = await trx.selectFrom('practice_digest_edition').select('number').where('status', '=', 'draft').executeTakeFirst();
        if (draft !== undefined) throw new PracticeStateError(`Edition ${draft.number} is already being compiled as a draft: carry on with it, or delete it first.`);
        const last = await trx.selectFrom('practice_digest_edition').select(sql<number | null>`max(number)`.as('number')).executeTakeFirst();
        const next = (last?.number ?? 0) + 1;
        await trx
          .insertInto('practice_digest_edition')
          .values({ number: next, title, introduction, sections: JSON.stringify([]), created_by_label: labelOf(actor) })
          .execute();
        return next;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PracticeStateError('Someone else has just started the next edition: open the list of editions and carry on with theirs.');
      throw error;
    }
    await this.audit(actor, 'practice.digest.create', number, { title });
    return number;
  }

  /** Locks a draft for a change from `expectedVersion`, or says why it cannot change. */
  private async lockedDraft(db: Db, number: number, expectedVersion: number): Promise<DigestEdition> {
    const edition = await readEdition(db, number, { forUpdate: true });
    if (edition === undefined) throw new PracticeNotFoundError();
    if (edition.status !== 'draft') throw new PracticeStateError(`Edition ${number} has been published, so it cannot change. Start a new edition instead.`);
    if (edition.version !== expectedVersion) throw new PracticeConflictError(edition.version);
    return edition;
  }

  async saveDetails(actor: Actor, number: number, details: { title: string; introduction: string }, expectedVersion: number): Promise<number> {
    requireModerator(actor.viewer);
    const title = clean(details.title);
    const introduction = clean(details.introduction);
    const problems = detailProblems(title, introduction, { forPublication: false });
    if (problems.length > 0) throw new PracticeInputError(problems);
    return this.db.transaction().execute(async (trx) => {
      await this.lockedDraft(trx, number, expectedVersion);
      const row = await trx
        .updateTable('practice_digest_edition')
        .set({ title, introduction, updated_at: new Date(), version: sql`version + 1` })
        .where('number', '=', number)
        .returning('version')
        .executeTakeFirstOrThrow();
      return row.version;
    });
  }

  /** Applies one change to a draft's sections; returns the draft's new version. */
  async changeSections(actor: Actor, number: number, change: SectionChange, expectedVersion: number): Promise<number> {
    requireModerator(actor.viewer);
    // Whether the items are published is read before the transaction: on PGlite a transaction holds the only connection.
    const headings = change.kind === 'add-items' ? await itemHeads(this.db, change.itemIds) : new Map<string, PublishedItemHead>();
    return this.db.transaction().execute(async (trx) => {
      const edition = await this.lockedDraft(trx, number, expectedVersion);
      const sections = changedSections(edition.sections, change, headings);
      const row = await trx
        .updateTable('practice_digest_edition')
        .set({ sections: JSON.stringify(sections), updated_at: new Date(), version: sql`version + 1` })
        .where('number', '=', number)
        .returning('version')
        .executeTakeFirstOrThrow();
      return row.version;
    });
  }

  /**
   * Fills sections by group: for each of the framework's groups, in its order, the best graded
   * published items whose first group it is and that are not yet in the edition, added to the
   * section headed with the group's name (made if there is none). Returns how many were added.
   */
  async suggestByGroup(actor: Actor, number: number, expectedVersion: number): Promise<{ version: number; added: number }> {
    requireModerator(actor.viewer);
    const current = await this.forModerator(actor.viewer, number);
    const chosen = new Set(current.sections.flatMap((section) => section.itemIds));
    const groups = findItems(this.catalogue, { kind: 'group' });
    const picks: { heading: string; itemIds: string[] }[] = [];
    for (const group of groups) {
      const rows = await this.db
        .selectFrom('practice_item')
        .select('id')
        .where('status', '=', 'published')
        .where(sql<boolean>`groups[1] = ${group.id}`)
        .orderBy(gradeOrder)
        .orderBy('evidence_strength', 'desc')
        .orderBy(sql`impact_months desc nulls last`)
        .orderBy('published_at', 'desc')
        .limit(suggestedPerGroup + chosen.size)
        .execute();
      const itemIds = rows.map((row) => row.id).filter((id) => !chosen.has(id)).slice(0, suggestedPerGroup);
      if (itemIds.length > 0) picks.push({ heading: group.name, itemIds });
    }
    return this.db.transaction().execute(async (trx) => {
      const edition = await this.lockedDraft(trx, number, expectedVersion);
      const sections = edition.sections.map((section) => ({ ...section, itemIds: [...section.itemIds] }));
      const taken = new Set(sections.flatMap((section) => section.itemIds));
      let added = 0;
      for (const pick of picks) {
        const fresh = pick.itemIds.filter((id) => !taken.has(id));
        if (fresh.length === 0) continue;
        const total = sections.reduce((sum, section) => sum + section.itemIds.length, 0);
        const room = digestLimits.items - total;
        if (room <= 0) break;
        let section = sections.find((candidate) => candidate.heading === pick.heading);
        if (section === undefined) {
          if (sections.length >= digestLimits.sections) break;
          section = { heading: pick.heading, introduction: '', itemIds: [] };
          sections.push(section);
        }
        for (const id of fresh.slice(0, room)) {
          section.itemIds.push(id);
          taken.add(id);
          added += 1;
        }
      }
      if (added === 0) return { version: edition.version, added };
      const row = await trx
        .updateTable('practice_digest_edition')
        .set({ sections: JSON.stringify(sections), updated_at: new Date(), version: sql`version + 1` })
        .where('number', '=', number)
        .returning('version')
        .executeTakeFirstOrThrow();
      return { version: row.version, added };
    });
  }

  /** Deletes a draft (a published edition stays for good). */
  async deleteDraft(actor: Actor, number: number, expectedVersion: number): Promise<void> {
    requireModerator(actor.viewer);
    await this.db.transaction().execute(async (trx) => {
      await this.lockedDraft(trx, number, expectedVersion);
      await trx.deleteFrom('practice_digest_edition').where('number', '=', number).execute();
    });
    await this.audit(actor, 'practice.digest.delete', number);
  }

  /**
   * Publishes a draft: checks it is complete, freezes each chosen item as the library shows it now,
   * and notes in each item's history that it is in the edition. Read-only from then on.
   */
  async publish(actor: Actor, number: number, expectedVersion: number): Promise<void> {
    requireModerator(actor.viewer);
    const moderator = labelOf(actor);
    const published = await this.db.transaction().execute(async (trx) => {
      const edition = await this.lockedDraft(trx, number, expectedVersion);
      const problems = detailProblems(edition.title, edition.introduction, { forPublication: true });
      const ids = edition.sections.flatMap((section) => section.itemIds);
      if (edition.sections.length === 0 || ids.length === 0) problems.push({ field: 'sections', message: 'Add at least one section with at least one item before you publish' });
      edition.sections.forEach((section, index) => {
        if (section.itemIds.length === 0 && ids.length > 0) problems.push({ field: `section-${index + 1}`, message: `Section ${index + 1}, “${section.heading}”, has no items: add some or remove the section` });
      });
      const frozen = await freezeItems(trx, ids);
      const gone = ids.filter((id) => !frozen.has(id));
      if (gone.length > 0) {
        const heads = await itemHeads(trx, gone);
        for (const id of gone) {
          const head = heads.get(id);
          problems.push({ field: 'sections', message: `${head === undefined ? 'A chosen item' : `${referenceLabel(head.reference)} ${head.title}`} is no longer published: remove it from the edition` });
        }
      }
      if (problems.length > 0) throw new PracticeInputError(problems);
      await trx
        .updateTable('practice_digest_edition')
        .set({ status: 'published', items: JSON.stringify(Object.fromEntries(frozen)), published_at: new Date(), published_by_label: moderator, updated_at: new Date(), version: sql`version + 1` })
        .where('number', '=', number)
        .execute();
      await trx
        .insertInto('practice_event')
        .values(ids.map((id) => ({ item_id: id, kind: 'digest-included', actor_label: moderator, detail: `Included in digest edition ${number}: ${edition.title}` })))
        .execute();
      return { items: ids.length, sections: edition.sections.length, title: edition.title };
    });
    await this.audit(actor, 'practice.digest.publish', number, published);
  }
}
