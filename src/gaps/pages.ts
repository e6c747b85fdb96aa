import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss, regionOf } from '../areas/areas.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Schema } from '../db/schema.js';
import { OUTCOME_IDS } from '../framework/catalogue.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { indicators as allIndicators } from '../aggregates/indicators.js';
import type { Comparator, GapCell } from './matrix.js';
import { comparators, isPublishedComparator } from './matrix.js';
import { StatisticsSourceError, ownStatisticsFiles, provenanceForPeople, publishedBenchmarksLoaded, statisticsSourceFor } from './benchmarks.js';
import type { StatisticsSource } from './benchmarks.js';
import { publishedEquivalents, publishedGroupValues } from './published-equivalents.js';
import { notSignificantWeight, trendWeights } from './curves.js';
import { gapUnit } from './units.js';
import { asksForNonMembers, combinationOf, ethnicityLabels, frameworkGroupSpecs, parseGroup } from './groups.js';
import { mayReadPlans, mayWritePlans } from './reach.js';
import { authorityCoverage } from '../directory/coverage-data.js';
import { chooseAuthority, isAuthorityRefusal, refuseAuthority } from './authority-choice.js';
import { listPlans } from '../plans/curve/store.js';
import { cachedFigures } from './figures-cache.js';
import { curvesFor, dataGapsFor, gapsFor, nonMembersRefusal } from './service.js';
import { formatNumber, formatPercent, inSentence } from '../web/format.js';
import { viewsMatrix, viewsOutcome } from './views-outcome.js';

/** The curves page lists this many first, with a link to the rest: a board reads the top of the list. */
const curvesShownFirst = 20;

export interface MatrixQuery {
  la?: string;
  year?: string;
  comparator?: string;
  /** An authority's own statistics file (batch number) to read England's figures from, instead of the national ones. */
  statistics?: string;
  outcome?: string;
  significant?: string;
  trend?: string;
  /** One group's row only (a group id or an added combination). */
  group?: string;
  sort?: string;
  /** On the curves page: every curve, not only the first ones. */
  all?: string;
  /** Combinations of groups shown after the 13 (repeatable). */
  add?: string | string[];
  /** The "add a combination" choices, turned into one more `add`. */
  combo_group?: string;
  combo_also?: string;
  combo_sex?: string;
  combo_ethnicity?: string;
}

/** More added rows than this make the matrix unreadable. */
const maxCombinations = 5;

export const sorts = {
  catalogue: 'In the framework’s order',
  worse: 'Most gaps where the group does significantly worse first',
  widening: 'Most widening gaps first',
} as const;
export type Sort = keyof typeof sorts;

