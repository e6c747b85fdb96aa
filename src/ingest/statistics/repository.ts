import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { StatisticsRow } from './data-rows.js';
import type { FilterColumn, IndicatorColumn } from './metadata.js';
import type { StatisticsProblem } from './problems.js';
import type { DatasetSummary } from './summary.js';


/** A loaded statistics batch, as a duplicate import names it. */
export interface LoadedStatisticsBatch {
  id: string;
  fileName: string;
  uploadedBy: string;
  finishedAt: Date;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  problemCount: number;
  details: Record<string, unknown>;
}

/**
 * The earliest batch that loaded a statistics file with this combined hash for the same owner (null:
 * national), if any. Per owner, so an authority that loaded a file for itself first does not stop the
 * national team loading the same file for everyone.
 */
export async function findLoadedStatisticsBatch(db: Kysely<Schema>, sha256: string, ownerLaCode: string | null): Promise<LoadedStatisticsBatch | undefined> {
  const found = await db
    .selectFrom('import_batch')
    .select(['id', 'file_name', 'uploaded_by_label', 'finished_at', 'rows_read', 'rows_loaded', 'rows_quarantined', 'problem_count', 'details'])
    .where('kind', '=', 'statistics')
    .where('outcome', '=', 'loaded')
    .where('sha256', '=', sha256)
    .where((eb) => (ownerLaCode === null ? eb('la_code', 'is', null) : eb('la_code', '=', ownerLaCode)))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (found === undefined) return undefined;
  return {
    id: String(found.id),
    fileName: found.file_name,
    uploadedBy: found.uploaded_by_label,
    finishedAt: found.finished_at,
    rowsRead: found.rows_read,
    rowsLoaded: found.rows_loaded,
    rowsQuarantined: found.rows_quarantined,
    problemCount: found.problem_count,
    details: found.details,
  };
}

/**
 * Makes concurrent imports of the same files take turns until the first commits, so the second
 * then sees it as a duplicate rather than loading it again.
 */
export async function lockStatisticsHash(db: Kysely<Schema>, sha256: string): Promise<void> {
  // No Kysely builder for advisory locks; the key is the hash's 64-bit hashtextextended.
  await sql`select pg_advisory_xact_lock(hashtextextended(${`statistics:${sha256}`}, 0))`.execute(db);
}

export interface NewStatisticsBatch {
  outcome: 'loaded' | 'rejected';
  fileName: string;
  /** The authority whose own file it is; null for a national file. */
  ownerLaCode: string | null;
  sha256: string;
  storedFile: string;
  byteSize: number;
  uploadedBy: { userId: string | null; label: string; organisationId: string | null };
  acceptValid: boolean;
  startYears: number[];
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  problemCount: number;
  details: Record<string, unknown>;
  startedAt: Date;
}

