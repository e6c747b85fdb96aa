/**
 * The figures England's and a region's hex maps can be coloured by: whether each authority takes
 * part (its council, or only some of its settings and partners), how many people take part, how
 * much practice it has published, and each group's gap in the published statistics loaded. All
 * public: counts of organisations and people, never names, and figures already published.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { TakingPart } from '../auth/people.js';
import { takingPart } from '../auth/people.js';
import { publishedCountsByAuthority } from '../practice/serving.js';
import type { ChartFigure } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { publishedGapMeasures, publishedGaps } from '../gaps/published-gaps.js';
import type { PublishedGap } from '../gaps/published-gaps.js';
import { formatNumber, inSentence } from '../web/format.js';
import { hexMapFigure } from './hex-map.js';
import { networkRegions } from './regions.js';
import type { HexValue } from './hex-map.js';

const networkMeasures = ['taking-part', 'people', 'practice'] as const;
type NetworkMeasure = (typeof networkMeasures)[number];
/** One of the network's own figures, or `gap-{measure}-{group}`: a group's published gap on a measure. */
export type MapMeasure = NetworkMeasure | `gap-${string}`;

const networkMeasureLabels: Record<NetworkMeasure, string> = {
  'taking-part': 'Who takes part',
  people: 'People taking part',
  practice: 'Practice items published',
};

const gapMeasureOf = (gap: { indicator: string; group: string }): MapMeasure => `gap-${gap.indicator}-${gap.group.replace(':', '-')}`;

const councilTakesPart = 'The council takes part';
const othersTakePart = 'Settings or partners only';

export function takingPartText(entry: TakingPart | undefined): string {
  if (entry === undefined) return 'Not yet';
  return entry.organisations.some((organisation) => organisation.kind === 'local-authority') ? councilTakesPart : othersTakePart;
}

/** A group's published gap on a measure, across England's authorities in the latest year any has it. */
interface GapMap {
  indicator: string;
  indicatorLabel: string;
  group: string;
  groupLabel: string;
  label: string;
  yearText: string;
  unit: string;
  /** By authority: how far the group is behind all other pupils (negative: ahead). */
  shortfalls: Map<string, number>;
  /** Some authorities' figures are set against all pupils, their files giving no count. */
  againstAll: boolean;
}

export interface PlaceFigures {
  taking: Map<string, TakingPart>;
  practice: Map<string, number>;
  gaps: Map<MapMeasure, GapMap>;
}

/** Each group's published gap on each measure, one map each, in the order pages show measures. */
function gapMaps(gaps: readonly PublishedGap[]): Map<MapMeasure, GapMap> {
  const maps = new Map<MapMeasure, GapMap>();
  const order = publishedGapMeasures().map((measure) => measure.name);
  const sorted = [...gaps].sort((a, b) => order.indexOf(a.indicator) - order.indexOf(b.indicator) || a.groupLabel.localeCompare(b.groupLabel) || b.year - a.year);
  for (const gap of sorted) {
    const measure = gapMeasureOf(gap);
    let map = maps.get(measure);
    if (map === undefined) {
      // Sorted latest year first within a pair: the first seen sets the map's year.
      map = { indicator: gap.indicator, indicatorLabel: gap.indicatorLabel, group: gap.group, groupLabel: gap.groupLabel, label: `${gap.groupLabel} against all other pupils: ${inSentence(gap.indicatorLabel)}`, yearText: gap.yearText, unit: gap.unit, shortfalls: new Map(), againstAll: false };
      maps.set(measure, map);
    }
    if (gap.yearText !== map.yearText) continue;
    // To one decimal place, as the gaps are written everywhere else.
    map.shortfalls.set(gap.laCode, Math.round(gap.shortfall * 10) / 10);
    if (gap.comparator === 'all') map.againstAll = true;
  }
  return maps;
}

export async function placeFigures(db: Kysely<Schema>): Promise<PlaceFigures> {
  const everyAuthority = networkRegions().flatMap((region) => region.authorities.map((la) => la.code));
  const [taking, practice, gaps] = await Promise.all([takingPart(db), publishedCountsByAuthority(db), publishedGaps(db, everyAuthority)]);
  return { taking, practice, gaps: gapMaps(gaps) };
}

interface Choice {
  value: string;
  text: string;
  selected: boolean;
}

/**
 * The choices of the map's form, for selects' items: the figure, and for a gap in published
 * statistics, its measure and group (null when no published gap is loaded).
 */
