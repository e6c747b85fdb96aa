/**
 * Synthetic child-level records for one English local authority, in the child-level data standard
 * (src/ingest/child-standard.ts): one row per child per academic year, for trying the service and for
 * tests at a realistic scale. Pure: no I/O, and the same options always give the same rows.
 *
 * The model, briefly (docs/demo-data.md gives every figure with its source):
 * - each child has lasting traits drawn once: neighbourhood deprivation, family adversity, attainment,
 *   special educational need, attendance and behaviour, and so on, all standard normal;
 * - each year, a group membership is the top share of children on a score made of those traits plus
 *   this year's shock, so the share matches the published figure and membership persists;
 * - each outcome is the top share (or a scaled score) of its cohort on a score made of the child's
 *   attainment trait, their groups, their school and noise, so gaps come from who is in which group.
 */
import { formatAcademicYear, standardColumns } from '../ingest/child-standard.js';
import { normalCdf } from '../stats/normal-cdf.js';
import { normalQuantile } from '../stats/normal-quantile.js';
import { createRandom } from '../stats/random.js';
import type { SeededRandom } from '../stats/random.js';
import { createDemoSettings } from './demo-settings.js';
import type { DemoSetting, DemoSettings } from './demo-settings.js';

export interface DemoOptions {
  /** Children on roll in each year, Reception to Year 13. */
  children: number;
  /** Consecutive academic years, ending with `lastYear`. */
  years: number;
  /** The year the last academic year starts: 2024 for 2024/25. */
  lastYear: number;
  seed: number;
  /** The authority's GSS code, written in every row's la_code. */
  laCode: string;
  /** The URN of the authority's first setting; the rest count down from it (default 999001). */
  firstUrn?: number;
}

/** The year the published figures describe: 2023/24 (January 2024 census, summer 2024 assessments). */
export const anchorYear = 2023;

/**
 * The published national figures the generator aims at in the anchor year. Shares are of children
 * on roll (or of the measure's cohort); docs/demo-data.md names the publication of each.
 */
export const publishedFigures = {
  fsm: 0.246,
  senSupport: 0.136,
  ehcPlan: 0.048,
  childInCare: 0.007,
  childInNeed: 0.033,
  childProtectionPlan: 0.004,
  eyfspGld: 0.677,
  phonicsY1: 0.8,
  ks2RwmExpected: 0.61,
  ks2RwmDisadvantaged: 0.46,
  ks2RwmOthers: 0.67,
  ks2ReadingMean: 105,
  ks2MathsMean: 104,
  attainment8Mean: 46,
  attainment8Disadvantaged: 34.6,
  attainment8Others: 50.3,
  ks4EnglishMathsGrade4: 0.65,
  persistentAbsencePrimary: 0.15,
  persistentAbsenceSecondary: 0.26,
  healthyWeightReception: 0.75,
  healthyWeightY6: 0.62,
  neet16To17: 0.055,
} as const;

/**
 * Shares with no national statistic close enough to cite: chosen to be plausible, and said to be
 * illustrative in docs/demo-data.md.
 */
const illustrativeShares = {
  disability: 0.09,
  youngCarer: 0.02,
  youngOffender: 0.005,
  vulnerableAdults: 0.06,
  earlyHelp: 0.03,
  suspendedPrimary: 0.007,
  suspendedSecondary: 0.05,
  outMigration: 0.035,
  schoolMove: 0.035,
  homeEducated: 0.005,
  previouslyLookedAfter: 0.003,
} as const;

/** Year-on-year change from the anchor year, in share (or points) a year; beyond six years it stops. */
const trends = {
  fsm: 0.011,
  senSupport: 0.006,
  ehcPlan: 0.005,
  binaryOutcome: 0.005,
  ks2Scaled: 0.2,
  attainment8: 0.3,
  persistentAbsence: -0.01,
  /**
   * Change a year in the disadvantage effect, in standard deviations of the outcome score: positive
   * narrows the gap (the effect is negative), negative widens it. 0.03 is about a point a year.
   */
  eyfspGap: 0.04,
  ks2Gap: 0.035,
  ks4Gap: -0.05,
} as const;

/** The number of national curriculum years, Reception (0) to Year 13. */
const yearGroups = 14;
const firstSecondaryYear = 7;
const firstPost16Year = 12;

/**
 * The limits of what the generator makes: an authority as large as the largest in England, and no
 * more years than the child-level standard's academic years allow.
 */
export const demoLimits = { minChildren: 100, maxChildren: 500_000, maxYears: 20, firstYear: 1990, lastYear: 2100 } as const;

/** The header row: the standard's columns, in its order. */
export function demoHeader(): string[] {
  return [...standardColumns];
}

/** The settings `generateChildRows` places the children of these options in: the same draws, in the same order. */
export function demoSettingsOf(options: DemoOptions): readonly DemoSetting[] {
  return createDemoSettings(options.children, options.laCode, createRandom(options.seed), options.firstUrn).all;
}

/**
 * Generates `options.children` rows a year for `options.years` years, one `string[]` a child-year in
 * the order of {@link demoHeader}, year by year. Memory holds one year's children, however many years.
 */
export function* generateChildRows(options: DemoOptions): Generator<string[], void, undefined> {
  checkOptions(options);
  const random = createRandom(options.seed);
  const settings = createDemoSettings(options.children, options.laCode, random, options.firstUrn);
  const identifiers = childIdentifiers(random);
  const firstYear = options.lastYear - options.years + 1;
  const world: World = { random, priorRandom: createRandom(options.seed * 7919 + 17), settings, identifiers, options, year: firstYear, yearText: formatAcademicYear(firstYear) };
  let population = startingPopulation(world);
  for (let year = firstYear; year <= options.lastYear; year++) {
    world.year = year;
    world.yearText = formatAcademicYear(year);
    if (year > firstYear) population = nextYearPopulation(world, population);
    const states = population.map((child) => freshState(child));
    assignCircumstances(world, population, states);
    assignOutcomes(world, population, states);
    for (let index = 0; index < population.length; index++) yield toRow(world, population[index]!, states[index]!);
  }
}

