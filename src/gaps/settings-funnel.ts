import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { TopLevelSpec } from 'vega-lite';
import { dimension } from '../aggregates/signature.js';
import { settingNames } from '../auth/organisations.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { applyDisclosureControl, funnelLimits, meanFunnelLimits, releaseCount, releaseSummary, standardDeviationFromSums } from '../stats/index.js';
import { cellKeysFor } from './cell-keys.js';
import { frameworkGroupBits, parseGroup } from './groups.js';
import { readJointAggregates } from './joint-aggregates.js';
import { authorityFigure } from './matrix.js';
import type { FunnelPoint } from '../stats/index.js';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { GapRequestError, measureNamed } from './service.js';
import { formatNumber, formatPercent, inSentence } from '../web/format.js';

export interface SettingsFunnelQuery {
  laCode: string;
  indicator: string;
  /** A framework group id, or 'all' for every child. */
  group: string;
  /** Academic year (start year); default the latest the authority has. */
  year?: number | undefined;
  /** Withhold small numbers (everyone without child-level access to the authority). */
  suppress: boolean;
}

/** Where a setting's value falls against the control limits at its number of children. */
export type FunnelPosition = 'above-99.8' | 'above-95' | 'within' | 'below-95' | 'below-99.8';

/** The control limits at one number of children. */
export interface FunnelLimitsAt {
  children: number;
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface SettingOnFunnel {
  urn: number;
  /** The registered name; null for a URN not registered as a setting. */
  name: string | null;
  /** school, childrens-centre, early-years, other; null when not registered. */
  kind: string | null;
  /** Children in the group at the setting with a value for the indicator; null when withheld. */
  children: number | null;
  /** Percentage for yes/no indicators, mean otherwise; null when withheld. */
  value: number | null;
  /** The limits at this setting's number of children; null when withheld. */
  limits: FunnelLimitsAt | null;
  position: FunnelPosition | null;
  /** Why the figures are withheld: a small number itself, or so that one cannot be worked out by subtraction. */
  withheld: 'small-number' | 'secondary' | null;
}

/** A funnel plot of an authority's settings for one group and indicator in one year. */
export interface SettingsFunnel {
  laCode: string;
  year: number;
  measure: MeasureDefinition;
  group: { id: string; label: string };
  valueType: 'percentage' | 'mean';
  /** The authority's value for the group over all its children, those with no setting included; null when withheld. */
  target: number | null;
  /** For a mean: the standard deviation of the same children's values, which sets the limits' width. */
  standardDeviation: number | null;
  /** Children in the group with a value and no setting recorded (counted in the target, not plotted); released like any count (null when 1 to 4). */
  childrenWithoutSetting: number | null;
  /** Shown settings ranked best first (by polarity), then the withheld ones by name. */
  settings: SettingOnFunnel[];
  /** The limits from the smallest to the largest shown setting, for drawing the funnel. */
  lines: FunnelLimitsAt[];
  /** Released under disclosure control: counts rounded to 5 and values made from them. */
  released: boolean;
}

interface Sums {
  n: number;
  sum: number;
  sumsq: number;
}

const noSetting = -1;

/**
 * When a funnel plot is worth drawing: at least `minSettings` settings, each with figures for at
 * least `minChildren` children in the group. A setting of fewer children sits where its limits are
 * so wide that nothing can be told from it (and a handful of settings make no funnel), so such
 * settings are listed in the table and left off the chart. The page states the rule.
 */
export const funnelRule = { minSettings: 5, minChildren: 10 } as const;

function groupLabel(group: string): string | undefined {
  if (group === 'all') return 'All children';
  const found = dimension(group);
  return found?.kind === 'group' ? found.label : undefined;
}

async function latestYear(db: Kysely<Schema>, laCode: string): Promise<number | undefined> {
  const row = await db.selectFrom('child_setting_aggregate').select((eb) => eb.fn.max('academic_year').as('year')).where('la_code', '=', laCode).executeTakeFirst();
  return row?.year === null || row?.year === undefined ? undefined : Number(row.year);
}

/**
 * Each setting's n, sum and sum of squares for the group's members (membership 1; 'all' is every
 * child). The aggregate tables are not under row-level security (they hold no child rows), so they
 * are read as `readJointAggregates` reads `child_aggregate`.
 */
async function readSettingSums(db: Kysely<Schema>, laCode: string, year: number, group: string, measure: MeasureDefinition): Promise<Map<number, Sums>> {
  // The measure's columns are named at run time (one triple per measure), so they are raw references.
  const rows = await db
    .selectFrom('child_setting_aggregate')
    .select([
      'setting_urn',
      sql<number>`${sql.ref(`${measure.name}_n`)}`.as('n'),
      sql<number>`${sql.ref(`${measure.name}_sum`)}`.as('sum'),
      sql<number>`${sql.ref(`${measure.name}_sumsq`)}`.as('sumsq'),
    ])
    .where('la_code', '=', laCode)
    .where('academic_year', '=', year)
    .where('dimension', '=', group)
    .where('membership', '=', 1)
    .execute();
  return new Map(rows.map((row) => [Number(row.setting_urn), { n: Number(row.n), sum: Number(row.sum), sumsq: Number(row.sumsq) }]));
}

function valueOf(sums: Sums, valueType: SettingsFunnel['valueType']): number {
  return valueType === 'percentage' ? (100 * sums.sum) / sums.n : sums.sum / sums.n;
}

function positionAgainst(value: number, limits: FunnelLimitsAt): FunnelPosition {
  if (value > limits.upper998) return 'above-99.8';
  if (value > limits.upper95) return 'above-95';
  if (value < limits.lower998) return 'below-99.8';
  if (value < limits.lower95) return 'below-95';
  return 'within';
}

/** About 40 numbers of children spaced evenly on a log scale, where a funnel bends most, plus each setting's own. */
function drawingCounts(settingCounts: readonly number[]): number[] {
  if (settingCounts.length === 0) return [];
  const smallest = Math.min(...settingCounts);
  const largest = Math.max(...settingCounts);
  const steps = 40;
  const spaced = Array.from({ length: steps + 1 }, (_, step) => Math.round(smallest * (largest / smallest) ** (step / steps)));
  return [...new Set([...spaced, ...settingCounts])].sort((a, b) => a - b);
}

/**
 * The funnel plot's figures: every setting's value for the group against control limits at 95% and
 * 99.8% around the authority's value, as a function of the number of children. Percentages use the
 * PHE (Wilson) limits θ ∓ z√(θ(1 − θ)/n), means θ ∓ zσ/√n (both in docs/methods.md), so a small
 * setting is judged against the wider limits chance allows it. Undefined when there is nothing to
 * plot: a combination of groups (the setting aggregates hold one group at a time), a year without
 * data, or no setting with a value.
 *
 * @throws {GapRequestError} for an indicator or group that does not exist
 */
export async function settingsFunnel(db: Kysely<Schema>, query: SettingsFunnelQuery): Promise<SettingsFunnel | undefined> {
  const measure = measureNamed(query.indicator);
  if (query.group.includes('&') || query.group.includes(':')) return undefined;
  const label = groupLabel(query.group);
  if (label === undefined) throw new GapRequestError('group', `"${query.group}" is not a framework group id or all`);

  const year = query.year ?? (await latestYear(db, query.laCode));
  if (year === undefined) return undefined;
  const sumsByUrn = await readSettingSums(db, query.laCode, year, query.group, measure);
  const total = [...sumsByUrn.values()].reduce((acc, next) => ({ n: acc.n + next.n, sum: acc.sum + next.sum, sumsq: acc.sumsq + next.sumsq }), { n: 0, sum: 0, sumsq: 0 });
  const withValues = [...sumsByUrn.entries()].filter(([urn, sums]) => urn !== noSetting && sums.n > 0).sort(([a], [b]) => a - b);
  const valueType = measure.type === 'binary' ? 'percentage' : 'mean';
  // A standard deviation needs two children; with fewer the limits cannot be drawn.
  if (withValues.length === 0 || (valueType === 'mean' && total.n < 2)) return undefined;

  // The authority's value and spread, as released: a suppressed viewer's limits are drawn from rounded figures too.
  const cellKeys = query.suppress ? await cellKeysFor(db) : undefined;
  const valueRange = measure.min !== undefined && measure.max !== undefined ? measure.max - measure.min : undefined;
  const release = (sums: Sums, ...named: (string | number)[]): Sums | null =>
    // Keyed by the children (not the measure), and mixed with their true count inside releaseSummary: the same children at a setting get one draw whatever the measure.
    cellKeys === undefined ? sums : releaseSummary(sums, measure.type, { key: cellKeys.named('setting-funnel', query.laCode, query.group, year, ...named), valueRange }).summary;
  // The authority's figure is the gap matrix's, released with the matrix's key: one figure wherever it is shown.
  const aggregates = await readJointAggregates(db, query.laCode, { years: [year], ...(query.suppress ? {} : { keepBits: frameworkGroupBits }) });
  const authority = authorityFigure(aggregates.get(year) ?? [], query.group === 'all' ? 'all' : parseGroup(query.group), measure, year, { suppress: query.suppress, cellKeys });
  const releasedTotal = query.suppress ? authority : authority !== null && authority.n > 0 ? authority : total;
  const basis = releasedTotal ?? total;
  const theta = basis.sum / basis.n;
  const standardDeviation = valueType === 'mean' ? (standardDeviationFromSums(basis) ?? 0) : null;
  const limitsAt = (counts: readonly number[]): FunnelLimitsAt[] => {
    const points: FunnelPoint[] = standardDeviation === null ? funnelLimits(theta, counts, { multiplier: 100 }) : meanFunnelLimits(theta, standardDeviation, counts);
    return points.map((point) => {
      const [l95, l998] = point.limits;
      return { children: point.denominator, lower95: l95!.lower, upper95: l95!.upper, lower998: l998!.lower, upper998: l998!.upper };
    });
  };

  // Disclosure control over the line "settings plus no setting make the authority's total", which
  // the gap matrix publishes: a lone small count would otherwise be worked out by subtraction. What
  // is shown is then released like the matrix's figures: rounded counts, values made from them.
  const childrenWithoutSetting = sumsByUrn.get(noSetting)?.n ?? 0;
  const disclosed = query.suppress ? applyDisclosureControl([[...withValues.map(([, sums]) => sums.n), childrenWithoutSetting]]).cells[0]! : undefined;
  const names = await settingNames(db, withValues.map(([urn]) => urn));

  const settings: SettingOnFunnel[] = withValues.map(([urn, sums], index) => {
    const registered = names.get(urn);
    const reason = disclosed?.[index]!.reason ?? null;
    const base = { urn, name: registered?.name ?? null, kind: registered?.kind ?? null };
    const shown = release(sums, urn);
    if (reason !== null || shown === null || releasedTotal === null) return { ...base, children: null, value: null, limits: null, position: null, withheld: reason === 'secondary' ? 'secondary' : 'small-number' };
    const value = valueOf(shown, valueType);
    const limits = limitsAt([shown.n])[0]!;
    return { ...base, children: shown.n, value, limits, position: positionAgainst(value, limits), withheld: null };
  });

  const better = measure.polarity === 'higher-is-better' ? -1 : 1;
  const shown = settings.filter((setting) => setting.value !== null).sort((a, b) => better * (a.value! - b.value!) || b.children! - a.children! || a.urn - b.urn);
  const withheld = settings.filter((setting) => setting.value === null).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.urn - b.urn);
  // The funnel is drawn over the settings it plots: those with enough children (funnelRule), else all shown.
  const plotted = shown.filter((setting) => setting.children! >= funnelRule.minChildren);
  const lines = limitsAt(drawingCounts((plotted.length > 0 ? plotted : shown).map((setting) => setting.children!)));
  return {
    laCode: query.laCode,
    year,
    measure,
    group: { id: query.group, label },
    valueType,
    target: releasedTotal === null ? null : valueOf(releasedTotal, valueType),
    standardDeviation: releasedTotal === null ? null : standardDeviation,
    childrenWithoutSetting: query.suppress ? releaseCount(childrenWithoutSetting, { key: cellKeys?.named('setting-funnel', query.laCode, query.group, year, 'no-setting') }) : childrenWithoutSetting,
    settings: [...shown, ...withheld],
    lines,
    released: query.suppress,
  };
}

