import type { Kysely } from 'kysely';
import { formatDateTime } from '../web/format.js';
import { findArea, localAuthorityByGss, regionOf } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { valueSymbols } from '../ingest/statistics/standard.js';
import type { PublishedLookup } from './matrix.js';
import { publishedEquivalents, publishedGroupValues, publishedIndicatorNames, taggedGroupOf } from './published-equivalents.js';

export const englandCode = 'E92000001';

export type BenchmarkLevel = 'National' | 'Regional' | 'Local authority';

/** One published figure of a measure for a group (or all children) in one area and academic year. */
export interface BenchmarkPoint {
  /** Our measure's name, e.g. ks2_rwm_expected. */
  indicator: string;
  /** Our group id, or null for all children. */
  group: string | null;
  area_code: string;
  area_name: string;
  level: BenchmarkLevel;
  /** Academic year (start year). */
  year: number;
  /** On the measure's scale (transformed when the published figure is on another, see published-equivalents.ts); null unless status is 'value'. */
  value: number | null;
  /** 'value', or the symbol published instead of a number (c, x, z, ...), kept as published. */
  status: string;
  /** Children the figure is about, when the file gives a count beside it. */
  count: number | null;
  /** Where it came from: the published indicator and the loaded file's title. */
  published_indicator: string;
  dataset_title: string;
  /** Provenance in words: national or an authority's own file, the file, its batch, who loaded it and when. */
  source: string;
  /** The same, short enough for a table cell: the file and its batch, and whose it is. */
  source_label: string;
}

/**
 * Which loaded statistics comparators read. `national`: the files the national team (or the operator)
 * loaded, everyone's default. `own`: one file an authority loaded for itself, read only for that
 * authority and only when it is chosen (`statistics=` with the file's batch number).
 */
export type StatisticsSource = { kind: 'national' } | { kind: 'own'; laCode: string; batchId: string };
export const nationalStatistics: StatisticsSource = { kind: 'national' };

/** A source that does not exist for the authority asked about; the message says so without confirming another's. */
export class StatisticsSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatisticsSourceError';
  }
}

export interface OwnStatisticsFile {
  batchId: string;
  title: string;
  source: string;
}

interface ProvenanceRow {
  title: string;
  data_file_name: string;
  batch_id: string | number;
  uploaded_by_label: string;
  finished_at: Date | string;
  owner: string | null;
}

/** Provenance in words, as shown beside every comparator that reads the file. */
function provenance(row: ProvenanceRow): string {
  const when = new Date(row.finished_at).toISOString().slice(0, 16).replace('T', ' ');
  const whose = row.owner === null ? 'National statistics' : `${localAuthorityByGss(row.owner)?.name ?? row.owner}’s own file (chosen for this view)`;
  return `${whose}: “${row.title}” (${row.data_file_name}, batch ${String(row.batch_id)}), loaded ${when} UTC by ${row.uploaded_by_label}`;
}

const provenancePattern = /^(.*?): “(.*)” \(.*, batch \d+\), loaded (\d{4}-\d\d-\d\dT?[ ]?\d\d:\d\d) UTC by (.*)$/;

/**
 * A comparator's provenance as a person reads it on a page: the publication's title, whose it is,
 * when and by whom it was loaded, without the file name and batch number the API keeps for audit.
 */
export function provenanceForPeople(source: string): string {
  const match = provenancePattern.exec(source);
  if (match === null) return source;
  const [, whose = '', title = '', when = '', by = ''] = match;
  return `${whose}: “${title}”, loaded ${formatDateTime(new Date(`${when.replace(' ', 'T')}Z`))} by ${by}`;
}

/** Provenance short enough for a table cell. */
function provenanceLabel(row: ProvenanceRow): string {
  return `${row.data_file_name} (batch ${String(row.batch_id)}, ${row.owner === null ? 'national' : `${localAuthorityByGss(row.owner)?.name ?? row.owner}’s own`})`;
}

/** The statistics files an authority loaded for itself, newest first, for choosing one. */
export async function ownStatisticsFiles(db: Kysely<Schema>, laCode: string): Promise<OwnStatisticsFile[]> {
  const rows = await db
    .selectFrom('statistics_dataset as d')
    .innerJoin('import_batch as b', 'b.id', 'd.batch_id')
    .select(['d.title', 'd.data_file_name', 'd.batch_id', 'b.uploaded_by_label', 'b.finished_at', 'b.la_code as owner'])
    .where('b.kind', '=', 'statistics')
    .where('b.la_code', '=', laCode)
    .orderBy('b.id', 'desc')
    .execute();
  return rows.map((row) => ({ batchId: String(row.batch_id), title: row.title, source: provenance(row) }));
}

