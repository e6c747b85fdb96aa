/**
 * The public library of effective practice: full-text search over published items, with facets.
 *
 * Words are matched and ranked by PostgreSQL's text search (English stemming, so "reading" finds
 * "reads"): `websearch_to_tsquery` reads what a person types ("quoted phrase", or, -word); an item
 * whose title holds a word comes before one that holds it only elsewhere: the rank is `ts_rank`
 * over the item's weighted vector (title A, summary B, body C, the rest D). Snippets are
 * `ts_headline` over the summary (or, when only the body matches, the body) of the page's rows
 * only, with private markers turned into <mark> after everything is escaped.
 *
 * Facets (group, outcome, golden thread, template, template statement, tier, setting type, grade,
 * evidence strength, cost band, region) combine with AND across facets and OR within one. Each
 * facet's counts are those of its values given every other facet's choices (and the words): the
 * usual faceted-search behaviour, so a reader sees how many items ticking one more box would add.
 *
 * Counting facets over 20,000 items in SQL takes a query per facet; instead the published items'
 * facets sit in memory as one bitset per facet value (`FacetIndex`), which filters and counts a
 * search in well under a millisecond. It is never stale: the one query each search makes for the
 * page's rows also reads, in the same snapshot, a stamp of the items that are or were published
 * (see `Stamp`); if it is not the index's, the index is rebuilt and the search run again.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { allAreas, localAuthorityByGss, regionOf } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems, itemById, loadCatalogue } from '../framework/catalogue.js';
import { effectiveCatalogue } from '../framework/effective.js';
import { escapeHtml, markMatches } from '../web/html.js';
import { maxPage } from '../web/pagination.js';
import type { PracticeContent, PracticeResult } from './content.js';
import { readContent, settingTypeLabels, settingTypes } from './content.js';
import { costBands } from './cost.js';
import type { CostBand } from './cost.js';
import type { ItemImpact } from './impact.js';
import { itemImpact } from './impact.js';
import { practiceReference } from './reference.js';
import type { PracticeGrade } from './tables.js';
import { practiceGrades } from './tables.js';
import { gradeCriteria, padlockCriteria } from './workflow-pages.js';

/** Results on one page of the library and of the API. */
export const libraryPageSize = 20;
/** The most rows a CSV or Excel download of a search holds. */
export const libraryExportLimit = 5_000;
/** The longest search text accepted. */
export const maxSearchLength = 200;
/** The most values one facet may be given. */
const maxValuesPerFacet = 50;

export const librarySorts = ['relevance', 'impact', 'newest'] as const;
export type LibrarySort = (typeof librarySorts)[number];

export const sortLabels: Record<LibrarySort, string> = {
  relevance: 'Best match',
  impact: 'Biggest impact',
  newest: 'Newest',
};

/** The facets, in the order the filter panel shows them; each is also the name of its query parameter. */
export const facetNames = ['group', 'outcome', 'thread', 'template', 'statement', 'tier', 'setting', 'grade', 'strength', 'cost', 'region'] as const;
export type FacetName = (typeof facetNames)[number];

export interface FacetOption {
  /** As it is written in an address: `children-in-care`, `very-low`, `E12000007`. */
  value: string;
  label: string;
  /** More words about the option (a statement's wording), for a hint. */
  hint?: string;
}

export interface FacetDefinition {
  name: FacetName;
  /** The filter panel's heading: "Who it is for". */
  heading: string;
  /** How a problem names what was expected: "a group in the framework". */
  expected: string;
  options: FacetOption[];
  byValue: Map<string, FacetOption>;
}

/** What the library's filters may be, with labels: the catalogue's groups, threads and statements; England's regions. */
export interface LibraryVocabulary {
  facets: Record<FacetName, FacetDefinition>;
}

export interface LibraryQuery {
  /** The words searched for, trimmed; '' for none. */
  q: string;
  filters: Record<FacetName, string[]>;
  sort: LibrarySort;
  page: number;
}

export interface QueryProblem {
  /** The query parameter: `group`, `page`, `q`. */
  parameter: string;
  message: string;
}

export interface FacetCount extends FacetOption {
  count: number;
  selected: boolean;
}

/** One published item as a result lists it. */
export interface LibraryItem {
  id: string;
  reference: number;
  /** "P-0042". */
  referenceLabel: string;
  title: string;
  /** The title as HTML, escaped, with the searched words in <mark>. */
  titleHtml: string;
  summary: string;
  /** A passage of the summary or body as HTML, escaped, with the searched words in <mark>. */
  snippetHtml: string;
  grade: PracticeGrade;
  evidenceStrength: number;
  impact: ItemImpact['overall'];
  costBand: CostBand | null;
  costPerChild: number | null;
  groups: string[];
  outcomes: string[];
  threads: string[];
  statements: string[];
  tiers: string[];
  settingTypes: string[];
  laCode: string | null;
  regionCode: string | null;
  publishedAt: Date;
}

