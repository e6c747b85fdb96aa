import { describe, expect, it } from 'vitest';
import {
  compareWithBenchmark,
  funnelLimits,
  meanDifference,
  proportionRatio,
  standardisedMeanDifference,
  summarise,
} from '../stats/index.js';
import { runNtg, statsRefusal, printed } from '../../test/support/cli.js';

type Printed = Record<string, unknown> & { value?: number | null; lower?: number | null; upper?: number | null };

/** Runs a stats command that should succeed and returns the one JSON object it printed, on one line. */
async function statsJson(...argv: string[]): Promise<Printed> {
  const result = await runNtg('stats', ...argv);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const lines = result.out.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Printed;
}

/** Runs a stats command whose output is an estimate: value, lower and upper come first. */
async function statsEstimate(...argv: string[]): Promise<Printed> {
  const json = await statsJson(...argv);
  expect(Object.keys(json).slice(0, 3)).toEqual(['value', 'lower', 'upper']);
  return json;
}

/** Runs a stats command that should be refused and returns its one-line message. */
/** Asserts a number to a relative tolerance. */
function expectNear(actual: unknown, expected: number, relative = 1e-12): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

describe('ntg stats ratio', () => {
  const args = ['--numerator', '56', '--denominator', '70', '--comparator-numerator', '48', '--comparator-denominator', '80'];

  it('prints the Katz interval for 56/70 ÷ 48/80, checked by hand and against the high-precision reference', async () => {
    // RR = 0.8/0.6 = 4/3. SE(ln RR) = √(1/56 − 1/70 + 1/48 − 1/80) = √(1/84) = 0.1091089; z × SE = 0.2138510,
    // so the limits are (4/3)e^∓0.2138510 = 1.07663 and 1.65125. mpmath (src/stats/differences.test.ts):
    // 1.0766264227631928 to 1.651248511266387.
    const json = await statsEstimate('ratio', ...args);
    expect(json).toEqual(printed(proportionRatio({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 })));
    expectNear(json.value, 4 / 3);
    expectNear(json.lower, (4 / 3) * Math.exp(-1.959963984540054 * Math.sqrt(1 / 84)));
    expectNear(json.lower, 1.0766264227631928, 1e-10);
    expectNear(json.upper, 1.651248511266387, 1e-10);
    expect(json).toMatchObject({ confidence: 0.95, method: 'katz-log', note: null });
  });

  it('prints a 99.8% interval exactly as the stats module computes it', async () => {
    const json = await statsEstimate('ratio', ...args, '--confidence', '0.998');
    expect(json).toEqual(printed(proportionRatio({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 }, { confidence: 0.998 })));
  });

  it('prints null limits with a note for a zero numerator, and a null ratio for a zero comparator', async () => {
    const zero = await statsEstimate('ratio', '--numerator', '0', '--denominator', '70', '--comparator-numerator', '48', '--comparator-denominator', '80');
    expect(zero).toMatchObject({ value: 0, lower: null, upper: null });
    expect(zero.note).toMatch(/zero numerator/);
    const undefinedRatio = await statsEstimate('ratio', '--numerator', '3', '--denominator', '70', '--comparator-numerator', '0', '--comparator-denominator', '80');
    expect(undefinedRatio).toEqual(printed(proportionRatio({ numerator: 3, denominator: 70 }, { numerator: 0, denominator: 80 })));
    expect(undefinedRatio.value).toBeNull();
  });

  it('refuses impossible counts on one line, naming the group', async () => {
    expect(await statsRefusal('ratio', '--numerator', '80', '--denominator', '70', '--comparator-numerator', '48', '--comparator-denominator', '80')).toBe(
      "ntg: the group (--numerator, --denominator): a proportion's numerator must not exceed its denominator (got 80 out of 70)",
    );
    expect(await statsRefusal('ratio', '--numerator', '5', '--denominator', '70', '--comparator-numerator', '4', '--comparator-denominator', '0')).toBe(
      'ntg: the comparator (--comparator-numerator, --comparator-denominator): a proportion needs a denominator of at least 1 (got 0)',
    );
  });

  it('refuses a missing comparator, a fractional count and a percentage confidence on one line', async () => {
    expect(await statsRefusal('ratio', '--numerator', '5', '--denominator', '10')).toMatch(
      /^ntg: required option '--comparator-numerator <count>' not specified/,
    );
    expect(await statsRefusal('ratio', ...args.slice(0, 6), '--comparator-denominator', '80.5')).toMatch(
      /^ntg: option '--comparator-denominator <count>' argument '80.5' is invalid. expected a whole number/,
    );
    expect(await statsRefusal('ratio', ...args, '--confidence', '95')).toBe(
      'ntg: a confidence level must be strictly between 0 and 1, e.g. 0.95 (got 95; did you mean 0.95?)',
    );
  });
});

