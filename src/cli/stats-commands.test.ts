import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  crudeRate,
  disadvantageGapIndex,
  meanFromSummary,
  meanFromValues,
  proportion,
  proportionDifference,
} from '../stats/index.js';
import { temporaryFiles } from '../../test/support/files.js';
import { runNtg, statsRefusal } from '../../test/support/cli.js';

interface Estimate {
  value: number | null;
  lower: number | null;
  upper: number | null;
}
type Printed = Record<string, unknown> & Estimate;

/** Runs a stats command that should succeed and returns the one JSON object it printed. */
async function statsJson(...argv: string[]): Promise<{ json: Printed; text: string }> {
  const result = await runNtg('stats', ...argv);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const lines = result.out.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  const text = lines[0] as string;
  const json = JSON.parse(text) as Printed;
  expect(Object.keys(json).slice(0, 3)).toEqual(['value', 'lower', 'upper']);
  return { json, text };
}

/** Runs a stats command that should be refused and returns its one-line message. */
/** The estimate as the command line prints it: value, lower and upper first, then the rest. */
function asPrinted(estimate: Estimate): unknown {
  const { value, lower, upper, ...details } = estimate;
  return JSON.parse(JSON.stringify({ value, lower, upper, ...details }));
}

/** Asserts the printed numbers are the very doubles computed, written in full (shortest round-trip form). */
function expectFullPrecision(text: string, printed: Printed, expected: Estimate): void {
  for (const key of ['value', 'lower', 'upper'] as const) {
    expect(Object.is(printed[key], expected[key]), `${key}: printed ${printed[key]}, computed ${expected[key]}`).toBe(true);
    expect(text).toContain(`"${key}":${JSON.stringify(expected[key])}`);
  }
}

describe('ntg stats', () => {
  it('lists the statistics commands with --help and exits 0', async () => {
    const result = await runNtg('stats', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: ntg stats [options] [command]');
    const commands = [
      'proportion', 'rate', 'mean', 'gap', 'ratio', 'mean-difference', 'compare', 'funnel',
      'gap-index', 'sii', 'trend', 'gap-trend', 'forecast', 'suppress',
    ];
    for (const command of commands) {
      expect(result.out).toMatch(new RegExp(`\\n  ${command} \\[options\\]`));
    }
    expect(result.out).toContain('"value", "lower" and "upper"');
  });

  it('lists stats among the commands of ntg --help', async () => {
    const result = await runNtg('--help');
    expect(result.out).toMatch(/stats\s+compute a statistic with its confidence interval/);
  });

  it('shows help on standard error and exits 2 without a command', async () => {
    const result = await runNtg('stats');
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain('Usage: ntg stats [options] [command]');
  });

  it("refuses an unknown statistics command on one line, with commander's suggestion and a pointer to the help", async () => {
    // Commander puts its suggestion on a second line; the stats commands join it into one.
    expect(await statsRefusal('median')).toBe(
      "ntg: unknown command 'median' (Did you mean mean?) (run ntg stats --help for usage)",
    );
    expect(await statsRefusal('frobnicate')).toBe("ntg: unknown command 'frobnicate' (run ntg stats --help for usage)");
  });

  it('documents the per-100,000 Fingertips default in the rate help', async () => {
    const result = await runNtg('stats', 'rate', '--help');
    expect(result.code).toBe(0);
    expect(result.out.replace(/\s+/g, ' ')).toContain('per 100,000 by default, the Fingertips convention (default: 100000)');
  });
});

describe('ntg stats proportion', () => {
  it('prints the Wilson interval for 81/263 matching Newcombe 1998 Table I', async () => {
    // Newcombe RG. Two-sided confidence intervals for the single proportion. Stat Med 1998;17:857–872,
    // Table I, method 3: 81/263 → 0.2553 to 0.3662.
    const { json, text } = await statsJson('proportion', '--numerator', '81', '--denominator', '263');
    expect(json).toEqual(asPrinted(proportion(81, 263)));
    expect(json.lower?.toFixed(4)).toBe('0.2553');
    expect(json.upper?.toFixed(4)).toBe('0.3662');
    expectFullPrecision(text, json, proportion(81, 263));
  });

  it('prints a 99.8% interval as a percentage exactly as the stats module computes it', async () => {
    const { json, text } = await statsJson(
      'proportion', '--numerator', '15', '--denominator', '148', '--confidence', '0.998', '--multiplier', '100',
    );
    const expected = proportion(15, 148, { confidence: 0.998, multiplier: 100 });
    expect(json).toEqual(asPrinted(expected));
    expect(json).toMatchObject({ confidence: 0.998, multiplier: 100, method: 'wilson' });
    expectFullPrecision(text, json, expected);
  });

  it('refuses a negative count with the stats message on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '-1', '--denominator', '10')).toBe(
      "ntg: a proportion's numerator must not be negative (got -1)",
    );
  });

  it('refuses a numerator above its denominator on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '11', '--denominator', '10')).toBe(
      "ntg: a proportion's numerator must not exceed its denominator (got 11 out of 10)",
    );
  });

  it('refuses a zero denominator on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '0', '--denominator', '0')).toBe(
      'ntg: a proportion needs a denominator of at least 1 (got 0)',
    );
  });

  it('refuses confidence 1.5 on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '1', '--denominator', '10', '--confidence', '1.5')).toMatch(
      /^ntg: a confidence level must be strictly between 0 and 1, e.g. 0.95 \(got 1.5/,
    );
  });

  it('refuses a count that is not a whole number on one line', async () => {
    for (const bad of ['abc', '2.5', '', '0x10', 'Infinity', '1e999']) {
      expect(await statsRefusal('proportion', '--numerator', bad, '--denominator', '10')).toBe(
        `ntg: option '--numerator <count>' argument '${bad}' is invalid. expected a whole number (a count) ` +
          '(run ntg stats proportion --help for usage)',
      );
    }
  });

  it('refuses a missing required option on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '3')).toBe(
      "ntg: required option '--denominator <count>' not specified (run ntg stats proportion --help for usage)",
    );
  });

  it('refuses an unknown option on one line', async () => {
    expect(await statsRefusal('proportion', '--numerator', '3', '--denominator', '9', '--colour', 'blue')).toBe(
      "ntg: unknown option '--colour' (run ntg stats proportion --help for usage)",
    );
  });
});