export interface LibraryResults {
  query: LibraryQuery;
  /** The order used: relevance only when there are words to rank by. */
  sort: LibrarySort;
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
  items: LibraryItem[];
  facets: Record<FacetName, FacetCount[]>;
  /** The words were all too common to search for ("the", "and"): nothing matches them. */
  noSearchableWords: boolean;
  /** The state of the library the results are of (opaque): results with the same stamp and query are the same. */
  stamp: string;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const costBandLabels: Record<CostBand, string> = {
  'no cost': 'No cost',
  'very low': 'Very low: under £80',
  low: 'Low: £80 to £170',
  moderate: 'Moderate: £170 to £700',
  high: 'High: £700 to £1,200',
  'very high': 'Very high: over £1,200',
};

/** A cost band as written in an address: `very-low` for "very low". */
export function costBandValue(band: CostBand): string {
  return band.replace(/ /g, '-');
}

export function costBandLabel(band: CostBand): string {
  return costBandLabels[band];
}

/**
 * What each grade means: the published criteria reviewers grade against (`gradeCriteria` in
 * workflow-pages.ts), so the library says what the panel used.
 */
export const gradeMeanings = Object.fromEntries(gradeCriteria.map((criterion) => [criterion.value, `${criterion.text}: ${criterion.description}`])) as Record<PracticeGrade, string>;

/** What each evidence strength means: the published criteria (`padlockCriteria` in workflow-pages.ts). */
export const strengthMeanings: Record<number, string> = Object.fromEntries(padlockCriteria.map((criterion) => [criterion.value, criterion.description]));

export function gradeLabel(grade: PracticeGrade): string {
  return grade.charAt(0).toUpperCase() + grade.slice(1);
}

/** "3 of 5". */
export function strengthText(strength: number): string {
  return `${strength} of 5`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function definition(name: FacetName, heading: string, expected: string, options: FacetOption[]): FacetDefinition {
  return { name, heading, expected, options, byValue: new Map(options.map((option) => [option.value, option])) };
}

function clip(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), length - 20)).trimEnd()}…`;
}

/** A template statement's place in words: "Template 1, integrated frontline delivery, universal, statement 3". */
export function statementPlace(catalogue: Catalogue, statement: { id: string; kind: string; template: number | null; layer: string | null; tier: string | null }): string {
  const layerName = (id: string | null) => findItems(catalogue, { kind: 'layer' }).find((layer) => layer.id === id)?.name ?? id ?? '';
  const tierName = (id: string | null) => findItems(catalogue, { kind: 'tier' }).find((tier) => tier.id === id)?.name ?? id ?? '';
  const number = /-(X?\d+)$/.exec(statement.id)?.[1] ?? '';
  const shown = number.startsWith('X') ? `new statement ${number}` : `statement ${Number(number)}`;
  if (statement.kind === 'general-condition') return `Template ${statement.template}, general condition ${Number(number.replace('X', '')) || number}`;
  return `Template ${statement.template}, ${layerName(statement.layer)}, ${tierName(statement.tier)}, ${shown}`;
}

/**
 * The library's vocabulary: the framework's words as the reality check has left them (added
 * statements count; a retired one still names the items published with it), and England's regions.
 */
export async function libraryVocabulary(db: Kysely<Schema>, catalogue: Catalogue, statementsInUse: Iterable<string> = []): Promise<LibraryVocabulary> {
  const effective = await effectiveCatalogue(db, catalogue);
  const statements = new Map<string, FacetOption>();
  for (const statement of effective.statements) {
    if (statement.kind !== 'general-condition' && statement.kind !== 'matrix-statement') continue;
    statements.set(statement.id, { value: statement.id, label: statementPlace(catalogue, statement), hint: clip(statement.text, 110) });
  }
  for (const id of statementsInUse) {
    if (statements.has(id)) continue;
    const seed = itemById(catalogue, id);
    const text = seed?.text ?? effective.changes.filter((change) => change.statementId === id).at(-1)?.text ?? '';
    const place =
      seed !== undefined && (seed.kind === 'general-condition' || seed.kind === 'matrix-statement')
        ? statementPlace(catalogue, { id, kind: seed.kind, template: seed.template, layer: 'layer' in seed ? seed.layer : null, tier: 'tier' in seed ? seed.tier : null })
        : id;
    statements.set(id, { value: id, label: `${place} (retired)`, hint: clip(text, 160) });
  }
  const facets: Record<FacetName, FacetDefinition> = {
    group: definition(
      'group',
      'Who it is for',
      'a group in the framework',
      findItems(catalogue, { kind: 'group' }).map((group) => ({ value: group.id, label: group.name })),
    ),
    outcome: definition(
      'outcome',
      'Every Child Matters outcome',
      'an Every Child Matters outcome',
      findItems(catalogue, { kind: 'outcome' }).map((outcome) => ({ value: outcome.id, label: capitalise(outcome.name) })),
    ),
    thread: definition(
      'thread',
      'Golden thread',
      'a golden thread (GT01 to GT10)',
      findItems(catalogue, { kind: 'golden-thread' }).map((thread) => ({ value: thread.id, label: `${thread.number}. ${capitalise(thread.shortTitle)}` })),
    ),
    template: definition(
      'template',
      'Template',
      'a template (T1 to T5)',
      findItems(catalogue, { kind: 'template' }).map((template) => ({ value: template.id, label: `Template ${template.number}: ${template.subject}` })),
    ),
    statement: definition('statement', 'Template statement', 'a template statement in the framework (an id like T1-FRONTLINE-UNIVERSAL-01)', [...statements.values()]),
    tier: definition(
      'tier',
      'Tier of need',
      'a tier of need',
      findItems(catalogue, { kind: 'tier' }).map((tier) => ({ value: tier.id, label: capitalise(tier.name) })),
    ),
    setting: definition(
      'setting',
      'Setting',
      'a setting type',
      settingTypes.map((type) => ({ value: type, label: settingTypeLabels[type] })),
    ),
    grade: definition(
      'grade',
      'Grade',
      'a grade (validated, promising or emerging)',
      practiceGrades.map((grade) => ({ value: grade, label: gradeLabel(grade) })),
    ),
    strength: definition(
      'strength',
      'Evidence strength',
      'an evidence strength from 1 to 5',
      [5, 4, 3, 2, 1].map((strength) => ({ value: String(strength), label: `${strengthText(strength)} padlocks` })),
    ),
    cost: definition(
      'cost',
      'Cost per child per year',
      'a cost band (no-cost, very-low, low, moderate, high or very-high)',
      costBands.map((band) => ({ value: costBandValue(band), label: costBandLabels[band] })),
    ),
    region: definition(
      'region',
      'Region',
      'a region of England (its E12 code)',
      allAreas('region').map((region) => ({ value: region.code, label: region.name })),
    ),
  };
  return { facets };
}

// ---------------------------------------------------------------------------------------------
// Reading a query
// ---------------------------------------------------------------------------------------------

function emptyFilters(): Record<FacetName, string[]> {
  return Object.fromEntries(facetNames.map((name) => [name, [] as string[]])) as unknown as Record<FacetName, string[]>;
}

/** Every value given for a parameter: `group=a&group=b` and `group=a,b` alike; blanks dropped. */
function valuesOf(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return [...new Set(list.flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter((value) => value !== ''))];
}

const knownParameters = new Set<string>(['q', 'sort', 'page', ...facetNames]);

/**
 * The search asked for by a page's or the API's query parameters, with a problem named for each
 * parameter that is not valid (the search then leaves that parameter out). A page ignores
 * parameters it does not know (a tracking tag, say); the API refuses them, so a misspelt filter
 * is not silently dropped.
 */
export function readLibraryQuery(
  raw: Readonly<Record<string, unknown>>,
  vocabulary: LibraryVocabulary,
  options: { refuseUnknownParameters: boolean },
): { query: LibraryQuery; problems: QueryProblem[] } {
  const problems: QueryProblem[] = [];
  const filters = emptyFilters();
  // A repeated q (two search boxes on one form) is read as one search.
  let q = [raw.q ?? []].flat().map(String).join(' ').replace(/\s+/g, ' ').trim();
  if (q.length > maxSearchLength) {
    problems.push({ parameter: 'q', message: `q: search for ${maxSearchLength} characters or fewer (this has ${q.length})` });
    q = q.slice(0, maxSearchLength);
  }
  for (const name of facetNames) {
    const facet = vocabulary.facets[name];
    const values = valuesOf(raw[name]);
    if (values.length > maxValuesPerFacet) {
      problems.push({ parameter: name, message: `${name}: choose at most ${maxValuesPerFacet} values (${values.length} were given)` });
      continue;
    }
    const unknown = values.filter((value) => !facet.byValue.has(value));
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 3).map((value) => `“${clip(value, 40)}”`).join(', ');
      const small = facet.options.length <= 15 ? `: use ${facet.options.map((option) => option.value).join(', ')}` : '';
      problems.push({ parameter: name, message: `${name}: ${shown}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} ${unknown.length === 1 ? 'is' : 'are'} not ${facet.expected}${small}` });
    }
    filters[name] = values.filter((value) => facet.byValue.has(value));
  }
  const sortValues = valuesOf(raw.sort);
  let sort: LibrarySort = q === '' ? 'newest' : 'relevance';
  if (sortValues.length > 0) {
    const given = sortValues[0]!;
    if (sortValues.length > 1 || !(librarySorts as readonly string[]).includes(given)) {
      problems.push({ parameter: 'sort', message: `sort: “${clip(sortValues.join(','), 40)}” is not an order: use relevance, impact or newest` });
    } else {
      sort = given as LibrarySort;
    }
  }
  let page = 1;
  const pageValues = valuesOf(raw.page);
  if (pageValues.length > 0) {
    const text = pageValues.length === 1 ? pageValues[0]! : '';
    if (!/^[1-9]\d{0,5}$/.test(text) || Number(text) > maxPage) {
      problems.push({ parameter: 'page', message: `page: “${clip(pageValues.join(','), 20)}” is not a page number: use a whole number from 1 to ${maxPage.toLocaleString('en-GB')}` });
    } else {
      page = Number(text);
    }
  }
  if (options.refuseUnknownParameters) {
    for (const parameter of Object.keys(raw)) {
      if (!knownParameters.has(parameter)) {
        problems.push({ parameter, message: `${clip(parameter, 40)}: not a parameter of this search (they are ${[...knownParameters].join(', ')})` });
      }
    }
  }
  return { query: { q, filters, sort, page }, problems };
}

/** The query as address parameters, with changes: what links to other pages, orders and downloads carry. */
export function libraryQueryString(query: LibraryQuery, changes: { page?: number; sort?: LibrarySort | null; without?: { facet: FacetName; value: string } } = {}): string {
  const parameters = new URLSearchParams();
  if (query.q !== '') parameters.append('q', query.q);
  for (const name of facetNames) {
    for (const value of query.filters[name]) {
      if (changes.without?.facet === name && changes.without.value === value) continue;
      parameters.append(name, value);
    }
  }
  const sort = changes.sort === undefined ? query.sort : changes.sort;
  const defaultSort: LibrarySort = query.q === '' ? 'newest' : 'relevance';
  if (sort !== null && sort !== defaultSort) parameters.append('sort', sort);
  const page = changes.page ?? (changes.without === undefined && changes.sort === undefined ? query.page : 1);
  if (page > 1) parameters.append('page', String(page));
  return parameters.toString();
}

export function hasFilters(query: LibraryQuery): boolean {
  return facetNames.some((name) => query.filters[name].length > 0);
}

// ---------------------------------------------------------------------------------------------
// The facet index
// ---------------------------------------------------------------------------------------------

/** A set of item positions, one bit each. */
type Bitset = Uint32Array;

function fullBitset(size: number): Bitset {
  const words = new Uint32Array(Math.ceil(size / 32));
  words.fill(0xffffffff);
  const spare = words.length * 32 - size;
  if (spare > 0) words[words.length - 1] = 0xffffffff >>> spare;
  return words;
}

function andInto(target: Bitset, other: Bitset): void {
  for (let word = 0; word < target.length; word++) target[word]! &= other[word]!;
}

function popcount(set: Bitset): number {
  let total = 0;
  for (let word = 0; word < set.length; word++) {
    let x = set[word]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    total += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return total;
}

/** How many positions two sets share. */
function intersectionSize(left: Bitset, right: Bitset): number {
  let total = 0;
  for (let word = 0; word < left.length; word++) {
    let x = left[word]! & right[word]!;
    if (x === 0) continue;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    total += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return total;
}

/** A facet with more values than this is counted by visiting items rather than by intersecting bitsets. */
const bitsetCountingLimit = 40;

function has(set: Bitset, position: number): boolean {
  return (set[position >>> 5]! & (1 << (position & 31))) !== 0;
}

/** One facet of every published item: each item's values (as codes) and, for each value, its items. */
interface FacetColumn {
  /** The stored value of each code. */
  codes: string[];
  codeOf: Map<string, number>;
  /** Item i's codes are `values[offsets[i]]` to `values[offsets[i + 1] - 1]`. */
  offsets: Int32Array;
  values: Uint16Array;
  /** The items holding each code. */
  items: Bitset[];
}

/**
 * What tells the index is out of date, read cheaply on every search: over the items that are or
 * were published (`published_version` is set once and kept, so an item leaving the library still
 * counts) changed since `since`, how many there are, the sum of their versions and the latest change.
 * `since` is the latest change the index saw, less `stampMargin`. Every change to an item sets
 * `updated_at` to the moment and adds one to `version` (workflow.ts), so a change after the index
 * was built either moves the latest change on, or (a transaction that set its time earlier but
 * committed later) adds an item to the window or a version to the sum. A count over all 20,000
 * items would read the whole table on every search; this reads a few index entries.
 */
interface Stamp {
  since: Date;
  text: string;
}

/** How far back the stamp looks behind the latest change seen: longer than any transaction and any clock difference between app servers. */
const stampMargin = 15 * 60_000;

function stampText(count: number, versions: number, latest: Date | string | null): string {
  return `${count}/${versions}@${latest === null ? '' : new Date(latest).toISOString()}`;
}

/** Every status, so the stamp's query reads the (status, updated_at) index one status at a time. */
const everyStatus = ['draft', 'submitted', 'in-review', 'awaiting-decision', 'returned', 'published', 'rejected', 'withdrawn'] as const;

function stampQuery(since: Date) {
  return sql`
    select count(*)::int as stamp_count, coalesce(sum(version), 0)::int as stamp_versions, max(updated_at) as stamp_latest
    from practice_item
    where status in (${sql.join(everyStatus.map((status) => sql.lit(status)))}) and updated_at > ${since} and published_version is not null`;
}

interface IndexRow {
  id: string;
  reference: number;
  status: string;
  version: number;
  updated_at: Date | string;
  published_at: Date | string | null;
  impact_months: string | number | null;
  grade: PracticeGrade | null;
  evidence_strength: number | null;
  cost_band: CostBand | null;
  region_code: string | null;
  la_code: string | null;
  title: string;
  /** The published version's summary, results and cost (only for items in the library). */
  summary: string | null;
  results: unknown;
  cost_per_child: string | number | null;
  groups: string[];
  outcomes: string[];
  threads: string[];
  statements: string[];
  tiers: string[];
  setting_types: string[];
}

/** The stored values of each facet of an item (the template facet is read from the statements' ids). */
function facetValuesOf(row: IndexRow): Record<FacetName, readonly string[]> {
  return {
    group: row.groups,
    outcome: row.outcomes,
    thread: row.threads,
    template: [...new Set(row.statements.map((id) => /^(T[1-5])-/.exec(id)?.[1]).filter((id): id is string => id !== undefined))],
    statement: row.statements,
    tier: row.tiers,
    setting: row.setting_types,
    grade: row.grade === null ? [] : [row.grade],
    strength: row.evidence_strength === null ? [] : [String(row.evidence_strength)],
    cost: row.cost_band === null ? [] : [costBandValue(row.cost_band)],
    region: row.region_code === null ? [] : [row.region_code],
  };
}

/** The ranked matches of some words: their positions, best first, and as a set. */
interface WordMatches {
  order: Int32Array;
  set: Bitset;
  /** The words hold something to search for (not only "the", "and"...). */
  searchable: boolean;
}

/** The template statements a search counts: those with the most items (and any chosen). There are hundreds. */
export const statementsCounted = 50;

/** Ranked matches kept for the most recent searches, for as long as the index stands. */
const matchesKept = 200;

class FacetIndex {
  readonly size: number;
  readonly ids: string[];
  /** Each item as a result lists it, before any words are marked. */
  readonly items: LibraryItem[];
  readonly positionOfReference = new Map<number, number>();
  readonly columns = {} as Record<FacetName, FacetColumn>;
  /** Positions newest first; and biggest impact first (none last, then newest). */
  readonly newest: Int32Array;
  readonly biggestImpact: Int32Array;
  /** Each facet's counts with no filter and no words: the library's front page. */
  readonly unfilteredCounts: Record<FacetName, Int32Array>;
  private readonly matches = new Map<string, Promise<WordMatches>>();

  constructor(
    rows: readonly IndexRow[],
    readonly stamp: Stamp,
    public vocabulary: LibraryVocabulary,
  ) {
    this.size = rows.length;
    this.ids = rows.map((row) => row.id);
    this.items = rows.map(listedItem);
    rows.forEach((row, position) => this.positionOfReference.set(row.reference, position));
    const valuesByItem = rows.map(facetValuesOf);
    for (const name of facetNames) {
      const codes: string[] = [];
      const codeOf = new Map<string, number>();
      const offsets = new Int32Array(rows.length + 1);
      const flat: number[] = [];
      valuesByItem.forEach((values, position) => {
        for (const value of values[name]) {
          let code = codeOf.get(value);
          if (code === undefined) {
            code = codes.length;
            codes.push(value);
            codeOf.set(value, code);
          }
          flat.push(code);
        }
        offsets[position + 1] = flat.length;
      });
      const items = codes.map(() => new Uint32Array(Math.ceil(rows.length / 32)));
      for (let position = 0; position < rows.length; position++) {
        for (let at = offsets[position]!; at < offsets[position + 1]!; at++) items[flat[at]!]![position >>> 5]! |= 1 << (position & 31);
      }
      this.columns[name] = { codes, codeOf, offsets, values: Uint16Array.from(flat), items };
    }
    const published = rows.map((row) => (row.published_at === null ? 0 : new Date(row.published_at).getTime()));
    const impact = rows.map((row) => (row.impact_months === null ? null : Number(row.impact_months)));
    const byNewest = (a: number, b: number) => published[b]! - published[a]! || rows[b]!.reference - rows[a]!.reference;
    const positions = rows.map((_, position) => position);
    this.newest = Int32Array.from([...positions].sort(byNewest));
    this.biggestImpact = Int32Array.from(
      [...positions].sort((a, b) => {
        const [left, right] = [impact[a]!, impact[b]!];
        if (left === null || right === null) return left === right ? byNewest(a, b) : left === null ? 1 : -1;
        return right - left || byNewest(a, b);
      }),
    );
    this.unfilteredCounts = this.count(fullBitset(this.size), facetNames);
  }

  /**
   * Counts of each code of the facets, over the items in `set`. A facet of a few values counts each
   * value as the size of its items' bitset intersected with `set` (a few hundred word operations); the
   * statements, hundreds of values with a few items each, are counted by visiting the items instead.
   */
  count(set: Bitset, facets: readonly FacetName[]): Record<FacetName, Int32Array> {
    const counts = {} as Record<FacetName, Int32Array>;
    const visited: (readonly [FacetColumn, Int32Array])[] = [];
    for (const name of facets) {
      const column = this.columns[name];
      const tally = new Int32Array(column.codes.length);
      counts[name] = tally;
      if (column.codes.length > bitsetCountingLimit) {
        visited.push([column, tally]);
        continue;
      }
      column.items.forEach((items, code) => {
        tally[code] = intersectionSize(items, set);
      });
    }
    if (visited.length > 0) {
      for (let word = 0; word < set.length; word++) {
        let bits = set[word]!;
        while (bits !== 0) {
          const lowest = bits & -bits;
          const position = word * 32 + 31 - Math.clz32(lowest);
          bits ^= lowest;
          for (const [column, tally] of visited) {
            for (let at = column.offsets[position]!; at < column.offsets[position + 1]!; at++) tally[column.values[at]!]!++;
          }
        }
      }
    }
    return counts;
  }

  /** The items having any of the stored values of one facet. */
  having(name: FacetName, values: readonly string[]): Bitset {
    const column = this.columns[name];
    const set = new Uint32Array(Math.ceil(this.size / 32));
    for (const value of values) {
      const code = column.codeOf.get(value);
      if (code === undefined) continue;
      const items = column.items[code]!;
      for (let word = 0; word < set.length; word++) set[word]! |= items[word]!;
    }
    return set;
  }

  keptMatches(key: string): Promise<WordMatches> | undefined {
    const found = this.matches.get(key);
    if (found !== undefined) {
      // Most recently used last, so the oldest is the first to go.
      this.matches.delete(key);
      this.matches.set(key, found);
    }
    return found;
  }

  keepMatches(key: string, matches: Promise<WordMatches>): void {
    this.matches.set(key, matches);
    if (this.matches.size > matchesKept) this.matches.delete(this.matches.keys().next().value!);
  }

  /** A search that failed is not kept: the next one tries again. */
  forgetMatches(key: string, matches: Promise<WordMatches>): void {
    if (this.matches.get(key) === matches) this.matches.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Searching
// ---------------------------------------------------------------------------------------------

// Private-use characters: they cannot come from a keyboard, so a submitter's text cannot fake a highlight.
const matchStart = '\uE000';
const matchEnd = '\uE001';
/**
 * `ts_headline` reads "<b>" in a submitter's text as markup and drops it; these stand in for the
 * angle brackets on the way in and are put back before the text is escaped, so a snippet shows
 * exactly what was written.
 */
const angleStandIns = '\uE002\uE003';
function withAngles(text: string): string {
  return text.replace(/\uE002/g, '<').replace(/\uE003/g, '>');
}
const headlineOptions = `StartSel="${matchStart}", StopSel="${matchEnd}", MaxWords=35, MinWords=15, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "`;
/** A summary this short is shown whole, its matches marked, rather than cut into passages. */
const wholeSummaryLength = 320;
const titleHeadlineOptions = `StartSel="${matchStart}", StopSel="${matchEnd}", HighlightAll=true`;

