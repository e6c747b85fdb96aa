import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// A snapshot of the symbols the importer accepted when this migration was written: migrations never change.
const statuses = ['value', 'c', 'x', 'z', 'low', 'k', 'u', ':', '~'];

/**
 * Published statistics in the DfE open data standard. Each loaded batch (import_batch, kind
 * 'statistics') gets one dataset holding its metadata; its figures are observations in long form,
 * one per data row and indicator, so any indicator of any file is read the same way. A cell that
 * held a symbol (c suppressed, x not available, ...) keeps it as the status with no value. The
 * figures are national published data: readable by every role, no row-level security.
 *
 * Each observation carries its row's time, place and filters itself rather than pointing at a row
 * table: the gap matrix reads one indicator for an area, year and group with one index and no join,
 * at the price of repeating a row's few columns per indicator. The key is where the figure came
 * from (dataset, source row, indicator). area_code is the area as known today and la_code the
 * authority for scoping; the published authority codes are kept beside them (src/ingest/statistics/
 * locations.ts says how reorganised authorities are placed).
 *
 * Problems of a statistics batch come from two files (data and metadata), so import_problem gains
 * the name of the file a problem is in; it stays null for batches of one file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table import_problem add column file_name text`.execute(db);

  await sql`
    create table statistics_dataset (
      id bigint generated always as identity primary key,
      batch_id bigint not null unique references import_batch (id),
      title text not null,
      data_file_name text not null,
      meta_file_name text not null,
      filters jsonb not null,
      indicators jsonb not null,
      summary jsonb not null,
      rows_loaded integer not null,
      observations_loaded integer not null,
      loaded_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table statistics_observation (
      dataset_id bigint not null references statistics_dataset (id) on delete cascade,
      row_number integer not null,
      indicator text not null,
      time_period text not null,
      time_identifier text not null,
      start_year smallint not null,
      geographic_level text not null,
      area_code text not null check (area_code <> ''),
      la_code text,
      old_la_code text,
      new_la_code text,
      filters jsonb not null,
      group_id text,
      value double precision,
      status text not null check (status in (${sql.join(statuses.map((status) => sql.lit(status)))})),
      check ((status = 'value') = (value is not null)),
      primary key (dataset_id, row_number, indicator)
    )`.execute(db);
  // The gap matrix asks for one indicator in one area, year and group. Every index slows loading
  // (the primary key and this one by about a fifth each), so there is no other until a query needs it.
  await sql`create index statistics_observation_lookup on statistics_observation (indicator, area_code, start_year, group_id)`.execute(db);

  await sql`grant select on statistics_dataset, statistics_observation to ntg_scoped`.execute(db);
}