describe('ntg stats rate', () => {
  it('prints a rate per 100,000 by default, as the stats module computes it', async () => {
    // PHEindicatormethods phe_rate example: 9 events in 10,000 → 90 per 100,000, exact method.
    const { json, text } = await statsJson('rate', '--numerator', '9', '--denominator', '10000');
    const expected = crudeRate(9, 10_000);
    expect(json).toEqual(asPrinted(expected));
    expect(json).toMatchObject({ value: 90, multiplier: 100_000, method: 'exact' });
    expectFullPrecision(text, json, expected);
  });

  it('prints the exact Poisson limits for 5 events matching the printed tables', async () => {
    // Exact Poisson 95% limits for 5 events: 1.62 to 11.67 (Breslow & Day 1987; Garwood 1936).
    const { json } = await statsJson('rate', '--numerator', '5', '--denominator', '1', '--multiplier', '1');
    expect(json.lower?.toFixed(2)).toBe('1.62');
    expect(json.upper?.toFixed(2)).toBe('11.67');
  });

  it('prints the closed-form upper limit for 0 events', async () => {
    // For 0 events the exact upper limit is −ln 0.025 events (Garwood 1936): 3.68888 per 100,000 here.
    const { json } = await statsJson('rate', '--numerator', '0', '--denominator', '100000');
    expect(json.lower).toBe(0);
    expect(json.upper).toBeCloseTo(-Math.log(0.025), 12);
  });

  it("prints Byar's interval from 10 events at 99.8% as the stats module computes it", async () => {
    const { json, text } = await statsJson(
      'rate', '--numerator', '82', '--denominator', '10000', '--confidence', '0.998', '--multiplier', '1000',
    );
    const expected = crudeRate(82, 10_000, { confidence: 0.998, multiplier: 1000 });
    expect(json).toEqual(asPrinted(expected));
    expect(json.method).toBe('byar');
    expectFullPrecision(text, json, expected);
  });

  it('accepts a fractional denominator such as person-years', async () => {
    const { json } = await statsJson('rate', '--numerator', '3', '--denominator', '1234.5');
    expect(json).toEqual(asPrinted(crudeRate(3, 1234.5)));
  });

  it('refuses a zero denominator on one line', async () => {
    expect(await statsRefusal('rate', '--numerator', '3', '--denominator', '0')).toBe(
      'ntg: a rate needs a denominator greater than 0 (got 0)',
    );
  });

  it('refuses a negative count on one line', async () => {
    expect(await statsRefusal('rate', '--numerator', '-2', '--denominator', '100')).toBe(
      "ntg: a rate's event count must not be negative (got -2)",
    );
  });

  it('refuses a confidence given as a percentage on one line', async () => {
    expect(await statsRefusal('rate', '--numerator', '3', '--denominator', '100', '--confidence', '95')).toBe(
      'ntg: a confidence level must be strictly between 0 and 1, e.g. 0.95 (got 95; did you mean 0.95?)',
    );
  });
});

