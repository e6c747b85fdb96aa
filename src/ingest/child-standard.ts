/**
 * The child-level data standard: one row per child per academic year. docs/data-standards.md is
 * the same standard written for the people who prepare the files; change both together.
 */

export type OutcomeId = 'be-healthy' | 'stay-safe' | 'enjoy-and-achieve' | 'make-a-positive-contribution' | 'achieve-economic-well-being';

export type MeasureType = 'binary' | 'continuous' | 'count';
export type Polarity = 'higher-is-better' | 'lower-is-better';

export interface MeasureDefinition {
  name: string;
  label: string;
  outcome: OutcomeId;
  type: MeasureType;
  /** Inclusive valid range for continuous and count measures. */
  min?: number;
  max?: number;
  /** Whole numbers only (scaled scores, counts). */
  integer?: boolean;
  polarity: Polarity;
  /** The national collection the measure comes from. */
  collection: string;
  /** The children the measure is about, in words. */
  cohort: string;
  /**
   * Framework groups whose membership is decided by this measure itself (poor attendance is
   * attendance below 90%), so the group's gap on it says nothing new: rankings leave those pairs out.
   */
  definesGroups?: readonly string[];
  /** Worked out from the records after each load (coverage, progress), not a column of the standard. */
  derived?: 'coverage' | 'progress';
}

/** The default indicator set, in the order pages show it. */
export const measures: readonly MeasureDefinition[] = [
  {
    name: 'eyfsp_gld',
    label: 'Good level of development at the end of Reception',
    outcome: 'enjoy-and-achieve',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'Early years foundation stage profile (EYFSP) return',
    cohort: 'Children at the end of Reception (national curriculum year 0)',
  },
  {
    name: 'phonics_y1_met',
    label: 'Met the expected standard in the Year 1 phonics screening check',
    outcome: 'enjoy-and-achieve',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'Phonics screening check (key stage 1 assessment data collection)',
    cohort: 'Pupils in Year 1',
  },
  {
    name: 'ks2_rwm_expected',
    label: 'Reached the expected standard in reading, writing and maths at key stage 2',
    outcome: 'enjoy-and-achieve',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'Key stage 2 assessments (national curriculum tests and teacher assessment)',
    cohort: 'Pupils at the end of Year 6',
  },
  {
    name: 'ks2_reading_scaled',
    label: 'Key stage 2 reading scaled score',
    outcome: 'enjoy-and-achieve',
    type: 'continuous',
    min: 80,
    max: 120,
    integer: true,
    polarity: 'higher-is-better',
    collection: 'Key stage 2 national curriculum tests',
    cohort: 'Pupils at the end of Year 6 who took the test',
  },
  {
    name: 'ks2_maths_scaled',
    label: 'Key stage 2 maths scaled score',
    outcome: 'enjoy-and-achieve',
    type: 'continuous',
    min: 80,
    max: 120,
    integer: true,
    polarity: 'higher-is-better',
    collection: 'Key stage 2 national curriculum tests',
    cohort: 'Pupils at the end of Year 6 who took the test',
  },
  {
    name: 'ks4_attainment8',
    label: 'Attainment 8 score',
    outcome: 'enjoy-and-achieve',
    type: 'continuous',
    min: 0,
    max: 90,
    polarity: 'higher-is-better',
    collection: 'Key stage 4 performance data (school and college performance measures)',
    cohort: 'Pupils at the end of Year 11',
  },
  {
    name: 'ks4_eng_maths_grade4',
    label: 'Grade 4 or above in English and maths GCSEs',
    outcome: 'enjoy-and-achieve',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'Key stage 4 performance data (school and college performance measures)',
    cohort: 'Pupils at the end of Year 11',
  },
  {
    name: 'attendance_pct',
    label: 'Attendance (percentage of possible sessions)',
    outcome: 'enjoy-and-achieve',
    type: 'continuous',
    min: 0,
    max: 100,
    polarity: 'higher-is-better',
    collection: 'School census attendance data',
    cohort: 'Pupils of compulsory school age (Year 1 to Year 11)',
    definesGroups: ['poor-attendance'],
  },
  {
    name: 'suspensions',
    label: 'Suspensions in the year',
    outcome: 'make-a-positive-contribution',
    type: 'count',
    min: 0,
    max: 200,
    integer: true,
    polarity: 'lower-is-better',
    collection: 'Exclusions (suspensions and permanent exclusions) in the school census',
    cohort: 'Pupils on roll in the year',
    definesGroups: ['excluded-from-school'],
  },
  {
    name: 'healthy_weight_reception',
    label: 'Healthy weight in Reception',
    outcome: 'be-healthy',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'National Child Measurement Programme (NCMP)',
    cohort: 'Children measured in Reception',
  },
  {
    name: 'healthy_weight_y6',
    label: 'Healthy weight in Year 6',
    outcome: 'be-healthy',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: 'National Child Measurement Programme (NCMP)',
    cohort: 'Children measured in Year 6',
  },
  {
    name: 'neet_16_17',
    label: 'Not in education, employment or training at 16 and 17',
    outcome: 'achieve-economic-well-being',
    type: 'binary',
    polarity: 'lower-is-better',
    collection: 'Client caseload information system (CCIS) return on young people’s participation',
    cohort: 'Young people of academic age 16 and 17',
  },
];