/** The words as PostgreSQL reads them: `websearch_to_tsquery`, English. */
function wordsQuery(q: string) {
  return sql`websearch_to_tsquery('english', ${q})`;
}

interface HeadlineRow {
  stamp_count: number;
  stamp_versions: number;
  stamp_latest: Date | string | null;
  id: string | null;
  title_headline: string | null;
  snippet: string | null;
}

/** The summary's first sentences, as a snippet when no words were searched. */
function leadOf(summary: string): string {
  return escapeHtml(clip(summary, 280));
}

/** A result with every field, as stored (each was checked against the schema when it was submitted). */
const blankResult: PracticeResult = (() => {
  const read = readContent({ results: [{}] });
  if (!read.ok) throw new Error('An empty result must read as one with every field');
  return read.content.results[0]!;
})();

/**
 * The overall effect of a page's item, from its stored results. They were checked when submitted, so
 * they are read as they are (the schema's defaults filling any field added since) rather than checked
 * again: checking twenty items' results on every search cost more than the rest of the search.
 */
function impactOf(results: unknown): ItemImpact['overall'] {
  const parsed = typeof results === 'string' ? (JSON.parse(results) as unknown) : results;
  const stored = Array.isArray(parsed) ? (parsed as Partial<PracticeResult>[]) : [];
  return itemImpact({ results: stored.map((result) => ({ ...blankResult, ...result })) } as PracticeContent).overall;
}

