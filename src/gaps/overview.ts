import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { findItems, loadCatalogue, OUTCOME_IDS } from '../framework/catalogue.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { cellKeysFor } from './cell-keys.js';
import { rankCurves, significantlyWorse } from './curves.js';
import { auditDataGaps } from './data-gaps.js';
import { cachedFigures } from './figures-cache.js';
import { frameworkGroupBits, frameworkGroupSpecs } from './groups.js';
import { readJointAggregates } from './joint-aggregates.js';
import type { GapCell } from './matrix.js';
import { gapsFor } from './service.js';
import { gapUnit } from './units.js';

/**
 * The gaps that matter most, most important first. The one place the overviews take that order
 * from: the ranking of "which curves to turn" (curves.ts), so the home pages and the curves list
 * always agree on what comes first.
 */
export function gapsThatMatterMost(cells: readonly GapCell[]): GapCell[] {
  const cellOf = new Map(cells.map((cell) => [`${cell.group} ${cell.indicator}`, cell]));
  // An overview states only significant gaps: the full ranking also lists those that may be chance.
  return rankCurves(cells)
    .map((curve) => cellOf.get(`${curve.group} ${curve.indicator}`)!)
    .filter(significantlyWorse);
}

/** One gap as an overview states it. */
export interface GapHeadline {
  group: string;
  groupLabel: string;
  indicator: string;
  indicatorLabel: string;
  outcome: string;
  outcomeName: string;
  /** "−47.3 percentage points": the group's value minus all other children's, with its unit. */
  gapText: string;
  /** "38.2% against 85.5%": the group's value and the comparator's. */
  valuesText: string;
  trend: GapCell['trend'];
  trendText: string;
  /** The gap's own page, for this authority. */
  href: string;
}

/** One Every Child Matters outcome: how many groups are behind on it, and its widest gap. */
export interface OutcomeStanding {
  outcome: string;
  name: string;
  /** Groups significantly behind all other children on at least one of the outcome's indicators. */
  groupsBehind: number;
  /** Groups with a gap that could be judged on at least one of the outcome's indicators. */
  groupsJudged: number;
  wideningGaps: number;
  widest: GapHeadline | undefined;
  /** The outcome has no indicator with data this year. */
  noData: boolean;
}

/** The figures of an authority's overview: the same for everyone who sees the same figures. */
export interface GapsOverview {
  laCode: string;
  authorityName: string;
  /** The latest academic year with data ("2023/24"), or null when nothing is loaded. */
  year: string | null;
  /** Small numbers are withheld: the figures are the released ones. */
  suppressed: boolean;
  groupCount: number;
  widest: GapHeadline[];
  /** Widening gaps not already among the widest. */
  widening: GapHeadline[];
  outcomes: OutcomeStanding[];
  /** Gaps in the data that stop a gap being measured, in words, most serious first. */
  dataGaps: string[];
}

const trendText: Record<GapCell['trend'], string> = {
  narrowing: 'narrowing',
  widening: 'widening',
  'no-significant-change': 'no significant change',
  'not-enough-data': 'too few years to tell',
};

/** Outcome names as the framework words them, capitalised as headings. */
function outcomeNames(): Map<string, string> {
  const items = findItems(loadCatalogue(), { kind: 'outcome' }) as { id: string; name: string }[];
  return new Map(items.map((item) => [item.id, item.name.charAt(0).toUpperCase() + item.name.slice(1)]));
}