/**
 * The fields that say which groups a child is in, in the order of the template: the one list of them
 * (the framework's group rules, the import, the demo and the template all read it).
 */
export const groupColumns = [
  'disadvantaged',
  'fsm',
  'child_in_care',
  'child_in_need',
  'child_protection_plan',
  'disability',
  'sen_provision',
  'excluded',
  'ethnicity',
  'eal',
  'english_proficiency',
  'young_carer',
  'young_offender',
  'vulnerable_adults',
  'asylum_refugee',
] as const;

export const codedColumns = ['sen_provision', 'ethnicity', 'english_proficiency'] as const;

export type MembershipFlag = Exclude<(typeof groupColumns)[number], (typeof codedColumns)[number]>;

/** Yes/no fields: blank means unknown, never "no". */
export const membershipFlags: readonly MembershipFlag[] = groupColumns.filter((column): column is MembershipFlag => !(codedColumns as readonly string[]).includes(column));

export const coordinationFlags = ['trusted_adult', 'lead_professional', 'early_help_assessment', 'team_around_child', 'personal_education_plan'] as const;
export const coordinationCounts = ['placement_moves', 'school_moves'] as const;

/**
 * Prior attainment that a later collection carries for each pupil: key stage 4 data holds the pupil's
 * key stage 2 average of the reading and maths scaled scores, the starting point of progress to
 * Attainment 8 when the pupil's own Year 6 record is not held.
 */
export const priorAttainmentColumns = ['ks2_prior_average'] as const;
export type PriorAttainmentColumn = (typeof priorAttainmentColumns)[number];

export type CoordinationFlag = (typeof coordinationFlags)[number];
export type CoordinationCount = (typeof coordinationCounts)[number];

export const requiredColumns = ['child_id', 'academic_year', 'la_code'] as const;
export const contextColumns = ['setting_urn', 'ncy', 'sex', 'idaci_decile'] as const;
/** Every column the standard knows, in the order of the template. */
export const standardColumns: readonly string[] = [
  ...requiredColumns,
  ...contextColumns,
  ...groupColumns,
  ...coordinationFlags,
  ...coordinationCounts,
  ...priorAttainmentColumns,
  ...measures.map((measure) => measure.name),
];

export const senProvisionCodes = ['N', 'K', 'E'] as const;
export const englishProficiencyCodes = ['A', 'B', 'C', 'D', 'E'] as const;

/**
 * CBDS ethnicity codes (common basic data set, field D00005 and its extended list), each with the
 * main code it rolls up to. REFU (refused) and NOBT (not yet obtained) are unknowns.
 */