/** An item as a result lists it, from its row in the index; the searched words are marked later, on a page's items only. */
function listedItem(row: IndexRow): LibraryItem {
  const summary = row.summary ?? '';
  const cost = row.cost_per_child === null ? null : Number(row.cost_per_child);
  return {
    id: row.id,
    reference: row.reference,
    referenceLabel: practiceReference(row.reference),
    title: row.title,
    titleHtml: escapeHtml(row.title),
    summary,
    snippetHtml: leadOf(summary),
    grade: row.grade!,
    evidenceStrength: row.evidence_strength!,
    impact: impactOf(row.results),
    costBand: row.cost_band,
    costPerChild: cost === null || Number.isNaN(cost) ? null : cost,
    groups: row.groups,
    outcomes: row.outcomes,
    threads: row.threads,
    statements: row.statements,
    tiers: row.tiers,
    settingTypes: row.setting_types,
    laCode: row.la_code,
    regionCode: row.region_code,
    publishedAt: new Date(row.published_at ?? 0),
  };
}

export interface SearchOptions {
  /** Results on a page: `libraryPageSize` unless given (a download asks for many). */
  pageSize?: number;
  /** Whether to mark the searched words in titles and snippets (a download has no use for them). */
  snippets?: boolean;
}

/**
 * The library: searches and the facet index behind them. One per database (see `practiceLibrary`),
 * so every route and capability that searches shares the index.
 */
