import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { appendAudit } from '../../auth/audit.js';
import type { Schema } from '../../db/schema.js';
import { keepImportedFile, sha256OfFile } from '../kept-files.js';
import { statisticsRowReader } from './data-rows.js';
import type { StatisticsRow, StatisticsRowReader } from './data-rows.js';
import { isBlankLine, readMetadata } from './metadata.js';
import type { StatisticsMetadata } from './metadata.js';
import { ProblemLog } from './problems.js';
import type { StatisticsProblem } from './problems.js';
import { CsvReadError, readCsvRows } from './read-csv.js';
import {
  findLoadedStatisticsBatch,
  insertDataset,
  insertObservations,
  insertStatisticsBatch,
  insertStatisticsProblems,
  lockStatisticsHash,
} from './repository.js';
import type { LoadedStatisticsBatch } from './repository.js';
import { SummaryBuilder, titleFromFileName } from './summary.js';
import type { DatasetSummary } from './summary.js';

export { listStatisticsProblems } from './repository.js';

export interface StatisticsUploader {
  userId: string | null;
  /** As the batch history shows the uploader: an email address, or "operator (command line)". */
  label: string;
  organisationId: string | null;
}

export interface StatisticsImportOptions {
  dataPath: string;
  metaPath: string;
  /** The data folder: both files are kept under `imports/` there, for audit. */
  dataDir: string;
  uploadedBy: StatisticsUploader;
  /** Load the valid rows and quarantine the rest, instead of refusing the whole file. */
  acceptValid?: boolean;
  /** The names the files had when they were chosen (an upload is kept under another name); default the paths' names. */
  fileNames?: { data: string; meta: string };
  /**
   * Whose file it is. Absent or null: a national file, which every authority's England, region and
   * other-authority comparators read, so only the national team (`statistics:publish`) or the
   * operator may load one. An authority's GSS code: that authority's own file, read only where the
   * authority chooses it, never by anyone else's comparators or by its own default.
   */
  ownerLaCode?: string | null;
}

export interface StatisticsImportResult {
  outcome: 'loaded' | 'rejected' | 'duplicate';
  /** The batch recording this attempt; for a duplicate, the earlier batch that loaded the files. */
  batchId: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  /** The first problems, in file order (metadata first); `problemCount` counts them all. */
  problems: StatisticsProblem[];
  problemCount: number;
  /** Problems with a file as a whole (metadata, header, encoding): they refuse it even with acceptValid. */
  fileProblemCount: number;
  /** What the valid rows hold (for a duplicate, what the earlier batch loaded). */
  dataset: DatasetSummary;
  /** For a duplicate: who loaded the files before, and when. */
  earlier?: { uploadedBy: string; finishedAt: Date };
}

/** Problems kept in the database for a batch; the count covers the rest. */
const problemsStored = 1000;
/** Problems returned to the caller. */
const problemsReturned = 100;
/** Observations per insert statement: large enough to be fast, small enough to keep memory flat. */
const observationsPerStatement = 20_000;

/**
 * Imports a published statistics file and its metadata file, in the DfE open data standard.
 *
 * Both files are checked in full first, streaming, and every problem is counted. By default any
 * problem refuses the import: the attempt is recorded (outcome 'rejected', with its problems) and
 * no figure is stored. With `acceptValid`, rows with problems are quarantined (counted, their
 * problems recorded) and the rest load; problems with the files as a whole (the metadata, the
 * header, the encoding) still refuse. Valid rows are stored in one transaction, so a failure part
 * way leaves nothing. Files already loaded (the same data and metadata bytes) are recognised and
 * not loaded again: the result names the earlier batch and nothing is written.
 */
