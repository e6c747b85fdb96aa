import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The framework catalogue in the database, for ranked full-text search and for other capabilities
 * to refer to items by id. The rows are reloaded from catalogue.json whenever its version changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('framework_catalogue')
    .addColumn('version', 'text', (column) => column.primaryKey())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('item_count', 'integer', (column) => column.notNull())
    .addColumn('loaded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('framework_item')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('position', 'integer', (column) => column.notNull().unique())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('template', 'smallint')
    .addColumn('layer', 'text')
    .addColumn('tier', 'text')
    .addColumn('thread', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('text', 'text', (column) => column.notNull())
    // The text with its points, as one passage: what search matches and highlights.
    .addColumn('search_text', 'text', (column) => column.notNull())
    .addColumn('item', 'jsonb', (column) => column.notNull())
    .addColumn('search_vector', sql`tsvector`, (column) =>
      column.generatedAlwaysAs(sql`to_tsvector('english', search_text)`).stored().notNull(),
    )
    .execute();

  await db.schema.createIndex('framework_item_search').on('framework_item').using('gin').column('search_vector').execute();
  await db.schema.createIndex('framework_item_place').on('framework_item').columns(['template', 'layer', 'tier']).execute();
}
