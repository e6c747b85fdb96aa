import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { indicators as allIndicators } from '../aggregates/indicators.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { StatisticsSourceError, englandComparisons, regionComparisons, statisticsSourceFor } from './benchmarks.js';
import type { StatisticsSource } from './benchmarks.js';
import { cellKeysFor } from './cell-keys.js';
import { auditDataGaps } from './data-gaps.js';
import type { GroupCoverage, IndicatorCoverage } from './data-gaps.js';
import { rankCurves } from './curves.js';
import type { RankedCurve } from './curves.js';
import { cachedFigures, cachedFiguresAt, figuresVersion } from './figures-cache.js';
import type { GroupSpec } from './groups.js';
import { asksForNonMembers, frameworkGroupBits, frameworkGroupSpecs, parseGroup } from './groups.js';
import { readJointAggregates } from './joint-aggregates.js';
import type { Comparator, GapCell, PublishedLookup } from './matrix.js';
import { comparators, computeGapMatrix } from './matrix.js';

/** A request that names something that does not exist; the message says which and what would do. */
export class GapRequestError extends Error {
  constructor(
    readonly field: 'indicator' | 'group' | 'comparator' | 'statistics',
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'GapRequestError';
  }
}

/**
 * A request refused because its answer, beside figures the viewer may already see, would let a
 * withheld number be worked out by subtraction. The message says why and what can be asked instead.
 */
export class DifferencingRefused extends GapRequestError {
  constructor(problem: string) {
    super('group', problem);
    this.name = 'DifferencingRefused';
  }
}

export const nonMembersRefusal =
  'figures for children who are not in a group are shown only to people who may see the child-level records: set beside all children, they would give back the withheld figures of the group itself by subtraction. Ask for the group itself, compared with all other children, instead';

/** Refuses, for a viewer who may not see small numbers, any group that would let a withheld figure be worked out. */
function checkDisclosure(groups: readonly GroupSpec[], suppress: boolean): void {
  if (suppress && groups.some(asksForNonMembers)) throw new DifferencingRefused(nonMembersRefusal);
}

/** The indicator a request names, or a GapRequestError saying which names would do. */
export function measureNamed(name: string): MeasureDefinition {
  const found = allIndicators.find((measure) => measure.name === name);
  if (found === undefined) throw new GapRequestError('indicator', `"${name}" is not one of ${allIndicators.map((measure) => measure.name).join(', ')}`);
  return found;
}

/** The group or combination a request names, or a GapRequestError saying what is not understood. */
export function groupNamed(spec: string): GroupSpec {
  try {
    return parseGroup(spec);
  } catch (error) {
    throw new GapRequestError('group', (error as Error).message);
  }
}

/** The comparator a request names (default all other children), or a GapRequestError. */
export function comparatorNamed(name: string | undefined): Comparator {
  const comparator = (name ?? 'all-other') as Comparator;
  if (!comparators.includes(comparator)) throw new GapRequestError('comparator', `"${name}" is not one of ${comparators.join(', ')}`);
  return comparator;
}

export interface GapQuery {
  laCode: string;
  /** Academic year (start year); default the latest with data. */
  year?: number | undefined;
  indicator?: string | undefined;
  /** A group id or combination (see groups.ts); default the 13 framework groups. */
  group?: string | undefined;
  /** Combinations shown after the 13 framework groups (when no single `group` is asked for). */
  extraGroups?: readonly string[] | undefined;
  /** Give each cell its sides' spread (not in the API): for the ranking of curves to turn. */
  withSpread?: boolean | undefined;
  comparator?: string | undefined;
  /** The batch number of a published statistics file the authority loaded for itself, to read instead of the national files; absent for the national ones. */
  statistics?: string | undefined;
  suppress: boolean;
}

/** The statistics source a query names, or a GapRequestError (another authority's file is answered as one that does not exist). */
async function sourceOf(db: Kysely<Schema>, query: GapQuery): Promise<StatisticsSource> {
  try {
    return await statisticsSourceFor(db, query.laCode, query.statistics);
  } catch (error) {
    if (error instanceof StatisticsSourceError) throw new GapRequestError('statistics', error.message.replace(/^statistics: /, ''));
    throw error;
  }
}

