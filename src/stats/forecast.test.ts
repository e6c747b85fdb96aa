import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { forecastLinear } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_110;

describe('forecastLinear', () => {
  const points = deepFreeze([10, 12, 13, 15, 18].map((value, i) => ({ period: 2019 + i, value })));

  it('computes an ordinary least squares forecast with prediction interval matching the textbook formula', () => {
    // Draper & Smith (1998) §1.4: ŷ₀ ∓ t₀.₉₇₅(n − 2) s √(1 + 1/n + (x₀ − x̄)²/Sxx), evaluated with mpmath
    // (derive-references.py): 21.2, 17.975400251352998 to 24.424599748647; line 18.614568399518333 to
    // 23.785431600481667.
    const [f] = forecastLinear(points, [2025]);
    expectClose(f?.value, 21.2, 1e-12);
    expectClose(f?.lower, 17.975400251352998);
    expectClose(f?.upper, 24.424599748647);
    expectClose(f?.lineLower, 18.614568399518333);
    expectClose(f?.lineUpper, 23.785431600481665);
  });

  it('gives the same forecast when every weight is multiplied by a constant (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1000, noNaN: true }), (scale) => {
        const weighted = points.map((p) => ({ ...p, weight: scale }));
        const [a] = forecastLinear(weighted, [2026]);
        const [b] = forecastLinear(points, [2026]);
        expectClose(a?.lower, b?.lower as number, 1e-10);
        expectClose(a?.upper, b?.upper as number, 1e-10);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('widens the prediction interval further ahead (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 4, maxLength: 10 }), (values) => {
        const series = values.map((value, i) => ({ period: i, value }));
        const [near, far] = forecastLinear(series, [values.length, values.length + 5]);
        expect((far?.upper as number) - (far?.lower as number)).toBeGreaterThanOrEqual((near?.upper as number) - (near?.lower as number));
        expect(near?.lower as number).toBeLessThanOrEqual(near?.lineLower as number);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('skips missing values and returns missing forecasts with fewer than three points', () => {
    expect(forecastLinear([{ period: 1, value: 3 }, { period: 2, value: null }, { period: 3, value: 4 }], [4])).toEqual([
      { period: 4, value: null, lower: null, upper: null, lineLower: null, lineUpper: null },
    ]);
  });

  it('throws for duplicate periods or a non-positive weight', () => {
    expect(() => forecastLinear([{ period: 1, value: 3 }, { period: 1, value: 4 }, { period: 2, value: 5 }], [3])).toThrow(/distinct periods/);
    expect(() => forecastLinear([{ period: 1, value: 3, weight: 0 }, { period: 2, value: 4 }, { period: 3, value: 5 }], [4])).toThrow(/weight/);
  });
});
