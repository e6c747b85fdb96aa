import { createHash, createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { AuditKey } from './audit-key.js';
import { auditKeyFor } from './audit-key.js';

/** What happened, by whom, to what, and how it ended. Never a password, token or child identifier. */
export interface AuditEntry {
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  actorUserId?: string | null | undefined;
  actorEmail?: string | null | undefined;
  organisationId?: string | null | undefined;
  /** The local authority the entry belongs to, so its administrators can search it. */
  laCode?: string | null | undefined;
  target?: string | null | undefined;
  ip?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

/** The hash every chain starts from. */
export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

interface StoredFields {
  seq: number;
  at: Date;
  actor_user_id: string | null;
  actor_email: string | null;
  organisation_id: string | null;
  la_code: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * Chain 1, the entries written before the chain was keyed (migration 0010): sha256 of the previous
 * entry's hash and this entry's fields. Editing an entry breaks every later link, but anyone who can
 * write to the table can recompute them all, so it is only trusted for those early entries.
 */
export function entryHash(previousHash: string, entry: StoredFields): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(entryFields(entry))).digest('hex');
}

/**
 * Chain 2, every entry since: HMAC-SHA256 under the audit key (kept outside the database) of the
 * previous entry's hash, the chain version, the key's id and this entry's fields. Without the key an
 * altered entry cannot be given a hash that verifies.
 */
export function keyedEntryHash(key: AuditKey, previousHash: string, entry: StoredFields): string {
  return createHmac('sha256', key.chain)
    .update(previousHash)
    .update('\n')
    .update(canonicalJson([2, key.id, ...entryFields(entry)]))
    .digest('hex');
}

function entryFields(entry: StoredFields): unknown[] {
  return [
    entry.seq,
    entry.at.toISOString(),
    entry.actor_user_id,
    entry.actor_email,
    entry.organisation_id,
    entry.la_code,
    entry.action,
    entry.target,
    entry.outcome,
    entry.ip,
    entry.details,
  ];
}

/**
 * Appends one entry to the audit log, chained to the one before under the audit key registered for
 * this database (`useAuditKey`), and resolves once it is committed. The advisory lock makes appends
 * one at a time, so two writers (in this process or another) can never chain to the same
 * predecessor. Entries that arrive while an append is under way wait and are then written together
 * in one transaction (group commit): the lock is taken once for all of them, so many people saving
 * at once do not queue behind one another's round trips.
 */
export function appendAudit(db: Kysely<Schema>, entry: AuditEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    let queue = auditQueues.get(db);
    if (queue === undefined) {
      queue = { waiting: [], writing: false };
      auditQueues.set(db, queue);
    }
    queue.waiting.push({ entry, resolve, reject });
    if (!queue.writing) void writeWaiting(db, queue);
  });
}

