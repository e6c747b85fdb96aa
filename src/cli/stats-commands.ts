import { Command, CommanderError, Option } from 'commander';
import type { ErrorOptions, HelpContext } from 'commander';
import {
  crudeRate,
  disadvantageGapIndex,
  meanFromSummary,
  meanFromValues,
  proportion,
  proportionDifference,
} from '../stats/index.js';
import { registerComparisonCommands } from './stats-comparison-commands.js';
import { registerPracticeEffectCommands } from './stats-practice-commands.js';
import { registerSeriesCommands } from './stats-series-commands.js';
import {
  CommandInputError,
  badCell,
  cellText,
  confidenceOption,
  findColumn,
  invalidInput,
  naming,
  parseCount,
  parseNumber,
  parseNumberList,
  printEstimate,
  readCsv,
  reportInputErrors,
  reportInputErrorsAsync,
  required,
  toNumber,
} from './stats-support.js';
import { registerTableCommands } from './stats-table-commands.js';

/**
 * A command whose errors are printed as one line, `ntg: <message>`, and exit 2. Commander's own parsing
 * errors (missing or unknown option, malformed value) come through `error()` too; they keep a pointer to
 * the command's help on the same line instead of commander's separate help line.
 */
class StatsCommand extends Command {
  override createCommand(name?: string): StatsCommand {
    return new StatsCommand(name);
  }

  override error(message: string, options: ErrorOptions = {}): never {
    const code = options.code ?? 'commander.error';
    const text = message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
    const hint = code === invalidInput ? '' : ` (run ${commandPath(this)} --help for usage)`;
    this.showHelpAfterError(false);
    return super.error(`ntg: ${text}${hint}`, { exitCode: 2, code });
  }

  /** `ntg stats` without a command shows its help on standard error and exits 2, as `ntg` alone does. */
  override help(context?: HelpContext): never;
  override help(callback: (text: string) => string): never;
  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === 'function') return super.help(context);
    if (!context?.error) return super.help(context);
    this.outputHelp({ error: true });
    throw new CommanderError(2, 'ntg.commandMissing', `${commandPath(this)} needs a command`);
  }
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

