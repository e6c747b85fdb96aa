import { stat } from 'node:fs/promises';
import { AggregateAccumulator } from '../aggregates/accumulator.js';
import { storeAccumulatedAggregates } from '../aggregates/rebuild.js';
import { signatureOf } from '../aggregates/signature.js';
import { appendAudit } from '../auth/audit.js';
import type { ReadLimits } from '../config.js';
import type { BulkColumn, BulkSession, BulkValue } from '../db/bulk.js';
import type { Database } from '../db/database.js';
import type { ChildRow, RowProblem } from './child-rows.js';
import { childRowReader } from './child-rows.js';
import { coordinationCounts, coordinationFlags, formatAcademicYear, measures, membershipFlags } from './child-standard.js';
import { FileReadError, readRows } from './file-rows.js';
import { discardKeptFile, keepImportedFile, sha256OfFile } from './kept-files.js';
import type { LocalColumn } from './mapping.js';
import { pseudonymiser } from './pseudonym.js';
import { SeenChildren } from './seen-children.js';

/** Who loads a file: an account, or the operator at the command line (no account). */
export interface ImportActor {
  userId: string | null;
  organisationId: string | null;
  /** As the batch history shows it: an email address, or "operator (command line)". */
  label: string;
  ip?: string | null;
}

export interface ChildImportRequest {
  path: string;
  /** The name the file had when it was chosen, for the history and for CSV/XLSX detection. */
  fileName: string;
  /** GSS code of the authority the file belongs to. */
  laCode: string;
  acceptValid: boolean;
  localColumns?: readonly LocalColumn[];
  sheet?: string | undefined;
  actor: ImportActor;
}

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ChildImportContext {
  database: Database;
  dataDir: string;
  pseudonymKey: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Caps while reading the file (the operator's NTG_XLSX_* and NTG_MAX_CELL_CHARACTERS); the defaults when absent. */
  readLimits?: ReadLimits;
}

export interface ChildImportResult {
  outcome: 'loaded' | 'rejected' | 'duplicate';
  batchId: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  problemCount: number;
  /** The first problems, in file order. */
  problems: RowProblem[];
  academicYears: number[];
  /** Batches this one replaced as the current data for a year. */
  replacedBatches: string[];
}

/** Problems kept per batch; the rest are counted. */
export const storedProblemLimit = 10_000;
const chunkRows = 5_000;

const recordColumns: BulkColumn[] = [
  { name: 'la_code', type: 'text' },
  { name: 'academic_year', type: 'smallint' },
  { name: 'batch_id', type: 'bigint' },
  { name: 'child_key', type: 'text' },
  { name: 'signature', type: 'bigint' },
  { name: 'setting_urn', type: 'integer' },
  { name: 'ncy', type: 'smallint' },
  { name: 'sex', type: 'text' },
  { name: 'idaci_decile', type: 'smallint' },
  { name: 'sen_provision', type: 'text' },
  { name: 'ethnicity', type: 'text' },
  { name: 'english_proficiency', type: 'text' },
  ...[...membershipFlags, ...coordinationFlags].map((name) => ({ name, type: 'boolean' })),
  ...coordinationCounts.map((name) => ({ name, type: 'smallint' })),
  { name: 'ks2_prior_average', type: 'float8' },
  ...measures.map((measure) => ({ name: measure.name, type: measure.type === 'binary' ? 'boolean' : measure.type === 'count' ? 'smallint' : 'float8' })),
  { name: 'local_values', type: 'jsonb' },
];

function recordValues(row: ChildRow, batchId: string, childKey: string, signature: number, hasLocal: boolean): BulkValue[] {
  return [
    row.laCode,
    row.academicYear,
    batchId,
    childKey,
    signature,
    row.settingUrn,
    row.ncy,
    row.sex,
    row.idaciDecile,
    row.senProvision,
    row.ethnicity,
    row.englishProficiency,
    ...membershipFlags.map((name) => row.flags[name]),
    ...coordinationFlags.map((name) => row.coordination[name]),
    ...coordinationCounts.map((name) => row.coordinationCounts[name]),
    row.ks2PriorAverage,
    ...measures.map((measure, position) => {
      const value = row.measureValues[position] ?? null;
      return measure.type === 'binary' && value !== null ? value === 1 : value;
    }),
    hasLocal ? JSON.stringify(row.local) : null,
  ];
}

/** Thrown inside the transaction to roll it back when the file is refused. */
class Refusal extends Error {
  constructor(readonly reading: Reading) {
    super('refused');
  }
}

interface Reading {
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  problemCount: number;
  problems: RowProblem[];
  years: Set<number>;
  aggregates: AggregateAccumulator;
}

/**
 * Loads a child-level file for one authority in one transaction: every row validated, identifiers
 * pseudonymised, the batch made current for the years it holds (the batch it replaces can be
 * restored), and the aggregates of those years rebuilt. All or nothing unless `acceptValid`.
 * A file already loaded for the authority (same SHA-256) is recognised and not loaded again. A
 * refused file is recorded as a rejected batch with its problems; no child record is stored.
 */
export async function importChildFile(request: ChildImportRequest, context: ChildImportContext): Promise<ChildImportResult> {
  const { database } = context;
  const db = database.db;
  const sha256 = await sha256OfFile(request.path);
  const totalBytes = (await stat(request.path)).size;
  const earlier = await db
    .selectFrom('import_batch')
    .select(['id', 'rows_read', 'rows_loaded', 'rows_quarantined', 'problem_count', 'academic_years'])
    .where('kind', '=', 'children')
    .where('la_code', '=', request.laCode)
    .where('sha256', '=', sha256)
    .where('outcome', '=', 'loaded')
    .executeTakeFirst();
  if (earlier !== undefined) {
    return {
      outcome: 'duplicate',
      batchId: String(earlier.id),
      rowsRead: earlier.rows_read,
      rowsLoaded: earlier.rows_loaded,
      rowsQuarantined: earlier.rows_quarantined,
      problemCount: earlier.problem_count,
      problems: [],
      academicYears: earlier.academic_years,
      replacedBatches: [],
    };
  }
  const storedFile = await keepImportedFile(context.dataDir, request.path, sha256);
  const startedAt = new Date();
  const batchFields = {
    la_code: request.laCode,
    organisation_id: request.actor.organisationId,
    uploaded_by: request.actor.userId,
    uploaded_by_label: request.actor.label,
    file_name: request.fileName,
    sha256,
    stored_file: storedFile,
    byte_size: totalBytes,
    accept_valid: request.acceptValid,
    started_at: startedAt,
    details: JSON.stringify({ localColumns: request.localColumns ?? [], sheet: request.sheet ?? null }),
  };

  let result: ChildImportResult;
  try {
    result = await database.bulkTransaction(async (session) => {
      const [batch] = await session.query<{ id: string }>(
        `insert into import_batch (kind, la_code, organisation_id, uploaded_by, uploaded_by_label, file_name, sha256, stored_file, byte_size, outcome, accept_valid, started_at, details)
         values ('children', $1, $2, $3, $4, $5, $6, $7, $8, 'loaded', $9, $10, $11) returning id`,
        [batchFields.la_code, batchFields.organisation_id, batchFields.uploaded_by, batchFields.uploaded_by_label, batchFields.file_name, sha256, storedFile, totalBytes, request.acceptValid, startedAt, batchFields.details],
      );
      const batchId = String(batch!.id);
      const reading = await loadRows(session, request, context, batchId, totalBytes);
      if (reading.problemCount > 0 && !request.acceptValid) throw new Refusal(reading);
      if (reading.rowsLoaded === 0) throw new Refusal(reading);
      const years = [...reading.years].sort();
      await session.query(
        'update import_batch set rows_read = $2, rows_loaded = $3, rows_quarantined = $4, problem_count = $5, academic_years = $6::smallint[], finished_at = now() where id = $1',
        [batchId, reading.rowsRead, reading.rowsLoaded, reading.rowsQuarantined, reading.problemCount, years],
      );
      await storeProblems(session, batchId, reading.problems);
      const replaced = await session.query<{ batch_id: string }>(
        'select batch_id from child_year_batch where la_code = $1 and academic_year = any($2::smallint[])',
        [request.laCode, years],
      );
      await session.query(
        `insert into child_year_batch (la_code, academic_year, batch_id)
         select $1, year, $2 from unnest($3::smallint[]) as year
         on conflict (la_code, academic_year) do update set batch_id = excluded.batch_id, since = now()`,
        [request.laCode, batchId, years],
      );
      await storeAccumulatedAggregates(session, request.laCode, years, reading.aggregates);
      return {
        outcome: 'loaded' as const,
        batchId,
        rowsRead: reading.rowsRead,
        rowsLoaded: reading.rowsLoaded,
        rowsQuarantined: reading.rowsQuarantined,
        problemCount: reading.problemCount,
        problems: reading.problems.slice(0, 100),
        academicYears: years,
        replacedBatches: [...new Set(replaced.map((row) => String(row.batch_id)))],
      };
    });
  } catch (error) {
    if (!(error instanceof Refusal)) {
      // Nothing was recorded, so nothing needs the copy; the original failure is the one to report.
      await discardKeptFile(db, context.dataDir, storedFile).catch(() => undefined);
      throw error;
    }
    const reading = error.reading;
    // The refused file itself is not kept: only its problems are (see discardKeptFile).
    const batchId = await recordRejection(database, { ...batchFields, stored_file: null }, reading);
    await discardKeptFile(db, context.dataDir, storedFile);
    result = {
      outcome: 'rejected',
      batchId,
      rowsRead: reading.rowsRead,
      rowsLoaded: 0,
      rowsQuarantined: reading.rowsQuarantined,
      problemCount: reading.problemCount,
      problems: reading.problems.slice(0, 100),
      academicYears: [...reading.years].sort(),
      replacedBatches: [],
    };
  }
  await appendAudit(db, {
    action: 'children-imported',
    outcome: result.outcome === 'rejected' ? 'failure' : 'success',
    actorUserId: request.actor.userId,
    actorEmail: request.actor.userId === null ? null : request.actor.label,
    organisationId: request.actor.organisationId,
    laCode: request.laCode,
    target: `batch:${result.batchId}`,
    ip: request.actor.ip ?? null,
    details: { file: request.fileName, sha256, outcome: result.outcome, rowsLoaded: result.rowsLoaded, rowsQuarantined: result.rowsQuarantined, problems: result.problemCount },
  });
  return result;
}

async function loadRows(session: BulkSession, request: ChildImportRequest, context: ChildImportContext, batchId: string, totalBytes: number): Promise<Reading> {
  const reading: Reading = { rowsRead: 0, rowsLoaded: 0, rowsQuarantined: 0, problemCount: 0, problems: [], years: new Set(), aggregates: new AggregateAccumulator() };
  const note = (problem: RowProblem) => {
    reading.problemCount += 1;
    if (reading.problems.length < storedProblemLimit) reading.problems.push(problem);
  };
  const pseudonymise = pseudonymiser(context.pseudonymKey);
  const hasLocal = (request.localColumns ?? []).length > 0;
  const seen = new SeenChildren();
  const source = readRows(request.path, { fileName: request.fileName, sheet: request.sheet, limits: context.readLimits });
  let reader: ReturnType<typeof childRowReader> | undefined;
  const writer = session.rowWriter('child_record', recordColumns);
  try {
    for await (const batch of source.batches) {
      for (const { rowNumber, values } of batch) {
        if (reader === undefined) {
          reader = childRowReader(values, { laCode: request.laCode, localColumns: request.localColumns ?? [] });
          if (!reader.ok) {
            for (const problem of reader.problems) note({ row: rowNumber, column: problem.column, value: '', expected: problem.message });
            return reading;
          }
          continue;
        }
        if (!reader.ok) break;
        reading.rowsRead += 1;
        const checked = reader.reader.read(values, rowNumber);
        if (!checked.ok) {
          reading.rowsQuarantined += 1;
          checked.problems.forEach(note);
          continue;
        }
        const childKey = pseudonymise(checked.row.childId);
        const first = seen.firstRow(childKey, checked.row.academicYear, rowNumber);
        if (first !== undefined) {
          reading.rowsQuarantined += 1;
          note({ row: rowNumber, column: 'child_id', value: '', expected: `a child not already in the file for ${formatAcademicYear(checked.row.academicYear)} (the same child is in row ${first})` });
          continue;
        }
        reading.years.add(checked.row.academicYear);
        // Once a refusal is certain, keep checking (to report every problem) but stop writing.
        if (request.acceptValid || reading.problemCount === 0) {
          const signature = signatureOf(checked.row);
          reading.aggregates.add(checked.row.academicYear, checked.row.settingUrn, signature, checked.row.measureValues);
          const waiting = writer.write(recordValues(checked.row, batchId, childKey, signature, hasLocal));
          if (waiting !== undefined) await waiting;
          reading.rowsLoaded += 1;
        }
      }
      context.onProgress?.({ rows: reading.rowsRead, bytesRead: source.bytesRead(), totalBytes });
    }
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    note({ row: error.row ?? reading.rowsRead + 2, column: '(file)', value: '', expected: error.message });
    reading.rowsLoaded = 0;
    return reading;
  } finally {
    // Even on the way out of a refusal: the connection is not free for the rollback until the COPY ends.
    await writer.end();
  }
  if (reader === undefined) note({ row: 1, column: '(file)', value: '', expected: 'a header row naming the columns: the file is empty' });
  else if (reader.ok && reading.rowsRead === 0) note({ row: 2, column: '(file)', value: '', expected: 'at least one row of data under the header: the file has only a header' });
  context.onProgress?.({ rows: reading.rowsRead, bytesRead: totalBytes, totalBytes });
  return reading;
}

async function storeProblems(session: BulkSession, batchId: string, problems: readonly RowProblem[]): Promise<void> {
  for (let start = 0; start < problems.length; start += chunkRows) {
    const chunk = problems.slice(start, start + chunkRows).map((problem, offset) => [batchId, start + offset + 1, problem.row, problem.column, problem.value.slice(0, 200), problem.expected]);
    await session.insertRows(
      'import_problem',
      [
        { name: 'batch_id', type: 'bigint' },
        { name: 'seq', type: 'integer' },
        { name: 'row_number', type: 'integer' },
        { name: 'column_name', type: 'text' },
        { name: 'value', type: 'text' },
        { name: 'expected', type: 'text' },
      ],
      chunk,
    );
  }
}

async function recordRejection(
  database: Database,
  fields: Record<string, unknown> & { la_code: string; sha256: string; started_at: Date; details: string },
  reading: Reading,
): Promise<string> {
  return database.bulkTransaction(async (session) => {
    const [batch] = await session.query<{ id: string }>(
      `insert into import_batch (kind, la_code, organisation_id, uploaded_by, uploaded_by_label, file_name, sha256, stored_file, byte_size, outcome, accept_valid, started_at, details,
                                 rows_read, rows_quarantined, problem_count, academic_years)
       values ('children', $1, $2, $3, $4, $5, $6, $7, $8, 'rejected', $9, $10, $11, $12, $13, $14, $15::smallint[]) returning id`,
      [
        fields.la_code,
        fields.organisation_id,
        fields.uploaded_by,
        fields.uploaded_by_label,
        fields.file_name,
        fields.sha256,
        fields.stored_file,
        fields.byte_size,
        fields.accept_valid,
        fields.started_at,
        fields.details,
        reading.rowsRead,
        reading.rowsQuarantined,
        reading.problemCount,
        [...reading.years].sort(),
      ],
    );
    const batchId = String(batch!.id);
    await storeProblems(session, batchId, reading.problems);
    return batchId;
  });
}