describe('ntg stats mean-difference', () => {
  // Student's sleep data (R's `sleep`): extra hours of sleep under two drugs.
  const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

  it("prints Welch's interval for Student's sleep data matching R t.test", async () => {
    // R: t.test(extra ~ group, data = sleep) → df = 17.776, 95 percent confidence interval −3.3654832 0.2054832.
    const json = await statsEstimate('mean-difference', '--values', sleep1.join(','), '--comparator-values', sleep2.join(','));
    const group = summarise(sleep1);
    const comparator = summarise(sleep2);
    expect(json).toEqual(printed({ ...meanDifference(group, comparator), group, comparator }));
    expectNear(json.value, -1.58, 1e-13);
    expect((json.lower as number).toFixed(7)).toBe('-3.3654832');
    expect((json.upper as number).toFixed(7)).toBe('0.2054832');
    expect((json.degreesOfFreedom as number).toFixed(3)).toBe('17.776');
    expect(json).toMatchObject({ method: 'welch', group: { count: 10, mean: 0.75 } });
  });

  it('gives the same interval from summary statistics, and accepts the groups given differently', async () => {
    const group = summarise(sleep1);
    const fromSummary = await statsEstimate(
      'mean-difference', '--count', '10', '--mean', String(group.mean), '--sd', String(group.standardDeviation),
      '--comparator-values', sleep2.join(','), '--confidence', '0.998',
    );
    expect(fromSummary).toEqual(printed({ ...meanDifference(group, summarise(sleep2), { confidence: 0.998 }), group, comparator: summarise(sleep2) }));
  });

  it("prints Hedges' g with --standardised, checked by hand and against the high-precision reference", async () => {
    // d = (105 − 100)/15 = 1/3; J(38) ≈ 1 − 3/(4 × 38 − 1) = 0.98013 (exact 0.9801104), so g ≈ 0.32670.
    // mpmath (src/stats/differences.test.ts): g = 0.3267034673769821, −0.2972124852009269 to 0.9506194199548911.
    const json = await statsEstimate(
      'mean-difference', '--count', '20', '--mean', '105', '--sd', '15',
      '--comparator-count', '20', '--comparator-mean', '100', '--comparator-sd', '15', '--standardised',
    );
    const group = { count: 20, mean: 105, standardDeviation: 15 };
    const comparator = { count: 20, mean: 100, standardDeviation: 15 };
    expect(json).toEqual(printed({ ...standardisedMeanDifference(group, comparator), group, comparator }));
    expectNear(json.uncorrected, 1 / 3);
    expect(Math.abs((json.value as number) - (1 / 3) * (1 - 3 / 151))).toBeLessThan(1e-4);
    expectNear(json.value, 0.3267034673769821, 1e-10);
    expectNear(json.lower, -0.2972124852009269, 1e-10);
    expectNear(json.upper, 0.9506194199548911, 1e-10);
    expect(json.method).toBe('hedges-g');
  });

  it('refuses a group with one value, or with incomplete or missing summary statistics, on one line', async () => {
    expect(await statsRefusal('mean-difference', '--values', '4', '--comparator-values', '1,2')).toBe(
      'ntg: the group (--values) needs at least 2 values for a standard deviation (got 1)',
    );
    expect(await statsRefusal('mean-difference', '--values', '1,2,3', '--comparator-count', '5', '--comparator-sd', '1')).toBe(
      'ntg: --comparator-mean missing: give --comparator-count, --comparator-mean and --comparator-sd together (or --comparator-values)',
    );
    expect(await statsRefusal('mean-difference', '--values', '1,2,3')).toBe(
      'ntg: the comparator is missing: give --comparator-values, or --comparator-count, --comparator-mean and --comparator-sd',
    );
  });

  it('refuses values together with summary statistics, and values that are not numbers, on one line', async () => {
    expect(await statsRefusal('mean-difference', '--values', '1,2', '--mean', '3', '--comparator-values', '1,2')).toMatch(
      /^ntg: option '--values <list>' cannot be used with option '--mean <number>'/,
    );
    expect(await statsRefusal('mean-difference', '--values', '1,two', '--comparator-values', '1,2')).toMatch(
      /^ntg: option '--values <list>' argument '1,two' is invalid. item 2 \("two"\) is not a finite number/,
    );
  });

  it('surfaces the statistics messages for a count below 2 and for standard deviations of 0', async () => {
    expect(await statsRefusal('mean-difference', '--count', '1', '--mean', '3', '--sd', '1', '--comparator-values', '1,2')).toBe(
      "ntg: the group's count must be a whole number of at least 2 (got 1)",
    );
    expect(await statsRefusal('mean-difference', '--values', '2,2', '--comparator-values', '3,3')).toBe(
      'ntg: a Welch interval needs at least one standard deviation above 0 (both were 0)',
    );
    expect(await statsRefusal('mean-difference', '--values', '2,2', '--comparator-values', '3,3', '--standardised')).toBe(
      'ntg: a standardised mean difference needs a pooled standard deviation above 0 (got 0)',
    );
  });
});