export function mapChoices(figures: PlaceFigures, chosen: MapMeasure): { kinds: Choice[]; measures: Choice[] | null; groups: Choice[] | null } {
  const gap = figures.gaps.get(chosen);
  const kinds = networkMeasures.map((measure) => ({ value: measure, text: networkMeasureLabels[measure], selected: measure === chosen }));
  if (figures.gaps.size === 0) return { kinds, measures: null, groups: null };
  const maps = [...figures.gaps.values()];
  const distinct = (key: 'indicator' | 'group', label: 'indicatorLabel' | 'groupLabel') => [...new Map(maps.map((map) => [map[key], map[label]])).entries()].map(([value, text]) => ({ value, text, selected: gap?.[key] === value }));
  return {
    kinds: [...kinds, { value: 'gap', text: 'A gap in published statistics', selected: gap !== undefined }],
    measures: distinct('indicator', 'indicatorLabel'),
    groups: distinct('group', 'groupLabel').sort((a, b) => a.text.localeCompare(b.text)),
  };
}

/**
 * The figure asked for: one of the network's own, or a gap in published statistics given whole
 * (`map=gap-…`, as download links have it) or by the form's measure and group (`map=gap`); a gap
 * not loaded falls back to another of the same measure, then of the same group, then any. Who takes
 * part when nothing is asked for.
 */
export function mapMeasureOf(figures: PlaceFigures, asked: { map?: unknown; measure?: unknown; group?: unknown }): MapMeasure {
  const { map } = asked;
  if (typeof map !== 'string') return 'taking-part';
  if ((networkMeasures as readonly string[]).includes(map)) return map as NetworkMeasure;
  if (figures.gaps.has(map as MapMeasure)) return map as MapMeasure;
  if (map !== 'gap' || figures.gaps.size === 0) return 'taking-part';
  const entries = [...figures.gaps.entries()];
  const found =
    entries.find(([, gap]) => gap.indicator === asked.measure && gap.group === asked.group) ??
    entries.find(([, gap]) => gap.indicator === asked.measure) ??
    entries.find(([, gap]) => gap.group === asked.group) ??
    entries[0]!;
  return found[0];
}

/** The hex map of England, or of one region close up, coloured by the measure chosen. */
export function placeMap(figures: PlaceFigures, measure: MapMeasure, region?: { code: string; name: string }): ChartFigure {
  const where = region?.name ?? 'England';
  const gap = figures.gaps.get(measure);
  if (gap !== undefined) return gapMap(gap, measure, where, region);
  const values = new Map<string, HexValue>();
  if (measure === 'taking-part') {
    for (const [code, entry] of figures.taking) values.set(code, takingPartText(entry));
  } else if (measure === 'people') {
    for (const [code, entry] of figures.taking) values.set(code, entry.people);
  } else {
    for (const [code, items] of figures.practice) values.set(code, items);
  }
  const summaries: Record<NetworkMeasure, string> = {
    'taking-part': `Which of ${where}’s local authorities take part in the network: the council itself, or only some of its schools, children’s centres and partners.`,
    people: `How many people with an active account in ${where}’s councils, settings and partners take part, by local authority.`,
    practice: `How many items of effective practice from each of ${where}’s local authorities the library has published.`,
  };
  const label = networkMeasureLabels[measure as NetworkMeasure];
  return hexMapFigure({
    id: `map-${measure}`,
    title: `${label} in ${where}`,
    summary: summaries[measure as NetworkMeasure],
    measure:
      measure === 'taking-part'
        ? { label, kind: 'category', categories: [{ value: councilTakesPart, colour: chartColours.group }, { value: othersTakePart, colour: '#5694ca' }] }
        : { label, kind: 'number' },
    values,
    missingText: measure === 'taking-part' ? 'Not yet' : 'None yet',
    ...(region === undefined ? {} : { region: region.code }),
  });
}

function gapMap(gap: GapMap, measure: MapMeasure, where: string, region: { code: string; name: string } | undefined): ChartFigure {
  return hexMapFigure({
    id: `map-${measure}`,
    title: `${gap.label} in ${where}’s authorities, ${gap.yearText}`,
    summary: `How far the group is behind all other pupils in each of ${where}’s local authorities, in ${gap.unit}, from the published statistics loaded: the darker, the further behind; below zero, the group does better.`,
    measure: { label: `${gap.unit.charAt(0).toUpperCase()}${gap.unit.slice(1)} behind`, kind: 'number', format: (value) => formatNumber(value, 1) },
    values: gap.shortfalls,
    missingText: 'No published figure loaded',
    notes: [
      `Published figures for ${gap.yearText}, rounded as published; they cover every pupil and carry no interval.`,
      ...(gap.againstAll ? ['Where a file gives no count of pupils, the group is set against all pupils, itself included.'] : []),
    ],
    ...(region === undefined ? {} : { region: region.code }),
  });
}