export async function importStatistics(db: Kysely<Schema>, options: StatisticsImportOptions): Promise<StatisticsImportResult> {
  const startedAt = new Date();
  const files = options.fileNames ?? { data: basename(options.dataPath), meta: basename(options.metaPath) };
  const [dataSha256, metaSha256] = await Promise.all([sha256OfFile(options.dataPath), sha256OfFile(options.metaPath)]);
  const sha256 = combinedSha256(dataSha256, metaSha256);

  const owner = options.ownerLaCode ?? null;
  const earlier = await findLoadedStatisticsBatch(db, sha256, owner);
  if (earlier !== undefined) return duplicateOf(earlier);

  const [storedData, storedMeta, dataSize, metaSize] = await Promise.all([
    keepImportedFile(options.dataDir, options.dataPath, dataSha256),
    keepImportedFile(options.dataDir, options.metaPath, metaSha256),
    stat(options.dataPath).then((found) => found.size),
    stat(options.metaPath).then((found) => found.size),
  ]);
  // Each pass hashes what it reads and refuses to go on if the bytes are not those hashed above.
  const paths = { data: options.dataPath, meta: options.metaPath };
  const acceptValid = options.acceptValid === true;
  const check = await checkFiles(paths, files, { data: dataSha256, meta: metaSha256 });

  const refused = check.fileProblems > 0 || (check.problems.count > 0 && !acceptValid) || check.rowsValid === 0;
  const summary = check.summary;
  const batch = {
    fileName: files.data,
    ownerLaCode: owner,
    sha256,
    storedFile: storedData,
    byteSize: dataSize,
    uploadedBy: options.uploadedBy,
    acceptValid,
    startYears: check.startYears,
    rowsRead: check.rowsRead,
    problemCount: check.problems.count,
    startedAt,
    details: {
      dataFile: files.data,
      metaFile: files.meta,
      dataSha256,
      metaSha256,
      storedMetaFile: storedMeta,
      metaByteSize: metaSize,
      title: summary.title,
      summary,
      rowsWithProblems: check.rowsRead - check.rowsValid - check.rowsIgnored,
      rowsIgnored: check.rowsIgnored,
      problemsStored: Math.min(check.problems.count, problemsStored),
    },
  };

  if (refused) {
    const batchId = await db.transaction().execute(async (transaction) => {
      const id = await insertStatisticsBatch(transaction, { ...batch, outcome: 'rejected', rowsLoaded: 0, rowsQuarantined: 0 });
      await insertStatisticsProblems(transaction, id, check.problems.kept);
      return id;
    });
    await audit(db, options.uploadedBy, batchId, 'failure', { file: files.data, metaFile: files.meta, owner: owner ?? 'national', problemCount: check.problems.count }, owner);
    return {
      outcome: 'rejected',
      batchId,
      rowsRead: check.rowsRead,
      rowsLoaded: 0,
      rowsQuarantined: 0,
      problems: check.problems.kept.slice(0, problemsReturned),
      problemCount: check.problems.count,
      fileProblemCount: check.fileProblems,
      dataset: summary,
    };
  }

  const rowsQuarantined = check.rowsRead - check.rowsValid - check.rowsIgnored;
  const stored = await db.transaction().execute(async (transaction) => {
    await lockStatisticsHash(transaction, sha256);
    const loadedMeanwhile = await findLoadedStatisticsBatch(transaction, sha256, owner);
    if (loadedMeanwhile !== undefined) return { duplicate: loadedMeanwhile };
    const batchId = await insertStatisticsBatch(transaction, { ...batch, outcome: 'loaded', rowsLoaded: check.rowsValid, rowsQuarantined });
    await insertStatisticsProblems(transaction, batchId, check.problems.kept);
    const datasetId = await insertDataset(transaction, {
      batchId,
      title: summary.title,
      dataFileName: files.data,
      metaFileName: files.meta,
      filters: check.metadata.filters,
      indicators: check.indicators,
      summary,
      rowsLoaded: check.rowsValid,
      observationsLoaded: summary.observations,
    });
    const storedRows = await storeValidRows(transaction, datasetId, paths.data, check.metadata, files, dataSha256, check.storeSoloLevels);
    if (storedRows !== check.rowsValid) throw new FileChangedError(files.data);
    return { batchId };
  });
  if (stored.duplicate !== undefined) return duplicateOf(stored.duplicate);

  await audit(db, options.uploadedBy, stored.batchId, 'success', { file: files.data, metaFile: files.meta, owner: owner ?? 'national', rowsLoaded: check.rowsValid, rowsQuarantined }, owner);
  return {
    outcome: 'loaded',
    batchId: stored.batchId,
    rowsRead: check.rowsRead,
    rowsLoaded: check.rowsValid,
    rowsQuarantined,
    problems: check.problems.kept.slice(0, problemsReturned),
    problemCount: check.problems.count,
    fileProblemCount: 0,
    dataset: summary,
  };
}

/** The batch hash: SHA-256 of the two files' hashes, so it changes when either file does. */
export function combinedSha256(dataSha256: string, metaSha256: string): string {
  return createHash('sha256').update(`data ${dataSha256}\nmeta ${metaSha256}\n`).digest('hex');
}

