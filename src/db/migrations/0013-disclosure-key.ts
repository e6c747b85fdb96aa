import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The installation's secret for the cell keys that perturb figures released to viewers without
 * child-level access (src/gaps/cell-keys.ts): made once, from the database's own random source, and
 * never shown.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('disclosure_key')
    .addColumn('id', 'smallint', (column) => column.primaryKey().check(sql`id = 1`))
    .addColumn('secret', 'text', (column) => column.notNull())
    .execute();
  await sql`insert into disclosure_key (id, secret) values (1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))`.execute(db);
}