export interface GapAnswer {
  laCode: string;
  year: number | null;
  years: number[];
  cells: GapCell[];
}

/**
 * Checks the query's names and reads the matrix from the authority's aggregates. The answer is kept
 * until the authority's data changes (figures-cache.ts): treat it as read-only.
 */
export async function gapsFor(db: Kysely<Schema>, query: GapQuery): Promise<GapAnswer> {
  checkDisclosure([...(query.group === undefined ? [] : [groupNamed(query.group)]), ...(query.extraGroups ?? []).map(groupNamed)], query.suppress);
  const key = JSON.stringify(['matrix', query.year ?? null, query.indicator ?? null, query.group ?? null, query.extraGroups ?? [], query.comparator ?? null, query.statistics ?? null, query.suppress, query.withSpread === true]);
  return cachedFigures(db, query.laCode, key, () => computeGaps(db, query), { inDatabase: true });
}

async function computeGaps(db: Kysely<Schema>, query: GapQuery): Promise<GapAnswer> {
  const indicators: MeasureDefinition[] = query.indicator === undefined ? [...allIndicators] : [measureNamed(query.indicator)];
  const groups: GroupSpec[] = query.group !== undefined ? [groupNamed(query.group)] : [...frameworkGroupSpecs(), ...(query.extraGroups ?? []).map(groupNamed)];
  const comparator = comparatorNamed(query.comparator);
  const onlyFrameworkGroups = groups.every((group) => group.terms.every((term) => term.dimension.kind === 'group'));
  // Released figures are keyed by whole signatures, so that the same children get the same key however they are asked for.
  const aggregates = await readJointAggregates(db, query.laCode, onlyFrameworkGroups && !query.suppress ? { keepBits: frameworkGroupBits } : {});
  const years = [...aggregates.keys()].sort((a, b) => a - b);
  const year = query.year ?? years.at(-1) ?? null;
  if (year === null) return { laCode: query.laCode, year: null, years, cells: [] };
  if (!aggregates.has(year)) return { laCode: query.laCode, year, years, cells: [] };
  const source = await sourceOf(db, query);
  const published = await publishedLookupFor(db, comparator, query.laCode, indicators.map((measure) => measure.name), groups.map((group) => group.id), source);
  const cells = computeGapMatrix(aggregates, { groups, indicators, years: [year], comparator, published, suppress: query.suppress, cellKeys: query.suppress ? await cellKeysFor(db) : undefined, withSpread: query.withSpread });
  return { laCode: query.laCode, year, years, cells };
}

export interface DataGapsAnswer {
  laCode: string;
  /** The year audited (start year): the one asked for, or the latest with data; null when the authority has none. */
  year: number | null;
  /** Every year with data, oldest first. */
  years: number[];
  /** Null when the authority has no data for the year. */
  audit: { indicators: IndicatorCoverage[]; groups: GroupCoverage[] } | null;
}

/**
 * The data-gap audit of one year for the 13 framework groups, released as the gap matrix releases
 * its figures when `suppress` (the page, the API and the downloads all read it here). Kept like
 * gapsFor's answer: treat it as read-only.
 */
export async function dataGapsFor(db: Kysely<Schema>, query: { laCode: string; year?: number | undefined; suppress: boolean }): Promise<DataGapsAnswer> {
  const key = JSON.stringify(['data-gaps', query.year ?? null, query.suppress]);
  return cachedFigures(db, query.laCode, key, async () => {
    // Released figures are keyed by whole signatures, as the gap matrix's are, so both give the same figure.
    const aggregates = await readJointAggregates(db, query.laCode, query.suppress ? {} : { keepBits: frameworkGroupBits });
    const years = [...aggregates.keys()].sort((a, b) => a - b);
    const year = query.year ?? years.at(-1) ?? null;
    const cells = year === null ? undefined : aggregates.get(year);
    if (year === null || cells === undefined) return { laCode: query.laCode, year, years, audit: null };
    const audit = auditDataGaps(cells, frameworkGroupSpecs(), { suppress: query.suppress, year, cellKeys: query.suppress ? await cellKeysFor(db) : undefined });
    return { laCode: query.laCode, year, years, audit };
  }, { inDatabase: true });
}

