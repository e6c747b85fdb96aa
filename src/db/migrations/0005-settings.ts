import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** What kind of setting an organisation is (school, children's centre, ...) and, for a school, its phase. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table organisation add column setting_kind text`.execute(db);
  await sql`alter table organisation add column phase text`.execute(db);
}