/**
 * The source a request names for an authority: none, the national files; a batch number, that
 * authority's own file. Another authority's file is answered exactly like one that does not exist.
 */
export async function statisticsSourceFor(db: Kysely<Schema>, laCode: string, batchId: string | undefined): Promise<StatisticsSource> {
  if (batchId === undefined || batchId === '' || batchId === 'national') return nationalStatistics;
  const notOne = new StatisticsSourceError(`statistics: "${batchId}" is not a published statistics file of ${localAuthorityByGss(laCode)?.name ?? laCode}'s own (leave it out for the national figures)`);
  if (!/^\d{1,18}$/.test(batchId)) throw notOne;
  const found = await db
    .selectFrom('statistics_dataset as d')
    .innerJoin('import_batch as b', 'b.id', 'd.batch_id')
    .select('d.batch_id')
    .where('d.batch_id', '=', batchId)
    .where('b.kind', '=', 'statistics')
    .where('b.la_code', '=', laCode)
    .executeTakeFirst();
  if (found === undefined) throw notOne;
  return { kind: 'own', laCode, batchId: String(found.batch_id) };
}

export interface BenchmarkPlaces {
  england?: boolean;
  /** Region GSS codes (E12…). */
  regions?: readonly string[];
  /** Current local authority GSS codes. */
  authorities?: readonly string[];
}

export interface BenchmarkRequest {
  /** Our measure names. */
  indicators: readonly string[];
  /** Our group ids (a framework group, or an alternative definition such as poorer-socio-economic-groups:fsm), null for all children. */
  groups: readonly (string | null)[];
  places: BenchmarkPlaces;
}

/** Lower case, single spaces, plain dashes: how filter values are compared. */
function plain(text: string): string {
  return text.trim().toLowerCase().replace(/[\u2010-\u2015]/g, '-').replace(/\s+/g, ' ');
}

const groupByPlainValue: ReadonlyMap<string, string> = new Map(Object.entries(publishedGroupValues).flatMap(([group, values]) => values.map((value) => [plain(value), group] as const)));

/**
 * Which of our groups a published row is the whole-group figure of: null for all children when every
 * filter is "Total"; a group when every filter but one is "Total" and that one's value names exactly
 * the group (publishedGroupValues). Filter grouping columns (breakdown_topic for breakdown, say) only
 * label the values of their filter and are not counted. A row with two filters that are not totals is
 * a breakdown within the group (boys who are disadvantaged, one school type) and no group's figure;
 * so is a row whose value names a group narrower or wider than ours. undefined: not a figure we use.
 */
function groupOfRow(filters: Record<string, string>, groupingColumns: ReadonlySet<string>): string | null | undefined {
  const notTotal = Object.entries(filters).filter(([name, value]) => !groupingColumns.has(name) && plain(value) !== 'total');
  if (notTotal.length === 0) return null;
  if (notTotal.length > 1) return undefined;
  return groupByPlainValue.get(plain(notTotal[0]![1]));
}

function areaName(level: BenchmarkLevel, code: string): string {
  if (level === 'National') return code === englandCode ? 'England' : code;
  if (level === 'Regional') return findArea(code)?.name ?? code;
  return localAuthorityByGss(code)?.name ?? code;
}

const levelOrder: readonly BenchmarkLevel[] = ['National', 'Regional', 'Local authority'];

/**
 * Published figures of measures for groups in places, read from the loaded statistics
 * (statistics_observation), one per measure, group, area and year. When several loaded files hold
 * that figure, the most recently loaded wins, whatever it holds (a later file may publish a symbol
 * where an earlier one had a number: revisions suppress too); within one file the first equivalent
 * listed for the measure, then the first row. Symbols are kept as the status with no value, never
 * turned into zero.
 */
