/**
 * Progress of individual pupils between two points, as the Department for Education's value-added
 * progress measures work (docs/methods.md, "Progress of individual pupils"): pupils are put in bands
 * by their starting point; what was expected of a pupil is the mean outcome of all pupils in the
 * authority who started in the same band; progress is the outcome less what was expected. Then a
 * label, by margins stated here. Pure: progress-sql.ts computes the same over a whole authority, and
 * a test holds the two equal.
 */

export const progressPairIds = ['eyfsp_phonics', 'ks2_ks4', 'attendance'] as const;
export type ProgressPairId = (typeof progressPairIds)[number];

export const progressLabels = ['not-enough-data', 'stuck', 'coasting', 'underperforming', 'as-expected'] as const;
export type ProgressLabel = (typeof progressLabels)[number];

export const progressLabelText: Readonly<Record<ProgressLabel, string>> = {
  'not-enough-data': 'Not enough data',
  stuck: 'Stuck',
  coasting: 'Coasting',
  underperforming: 'Underperforming',
  'as-expected': 'As expected or better',
};

export interface ProgressBand {
  /** Inclusive lower end; the band runs up to the next band's lower end. */
  from: number;
  label: string;
}

export interface ProgressPair {
  id: ProgressPairId;
  /** The gap-matrix indicator of this progress. */
  indicator: string;
  label: string;
  prior: string;
  outcome: string;
  /** Academic years from the starting point to the outcome. */
  yearsBetween: number;
  /** Bands of the starting point, ascending. */
  bands: readonly ProgressBand[];
  /** Below this at the start, the pupil started below the expected standard. */
  priorStandard: number;
  /** Below this at the end, the pupil is still below it. */
  outcomeStandard: number;
  /** At or above this at the start is high prior attainment (for coasting). */
  highPrior: number;
  /** Progress at or below minus this is underperforming. */
  margin: number;
  /** With high prior attainment, progress at or below minus this is coasting. */
  wellBelow: number;
  /** The unit progress is counted in. */
  unit: string;
}

/** Pupils with both points a band needs before what is expected of it is worked out. */
export const minimumBandSize = 10;

export const progressPairs: readonly ProgressPair[] = [
  {
    id: 'eyfsp_phonics',
    indicator: 'progress_eyfsp_phonics',
    label: 'Progress from the end of Reception to the Year 1 phonics check',
    prior: 'Good level of development at the end of Reception (EYFSP)',
    outcome: 'Met the expected standard in the Year 1 phonics check (100 met, 0 not)',
    yearsBetween: 1,
    bands: [
      { from: 0, label: 'Not a good level of development' },
      { from: 1, label: 'Good level of development' },
    ],
    priorStandard: 1,
    outcomeStandard: 100,
    highPrior: 1,
    margin: 50,
    wellBelow: 50,
    unit: 'percentage points',
  },
  {
    id: 'ks2_ks4',
    indicator: 'progress_ks2_ks4',
    label: 'Progress from key stage 2 to Attainment 8',
    prior: 'Key stage 2 average of the reading and maths scaled scores',
    outcome: 'Attainment 8 score',
    yearsBetween: 5,
    bands: [
      { from: 80, label: 'Below 90' },
      { from: 90, label: '90 to under 94' },
      { from: 94, label: '94 to under 96' },
      { from: 96, label: '96 to under 98' },
      { from: 98, label: '98 to under 100' },
      { from: 100, label: '100 to under 102' },
      { from: 102, label: '102 to under 104' },
      { from: 104, label: '104 to under 106' },
      { from: 106, label: '106 to under 108' },
      { from: 108, label: '108 to under 110' },
      { from: 110, label: '110 to under 112' },
      { from: 112, label: '112 to under 115' },
      { from: 115, label: '115 and above' },
    ],
    priorStandard: 100,
    outcomeStandard: 40,
    highPrior: 110,
    margin: 5,
    wellBelow: 10,
    unit: 'Attainment 8 points',
  },
  {
    id: 'attendance',
    indicator: 'progress_attendance',
    label: 'Attendance against what was expected from last year’s',
    prior: 'Attendance the year before (percentage of sessions)',
    outcome: 'Attendance this year (percentage of sessions)',
    yearsBetween: 1,
    bands: [
      { from: 0, label: 'Below 50%' },
      { from: 50, label: '50% to under 80%' },
      { from: 80, label: '80% to under 85%' },
      { from: 85, label: '85% to under 90%' },
      { from: 90, label: '90% to under 92%' },
      { from: 92, label: '92% to under 94%' },
      { from: 94, label: '94% to under 96%' },
      { from: 96, label: '96% to under 98%' },
      { from: 98, label: '98% and above' },
    ],
    priorStandard: 90,
    outcomeStandard: 90,
    highPrior: 96,
    margin: 5,
    wellBelow: 10,
    unit: 'percentage points',
  },
];

export function progressPair(id: ProgressPairId): ProgressPair {
  return progressPairs.find((pair) => pair.id === id)!;
}

/** The band a starting point falls in (its index), below the first band counting as the first. */
export function bandOf(pair: ProgressPair, prior: number): number {
  let band = 0;
  for (let index = 1; index < pair.bands.length; index++) if (prior >= pair.bands[index]!.from) band = index;
  return band;
}

/** What is expected of pupils in each band: their mean outcome, to four decimal places; none for bands of too few pupils. */
export function expectedByBand(pair: ProgressPair, pupils: readonly { prior: number; outcome: number }[]): Map<number, number> {
  const sums = new Map<number, { n: number; sum: number }>();
  for (const pupil of pupils) {
    const band = bandOf(pair, pupil.prior);
    const entry = sums.get(band) ?? { n: 0, sum: 0 };
    entry.n += 1;
    entry.sum += pupil.outcome;
    sums.set(band, entry);
  }
  const expected = new Map<number, number>();
  for (const [band, { n, sum }] of sums) if (n >= minimumBandSize) expected.set(band, roundTo4(sum / n));
  return expected;
}

export function roundTo4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * The label of one pupil's progress, in this order: not enough data (no starting point, or too few
 * pupils started where they did); stuck (started below the expected standard, is still below it, and
 * did no better than was expected); coasting (high prior attainment, progress well below expected);
 * underperforming (progress below expected by the margin or more); otherwise as expected or better.
 */
export function progressLabel(pair: ProgressPair, prior: number | null, outcome: number, expected: number | null): ProgressLabel {
  if (prior === null || expected === null) return 'not-enough-data';
  const progress = outcome - expected;
  if (prior < pair.priorStandard && outcome < pair.outcomeStandard && progress <= 0) return 'stuck';
  if (prior >= pair.highPrior && progress <= -pair.wellBelow) return 'coasting';
  if (progress <= -pair.margin) return 'underperforming';
  return 'as-expected';
}