// ---------------------------------------------------------------------------------------------
// The figure: chart, words and table
// ---------------------------------------------------------------------------------------------

function describeValue(value: number, valueType: SettingsFunnel['valueType']): string {
  return valueType === 'percentage' ? formatPercent(value) : formatNumber(value, 1);
}

function roundForTable(value: number): number {
  return Math.round(value * 10) / 10;
}

/** "schools", "children’s centres" or "settings", as the registered kinds allow. */
function settingsNoun(settings: readonly SettingOnFunnel[], count: number): string {
  const kinds = new Set(settings.map((setting) => setting.kind));
  const [singular, plural] = kinds.size === 1 && kinds.has('school') ? ['school', 'schools'] : kinds.size === 1 && kinds.has('childrens-centre') ? ['children’s centre', 'children’s centres'] : ['setting', 'settings'];
  return count === 1 ? singular : plural;
}

function isBetter(position: FunnelPosition, polarity: MeasureDefinition['polarity']): boolean {
  return position.startsWith('above') === (polarity === 'higher-is-better');
}

function positionWords(position: FunnelPosition, polarity: MeasureDefinition['polarity']): string {
  const direction = isBetter(position, polarity) ? 'better' : 'worse';
  switch (position) {
    case 'above-99.8':
      return `Above the upper 99.8% limit: ${direction} than chance would explain`;
    case 'above-95':
      return `Above the upper 95% limit (within 99.8%): possibly ${direction}`;
    case 'within':
      return 'Within the 95% limits';
    case 'below-95':
      return `Below the lower 95% limit (within 99.8%): possibly ${direction}`;
    case 'below-99.8':
      return `Below the lower 99.8% limit: ${direction} than chance would explain`;
  }
}