export interface CurvesAnswer {
  laCode: string;
  year: number | null;
  years: number[];
  curves: RankedCurve[];
}

/**
 * The ranked curves to turn of an authority in a year (default the latest): the 13 framework groups
 * against the children known not to be in them, on every indicator, ranked by `rankCurves`.
 * Suppressed viewers get the ranking of the released figures, and withheld cells are left out.
 */
export async function curvesFor(db: Kysely<Schema>, query: { laCode: string; year?: number | undefined; suppress: boolean }): Promise<CurvesAnswer> {
  const answer = await gapsFor(db, { laCode: query.laCode, year: query.year, comparator: 'all-other', suppress: query.suppress, withSpread: true });
  return { laCode: answer.laCode, year: answer.year, years: answer.years, curves: rankCurves(answer.cells) };
}

/**
 * Computes and keeps (in the database, figures-cache.ts) the figures an authority's pages and plan
 * suggestions read first, for readers who see small numbers and those who do not: run after a data
 * load, so that no reader waits for them.
 */
export async function prepareGapFigures(db: Kysely<Schema>, laCode: string): Promise<void> {
  await Promise.all([true, false].flatMap((suppress) => [curvesFor(db, { laCode, suppress }), dataGapsFor(db, { laCode, suppress })]));
}

/** The published figures a published comparator reads: England's, or the authority's region's; none for the others. */
async function publishedLookupFor(db: Kysely<Schema>, comparator: Comparator, laCode: string, indicators: readonly string[], groups: readonly string[], source: StatisticsSource): Promise<PublishedLookup | undefined> {
  if (comparator === 'england') return englandComparisons(db, indicators, groups, source);
  if (comparator === 'region') return regionComparisons(db, laCode, indicators, groups, source);
  return undefined;
}

/** One group's gap on one indicator in every year the authority has, for the indicator page (kept like gapsFor's answer). */
export async function gapSeriesFor(db: Kysely<Schema>, query: GapQuery & { indicator: string; group: string }): Promise<GapCell[]> {
  checkDisclosure([groupNamed(query.group)], query.suppress);
  return cachedFiguresAt(db, query.laCode, await figuresVersion(db, query.laCode), seriesKey(query), () => computeGapSeries(db, query));
}

function seriesKey(query: GapQuery & { indicator: string; group: string }): string {
  return JSON.stringify(['series', query.indicator, query.group, query.comparator ?? null, query.statistics ?? null, query.suppress]);
}

/**
 * Several series of one authority at once (an improvement plan's measures): the data's version is
 * read once, and the series not yet kept are computed together from one read of the authority's
 * aggregates (one pass per comparator), each then kept as `gapSeriesFor` keeps it. Each answer is
 * the series, or the refusal `gapSeriesFor` would throw.
 */
export async function gapSeriesForEach(db: Kysely<Schema>, laCode: string, queries: readonly (Omit<GapQuery, 'laCode'> & { indicator: string; group: string })[]): Promise<(GapCell[] | GapRequestError)[]> {
  if (queries.length === 0) return [];
  const version = await figuresVersion(db, laCode);
  const batches = new Map<string, Promise<Map<string, GapCell[]>>>();
  const asked = queries.map((query) => ({ ...query, laCode }));
  const batchOf = (query: (typeof asked)[number]) => {
    const batchKey = JSON.stringify([query.comparator ?? null, query.statistics ?? null, query.suppress]);
    let batch = batches.get(batchKey);
    if (batch === undefined) {
      const members = asked.filter((other) => JSON.stringify([other.comparator ?? null, other.statistics ?? null, other.suppress]) === batchKey && isAllowed(other));
      batch = computeGapSeriesTogether(db, members);
      batches.set(batchKey, batch);
    }
    return batch;
  };
  return Promise.all(
    asked.map(async (query) => {
      try {
        checkDisclosure([groupNamed(query.group)], query.suppress);
        return await cachedFiguresAt(db, laCode, version, seriesKey(query), async () => (await batchOf(query)).get(`${query.indicator}|${groupNamed(query.group).id}`) ?? []);
      } catch (error) {
        if (error instanceof GapRequestError) return error;
        throw error;
      }
    }),
  );
}