describe('ntg stats mean', () => {
  it('prints the t-interval of 1:5 matching R t.test', async () => {
    // R: t.test(1:5) → mean 3, 95 percent confidence interval 1.036757 4.963243.
    const { json, text } = await statsJson('mean', '--values', '1,2,3,4,5');
    const expected = meanFromValues([1, 2, 3, 4, 5]);
    expect(json).toEqual(asPrinted(expected));
    expect(json.value).toBe(3);
    expect(json.lower?.toFixed(6)).toBe('1.036757');
    expect(json.upper?.toFixed(6)).toBe('4.963243');
    expectFullPrecision(text, json, expected);
  });

  it('prints the same interval from count, mean and standard deviation', async () => {
    const sd = Math.sqrt(2.5);
    const { json, text } = await statsJson('mean', '--count', '5', '--mean', '3', '--sd', String(sd));
    const expected = meanFromSummary({ count: 5, mean: 3, standardDeviation: sd });
    expect(json).toEqual(asPrinted(expected));
    expect(json.lower?.toFixed(6)).toBe('1.036757');
    expectFullPrecision(text, json, expected);
  });

  it('prints a 99.8% interval of decimal and negative values as the stats module computes it', async () => {
    const { json, text } = await statsJson('mean', '--values', '1.5, 2,-3.25,1e2', '--confidence', '0.998');
    const expected = meanFromValues([1.5, 2, -3.25, 100], { confidence: 0.998 });
    expect(json).toEqual(asPrinted(expected));
    expectFullPrecision(text, json, expected);
  });

  it('refuses a value that is not a number on one line', async () => {
    expect(await statsRefusal('mean', '--values', '1,abc')).toBe(
      `ntg: option '--values <list>' argument '1,abc' is invalid. item 2 ("abc") is not a finite number ` +
        '(run ntg stats mean --help for usage)',
    );
  });

  it('refuses a single value, which has no interval, on one line', async () => {
    expect(await statsRefusal('mean', '--values', '4')).toBe("ntg: a mean's interval needs at least 2 values (got 1)");
  });

  it('refuses values together with summary statistics on one line', async () => {
    expect(await statsRefusal('mean', '--values', '1,2', '--count', '2')).toMatch(
      /^ntg: option '--values <list>' cannot be used with option '--count <count>'/,
    );
  });

  it('refuses incomplete summary statistics on one line, naming what is missing', async () => {
    expect(await statsRefusal('mean', '--count', '5', '--mean', '3')).toBe(
      'ntg: --sd missing: give --count, --mean and --sd together (or --values)',
    );
    expect(await statsRefusal('mean')).toBe('ntg: give either --values, or --count, --mean and --sd');
  });

  it('refuses a count below 2 or not whole on one line', async () => {
    expect(await statsRefusal('mean', '--count', '1.5', '--mean', '3', '--sd', '1')).toBe(
      "ntg: a mean's interval needs a count that is a whole number of at least 2 (got 1.5)",
    );
  });
});

