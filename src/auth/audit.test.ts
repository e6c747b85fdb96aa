import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testAuditKey, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { migrations } from '../db/migrations/index.js';
import type { Schema } from '../db/schema.js';
import { appendAudit, auditHead, canonicalJson, entryHash, genesisHash, keyedEntryHash, verifyAuditChain } from './audit.js';
import { auditKeyFrom, useAuditKey } from './audit-key.js';
import { checkAgainstCheckpoints, parseCheckpoints, takeCheckpoint } from './audit-checkpoints.js';

describe('canonicalJson', () => {
  it('writes object keys in sorted order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

async function appendFive(db: Kysely<Schema>): Promise<void> {
  for (let n = 1; n <= 5; n += 1) {
    await appendAudit(db, {
      action: 'sign-in',
      outcome: n % 2 === 0 ? 'failure' : 'success',
      actorEmail: `person${n}@example.org`,
      laCode: 'E09000002',
      ip: '127.0.0.1',
      details: { attempt: n, reason: { code: 'x', note: 'nested keys are sorted' } },
    });
  }
}

/**
 * What someone with direct database access (the owner, a superuser) can do: skip the triggers,
 * change entries from `from` on, and give each a new hash that links up, made by `rehash`.
 */
async function rewriteFrom(db: Kysely<Schema>, from: number, change: Record<string, string>, rehash: (previousHash: string, row: Parameters<typeof entryHash>[1]) => string, chain?: number): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    await sql`set local session_replication_role = replica`.execute(transaction);
    const rows = await transaction.selectFrom('audit_log').selectAll().where('seq', '>=', String(from)).orderBy('seq').execute();
    let previous = rows[0]?.previous_hash ?? genesisHash;
    for (const row of rows) {
      const changed = { ...row, ...(Number(row.seq) === from ? change : {}), seq: Number(row.seq) };
      const hash = rehash(previous, changed);
      await sql`update audit_log set outcome = ${changed.outcome}, actor_email = ${changed.actor_email}, previous_hash = ${previous}, hash = ${hash},
                chain = ${chain ?? row.chain}, key_id = ${chain === 1 ? null : row.key_id} where seq = ${row.seq}`.execute(transaction);
      previous = hash;
    }
  });
}

/** Removes the last entries as the owner could, triggers skipped. */
async function deleteFrom(db: Kysely<Schema>, from: number): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    await sql`set local session_replication_role = replica`.execute(transaction);
    await sql`delete from audit_log where seq >= ${from}`.execute(transaction);
  });
}