function checkOptions(options: DemoOptions): void {
  const { children, years, lastYear, seed } = options;
  if (!Number.isInteger(children) || children < demoLimits.minChildren || children > demoLimits.maxChildren)
    throw new RangeError(`children must be a whole number from ${demoLimits.minChildren} to ${demoLimits.maxChildren}`);
  if (!Number.isInteger(years) || years < 1 || years > demoLimits.maxYears) throw new RangeError(`years must be a whole number from 1 to ${demoLimits.maxYears}`);
  if (!Number.isInteger(lastYear) || lastYear - years + 1 < demoLimits.firstYear || lastYear > demoLimits.lastYear)
    throw new RangeError(`the years must lie between ${demoLimits.firstYear} and ${demoLimits.lastYear}`);
  if (!Number.isInteger(seed)) throw new RangeError('the seed must be a whole number');
}

// ---------------------------------------------------------------------------------------------
// Children and their lasting traits
// ---------------------------------------------------------------------------------------------

interface World {
  random: SeededRandom;
  /**
   * A stream of its own for the prior attainment key stage 4 data carries, added later: drawing it
   * from `random` would have changed every child after the first Year 11.
   */
  priorRandom: SeededRandom;
  settings: DemoSettings;
  identifiers: () => string;
  options: DemoOptions;
  year: number;
  /** The year as rows write it, `2024/25`. */
  yearText: string;
}

/** What stays with a child from year to year. Traits are standard normal unless said otherwise. */
interface Child {
  id: string;
  sex: 'F' | 'M';
  sexRecorded: boolean;
  /** A CBDS main code, or '' when not recorded. */
  ethnicity: string;
  ncy: number;
  /** Higher is more deprived: drives free school meals, IDACI and which school. */
  deprivation: number;
  /** Higher is harder: drives social care, young carers and vulnerable adults at home. */
  adversity: number;
  /** Higher is higher attainment, before group and school effects. */
  attainment: number;
  /** Higher is more special educational need. */
  need: number;
  /** IDACI decile of the child's neighbourhood: 1 is the most deprived tenth. */
  idaciDecile: number;
  fsmTrait: number;
  careTrait: number;
  attendanceTrait: number;
  behaviourTrait: number;
  carerTrait: number;
  offendingTrait: number;
  homeTrait: number;
  weightTrait: number;
  disabilityTrait: number;
  /** This year's part of the social-care and care scores: they carry over, so episodes last. */
  socialCareShock: number;
  careShock: number;
  /** Free school meals in each of the last six years, this year in bit 0. */
  fsmYears: number;
  everInCare: boolean;
  previouslyLookedAfter: boolean;
  eal: boolean;
  /** 0 to 4 for proficiency in English A (new to English) to E (fluent). */
  proficiency: number;
  asylumRefugee: boolean;
  homeEducated: boolean;
  /** Where along its phase's settings (least to most deprived) the child's family looks for a school. */
  schoolPosition: number;
  setting: DemoSetting | null;
  /** Uniform: children with low values fall through the gaps in coordination (no lead professional, no PEP). */
  coordinationGap: number;
  /** Uniform: children with low values have no trusted adult. */
  trustGap: number;
  /** The average of the child's key stage 2 reading and maths scores, once Year 6 is generated (null: no scores). */
  ks2Average?: number | null;
}

/** What is true of a child in one year. */
interface YearState {
  fsm: boolean;
  inCare: boolean;
  inNeed: boolean;
  protectionPlan: boolean;
  sen: 'N' | 'K' | 'E';
  disability: boolean;
  youngCarer: boolean;
  youngOffender: boolean;
  vulnerableAdults: boolean;
  earlyHelp: boolean;
  neet: boolean;
  neetUnknown: boolean;
  suspensions: number;
  schoolMoves: number;
  /** Outcome values as they will be written, by column name: only the few the child's year has. */
  outcomes: Record<string, string>;
}

function freshState(child: Child): YearState {
  return {
    fsm: false,
    inCare: false,
    inNeed: false,
    protectionPlan: false,
    sen: 'N',
    disability: false,
    youngCarer: false,
    youngOffender: false,
    vulnerableAdults: false,
    earlyHelp: false,
    neet: false,
    neetUnknown: false,
    suspensions: 0,
    schoolMoves: child.setting === null ? -1 : 0,
    outcomes: {},
  };
}

/**
 * Shares of pupils by CBDS main ethnicity code, close to the national pattern of the school census
 * (about 37% from minority ethnic groups); '' is not recorded. The second number is the share with
 * English as an additional language; the third weights the group among families moving in.
 */
const ethnicities: readonly (readonly [code: string, share: number, eal: number, newcomerWeight: number])[] = [
  ['WBRI', 0.618, 0.005, 0.6],
  ['WIRI', 0.002, 0.05, 1],
  ['WIRT', 0.001, 0.05, 1],
  ['WOTH', 0.078, 0.7, 3],
  ['WROM', 0.004, 0.6, 2],
  ['MWBC', 0.015, 0.03, 1],
  ['MWBA', 0.009, 0.2, 1],
  ['MWAS', 0.018, 0.15, 1],
  ['MOTH', 0.026, 0.2, 1],
  ['AIND', 0.04, 0.6, 1],
  ['APKN', 0.047, 0.7, 1],
  ['ABAN', 0.02, 0.8, 1],
  ['AOTH', 0.021, 0.8, 2],
  ['BCRB', 0.01, 0.03, 1],
  ['BAFR', 0.045, 0.55, 2],
  ['BOTH', 0.007, 0.25, 1],
  ['CHNE', 0.006, 0.6, 1],
  ['OOTH', 0.022, 0.8, 3],
  ['REFU', 0.004, 0.2, 1],
  ['NOBT', 0.004, 0.3, 1],
  ['', 0.003, 0.2, 1],
];

/** Groups among whom refugee and asylum-seeking families are most often found. */
const refugeeProneEthnicities = new Set(['WOTH', 'AOTH', 'BAFR', 'OOTH']);

function pickEthnicity(random: SeededRandom, newcomer: boolean): readonly [string, number] {
  const weight = (entry: (typeof ethnicities)[number]) => entry[1] * (newcomer ? entry[3] : 1);
  let remaining = random.uniform() * ethnicities.reduce((sum, entry) => sum + weight(entry), 0);
  for (const entry of ethnicities) {
    remaining -= weight(entry);
    if (remaining <= 0) return [entry[0], entry[2]];
  }
  const last = ethnicities[ethnicities.length - 1]!;
  return [last[0], last[2]];
}

