import { describe, expect, it } from 'vitest';
import { childRowReader } from '../ingest/child-rows.js';
import type { ChildRow } from '../ingest/child-rows.js';
import { ethnicityMainCode, measures, standardColumns } from '../ingest/child-standard.js';
import type { MembershipFlag } from '../ingest/child-standard.js';
import { createRandom } from '../stats/random.js';
import { createDemoSettings, demoSettingUrn } from './demo-settings.js';
import { anchorYear, demoHeader, demoLimits, demoSettingsOf, generateChildRows, publishedFigures } from './generate-children.js';
import type { DemoOptions } from './generate-children.js';

const leeds = 'E08000035';

function options(overrides: Partial<DemoOptions>): DemoOptions {
  return { children: 1000, years: 1, lastYear: 2024, seed: 1, laCode: leeds, ...overrides };
}

/** Generated rows as CSV lines: the form the command writes, to compare runs byte for byte. */
function asLines(demo: DemoOptions): string[] {
  return Array.from(generateChildRows(demo), (row) => row.join(','));
}

interface Reading {
  rows: ChildRow[];
  problems: string[];
  raw: string[][];
}

/** Generates the rows and reads each back through the validator every import uses. */
function generateAndRead(demo: DemoOptions): Reading {
  const header = childRowReader(demoHeader(), { laCode: demo.laCode });
  if (!header.ok) throw new Error(header.problems.map((problem) => problem.message).join('; '));
  const reading: Reading = { rows: [], problems: [], raw: [] };
  for (const values of generateChildRows(demo)) {
    reading.raw.push(values);
    const result = header.reader.read(values, reading.raw.length + 1);
    if (result.ok) reading.rows.push(result.row);
    else reading.problems.push(...result.problems.map((problem) => `row ${problem.row} ${problem.column} ${JSON.stringify(problem.value)}: expected ${problem.expected}`));
  }
  return reading;
}

const measureIndex = (name: string) => measures.findIndex((measure) => measure.name === name);

