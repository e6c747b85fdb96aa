import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { appendAudit, canonicalJson, verifyAuditChain } from './audit.js';

describe('canonicalJson', () => {
  it('writes object keys in sorted order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe.each(testEngines)('the audit log on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    for (let n = 1; n <= 5; n += 1) {
      await appendAudit(database.db, {
        action: 'sign-in',
        outcome: n % 2 === 0 ? 'failure' : 'success',
        actorEmail: `person${n}@example.org`,
        laCode: 'E09000002',
        ip: '127.0.0.1',
        details: { attempt: n, reason: { code: 'x', note: 'nested keys are sorted' } },
      });
    }
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('verifies an untouched chain', async () => {
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 5 });
  });

  it('verifies across pages of the chain', async () => {
    expect(await verifyAuditChain(database.db, 2)).toEqual({ ok: true, entries: 5 });
  });

  it('refuses to update or delete an entry', async () => {
    await expect(sql`update audit_log set target = 'changed' where seq = 2`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 2`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('detects an entry edited behind the application’s back', async () => {
    await database.db.transaction().execute(async (transaction) => {
      // Replica mode skips triggers: what someone with direct database access could do.
      await sql`set local session_replication_role = replica`.execute(transaction);
      await sql`update audit_log set outcome = 'success' where seq = 4`.execute(transaction);
    });
    expect(await verifyAuditChain(database.db)).toEqual({
      ok: false,
      entries: 3,
      brokenAt: 4,
      reason: 'entry 4 was altered after it was written',
    });
  });
});
