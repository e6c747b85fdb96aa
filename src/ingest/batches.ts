import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { rebuildChildAggregates } from '../aggregates/rebuild.js';
import { appendAudit } from '../auth/audit.js';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { ImportActor } from './child-import.js';
import type { DatasetSummary } from './statistics/summary.js';
import type { BatchKind, BatchOutcome } from './tables.js';

export interface BatchSummary {
  id: string;
  kind: BatchKind;
  laCode: string | null;
  fileName: string;
  sha256: string;
  uploadedBy: string;
  outcome: BatchOutcome;
  /** True while the batch is the current data for at least one of its years. */
  current: boolean;
  academicYears: number[];
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  problemCount: number;
  acceptValid: boolean;
  startedAt: Date;
  finishedAt: Date;
  storedFile: string | null;
}

/** One batch as its page shows it: for published statistics, also what the file held (its summary). */
export interface BatchDetail extends BatchSummary {
  statisticsSummary: DatasetSummary | null;
}

export interface BatchProblem {
  /** The file the problem is in, for batches of more than one file. */
  file: string | null;
  row: number | null;
  column: string;
  value: string;
  expected: string;
}

export class BatchNotFoundError extends Error {
  constructor(id: string) {
    super(`There is no import batch ${id}.`);
    this.name = 'BatchNotFoundError';
  }
}

export class BatchNotRestorableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchNotRestorableError';
  }
}

/**
 * Which batches a caller may see: every one (the operator), or some authorities' batches (child-level
 * files and their own statistics files) together with every national published-statistics batch.
 */
export type BatchReach = 'all' | readonly string[];

function baseQuery(db: Kysely<Schema>, reach: BatchReach) {
  let query = db.selectFrom('import_batch');
  if (reach !== 'all') {
    const codes = reach.length > 0 ? [...reach] : ['-'];
    // Another authority's own statistics files are its business: only national ones are shared.
    query = query.where((eb) => eb.or([eb('import_batch.la_code', 'in', codes), eb.and([eb('import_batch.kind', '=', 'statistics'), eb('import_batch.la_code', 'is', null)])]));
  }
  return query
    .select([
      'import_batch.id',
      'import_batch.kind',
      'import_batch.la_code',
      'import_batch.file_name',
      'import_batch.sha256',
      'import_batch.uploaded_by_label',
      'import_batch.outcome',
      'import_batch.academic_years',
      'import_batch.rows_read',
      'import_batch.rows_loaded',
      'import_batch.rows_quarantined',
      'import_batch.problem_count',
      'import_batch.accept_valid',
      'import_batch.started_at',
      'import_batch.finished_at',
      'import_batch.stored_file',
    ])
    .select((eb) =>
      eb
        .exists(eb.selectFrom('child_year_batch').select('child_year_batch.batch_id').whereRef('child_year_batch.batch_id', '=', 'import_batch.id'))
        .as('current'),
    );
}

type BatchRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function toSummary(row: BatchRow): BatchSummary {
  return {
    id: String(row.id),
    kind: row.kind,
    laCode: row.la_code,
    fileName: row.file_name,
    sha256: row.sha256,
    uploadedBy: row.uploaded_by_label,
    outcome: row.outcome,
    current: Boolean(row.current),
    academicYears: row.academic_years,
    rowsRead: row.rows_read,
    rowsLoaded: row.rows_loaded,
    rowsQuarantined: row.rows_quarantined,
    problemCount: row.problem_count,
    acceptValid: row.accept_valid,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    storedFile: row.stored_file,
  };
}

/** Batches newest first, optionally of one kind or authority. */
export async function listBatches(db: Kysely<Schema>, reach: BatchReach, filter: { kind?: BatchKind; laCode?: string; limit?: number } = {}): Promise<BatchSummary[]> {
  let query = baseQuery(db, reach);
  if (filter.kind) query = query.where('import_batch.kind', '=', filter.kind);
  if (filter.laCode) query = query.where('import_batch.la_code', '=', filter.laCode);
  const rows = await query.orderBy('import_batch.id', 'desc').limit(filter.limit ?? 200).execute();
  return rows.map(toSummary);
}