function isAllowed(query: GapQuery & { indicator: string; group: string }): boolean {
  try {
    measureNamed(query.indicator);
    checkDisclosure([groupNamed(query.group)], query.suppress);
    return true;
  } catch {
    return false;
  }
}

/** The series of several indicators and groups sharing a comparator, from one read of the aggregates, by `indicator|group`. */
async function computeGapSeriesTogether(db: Kysely<Schema>, queries: readonly (GapQuery & { indicator: string; group: string })[]): Promise<Map<string, GapCell[]>> {
  const first = queries[0];
  if (first === undefined) return new Map();
  const indicators = [...new Map(queries.map((query) => [query.indicator, measureNamed(query.indicator)])).values()];
  const groups = [...new Map(queries.map((query) => [query.group, groupNamed(query.group)])).values()];
  const comparator = comparatorNamed(first.comparator);
  const onlyFrameworkGroups = groups.every((group) => group.terms.every((term) => term.dimension.kind === 'group'));
  const aggregates = await readJointAggregates(db, first.laCode, onlyFrameworkGroups && !first.suppress ? { keepBits: frameworkGroupBits } : {});
  const source = await sourceOf(db, first);
  const published = await publishedLookupFor(db, comparator, first.laCode, indicators.map((measure) => measure.name), groups.map((group) => group.id), source);
  const cells = computeGapMatrix(aggregates, { groups, indicators, comparator, published, suppress: first.suppress, cellKeys: first.suppress ? await cellKeysFor(db) : undefined });
  const series = new Map<string, GapCell[]>();
  for (const cell of cells) {
    const key = `${cell.indicator}|${cell.group}`;
    const list = series.get(key);
    if (list === undefined) series.set(key, [cell]);
    else list.push(cell);
  }
  return series;
}

async function computeGapSeries(db: Kysely<Schema>, query: GapQuery & { indicator: string; group: string }): Promise<GapCell[]> {
  const measure = measureNamed(query.indicator);
  const group = groupNamed(query.group);
  const comparator = comparatorNamed(query.comparator);
  const onlyFrameworkGroups = group.terms.every((term) => term.dimension.kind === 'group');
  // Released figures are keyed by whole signatures, so that the same children get the same key however they are asked for.
  const aggregates = await readJointAggregates(db, query.laCode, onlyFrameworkGroups && !query.suppress ? { keepBits: frameworkGroupBits } : {});
  const source = await sourceOf(db, query);
  const published = await publishedLookupFor(db, comparator, query.laCode, [measure.name], [group.id], source);
  return computeGapMatrix(aggregates, { groups: [group], indicators: [measure], comparator, published, suppress: query.suppress, cellKeys: query.suppress ? await cellKeysFor(db) : undefined });
}

/** The fields of a cell, in the order of the API and the command line's CSV. */
/** A cell's fields in the API (its spread is not one). */
export type GapCellField = Exclude<keyof GapCell, 'spread'>;

export const gapCellFields: readonly GapCellField[] = [
  'group',
  'group_label',
  'indicator',
  'outcome',
  'year',
  'group_count',
  'group_value',
  'group_lower',
  'group_upper',
  'comparator',
  'comparator_count',
  'comparator_value',
  'comparator_lower',
  'comparator_upper',
  'gap',
  'gap_lower',
  'gap_upper',
  'significant',
  'trend',
  'suppressed',
  'unknown_count',
  'value_type',
  'polarity',
  'comparator_note',
  'comparator_source',
  'suppressed_reason',
];