export const ethnicityMainCode: Readonly<Record<string, string>> = Object.freeze({
  ...rollUp('WBRI', ['WBRI', 'WCOR', 'WENG', 'WSCO', 'WWEL', 'WOWB']),
  ...rollUp('WIRI', ['WIRI']),
  ...rollUp('WIRT', ['WIRT']),
  ...rollUp('WOTH', ['WOTH', 'WALB', 'WBOS', 'WCRO', 'WGRE', 'WGRK', 'WGRC', 'WITA', 'WKOS', 'WPOR', 'WSER', 'WTUR', 'WTUK', 'WTUC', 'WEUR', 'WEEU', 'WWEU', 'WOTW']),
  ...rollUp('WROM', ['WROM', 'WROG', 'WROR', 'WROO']),
  ...rollUp('MWBC', ['MWBC']),
  ...rollUp('MWBA', ['MWBA']),
  ...rollUp('MWAS', ['MWAS']),
  ...rollUp('MOTH', ['MOTH', 'MAOE', 'MABL', 'MACH', 'MBOE', 'MCOE', 'MWOE', 'MWCH', 'MOTM']),
  ...rollUp('AIND', ['AIND']),
  ...rollUp('APKN', ['APKN', 'AMPK', 'AKPA', 'AOPK']),
  ...rollUp('ABAN', ['ABAN']),
  ...rollUp('AOTH', ['AOTH', 'AAFR', 'AKAO', 'ANEP', 'ASNL', 'ASLT', 'ASRO', 'AOTA']),
  ...rollUp('BCRB', ['BCRB']),
  ...rollUp('BAFR', ['BAFR', 'BANN', 'BCON', 'BGHA', 'BNGN', 'BSLN', 'BSOM', 'BSUD', 'BAOF']),
  ...rollUp('BOTH', ['BOTH', 'BEUR', 'BNAM', 'BOTB']),
  ...rollUp('CHNE', ['CHNE', 'CHKC', 'CMAL', 'CSNG', 'CTWN', 'COCH']),
  ...rollUp('OOTH', ['OOTH', 'OAFG', 'OARA', 'OEGY', 'OFIL', 'OIRN', 'OIRQ', 'OJPN', 'OKOR', 'OKRD', 'OLAM', 'OLEB', 'OLIB', 'OMAL', 'OMRC', 'OPOL', 'OTHA', 'OVIE', 'OYEM', 'OOEG']),
  ...rollUp('REFU', ['REFU']),
  ...rollUp('NOBT', ['NOBT']),
});

function rollUp(main: string, codes: readonly string[]): Record<string, string> {
  return Object.fromEntries(codes.map((code) => [code, main]));
}

export const unknownEthnicityCodes = ['REFU', 'NOBT'] as const;

/** `2023/24`, `2023-24` or `202324` → 2023, the year the academic year starts; undefined otherwise. */
export function parseAcademicYear(text: string): number | undefined {
  const match = /^(\d{4})(?:[/-]?)(\d{2})$/.exec(text.trim());
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if ((start + 1) % 100 !== end || start < 1990 || start > 2100) return undefined;
  return start;
}

/** 2023 → `2023/24`. */
export function formatAcademicYear(start: number): string {
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

const trueWords = new Set(['y', 'yes', '1', 'true']);
const falseWords = new Set(['n', 'no', '0', 'false']);

/** Y/N, 1/0, true/false (any case): true or false; blank: null (unknown); anything else: undefined. */
export function parseFlag(text: string): boolean | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === '') return null;
  if (trueWords.has(value)) return true;
  if (falseWords.has(value)) return false;
  return undefined;
}

/** National curriculum year: N1 -2, N2 -1, R 0, then 1 to 14. */
export function parseNcy(text: string): number | undefined {
  const value = text.trim().toUpperCase();
  if (value === 'R') return 0;
  if (value === 'N1') return -2;
  if (value === 'N2') return -1;
  if (!/^-?\d{1,2}$/.test(value)) return undefined;
  const year = Number(value);
  return year >= -2 && year <= 14 ? year : undefined;
}