/** One batch, if it exists within reach. */
export async function findBatch(db: Kysely<Schema>, reach: BatchReach, id: string): Promise<BatchDetail | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const row = await baseQuery(db, reach).select('import_batch.details').where('import_batch.id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const summary = row.kind === 'statistics' ? (row.details as { summary?: DatasetSummary }).summary : undefined;
  return { ...toSummary(row), statisticsSummary: summary ?? null };
}

export async function batchProblems(db: Kysely<Schema>, batchId: string, page: { limit: number; offset: number } = { limit: 100_000, offset: 0 }): Promise<BatchProblem[]> {
  const rows = await db
    .selectFrom('import_problem')
    .select(['file_name', 'row_number', 'column_name', 'value', 'expected'])
    .where('batch_id', '=', batchId)
    .orderBy('seq')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => ({ file: row.file_name, row: row.row_number, column: row.column_name, value: row.value, expected: row.expected }));
}

/**
 * Makes an earlier child-level batch current again for every year it holds, in one transaction,
 * and rebuilds those years' aggregates. The batch it displaces stays stored and can be restored
 * in turn.
 */
export async function restoreBatch(database: Database, reach: BatchReach, id: string, actor: ImportActor): Promise<{ batch: BatchSummary; displaced: string[] }> {
  const batch = await findBatch(database.db, reach, id);
  if (batch === undefined) throw new BatchNotFoundError(id);
  if (batch.kind !== 'children' || batch.laCode === null || (reach !== 'all' && !reach.includes(batch.laCode))) throw new BatchNotRestorableError(`Batch ${id} holds published statistics; only child-level batches are restored.`);
  if (batch.outcome !== 'loaded') throw new BatchNotRestorableError(`Batch ${id} was rejected, so it holds no records to restore.`);
  const laCode = batch.laCode;
  const displaced = await database.bulkTransaction(async (session) => {
    const before = await session.query<{ batch_id: string }>(
      'select batch_id from child_year_batch where la_code = $1 and academic_year = any($2::smallint[]) and batch_id <> $3',
      [laCode, batch.academicYears, id],
    );
    await session.query(
      `insert into child_year_batch (la_code, academic_year, batch_id)
       select $1, year, $2 from unnest($3::smallint[]) as year
       on conflict (la_code, academic_year) do update set batch_id = excluded.batch_id, since = now()`,
      [laCode, id, batch.academicYears],
    );
    await rebuildChildAggregates(session, laCode, batch.academicYears);
    return [...new Set(before.map((row) => String(row.batch_id)))];
  });
  await appendAudit(database.db, {
    action: 'import-restored',
    outcome: 'success',
    actorUserId: actor.userId,
    actorEmail: actor.userId === null ? null : actor.label,
    organisationId: actor.organisationId,
    laCode,
    target: `batch:${id}`,
    ip: actor.ip ?? null,
    details: { displaced, years: batch.academicYears },
  });
  return { batch: { ...batch, current: true }, displaced };
}

/** The authorities that have child-level data loaded (a current batch for at least one year), by GSS code. */
export async function authoritiesWithChildData(db: Kysely<Schema>): Promise<string[]> {
  const rows = await db.selectFrom('child_year_batch').select('la_code').distinct().execute();
  return rows.map((row) => row.la_code);
}

/**
 * A version of the data loaded for an authority: which batch holds each of its years and since when,
 * and the latest published-statistics file. It changes whenever an import or a restore changes the
 * authority's child data, a statistics file is loaded, or the authority's derived indicators are
 * worked out again under new rules, and only then (one small indexed query).
 */
export async function loadedDataVersion(db: Kysely<Schema>, laCode: string): Promise<string> {
  const result = await sql<{ version: string | null }>`
    select concat_ws('/',
      (select string_agg(academic_year || ':' || batch_id || ':' || extract(epoch from since), ',' order by academic_year) from child_year_batch where la_code = ${laCode}),
      (select max(id)::text from statistics_dataset),
      (select 'revised:' || extract(epoch from revised_at) from aggregate_revision where la_code = ${laCode})) as version`.execute(db);
  return result.rows[0]?.version ?? '';
}