/** "none is", "1 is", "3 are". */
function howMany(count: number): string {
  return count === 0 ? 'none is' : count === 1 ? '1 is' : `${count} are`;
}

function summaryOf(funnel: SettingsFunnel): string {
  const allShown = funnel.settings.filter((setting) => setting.position !== null);
  const withheld = funnel.settings.length - allShown.length;
  if (allShown.length === 0) return `The figures for all ${funnel.settings.length} ${settingsNoun(funnel.settings, funnel.settings.length)} are withheld because too few children are behind them.`;
  // With a funnel drawn, the words describe what it plots: the settings with enough children.
  const plotted = plottedSettings(funnel);
  const drawn = plotted.length >= funnelRule.minSettings;
  const shown = drawn ? plotted : allShown;
  const count = (positions: readonly FunnelPosition[]) => shown.filter((setting) => positions.includes(setting.position!)).length;
  const above = count(['above-99.8']);
  const below = count(['below-99.8']);
  const between = count(['above-95', 'below-95']);
  const rest = shown.length - above - below - between;
  const lead = drawn && plotted.length < allShown.length
    ? `Of ${shown.length} ${settingsNoun(funnel.settings, shown.length)} with at least ${funnelRule.minChildren} children in the group`
    : `Of ${shown.length} ${settingsNoun(funnel.settings, shown.length)}${withheld > 0 ? ' with figures shown' : ''}`;
  const polarity = funnel.measure.polarity;
  const direction = `${polarity === 'higher-is-better' ? 'Higher' : 'Lower'} is better, so a setting above the limits does ${polarity === 'higher-is-better' ? 'better' : 'worse'} than the authority as a whole (${describeValue(funnel.target!, funnel.valueType)}).`;
  if (rest === shown.length) return `${lead}, all are within the 95% limits: none differs from the authority as a whole (${describeValue(funnel.target!, funnel.valueType)}) by more than chance would give.`;
  const outer = `${howMany(above)} above the upper 99.8% limit and ${below} below the lower`;
  const middle = between === 0 ? '' : `; ${between} more ${between === 1 ? 'is' : 'are'} outside the 95% limits but within the 99.8% limits`;
  const remainder = rest === 0 ? '' : `; the rest ${rest === 1 ? 'is' : 'are'} within what chance would give`;
  return `${lead}, ${outer}${middle}${remainder}. ${direction}`;
}