describe('ntg stats gap', () => {
  it('prints the difference 56/70 − 48/80 matching Newcombe 1998 method 10', async () => {
    // Newcombe RG. Interval estimation for the difference between independent proportions. Stat Med
    // 1998;17:873–890, Table II, example (a), method 10: 0.2000 (0.0524, 0.3339).
    const { json, text } = await statsJson(
      'gap', '--numerator', '56', '--denominator', '70', '--comparator-numerator', '48', '--comparator-denominator', '80',
    );
    const expected = proportionDifference({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 });
    expect(json).toEqual(asPrinted(expected));
    expect(json.value?.toFixed(4)).toBe('0.2000');
    expect(json.lower?.toFixed(4)).toBe('0.0524');
    expect(json.upper?.toFixed(4)).toBe('0.3339');
    expect(json).toMatchObject({ group: { numerator: 56, denominator: 70 }, comparator: { numerator: 48, denominator: 80 } });
    expectFullPrecision(text, json, expected);
  });

  it('prints a 99.8% gap in percentage points as the stats module computes it', async () => {
    const { json, text } = await statsJson(
      'gap', '--numerator', '9', '--denominator', '10', '--comparator-numerator', '3', '--comparator-denominator', '10',
      '--confidence', '0.998', '--multiplier', '100',
    );
    const expected = proportionDifference(
      { numerator: 9, denominator: 10 },
      { numerator: 3, denominator: 10 },
      { confidence: 0.998, multiplier: 100 },
    );
    expect(json).toEqual(asPrinted(expected));
    expectFullPrecision(text, json, expected);
  });

  it('refuses impossible comparator counts on one line, naming the comparator', async () => {
    const message = await statsRefusal(
      'gap', '--numerator', '5', '--denominator', '10', '--comparator-numerator', '50', '--comparator-denominator', '40',
    );
    expect(message).toBe(
      'ntg: the comparator (--comparator-numerator, --comparator-denominator): ' +
        "a proportion's numerator must not exceed its denominator (got 50 out of 40)",
    );
  });

  it('refuses a bad confidence or multiplier on one line without blaming either group', async () => {
    const counts = ['--numerator', '5', '--denominator', '10', '--comparator-numerator', '3', '--comparator-denominator', '10'];
    expect(await statsRefusal('gap', ...counts, '--confidence', '95')).toBe(
      'ntg: a confidence level must be strictly between 0 and 1, e.g. 0.95 (got 95; did you mean 0.95?)',
    );
    expect(await statsRefusal('gap', ...counts, '--multiplier', '0')).toBe('ntg: a multiplier must be greater than 0 (got 0)');
  });

  it('refuses a missing comparator on one line', async () => {
    expect(await statsRefusal('gap', '--numerator', '5', '--denominator', '10')).toMatch(
      /^ntg: required option '--comparator-numerator <count>' not specified/,
    );
  });
});