export async function insertStatisticsBatch(db: Kysely<Schema>, batch: NewStatisticsBatch): Promise<string> {
  const inserted = await db
    .insertInto('import_batch')
    .values({
      kind: 'statistics',
      la_code: batch.ownerLaCode,
      organisation_id: batch.uploadedBy.organisationId,
      uploaded_by: batch.uploadedBy.userId,
      uploaded_by_label: batch.uploadedBy.label,
      file_name: batch.fileName,
      sha256: batch.sha256,
      stored_file: batch.storedFile,
      byte_size: batch.byteSize,
      outcome: batch.outcome,
      accept_valid: batch.acceptValid,
      academic_years: batch.startYears,
      rows_read: batch.rowsRead,
      rows_loaded: batch.rowsLoaded,
      rows_quarantined: batch.rowsQuarantined,
      problem_count: batch.problemCount,
      details: JSON.stringify(batch.details),
      started_at: batch.startedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(inserted.id);
}

/** Stores problems in order, numbered from 1, a thousand to a statement. */
export async function insertStatisticsProblems(db: Kysely<Schema>, batchId: string, problems: readonly StatisticsProblem[]): Promise<void> {
  const rows = problems.map((problem, index) => ({
    batch_id: batchId,
    seq: index + 1,
    file_name: problem.file,
    row_number: problem.row,
    column_name: problem.column,
    value: problem.value,
    expected: problem.expected,
  }));
  for (let start = 0; start < rows.length; start += 1000) {
    await db.insertInto('import_problem').values(rows.slice(start, start + 1000)).execute();
  }
}

/** A batch's stored problems in order; the first `limit` after `offset`. */
export async function listStatisticsProblems(db: Kysely<Schema>, batchId: string, page: { limit?: number; offset?: number } = {}): Promise<StatisticsProblem[]> {
  const rows = await db
    .selectFrom('import_problem')
    .select(['file_name', 'row_number', 'column_name', 'value', 'expected'])
    .where('batch_id', '=', batchId)
    .orderBy('seq')
    .limit(page.limit ?? 100)
    .offset(page.offset ?? 0)
    .execute();
  return rows.map((row) => ({ file: row.file_name ?? '', row: row.row_number, column: row.column_name, value: row.value, expected: row.expected }));
}

export interface NewDataset {
  batchId: string;
  title: string;
  dataFileName: string;
  metaFileName: string;
  filters: FilterColumn[];
  indicators: IndicatorColumn[];
  summary: DatasetSummary;
  rowsLoaded: number;
  observationsLoaded: number;
}

export async function insertDataset(db: Kysely<Schema>, dataset: NewDataset): Promise<string> {
  const inserted = await db
    .insertInto('statistics_dataset')
    .values({
      batch_id: dataset.batchId,
      title: dataset.title,
      data_file_name: dataset.dataFileName,
      meta_file_name: dataset.metaFileName,
      filters: JSON.stringify(dataset.filters),
      indicators: JSON.stringify(dataset.indicators),
      summary: JSON.stringify(dataset.summary),
      rows_loaded: dataset.rowsLoaded,
      observations_loaded: dataset.observationsLoaded,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(inserted.id);
}

/**
 * Stores rows as observations, one per indicator. The rows travel as one JSON document per
 * statement and PostgreSQL unpacks them (jsonb_to_recordset, one row per cell by
 * jsonb_array_elements): one parameter however many rows, no 65,535-parameter limit, and the same
 * on PostgreSQL and the embedded engine. A cell is a JSON number (the value), a string (the
 * symbol, stored as the status with no value), or an object {"text": ...} (a category in words,
 * stored as status 'text' with the words in text_value).
 */
export async function insertObservations(db: Kysely<Schema>, datasetId: string, indicatorNames: readonly string[], rows: readonly StatisticsRow[]): Promise<void> {
  if (rows.length === 0) return;
  const document = JSON.stringify(
    rows.map((row) => ({
      row_number: row.row,
      time_period: row.timePeriod,
      time_identifier: row.timeIdentifier,
      start_year: row.startYear,
      geographic_level: row.geographicLevel,
      area_code: row.location.areaCode,
      la_code: row.location.laCode,
      old_la_code: row.location.oldLaCode,
      new_la_code: row.location.newLaCode,
      filters: row.filters,
      group_id: row.groupId,
      cells: row.cells,
    })),
  );
  await sql`
    insert into statistics_observation
      (dataset_id, row_number, indicator, time_period, time_identifier, start_year, geographic_level,
       area_code, la_code, old_la_code, new_la_code, filters, group_id, value, status, text_value)
    select ${datasetId}::bigint, r.row_number, ${JSON.stringify(indicatorNames)}::jsonb ->> (cell.position - 1)::integer,
      r.time_period, r.time_identifier, r.start_year, r.geographic_level,
      r.area_code, r.la_code, r.old_la_code, r.new_la_code, r.filters, r.group_id,
      case when jsonb_typeof(cell.value) = 'number' then cell.value::double precision end,
      case jsonb_typeof(cell.value) when 'number' then 'value' when 'object' then 'text' else cell.value #>> '{}' end,
      case when jsonb_typeof(cell.value) = 'object' then cell.value ->> 'text' end
    from jsonb_to_recordset(${document}::jsonb) as r(
      row_number integer, time_period text, time_identifier text, start_year smallint, geographic_level text,
      area_code text, la_code text, old_la_code text, new_la_code text, filters jsonb, group_id text, cells jsonb)
    cross join lateral jsonb_array_elements(r.cells) with ordinality as cell(value, position)`.execute(db);
}
