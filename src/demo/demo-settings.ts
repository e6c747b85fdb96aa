/**
 * The synthetic schools and colleges of the demo authority. Each is shaped like a registered setting
 * (src/areas/settings.ts) and carries what the child generator needs: how deprived its intake area is,
 * how large it is and what it adds to its pupils' attainment.
 */
import type { Setting } from '../areas/settings.js';
import { demoSettingName } from '../auth/demo.js';
import type { SeededRandom } from '../stats/random.js';

export type DemoPhase = 'primary' | 'secondary' | '16-plus';

export interface DemoSetting extends Setting {
  phase: DemoPhase;
  /** Rank of its intake area from least (0) to most (1) deprived within its phase. */
  deprivation: number;
  /** Its share of the phase's pupils relative to the other settings of the phase. */
  sizeWeight: number;
  /** What it adds to its pupils' attainment, in standard deviations of the attainment scale. */
  effect: number;
  /** Secondaries only: whether it keeps pupils on into Years 12 and 13. */
  hasSixthForm: boolean;
}

/** The settings of one phase, ordered from least to most deprived intake, for picking by position. */
export interface PhaseSettings {
  settings: readonly DemoSetting[];
  /**
   * The setting at a position from 0 (least deprived) to 1 (most deprived) along the phase's pupils:
   * a child from a deprived neighbourhood has a high position and so goes to a school with a deprived
   * intake, which is how deprivation clusters in schools.
   */
  at(position: number): DemoSetting;
}

export interface DemoSettings {
  primary: PhaseSettings;
  secondary: PhaseSettings;
  college: PhaseSettings;
  all: readonly DemoSetting[];
}

/**
 * Settings per 60,000 children: an authority of that many children of Reception to Year 13 age has
 * schools in about these numbers (the primaries are smaller than the national average, as in the
 * brief the generator was written to).
 */
const settingsPer60000 = { primary: 225, secondary: 40, college: 3 } as const;

/**
 * The first primary has the URN of the demo setting (src/auth/demo.ts), so the demo setting leader sees
 * a school of generated children; the rest count down from it. Synthetic URNs, in the 9xxxxx block.
 */
export const demoSettingUrn = 999001;

/** Shares of secondaries with a sixth form; small primaries (one class for two year groups) are common in rural areas. */
const sixthFormShare = 0.65;

/**
 * The localities the demo authorities organise early help and school clusters in. Deprivation clusters
 * in places, so a setting's locality follows its intake's deprivation in part (East the most deprived),
 * and its URN for the rest; no random draws, so adding them changed no child.
 */
export const demoLocalities = ['North', 'West', 'South', 'East'] as const;

function localityOf(setting: DemoSetting): string {
  const place = 0.6 * setting.deprivation + 0.4 * (((setting.urn * 37) % 100) / 100);
  return demoLocalities[Math.min(demoLocalities.length - 1, Math.floor(place * demoLocalities.length))]!;
}
const smallPrimaryShare = 0.1;

/**
 * Makes the settings for an authority of `children` children: the number of each kind scales with
 * the children (at least one of each). Consumes the random source in a fixed order.
 */
export function createDemoSettings(children: number, laCode: string, random: SeededRandom, firstUrn: number = demoSettingUrn): DemoSettings {
  const count = (perSixtyThousand: number) => Math.max(1, Math.round((perSixtyThousand * children) / 60000));
  let nextUrn = firstUrn;
  const make = (phase: DemoPhase, number: number, sizeWeight: number, hasSixthForm: boolean): DemoSetting => {
    const urn = nextUrn--;
    const kind = phase === '16-plus' ? 'other' : 'school';
    const name = urn === demoSettingUrn ? demoSettingName : demoSettingNameFor(phase, number, laCode);
    return { urn, kind, name, laCode, phase, deprivation: 0, sizeWeight, effect: 0.12 * random.normal(), hasSixthForm };
  };
  const primaries = Array.from({ length: count(settingsPer60000.primary) }, (_, index) =>
    make('primary', index + 1, Math.exp(0.4 * random.normal()) * (random.uniform() < smallPrimaryShare ? 0.35 : 1), false),
  );
  const secondaries = Array.from({ length: count(settingsPer60000.secondary) }, (_, index) =>
    make('secondary', index + 1, Math.exp(0.3 * random.normal()), random.uniform() < sixthFormShare),
  );
  const colleges = Array.from({ length: count(settingsPer60000.college) }, (_, index) => make('16-plus', index + 1, Math.exp(0.2 * random.normal()), false));
  const primary = phaseSettings(primaries, random);
  const secondary = phaseSettings(secondaries, random);
  const college = phaseSettings(colleges, random);
  return { primary, secondary, college, all: [...primaries, ...secondaries, ...colleges] };
}

