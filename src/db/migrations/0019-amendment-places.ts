import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The reality check's proposals need two things 0017 left out: the principle a new template-three
 * point goes under (`parent_id`, as `T3-P2`; the other places fit template, layer, tier and
 * thread), and, once a proposed new statement is accepted, the id it was given
 * (`added_statement_id`, e.g. `T1-FRONTLINE-UNIVERSAL-X01`), so the proposer can follow it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table framework_amendment add column parent_id text`.execute(db);
  await sql`alter table framework_amendment add column added_statement_id text`.execute(db);
  await sql`create index framework_amendment_by_authority on framework_amendment (la_code, proposed_at)`.execute(db);
}
