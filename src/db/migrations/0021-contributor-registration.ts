import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A member of the public registers a contributor account (issue 15): a single-use link confirms the
 * email address ('email-verification' tokens), and the account keeps the organisation the person
 * says they belong to. That is free text as they typed it, not an organisation row: it grants
 * nothing and nobody has checked it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The purposes of 0003 with 'email-verification' added (the column's own check, named by PostgreSQL).
  await sql`alter table one_time_token drop constraint one_time_token_purpose_check`.execute(db);
  await sql`alter table one_time_token add constraint one_time_token_purpose_check check (purpose in ('password-reset', 'invitation', 'email-verification'))`.execute(db);
  await sql`alter table user_account add column stated_organisation text check (char_length(stated_organisation) <= 200)`.execute(db);
}