function notesOf(funnel: SettingsFunnel): string[] {
  const notes: string[] = [];
  if (funnel.target !== null) {
    notes.push(
      funnel.valueType === 'percentage'
        ? 'The control limits are the authority’s percentage θ ∓ z√(θ(1 − θ)/n) for a setting of n children, with z = 1.96 for 95% and 3.09 for 99.8% (Spiegelhalter 2005; the PHE method). A setting outside the 99.8% limits is very unlikely to differ from the authority by chance alone.'
        : `The control limits are the authority’s average θ ∓ zσ/√n for a setting of n children, with σ = ${funnel.standardDeviation!.toFixed(1)} (the standard deviation across the authority’s children in the group) and z = 1.96 for 95% and 3.09 for 99.8% (Spiegelhalter 2005). A setting outside the 99.8% limits is very unlikely to differ from the authority by chance alone.`,
    );
  }
  if (funnel.released) notes.push('Counts are adjusted slightly and rounded to the nearest 5, and every value and limit is made from those counts, so that no child can be picked out.');
  if (funnel.childrenWithoutSetting !== 0) notes.push('The authority’s value includes children with no setting recorded; they are not plotted.');
  const small = funnel.settings.filter((setting) => setting.withheld === 'small-number').length;
  const secondary = funnel.settings.filter((setting) => setting.withheld === 'secondary').length;
  if (small + secondary > 0) {
    const settingWord = (count: number) => (count === 1 ? 'setting' : 'settings');
    const why =
      secondary === 0
        ? ' because fewer than 5 children in the group have a figure there (or fewer than 5 of them meet or miss it)'
        : `: ${small} because fewer than 5 children in the group have a figure there (or fewer than 5 of them meet or miss it), and ${secondary} more so that those cannot be worked out from the authority’s total`;
    notes.push(`The figures for ${small + secondary} ${settingWord(small + secondary)} are withheld (c) and left off the chart${why}, to protect children’s privacy.`);
  }
  return notes;
}

