import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The 30-second step of the last one-time code an account used, so the same code (or an older
 * one still inside the clock-drift window) is never accepted twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table user_account add column totp_last_step bigint`.execute(db);
}
