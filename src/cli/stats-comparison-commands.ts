/**
 * `ntg stats ratio`, `mean-difference`, `compare` and `funnel`: comparisons between two groups, with a
 * benchmark, or with a target, from numbers given on the command line.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  compareWithBenchmark,
  funnelLimits,
  meanDifference,
  proportion,
  proportionRatio,
  standardisedMeanDifference,
  summarise,
} from '../stats/index.js';
import type { MeanSummary, Polarity } from '../stats/index.js';
import {
  CommandInputError,
  confidenceOption,
  naming,
  parseCount,
  parseNumber,
  parseNumberList,
  printEstimate,
  printJson,
  reportInputErrors,
  required,
} from './stats-support.js';

export function registerComparisonCommands(stats: Command): void {
  registerRatio(stats);
  registerMeanDifference(stats);
  registerCompare(stats);
  registerFunnel(stats);
}

function registerRatio(stats: Command): void {
  stats
    .command('ratio')
    .description('the ratio of two proportions (group ÷ comparator, the relative risk) with the Katz log interval')
    .addOption(required('--numerator <count>', "the group's number with the outcome", parseCount))
    .addOption(required('--denominator <count>', "the group's size", parseCount))
    .addOption(required('--comparator-numerator <count>', "the comparator's number with the outcome", parseCount))
    .addOption(required('--comparator-denominator <count>', "the comparator's size", parseCount))
    .addOption(confidenceOption())
    .addHelpText(
      'after',
      `
With a zero group numerator the log-scale interval is undefined: lower and upper
are null and "note" says why. With a zero comparator numerator the ratio itself is
undefined and value is null too. Both still exit 0.`,
    )
    .action(
      (
        options: {
          numerator: number;
          denominator: number;
          comparatorNumerator: number;
          comparatorDenominator: number;
          confidence: number;
        },
        command: Command,
      ) => {
        reportInputErrors(command, () => {
          const { confidence } = options;
          const group = { numerator: options.numerator, denominator: options.denominator };
          const comparator = { numerator: options.comparatorNumerator, denominator: options.comparatorDenominator };
          // Check each group's counts on their own first, so a message says which pair of counts is wrong
          // (the confidence is checked by the ratio itself, without naming a group).
          naming('the group (--numerator, --denominator)', () => proportion(group.numerator, group.denominator));
          naming('the comparator (--comparator-numerator, --comparator-denominator)', () =>
            proportion(comparator.numerator, comparator.denominator),
          );
          printEstimate(proportionRatio(group, comparator, { confidence }));
        });
      },
    );
}

interface MeanDifferenceOptions {
  values?: number[];
  count?: number;
  mean?: number;
  sd?: number;
  comparatorValues?: number[];
  comparatorCount?: number;
  comparatorMean?: number;
  comparatorSd?: number;
  confidence: number;
  standardised?: true;
}

function registerMeanDifference(stats: Command): void {
  stats
    .command('mean-difference')
    .description("the difference between two means (group minus comparator) with Welch's interval, or Hedges' g")
    .addOption(
      new Option('--values <list>', "the group's values, comma-separated (at least 2)")
        .argParser(parseNumberList)
        .conflicts(['count', 'mean', 'sd']),
    )
    .addOption(new Option('--count <count>', "the group's size, a whole number of at least 2; with --mean and --sd").argParser(parseNumber))
    .addOption(new Option('--mean <number>', "the group's mean; with --count and --sd").argParser(parseNumber))
    .addOption(new Option('--sd <number>', "the group's standard deviation (divisor n − 1); with --count and --mean").argParser(parseNumber))
    .addOption(
      new Option('--comparator-values <list>', "the comparator's values, comma-separated (at least 2)")
        .argParser(parseNumberList)
        .conflicts(['comparatorCount', 'comparatorMean', 'comparatorSd']),
    )
    .addOption(new Option('--comparator-count <count>', "the comparator's size; with --comparator-mean and --comparator-sd").argParser(parseNumber))
    .addOption(new Option('--comparator-mean <number>', "the comparator's mean; with --comparator-count and --comparator-sd").argParser(parseNumber))
    .addOption(
      new Option('--comparator-sd <number>', "the comparator's standard deviation; with --comparator-count and --comparator-mean").argParser(
        parseNumber,
      ),
    )
    .addOption(confidenceOption())
    .option('--standardised', "print Hedges' g, the standardised mean difference, instead of the difference in the values' units")
    .addHelpText(
      'after',
      `
Give each group as --values or as count, mean and standard deviation; the two
groups may be given differently. The output ends with each group's count, mean and
standard deviation as used ("group", "comparator").`,
    )
    .action((options: MeanDifferenceOptions, command: Command) => {
      reportInputErrors(command, () => {
        const group = summaryOf('the group', options.values, { '--count': options.count, '--mean': options.mean, '--sd': options.sd }, '--values');
        const comparator = summaryOf(
          'the comparator',
          options.comparatorValues,
          { '--comparator-count': options.comparatorCount, '--comparator-mean': options.comparatorMean, '--comparator-sd': options.comparatorSd },
          '--comparator-values',
        );
        const settings = { confidence: options.confidence };
        const result = options.standardised
          ? standardisedMeanDifference(group, comparator, settings)
          : meanDifference(group, comparator, settings);
        printEstimate({ ...result, group, comparator });
      });
    });
}

/** One group's count, mean and standard deviation, from its values or from the three summary options. */
function summaryOf(
  label: string,
  values: number[] | undefined,
  summary: Record<string, number | undefined>,
  valuesOption: string,
): MeanSummary & { count: number; mean: number; standardDeviation: number } {
  const names = Object.keys(summary);
  if (values) {
    if (values.length < 2) {
      throw new CommandInputError(`${label} (${valuesOption}) needs at least 2 values for a standard deviation (got ${values.length})`);
    }
    return summarise(values);
  }
  const absent = names.filter((name) => summary[name] === undefined);
  if (absent.length === names.length) {
    throw new CommandInputError(`${label} is missing: give ${valuesOption}, or ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
  }
  if (absent.length > 0) {
    throw new CommandInputError(
      `${absent.join(' and ')} missing: give ${names.slice(0, -1).join(', ')} and ${names.at(-1)} together (or ${valuesOption})`,
    );
  }
  const [count, mean, standardDeviation] = names.map((name) => summary[name] as number) as [number, number, number];
  return { count, mean, standardDeviation };
}

const polarities: readonly Polarity[] = ['higher-is-better', 'lower-is-better', 'no-judgement'];

function registerCompare(stats: Command): void {
  stats
    .command('compare')
    .description("compare an indicator's confidence interval with a benchmark value or interval, Fingertips-style")
    .addOption(new Option('--value <number>', "the indicator's estimate, echoed in the output (the comparison uses only its interval)").argParser(parseNumber))
    .addOption(required('--lower <number>', "the indicator's lower confidence limit", parseNumber))
    .addOption(required('--upper <number>', "the indicator's upper confidence limit", parseNumber))
    .addOption(
      new Option('--benchmark <number>', 'a benchmark value, e.g. England').argParser(parseNumber).conflicts(['benchmarkLower', 'benchmarkUpper']),
    )
    .addOption(new Option('--benchmark-lower <number>', "a benchmark interval's lower limit, e.g. another area's; with --benchmark-upper").argParser(parseNumber))
    .addOption(new Option('--benchmark-upper <number>', "a benchmark interval's upper limit; with --benchmark-lower").argParser(parseNumber))
    .addOption(
      new Option('--polarity <polarity>', 'how to judge a difference: which way is better, or no judgement (higher/lower)')
        .choices(polarities)
        .default('no-judgement'),
    )
    .addHelpText(
      'after',
      `
The comparison is at the confidence level the limits were computed at, which is
the caller's: compare once with 95% limits and once with 99.8% limits for
Fingertips' two levels. Against a value: higher when the lower limit is above it,
lower when the upper limit is below it, else similar. Against an interval: higher
or lower only when the intervals do not overlap (a conservative rule). Prints
{"value","lower","upper","direction","judgement","rule","benchmark","polarity"};
value is null without --value.`,
    )
    .action(
      (
        options: {
          value?: number;
          lower: number;
          upper: number;
          benchmark?: number;
          benchmarkLower?: number;
          benchmarkUpper?: number;
          polarity: Polarity;
        },
        command: Command,
      ) => {
        reportInputErrors(command, () => {
          const { value, lower, upper, polarity } = options;
          let benchmark: number | { lower: number; upper: number };
          if (options.benchmark !== undefined) {
            benchmark = options.benchmark;
          } else if (options.benchmarkLower !== undefined && options.benchmarkUpper !== undefined) {
            benchmark = { lower: options.benchmarkLower, upper: options.benchmarkUpper };
          } else if (options.benchmarkLower === undefined && options.benchmarkUpper === undefined) {
            throw new CommandInputError('give either --benchmark, or --benchmark-lower and --benchmark-upper');
          } else {
            const absent = options.benchmarkLower === undefined ? '--benchmark-lower' : '--benchmark-upper';
            throw new CommandInputError(`${absent} missing: give --benchmark-lower and --benchmark-upper together (or --benchmark)`);
          }
          const comparison = compareWithBenchmark({ lower, upper }, benchmark, polarity);
          if (value !== undefined && (value < lower || value > upper)) {
            throw new CommandInputError(`--value ${value} lies outside its interval, --lower ${lower} to --upper ${upper}`);
          }
          printJson({ value: value ?? null, lower, upper, ...comparison, benchmark, polarity });
        });
      },
    );
}

function registerFunnel(stats: Command): void {
  stats
    .command('funnel')
    .description('funnel-plot control limits around a target proportion for each denominator')
    .addOption(required('--target <proportion>', 'the target proportion from 0 to 1, e.g. the national proportion', parseNumber))
    .addOption(required('--denominators <list>', 'comma-separated denominators, whole numbers of at least 1, e.g. 10,50,100', parseNumberList))
    .addOption(
      new Option('--confidence <levels>', 'comma-separated control-limit levels strictly between 0 and 1')
        .argParser(parseNumberList)
        .default([0.95, 0.998], '0.95,0.998'),
    )
    .addOption(
      new Option('--method <method>', "wilson (PHE's limits, θ ∓ z√(θ(1 − θ)/n)) or exact (Spiegelhalter's interpolated binomial)")
        .choices(['wilson', 'exact'])
        .default('wilson'),
    )
    .addOption(
      new Option('--multiplier <number>', 'scale of the limits: 1 for proportions, 100 for percentages (the target stays from 0 to 1)')
        .argParser(parseNumber)
        .default(1),
    )
    .addHelpText(
      'after',
      `
Prints {"target","method","multiplier","points":[{"denominator",
"limits":[{"confidence","lower","upper"}]}]}, one point per denominator and one
limit per level, in the order given.`,
    )
    .action(
      (
        options: { target: number; denominators: number[]; confidence: number[]; method: 'wilson' | 'exact'; multiplier: number },
        command: Command,
      ) => {
        reportInputErrors(command, () => {
          const { target, denominators, confidence, method, multiplier } = options;
          const points = funnelLimits(target, denominators, { confidences: confidence, method, multiplier });
          printJson({ target, method, multiplier, points });
        });
      },
    );
}