/** The settings the chart plots: shown, with at least the rule's number of children. */
function plottedSettings(funnel: SettingsFunnel): SettingOnFunnel[] {
  return funnel.settings.filter((setting) => setting.value !== null && setting.children !== null && setting.children >= funnelRule.minChildren);
}

/** The rule in words, as the page states it. */
function ruleText(noun: string): string {
  return `A funnel plot is drawn only where at least ${funnelRule.minSettings} ${noun} each have figures for at least ${funnelRule.minChildren} children in the group, and only those ${noun} are plotted: with fewer children the limits are too wide to tell a setting from chance.`;
}

function chartOf(funnel: SettingsFunnel, axisTitle: string, pointsName: string, lineNames: readonly [string, string, string]): TopLevelSpec {
  const [targetName, name95, name998] = lineNames;
  // Lines to two decimal places: as drawn, and no more precise than a reader needs.
  const clip = (value: number) => Math.round(100 * Math.min(funnel.measure.max ?? Infinity, Math.max(funnel.measure.min ?? -Infinity, value))) / 100;
  // Long form, one row per point of each of the five lines; `path` keeps upper and lower apart.
  const lineRows = funnel.target === null
    ? []
    : funnel.lines.flatMap((at) => [
        { children: at.children, value: roundForTable(funnel.target!), line: targetName, path: 'target' },
        { children: at.children, value: clip(at.lower95), line: name95, path: 'lower95' },
        { children: at.children, value: clip(at.upper95), line: name95, path: 'upper95' },
        { children: at.children, value: clip(at.lower998), line: name998, path: 'lower998' },
        { children: at.children, value: clip(at.upper998), line: name998, path: 'upper998' },
      ]);
  const points = plottedSettings(funnel).map((setting) => ({ children: setting.children, value: roundForTable(setting.value!), series: pointsName }));
  // The legend lists what is drawn: no lines when the authority's value is withheld, no points when no setting is plotted.
  const linesDrawn = lineRows.length > 0 ? [...lineNames] : [];
  const pointsDrawn = points.length > 0 ? [pointsName] : [];
  const x = { field: 'children', type: 'quantitative', title: funnel.group.id === 'all' ? 'Children at the setting' : 'Children in the group at the setting' } as const;
  const y = { field: 'value', type: 'quantitative', title: axisTitle, scale: { zero: false }, axis: { format: ',~f' } } as const;
  return {
    width: 560,
    height: 320,
    layer: [
      {
        data: { values: lineRows },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          detail: { field: 'path', type: 'nominal' },
          color: { field: 'line', type: 'nominal', title: null, legend: { direction: 'vertical' }, scale: { domain: linesDrawn, range: [chartColours.comparator, chartColours.neutral, chartColours.neutral] } },
          strokeDash: { field: 'line', type: 'nominal', title: null, legend: { direction: 'vertical' }, scale: { domain: linesDrawn, range: [[1, 0], [6, 4], [2, 3]] } },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 60, opacity: 0.9 },
        encoding: { x, y, fill: { field: 'series', type: 'nominal', title: null, legend: { direction: 'vertical' }, scale: { domain: pointsDrawn, range: [chartColours.group] } } },
      },
    ],
  };
}

