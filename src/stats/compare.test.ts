import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareWithBenchmark, judge, proportion } from './index.js';
import { deepFreeze } from './test-support.js';

const SEED = 20_250_106;

describe('compareWithBenchmark', () => {
  // Rule from OHID Fingertips: an indicator is significantly higher (lower) than the benchmark value when
  // its whole confidence interval lies above (below) it; otherwise similar.
  it('classifies an interval above, around and below a benchmark value, Fingertips-style', () => {
    expect(compareWithBenchmark({ lower: 61.2, upper: 64.8 }, 60.1, 'higher-is-better')).toEqual({
      direction: 'higher',
      judgement: 'better',
      rule: 'interval-vs-value',
    });
    expect(compareWithBenchmark({ lower: 59.2, upper: 64.8 }, 60.1, 'higher-is-better').judgement).toBe('similar');
    expect(compareWithBenchmark({ lower: 51.2, upper: 54.8 }, 60.1, 'higher-is-better').judgement).toBe('worse');
    expect(compareWithBenchmark({ lower: 51.2, upper: 54.8 }, 60.1, 'lower-is-better').judgement).toBe('better');
    expect(compareWithBenchmark({ lower: 51.2, upper: 54.8 }, 60.1, 'no-judgement').judgement).toBe('lower');
  });

  it('treats a limit equal to the benchmark as similar', () => {
    expect(compareWithBenchmark({ lower: 60.1, upper: 64.8 }, 60.1, 'higher-is-better').direction).toBe('similar');
  });

  it('gives a different answer at 95% and 99.8% when the evidence is moderate', () => {
    // 120/200 = 60% against a benchmark of 52%: the 95% Wilson interval (53.1–66.5%) excludes 52%, the
    // 99.8% interval (49.1–70.0%) does not.
    const at95 = proportion(120, 200, { multiplier: 100 });
    const at998 = proportion(120, 200, { multiplier: 100, confidence: 0.998 });
    expect(compareWithBenchmark(at95, 52, 'higher-is-better').judgement).toBe('better');
    expect(compareWithBenchmark(at998, 52, 'higher-is-better').judgement).toBe('similar');
  });

  it('compares two intervals by overlap', () => {
    const benchmark = deepFreeze({ lower: 40, upper: 45 });
    expect(compareWithBenchmark({ lower: 46, upper: 50 }, benchmark, 'lower-is-better')).toEqual({
      direction: 'higher',
      judgement: 'worse',
      rule: 'interval-overlap',
    });
    expect(compareWithBenchmark({ lower: 44, upper: 50 }, benchmark, 'lower-is-better').judgement).toBe('similar');
  });

  it('returns not-compared when a limit or the benchmark is missing', () => {
    expect(compareWithBenchmark({ lower: null, upper: 3 }, 2, 'higher-is-better').judgement).toBe('not-compared');
    expect(compareWithBenchmark({ lower: 1, upper: 3 }, null, 'higher-is-better').direction).toBe('not-compared');
    expect(compareWithBenchmark({ lower: 1, upper: 3 }, Number.NaN, 'no-judgement').judgement).toBe('not-compared');
    expect(compareWithBenchmark({ lower: 1, upper: 3 }, { lower: undefined, upper: 4 }, 'no-judgement').direction).toBe('not-compared');
  });

  it('throws for an inverted interval or an unknown polarity', () => {
    expect(() => compareWithBenchmark({ lower: 5, upper: 3 }, 2, 'higher-is-better')).toThrow(/lower limit must not exceed its upper limit/);
    expect(() => judge('higher', 'up' as never)).toThrow(/polarity must be/);
  });

  it('reverses the direction when indicator and benchmark are reflected (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (lower, width, benchmark) => {
          const a = compareWithBenchmark({ lower, upper: lower + width }, benchmark, 'no-judgement').direction;
          const b = compareWithBenchmark({ lower: -(lower + width), upper: -lower }, -benchmark, 'no-judgement').direction;
          const flip = { higher: 'lower', lower: 'higher', similar: 'similar', 'not-compared': 'not-compared' } as const;
          expect(b).toBe(flip[a]);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