/**
 * Identifiers shaped like unique pupil numbers: a check letter and 12 digits. The digits are a
 * counter scrambled by a seed-chosen multiplier and offset (a one-to-one map of 12-digit numbers, so
 * no two children share one); the letter is computed from the digits as a UPN's check letter is
 * (digits weighted 2 to 13, modulo 23).
 */
function childIdentifiers(random: SeededRandom): () => string {
  const modulus = 10n ** 12n;
  let multiplier = BigInt(Math.floor(random.uniform() * 1e11)) * 10n + 1n; // ends in 1: coprime with 10
  if (multiplier % 5n === 0n) multiplier += 2n;
  const offset = BigInt(Math.floor(random.uniform() * 1e12));
  let counter = 0n;
  return () => {
    const digits = ((offset + counter++ * multiplier) % modulus).toString().padStart(12, '0');
    let sum = 0;
    for (let position = 0; position < 12; position++) sum += Number(digits[position]) * (position + 2);
    return `${checkLetters[sum % 23]}${digits}`;
  };
}

const checkLetters = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * A child who joins in national curriculum year `ncy`: in Reception, moving in, or (in the first
 * year) already on roll. History before the first year (free school meals in earlier years) is
 * drawn as if the child had been here.
 */
function createChild(world: World, ncy: number, newcomer: boolean): Child {
  const { random } = world;
  const deprivation = random.normal();
  const adversity = random.normal();
  const attainment = -0.32 * deprivation - 0.12 * adversity + 0.94 * random.normal();
  const sex = random.uniform() < 0.512 ? 'M' : 'F';
  const need = -0.5 * attainment + 0.12 * deprivation + 0.1 * adversity + 0.85 * random.normal();
  const [ethnicity, ealShare] = pickEthnicity(random, newcomer);
  const eal = random.uniform() < Math.min(0.95, ealShare * (newcomer ? 1.2 : 1));
  const proficiency = eal ? startingProficiency(random, newcomer, ncy) : 4;
  const asylumShare = refugeeProneEthnicities.has(ethnicity) ? (newcomer ? 0.12 : 0.025) : newcomer ? 0.01 : 0.001;
  const asylumRefugee = random.uniform() < asylumShare;
  // Unaccompanied children seeking asylum are mostly teenagers, and looked after.
  const unaccompanied = asylumRefugee && newcomer && ncy >= 9 && random.uniform() < 0.25;
  const child: Child = {
    id: world.identifiers(),
    sex,
    sexRecorded: random.uniform() >= 0.0005,
    ethnicity,
    ncy,
    deprivation,
    adversity,
    attainment,
    need,
    idaciDecile: idaciDecileFor(deprivation, random),
    fsmTrait: random.normal(),
    careTrait: unaccompanied ? 3 : random.normal(),
    attendanceTrait: random.normal(),
    behaviourTrait: random.normal(),
    carerTrait: random.normal(),
    offendingTrait: random.normal(),
    homeTrait: random.normal(),
    weightTrait: random.normal(),
    disabilityTrait: random.normal(),
    socialCareShock: random.normal(),
    careShock: random.normal(),
    fsmYears: 0,
    everInCare: false,
    previouslyLookedAfter: random.uniform() < illustrativeShares.previouslyLookedAfter,
    eal,
    proficiency,
    asylumRefugee,
    homeEducated: ncy >= 1 && ncy <= 11 && random.uniform() < illustrativeShares.homeEducated,
    schoolPosition: 0,
    setting: null,
    coordinationGap: random.uniform(),
    trustGap: random.uniform(),
  };
  child.schoolPosition = schoolPosition(random, child);
  for (let yearsAgo = Math.min(5, ncy); yearsAgo >= 1; yearsAgo--) {
    const before = world.year - yearsAgo;
    child.fsmYears = (child.fsmYears << 1) | (fsmScore(random, child) > fsmThreshold(before) ? 1 : 0);
  }
  // Young people who start post-16 come from a secondary school, which may have a sixth form.
  child.setting = settingFor(world, child, ncy >= firstPost16Year ? world.settings.secondary.at(child.schoolPosition) : null);
  return child;
}

function startingProficiency(random: SeededRandom, newcomer: boolean, ncy: number): number {
  const shares = newcomer ? [0.25, 0.3, 0.25, 0.15, 0.05] : ncy <= 1 ? [0.08, 0.22, 0.35, 0.25, 0.1] : [0.02, 0.08, 0.25, 0.35, 0.3];
  let remaining = random.uniform();
  for (let level = 0; level < shares.length; level++) {
    remaining -= shares[level]!;
    if (remaining <= 0) return level;
  }
  return 4;
}

function schoolPosition(random: SeededRandom, child: Child): number {
  return normalCdf(0.85 * child.deprivation + 0.53 * random.normal());
}

/**
 * The child's setting this year: the same one while they stay in a phase, a new one at a change of
 * phase; none when home educated. At 16, some stay on in their school's sixth form and the rest go to
 * college, and stay there for Year 13. Young people not in education lose their setting later, when
 * that is known.
 */
function settingFor(world: World, child: Child, previous: DemoSetting | null): DemoSetting | null {
  if (child.homeEducated && child.ncy <= 11) return null;
  const { settings, random } = world;
  if (child.ncy < firstSecondaryYear) return previous?.phase === 'primary' ? previous : settings.primary.at(child.schoolPosition);
  if (child.ncy < firstPost16Year) return previous?.phase === 'secondary' ? previous : settings.secondary.at(child.schoolPosition);
  if (previous !== null && child.ncy === 13 && (previous.phase === '16-plus' || previous.hasSixthForm)) return previous;
  if (previous?.hasSixthForm === true && random.uniform() < 0.55) return previous;
  return settings.college.at(random.uniform());
}

// ---------------------------------------------------------------------------------------------
// The population from year to year
// ---------------------------------------------------------------------------------------------

function startingPopulation(world: World): Child[] {
  const { children } = world.options;
  const population: Child[] = [];
  for (let ncy = 0; ncy < yearGroups; ncy++) {
    const inYear = Math.floor(children / yearGroups) + (ncy < children % yearGroups ? 1 : 0);
    for (let count = 0; count < inYear; count++) population.push(createChild(world, ncy, false));
  }
  return population;
}