function oneDecimal(value: number): string {
  return value.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function headline(cell: GapCell, laCode: string, names: Map<string, string>): GapHeadline {
  const measure = indicators.find((entry) => entry.name === cell.indicator);
  const gap = cell.gap ?? 0;
  const unit = gapUnit(cell);
  const value = (figure: number | null) => (figure === null ? 'no figure' : `${oneDecimal(figure)}${cell.value_type === 'percentage' ? '%' : ''}`);
  return {
    group: cell.group,
    groupLabel: cell.group_label,
    indicator: cell.indicator,
    indicatorLabel: measure?.label ?? cell.indicator,
    outcome: cell.outcome,
    outcomeName: names.get(cell.outcome) ?? cell.outcome,
    gapText: `${gap > 0 ? '+' : gap < 0 ? '−' : ''}${oneDecimal(Math.abs(gap))} ${unit}`,
    valuesText: `${value(cell.group_value)} against ${value(cell.comparator_value)} for all other children`,
    trend: cell.trend,
    trendText: trendText[cell.trend],
    href: `/gaps/indicator?${new URLSearchParams({ la: laCode, indicator: cell.indicator, group: cell.group }).toString()}`,
  };
}

/** Data gaps that stop gaps being measured this year, most serious first: outcomes, indicators and groups without data, and memberships not recorded. */
async function dataGapsThatMatter(db: Kysely<Schema>, laCode: string, year: number, suppress: boolean, names: Map<string, string>): Promise<string[]> {
  const aggregates = await readJointAggregates(db, laCode, suppress ? { years: [year] } : { years: [year], keepBits: frameworkGroupBits });
  const cells = aggregates.get(year);
  if (cells === undefined) return [];
  const audit = auditDataGaps(cells, frameworkGroupSpecs(), { suppress, year, cellKeys: suppress ? await cellKeysFor(db) : undefined });
  const withData = new Set(audit.indicators.filter((entry) => entry.children !== 0).map((entry) => entry.indicator));
  const outcomesWithout = OUTCOME_IDS.filter((outcome) => !indicators.some((measure) => measure.outcome === outcome && withData.has(measure.name)));
  const indicatorsWithout = indicators.filter((measure) => !withData.has(measure.name) && !outcomesWithout.includes(measure.outcome));
  const percent = (share: number) => `${Math.round(share * 100).toLocaleString('en-GB')}%`;
  return [
    ...outcomesWithout.map((outcome) => `${names.get(outcome) ?? outcome}: no indicator of this outcome has data, so no gap on it can be measured.`),
    ...indicatorsWithout.map((measure) => `${measure.label}: no child has a value.`),
    ...audit.groups.filter((group) => group.inGroup === 0).map((group) => `${group.label}: no child is recorded in this group, so its gaps cannot be measured.`),
    ...audit.groups
      .filter((group) => group.inGroup !== 0 && group.unknownShare !== null && group.unknownShare >= 0.05)
      .sort((a, b) => b.unknownShare! - a.unknownShare!)
      .map((group) => `${group.label}: whether a child is in this group is not recorded for ${percent(group.unknownShare!)} of children.`),
  ];
}

/**
 * An authority's gaps at a glance, for its leaders, its analysts and its region: the few widest
 * significant gaps and those widening, how many groups are behind on each outcome, and the gaps in
 * the data that matter. Figures are the released ones when `suppress` is set (see gapsFor), so a
 * viewer sees here exactly what the gap matrix shows them. Kept until the authority's data changes.
 */
export function gapsOverview(db: Kysely<Schema>, laCode: string, options: { suppress: boolean; few?: number }): Promise<GapsOverview> {
  const few = options.few ?? 5;
  return cachedFigures(db, laCode, JSON.stringify(['overview', options.suppress, few]), async () => {
    const names = outcomeNames();
    const authorityName = localAuthorityByGss(laCode)?.name ?? laCode;
    const groupCount = frameworkGroupSpecs().length;
    const answer = await gapsFor(db, { laCode, comparator: 'all-other', suppress: options.suppress, withSpread: true });
    if (answer.year === null) return { laCode, authorityName, year: null, suppressed: options.suppress, groupCount, widest: [], widening: [], outcomes: [], dataGaps: [] };
    const ranked = gapsThatMatterMost(answer.cells);
    const widest = ranked.slice(0, few);
    const widening = ranked.filter((cell) => cell.trend === 'widening' && !widest.includes(cell)).slice(0, few);
    const outcomes = OUTCOME_IDS.map((outcome): OutcomeStanding => {
      const cells = answer.cells.filter((cell) => cell.outcome === outcome);
      const behind = cells.filter(significantlyWorse);
      const top = ranked.find((cell) => cell.outcome === outcome);
      return {
        outcome,
        name: names.get(outcome) ?? outcome,
        groupsBehind: new Set(behind.map((cell) => cell.group)).size,
        groupsJudged: new Set(cells.filter((cell) => cell.significant !== null).map((cell) => cell.group)).size,
        wideningGaps: behind.filter((cell) => cell.trend === 'widening').length,
        widest: top === undefined ? undefined : headline(top, laCode, names),
        noData: !cells.some((cell) => cell.significant !== null || cell.suppressed),
      };
    });
    return {
      laCode,
      authorityName,
      year: formatAcademicYear(answer.year),
      suppressed: options.suppress,
      groupCount,
      widest: widest.map((cell) => headline(cell, laCode, names)),
      widening: widening.map((cell) => headline(cell, laCode, names)),
      outcomes,
      dataGaps: await dataGapsThatMatter(db, laCode, answer.year, options.suppress, names),
    };
  });
}
