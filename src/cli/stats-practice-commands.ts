/**
 * `ntg stats effect-size` and `ntg stats months`: an intervention's effect as a standardised
 * difference with its interval, and as the EEF's months of additional progress, so that practice
 * results reported in different units can be compared.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { impactBand, monthsOfProgress, standardisedDifferenceFromCounts, standardisedMeanDifference } from '../stats/index.js';
import { CommandInputError, confidenceOption, parseNumber, printEstimate, printJson, reportInputErrors, required } from './stats-support.js';

export function registerPracticeEffectCommands(stats: Command): void {
  registerEffectSize(stats);
  registerMonths(stats);
}

interface EffectSizeOptions {
  mean?: number;
  sd?: number;
  events?: number;
  n: number;
  comparatorMean?: number;
  comparatorSd?: number;
  comparatorEvents?: number;
  comparatorN: number;
  confidence: number;
}

/** The months of progress of a value and its limits, where each is known. */
function monthsOf(value: number | null): number | null {
  return value === null ? null : monthsOfProgress(value);
}

function registerEffectSize(stats: Command): void {
  stats
    .command('effect-size')
    .description("an intervention's effect: Hedges' g (or, from counts, the logit-method d) with its interval, and as months of additional progress")
    .addOption(new Option('--mean <number>', "the intervention group's mean; with --sd").argParser(parseNumber).conflicts('events'))
    .addOption(new Option('--sd <number>', "the intervention group's standard deviation (divisor n − 1); with --mean").argParser(parseNumber))
    .addOption(new Option('--events <count>', "instead of a mean: how many in the intervention group had the outcome").argParser(parseNumber))
    .addOption(required('--n <count>', "the intervention group's size", parseNumber))
    .addOption(new Option('--comparator-mean <number>', "the comparison group's mean; with --comparator-sd").argParser(parseNumber).conflicts('comparatorEvents'))
    .addOption(new Option('--comparator-sd <number>', "the comparison group's standard deviation; with --comparator-mean").argParser(parseNumber))
    .addOption(new Option('--comparator-events <count>', 'instead of a mean: how many in the comparison group had the outcome').argParser(parseNumber))
    .addOption(required('--comparator-n <count>', "the comparison group's size", parseNumber))
    .addOption(confidenceOption())
    .addHelpText(
      'after',
      `
Give both groups as means and standard deviations (Hedges' g), or both as counts
with the outcome (--events, --comparator-events: the log odds ratio scaled by
√3/π). "months", "months_lower" and "months_upper" are the value and limits as the
EEF Teaching and Learning Toolkit's months of additional progress (negative when
the intervention group did worse); "impact" is the Toolkit's word for "months".`,
    )
    .action((options: EffectSizeOptions, command: Command) => {
      reportInputErrors(command, () => {
        const settings = { confidence: options.confidence };
        const byMeans = options.mean !== undefined || options.sd !== undefined || options.comparatorMean !== undefined || options.comparatorSd !== undefined;
        const byCounts = options.events !== undefined || options.comparatorEvents !== undefined;
        if (byMeans && byCounts) throw new CommandInputError('give both groups as means and standard deviations, or both as counts with the outcome, not one of each');
        if (!byMeans && !byCounts) throw new CommandInputError('give --mean and --sd with --comparator-mean and --comparator-sd, or --events with --comparator-events');
        let result;
        if (byMeans) {
          const given = { '--mean': options.mean, '--sd': options.sd, '--comparator-mean': options.comparatorMean, '--comparator-sd': options.comparatorSd };
          const missing = Object.entries(given).flatMap(([flag, value]) => (value === undefined ? [flag] : []));
          if (missing.length > 0) throw new CommandInputError(`${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing: means need their standard deviations for both groups`);
          result = standardisedMeanDifference(
            { count: options.n, mean: options.mean!, standardDeviation: options.sd! },
            { count: options.comparatorN, mean: options.comparatorMean!, standardDeviation: options.comparatorSd! },
            settings,
          );
        } else {
          if (options.events === undefined) throw new CommandInputError('--events is missing: counts are needed for both groups');
          if (options.comparatorEvents === undefined) throw new CommandInputError('--comparator-events is missing: counts are needed for both groups');
          result = standardisedDifferenceFromCounts({ numerator: options.events, denominator: options.n }, { numerator: options.comparatorEvents, denominator: options.comparatorN }, settings);
        }
        const months = monthsOf(result.value);
        printEstimate({ ...result, months, months_lower: monthsOf(result.lower), months_upper: monthsOf(result.upper), impact: months === null ? null : impactBand(months) });
      });
    });
}

function registerMonths(stats: Command): void {
  stats
    .command('months')
    .description("an effect size as the EEF Teaching and Learning Toolkit's months of additional progress")
    .addOption(required('--effect-size <d>', 'the effect size (a standardised difference, e.g. Hedges\' g); negative when the intervention group did worse', parseNumber))
    .action((options: { effectSize: number }, command: Command) => {
      reportInputErrors(command, () => {
        const months = monthsOfProgress(options.effectSize);
        printJson({ effectSize: options.effectSize, months, impact: impactBand(months) });
      });
    });
}
