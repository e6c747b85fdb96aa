import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../../test/support/database.js';
import type { TestDatabase } from '../../../test/support/database.js';
import { migrateToLatest } from '../migrate.js';
import { migrations } from './index.js';

const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0011'));

describe.each(testEngines)('migration 0011 on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db, before);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('makes statistics files loaded through the web their uploader’s authority’s own, keeping the operator’s national', async () => {
    const db = database.db;
    const organisation = await sql<{ id: string }>`insert into organisation (kind, name, area_code, la_code) values ('local-authority', 'Camden', 'E09000007', 'E09000007') returning id`.execute(db);
    const national = await sql<{ id: string }>`insert into organisation (kind, name) values ('national', 'DfE') returning id`.execute(db);
    const analyst = await sql<{ id: string }>`insert into user_account (email, display_name, status) values ('analyst@example.org', 'analyst', 'active') returning id`.execute(db);
    const organisationId = organisation.rows[0]!.id;
    const nationalId = national.rows[0]!.id;
    const userId = analyst.rows[0]!.id;
    await sql`insert into membership (user_id, organisation_id, role) values (${userId}, ${organisationId}, 'analyst'), (${userId}, ${nationalId}, 'contributor')`.execute(db);
    const batch = async (label: string, uploadedBy: string | null, organisationOf: string | null) =>
      (
        await sql<{ id: string }>`
          insert into import_batch (kind, organisation_id, uploaded_by, uploaded_by_label, file_name, sha256, byte_size, outcome, started_at)
          values ('statistics', ${organisationOf}, ${uploadedBy}, ${label}, ${`${label}.csv`}, ${'a'.repeat(64)}, 1, 'loaded', now()) returning id`.execute(db)
      ).rows[0]!.id;
    const operator = await batch('operator', null, null);
    const fromAuthority = await batch('forged', userId, organisationId);
    // Recorded against the analyst's first membership, not an authority: the analyst role says whose it is.
    const fromOtherMembership = await batch('forged-too', userId, nationalId);
    await migrateToLatest(db);
    const owners = await sql<{ id: string; la_code: string | null }>`select id, la_code from import_batch order by id`.execute(db);
    expect(owners.rows.map((row) => [String(row.id), row.la_code])).toEqual([
      [String(operator), null],
      [String(fromAuthority), 'E09000007'],
      [String(fromOtherMembership), 'E09000007'],
    ]);
  });
});
