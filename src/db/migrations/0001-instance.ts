import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { version } from '../../version.js';

/** The installation itself: when this database was created and by which version of ntg. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('instance')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('created_by_version', 'text', (column) => column.notNull())
    .execute();
  await sql`insert into instance (created_by_version) values (${version})`.execute(db);
}