export async function readBenchmarks(db: Kysely<Schema>, request: BenchmarkRequest, source: StatisticsSource = nationalStatistics): Promise<BenchmarkPoint[]> {
  const names = publishedIndicatorNames(request.indicators);
  const groups = request.groups.filter((group) => group === null || Object.hasOwn(publishedGroupValues, group));
  const taggedGroups = [...new Set(groups.flatMap((group) => (group === null ? [] : [taggedGroupOf(group)])))];
  const wantsAllChildren = groups.includes(null);
  const { england = false, regions = [], authorities = [] } = request.places;
  if (names.length === 0 || (taggedGroups.length === 0 && !wantsAllChildren) || (!england && regions.length === 0 && authorities.length === 0)) return [];

  const rows = await db
    .selectFrom('statistics_observation as o')
    .innerJoin('statistics_dataset as d', 'd.id', 'o.dataset_id')
    .innerJoin('import_batch as b', 'b.id', 'd.batch_id')
    .select(['o.dataset_id', 'o.row_number', 'o.indicator', 'o.start_year', 'o.geographic_level', 'o.area_code', 'o.filters', 'o.value', 'o.status', 'd.title', 'd.filters as dataset_filters', 'd.loaded_at'])
    .select(['d.data_file_name', 'd.batch_id', 'b.uploaded_by_label', 'b.finished_at', 'b.la_code as owner'])
    // National files only, unless an authority chose one of its own: then only that file.
    .where((eb) => (source.kind === 'national' ? eb('b.la_code', 'is', null) : eb.and([eb('d.batch_id', '=', source.batchId), eb('b.la_code', '=', source.laCode)])))
    .where('o.indicator', 'in', names)
    .where((eb) => eb.or([...(taggedGroups.length > 0 ? [eb('o.group_id', 'in', taggedGroups)] : []), ...(wantsAllChildren ? [eb('o.group_id', 'is', null)] : [])]))
    .where((eb) =>
      eb.or([
        ...(england ? [eb.and([eb('o.geographic_level', '=', 'National'), eb('o.area_code', '=', englandCode)])] : []),
        ...(regions.length > 0 ? [eb.and([eb('o.geographic_level', '=', 'Regional'), eb('o.area_code', 'in', regions)])] : []),
        ...(authorities.length > 0 ? [eb.and([eb('o.geographic_level', '=', 'Local authority'), eb('o.area_code', 'in', authorities)])] : []),
      ]),
    )
    .execute();

  // One published row holds a figure and, under another indicator, its count: gather each row's cells.
  interface PublishedRow {
    datasetId: number;
    rowNumber: number;
    loadedAt: number;
    title: string;
    source: string;
    sourceLabel: string;
    year: number;
    level: BenchmarkLevel;
    areaCode: string;
    group: string | null | undefined;
    cells: Map<string, { value: number | null; status: string }>;
  }
  const publishedRows = new Map<string, PublishedRow>();
  const groupingColumnsOf = new Map<number, Set<string>>();
  for (const row of rows) {
    const datasetId = Number(row.dataset_id);
    const key = `${datasetId}:${row.row_number}`;
    let entry = publishedRows.get(key);
    if (entry === undefined) {
      let groupingColumns = groupingColumnsOf.get(datasetId);
      if (groupingColumns === undefined) {
        groupingColumns = new Set(row.dataset_filters.flatMap((filter) => (filter.groupingColumn === null ? [] : [filter.groupingColumn])));
        groupingColumnsOf.set(datasetId, groupingColumns);
      }
      entry = {
        datasetId,
        rowNumber: row.row_number,
        loadedAt: new Date(row.loaded_at).getTime(),
        title: row.title,
        source: provenance(row),
        sourceLabel: provenanceLabel(row),
        year: row.start_year,
        level: row.geographic_level as BenchmarkLevel,
        areaCode: row.area_code,
        group: groupOfRow(row.filters, groupingColumns),
        cells: new Map(),
      };
      publishedRows.set(key, entry);
    }
    entry.cells.set(row.indicator, { value: row.value, status: row.status });
  }

  const chosen = new Map<string, { point: BenchmarkPoint; rank: [number, number, number, number] }>();
  for (const row of publishedRows.values()) {
    if (row.group === undefined || !groups.includes(row.group)) continue;
    for (const indicator of request.indicators) {
      (publishedEquivalents[indicator] ?? []).forEach((equivalent, preference) => {
        const cell = row.cells.get(equivalent.indicator);
        if (cell === undefined) return;
        const count = equivalent.countIndicator === undefined ? undefined : row.cells.get(equivalent.countIndicator);
        const point: BenchmarkPoint = {
          indicator,
          group: row.group!,
          area_code: row.areaCode,
          area_name: areaName(row.level, row.areaCode),
          level: row.level,
          year: row.year,
          value: cell.value === null ? null : (equivalent.transformation?.toMeasure(cell.value) ?? cell.value),
          status: cell.status,
          count: count?.value ?? null,
          published_indicator: equivalent.indicator,
          dataset_title: row.title,
          source: row.source,
          source_label: row.sourceLabel,
        };
        // Latest loaded first (the dataset id breaks a tie of load times), then preference, then row.
        const rank: [number, number, number, number] = [-row.loadedAt, -row.datasetId, preference, row.rowNumber];
        const key = `${indicator}|${row.group}|${row.level}|${row.areaCode}|${row.year}`;
        const held = chosen.get(key);
        if (held === undefined || compareRanks(rank, held.rank) < 0) chosen.set(key, { point, rank });
      });
    }
  }
  return [...chosen.values()]
    .map((entry) => entry.point)
    .sort(
      (a, b) =>
        a.indicator.localeCompare(b.indicator) ||
        String(a.group).localeCompare(String(b.group)) ||
        levelOrder.indexOf(a.level) - levelOrder.indexOf(b.level) ||
        a.area_code.localeCompare(b.area_code) ||
        a.year - b.year,
    );
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return a[index]! - b[index]!;
  return 0;
}

