import { describe, expect, it } from 'vitest';
import { printed, runNtg, statsRefusal } from '../../test/support/cli.js';
import { standardisedDifferenceFromCounts, standardisedMeanDifference } from '../stats/index.js';

/** Runs a stats command that should succeed and returns the one JSON object it printed. */
async function statsJson(...argv: string[]): Promise<Record<string, unknown>> {
  const result = await runNtg('stats', ...argv);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const lines = result.out.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('ntg stats effect-size', () => {
  const means = ['--mean', '103', '--sd', '5.5', '--n', '50', '--comparator-mean', '100', '--comparator-sd', '4.5', '--comparator-n', '50'];

  it("effect size from means prints Hedges' g with its interval first, then months of progress (Borenstein et al. 2009's example)", async () => {
    const json = await statsJson('effect-size', ...means);
    expect(Object.keys(json).slice(0, 3)).toEqual(['value', 'lower', 'upper']);
    const direct = standardisedMeanDifference({ count: 50, mean: 103, standardDeviation: 5.5 }, { count: 50, mean: 100, standardDeviation: 4.5 });
    expect(json).toMatchObject(printed(direct) as object);
    expect((json.value as number).toFixed(4)).toBe('0.5924');
    expect(json).toMatchObject({ months: 7, months_lower: 3, months_upper: 12, impact: 'high impact' });
  });

  it('effect size from counts prints the logit-method d; a worse intervention group gives negative months', async () => {
    const json = await statsJson('effect-size', '--events', '5', '--n', '100', '--comparator-events', '10', '--comparator-n', '100', '--confidence', '0.9');
    const direct = standardisedDifferenceFromCounts({ numerator: 5, denominator: 100 }, { numerator: 10, denominator: 100 }, { confidence: 0.9 });
    expect(json).toMatchObject(printed(direct) as object);
    expect(json).toMatchObject({ method: 'logit', months: -5, impact: 'moderate impact' });
  });

  it('effect size refuses a missing standard deviation, a mix of means and counts, and impossible counts, naming them', async () => {
    expect(await statsRefusal('effect-size', '--mean', '103', '--n', '50', '--comparator-mean', '100', '--comparator-sd', '4.5', '--comparator-n', '50')).toBe(
      'ntg: --sd is missing: means need their standard deviations for both groups',
    );
    expect(await statsRefusal('effect-size', '--mean', '103', '--sd', '5', '--n', '50', '--comparator-events', '10', '--comparator-n', '50')).toBe(
      'ntg: give both groups as means and standard deviations, or both as counts with the outcome, not one of each',
    );
    expect(await statsRefusal('effect-size', '--events', '60', '--n', '50', '--comparator-events', '10', '--comparator-n', '50')).toMatch(
      /group's number with the outcome must be a whole number from 0 to its size 50/,
    );
    expect(await statsRefusal('effect-size', ...means.slice(0, 4), '--n', '-3', ...means.slice(6))).toMatch(/count must be a whole number of at least 2 \(got -3\)/);
  });
});

describe('ntg stats months', () => {
  it('months converts an effect size by the EEF Toolkit table, negative for a negative effect', async () => {
    expect(await statsJson('months', '--effect-size', '0.4')).toEqual({ effectSize: 0.4, months: 5, impact: 'moderate impact' });
    expect(await statsJson('months', '--effect-size', '-0.19')).toEqual({ effectSize: -0.19, months: -3, impact: 'moderate impact' });
    expect(await statsJson('months', '--effect-size', '0')).toEqual({ effectSize: 0, months: 0, impact: 'very low or no impact' });
  });

  it('months refuses a missing or non-numeric effect size', async () => {
    expect(await statsRefusal('months')).toMatch(/--effect-size/);
    expect(await statsRefusal('months', '--effect-size', 'large')).toMatch(/expected a finite number/);
  });
});
