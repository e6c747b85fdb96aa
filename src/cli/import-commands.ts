import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { currentAuthoritiesFor } from '../areas/areas.js';
import { openDatabase } from '../db/database.js';
import type { Database } from '../db/database.js';
import { toCsv } from '../export/csv.js';
import { BatchNotFoundError, BatchNotRestorableError, batchProblems, findBatch, listBatches, restoreBatch } from '../ingest/batches.js';
import type { BatchSummary } from '../ingest/batches.js';
import type { ChildImportResult, ImportProgress } from '../ingest/child-import.js';
import { importChildFile } from '../ingest/child-import.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { MappingError, parseMapping } from '../ingest/mapping.js';
import type { LocalColumn } from '../ingest/mapping.js';
import { PseudonymKeyMissingError, pseudonymKey } from '../ingest/pseudonym.js';
import { prepareGapFigures } from '../gaps/service.js';
import { prepareDatabase } from '../service.js';
import { addStatisticsImportCommand } from './import-statistics-command.js';
import { UsageError, configWith } from './program.js';

const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

/** A file named on the command line cannot be used; the message says which and why. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** The load finished without storing anything (refused), or a restore was not possible. */
export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

async function withDatabase<T>(work: (database: Database, config: ReturnType<typeof configWith>) => Promise<T>): Promise<T> {
  const config = configWith({});
  const database = await openDatabase(config);
  try {
    await prepareDatabase(database, config);
    return await work(database, config);
  } finally {
    await database.close();
  }
}

/** The current authority a --la code names (GSS, DfE number or a predecessor with one successor). */
export function authorityCode(code: string): string {
  const found = currentAuthoritiesFor(code.trim());
  if (found === undefined) throw new UsageError(`--la: ${code} is not a local authority code (give a GSS code such as E08000035 or a DfE number such as 383)`);
  if (found.ambiguous) throw new UsageError(`--la: ${code} was divided between ${found.authorities.map((la) => `${la.gss} (${la.name})`).join(' and ')}; give one of those`);
  return found.authorities[0]!.gss;
}

async function readableFile(path: string, what: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ImportFileError(`${what} ${path} does not exist`);
  if (!info.isFile()) throw new ImportFileError(`${what} ${path} is not a file`);
  return info.size;
}