export function registerStatsCommands(program: Command): void {
  const stats = new StatsCommand('stats').copyInheritedSettings(program);
  program.addCommand(stats);
  stats
    .description('compute a statistic with its confidence interval and print it as one JSON object')
    .addHelpText(
      'after',
      `
Commands that estimate one figure (proportion, rate, mean, gap, ratio,
mean-difference, effect-size, gap-index, sii) print one JSON object on standard output whose
first three keys are "value", "lower" and "upper" (the estimate and its
confidence limits, full double precision), followed by the details the
statistics module returns. The others (compare, funnel, trend, gap-trend,
forecast, suppress, months) print their result as one JSON object under the statistics
module's own names. Confidence levels are fractions strictly between 0 and 1
(default 0.95; 0.998 is the other Fingertips level). Bad input exits 2 with a
one-line message on standard error. Files are CSV with a header row.
See docs/methods.md for the methods and their sources.`,
    );

  stats
    .command('proportion')
    .description('a proportion with its Wilson score interval')
    .addOption(required('--numerator <count>', 'number in the group with the outcome', parseCount))
    .addOption(required('--denominator <count>', 'number in the group, at least 1', parseCount))
    .addOption(confidenceOption())
    .addOption(
      new Option('--multiplier <number>', 'scale of value and limits: 1 for a proportion from 0 to 1, 100 for a percentage')
        .argParser(parseNumber)
        .default(1),
    )
    .action((options: { numerator: number; denominator: number; confidence: number; multiplier: number }, command: Command) => {
      reportInputErrors(command, () => {
        const { numerator, denominator, confidence, multiplier } = options;
        printEstimate(proportion(numerator, denominator, { confidence, multiplier }));
      });
    });

  stats
    .command('rate')
    .description('a crude rate with its exact Poisson (under 10 events) or Byar (10 or more) interval')
    .addOption(required('--numerator <count>', 'number of events', parseCount))
    .addOption(required('--denominator <number>', 'population or person-time at risk, greater than 0', parseNumber))
    .addOption(
      new Option(
        '--multiplier <number>',
        'rate per this many of the denominator: per 100,000 by default, the Fingertips convention',
      )
        .argParser(parseNumber)
        .default(100_000),
    )
    .addOption(confidenceOption())
    .action((options: { numerator: number; denominator: number; confidence: number; multiplier: number }, command: Command) => {
      reportInputErrors(command, () => {
        const { numerator, denominator, confidence, multiplier } = options;
        printEstimate(crudeRate(numerator, denominator, { confidence, multiplier }));
      });
    });

  stats
    .command('mean')
    .description('a mean with its Student-t interval, from values or from count, mean and standard deviation')
    .addOption(
      new Option('--values <list>', 'comma-separated values, e.g. 1.5,2,3 (at least 2)')
        .argParser(parseNumberList)
        .conflicts(['count', 'mean', 'sd']),
    )
    .addOption(new Option('--count <count>', 'sample size, a whole number of at least 2; with --mean and --sd').argParser(parseNumber))
    .addOption(new Option('--mean <number>', 'sample mean; with --count and --sd').argParser(parseNumber))
    .addOption(new Option('--sd <number>', 'sample standard deviation (divisor n − 1); with --count and --mean').argParser(parseNumber))
    .addOption(confidenceOption())
    .action(
      (
        options: { values?: number[]; count?: number; mean?: number; sd?: number; confidence: number },
        command: Command,
      ) => {
        reportInputErrors(command, () => {
          const { values, count, mean, sd, confidence } = options;
          if (values) return printEstimate(meanFromValues(values, { confidence }));
          const summary = { '--count': count, '--mean': mean, '--sd': sd };
          const absent = Object.keys(summary).filter((name) => summary[name as keyof typeof summary] === undefined);
          if (absent.length === 3) throw new CommandInputError('give either --values, or --count, --mean and --sd');
          if (absent.length > 0) {
            throw new CommandInputError(`${absent.join(' and ')} missing: give --count, --mean and --sd together (or --values)`);
          }
          printEstimate(meanFromSummary({ count, mean, standardDeviation: sd }, { confidence }));
        });
      },
    );

  stats
    .command('gap')
    .description("the gap between two proportions (group minus comparator) with Newcombe's hybrid score interval")
    .addOption(required('--numerator <count>', "the group's number with the outcome", parseCount))
    .addOption(required('--denominator <count>', "the group's size", parseCount))
    .addOption(required('--comparator-numerator <count>', "the comparator's number with the outcome", parseCount))
    .addOption(required('--comparator-denominator <count>', "the comparator's size", parseCount))
    .addOption(confidenceOption())
    .addOption(
      new Option('--multiplier <number>', 'scale of the gap: 1 for a difference of proportions, 100 for percentage points')
        .argParser(parseNumber)
        .default(1),
    )
    .action(
      (
        options: {
          numerator: number;
          denominator: number;
          comparatorNumerator: number;
          comparatorDenominator: number;
          confidence: number;
          multiplier: number;
        },
        command: Command,
      ) => {
        reportInputErrors(command, () => {
          const settings = { confidence: options.confidence, multiplier: options.multiplier };
          const group = { numerator: options.numerator, denominator: options.denominator };
          const comparator = { numerator: options.comparatorNumerator, denominator: options.comparatorDenominator };
          // Check each group's counts on their own first, so a message says which pair of counts is wrong
          // (the confidence and multiplier are checked by the difference itself, without naming a group).
          naming('the group (--numerator, --denominator)', () => proportion(group.numerator, group.denominator));
          naming('the comparator (--comparator-numerator, --comparator-denominator)', () =>
            proportion(comparator.numerator, comparator.denominator),
          );
          printEstimate(proportionDifference(group, comparator, settings));
        });
      },
    );

  registerComparisonCommands(stats);
  registerPracticeEffectCommands(stats);

  stats
    .command('gap-index')
    .description('the DfE disadvantage gap index from a CSV file with one row per pupil')
    .argument('<file>', 'CSV file (UTF-8, comma-separated, with a header row)')
    .addOption(required('--score <column>', 'column holding the attainment score: numeric, blank when missing (excluded)'))
    .addOption(
      required(
        '--group <column>',
        'column flagging disadvantaged pupils: Y/N, yes/no, true/false or 1/0 in any case, blank when unknown (excluded)',
      ),
    )
    .addHelpText(
      'after',
      `
Prints {"value":<index>,"lower":null,"upper":null,...}: the index has no confidence
interval. Rows are numbered as in the file, the header being row 1.`,
    )
    .action(async (file: string, options: { score: string; group: string }, command: Command) => {
      await reportInputErrorsAsync(command, async () => {
        const pupils = await readPupils(file, options.score, options.group);
        const result = disadvantageGapIndex(pupils.scores, pupils.flags);
        if (result.value === null) {
          throw new CommandInputError(
            `${file}: the gap index needs at least one disadvantaged and one other pupil with a score ` +
              `(found ${result.disadvantagedCount} disadvantaged, ${result.otherCount} other, ${result.excludedCount} excluded)`,
          );
        }
        printEstimate({ ...result, lower: null, upper: null });
      });
    });

  registerSeriesCommands(stats);
  registerTableCommands(stats);
}

