import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { MigrationError, migrateToLatest, migrationStatus } from './migrate.js';
import { migrations } from './migrations/index.js';

async function tableNames(database: TestDatabase): Promise<string[]> {
  const tables = await database.db.introspection.getTables();
  return tables.map((table) => table.name).sort();
}

const createWidgets: Migration = {
  up: async (db) => {
    await db.schema.createTable('widget').addColumn('id', 'integer', (column) => column.primaryKey()).execute();
  },
};
const failing: Migration = {
  up: async (db) => {
    await db.schema.createTable('gadget').addColumn('id', 'integer').execute();
    await sql`select * from table_that_does_not_exist`.execute(db);
  },
};

describe.each(testEngines)('migrations on %s', (engine) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(engine);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('lists every migration as pending on an empty database', async () => {
    const states = await migrationStatus(database.db);
    expect(states.map((state) => state.name)).toEqual(Object.keys(migrations));
    expect(states.every((state) => state.appliedAt === undefined)).toBe(true);
  });

  it('applies every migration once and records when', async () => {
    const applied = await migrateToLatest(database.db);
    expect(applied).toEqual(Object.keys(migrations));
    const states = await migrationStatus(database.db);
    expect(states.every((state) => state.appliedAt instanceof Date)).toBe(true);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('records the installation in the instance table', async () => {
    await migrateToLatest(database.db);
    const rows = await database.db.selectFrom('instance').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.created_by_version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rolls back every pending migration when one fails and names the one that failed', async () => {
    const before = await tableNames(database);
    const attempt = migrateToLatest(database.db, { '0001-widgets': createWidgets, '0002-broken': failing });
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(/^Migration 0002-broken failed: .*table_that_does_not_exist.*the schema is as it was\.$/);
    const after = await tableNames(database);
    expect(after.filter((name) => !name.startsWith('ntg_migration'))).toEqual(before);
    const states = await migrationStatus(database.db, { '0001-widgets': createWidgets, '0002-broken': failing });
    expect(states.map((state) => state.appliedAt)).toEqual([undefined, undefined]);
  });

  it('moves the words of published items, and only theirs, into practice_search (0023)', async () => {
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0023'));
    await migrateToLatest(database.db, before);
    const insertItem = (title: string, status: string) =>
      sql<{ id: string; reference: number }>`
        insert into practice_item (submitter_label, draft, title, status, published_at, search_vector)
        values ('Fixture', '{}', ${title}, ${status}, ${new Date(Date.UTC(2026, 0, 5))}, setweight(to_tsvector('english', ${title}), 'A'))
        returning id, reference`.execute(database.db);
    const published = (await insertItem('Origami buddies', 'published')).rows[0]!;
    // Once published, since taken out of the library.
    await insertItem('Kite flying', 'withdrawn');
    await migrateToLatest(database.db);
    const rows = await sql<{ item_id: string; reference: number; published_at: Date; search_vector: string }>`select * from practice_search`.execute(database.db);
    expect(rows.rows).toEqual([{ item_id: published.id, reference: published.reference, published_at: new Date(Date.UTC(2026, 0, 5)), search_vector: "'buddi':2A 'origami':1A" }]);
    const columns = (await database.db.introspection.getTables()).find((table) => table.name === 'practice_item')!.columns.map((column) => column.name);
    expect(columns).not.toContain('search_vector');
  });
});