export class PracticeLibrary {
  private index: FacetIndex | undefined;
  private loading: Promise<FacetIndex> | undefined;
  private readonly stampReader: StampReader;
  /** When the vocabulary was last read again for a statement it did not know. */
  private vocabularyReadAt = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    readonly catalogue: Catalogue = loadCatalogue(),
  ) {
    this.stampReader = new StampReader(db);
  }

  /** The vocabulary filters are checked against (loading the index the first time). */
  async vocabulary(): Promise<LibraryVocabulary> {
    return (await this.currentIndex()).vocabulary;
  }

  /**
   * A page's or the API's query, read against the vocabulary. A template statement it does not
   * know may have been added to the framework (the reality check) since the index was built: the
   * vocabulary is read again once before the statement is called unknown.
   */
  async readQuery(raw: Readonly<Record<string, unknown>>, options: { refuseUnknownParameters: boolean }): Promise<{ query: LibraryQuery; problems: QueryProblem[] }> {
    const index = await this.currentIndex();
    const read = readLibraryQuery(raw, index.vocabulary, options);
    // At most once a minute, so that addresses with made-up statements cannot keep the database busy.
    if (!read.problems.some((problem) => problem.parameter === 'statement') || Date.now() - this.vocabularyReadAt < 60_000) return read;
    this.vocabularyReadAt = Date.now();
    index.vocabulary = await libraryVocabulary(this.db, this.catalogue, index.items.flatMap((item) => item.statements));
    return readLibraryQuery(raw, index.vocabulary, options);
  }

  private currentIndex(): Promise<FacetIndex> {
    return this.index === undefined ? this.rebuild() : Promise.resolve(this.index);
  }

  /**
   * Reads every published item's facets and what a result shows of it (in one statement, so the
   * stamp is that of the rows read). With the items in memory, a search without words needs no
   * query but the stamp's.
   */
  private rebuild(): Promise<FacetIndex> {
    // Searches that find the index stale at the same moment wait for one rebuild rather than each making their own.
    this.loading ??= (async () => {
      try {
        // Items that were published and left the library are read too: the stamp counts them.
        const everPublished = (
          await sql<IndexRow>`
            select i.id, i.reference, i.status, i.version, i.updated_at, i.published_at, i.impact_months, i.grade, i.evidence_strength,
              i.cost_band, i.region_code, i.la_code, i.title, i.groups, i.outcomes, i.threads, i.statements, i.tiers, i.setting_types,
              v.content->>'summary' as summary, v.content->'results' as results, v.content->>'costPerChild' as cost_per_child
            from practice_item i
            left join practice_version v on i.status = 'published' and v.item_id = i.id and v.version = i.published_version
            where i.published_version is not null`.execute(this.db)
        ).rows;
        const rows = everPublished.filter((row) => row.status === 'published');
        const latest = everPublished.reduce<number>((max, row) => Math.max(max, new Date(row.updated_at).getTime()), Number.NEGATIVE_INFINITY);
        const since = new Date((Number.isFinite(latest) ? latest : Date.now()) - stampMargin);
        const recent = everPublished.filter((row) => new Date(row.updated_at) > since);
        const stamp = {
          since,
          text: stampText(recent.length, recent.reduce((sum, row) => sum + row.version, 0), Number.isFinite(latest) ? new Date(latest) : null),
        };
        const inUse = new Set(rows.flatMap((row) => row.statements));
        const index = new FacetIndex(rows, stamp, await libraryVocabulary(this.db, this.catalogue, inUse));
        this.index = index;
        return index;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /**
   * The library's stamp now: that of its index, which is rebuilt first if anything changed. Results
   * kept with this stamp (a page's, say) are still the results.
   */
  async currentStamp(): Promise<string> {
    const index = await this.currentIndex();
    const stamp = await this.stampReader.read(index.stamp.since);
    if (stamp === index.stamp.text) return stamp;
    if (this.index === index) this.index = undefined;
    return (await this.currentIndex()).stamp.text;
  }

  /** The ranked matches of the words, from the database the first time they are searched for while the index stands. */
  private wordMatches(index: FacetIndex, q: string): Promise<WordMatches> {
    const key = q.toLowerCase();
    const kept = index.keptMatches(key);
    if (kept !== undefined) return kept;
    // Kept as a promise at once, so people searching the same words together share one query.
    const matches = this.rankMatches(index, q);
    index.keepMatches(key, matches);
    matches.catch(() => index.forgetMatches(key, matches));
    return matches;
  }

  private async rankMatches(index: FacetIndex, q: string): Promise<WordMatches> {
    const words = wordsQuery(q);
    // One row: the matching references, best first, as text (far quicker to carry than a row each).
    // The rank is ts_rank over the weighted vector (title 1, summary 0.4, text 0.2, the rest 0.1; each
    // further occurrence of a word counts less, so one in the title outweighs any number elsewhere).
    // Not ts_rank_cd, and no separate test of the title: on a word in half of 20,000 items, cover
    // density cost four times as much and the title test half as much again, for orders that differ little.
    // The vectors live in the rows of practice_search (migration 0023), so ranking a word that every
    // item holds reads 20,000 of them in about 30 ms rather than fetching each from TOAST storage.
    // Whether the words hold anything to search for is read in the same statement, for "no searchable words".
    const row = await sql<{ matches: string | null; nodes: number }>`
      select (
        select string_agg(reference::text, ',' order by rank desc, published_at desc, reference desc)
        from (
          select reference, published_at, ts_rank('{0.1, 0.2, 0.4, 1.0}', search_vector, ${words}) as rank
          from practice_search
          where search_vector @@ ${words}
        ) ranked) as matches,
        numnode(${words}) as nodes`.execute(this.db);
    const references = row.rows[0]?.matches ?? null;
    const positions: number[] = [];
    if (references !== null) {
      for (const text of references.split(',')) {
        const position = index.positionOfReference.get(Number(text));
        if (position !== undefined) positions.push(position);
      }
    }
    const set = new Uint32Array(Math.ceil(index.size / 32));
    for (const position of positions) set[position >>> 5]! |= 1 << (position & 31);
    return { order: Int32Array.from(positions), set, searchable: (row.rows[0]?.nodes ?? 0) > 0 };
  }

  /**
   * Searches published items. The result is exact as of the moment of its last query: if anything
   * was published (or changed) since the index was built, it is rebuilt and the search run again.
   */
  async search(query: LibraryQuery, options: SearchOptions = {}): Promise<LibraryResults> {
    const pageSize = options.pageSize ?? libraryPageSize;
    for (let attempt = 0; ; attempt++) {
      const index = await this.currentIndex();
      const outcome = await this.searchIn(index, query, pageSize, options.snippets ?? true);
      const fresh = outcome.stamp === index.stamp.text;
      // Rebuilding and searching again twice at most: items published every few milliseconds could otherwise keep a search waiting.
      if (fresh || attempt >= 2) return outcome.results;
      if (this.index === index) this.index = undefined;
    }
  }

  private async searchIn(index: FacetIndex, query: LibraryQuery, pageSize: number, snippets: boolean): Promise<{ results: LibraryResults; stamp: string }> {
    const searching = query.q !== '';
    const matches = searching ? await this.wordMatches(index, query.q) : undefined;
    const noSearchableWords = searching && matches!.order.length === 0 && !matches!.searchable;
    const sort: LibrarySort = query.sort === 'relevance' && !searching ? 'newest' : query.sort;

    const chosen = facetNames.filter((name) => query.filters[name].length > 0);
    const storedValues = (name: FacetName) => query.filters[name];
    const chosenSets = new Map(chosen.map((name) => [name, index.having(name, storedValues(name))]));
    const everything = fullBitset(index.size);
    const within = (except?: FacetName): Bitset => {
      const set = matches === undefined ? everything.slice() : matches.set.slice();
      for (const [name, items] of chosenSets) if (name !== except) andInto(set, items);
      return set;
    };
    const found = within();
    const total = popcount(found);

    // Each facet counts its values among the items every other choice leaves: unchosen facets share one pass.
    let counts: Record<FacetName, Int32Array>;
    if (matches === undefined && chosen.length === 0) counts = index.unfilteredCounts;
    else {
      counts = index.count(found, facetNames.filter((name) => !chosenSets.has(name)));
      for (const name of chosen) counts[name] = index.count(within(name), [name])[name];
    }
    const facets = {} as Record<FacetName, FacetCount[]>;
    for (const name of facetNames) {
      const column = index.columns[name];
      const chosenValues = new Set(query.filters[name]);
      const countOf = (value: string) => {
        const code = column.codeOf.get(value);
        return code === undefined ? 0 : counts[name][code]!;
      };
      const withCount = (option: FacetOption): FacetCount => ({ ...option, count: countOf(option.value), selected: chosenValues.has(option.value) });
      const options = index.vocabulary.facets[name].options;
      // Hundreds of statements: only those with items here, or chosen, most items first (the rest are not copied).
      facets[name] =
        name === 'statement'
          ? [
              ...options.filter((option) => chosenValues.has(option.value)).map(withCount),
              ...options
                .filter((option) => !chosenValues.has(option.value) && countOf(option.value) > 0)
                .map(withCount)
                .sort((a, b) => b.count - a.count)
                .slice(0, statementsCounted),
            ]
          : options.map(withCount);
    }

    const pageCount = Math.max(1, Math.ceil(total / pageSize));
    const order = sort === 'relevance' ? matches!.order : sort === 'impact' ? index.biggestImpact : index.newest;
    const skip = (query.page - 1) * pageSize;
    const positions: number[] = [];
    let seen = 0;
    for (let at = 0; at < order.length && positions.length < pageSize; at++) {
      const position = order[at]!;
      if (!has(found, position)) continue;
      if (seen++ >= skip) positions.push(position);
    }
    let items = positions.map((position) => index.items[position]!);
    let stamp: string;
    if (searching && snippets) {
      const marked = await this.headlines(positions.map((position) => index.ids[position]!), query.q, index.stamp.since);
      stamp = marked.stamp;
      items = items.map((item) => ({ ...item, ...marked.html.get(item.id) }));
    } else {
      stamp = await this.stampReader.read(index.stamp.since);
    }
    return {
      stamp,
      results: { query, sort, total, page: query.page, pageCount, pageSize, items, facets, noSearchableWords, stamp },
    };
  }

  /** The page's titles and snippets with the words marked, and the library's stamp, from one statement (one snapshot). */
  private async headlines(ids: readonly string[], q: string, since: Date): Promise<{ html: Map<string, Partial<Pick<LibraryItem, 'titleHtml' | 'snippetHtml'>>>; stamp: string }> {
    const words = wordsQuery(q);
    const result = await sql<HeadlineRow>`
      with stamp as (${stampQuery(since)})
      select stamp.stamp_count, stamp.stamp_versions, stamp.stamp_latest, page.*
      from stamp left join lateral (
        select i.id,
          ts_headline('english', translate(i.title, '<>', ${angleStandIns}), ${words}, ${titleHeadlineOptions}) as title_headline,
          case
            when to_tsvector('english', v.content->>'summary') @@ ${words}
              then ts_headline('english', translate(v.content->>'summary', '<>', ${angleStandIns}), ${words},
                case when length(v.content->>'summary') <= ${wholeSummaryLength} then ${titleHeadlineOptions} else ${headlineOptions} end)
            when to_tsvector('english', concat_ws(' ', v.content->>'problem', v.content->>'whatWasDone')) @@ ${words}
              then ts_headline('english', translate(concat_ws(' ', v.content->>'problem', v.content->>'whatWasDone'), '<>', ${angleStandIns}), ${words}, ${headlineOptions})
          end as snippet
        from practice_item i
        join practice_version v on v.item_id = i.id and v.version = i.published_version
        where i.status = 'published' and i.id = any(${[...ids]}::uuid[])
      ) page on true`.execute(this.db);
    const first = result.rows[0];
    const html = new Map<string, Partial<Pick<LibraryItem, 'titleHtml' | 'snippetHtml'>>>();
    for (const row of result.rows) {
      if (row.id === null) continue;
      html.set(row.id, {
        ...(row.title_headline === null ? {} : { titleHtml: markMatches(withAngles(row.title_headline), matchStart, matchEnd) }),
        ...(row.snippet === null ? {} : { snippetHtml: markMatches(withAngles(row.snippet), matchStart, matchEnd) }),
      });
    }
    return { html, stamp: stampText(first?.stamp_count ?? 0, first?.stamp_versions ?? 0, first?.stamp_latest ?? null) };
  }
}

/**
 * Reads the stamp for many searches at once. A search may use a stamp read by a query that began
 * after it asked (that query sees every change made before the search came), so searches arriving
 * while a read is under way wait for the next one, which starts as soon as that one ends: under load,
 * one query answers a whole queue of searches rather than each making its own.
 */
class StampReader {
  private running: { since: number; stamp: Promise<string> } | undefined;
  private next: { since: number; stamp: Promise<string> } | undefined;

  constructor(private readonly db: Kysely<Schema>) {}

  read(since: Date): Promise<string> {
    const running = this.running;
    // A read for another index (rebuilt meanwhile) is not shared: its window is not this one's.
    if (running === undefined || running.since !== since.getTime()) return this.start(since);
    if (this.next?.since !== since.getTime()) {
      const stamp = running.stamp
        .catch(() => undefined)
        .then(() => {
          if (this.next?.stamp === stamp) this.next = undefined;
          return this.start(since);
        });
      this.next = { since: since.getTime(), stamp };
    }
    return this.next.stamp;
  }

  private start(since: Date): Promise<string> {
    const stamp = this.query(since).finally(() => {
      if (this.running?.stamp === stamp) this.running = undefined;
    });
    this.running = { since: since.getTime(), stamp };
    return stamp;
  }

  private async query(since: Date): Promise<string> {
    const row = await sql<{ stamp_count: number; stamp_versions: number; stamp_latest: Date | string | null }>`${stampQuery(since)}`.execute(this.db);
    const found = row.rows[0];
    return stampText(found?.stamp_count ?? 0, found?.stamp_versions ?? 0, found?.stamp_latest ?? null);
  }
}

/**
 * Things made from search results (a page's HTML, an API answer), kept with the library's stamp they
 * were made at, so that they are used again only while the library is unchanged. Only searches asked
 * for more than once are kept (most combinations of filters are asked for once: keeping each would
 * only churn memory); the least recently used goes first when it is full.
 */
export class StampedCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  /** Keys asked for once: a value is kept only for a key asked for again, so one-off searches do not push out popular ones. */
  private readonly askedOnce = new Set<string>();

  constructor(private readonly size: number) {}

  /** Whether a value made for this key is worth keeping: the key was asked for before. */
  worthKeeping(key: string): boolean {
    if (this.entries.has(key) || this.askedOnce.has(key)) return true;
    this.askedOnce.add(key);
    if (this.askedOnce.size > this.size * 10) this.askedOnce.delete(this.askedOnce.values().next().value!);
    return false;
  }

  get(key: string): { stamp: string; value: T } | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, stamp: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }
}

const libraries = new WeakMap<Kysely<Schema>, PracticeLibrary>();

/** The library of a database: one for the process, so its facet index is built once and shared. */
export function practiceLibrary(db: Kysely<Schema>): PracticeLibrary {
  let library = libraries.get(db);
  if (library === undefined) {
    library = new PracticeLibrary(db);
    libraries.set(db, library);
  }
  return library;
}

/** Searches the published items of the library (see PracticeLibrary.search). */
export function searchLibrary(db: Kysely<Schema>, query: LibraryQuery, options: SearchOptions = {}): Promise<LibraryResults> {
  return practiceLibrary(db).search(query, options);
}

/** Where practice ran: an authority and its region. */
export interface Place {
  authority: { code: string; name: string } | null;
  region: { code: string; name: string } | null;
  /** "Camden, London". */
  name: string | null;
}

const places = new Map<string, Place>();

/** Where practice ran: its authority and region. Looked up once per authority, as each lookup reads the list of every authority. */
export function placeOf(laCode: string | null): Place {
  if (laCode === null) return { authority: null, region: null, name: null };
  let place = places.get(laCode);
  if (place === undefined) {
    const authority = localAuthorityByGss(laCode);
    const region = regionOf(laCode);
    place = {
      authority: authority === undefined ? null : { code: authority.gss, name: authority.name },
      region: region === undefined ? null : { code: region.code, name: region.name },
      name: authority === undefined ? null : region === undefined ? authority.name : `${authority.name}, ${region.name}`,
    };
    places.set(laCode, place);
  }
  return place;
}

/** Where the practice ran, in words: "Camden, London". */
export function placeName(laCode: string | null): string | null {
  return placeOf(laCode).name;
}