// ---------------------------------------------------------------------------------------------------
// Pupils from a CSV file

/** Growable parallel columns: a score (NaN when missing or the flag is unknown) and a 0/1 flag per pupil. */
class PupilColumns {
  private scoreData = new Float64Array(4096);
  private flagData = new Uint8Array(4096);
  length = 0;

  push(score: number, flag: 0 | 1): void {
    if (this.length === this.scoreData.length) {
      const scores = new Float64Array(this.length * 2);
      scores.set(this.scoreData);
      this.scoreData = scores;
      const flags = new Uint8Array(this.length * 2);
      flags.set(this.flagData);
      this.flagData = flags;
    }
    this.scoreData[this.length] = score;
    this.flagData[this.length] = flag;
    this.length += 1;
  }

  get scores(): Float64Array {
    return this.scoreData.subarray(0, this.length);
  }

  /** Every entry is 0 or 1 (push only stores those), which is what the gap index takes as a group flag. */
  get flags(): ArrayLike<0 | 1> {
    return this.flagData.subarray(0, this.length) as unknown as ArrayLike<0 | 1>;
  }
}

const groupValues = new Map<string, 0 | 1>([
  ['y', 1], ['yes', 1], ['true', 1], ['1', 1],
  ['n', 0], ['no', 0], ['false', 0], ['0', 0],
]);

/**
 * Streams a CSV file of pupils into score and group columns. A blank score or blank group makes the pupil
 * excluded (stored as a NaN score, which the gap index excludes and counts); anything else unreadable is an
 * error naming the file, row and column. Rows are numbered as in the file, the header being row 1.
 */
async function readPupils(file: string, scoreColumn: string, groupColumn: string): Promise<PupilColumns> {
  const pupils = new PupilColumns();
  let scoreIndex = -1;
  let groupIndex = -1;
  await readCsv(file, {
    header(cells) {
      scoreIndex = findColumn(file, cells, scoreColumn, '--score');
      groupIndex = findColumn(file, cells, groupColumn, '--group');
    },
    row(cells, where) {
      const scoreText = cellText(cells, scoreIndex);
      const groupText = cellText(cells, groupIndex);
      let score = NaN;
      if (scoreText !== '') {
        const value = toNumber(scoreText);
        if (value === undefined) {
          throw new CommandInputError(
            `${where()}, column ${JSON.stringify(scoreColumn)}: the score ${JSON.stringify(scoreText)} is not a number`,
          );
        }
        score = value;
      }
      let flag: 0 | 1 = 0;
      if (groupText === '') {
        score = NaN;
      } else {
        const known = groupValues.get(groupText.toLowerCase());
        if (known === undefined) {
          throw badCell(where, groupColumn, 'Y/N, yes/no, true/false or 1/0, or blank when unknown', groupText);
        }
        flag = known;
      }
      pupils.push(score, flag);
    },
  });
  return pupils;
}