describe('ntg stats compare', () => {
  it('compares an interval with a benchmark value, Fingertips-style, and echoes the inputs', async () => {
    // 61.2 to 64.8 lies wholly above 60.1, so higher; with higher-is-better, better.
    const json = await statsEstimate('compare', '--value', '63', '--lower', '61.2', '--upper', '64.8', '--benchmark', '60.1', '--polarity', 'higher-is-better');
    expect(json).toEqual({
      value: 63,
      lower: 61.2,
      upper: 64.8,
      ...compareWithBenchmark({ lower: 61.2, upper: 64.8 }, 60.1, 'higher-is-better'),
      benchmark: 60.1,
      polarity: 'higher-is-better',
    });
    expect(json).toMatchObject({ direction: 'higher', judgement: 'better', rule: 'interval-vs-value' });
  });

  it('judges by polarity, keeps higher/lower without one, and counts a limit equal to the benchmark as similar', async () => {
    const below = ['--lower', '51.2', '--upper', '54.8', '--benchmark', '60.1'];
    expect((await statsJson('compare', ...below, '--polarity', 'higher-is-better')).judgement).toBe('worse');
    expect((await statsJson('compare', ...below, '--polarity', 'lower-is-better')).judgement).toBe('better');
    const neutral = await statsJson('compare', ...below);
    expect(neutral).toMatchObject({ value: null, direction: 'lower', judgement: 'lower', polarity: 'no-judgement' });
    expect((await statsJson('compare', '--lower', '60.1', '--upper', '64.8', '--benchmark', '60.1')).direction).toBe('similar');
  });

  it('compares two intervals by overlap', async () => {
    // 46–50 against 40–45: no overlap, higher; with lower-is-better, worse. 44–50 overlaps 40–45: similar.
    const json = await statsJson('compare', '--lower', '46', '--upper', '50', '--benchmark-lower', '40', '--benchmark-upper', '45', '--polarity', 'lower-is-better');
    expect(json).toEqual({
      value: null,
      lower: 46,
      upper: 50,
      ...compareWithBenchmark({ lower: 46, upper: 50 }, { lower: 40, upper: 45 }, 'lower-is-better'),
      benchmark: { lower: 40, upper: 45 },
      polarity: 'lower-is-better',
    });
    expect(json).toMatchObject({ direction: 'higher', judgement: 'worse', rule: 'interval-overlap' });
    const overlapping = await statsJson('compare', '--lower', '44', '--upper', '50', '--benchmark-lower', '40', '--benchmark-upper', '45');
    expect(overlapping.direction).toBe('similar');
  });

  it('refuses an inverted interval or a value outside it on one line', async () => {
    expect(await statsRefusal('compare', '--lower', '5', '--upper', '3', '--benchmark', '2')).toBe(
      "ntg: the indicator's interval's lower limit must not exceed its upper limit (got 5 to 3)",
    );
    expect(await statsRefusal('compare', '--value', '7', '--lower', '1', '--upper', '3', '--benchmark', '2')).toBe(
      'ntg: --value 7 lies outside its interval, --lower 1 to --upper 3',
    );
    expect(await statsRefusal('compare', '--lower', '1', '--upper', '3', '--benchmark-lower', '4', '--benchmark-upper', '2')).toBe(
      "ntg: the benchmark's interval's lower limit must not exceed its upper limit (got 4 to 2)",
    );
  });

  it('refuses a missing or half-given benchmark, or both kinds, on one line', async () => {
    expect(await statsRefusal('compare', '--lower', '1', '--upper', '3')).toBe(
      'ntg: give either --benchmark, or --benchmark-lower and --benchmark-upper',
    );
    expect(await statsRefusal('compare', '--lower', '1', '--upper', '3', '--benchmark-upper', '4')).toBe(
      'ntg: --benchmark-lower missing: give --benchmark-lower and --benchmark-upper together (or --benchmark)',
    );
    expect(await statsRefusal('compare', '--lower', '1', '--upper', '3', '--benchmark', '2', '--benchmark-lower', '1')).toMatch(
      /^ntg: option '--benchmark <number>' cannot be used with option '--benchmark-lower <number>'/,
    );
  });

  it('refuses an unknown polarity and a missing limit on one line', async () => {
    expect(await statsRefusal('compare', '--lower', '1', '--upper', '3', '--benchmark', '2', '--polarity', 'up')).toBe(
      "ntg: option '--polarity <polarity>' argument 'up' is invalid. Allowed choices are higher-is-better, lower-is-better, " +
        'no-judgement. (run ntg stats compare --help for usage)',
    );
    expect(await statsRefusal('compare', '--lower', '1', '--benchmark', '2')).toMatch(/^ntg: required option '--upper <number>' not specified/);
  });

  it("says in its help that the intervals' confidence level is the caller's", async () => {
    const result = await runNtg('stats', 'compare', '--help');
    expect(result.code).toBe(0);
    expect(result.out.replace(/\s+/g, ' ')).toContain("the confidence level the limits were computed at, which is the caller's");
  });
});

