import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';

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

/** sha256 of the previous entry's hash and this entry's fields: editing any entry breaks every later link. */
export function entryHash(previousHash: string, entry: StoredFields): string {
  const fields = [
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
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/**
 * Appends one entry to the audit log, chained to the one before. The advisory lock makes appends
 * one at a time, so two writers can never chain to the same predecessor.
 */
export async function appendAudit(db: Kysely<Schema>, entry: AuditEntry): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    await sql`select pg_advisory_xact_lock(7362001)`.execute(transaction);
    const last = await transaction.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const fields: StoredFields = {
      seq: last === undefined ? 1 : Number(last.seq) + 1,
      at: new Date(),
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
    const previousHash = last?.hash ?? genesisHash;
    await transaction
      .insertInto('audit_log')
      .values({ ...fields, details: canonicalJson(fields.details), previous_hash: previousHash, hash: entryHash(previousHash, fields) })
      .execute();
  });
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose content or link does not match, when the chain is broken. */
  brokenAt?: number;
  reason?: string;
}

/** Recomputes every link of the chain, in order, a page at a time. */
export async function verifyAuditChain(db: Kysely<Schema>, pageSize = 5000): Promise<AuditVerification> {
  let previousHash = genesisHash;
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', String(expectedSeq))
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return { ok: true, entries };
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      if (row.previous_hash !== previousHash) {
        return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} does not link to entry ${seq - 1}` };
      }
      const recomputed = entryHash(previousHash, { ...row, seq });
      if (recomputed !== row.hash) return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} was altered after it was written` };
      previousHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
}