/** The combinations the page was asked to add, checked: their ids, or a message saying what is wrong. */
export function addedCombinations(query: MatrixQuery): { ids: string[] } | { problem: string } {
  const ids: string[] = [];
  try {
    for (const spec of [query.add ?? []].flat().filter((value) => value.trim() !== '')) ids.push(parseGroup(spec).id);
    const chosen = combinationOf({ group: query.combo_group, also: query.combo_also, sex: query.combo_sex, ethnicity: query.combo_ethnicity });
    if (chosen !== undefined) ids.push(chosen.id);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const unique = [...new Set(ids)].filter((id) => !frameworkGroupSpecs().some((group) => group.id === id));
  if (unique.length > maxCombinations) return { problem: `at most ${maxCombinations} combinations can be added; remove one first` };
  return { ids: unique };
}

/** The page's filters of its cells: significance (`yes`, `no`) and trend; the outcome filter chooses the columns. */
export function cellsWanted(query: Pick<MatrixQuery, 'significant' | 'trend'>): (cell: GapCell) => boolean {
  return (cell) =>
    (!query.significant || String(cell.significant === true) === (query.significant === 'yes' ? 'true' : 'false')) && (!query.trend || cell.trend === query.trend);
}

/** Rows in the order asked for: the framework's, or by how many of the row's gaps are significantly worse, or widening. */
export function sortRows<Row extends { cells: Map<string, GapCell & { reading: string }> }>(rows: Row[], sort: Sort): Row[] {
  if (sort === 'catalogue') return rows;
  const score = (row: Row) => [...row.cells.values()].filter((cell) => (sort === 'worse' ? cell.reading === 'worse' : cell.trend === 'widening')).length;
  return rows.map((row, index) => ({ row, index, score: score(row) })).sort((a, b) => b.score - a.score || a.index - b.index).map((entry) => entry.row);
}

export const outcomeNames: Record<string, string> = {
  'be-healthy': 'Be healthy',
  'stay-safe': 'Stay safe',
  'enjoy-and-achieve': 'Enjoy and achieve',
  'make-a-positive-contribution': 'Make a positive contribution',
  'achieve-economic-well-being': 'Achieve economic well-being',
  [viewsOutcome.id]: viewsOutcome.name,
};

export const trendText: Record<GapCell['trend'], string> = {
  narrowing: 'narrowing',
  widening: 'widening',
  'no-significant-change': 'no significant change',
  'not-enough-data': 'not enough years',
};

/** Whether a cell is good or bad news, given the indicator's polarity: for the words and colours of the page. */
export function reading(cell: GapCell): 'worse' | 'better' | 'similar' | 'unknown' {
  if (cell.significant === null) return 'unknown';
  if (!cell.significant) return 'similar';
  const groupAhead = (cell.gap ?? 0) > 0;
  return groupAhead === (cell.polarity === 'higher-is-better') ? 'better' : 'worse';
}

/**
 * What the "add a combination" form offers: a group, a second group (or, for viewers who see small
 * numbers, not in it: see `asksForNonMembers`), sex, ethnicity.
 */
function combinationChoicesFor(suppressed: boolean) {
  return {
    groups: frameworkGroupSpecs().map((group) => ({ value: group.id, text: group.label })),
    also: frameworkGroupSpecs().flatMap((group) => [
      { value: group.id, text: group.label },
      ...(suppressed ? [] : [{ value: `${group.id}:no`, text: `Not ${inSentence(group.label)}` }]),
    ]),
    ethnicities: Object.entries(ethnicityLabels).map(([code, label]) => ({ value: code, text: label })),
  };
}

/** Outcomes that have indicators, in the framework's order: the matrix shows one at a time. */
const outcomesWithIndicators = OUTCOME_IDS.filter((outcome) => allIndicators.some((measure) => measure.outcome === outcome));

/**
 * The outcome the matrix shows: the one asked for, or `all` (every indicator, which scrolls inside
 * its own box), else the framework's first. One outcome's indicators fit a laptop's screen.
 */
function shownOutcome(asked: string | undefined): string {
  if (asked === 'all') return 'all';
  return outcomesWithIndicators.find((outcome) => outcome === asked) ?? outcomesWithIndicators[0] ?? 'all';
}

/** A link to each outcome's matrix (and to all of them), keeping every other choice on the page. */
function outcomeLinks(current: { laCode: string; year: string | undefined; comparator: string; statistics: string; query: MatrixQuery; added: string[] }) {
  const { query } = current;
  const hrefFor = (outcome: string) => {
    const parameters = new URLSearchParams({ la: current.laCode });
    if (current.year) parameters.set('year', current.year);
    parameters.set('comparator', current.comparator);
    if (current.statistics) parameters.set('statistics', current.statistics);
    for (const name of ['significant', 'trend', 'group', 'sort'] as const) if (query[name]) parameters.set(name, query[name]);
    for (const id of current.added) parameters.append('add', id);
    parameters.set('outcome', outcome);
    return `/gaps?${parameters.toString()}`;
  };
  return [
    ...outcomesWithIndicators.map((outcome) => ({ id: outcome, text: outcomeNames[outcome] ?? outcome, href: hrefFor(outcome) })),
    { id: viewsOutcome.id, text: viewsOutcome.name, href: hrefFor(viewsOutcome.id) },
    { id: 'all', text: 'All outcomes', href: hrefFor('all') },
  ];
}

/** Where the kept content goes in the page. */
const contentPlace = '<!-- ntg:matrix-content -->';

/** The gap matrix page: every group against its comparator on every indicator, grouped by outcome. */
export function registerGapPages(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: MatrixQuery }>('/gaps/data', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const choice = await chooseAuthority(db, request.viewer, request.query.la);
    if (isAuthorityRefusal(choice)) return refuseAuthority(reply, choice);
    const { authorities, laCode, chosen } = choice;
    const base = { pageTitle: 'Gaps in the data', breadcrumbs: [{ text: 'Gaps', href: '/gaps' }], authorities, chosen };
    if (laCode === undefined) return reply.view('gaps/data.njk', base);
    const suppressed = !seesSmallNumbers(request.viewer, { laCode });
    const asked = request.query.year ? parseAcademicYear(request.query.year) : undefined;
    let answer = await dataGapsFor(db, { laCode, year: asked, suppress: suppressed });
    if (answer.audit === null) answer = await dataGapsFor(db, { laCode, suppress: suppressed });
    const { audit, year } = answer;
    if (audit === null || year === null) return reply.view('gaps/data.njk', base);
    const years = [...answer.years].reverse();
    const shown = (count: number | null) => (count === null ? 'c' : formatNumber(count));
    const offer = (await authorityCoverage(db, laCode, suppressed ? 'released' : 'exact')).coverage;
    return reply.view('gaps/data.njk', {
      ...base,
      laCode,
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      year: formatAcademicYear(year),
      years: years.map(formatAcademicYear),
      measures: allIndicators,
      outcomeNames,
      suppressed,
      outcomesWithout: OUTCOME_IDS.filter((outcome) => !audit.indicators.some((entry) => entry.children !== 0 && allIndicators.find((measure) => measure.name === entry.indicator)?.outcome === outcome)),
      indicators: audit.indicators.map((entry) => ({ ...entry, childrenShown: shown(entry.children), measure: allIndicators.find((measure) => measure.name === entry.indicator)! })),
      groups: audit.groups.map((group) => ({
        ...group,
        inGroupShown: shown(group.inGroup),
        unknownPercent: group.unknownShare === null ? 'c' : formatPercent(100 * group.unknownShare, suppressed ? 0 : 1),
        cells: group.cells.map((entry) => ({ ...entry, groupCountShown: shown(entry.groupCount) })),
      })),
      offer: { localities: offer.localities.length, unplaced: { ...offer.unplaced, childrenShown: shown(offer.unplaced.children) } },
    });
  });

  app.get<{ Querystring: MatrixQuery }>('/gaps/curves', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const choice = await chooseAuthority(db, request.viewer, request.query.la);
    if (isAuthorityRefusal(choice)) return refuseAuthority(reply, choice);
    const { authorities, laCode, chosen } = choice;
    const base = { pageTitle: 'Which curves to turn', breadcrumbs: [{ text: 'Gaps', href: '/gaps' }], authorities, chosen };
    if (laCode === undefined) return reply.view('gaps/curves.njk', { ...base, curves: [] });
    const year = request.query.year ? parseAcademicYear(request.query.year) : undefined;
    const suppressed = !seesSmallNumbers(request.viewer, { laCode });
    const answer = await curvesFor(db, { laCode, year, suppress: suppressed });
    // Each curve links to the authority's plan for it, or offers to start one: one click from the list.
    const plans = mayReadPlans(request.viewer, laCode) ? await listPlans(db, [laCode]) : [];
    const planOf = new Map(plans.map((plan) => [`${plan.indicator} ${plan.groupSpec}`, plan.id]));
    return reply.view('gaps/curves.njk', {
      ...base,
      laCode,
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      year: answer.year === null ? null : formatAcademicYear(answer.year),
      years: answer.years.map(formatAcademicYear).reverse(),
      suppressed,
      weights: { notSignificant: notSignificantWeight, widening: trendWeights.widening, narrowing: trendWeights.narrowing },
      excludedPairs: allIndicators.flatMap((measure) => (measure.definesGroups ?? []).map((group) => ({ indicator: measure.label, group: frameworkGroupSpecs().find((spec) => spec.id === group)?.label ?? group }))),
      curveCount: answer.curves.length,
      showingAll: request.query.all === 'yes' || answer.curves.length <= curvesShownFirst,
      curves: answer.curves.slice(0, request.query.all === 'yes' ? undefined : curvesShownFirst).map((curve) => ({
        ...curve,
        outcomeName: outcomeNames[curve.outcome],
        trendText: trendText[curve.trend],
        unit: gapUnit(curve),
        planId: planOf.get(`${curve.indicator} ${curve.group}`),
      })),
      mayStartPlans: mayWritePlans(request.viewer, laCode),
    });
  });

  app.get<{ Querystring: MatrixQuery }>('/gaps', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const choice = await chooseAuthority(db, request.viewer, request.query.la);
    if (isAuthorityRefusal(choice)) return refuseAuthority(reply, choice);
    const { authorities, laCode, chosen } = choice;
    const query = request.query;
    const suppressed = laCode === undefined || !seesSmallNumbers(request.viewer, { laCode });
    const base = { pageTitle: 'Gaps', authorities, chosen, query, outcomeNames, outcomes: OUTCOME_IDS, combinationChoices: combinationChoicesFor(suppressed) };
    if (laCode === undefined) return reply.view('gaps/matrix.njk', { ...base, cells: [] });
    const year = query.year ? parseAcademicYear(query.year) : undefined;
    const comparator: Comparator = comparators.includes(query.comparator as Comparator) ? (query.comparator as Comparator) : 'all-other';
    const added = addedCombinations(query);
    if ('problem' in added) return reply.code(400).view('error.njk', { title: 'The combination could not be added', message: `Group: ${added.problem}.` });
    if (suppressed && added.ids.map(parseGroup).some(asksForNonMembers)) {
      return reply.code(403).view('error.njk', { title: 'The combination could not be added', message: `Group: ${nonMembersRefusal}.` });
    }
    const sort: Sort = Object.hasOwn(sorts, query.sort ?? '') ? (query.sort as Sort) : 'catalogue';
    const onlyGroup = query.group ?? '';
    // The matrix and its table are the same for everyone asking the same question of the same data:
    // made once per version of the data (figures-cache.ts) and kept, so the page costs one small query.
    let source: StatisticsSource;
    try {
      source = await statisticsSourceFor(db, laCode, query.statistics);
    } catch (error) {
      if (error instanceof StatisticsSourceError) return reply.code(400).view('error.njk', { title: 'Check the address', message: error.message });
      throw error;
    }
    const statistics = source.kind === 'own' ? source.batchId : '';
    // Survey answers change while a survey is open: the views outcome is worked out on each request, not kept with the data's figures.
    if (query.outcome === viewsOutcome.id) {
      const views = await viewsMatrix(db, laCode, comparator);
      const wanted = cellsWanted(query);
      const byGroup = new Map<string, { label: string; cells: Map<string, GapCell & { reading: string; trendText: string; href: string }> }>();
      for (const cell of views.cells) {
        const row = byGroup.get(cell.group) ?? { label: cell.group_label, cells: new Map() };
        byGroup.set(cell.group, row);
        if (wanted(cell)) row.cells.set(cell.indicator, { ...cell, reading: reading(cell), trendText: trendText[cell.trend], href: views.hrefOf(cell) });
      }
      const year = views.cells[0]?.year ?? null;
      return reply.view('gaps/matrix.njk', {
        ...base,
        laCode,
        authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
        year,
        years: year === null ? [] : [year],
        comparator: comparator === 'all' ? 'all' : 'all-other',
        regionName: regionOf(laCode)?.name ?? 'the region',
        englandAvailable: false,
        statistics: '',
        ownStatistics: [],
        comparatorSources: [],
        withoutEquivalent: [],
        groupsWithoutEquivalent: [],
        suppressed: true,
        groupChoices: [...byGroup.entries()].map(([id, row]) => ({ id, label: row.label })),
        added: [],
        onlyGroup,
        sort,
        sorts,
        maxCombinations,
        shownCells: [...byGroup.values()].reduce((total, row) => total + row.cells.size, 0),
        outcome: viewsOutcome.id,
        outcomeLinks: outcomeLinks({ laCode, year: undefined, comparator, statistics: '', query, added: [] }),
        downloadQuery: '',
        views: true,
        outcomeColumns: views.columns,
        rows: sortRows([...byGroup.entries()].filter(([id]) => onlyGroup === '' || id === onlyGroup).map(([, row]) => row), sort),
      });
    }
    const outcome = shownOutcome(query.outcome);
    const key = JSON.stringify(['matrix-page', authorities.map((la) => `${la.code}${la.hasData ? '' : '-'}`), year ?? null, comparator, statistics, suppressed, outcome, query.significant ?? '', query.trend ?? '', added.ids, onlyGroup, sort]);
    const matrix = await cachedFigures(db, laCode, key, async () => {
      // England is offered once published statistics with an equivalent of some indicator are loaded.
      const englandAvailable = await publishedBenchmarksLoaded(db, source);
      const ownStatistics = await ownStatisticsFiles(db, laCode);
      const answer = await gapsFor(db, { laCode, year, comparator, statistics: statistics || undefined, suppress: suppressed, extraGroups: added.ids });
      const indicators = allIndicators.filter((measure) => outcome === 'all' || measure.outcome === outcome);
      const wanted = cellsWanted(query);
      const byGroup = new Map<string, { label: string; cells: Map<string, GapCell & { reading: string; trendText: string }> }>();
      for (const cell of answer.cells) {
        const row = byGroup.get(cell.group) ?? { label: cell.group_label, cells: new Map() };
        byGroup.set(cell.group, row);
        if (wanted(cell)) row.cells.set(cell.indicator, { ...cell, reading: reading(cell), trendText: trendText[cell.trend] });
      }
      const outcomeColumns = OUTCOME_IDS.map((outcome) => ({ outcome, name: outcomeNames[outcome], indicators: indicators.filter((measure) => measure.outcome === outcome) })).filter(
        (column) => column.indicators.length > 0,
      );
      const context = {
        laCode,
        authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
        year: answer.year === null ? null : formatAcademicYear(answer.year),
        years: answer.years.map(formatAcademicYear).reverse(),
        comparator,
        regionName: regionOf(laCode)?.name ?? 'the region',
        englandAvailable: englandAvailable || isPublishedComparator(comparator) || ownStatistics.length > 0,
        statistics,
        ownStatistics,
        // Provenance of every England figure shown: which file, who loaded it, when.
        comparatorSources: [...new Set(answer.cells.flatMap((cell) => (cell.comparator_source === null ? [] : [provenanceForPeople(cell.comparator_source)])))],
        // Indicators no published statistic measures the same way: said once above the table, not in every cell.
        withoutEquivalent: isPublishedComparator(comparator) ? allIndicators.filter((measure) => !Object.hasOwn(publishedEquivalents, measure.name)).map((measure) => measure.label) : [],
        groupsWithoutEquivalent: isPublishedComparator(comparator) ? [...byGroup.entries()].filter(([id]) => !Object.hasOwn(publishedGroupValues, id)).map(([, row]) => row.label) : [],
        suppressed,
        groupChoices: [...byGroup.entries()].map(([id, row]) => ({ id, label: row.label })),
        added: added.ids.map((id) => ({ id, label: byGroup.get(id)?.label ?? id })),
        onlyGroup,
        sort,
        sorts,
        maxCombinations,
        shownCells: [...byGroup.values()].reduce((total, row) => total + [...row.cells.keys()].filter((name) => indicators.some((measure) => measure.name === name)).length, 0),
        outcome,
        outcomeLinks: outcomeLinks({ laCode, year: answer.year === null ? undefined : formatAcademicYear(answer.year), comparator, statistics, query, added: added.ids }),
        // The downloads (/gaps.csv, /gaps.xlsx) repeat the page's question, so they hold what it shows.
        downloadQuery: new URLSearchParams(
          Object.entries({ la: laCode, year: answer.year === null ? '' : formatAcademicYear(answer.year), comparator, statistics, outcome: query.outcome ?? '', significant: query.significant ?? '', trend: query.trend ?? '', group: onlyGroup, sort: sort === 'catalogue' ? '' : sort })
            .filter(([, value]) => value !== '')
            .concat(added.ids.map((id) => ['add', id])),
        ).toString(),
      };
      const rows = sortRows([...byGroup.entries()].filter(([id]) => onlyGroup === '' || id === onlyGroup).map(([, row]) => row), sort);
      // Kept encoded, without the templates' indentation: the content is most of the page, and rendering
      // it and turning it into UTF-8 on every request were the largest costs of serving it.
      const content = reply.renderView('gaps/_matrix-content.njk', { ...base, ...context, outcomeColumns, rows }).replace(/\n\s+/g, '\n');
      return Buffer.from(content, 'utf8');
    });
    const [before = '', after = ''] = reply.renderView('gaps/matrix.njk', { ...base, matrixContent: contentPlace }).split(contentPlace);
    return reply.type('text/html; charset=utf-8').send(Buffer.concat([Buffer.from(before, 'utf8'), matrix, Buffer.from(after, 'utf8')]));
  });
}