describe('ntg stats funnel', () => {
  it("prints PHE's limits for θ = 0.3, n = 100, checked by hand", async () => {
    // θ ∓ z√(θ(1 − θ)/n) = 0.3 ∓ 1.959964 × √0.0021 = 0.3 ∓ 0.0898168 → 0.2101832 to 0.3898168
    // (PHEindicatormethods: 0.21018316681457944 to 0.38981683318542054, src/stats/funnel.test.ts).
    const json = await statsJson('funnel', '--target', '0.3', '--denominators', '100');
    expect(json).toEqual({ target: 0.3, method: 'wilson', multiplier: 1, points: printed(funnelLimits(0.3, [100])) });
    const [point] = json.points as { denominator: number; limits: { confidence: number; lower: number; upper: number }[] }[];
    expect(point?.denominator).toBe(100);
    expect(point?.limits.map((level) => level.confidence)).toEqual([0.95, 0.998]);
    expectNear(point?.limits[0]?.lower, 0.3 - 1.959963984540054 * Math.sqrt(0.0021));
    expectNear(point?.limits[0]?.lower, 0.21018316681457944, 1e-10);
    expectNear(point?.limits[0]?.upper, 0.38981683318542054, 1e-10);
  });

  it("prints Spiegelhalter's exact limits for several denominators and levels as the stats module computes them", async () => {
    // mpmath binomial sums (src/stats/funnel.test.ts), θ = 0.3, n = 50, 95%: 0.16613938031193448 to 0.4201358867168804.
    const json = await statsJson('funnel', '--target', '0.3', '--denominators', '10,50,100', '--method', 'exact', '--confidence', '0.95,0.998,0.8');
    const expected = funnelLimits(0.3, [10, 50, 100], { method: 'exact', confidences: [0.95, 0.998, 0.8] });
    expect(json).toEqual({ target: 0.3, method: 'exact', multiplier: 1, points: printed(expected) });
    const fifty = (json.points as { limits: { lower: number; upper: number }[] }[])[1];
    expectNear(fifty?.limits[0]?.lower, 0.16613938031193448, 1e-10);
    expectNear(fifty?.limits[0]?.upper, 0.4201358867168804, 1e-10);
  });

  it('scales the limits as percentages with --multiplier 100', async () => {
    const json = await statsJson('funnel', '--target', '0.3', '--denominators', '100', '--multiplier', '100', '--confidence', '0.95');
    expect(json.points).toEqual(printed(funnelLimits(0.3, [100], { multiplier: 100, confidences: [0.95] })));
    const [point] = json.points as { limits: { lower: number }[] }[];
    expectNear(point?.limits[0]?.lower, 21.018316681457943, 1e-10);
  });

  it('refuses a target outside 0 to 1 and a denominator that is not a whole number, on one line', async () => {
    expect(await statsRefusal('funnel', '--target', '30', '--denominators', '100', '--multiplier', '100')).toBe(
      "ntg: a funnel plot's target proportion must be between 0 and 1 (got 30)",
    );
    expect(await statsRefusal('funnel', '--target', '0.3', '--denominators', '10,2.5')).toBe(
      "ntg: a funnel plot's denominator must be a whole number of at least 1 (got 2.5)",
    );
    expect(await statsRefusal('funnel', '--target', '0.3', '--denominators', '10,,20')).toMatch(
      /^ntg: option '--denominators <list>' argument '10,,20' is invalid. item 2 \(""\) is not a finite number/,
    );
  });

  it('refuses a percentage confidence, an unknown method and a missing target on one line', async () => {
    expect(await statsRefusal('funnel', '--target', '0.3', '--denominators', '100', '--confidence', '0.95,99.8')).toBe(
      'ntg: a confidence level must be strictly between 0 and 1, e.g. 0.95 (got 99.8; did you mean 0.998?)',
    );
    expect(await statsRefusal('funnel', '--target', '0.3', '--denominators', '100', '--method', 'normal')).toMatch(
      /^ntg: option '--method <method>' argument 'normal' is invalid. Allowed choices are wilson, exact\./,
    );
    expect(await statsRefusal('funnel', '--denominators', '100')).toMatch(/^ntg: required option '--target <proportion>' not specified/);
  });
});