interface FileCheck {
  problems: ProblemLog;
  /** Problems with a file as a whole, which refuse the import even with acceptValid. */
  fileProblems: number;
  rowsRead: number;
  rowsValid: number;
  /** Rows at School, Provider, Institution or Planning area level in a file that mixes levels: EES ignores them. */
  rowsIgnored: number;
  /** Whether rows at those levels are stored: only when the file has no other level. */
  storeSoloLevels: boolean;
  metadata: StatisticsMetadata;
  indicators: StatisticsRowReader['indicators'];
  summary: DatasetSummary;
  startYears: number[];
}

/** The first and second kinds of row, kept apart until the end of the file says whether its levels are mixed. */
interface RowTally {
  summary: SummaryBuilder;
  valid: number;
}

/**
 * The first pass: reads both files through, checking everything and adding up the valid rows.
 *
 * Rows at the levels EES loads only from a file of that level alone (School, Provider, Institution,
 * Planning area) are tallied apart, and their problems with location, filters and values held back:
 * when the file turns out to mix levels, those rows are ignored (as EES ignores them) and only the
 * problems EES checks in every row (shape, time and level) count; when it has that level alone,
 * they load like any other row.
 */
async function checkFiles(paths: { data: string; meta: string }, files: { data: string; meta: string }, sha256: { data: string; meta: string }): Promise<FileCheck> {
  const problems = new ProblemLog(problemsStored);
  const metaHash = createHash('sha256');
  const { metadata, problems: metadataProblems } = await readMetadata(paths.meta, files.meta, { hash: metaHash });
  problems.addAll(metadataProblems);
  let fileProblems = metadataProblems.length;
  const fileProblem = (problem: StatisticsProblem) => {
    problems.add(problem);
    fileProblems += 1;
  };

  const dataHash = createHash('sha256');
  let reader: StatisticsRowReader | undefined;
  let ignoredColumns: string[] = [];
  const title = titleFromFileName(files.data);
  let tally: RowTally = { summary: new SummaryBuilder(title, 0, 0), valid: 0 };
  let soloTally: RowTally = { summary: new SummaryBuilder(title, 0, 0), valid: 0 };
  const heldBack = new ProblemLog(problemsStored);
  const levelsSeen = new Map<string, { soloOnly: boolean; rows: number }>();
  let rowsRead = 0;
  let complete = true;
  try {
    for await (const { row, values } of readCsvRows(paths.data, { hash: dataHash })) {
      if (reader === undefined) {
        if (isBlankLine(values)) continue;
        const checked = statisticsRowReader(values, metadata, files);
        for (const problem of checked.problems) fileProblem(problem);
        reader = checked.reader;
        ignoredColumns = checked.ignoredColumns;
        const names = reader.indicators.map((indicator) => indicator.name);
        tally = { summary: new SummaryBuilder(title, names.length, metadata.filters.length, names), valid: 0 };
        soloTally = { summary: new SummaryBuilder(title, names.length, metadata.filters.length, names), valid: 0 };
        continue;
      }
      if (isBlankLine(values)) continue;
      rowsRead += 1;
      const result = reader.read(values, row);
      if (result.level !== undefined) {
        const seen = levelsSeen.get(result.level.name) ?? { soloOnly: result.level.soloOnly, rows: 0 };
        seen.rows += 1;
        levelsSeen.set(result.level.name, seen);
      }
      const soloLevel = result.level?.soloOnly === true;
      const into = soloLevel ? soloTally : tally;
      if (result.ok) {
        into.valid += 1;
        into.summary.add(result.row);
      } else if (soloLevel && result.contentOnly) heldBack.addAll(result.problems);
      else problems.addAll(result.problems);
    }
  } catch (error) {
    if (!(error instanceof CsvReadError)) throw error;
    fileProblem({ file: files.data, row: error.row, column: '(file)', value: error.value, expected: error.expected });
    complete = false;
  }

  if (reader === undefined && complete) fileProblem({ file: files.data, row: null, column: '(file)', value: '', expected: 'a data file: a header row (time_period, time_identifier, geographic_level, ...) and at least one row of figures; the file is empty' });
  else if (rowsRead === 0 && complete) fileProblem({ file: files.data, row: null, column: '(file)', value: '', expected: 'at least one row of figures: the file has a header and no rows' });
  // The checker refuses School and Provider data mixed (check_geog_ignored_rows). Among other levels
  // both are ignored and EES loads the rest (its own all_geographies test file), so only a file of
  // such levels alone, where they would be what is loaded, is refused.
  if (levelsSeen.has('School') && levelsSeen.has('Provider') && [...levelsSeen.values()].every((seen) => seen.soloOnly))
    fileProblem({ file: files.data, row: null, column: 'geographic_level', value: 'School and Provider', expected: 'School rows or Provider rows, not both in one file: EES refuses a file that mixes them' });

  const storeSoloLevels = levelsSeen.size === 1;
  if (storeSoloLevels) {
    // One level alone: its rows load whatever the level, and their problems count.
    problems.merge(heldBack);
  }
  const loaded = storeSoloLevels && soloTally.valid > 0 ? soloTally : tally;
  const ignoredRows = storeSoloLevels ? [] : [...levelsSeen].filter(([, seen]) => seen.soloOnly).map(([level, seen]) => ({ level, rows: seen.rows }));

  if (complete && dataHash.digest('hex') !== sha256.data) throw new FileChangedError(files.data);
  if (complete && metaHash.digest('hex') !== sha256.meta) throw new FileChangedError(files.meta);
  return {
    problems,
    fileProblems,
    rowsRead,
    rowsValid: loaded.valid,
    rowsIgnored: ignoredRows.reduce((sum, entry) => sum + entry.rows, 0),
    storeSoloLevels,
    metadata,
    indicators: reader?.indicators ?? [],
    summary: loaded.summary.summary({ columns: ignoredColumns, rows: ignoredRows }),
    startYears: loaded.summary.years(),
  };
}

