import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Gap figures computed from an authority's aggregates, kept with the version of the data they came
 * from (gaps/figures-cache.ts), so a new process or another app server reads them rather than
 * summing tens of thousands of aggregate rows again. One row per authority and question; a row
 * whose version is not the data's current one is never read, and is replaced when next computed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table gap_figures (
      la_code text not null,
      key text not null,
      data_version text not null,
      figures text not null,
      computed_at timestamptz not null default now(),
      primary key (la_code, key)
    )`.execute(db);
}