/**
 * Next year's children: Year 13 leave, some move away, everyone else goes up a year; a new Reception
 * class joins and families move in, so the total stays at `options.children`.
 */
function nextYearPopulation(world: World, population: Child[]): Child[] {
  const { random } = world;
  const staying: Child[] = [];
  for (const child of population) {
    const leaving = random.uniform() < (child.asylumRefugee ? 3 : 1) * illustrativeShares.outMigration;
    if (child.ncy >= yearGroups - 1 || leaving) continue;
    child.ncy += 1;
    child.socialCareShock = 0.8 * child.socialCareShock + 0.6 * random.normal();
    child.careShock = 0.9 * child.careShock + 0.436 * random.normal();
    if (child.eal && child.proficiency < 4 && random.uniform() < 0.35) child.proficiency += 1;
    if (!child.homeEducated && child.ncy <= 11 && random.uniform() < 0.001) child.homeEducated = true;
    if (child.ncy === firstPost16Year) child.homeEducated = false;
    child.setting = settingFor(world, child, child.setting);
    staying.push(child);
  }
  const perYearGroup = world.options.children / yearGroups;
  const reception = Math.max(0, Math.min(world.options.children - staying.length, Math.round(perYearGroup * (1 + 0.015 * random.normal()))));
  for (let count = 0; count < reception; count++) staying.push(createChild(world, 0, false));
  const movingIn = world.options.children - staying.length;
  for (let count = 0; count < movingIn; count++) staying.push(createChild(world, 1 + Math.floor(random.uniform() * (yearGroups - 1)), true));
  return staying;
}

// ---------------------------------------------------------------------------------------------
// Group memberships and coordination, year by year
// ---------------------------------------------------------------------------------------------

/** Years from the anchor year, limited so trends do not run away for distant years. */
function yearsFromAnchor(year: number): number {
  return Math.max(-6, Math.min(6, year - anchorYear));
}

function trended(base: number, perYear: number, year: number): number {
  return base + perYear * yearsFromAnchor(year);
}

function fsmScore(random: SeededRandom, child: Child): number {
  return 0.72 * child.deprivation + 0.3 * child.adversity + 0.55 * child.fsmTrait + 0.27 * random.normal();
}

/** The free-school-meals score is standard normal, so the share eligible sets its threshold. */
function fsmThreshold(year: number): number {
  return -normalQuantile(trended(publishedFigures.fsm, trends.fsm, year));
}

/**
 * Marks the `share` of items with the highest scores (among those `eligible`) and returns the marks.
 * Scores are continuous, so there are no ties to break.
 */
function topShare(scores: Float64Array, share: number, eligible?: (index: number) => boolean): Marks {
  const indexes = eligible === undefined ? null : indexesWhere(scores.length, eligible);
  return topCount(scores, Math.round(share * (indexes?.length ?? scores.length)), indexes);
}

/** 1 for the `count` highest scores among `indexes` (all when null), 0 for the rest. */
function topCount(scores: Float64Array, count: number, indexes: readonly number[] | null): Marks {
  const marks = new Uint8Array(scores.length);
  const size = indexes?.length ?? scores.length;
  if (count <= 0 || size === 0) return marks;
  const chosen = new Float64Array(size);
  for (let position = 0; position < size; position++) chosen[position] = scores[indexes === null ? position : indexes[position]!]!;
  const threshold = count >= size ? -Infinity : selectInPlace(chosen, size - count - 1);
  for (let position = 0; position < size; position++) {
    const index = indexes === null ? position : indexes[position]!;
    if (scores[index]! > threshold) marks[index] = 1;
  }
  return marks;
}

type Marks = Uint8Array;

/**
 * The value that would be at position `k` if `values` were sorted ascending, found by Hoare's
 * selection (quickselect, median-of-three pivot) in linear time on average; reorders `values`.
 */