/** The known values of a measure among rows, ignoring blanks (not assessed or not in the cohort). */
function valuesOf(rows: readonly ChildRow[], measure: string): number[] {
  const index = measureIndex(measure);
  return rows.map((row) => row.measureValues[index] ?? null).filter((value): value is number => value !== null);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Share of rows with the flag Y among rows where it is known. */
function shareWith(rows: readonly ChildRow[], flag: MembershipFlag): number {
  const known = rows.filter((row) => row.flags[flag] !== null);
  return known.filter((row) => row.flags[flag] === true).length / known.length;
}

function shareWhere(rows: readonly ChildRow[], test: (row: ChildRow) => boolean): number {
  return rows.filter(test).length / rows.length;
}

/** Mean of the measure for disadvantaged children minus the mean for the others: in points for a binary measure. */
function disadvantageGap(rows: readonly ChildRow[], measure: string): number {
  const scale = measures[measureIndex(measure)]!.type === 'binary' ? 100 : 1;
  const disadvantaged = valuesOf(rows.filter((row) => row.flags.disadvantaged === true), measure);
  const others = valuesOf(rows.filter((row) => row.flags.disadvantaged === false), measure);
  return scale * (mean(disadvantaged) - mean(others));
}

function correlation(pairs: readonly (readonly [number, number])[]): number {
  const meanX = mean(pairs.map(([x]) => x));
  const meanY = mean(pairs.map(([, y]) => y));
  const covariance = pairs.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const varianceX = pairs.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const varianceY = pairs.reduce((sum, [, y]) => sum + (y - meanY) ** 2, 0);
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** The same child's rows in two consecutive years, earlier first. */
function consecutivePairs(rows: readonly ChildRow[]): [ChildRow, ChildRow][] {
  const byChildYear = new Map(rows.map((row) => [`${row.childId} ${row.academicYear}`, row]));
  return rows.flatMap((row) => {
    const next = byChildYear.get(`${row.childId} ${row.academicYear + 1}`);
    return next === undefined ? [] : [[row, next] as [ChildRow, ChildRow]];
  });
}

describe('generateChildRows', () => {
  const small = generateAndRead(options({ children: 3000, years: 3 }));

  it('writes the header as the standard columns in order', () => {
    expect(demoHeader()).toEqual([...standardColumns]);
  });

  it('generates rows that all pass the child-level validator', () => {
    expect(small.problems.slice(0, 5)).toEqual([]);
    expect(small.rows).toHaveLength(9000);
  });

  it('generates one row per child and year, never two', () => {
    const keys = new Set(small.rows.map((row) => `${row.childId} ${row.academicYear}`));
    expect(keys.size).toBe(small.rows.length);
  });

  it('keeps the number on roll at the requested children in each year', () => {
    const perYear = Object.groupBy(small.rows, (row) => row.academicYear);
    expect(Object.fromEntries(Object.entries(perYear).map(([year, rows]) => [year, rows?.length]))).toEqual({ 2022: 3000, 2023: 3000, 2024: 3000 });
  });

  it('gives identifiers shaped like unique pupil numbers: a letter and 12 digits', () => {
    expect(small.rows.filter((row) => !/^[A-Z]\d{12}$/.test(row.childId))).toEqual([]);
  });

  it('writes ethnicity as CBDS main codes', () => {
    const codes = new Set(small.rows.map((row) => row.ethnicity).filter((code) => code !== null));
    expect([...codes].filter((code) => ethnicityMainCode[code] !== code)).toEqual([]);
    expect(codes.has('REFU') || codes.has('NOBT')).toBe(true);
  });

  it('writes Reception as R and national curriculum years up to 13', () => {
    const ncys = new Set(small.raw.map((values) => values[standardColumns.indexOf('ncy')]));
    expect([...ncys].sort()).toEqual(['1', '10', '11', '12', '13', '2', '3', '4', '5', '6', '7', '8', '9', 'R']);
  });

  it('moves every child present in consecutive years up one national curriculum year', () => {
    const pairs = consecutivePairs(small.rows);
    expect(pairs.length).toBeGreaterThan(4000);
    expect(pairs.filter(([before, after]) => after.ncy !== (before.ncy ?? NaN) + 1)).toEqual([]);
  });

  it('fills each measure only for its cohort', () => {
    const cohorts: Record<string, readonly number[]> = {
      eyfsp_gld: [0],
      healthy_weight_reception: [0],
      phonics_y1_met: [1],
      ks2_rwm_expected: [6],
      ks2_reading_scaled: [6],
      ks2_maths_scaled: [6],
      healthy_weight_y6: [6],
      ks4_attainment8: [11],
      ks4_eng_maths_grade4: [11],
      attendance_pct: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      suspensions: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      neet_16_17: [12, 13],
    };
    const outside = Object.entries(cohorts).filter(([measure, years]) => small.rows.some((row) => row.measureValues[measureIndex(measure)] !== null && !years.includes(row.ncy ?? -1)));
    expect(outside).toEqual([]);
    const missing = Object.keys(cohorts).filter((measure) => valuesOf(small.rows, measure).length === 0);
    expect(missing).toEqual([]);
  });

  it('keeps personal education plans and placement moves for children in care', () => {
    const outOfCare = small.rows.filter((row) => row.flags.child_in_care !== true);
    expect(outOfCare.filter((row) => row.coordination.personal_education_plan !== null || row.coordinationCounts.placement_moves !== null)).toEqual([]);
  });

  it('marks as excluded exactly the pupils with a suspension', () => {
    const suspended = small.rows.filter((row) => (row.measureValues[measureIndex('suspensions')] ?? 0) > 0);
    expect(suspended.length).toBeGreaterThan(0);
    expect(suspended.filter((row) => row.flags.excluded === false)).toEqual([]);
  });

  it('gives english proficiency only to children with English as an additional language', () => {
    expect(small.rows.filter((row) => row.englishProficiency !== null && row.flags.eal !== true)).toEqual([]);
  });

  it('generates the same rows for the same options and different rows for another seed', () => {
    const first = asLines(options({ children: 500, years: 2, seed: 7 }));
    expect(asLines(options({ children: 500, years: 2, seed: 7 }))).toEqual(first);
    const other = asLines(options({ children: 500, years: 2, seed: 8 }));
    expect(other).toHaveLength(first.length);
    expect(other.filter((line, index) => line === first[index])).toEqual([]);
  });

  it('refuses options outside its limits', () => {
    expect(() => generateChildRows(options({ children: 10 })).next()).toThrow('children must be a whole number from 100 to 500000');
    expect(() => generateChildRows(options({ years: 0 })).next()).toThrow('years must be a whole number from 1 to 20');
  });
});

describe('generateChildRows for a medium authority in 2023/24, the year the published figures describe', () => {
  const { rows } = generateAndRead(options({ children: 20000, lastYear: anchorYear }));
  const year = (ncy: number) => rows.filter((row) => row.ncy === ncy);

  it.each([
    ['free school meals', () => shareWith(rows, 'fsm'), 0.2, 0.3],
    ['disadvantaged', () => shareWith(rows, 'disadvantaged'), 0.25, 0.4],
    ['SEN support', () => shareWhere(rows, (row) => row.senProvision === 'K'), 0.12, 0.16],
    ['education, health and care plans', () => shareWhere(rows, (row) => row.senProvision === 'E'), 0.04, 0.06],
    ['children in care', () => shareWith(rows, 'child_in_care'), 0.005, 0.009],
    ['children in need', () => shareWith(rows, 'child_in_need'), 0.028, 0.038],
    ['child protection plans', () => shareWith(rows, 'child_protection_plan'), 0.003, 0.005],
    ['English as an additional language', () => shareWith(rows, 'eal'), 0.17, 0.24],
    ['minority ethnic groups', () => shareWhere(rows, (row) => row.ethnicity !== null && !['WBRI', 'REFU', 'NOBT'].includes(row.ethnicity)), 0.32, 0.42],
    ['no setting', () => shareWhere(rows, (row) => row.settingUrn === null), 0.005, 0.02],
    ['good level of development', () => mean(valuesOf(rows, 'eyfsp_gld')), 0.63, 0.73],
    ['phonics standard met', () => mean(valuesOf(rows, 'phonics_y1_met')), 0.75, 0.85],
    ['key stage 2 expected standard', () => mean(valuesOf(rows, 'ks2_rwm_expected')), 0.56, 0.66],
    ['Attainment 8 mean', () => mean(valuesOf(rows, 'ks4_attainment8')), 43, 49],
    ['grade 4 in English and maths', () => mean(valuesOf(rows, 'ks4_eng_maths_grade4')), 0.6, 0.7],
    ['persistent absence (attendance below 90%)', () => mean(valuesOf(rows, 'attendance_pct').map((value) => (value < 90 ? 1 : 0))), 0.15, 0.25],
    ['healthy weight in Reception', () => mean(valuesOf(rows, 'healthy_weight_reception')), 0.7, 0.8],
    ['healthy weight in Year 6', () => mean(valuesOf(rows, 'healthy_weight_y6')), 0.57, 0.67],
    ['NEET at 16 and 17', () => mean(valuesOf(rows, 'neet_16_17')), 0.035, 0.075],
  ])('puts the share (or mean) for %s near the published figure', (_, measure, low, high) => {
    const value = measure();
    expect(value).toBeGreaterThanOrEqual(low);
    expect(value).toBeLessThanOrEqual(high);
  });

  // Published gaps (disadvantaged minus others), with room for one authority's sampling variation.
  const ks2Gap = 100 * (publishedFigures.ks2RwmDisadvantaged - publishedFigures.ks2RwmOthers);
  const attainment8Gap = publishedFigures.attainment8Disadvantaged - publishedFigures.attainment8Others;
  it.each([
    ['key stage 2 expected standard', 'ks2_rwm_expected', ks2Gap - 7, ks2Gap + 7],
    ['good level of development', 'eyfsp_gld', -30, -10],
    ['Attainment 8', 'ks4_attainment8', attainment8Gap - 6, attainment8Gap + 6],
    ['grade 4 in English and maths', 'ks4_eng_maths_grade4', -40, -22],
  ])('opens a disadvantage gap in %s near the published one', (_, measure, low, high) => {
    const gap = disadvantageGap(rows, measure);
    expect(gap).toBeGreaterThanOrEqual(low);
    expect(gap).toBeLessThanOrEqual(high);
  });

  it('gives boys most education, health and care plans', () => {
    const plans = rows.filter((row) => row.senProvision === 'E');
    expect(shareWhere(plans, (row) => row.sex === 'M')).toBeGreaterThan(0.6);
  });

  it('gives more disadvantaged children SEN support than others', () => {
    const support = (disadvantaged: boolean) => shareWhere(rows.filter((row) => row.flags.disadvantaged === disadvantaged), (row) => row.senProvision !== 'N');
    expect(support(true)).toBeGreaterThan(1.3 * support(false));
  });

  it('leaves a minority of children in need without a lead professional', () => {
    const inNeed = rows.filter((row) => row.flags.child_in_need === true);
    const without = shareWhere(inNeed, (row) => row.coordination.lead_professional === false);
    expect(without).toBeGreaterThan(0.03);
    expect(without).toBeLessThan(0.25);
  });

  it('puts key stage 2 scaled scores in 80 to 120 around the national means', () => {
    expect(mean(valuesOf(year(6), 'ks2_reading_scaled'))).toBeCloseTo(publishedFigures.ks2ReadingMean, 0);
    expect(mean(valuesOf(year(6), 'ks2_maths_scaled'))).toBeCloseTo(publishedFigures.ks2MathsMean, 0);
  });
});

describe('generateChildRows over several years', () => {
  const { rows } = generateAndRead(options({ children: 20000, years: 6 }));
  const inYear = (start: number) => rows.filter((row) => row.academicYear === start);

  it("keeps a child's attendance from one year to the next", () => {
    const attendance = measureIndex('attendance_pct');
    const pairs = consecutivePairs(rows)
      .map(([before, after]) => [before.measureValues[attendance], after.measureValues[attendance]] as const)
      .filter((pair): pair is readonly [number, number] => pair[0] !== null && pair[1] !== null);
    expect(correlation(pairs)).toBeGreaterThan(0.4);
  });

  it('keeps most children eligible for free school meals eligible the next year', () => {
    const eligible = consecutivePairs(rows).filter(([before]) => before.flags.fsm === true);
    expect(shareWhere(eligible.map(([, after]) => after), (row) => row.flags.fsm === true)).toBeGreaterThan(0.7);
  });

  it('gives most Year 11 pupils the key stage 2 prior attainment key stage 4 data carries: their own Year 6 average where the demo made one', () => {
    const [reading, maths, attainment8] = ['ks2_reading_scaled', 'ks2_maths_scaled', 'ks4_attainment8'].map(measureIndex) as [number, number, number];
    const yearSix = new Map(inYear(2019).filter((row) => row.ncy === 6).map((row) => [row.childId, row]));
    const yearEleven = inYear(2024).filter((row) => row.ncy === 11 && row.settingUrn !== null);
    expect(shareWhere(yearEleven, (row) => row.ks2PriorAverage !== null)).toBeGreaterThan(0.85);
    const followed = yearEleven.filter((row) => yearSix.has(row.childId));
    expect(followed.length).toBeGreaterThan(100);
    for (const row of followed) {
      const scores = [yearSix.get(row.childId)!.measureValues[reading], yearSix.get(row.childId)!.measureValues[maths]].filter((score): score is number => score !== null && score !== undefined);
      expect(row.ks2PriorAverage).toBe(scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length);
    }
    const pairs = yearEleven.flatMap((row) => (row.ks2PriorAverage === null || row.measureValues[attainment8] === null ? [] : [[row.ks2PriorAverage, row.measureValues[attainment8]!] as const]));
    expect(correlation(pairs)).toBeGreaterThan(0.5);
  });

  it('improves key stage 2 results year on year', () => {
    expect(mean(valuesOf(inYear(2024), 'ks2_rwm_expected'))).toBeGreaterThan(mean(valuesOf(inYear(2019), 'ks2_rwm_expected')));
  });

  // Gaps in one authority move with each cohort, so the first two years are compared with the last two.
  // The key stage 2 gap narrows too, but more slowly than a run of this size can show reliably.
  const earlier = [...inYear(2019), ...inYear(2020)];
  const later = [...inYear(2023), ...inYear(2024)];

  it('narrows the disadvantage gap in good level of development', () => {
    expect(disadvantageGap(later, 'eyfsp_gld')).toBeGreaterThan(disadvantageGap(earlier, 'eyfsp_gld') + 3);
  });

  it('widens the disadvantage gap in Attainment 8', () => {
    expect(disadvantageGap(later, 'ks4_attainment8')).toBeLessThan(disadvantageGap(earlier, 'ks4_attainment8') - 1.5);
  });
});

describe('createDemoSettings', () => {
  const settings = createDemoSettings(60000, leeds, createRandom(1));
  const urns = settings.all.map((setting) => setting.urn);

  it('makes about 225 primaries and 40 secondaries for 60,000 children', () => {
    expect(settings.primary.settings).toHaveLength(225);
    expect(settings.secondary.settings).toHaveLength(40);
  });

  it('gives every setting a distinct six-digit URN, the first primary the demo setting', () => {
    expect(new Set(urns).size).toBe(urns.length);
    expect(urns.filter((urn) => !/^\d{6}$/.test(String(urn)))).toEqual([]);
    expect(urns[0]).toBe(demoSettingUrn);
  });

  it('picks more deprived settings for higher positions', () => {
    expect(settings.primary.at(0.01).deprivation).toBeLessThan(settings.primary.at(0.99).deprivation);
  });
});

describe('the demo authorities demo mode loads', () => {
  it('gives each authority settings of its own: URNs that never meet, at the largest demo size too', async () => {
    const { demoAuthorities, demoOptionsFor } = await import('./load-demo.js');
    for (const children of [demoLimits.minChildren, 60_000, demoLimits.maxChildren]) {
      const urns = demoAuthorities.flatMap((authority) => demoSettingsOf(demoOptionsFor(authority, children)).map((setting) => setting.urn));
      expect(new Set(urns).size, `${children} children`).toBe(urns.length);
    }
  });

  it('names every setting of an authority differently, with names a person would read as a school’s', () => {
    const settings = demoSettingsOf({ children: 60_000, years: 1, lastYear: 2024, seed: 1, laCode: 'E08000035' });
    expect(new Set(settings.map((setting) => setting.name)).size).toBe(settings.length);
    expect(settings[0]).toMatchObject({ urn: 999001, name: 'Chapel Fold Primary School', phase: 'primary', kind: 'school' });
    for (const setting of settings) expect(setting.name).toMatch(/(Primary School|Primary Academy|Junior and Infant School|High School|Academy|School|Sixth Form College|Catholic Primary School, .+)$/);
    expect(settings.some((setting) => /Demo|Unregistered/.test(setting.name))).toBe(false);
  });
});