/** The second pass, inside the transaction: reads the data file again and stores its valid rows. */
async function storeValidRows(
  db: Kysely<Schema>,
  datasetId: string,
  path: string,
  metadata: StatisticsMetadata,
  files: { data: string; meta: string },
  sha256: string,
  storeSoloLevels: boolean,
): Promise<number> {
  const hash = createHash('sha256');
  let reader: StatisticsRowReader | undefined;
  let pending: StatisticsRow[] = [];
  let pendingObservations = 0;
  let stored = 0;
  const flush = async () => {
    await insertObservations(db, datasetId, reader!.indicators.map((indicator) => indicator.name), pending);
    pending = [];
    pendingObservations = 0;
  };
  for await (const { row, values } of readCsvRows(path, { hash })) {
    if (isBlankLine(values)) continue;
    if (reader === undefined) {
      reader = statisticsRowReader(values, metadata, files).reader;
      continue;
    }
    const result = reader.read(values, row);
    if (!result.ok || (result.level.soloOnly && !storeSoloLevels)) continue;
    pending.push(result.row);
    pendingObservations += result.row.cells.length;
    stored += 1;
    if (pendingObservations >= observationsPerStatement) await flush();
  }
  if (pending.length > 0) await flush();
  if (hash.digest('hex') !== sha256) throw new FileChangedError(files.data);
  return stored;
}

/** The file's bytes changed between the passes: the import stops, and the transaction stores nothing. */
export class FileChangedError extends Error {
  constructor(fileName: string) {
    super(`${fileName} changed while it was being imported; nothing was loaded. Import it again once it is no longer being written.`);
    this.name = 'FileChangedError';
  }
}

function duplicateOf(earlier: LoadedStatisticsBatch): StatisticsImportResult {
  const summary = earlier.details.summary as DatasetSummary;
  return {
    outcome: 'duplicate',
    batchId: earlier.id,
    rowsRead: earlier.rowsRead,
    rowsLoaded: earlier.rowsLoaded,
    rowsQuarantined: earlier.rowsQuarantined,
    problems: [],
    problemCount: earlier.problemCount,
    fileProblemCount: 0,
    dataset: summary,
    earlier: { uploadedBy: earlier.uploadedBy, finishedAt: earlier.finishedAt },
  };
}

async function audit(db: Kysely<Schema>, uploader: StatisticsUploader, batchId: string, outcome: 'success' | 'failure', details: Record<string, unknown>, owner: string | null): Promise<void> {
  await appendAudit(db, {
    action: 'statistics-imported',
    outcome,
    actorUserId: uploader.userId,
    actorEmail: uploader.label,
    organisationId: uploader.organisationId,
    laCode: owner ?? undefined,
    target: `import_batch ${batchId}`,
    details,
  });
}