/** A progress line on standard error: a live bar on a terminal, a line every few seconds otherwise. */
function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(progress: ImportProgress): void; done(): void } {
  const started = Date.now();
  let lastLine = 0;
  return {
    update({ rows, bytesRead, totalBytes }) {
      const now = Date.now();
      const seconds = Math.max((now - started) / 1000, 0.001);
      const fraction = totalBytes > 0 ? Math.min(bytesRead / totalBytes, 1) : 0;
      const eta = fraction > 0 ? Math.max(0, Math.round(seconds / fraction - seconds)) : undefined;
      const rate = Math.round(rows / seconds);
      const text = `${rows.toLocaleString('en-GB')} rows · ${rate.toLocaleString('en-GB')} rows/s · ${Math.round(fraction * 100)}%${eta === undefined ? '' : ` · about ${eta} s left`}`;
      if (stream.isTTY) {
        const width = 24;
        const filled = Math.round(fraction * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}   `);
      } else if (now - lastLine >= 5000) {
        lastLine = now;
        stream.write(`${text}\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

function describeLoad(result: ChildImportResult, laCode: string, seconds: number): string[] {
  const years = result.academicYears.map(formatAcademicYear).join(', ');
  if (result.outcome === 'duplicate') return [`This file was already loaded for ${laCode} as batch ${result.batchId} (${years}): nothing to do.`];
  if (result.outcome === 'rejected') {
    const lines = [`Refused: nothing was loaded. ${result.problemCount.toLocaleString('en-GB')} problem${result.problemCount === 1 ? '' : 's'} (batch ${result.batchId}):`];
    for (const problem of result.problems.slice(0, 20)) lines.push(`  ${problemLine(problem)}`);
    if (result.problemCount > 20) lines.push(`  … and ${(result.problemCount - 20).toLocaleString('en-GB')} more: ntg imports show ${result.batchId} --problems`);
    return lines;
  }
  const rate = Math.round(result.rowsRead / Math.max(seconds, 0.001));
  const lines = [`Loaded ${result.rowsLoaded.toLocaleString('en-GB')} rows for ${laCode} (${years}) as batch ${result.batchId} in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-GB')} rows/s).`];
  if (result.rowsQuarantined > 0) lines.push(`${result.rowsQuarantined.toLocaleString('en-GB')} rows were quarantined (not loaded): ntg imports show ${result.batchId} --problems`);
  for (const replaced of result.replacedBatches) lines.push(`It replaces batch ${replaced} for those years; to go back: ntg imports restore ${replaced}`);
  return lines;
}

function problemLine(problem: { file?: string | null; row: number | null; column: string; value: string; expected: string }): string {
  const where = `${problem.file ? `${problem.file}: ` : ''}${problem.row === null ? problem.column : `row ${problem.row}, ${problem.column}`}`;
  return problem.value === '' ? `${where}: expected ${problem.expected}` : `${where}: "${problem.value}", expected ${problem.expected}`;
}

function batchLines(batch: BatchSummary): string[] {
  return [
    `Batch ${batch.id}: ${batch.kind === 'children' ? 'child-level records' : 'published statistics'}${batch.laCode ? ` for ${batch.laCode}` : ''}`,
    `File: ${batch.fileName} (SHA-256 ${batch.sha256})`,
    `Loaded by ${batch.uploadedBy} at ${batch.finishedAt.toISOString()}`,
    `Outcome: ${batch.outcome}${batch.outcome === 'loaded' ? (batch.current ? ', current' : ', replaced (can be restored)') : ''}${batch.acceptValid ? ', valid rows accepted' : ''}`,
    `Years: ${batch.academicYears.map(formatAcademicYear).join(', ') || '–'}`,
    `Rows: ${batch.rowsRead.toLocaleString('en-GB')} read, ${batch.rowsLoaded.toLocaleString('en-GB')} loaded, ${batch.rowsQuarantined.toLocaleString('en-GB')} quarantined; ${batch.problemCount.toLocaleString('en-GB')} problems`,
    ...(batch.storedFile ? [`Kept copy: ${batch.storedFile} (in the data folder)`] : []),
  ];
}

/**
 * Computes and keeps the authority's gap figures after its data changed, so the service's first
 * reader does not wait for them. The data is loaded whatever happens here: a failure only leaves
 * that to the reader.
 */
async function prepareFiguresOf(database: Database, laCode: string): Promise<void> {
  await prepareGapFigures(database.db, laCode).catch((error: unknown) => console.error(`The gap figures were not computed now (${error instanceof Error ? error.message : String(error)}); they will be when first read.`));
}

export function registerImportCommands(program: Command): Command {
  const load = program.command('import').description('load a child-level file or a published statistics file');

  load
    .command('children')
    .description('load a child-level file (CSV or XLSX) for one authority: validated, pseudonymised, all or nothing')
    .argument('<file>', 'the CSV or XLSX file, in the child-level standard (docs/data-standards.md)')
    .requiredOption('--la <code>', 'the authority the file belongs to: GSS code (E08000035) or DfE number (383)')
    .option('--accept-valid', 'load the valid rows and quarantine the invalid ones, instead of refusing the file')
    .option('--mapping <file>', 'a mapping file declaring local groups and measures (docs/data-standards.md)')
    .option('--sheet <name>', 'the sheet of an XLSX workbook to read (default: the first)')
    .action(async (file: string, options: { la: string; acceptValid?: boolean; mapping?: string; sheet?: string }) => {
      const laCode = authorityCode(options.la);
      await readableFile(file, 'The file');
      let localColumns: LocalColumn[] | undefined;
      if (options.mapping !== undefined) {
        await readableFile(options.mapping, 'The mapping file');
        try {
          localColumns = parseMapping(await readFile(options.mapping), options.mapping);
        } catch (error) {
          if (error instanceof MappingError) throw new ImportFileError(`The mapping file ${error.message}`);
          throw error;
        }
      }
      await withDatabase(async (database, config) => {
        let key: string;
        try {
          key = await pseudonymKey(config);
        } catch (error) {
          if (error instanceof PseudonymKeyMissingError) throw new ImportFileError(error.message);
          throw error;
        }
        const progress = progressReporter();
        const started = Date.now();
        const result = await importChildFile(
          { path: file, fileName: basename(file), laCode, acceptValid: options.acceptValid === true, localColumns, sheet: options.sheet, actor: operator },
          { database, dataDir: config.dataDir, pseudonymKey: key, readLimits: config.readLimits, onProgress: (update) => progress.update(update) },
        );
        progress.done();
        const lines = describeLoad(result, laCode, (Date.now() - started) / 1000);
        if (result.outcome === 'rejected') throw new ImportRefusedError(lines.join('\n'));
        console.log(lines.join('\n'));
        if (result.outcome === 'loaded') await prepareFiguresOf(database, laCode);
      });
    });

  addStatisticsImportCommand(load);

  const imports = program.command('imports').description('the history of loaded files: list, show, restore');

  imports
    .command('list')
    .description('list import batches, newest first')
    .option('--la <code>', 'only this authority’s child-level batches')
    .addOption(new Option('--kind <kind>', 'only one kind').choices(['children', 'statistics']))
    .action(async (options: { la?: string; kind?: 'children' | 'statistics' }) => {
      const laCode = options.la === undefined ? undefined : authorityCode(options.la);
      await withDatabase(async (database) => {
        const batches = await listBatches(database.db, 'all', { laCode, kind: options.kind });
        if (batches.length === 0) return void console.log('No files have been loaded yet.');
        const header = ['batch', 'kind', 'authority', 'years', 'outcome', 'loaded', 'quarantined', 'when', 'file'];
        const rows = batches.map((batch) => [
          batch.id,
          batch.kind,
          batch.laCode ?? '–',
          batch.academicYears.map(formatAcademicYear).join(' ') || '–',
          batch.outcome === 'loaded' ? (batch.current ? 'current' : batch.kind === 'children' ? 'replaced' : 'loaded') : batch.outcome,
          batch.rowsLoaded.toLocaleString('en-GB'),
          batch.rowsQuarantined.toLocaleString('en-GB'),
          batch.finishedAt.toISOString().slice(0, 16).replace('T', ' '),
          batch.fileName,
        ]);
        const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
        for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
      });
    });

  imports
    .command('show')
    .description('show one batch and its problems')
    .argument('<batch>', 'the batch number')
    .option('--problems', 'print every problem as CSV (row, column, value, expected) instead of the summary')
    .action(async (id: string, options: { problems?: boolean }) => {
      await withDatabase(async (database) => {
        const batch = await findBatch(database.db, 'all', id);
        if (batch === undefined) throw new ImportFileError(new BatchNotFoundError(id).message);
        const problems = await batchProblems(database.db, batch.id);
        if (options.problems) {
          const withFiles = problems.some((problem) => problem.file !== null);
          const header = withFiles ? ['file', 'row', 'column', 'value', 'expected'] : ['row', 'column', 'value', 'expected'];
          const rows = problems.map((problem) => [...(withFiles ? [problem.file] : []), problem.row, problem.column, problem.value, problem.expected]);
          process.stdout.write(toCsv(header, rows));
          return;
        }
        console.log(batchLines(batch).join('\n'));
        if (problems.length > 0) {
          console.log('Problems:');
          for (const problem of problems.slice(0, 50)) console.log(`  ${problemLine(problem)}`);
          if (batch.problemCount > 50) console.log(`  … and ${(batch.problemCount - 50).toLocaleString('en-GB')} more (--problems prints them all)`);
        }
      });
    });

  imports
    .command('restore')
    .description('make an earlier child-level batch current again for its years (the one it displaces can be restored in turn)')
    .argument('<batch>', 'the batch number')
    .action(async (id: string) => {
      await withDatabase(async (database) => {
        try {
          const { batch, displaced } = await restoreBatch(database, 'all', id, operator);
          console.log(`Batch ${batch.id} is current again for ${batch.laCode} (${batch.academicYears.map(formatAcademicYear).join(', ')}).`);
          for (const other of displaced) console.log(`It replaces batch ${other}; to go back: ntg imports restore ${other}`);
          if (batch.laCode !== null) await prepareFiguresOf(database, batch.laCode);
        } catch (error) {
          if (error instanceof BatchNotFoundError || error instanceof BatchNotRestorableError) throw new ImportRefusedError(error.message);
          throw error;
        }
      });
    });

  return load;
}