describe.each(testEngines)('the audit log on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await appendFive(database.db);
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

  it('writes every new entry keyed, naming its key', async () => {
    const rows = await database.db.selectFrom('audit_log').select(['chain', 'key_id']).execute();
    expect(rows.every((row) => row.chain === 2 && row.key_id === testAuditKey.id)).toBe(true);
  });

  it('refuses to update or delete an entry', async () => {
    await expect(sql`update audit_log set target = 'changed' where seq = 2`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 2`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('refuses to verify under another key', async () => {
    expect(await verifyAuditChain(database.db, 5000, auditKeyFrom('somebody else’s key of thirty-two characters'))).toMatchObject({ ok: false, entries: 0, brokenAt: 1 });
  });
});

describe.each(testEngines)('tampering with the audit log on %s', (engine) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await appendFive(database.db);
  });
  afterEach(async () => {
    await database.dispose();
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

  it('detects an edited entry whose chain was recomputed without the key', async () => {
    await rewriteFrom(database.db, 3, { outcome: 'failure', actor_email: 'someone-else@example.org' }, entryHash);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, entries: 2, brokenAt: 3, reason: 'entry 3 was altered after it was written' });
  });

  it('detects an edited entry whose chain was recomputed under a key of the attacker’s own', async () => {
    const attackerKey = { ...testAuditKey, chain: createHmac('sha256', 'guess').update('x').digest() };
    await rewriteFrom(database.db, 3, { outcome: 'failure' }, (previous, row) => keyedEntryHash(attackerKey, previous, row));
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: 3, reason: 'entry 3 was altered after it was written' });
  });

  it('detects entries passed off as written before the chain was keyed', async () => {
    await rewriteFrom(database.db, 3, { outcome: 'failure' }, entryHash, 1);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: 3, reason: 'entry 3 is not keyed, though the keyed chain began at entry 1: it was written without the audit key' });
  });

  it('detects the last entries deleted, against a checkpoint taken before', async () => {
    const checkpoint = await takeCheckpoint(database.db);
    await deleteFrom(database.db, 4);
    // What is left still links up: only the checkpoint shows the loss.
    const chain = await verifyAuditChain(database.db);
    expect(chain).toEqual({ ok: true, entries: 3 });
    expect(await checkAgainstCheckpoints(database.db, chain.entries, [{ where: 'the test', checkpoint }])).toMatch(/^the log has 3 entries but the checkpoint at the test, taken .*, recorded 5: entries 4 to 5 were removed$/);
  });

  it('detects the last entries replaced, against a checkpoint taken before', async () => {
    const checkpoint = await takeCheckpoint(database.db);
    await deleteFrom(database.db, 4);
    // Even written with the key (by the service itself, say), the new entry 5 is not the old one.
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success', actorEmail: 'cover@example.org' });
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success', actorEmail: 'cover@example.org' });
    const chain = await verifyAuditChain(database.db);
    expect(chain).toEqual({ ok: true, entries: 5 });
    expect(await checkAgainstCheckpoints(database.db, chain.entries, [{ where: 'the test', checkpoint }])).toMatch(/^entry 5 does not match the checkpoint at the test, taken .*: the log was rewritten up to there$/);
  });

  it('accepts a log that has grown since its checkpoints', async () => {
    const first = await takeCheckpoint(database.db);
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success' });
    const second = await takeCheckpoint(database.db);
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success' });
    const found = parseCheckpoints(`${JSON.stringify(first)}\n${JSON.stringify(second)}\n`, 'checkpoints.jsonl');
    expect(await checkAgainstCheckpoints(database.db, 7, found)).toBeUndefined();
  });

  it('refuses a forged checkpoint', async () => {
    const genuine = await takeCheckpoint(database.db);
    // An attacker who removed entries 4 and 5 offers a checkpoint that agrees with what is left.
    await deleteFrom(database.db, 4);
    const third = await database.db.selectFrom('audit_log').select('hash').where('seq', '=', '3').executeTakeFirstOrThrow();
    const forged = { ...genuine, entries: 3, head: third.hash };
    const unsigned = { ...genuine, entries: 3, head: third.hash, signature: '0'.repeat(64) };
    const otherKey = await takeCheckpoint(database.db, auditKeyFrom('somebody else’s key of thirty-two characters'));
    for (const checkpoint of [forged, unsigned, otherKey]) {
      expect(await checkAgainstCheckpoints(database.db, 3, [{ where: 'line 1 of forged.jsonl', checkpoint }])).toMatch(/^the checkpoint at line 1 of forged\.jsonl is not signed with this service's audit key/);
    }
    expect(await checkAgainstCheckpoints(database.db, 3, parseCheckpoints('{"kind":"something else"}', 'odd.jsonl'))).toBe('line 1 of odd.jsonl is not a checkpoint');
  });
});

describe.each(testEngines)('upgrading an audit log written before it was keyed on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db, Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0010')));
    // Entries as the earlier service wrote them: plain SHA-256, no chain version.
    let previous = genesisHash;
    for (let seq = 1; seq <= 3; seq += 1) {
      const row = { seq, at: new Date(Date.UTC(2025, 0, seq)), actor_user_id: null, actor_email: `old${seq}@example.org`, organisation_id: null, la_code: null, action: 'sign-in', target: null, outcome: 'success', ip: null, details: {} };
      const hash = entryHash(previous, row);
      await sql`insert into audit_log (seq, at, actor_email, action, outcome, details, previous_hash, hash) values (${seq}, ${row.at}, ${row.actor_email}, 'sign-in', 'success', '{}', ${previous}, ${hash})`.execute(database.db);
      previous = hash;
    }
    await migrateToLatest(database.db);
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success', actorEmail: 'new@example.org' });
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('verifies the old entries by SHA-256 and the new ones by the key, as one chain', async () => {
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 4, unkeyed: 3 });
    const rows = await database.db.selectFrom('audit_log').select(['seq', 'chain']).orderBy('seq').execute();
    expect(rows.map((row) => row.chain)).toEqual([1, 1, 1, 2]);
  });

  it('detects an old entry edited and its SHA-256 chain recomputed, at the first keyed entry', async () => {
    await rewriteFrom(database.db, 2, { actor_email: 'rewritten@example.org' }, entryHash);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: false, entries: 3, unkeyed: 3, brokenAt: 4, reason: 'entry 4 was altered after it was written' });
  });
});

describe.each(testEngines)('appending to the audit log from many requests at once on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('append audit entries in parallel writes each once, in one unbroken chain, and a bad entry costs the others nothing', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        appendAudit(database.db, { action: 'assessment-rated', outcome: 'success', target: `entry:${n}`, details: n === 17 ? { unserialisable: 17n } : { n } }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1);
    expect(outcomes[17]!.status).toBe('rejected');
    const rows = await database.db.selectFrom('audit_log').select(['seq', 'target']).orderBy('seq').execute();
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 39 }, (_, index) => index + 1));
    expect(new Set(rows.map((row) => row.target)).size).toBe(39);
    expect(rows.some((row) => row.target === 'entry:17')).toBe(false);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: 39 });
  });

  it('chains after entries another writer appended since (another process, whose head this one does not know)', async () => {
    // Another Kysely over the same connections: what another app server on the database is to this one.
    const other = database.db.withoutPlugins();
    useAuditKey(other, testAuditKey);
    const before = Number((await auditHead(database.db)).entries);
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success', target: 'mine:1' });
    await appendAudit(other, { action: 'sign-in', outcome: 'success', target: 'theirs:1' });
    await appendAudit(other, { action: 'sign-in', outcome: 'success', target: 'theirs:2' });
    await appendAudit(database.db, { action: 'sign-in', outcome: 'success', target: 'mine:2' });
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => appendAudit(n % 2 === 0 ? database.db : other, { action: 'sign-in', outcome: 'success', target: `both:${n}` })),
    );
    const rows = await database.db.selectFrom('audit_log').select(['seq', 'target']).where('seq', '>', String(before)).orderBy('seq').execute();
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 34 }, (_, index) => before + index + 1));
    expect(rows.slice(0, 4).map((row) => row.target)).toEqual(['mine:1', 'theirs:1', 'theirs:2', 'mine:2']);
    expect(new Set(rows.map((row) => row.target)).size).toBe(34);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, entries: before + 34 });
  });
});