/**
 * The ranked chart of an authority's settings with funnel-plot control limits, with its words and
 * table, for the indicator page. Undefined when `settingsFunnel` has nothing to plot.
 *
 * @throws {GapRequestError} for an indicator or group that does not exist
 */
export async function settingsFunnelFigure(db: Kysely<Schema>, query: SettingsFunnelQuery): Promise<ChartFigure | undefined> {
  const funnel = await settingsFunnel(db, query);
  return funnel === undefined ? undefined : funnelFigure(funnel);
}

/** The figure of a funnel already computed. */
export function funnelFigure(funnel: SettingsFunnel): ChartFigure {
  const year = formatAcademicYear(funnel.year);
  const valueHead = funnel.valueType === 'percentage' ? 'Per cent' : 'Average';
  const countHead = funnel.group.id === 'all' ? 'Children' : 'Children in the group';
  const target = funnel.target === null ? 'withheld' : describeValue(funnel.target, funnel.valueType);
  const shown = funnel.settings.filter((setting) => setting.value !== null).length;
  const noun = settingsNoun(funnel.settings, 2);
  // The settings plotted first (best first), then those with too few children to plot, then the withheld:
  // the top of a long table is then the settings a reader can tell apart.
  const plottedUrns = new Set(plottedSettings(funnel).map((setting) => setting.urn));
  const tableOrder = [...funnel.settings.filter((setting) => plottedUrns.has(setting.urn)), ...funnel.settings.filter((setting) => !plottedUrns.has(setting.urn))];
  const rows: FigureCell[][] = tableOrder.map((setting) => [
    setting.name ?? `Unregistered setting ${setting.urn}`,
    String(setting.urn),
    setting.children,
    setting.value === null ? null : roundForTable(setting.value),
    setting.position === null ? 'Withheld (c)' : positionWords(setting.position, funnel.measure.polarity),
  ]);
  const plotted = plottedSettings(funnel).length;
  const notes = notesOf(funnel);
  const rule = ruleText(noun);
  const tooFew = shown - plotted;
  const figureNotes = [rule, ...(plotted >= funnelRule.minSettings && tooFew > 0 ? [`${tooFew.toLocaleString('en-GB')} ${settingsNoun(funnel.settings, tooFew)} with fewer than ${funnelRule.minChildren} children in the group ${tooFew === 1 ? 'is' : 'are'} in the table but not on the chart.`] : []), ...notes];
  const withoutChart =
    shown === 0
      ? `The figures for every ${settingsNoun(funnel.settings, 1)} are withheld because too few children are behind them, so there is no funnel plot.`
      : plotted < funnelRule.minSettings
        ? `There is no funnel plot: ${plotted === 0 ? 'no' : `only ${plotted}`} ${settingsNoun(funnel.settings, plotted)} ${plotted === 1 ? 'has' : 'have'} figures for at least ${funnelRule.minChildren} children in the group, and a funnel needs at least ${funnelRule.minSettings}. The figures are in the table below.`
        : undefined;
  return {
    ...(withoutChart === undefined ? {} : { withoutChart }),
    id: 'settings-funnel',
    title: `${funnel.group.label}: ${funnel.measure.label}, by ${settingsNoun(funnel.settings, 1)}, ${year}`,
    summary: summaryOf(funnel),
    description: `Funnel plot of ${inSentence(funnel.measure.label)} for ${inSentence(funnel.group.label)} at ${shown} ${noun} in ${year}, each against its number of children, with the authority’s value (${target}) and its 95% and 99.8% control limits. The table below gives the figures.`,
    spec: chartOf(funnel, valueHead, settingsNoun(funnel.settings, 2).replace(/^./, (first) => first.toUpperCase()), ['The authority as a whole', '95% limits', '99.8% limits']),
    table: {
      caption: `${funnel.group.label}: ${inSentence(funnel.measure.label)} by ${settingsNoun(funnel.settings, 1)}, ${year}, best first (${settingsNoun(funnel.settings, 2)} with fewer than ${funnelRule.minChildren} children in the group after those plotted)`,
      head: ['Setting', 'URN', countHead, valueHead, 'Against the control limits'],
      rows,
      rowHeaders: true,
    },
    notes: figureNotes,
  };
}