/**
 * Shuffles the settings into an order of deprivation (so the URN says nothing about it), records each
 * one's rank and gives the more deprived ones slightly lower effects: deprived schools face more.
 */
function phaseSettings(settings: DemoSetting[], random: SeededRandom): PhaseSettings {
  const ordered = settings.map((setting) => ({ setting, key: random.uniform() })).sort((a, b) => a.key - b.key).map(({ setting }) => setting);
  const total = ordered.reduce((sum, setting) => sum + setting.sizeWeight, 0);
  const upperEdges: number[] = [];
  let covered = 0;
  ordered.forEach((setting, index) => {
    covered += setting.sizeWeight;
    upperEdges.push(covered / total);
    setting.deprivation = ordered.length === 1 ? 0.5 : index / (ordered.length - 1);
    setting.effect -= 0.1 * (setting.deprivation - 0.5);
    setting.locality = localityOf(setting);
  });
  return {
    settings: ordered,
    at(position) {
      let low = 0;
      let high = ordered.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (upperEdges[middle]! < position) low = middle + 1;
        else high = middle;
      }
      return ordered[low]!;
    },
  };
}

/**
 * Invented place-like names (none is meant to be a real school) and the endings schools in England
 * use, so the demo's settings read like a real authority's list. A setting's name follows from its
 * phase, its number and its authority alone (no random draw), so the children generated stay the same.
 */
const nameStems = [
  'Oakfield', 'Ashgrove', 'Beechwood', 'Moorside', 'Hillcrest', 'Brookfield', 'Elmstead', 'Fernbank', 'Greenacre', 'Hollybank',
  'Kirkstall Vale', 'Larchwood', 'Meadowcroft', 'Northgate', 'Oakridge', 'Parkside', 'Queensway', 'Riverside', 'Stonegate', 'Thornhill',
  'Underbank', 'Valley View', 'Westfield', 'Windmill', 'Yewtree', 'Abbeydale', 'Birchfield', 'Castleton', 'Dale View', 'Eastbrook',
  'Foxhill', 'Gledhow Rise', 'Hawthorn', 'Ivy Bank', 'Junction Lane', 'Kingsmead', 'Lowfield', 'Millbrook', 'Newlands', 'Orchard Way',
  'Primrose Hill', 'Quarry Mount', 'Rosewood', 'Sandholme', 'Tanfield', 'Upper Moor', 'Victoria Park', 'Wharfedale', 'Aireborough', 'Bramley Fold',
  'Cliffe Hill', 'Denholme Edge', 'Edgerton', 'Fairburn', 'Grangefield', 'Heathfield', 'Ingleby', 'Jubilee', 'Keldholme', 'Lindley',
  'Marsh Lane', 'Netherfield', 'Overdale', 'Pinfold', 'Ravenscliffe', 'Springwell', 'Throstle Nest', 'Uplands', 'Woodlands', 'Ackworth Moor',
  'Bankfoot', 'Cragside', 'Dunford', 'Elland Brow', 'Fieldhead', 'Greystones', 'Hebble', 'Ings Lane', 'Knowle Park', 'Lidget Green',
];
const primaryEndings = ['Primary School', 'Community Primary School', 'Primary Academy', 'Church of England Primary School', 'Junior and Infant School', 'St Mary’s Catholic Primary School'];
const secondaryEndings = ['High School', 'Academy', 'School', 'Catholic High School', 'Church of England Academy'];

/** A number from an authority's code, so each authority's list starts somewhere else among the stems. */
function offsetOf(laCode: string): number {
  let hash = 0;
  for (const character of laCode) hash = (hash * 31 + character.charCodeAt(0)) % 9973;
  return hash;
}

/** A fictional name for the setting of a phase with this number (from 1) in an authority, unique within the authority. */
export function demoSettingNameFor(phase: DemoPhase, number: number, laCode: string): string {
  const offset = offsetOf(laCode);
  if (phase === '16-plus') return `${nameStems[(offset + 7 * number) % nameStems.length]} Sixth Form College`;
  const index = number - 1;
  // Secondaries take their stems from the other end of the list, so a primary and a secondary rarely share one.
  const stem = phase === 'primary' ? nameStems[(offset + index) % nameStems.length]! : nameStems[(offset + nameStems.length - 1 - (index % nameStems.length)) % nameStems.length]!;
  const endings = phase === 'primary' ? primaryEndings : secondaryEndings;
  const ending = endings[Math.floor(index / nameStems.length) % endings.length]!;
  // Beyond every stem with every ending (only for very large demo authorities), a number keeps names unique.
  const round = Math.floor(index / (nameStems.length * endings.length));
  const name = ending.startsWith('St ') ? `${ending}, ${stem}` : `${stem} ${ending}`;
  return round === 0 ? name : `${name} (${round + 1})`;
}
