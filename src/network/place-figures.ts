/**
 * The figures England's and a region's hex maps can be coloured by: whether each authority takes
 * part (its council, or only some of its settings and partners), how many people take part, and how
 * much practice it has published. All public: counts of organisations and people, never names.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { TakingPart } from '../auth/people.js';
import { takingPart } from '../auth/people.js';
import { publishedCountsByAuthority } from '../practice/serving.js';
import type { ChartFigure } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { hexMapFigure } from './hex-map.js';
import type { HexValue } from './hex-map.js';

export const mapMeasures = ['taking-part', 'people', 'practice'] as const;
export type MapMeasure = (typeof mapMeasures)[number];

export const mapMeasureLabels: Record<MapMeasure, string> = {
  'taking-part': 'Who takes part',
  people: 'People taking part',
  practice: 'Practice items published',
};

export function isMapMeasure(value: unknown): value is MapMeasure {
  return typeof value === 'string' && (mapMeasures as readonly string[]).includes(value);
}

const councilTakesPart = 'The council takes part';
const othersTakePart = 'Settings or partners only';

export function takingPartText(entry: TakingPart | undefined): string {
  if (entry === undefined) return 'Not yet';
  return entry.organisations.some((organisation) => organisation.kind === 'local-authority') ? councilTakesPart : othersTakePart;
}

export interface PlaceFigures {
  taking: Map<string, TakingPart>;
  practice: Map<string, number>;
}

export async function placeFigures(db: Kysely<Schema>): Promise<PlaceFigures> {
  const [taking, practice] = await Promise.all([takingPart(db), publishedCountsByAuthority(db)]);
  return { taking, practice };
}

/** The hex map of England, or of one region close up, coloured by the measure chosen. */
export function placeMap(figures: PlaceFigures, measure: MapMeasure, region?: { code: string; name: string }): ChartFigure {
  const where = region?.name ?? 'England';
  const values = new Map<string, HexValue>();
  if (measure === 'taking-part') {
    for (const [code, entry] of figures.taking) values.set(code, takingPartText(entry));
  } else if (measure === 'people') {
    for (const [code, entry] of figures.taking) values.set(code, entry.people);
  } else {
    for (const [code, items] of figures.practice) values.set(code, items);
  }
  const summaries: Record<MapMeasure, string> = {
    'taking-part': `Which of ${where}’s local authorities take part in the network: the council itself, or only some of its schools, children’s centres and partners.`,
    people: `How many people with an active account in ${where}’s councils, settings and partners take part, by local authority.`,
    practice: `How many items of effective practice from each of ${where}’s local authorities the library has published.`,
  };
  return hexMapFigure({
    id: `map-${measure}`,
    title: `${mapMeasureLabels[measure]} in ${where}`,
    summary: summaries[measure],
    measure:
      measure === 'taking-part'
        ? { label: mapMeasureLabels[measure], kind: 'category', categories: [{ value: councilTakesPart, colour: chartColours.group }, { value: othersTakePart, colour: '#5694ca' }] }
        : { label: mapMeasureLabels[measure], kind: 'number' },
    values,
    missingText: measure === 'taking-part' ? 'Not yet' : 'None yet',
    ...(region === undefined ? {} : { region: region.code }),
  });
}
