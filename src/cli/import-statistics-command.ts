import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { formatProblem } from '../ingest/statistics/problems.js';
import { FileChangedError, importStatistics } from '../ingest/statistics/service.js';
import type { StatisticsImportResult } from '../ingest/statistics/service.js';
import { valueSymbols } from '../ingest/statistics/standard.js';
import { leftOutNotes } from '../ingest/statistics/summary.js';
import { prepareDatabase } from '../service.js';
import { ImportFileError, ImportRefusedError } from './import-commands.js';
import { UsageError, configWith } from './program.js';

/** Problems listed on the command line; the count covers the rest. */
const problemsListed = 20;
const operator = 'operator (command line)';

/** Adds `statistics <DATA.csv> --meta <META.csv> [--accept-valid]` to the `import` command group. */
export function addStatisticsImportCommand(importGroup: Command): void {
  importGroup
    .command('statistics')
    .description('load published statistics in the DfE open data standard (Explore Education Statistics): a data file and its metadata file, unchanged')
    .argument('<data>', 'the data CSV file')
    .option('--meta <file>', 'the metadata CSV file published with it (usually <name>.meta.csv)')
    .option('--accept-valid', 'load the valid rows and set aside rows with problems, instead of refusing the whole file')
    .action(async (dataPath: string, options: { meta?: string; acceptValid?: boolean }) => {
      if (options.meta === undefined) throw new UsageError(`--meta is needed: the metadata file published with ${dataPath}${metaSuggestion(dataPath)}`);
      await checkReadable(dataPath, 'the data file');
      await checkReadable(options.meta, '--meta');
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        await prepareDatabase(database, config);
        const result = await importStatistics(database.db, {
          dataPath,
          metaPath: options.meta,
          dataDir: config.dataDir,
          uploadedBy: { userId: null, label: operator, organisationId: null },
          // The operator loads national figures, which every authority's comparators read.
          ownerLaCode: null,
          acceptValid: options.acceptValid === true,
        }).catch((error: unknown) => {
          throw error instanceof FileChangedError ? new ImportFileError(error.message) : error;
        });
        printResult(result);
        if (result.outcome === 'rejected') {
          const advice =
            result.fileProblemCount > 0 || options.acceptValid === true
              ? 'Correct the files and import them again.'
              : 'Correct the files and import them again, or use --accept-valid to load the valid rows and set the others aside.';
          throw new ImportRefusedError(`Refused: ${count(result.problemCount, 'problem')}; nothing was loaded. ${advice}`);
        }
      } finally {
        await database.close();
      }
    });
}

/**
 * A missing file is a mistake on the command line (UsageError, exit 2); a file that is there but
 * cannot be read is not (ImportFileError, exit 1). A refusal is ImportRefusedError (exit 1).
 */
async function checkReadable(path: string, what: string): Promise<void> {
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new UsageError(`${what}: there is no file ${path}`);
    throw new ImportFileError(`Cannot read ${path}: ${error.message}`);
  });
  if (found.isDirectory()) throw new UsageError(`${what}: ${path} is a folder, not a CSV file`);
  await access(path, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new ImportFileError(`Cannot read ${path}: ${error.code === 'EACCES' ? 'permission denied' : error.message}`);
  });
}

function metaSuggestion(dataPath: string): string {
  const beside = dataPath.replace(/\.csv$/i, '.meta.csv');
  return beside !== dataPath && existsSync(beside) ? ` (perhaps --meta ${beside})` : '';
}

function printResult(result: StatisticsImportResult): void {
  const { dataset } = result;
  if (result.outcome === 'duplicate') {
    const when = result.earlier === undefined ? '' : `, loaded ${result.earlier.finishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by ${result.earlier.uploadedBy}`;
    console.log(`Already loaded: these files are batch ${result.batchId} ("${dataset.title}")${when}. Nothing was loaded again.`);
    return;
  }
  if (result.outcome === 'rejected') {
    console.log(`Refused "${dataset.title}" (batch ${result.batchId} records the attempt). ${count(result.problemCount, 'problem')}:`);
    printProblems(result);
    return;
  }
  console.log(`Loaded "${dataset.title}" as batch ${result.batchId}.`);
  const quarantined = result.rowsQuarantined > 0 ? `; ${count(result.rowsQuarantined, 'row')} with problems set aside (listed below)` : '';
  console.log(`Rows: ${number(result.rowsLoaded)} loaded${quarantined}.`);
  const words = dataset.statuses.text ?? 0;
  const symbols = Object.entries(dataset.statuses)
    .filter(([status]) => status !== 'value' && status !== 'text')
    .map(([status, times]) => `${number(times)} ${status} (${valueSymbols[status] ?? status})`);
  const kinds = [`${number(dataset.statuses.value ?? 0)} numbers`, ...(words > 0 ? [`${number(words)} in words`] : []), ...symbols];
  console.log(`Values: ${number(dataset.observations)}, of which ${kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : kinds[0]}.`);
  console.log(`Geographic levels: ${dataset.levels.map((level) => `${level.level} (${count(level.rows, 'row')})`).join(', ')}.`);
  const periods = dataset.periods;
  console.log(`Time periods: ${periods.length} (${dataset.timeIdentifiers.join(', ')})${periods.length > 0 ? `, ${periods[0]} to ${periods.at(-1)}` : ''}.`);
  console.log(`Indicators: ${dataset.indicatorCount}. Filters: ${dataset.filterCount}.`);
  console.log(
    `Framework groups matched: ${dataset.groups.length === 0 ? 'none' : dataset.groups.map((group) => `${group.groupId} (${group.filter} "${group.value}", ${count(group.rows, 'row')})`).join('; ')}.`,
  );
  for (const line of leftOutNotes(dataset)) console.log(line);
  if (result.rowsQuarantined > 0) printProblems(result);
}

function printProblems(result: StatisticsImportResult): void {
  for (const problem of result.problems.slice(0, problemsListed)) console.log(`  ${formatProblem(problem)}`);
  if (result.problemCount > problemsListed) console.log(`  … and ${number(result.problemCount - problemsListed)} more (${count(result.problemCount, 'problem')} in all).`);
}

function number(value: number): string {
  return value.toLocaleString('en-GB');
}

function count(value: number, noun: string): string {
  return `${number(value)} ${noun}${value === 1 ? '' : 's'}`;
}