function selectInPlace(values: Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (high > low) {
    const middle = (low + high) >> 1;
    const pivot = medianOfThree(values[low]!, values[middle]!, values[high]!);
    let left = low;
    let right = high;
    while (left <= right) {
      while (values[left]! < pivot) left++;
      while (values[right]! > pivot) right--;
      if (left <= right) {
        const swap = values[left]!;
        values[left++] = values[right]!;
        values[right--] = swap;
      }
    }
    if (k <= right) high = right;
    else if (k >= left) low = left;
    else return values[k]!;
  }
  return values[k]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

function scoresOf(population: readonly Child[], score: (child: Child, index: number) => number): Float64Array {
  const scores = new Float64Array(population.length);
  for (let index = 0; index < population.length; index++) scores[index] = score(population[index]!, index);
  return scores;
}

/** How much more often children of each age are looked after, on the care score. */
function careAgeShift(ncy: number): number {
  return ncy <= 5 ? -0.15 : ncy <= 11 ? 0.05 : 0.35;
}

/** Protection plans are most common for younger children. */
function protectionAgeShift(ncy: number): number {
  return ncy <= 6 ? 0.1 : ncy <= 11 ? -0.05 : -0.3;
}

/** SEN support is identified less in Reception and recorded less after Year 11; EHC plans grow with age. */
function senSupportAgeShift(ncy: number): number {
  return ncy === 0 ? -0.3 : ncy <= 6 ? 0.1 : ncy <= 11 ? 0 : -0.4;
}

function assignCircumstances(world: World, population: readonly Child[], states: YearState[]): void {
  const { random, year } = world;
  const size = population.length;

  const fsmCut = fsmThreshold(year);
  population.forEach((child, index) => {
    states[index]!.fsm = fsmScore(random, child) > fsmCut;
    child.fsmYears = ((child.fsmYears << 1) | (states[index]!.fsm ? 1 : 0)) & 0b111111;
  });

  const socialCare = scoresOf(population, (child) => 0.4 * child.deprivation + 0.6 * child.adversity + 0.69 * child.socialCareShock);
  const care = scoresOf(population, (child) => 0.35 * child.deprivation + 0.55 * child.adversity + 0.55 * child.careTrait + 0.52 * child.careShock + careAgeShift(child.ncy));
  const inCare = topShare(care, publishedFigures.childInCare);
  const protection = scoresOf(population, (_, index) => 0.75 * socialCare[index]! + 0.66 * random.normal() + protectionAgeShift(population[index]!.ncy));
  const protectionPlan = topShare(protection, (publishedFigures.childProtectionPlan * size) / Math.max(1, size - countMarked(inCare)), (index) => inCare[index] === 0);
  const statutory = inCare.map((value, index) => value | protectionPlan[index]!);
  const otherInNeed = topCount(socialCare, Math.round(publishedFigures.childInNeed * size) - countMarked(statutory), indexesWhere(size, (index) => statutory[index] === 0));
  const earlyHelpScore = scoresOf(population, (_, index) => socialCare[index]! + 0.3 * random.normal());
  const earlyHelp = topShare(earlyHelpScore, illustrativeShares.earlyHelp, (index) => statutory[index] === 0 && otherInNeed[index] === 0);

  const needScore = scoresOf(population, (child) => 0.95 * child.need + 0.31 * random.normal() + (child.sex === 'M' ? 0.2 : -0.2));
  const ehcPlan = topShare(
    scoresOf(population, (child, index) => needScore[index]! + 0.02 * (child.ncy - 6)),
    trended(publishedFigures.ehcPlan, trends.ehcPlan, year),
  );
  const senSupport = topCount(
    scoresOf(population, (child, index) => needScore[index]! + senSupportAgeShift(child.ncy)),
    Math.round(trended(publishedFigures.senSupport, trends.senSupport, year) * size),
    indexesWhere(size, (index) => ehcPlan[index] === 0),
  );
  const disability = topShare(
    scoresOf(population, (child, index) => 0.75 * needScore[index]! + 0.66 * child.disabilityTrait),
    illustrativeShares.disability,
  );
  const youngCarer = topShare(
    scoresOf(population, (child) => 0.5 * child.adversity + 0.15 * child.deprivation + 0.6 * child.carerTrait + 0.6 * random.normal() + 0.03 * (child.ncy - 6)),
    illustrativeShares.youngCarer,
  );
  const vulnerableAdults = topShare(
    scoresOf(population, (child) => 0.7 * child.adversity + 0.2 * child.deprivation + 0.5 * child.homeTrait + 0.45 * random.normal()),
    illustrativeShares.vulnerableAdults,
  );
  const youngOffender = topShare(
    scoresOf(population, (child) => 0.3 * child.deprivation + 0.3 * child.adversity + 0.45 * child.behaviourTrait + 0.5 * child.offendingTrait + 0.6 * random.normal() + (child.sex === 'M' ? 0.5 : 0) + 0.08 * (child.ncy - 9)),
    illustrativeShares.youngOffender,
    (index) => population[index]!.ncy >= 6,
  );

  population.forEach((child, index) => {
    const state = states[index]!;
    state.inCare = inCare[index] === 1;
    state.protectionPlan = protectionPlan[index] === 1;
    state.inNeed = statutory[index] === 1 || otherInNeed[index] === 1;
    state.earlyHelp = earlyHelp[index] === 1;
    state.sen = ehcPlan[index] === 1 ? 'E' : senSupport[index] === 1 ? 'K' : 'N';
    state.disability = disability[index] === 1;
    state.youngCarer = youngCarer[index] === 1;
    state.vulnerableAdults = vulnerableAdults[index] === 1;
    state.youngOffender = youngOffender[index] === 1;
    if (state.inCare) child.everInCare = true;
  });

  assignSuspensions(world, population, states);
  assignNeet(world, population, states);
  assignSchoolMoves(world, population, states);
}

function countMarked(marks: Marks): number {
  let count = 0;
  for (const mark of marks) count += mark;
  return count;
}

function indexesWhere(size: number, keep: (index: number) => boolean): number[] {
  const indexes: number[] = [];
  for (let index = 0; index < size; index++) if (keep(index)) indexes.push(index);
  return indexes;
}

/** Disadvantaged as the DfE defines it: free school meals in any of the last six years, or in care now or before. */
function isDisadvantaged(child: Child, state: YearState): boolean {
  return child.fsmYears !== 0 || state.inCare || child.everInCare || child.previouslyLookedAfter;
}

const senEffect = { N: 0, K: 1, E: 2.4 } as const;

function assignSuspensions(world: World, population: readonly Child[], states: YearState[]): void {
  const { random } = world;
  const behaviour = scoresOf(
    population,
    (child, index) => 0.3 * child.deprivation + 0.3 * child.adversity + 0.15 * senEffect[states[index]!.sen] + 0.75 * child.behaviourTrait + 0.45 * random.normal() + (child.sex === 'M' ? 0.25 : 0),
  );
  const onRoll = (index: number) => population[index]!.setting !== null;
  const primary = topShare(behaviour, illustrativeShares.suspendedPrimary, (index) => onRoll(index) && population[index]!.ncy >= 1 && population[index]!.ncy <= 6);
  const secondary = topShare(behaviour, illustrativeShares.suspendedSecondary, (index) => onRoll(index) && population[index]!.ncy >= 7 && population[index]!.ncy <= 11);
  states.forEach((state, index) => {
    // Pupils suspended once are often suspended again: about three suspensions each on average.
    if (primary[index] === 1 || secondary[index] === 1) state.suspensions = Math.min(60, 1 + Math.floor(-2.6 * Math.log(random.uniform())));
  });
}

/** Not in education, employment or training at 16 and 17: a young person who is has no setting. */
function assignNeet(world: World, population: readonly Child[], states: YearState[]): void {
  const { random } = world;
  const score = scoresOf(population, (child, index) => {
    const state = states[index]!;
    return -0.45 * child.attainment + 0.25 * child.deprivation + 0.25 * child.adversity + (state.inCare ? 0.6 : 0) + (state.sen === 'E' ? 0.4 : 0) + 0.7 * random.normal();
  });
  const neet = topShare(score, publishedFigures.neet16To17, (index) => population[index]!.ncy >= firstPost16Year);
  population.forEach((child, index) => {
    if (child.ncy < firstPost16Year) return;
    const state = states[index]!;
    state.neet = neet[index] === 1;
    state.neetUnknown = random.uniform() < 0.015;
    if (state.neet) {
      child.setting = null;
      state.schoolMoves = -1;
    } else if (child.setting === null) {
      child.setting = world.settings.college.at(random.uniform());
      state.schoolMoves = 0;
    }
  });
}

/** Moves between schools within the year: more often for children in care, whose placements move them. */
function assignSchoolMoves(world: World, population: readonly Child[], states: YearState[]): void {
  const { random, settings } = world;
  population.forEach((child, index) => {
    const state = states[index]!;
    if (child.setting === null || child.ncy >= firstPost16Year) return;
    const chance = illustrativeShares.schoolMove * (state.inCare ? 4 : 1);
    if (random.uniform() >= chance) return;
    state.schoolMoves = random.uniform() < 0.15 ? 2 : 1;
    child.schoolPosition = schoolPosition(random, child);
    child.setting = child.ncy < firstSecondaryYear ? settings.primary.at(child.schoolPosition) : settings.secondary.at(child.schoolPosition);
  });
}

// ---------------------------------------------------------------------------------------------
// Outcomes, cohort by cohort
// ---------------------------------------------------------------------------------------------

/**
 * The disadvantage effect on each outcome score (in standard deviations), tuned so that the gaps come
 * out near the published ones in the anchor year, and how it changes from year to year.
 */
const disadvantageEffect = { eyfsp: -0.17, phonics: -0.25, ks2: -0.12, ks4: -0.5 } as const;

function disadvantageEffectIn(base: number, trendPerYear: number, year: number): number {
  return base + trendPerYear * yearsFromAnchor(year);
}

interface Cohort {
  children: Child[];
  states: YearState[];
}

function cohortOf(population: readonly Child[], states: YearState[], keep: (child: Child, state: YearState) => boolean): Cohort {
  const cohort: Cohort = { children: [], states: [] };
  population.forEach((child, index) => {
    if (!keep(child, states[index]!)) return;
    cohort.children.push(child);
    cohort.states.push(states[index]!);
  });
  return cohort;
}

function assignOutcomes(world: World, population: readonly Child[], states: YearState[]): void {
  const onRollIn = (ncy: number) => cohortOf(population, states, (child) => child.ncy === ncy && child.setting !== null);
  earlyYearsOutcomes(world, onRollIn(0));
  phonicsOutcomes(world, onRollIn(1));
  keyStage2Outcomes(world, onRollIn(6));
  keyStage4Outcomes(world, onRollIn(11));
  healthyWeight(world, onRollIn(0), 'healthy_weight_reception', publishedFigures.healthyWeightReception);
  healthyWeight(world, onRollIn(6), 'healthy_weight_y6', publishedFigures.healthyWeightY6);
  attendance(world, cohortOf(population, states, (child) => child.ncy >= 1 && child.ncy < firstSecondaryYear && child.setting !== null), publishedFigures.persistentAbsencePrimary);
  attendance(world, cohortOf(population, states, (child) => child.ncy >= firstSecondaryYear && child.ncy <= 11 && child.setting !== null), publishedFigures.persistentAbsenceSecondary);
}

/** The parts of an attainment score every phase shares: the child's school, SEN and new-to-English. */
function attainmentContext(child: Child, state: YearState): number {
  const newToEnglish = child.eal && child.proficiency <= 1 ? -0.35 : 0;
  return (child.setting?.effect ?? 0) - 0.35 * senEffect[state.sen] + newToEnglish + (state.inCare ? -0.2 : 0);
}

const yesNo = (value: boolean) => (value ? 'Y' : 'N');

/** Marks the top share of a cohort's scores Y and the rest N in `column`; a few are left blank (not assessed). */
function binaryOutcome(world: World, cohort: Cohort, column: string, share: number, score: (child: Child, state: YearState) => number, blankShare: number): void {
  const scores = Float64Array.from(cohort.children, (child, index) => score(child, cohort.states[index]!));
  const met = topShare(scores, share);
  cohort.states.forEach((state, index) => setOutcome(state, column, world.random.uniform() < blankShare ? '' : yesNo(met[index] === 1)));
}

function earlyYearsOutcomes(world: World, cohort: Cohort): void {
  const { random, year } = world;
  const effect = disadvantageEffectIn(disadvantageEffect.eyfsp, trends.eyfspGap, year);
  binaryOutcome(
    world,
    cohort,
    'eyfsp_gld',
    trended(publishedFigures.eyfspGld, trends.binaryOutcome, year),
    (child, state) => 0.7 * child.attainment + 0.6 * random.normal() + attainmentContext(child, state) + (isDisadvantaged(child, state) ? effect : 0) + (child.sex === 'M' ? -0.35 : 0),
    0.01,
  );
}

function phonicsOutcomes(world: World, cohort: Cohort): void {
  const { random, year } = world;
  binaryOutcome(
    world,
    cohort,
    'phonics_y1_met',
    trended(publishedFigures.phonicsY1, trends.binaryOutcome, year),
    (child, state) => 0.75 * child.attainment + 0.55 * random.normal() + attainmentContext(child, state) + (isDisadvantaged(child, state) ? disadvantageEffect.phonics : 0) + (child.sex === 'M' ? -0.15 : 0),
    0.015,
  );
}

function standardised(values: Float64Array): Float64Array {
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / Math.max(1, values.length);
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  const deviation = Math.sqrt(squares / Math.max(1, values.length - 1)) || 1;
  return values.map((value) => (value - mean) / deviation);
}

/**
 * Key stage 2: reading and maths scaled scores (80 to 120; below 80 is not awarded a score) and the
 * expected standard in reading, writing and maths, which needs 100 in both tests and writing at the
 * expected standard. Absent pupils and those working below the tests have no scores and did not meet it.
 */
function keyStage2Outcomes(world: World, cohort: Cohort): void {
  const { random, year } = world;
  const effect = disadvantageEffectIn(disadvantageEffect.ks2, trends.ks2Gap, year);
  const base = cohort.children.map((child, index) => {
    const state = cohort.states[index]!;
    return 0.85 * child.attainment + 0.3 * random.normal() + attainmentContext(child, state) + (isDisadvantaged(child, state) ? effect : 0);
  });
  const girl = (index: number) => (cohort.children[index]!.sex === 'F' ? 0.12 : -0.12);
  const reading = standardised(Float64Array.from(base, (value, index) => value + 0.45 * random.normal() + girl(index)));
  const maths = standardised(Float64Array.from(base, (value, index) => value + 0.45 * random.normal() - 0.5 * girl(index)));
  const writing = Float64Array.from(base, (value, index) => value + 0.5 * random.normal() + 1.5 * girl(index));
  const readingMean = trended(publishedFigures.ks2ReadingMean, trends.ks2Scaled, year);
  const mathsMean = trended(publishedFigures.ks2MathsMean, trends.ks2Scaled, year);
  const scaled = (mean: number, deviation: number): number | null => {
    const score = Math.round(mean + 6.8 * deviation);
    return score < 80 ? null : Math.min(120, score);
  };
  const scores = cohort.children.map((child, index) => {
    const state = cohort.states[index]!;
    const absent = random.uniform() < 0.01;
    const workingBelowTests = (state.sen === 'E' && random.uniform() < 0.4) || (state.sen === 'K' && random.uniform() < 0.02);
    if (absent || workingBelowTests) return { reading: null, maths: null };
    return { reading: scaled(readingMean, reading[index]!), maths: scaled(mathsMean, maths[index]!) };
  });
  const passedTests = indexesWhere(cohort.children.length, (index) => (scores[index]!.reading ?? 0) >= 100 && (scores[index]!.maths ?? 0) >= 100);
  const target = Math.round(trended(publishedFigures.ks2RwmExpected, trends.binaryOutcome, year) * cohort.children.length);
  const expected = topCount(writing, target, passedTests);
  cohort.states.forEach((state, index) => {
    const { reading: readingScore, maths: mathsScore } = scores[index]!;
    cohort.children[index]!.ks2Average = readingScore === null && mathsScore === null ? null : ((readingScore ?? mathsScore!) + (mathsScore ?? readingScore!)) / 2;
    setOutcome(state, 'ks2_reading_scaled', readingScore === null ? '' : String(readingScore));
    setOutcome(state, 'ks2_maths_scaled', mathsScore === null ? '' : String(mathsScore));
    setOutcome(state, 'ks2_rwm_expected', random.uniform() < 0.005 ? '' : yesNo(expected[index] === 1));
  });
}

/**
 * Key stage 4: Attainment 8 (0 to 90; most scores whole, some with a half point from other
 * qualifications, a soft ceiling because few pupils score 9 in everything) and grade 4 or above in
 * both English and maths.
 */
function keyStage4Outcomes(world: World, cohort: Cohort): void {
  const { random, year } = world;
  const effect = disadvantageEffectIn(disadvantageEffect.ks4, trends.ks4Gap, year);
  const base = Float64Array.from(cohort.children, (child, index) => {
    const state = cohort.states[index]!;
    return 0.85 * child.attainment + 0.35 * random.normal() + attainmentContext(child, state) + (isDisadvantaged(child, state) ? effect : 0) + (child.sex === 'M' ? -0.1 : 0);
  });
  const attainment8 = standardised(base);
  const mean = trended(publishedFigures.attainment8Mean, trends.attainment8, year);
  const englishMaths = Float64Array.from(base, (value) => value + 0.35 * random.normal());
  const grade4 = topShare(englishMaths, trended(publishedFigures.ks4EnglishMathsGrade4, trends.binaryOutcome, year));
  const prior = carriedPriorAttainment(world, cohort);
  cohort.states.forEach((state, index) => {
    setOutcome(state, 'ks2_prior_average', prior[index] ?? '');
    let score = mean + 18.5 * attainment8[index]!;
    if (score > 75) score = 75 + 0.6 * (score - 75);
    score = Math.max(0, Math.min(90, score));
    const rounded = random.uniform() < 0.15 ? Math.round(score * 2) / 2 : Math.round(score);
    setOutcome(state, 'ks4_attainment8', random.uniform() < 0.005 ? '' : String(rounded));
    setOutcome(state, 'ks4_eng_maths_grade4', random.uniform() < 0.005 ? '' : yesNo(grade4[index] === 1 && rounded > 0));
  });
}

/**
 * The key stage 2 prior attainment key stage 4 data carries: the pupil's own Year 6 average where the
 * demo generated it; otherwise drawn from the same lasting attainment, as the pupil's Year 6 scores
 * would have been (mean and spread of the average of two scaled scores). Pupils who arrived from
 * abroad after Year 6 and some with the highest needs have none.
 */
function carriedPriorAttainment(world: World, cohort: Cohort): string[] {
  const random = world.priorRandom;
  const drawn = standardised(Float64Array.from(cohort.children, (child, index) => 0.85 * child.attainment + 0.3 * random.normal() + attainmentContext(child, cohort.states[index]!)));
  const mean = trended((publishedFigures.ks2ReadingMean + publishedFigures.ks2MathsMean) / 2, trends.ks2Scaled, world.year - 5);
  return cohort.children.map((child, index) => {
    if (child.ks2Average !== undefined) return child.ks2Average === null ? '' : String(child.ks2Average);
    const arrivedAfterYear6 = child.asylumRefugee || (child.eal && child.proficiency <= 1);
    const noScores = (cohort.states[index]!.sen === 'E' && random.uniform() < 0.3) || random.uniform() < 0.02;
    if (arrivedAfterYear6 || noScores) return '';
    return String(Math.min(120, Math.max(80, Math.round((mean + 6.2 * drawn[index]!) * 2) / 2)));
  });
}

/** The National Child Measurement Programme: the unhealthy-weight share rises with deprivation; some are not measured. */
function healthyWeight(world: World, cohort: Cohort, column: string, share: number): void {
  const { random } = world;
  binaryOutcome(world, cohort, column, share, (child) => -(0.2 * child.deprivation + 0.1 * child.adversity + 0.7 * child.weightTrait + 0.68 * random.normal()), 0.05);
}

/**
 * Attendance: absence is log-normal, its spread fixed and its level set so that the published share
 * of pupils are persistently absent (attendance below 90%). Children in need miss the most; those in
 * care attend better than other children in need.
 */
function attendance(world: World, cohort: Cohort, persistentAbsence: number): void {
  const { random, year } = world;
  const scores = standardised(
    Float64Array.from(cohort.children, (child, index) => {
      const state = cohort.states[index]!;
      const groups =
        (state.inNeed && !state.inCare ? 0.4 : 0) + 0.15 * senEffect[state.sen] + (isDisadvantaged(child, state) ? 0.2 : 0) + (state.youngCarer ? 0.3 : 0);
      return 0.3 * child.deprivation + 0.2 * child.adversity + 0.6 * child.attendanceTrait + 0.55 * random.normal() + groups;
    }),
  );
  const spread = 0.8;
  const share = Math.max(0.02, trended(persistentAbsence, trends.persistentAbsence, year));
  const sorted = Float64Array.from(scores).sort();
  const cut = sorted[Math.max(0, Math.min(sorted.length - 1, Math.floor((1 - share) * sorted.length)))] ?? 0;
  const level = Math.log(10) - spread * cut;
  cohort.states.forEach((state, index) => {
    const absence = Math.min(100, Math.exp(level + spread * scores[index]!));
    setOutcome(state, 'attendance_pct', random.uniform() < 0.005 ? '' : (100 - absence).toFixed(1));
  });
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

const columnIndex = new Map(standardColumns.map((name, index) => [name, index]));

function setOutcome(state: YearState, column: string, value: string): void {
  state.outcomes[column] = value;
}

function put(row: string[], column: string, value: string): void {
  const index = columnIndex.get(column);
  if (index === undefined) throw new Error(`demo data: the standard has no column ${column}`);
  row[index] = value;
}

/** The text of a flag with a small chance of being unknown (blank), as real records have. */
function flag(random: SeededRandom, value: boolean, unknownShare: number): string {
  return random.uniform() < unknownShare ? '' : yesNo(value);
}

function toRow(world: World, child: Child, state: YearState): string[] {
  const { random } = world;
  const row = new Array<string>(standardColumns.length).fill('');
  const set = (column: string, value: string) => put(row, column, value);
  set('child_id', child.id);
  set('academic_year', world.yearText);
  set('la_code', world.options.laCode);
  set('setting_urn', child.setting === null ? '' : String(child.setting.urn));
  set('ncy', child.ncy === 0 ? 'R' : String(child.ncy));
  set('sex', child.sexRecorded ? child.sex : '');
  set('idaci_decile', random.uniform() < 0.005 ? '' : String(child.idaciDecile));

  const fsm = flag(random, state.fsm, 0.003);
  set('fsm', fsm);
  const disadvantaged = isDisadvantaged(child, state);
  // Without this year's free-school-meals status, disadvantage is known only when something else shows it.
  set('disadvantaged', fsm === '' && !disadvantaged ? '' : yesNo(disadvantaged));
  set('child_in_care', flag(random, state.inCare, 0.001));
  set('child_protection_plan', flag(random, state.protectionPlan, 0.001));
  set('child_in_need', flag(random, state.inNeed, 0.002));
  set('disability', flag(random, state.disability, 0.04));
  set('sen_provision', random.uniform() < 0.003 ? '' : state.sen);
  set('ethnicity', child.ethnicity);
  const eal = flag(random, child.eal, 0.005);
  set('eal', eal);
  set('english_proficiency', eal === 'Y' && random.uniform() >= 0.08 ? 'ABCDE'[child.proficiency]! : '');
  set('young_carer', flag(random, state.youngCarer, 0.05));
  set('young_offender', child.ncy >= 6 ? flag(random, state.youngOffender, 0.01) : 'N');
  set('vulnerable_adults', flag(random, state.vulnerableAdults, 0.08));
  set('asylum_refugee', flag(random, child.asylumRefugee, 0.02));

  const suspensionYear = child.ncy >= 1 && child.ncy <= 11 && child.setting !== null;
  set('excluded', flag(random, state.suspensions > 0, 0.003));
  set('suspensions', suspensionYear ? String(state.suspensions) : '');
  setCoordination(random, child, state, set);
  for (const column in state.outcomes) set(column, state.outcomes[column]!);
  if (child.ncy >= firstPost16Year) set('neet_16_17', state.neetUnknown ? '' : yesNo(state.neet));
  return row;
}

/** The neighbourhood's IDACI decile follows the child's deprivation closely but not exactly. */
function idaciDecileFor(deprivation: number, random: SeededRandom): number {
  const share = normalCdf(-(0.9 * deprivation + 0.44 * random.normal()));
  return Math.min(10, 1 + Math.floor(share * 10));
}

/**
 * Who is working with the child. Most children known to social care have a lead professional and a
 * trusted adult, but a persistent minority do not: the ones the service exists to find.
 */
function setCoordination(random: SeededRandom, child: Child, state: YearState, set: (column: string, value: string) => void): void {
  const statutory = state.inNeed || state.inCare || state.protectionPlan;
  const vulnerable = statutory || state.earlyHelp || state.sen === 'E' || state.youngCarer || state.youngOffender;
  const leadShare = state.protectionPlan ? 0.97 : state.inCare ? 0.95 : state.inNeed ? 0.88 : state.earlyHelp ? 0.85 : state.youngOffender ? 0.8 : state.sen === 'E' ? 0.3 : 0;
  set('lead_professional', flag(random, child.coordinationGap >= 1 - leadShare, 0.01));
  const trustedShare = vulnerable ? 0.85 : 0.93;
  set('trusted_adult', random.uniform() < (vulnerable ? 0.03 : 0.05) ? '' : yesNo(child.trustGap >= 1 - trustedShare));
  set('early_help_assessment', flag(random, state.earlyHelp, 0.01));
  const teamShare = state.earlyHelp ? 0.7 : statutory && !state.inCare ? 0.35 : state.sen === 'E' ? 0.25 : 0.005;
  set('team_around_child', flag(random, random.uniform() < teamShare, 0.01));
  set('personal_education_plan', state.inCare ? yesNo(child.coordinationGap >= 0.06) : '');
  set('placement_moves', state.inCare ? String(placementMoves(random)) : '');
  set('school_moves', state.schoolMoves < 0 ? '' : String(state.schoolMoves));
}

/** Placement moves in the year for a child in care: most have none, about one in ten two or more (three or more placements). */
function placementMoves(random: SeededRandom): number {
  const draw = random.uniform();
  return draw < 0.68 ? 0 : draw < 0.9 ? 1 : draw < 0.97 ? 2 : 3 + Math.floor(random.uniform() * 3);
}