interface WaitingEntry {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const auditQueues = new WeakMap<Kysely<Schema>, { waiting: WaitingEntry[]; writing: boolean }>();

/** The most entries one transaction appends. */
const largestGroup = 200;

async function writeWaiting(db: Kysely<Schema>, queue: { waiting: WaitingEntry[]; writing: boolean }): Promise<void> {
  queue.writing = true;
  try {
    while (queue.waiting.length > 0) {
      const group = queue.waiting.splice(0, largestGroup);
      try {
        await appendEntries(db, group.map((waiting) => waiting.entry));
        for (const waiting of group) waiting.resolve();
      } catch (error) {
        // One bad entry must not cost the others theirs: write the group again one entry at a time.
        if (group.length === 1) group[0]!.reject(error);
        else {
          for (const waiting of group) {
            await appendEntries(db, [waiting.entry]).then(waiting.resolve, waiting.reject);
          }
        }
      }
    }
  } finally {
    queue.writing = false;
  }
}

/**
 * The last entry this process wrote or read under the lock, per database: the head the next
 * entries chain to without reading it again (`appendAfterHead`).
 */
const knownHeads = new WeakMap<Kysely<Schema>, { seq: number; hash: string }>();

/** Appends entries in order, each chained to the one before: in one statement after the known head, or else under the lock after the head read. */
async function appendEntries(db: Kysely<Schema>, entries: readonly AuditEntry[]): Promise<void> {
  const key = await auditKeyFor(db);
  const head = knownHeads.get(db);
  if (head !== undefined && (await appendAfterHead(db, key, head, entries))) return;
  knownHeads.delete(db);
  await appendAfterReadingHead(db, key, entries);
}

/** The rows of `entries` as stored, chained from `head` (the seq and hash of the entry before them). */
function chainedRows(key: AuditKey, head: { seq: number; hash: string }, entries: readonly AuditEntry[]) {
  let seq = head.seq;
  let previousHash = head.hash;
  const at = new Date();
  return entries.map((entry) => {
    seq += 1;
    const fields: StoredFields = {
      seq,
      at,
      actor_user_id: entry.actorUserId ?? null,
      actor_email: entry.actorEmail ?? null,
      organisation_id: entry.organisationId ?? null,
      la_code: entry.laCode ?? null,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      ip: entry.ip ?? null,
      details: entry.details ?? {},
    };
    const hash = keyedEntryHash(key, previousHash, fields);
    const row = { ...fields, details: canonicalJson(fields.details), previous_hash: previousHash, hash, chain: 2, key_id: key.id };
    previousHash = hash;
    return row;
  });
}

type ChainedRow = ReturnType<typeof chainedRows>[number];

const rememberHead = (db: Kysely<Schema>, rows: readonly ChainedRow[]) => {
  const last = rows.at(-1);
  if (last !== undefined) knownHeads.set(db, { seq: last.seq, hash: last.hash });
};

/**
 * One statement, one round trip: the entries chained to the head this process last knew, under the
 * same lock as `appendAfterReadingHead`, if that head is still in the log. Sequence numbers run
 * without gaps and the table's key refuses a second entry with one, so if anyone (another process)
 * appended since, the first entry here collides with theirs and nothing is written: false, and the
 * caller reads the head afresh.
 */
async function appendAfterHead(db: Kysely<Schema>, key: AuditKey, head: { seq: number; hash: string }, entries: readonly AuditEntry[]): Promise<boolean> {
  const rows = chainedRows(key, head, entries);
  const values = rows.map(
    (row) =>
      sql`(${String(row.seq)}::bigint, ${row.at}::timestamptz, ${row.actor_user_id}::uuid, ${row.actor_email}::text, ${row.organisation_id}::uuid, ${row.la_code}::text, ${row.action}::text, ${row.target}::text, ${row.outcome}::text, ${row.ip}::text, ${row.details}::jsonb, ${row.previous_hash}::text, ${row.hash}::text, ${row.chain}::smallint, ${row.key_id}::text)`,
  );
  try {
    // The lock is taken before the first row is inserted: a writer holding it reads the head only
    // after these rows are committed, so only this statement can meet a collision, never the other.
    const written = await sql`
      insert into audit_log (seq, at, actor_user_id, actor_email, organisation_id, la_code, action, target, outcome, ip, details, previous_hash, hash, chain, key_id)
      select entry.* from (select pg_advisory_xact_lock(7362001)) as locked,
        (values ${sql.join(values)}) as entry (seq, at, actor_user_id, actor_email, organisation_id, la_code, action, target, outcome, ip, details, previous_hash, hash, chain, key_id)
       where exists (select 1 from audit_log where seq = ${String(head.seq)}::bigint and hash = ${head.hash})`.execute(db);
    // No row: the head known is not in the log (a database restored to an earlier state, say).
    if (Number(written.numAffectedRows ?? 0) !== rows.length) return false;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  rememberHead(db, rows);
  return true;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** The lock, the head read, then the entries chained to it, in one transaction. */
async function appendAfterReadingHead(db: Kysely<Schema>, key: AuditKey, entries: readonly AuditEntry[]): Promise<void> {
  const rows = await db.transaction().execute(async (transaction) => {
    await sql`select pg_advisory_xact_lock(7362001)`.execute(transaction);
    const last = await transaction.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const chained = chainedRows(key, last === undefined ? { seq: 0, hash: genesisHash } : { seq: Number(last.seq), hash: last.hash }, entries);
    await transaction.insertInto('audit_log').values(chained).execute();
    return chained;
  });
  rememberHead(db, rows);
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** How many of the entries verified are from before the chain was keyed (chain 1, SHA-256 only). */
  unkeyed?: number;
  /** The first entry whose content or link does not match, when the chain is broken. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Recomputes every link of the chain, in order, a page at a time: entries from before the chain was
 * keyed by SHA-256, every later one by HMAC under `key`. Once one keyed entry has been seen, an
 * unkeyed entry after it is itself a sign of tampering (someone without the key wrote it).
 */
export async function verifyAuditChain(db: Kysely<Schema>, pageSize = 5000, key?: AuditKey): Promise<AuditVerification> {
  const auditKey = key ?? (await auditKeyFor(db));
  let previousHash = genesisHash;
  let expectedSeq = 1;
  let entries = 0;
  let unkeyed = 0;
  let keyedFrom: number | undefined;
  const broken = (brokenAt: number, reason: string): AuditVerification => ({ ok: false, entries, ...(unkeyed > 0 ? { unkeyed } : {}), brokenAt, reason });
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', String(expectedSeq))
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return { ok: true, entries, ...(unkeyed > 0 ? { unkeyed } : {}) };
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
      if (row.previous_hash !== previousHash) return broken(seq, `entry ${seq} does not link to entry ${seq - 1}`);
      if (row.chain === 2) {
        keyedFrom ??= seq;
        if (row.key_id !== auditKey.id) {
          return broken(seq, `entry ${seq} was written under another audit key (id ${row.key_id ?? 'none'}; the key given has id ${auditKey.id}): the wrong key, or the entry was forged`);
        }
        if (keyedEntryHash(auditKey, previousHash, { ...row, seq }) !== row.hash) return broken(seq, `entry ${seq} was altered after it was written`);
      } else if (row.chain === 1) {
        if (keyedFrom !== undefined) return broken(seq, `entry ${seq} is not keyed, though the keyed chain began at entry ${keyedFrom}: it was written without the audit key`);
        if (entryHash(previousHash, { ...row, seq }) !== row.hash) return broken(seq, `entry ${seq} was altered after it was written`);
        unkeyed += 1;
      } else {
        return broken(seq, `entry ${seq} names an unknown chain version (${String(row.chain)})`);
      }
      previousHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
}

/** How many entries the log holds and the hash of the last one (the genesis hash when empty). */
export async function auditHead(db: Kysely<Schema>): Promise<{ entries: number; head: string }> {
  const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last === undefined ? { entries: 0, head: genesisHash } : { entries: Number(last.seq), head: last.hash };
}