/** Whether any published figure with an equivalent among our measures is loaded for England in the source: the 'england' comparator has something to show. */
export async function publishedBenchmarksLoaded(db: Kysely<Schema>, source: StatisticsSource = nationalStatistics): Promise<boolean> {
  const figures = Object.values(publishedEquivalents).flatMap((equivalents) => equivalents.map((equivalent) => equivalent.indicator));
  const found = await db
    .selectFrom('statistics_observation as o')
    .innerJoin('statistics_dataset as d', 'd.id', 'o.dataset_id')
    .innerJoin('import_batch as b', 'b.id', 'd.batch_id')
    .select('o.indicator')
    .where((eb) => (source.kind === 'national' ? eb('b.la_code', 'is', null) : eb.and([eb('d.batch_id', '=', source.batchId), eb('b.la_code', '=', source.laCode)])))
    .where('o.indicator', 'in', figures)
    .where('o.geographic_level', '=', 'National')
    .where('o.area_code', '=', englandCode)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** Where a published comparator is: England, or a region (an E12 code). */
export type PublishedPlace = { kind: 'england' } | { kind: 'region'; code: string };

/**
 * The same group's published figure in a place for each measure and year, for the gap matrix's
 * published comparators ('england', 'region'), with the reason in words when there is none.
 */
export async function publishedComparisons(
  db: Kysely<Schema>,
  place: PublishedPlace,
  indicators: readonly string[],
  groups: readonly string[],
  source: StatisticsSource = nationalStatistics,
): Promise<PublishedLookup> {
  const points = await readBenchmarks(db, { indicators, groups, places: place.kind === 'england' ? { england: true } : { regions: [place.code] } }, source);
  const byKey = new Map(points.map((point) => [`${point.indicator}|${point.group}|${point.year}`, point]));
  const where = place.kind === 'england' ? 'England' : (findArea(place.code)?.name ?? place.code);
  return (indicator, group, year) => {
    if (!Object.hasOwn(publishedEquivalents, indicator)) return { value: null, note: 'no published statistic measures this indicator in the same way' };
    if (!Object.hasOwn(publishedGroupValues, group)) return { value: null, note: 'published statistics do not give this group as defined here' };
    const point = byKey.get(`${indicator}|${group}|${year}`);
    if (point === undefined) return { value: null, note: `no published figure for this group in ${where} in ${formatAcademicYear(year)} has been loaded` };
    if (point.value === null) return { value: null, note: `${where}’s figure is published as ${point.status}: ${valueSymbols[point.status] ?? 'no number'}`, source: point.source };
    return { value: point.value, count: point.count, source: point.source };
  };
}

/** The same group's published England figure for each measure and year: the 'england' comparator. */
export async function englandComparisons(db: Kysely<Schema>, indicators: readonly string[], groups: readonly string[], source: StatisticsSource = nationalStatistics): Promise<PublishedLookup> {
  return publishedComparisons(db, { kind: 'england' }, indicators, groups, source);
}

/**
 * The same group's published figure in the authority's region for each measure and year: the
 * 'region' comparator. An authority with no region in the areas data (none in England has none) has
 * nothing to compare with, and every cell says so.
 */
export async function regionComparisons(db: Kysely<Schema>, laCode: string, indicators: readonly string[], groups: readonly string[], source: StatisticsSource = nationalStatistics): Promise<PublishedLookup> {
  const region = regionOf(laCode);
  if (region === undefined) return () => ({ value: null, note: `${localAuthorityByGss(laCode)?.name ?? laCode} has no region in the areas data` });
  return publishedComparisons(db, { kind: 'region', code: region.code }, indicators, groups, source);
}