describe('ntg stats gap-index', () => {
  const csv = temporaryFiles('ntg-stats-');

  it('prints the index of a small file with ties and exclusions, computed by hand', async () => {
    // With a BOM, CRLF line ends, quoted fields and a quoted header. p6 (blank score) and p7 (blank group)
    // are excluded, leaving N = 7 pupils ranked lowest first, ties taking mid-ranks:
    //   92 p9 D → 1; 98 p1 D → 2; 101 p3 D, p8 O → 3.5 each; 104 p2 O, p4 O → 5.5 each; 110 p5 O → 7.
    // Disadvantaged rank sum 1 + 2 + 3.5 = 6.5 (3 pupils); others 3.5 + 5.5 + 5.5 + 7 = 21.5 (4 pupils).
    // Index = 20 × (21.5/4/7 − 6.5/3/7) = 20 × (43/56 − 13/42) = 20 × 11/24 = 55/6 = 9.1666…
    const file = csv(
      'pupils.csv',
      '\uFEFFpupil,"name","KS2 score",disadvantaged\r\n' +
        'p1,"Smith, A",98,Y\r\n' +
        'p2,"Jones, B",104,N\r\n' +
        'p3,"Khan, C",101,y\r\n' +
        'p4,"O""Neil, D",104,No\r\n' +
        'p5,Evans,110,false\r\n' +
        'p6,Patel,,1\r\n' +
        'p7,Wood,95,\r\n' +
        'p8,Ali," 101 ",0\r\n' +
        'p9,Ng,92,TRUE\r\n',
    );
    const { json, text } = await statsJson('gap-index', file, '--score', 'KS2 score', '--group', 'disadvantaged');
    const expected = disadvantageGapIndex([98, 104, 101, 104, 110, null, 95, 101, 92], [1, 0, 1, 0, 0, 1, null, 0, 1]);
    expect(json.value).toBeCloseTo(55 / 6, 14);
    expect(json).toEqual({ lower: null, upper: null, ...expected });
    expect(json).toMatchObject({ lower: null, upper: null, disadvantagedCount: 3, otherCount: 4, excludedCount: 2 });
    expect(text).toContain(`{"value":${JSON.stringify(expected.value)},"lower":null,"upper":null,`);
  });

  it('prints 10 when every disadvantaged pupil scores below every other pupil, the top of the DfE scale', async () => {
    const file = csv('separated.csv', 'score,fsm\n10,Y\n20,yes\n30,N\n40,n\n50,no\n');
    const { json } = await statsJson('gap-index', file, '--score', 'score', '--group', 'fsm');
    expect(json.value).toBe(10);
  });

  it('refuses a group value it cannot read on one line, naming the row and column', async () => {
    const file = csv('bad-group.csv', 'upn,score,fsm\nA,100,Y\nB,101,N\nC,99,maybe\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toBe(
      `ntg: ${file}, row 4, column "fsm": expected Y/N, yes/no, true/false or 1/0, or blank when unknown (got "maybe")`,
    );
  });

  it('refuses a score that is not a number on one line, naming the row and its file line', async () => {
    // Row 3 (counting the header as row 1) holds a quoted line break, so row 4 starts on line 5.
    const file = csv('bad-score.csv', 'upn,note,score,fsm\nA,x,100,Y\nB,"two\nlines",101,N\nC,y,n/a,N\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toBe(
      `ntg: ${file}, row 4 (line 5), column "score": the score "n/a" is not a number`,
    );
  });

  it('refuses an unknown column on one line, listing the columns there are', async () => {
    const file = csv('columns.csv', 'upn,ks2_score,fsm\nA,100,Y\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toBe(
      `ntg: ${file} has no column "score" (--score); its columns are "upn", "ks2_score", "fsm"`,
    );
  });

  it('refuses a missing file on one line, naming it', async () => {
    const file = join(tmpdir(), 'ntg-no-such-folder', 'nowhere.csv');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toBe(
      `ntg: cannot read ${file}: no such file`,
    );
  });

  it('refuses malformed CSV on one line', async () => {
    const file = csv('ragged.csv', 'score,fsm\n100,Y\n101\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toMatch(
      new RegExp(`^ntg: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid CSV: .*line 3`),
    );
  });

  it('refuses a file without both groups on one line', async () => {
    const file = csv('one-group.csv', 'score,fsm\n100,N\n101,N\n102,\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score', '--group', 'fsm')).toBe(
      `ntg: ${file}: the gap index needs at least one disadvantaged and one other pupil with a score ` +
        '(found 0 disadvantaged, 2 other, 1 excluded)',
    );
  });

  it('refuses a missing --group option on one line', async () => {
    const file = csv('no-group.csv', 'score,fsm\n100,N\n');
    expect(await statsRefusal('gap-index', file, '--score', 'score')).toMatch(
      /^ntg: required option '--group <column>' not specified/,
    );
  });

  it('reads 100,000 rows of decimal scores and matches the stats module exactly', async () => {
    // Decimal scores force the sorting path; the file is built from a fixed linear congruential sequence.
    const scores: number[] = [];
    const flags: (0 | 1)[] = [];
    let state = 12_345;
    const lines = ['score,fsm'];
    for (let i = 0; i < 100_000; i++) {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      const flag = state % 4 === 0 ? 1 : 0;
      const score = Math.round((state / 2_147_483_648) * 1000) / 10 - flag * 5;
      scores.push(score);
      flags.push(flag);
      lines.push(`${score},${flag === 1 ? 'Y' : 'N'}`);
    }
    const file = csv('large.csv', `${lines.join('\n')}\n`);
    const { json, text } = await statsJson('gap-index', file, '--score', 'score', '--group', 'fsm');
    const expected = disadvantageGapIndex(scores, flags);
    expect(json).toEqual({ lower: null, upper: null, ...expected });
    expect(text).toContain(`"value":${JSON.stringify(expected.value)}`);
  });
});
