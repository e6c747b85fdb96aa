import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costBand, costBands } from './cost.js';

describe('cost bands (EEF Teaching and Learning Toolkit)', () => {
  it('cost band places each figure in the EEF band, boundaries in the lower band', () => {
    const cases: [number, string][] = [
      [0, 'no cost'],
      [0.5, 'very low'],
      [79.99, 'very low'],
      [80, 'low'],
      [170, 'low'],
      [170.01, 'moderate'],
      [700, 'moderate'],
      [700.01, 'high'],
      [1200, 'high'],
      [1200.01, 'very high'],
      [25_000, 'very high'],
    ];
    for (const [pounds, band] of cases) expect([pounds, costBand(pounds)]).toEqual([pounds, band]);
  });

  it('cost band never falls as the cost rises (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.double({ min: 0, max: 10_000, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(costBands.indexOf(costBand(low))).toBeLessThanOrEqual(costBands.indexOf(costBand(high)));
      }),
      { seed: 20_261_203 },
    );
  });

  it('cost band refuses a negative or non-numeric cost, saying what it got', () => {
    expect(() => costBand(-5)).toThrow('a cost per child per year must be £0 or more (got -5)');
    expect(() => costBand(Number.NaN)).toThrow(RangeError);
  });
});
