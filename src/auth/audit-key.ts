import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';

/**
 * The secret the audit log is keyed with, kept outside the database: someone who can write to the
 * database but does not hold it cannot recompute the chain after changing an entry, nor sign a
 * checkpoint. Two keys are derived from it, one per purpose, and a short public id that each
 * entry records so a verifier can say which key wrote it.
 */
export interface AuditKey {
  /** HMAC-SHA256 key of the chain. */
  chain: Buffer;
  /** HMAC-SHA256 key of checkpoints. */
  checkpoint: Buffer;
  /** 16 hex digits naming the key without revealing it. */
  id: string;
}

export function auditKeyFrom(secret: string): AuditKey {
  const derive = (purpose: string) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(purpose).digest();
  return { chain: derive('ntg audit chain v2'), checkpoint: derive('ntg audit checkpoint v1'), id: derive('ntg audit key id').toString('hex').slice(0, 16) };
}

export const auditKeyFile = 'audit.key';

/**
 * NTG_AUDIT_KEY when set; otherwise a key generated once and kept in the data folder, readable by the
 * service's user only (as the demo pseudonymisation key is). Never in the database.
 */
export async function auditKey(config: Pick<Config, 'auditKey' | 'dataDir'>): Promise<AuditKey> {
  if (config.auditKey !== undefined) return auditKeyFrom(config.auditKey);
  const path = join(config.dataDir, auditKeyFile);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing.trim().length >= 32) return auditKeyFrom(existing.trim());
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  // 'wx': if two processes race, the first file written wins and both read it back.
  await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  return auditKeyFrom((await readFile(path, 'utf8')).trim());
}

/** No audit key is known for a database: writing an entry unkeyed would weaken the whole log. */
export class AuditKeyMissingError extends Error {
  constructor() {
    super('No audit key is registered for this database connection (see useAuditKey); the audit log cannot be written or verified without it.');
    this.name = 'AuditKeyMissingError';
  }
}

// Keyed by the Kysely instance, so the forty places that append to the log keep passing only `db`.
const keys = new WeakMap<object, () => Promise<AuditKey>>();

/** Says which key the audit log of this database is kept with; resolved once, when first needed. */
export function useAuditKey(db: Kysely<unknown> | Kysely<never> | object, key: AuditKey | (() => Promise<AuditKey>)): void {
  let resolved: Promise<AuditKey> | undefined;
  keys.set(db, typeof key === 'function' ? () => (resolved ??= key()) : () => Promise.resolve(key));
}

export function auditKeyFor(db: object): Promise<AuditKey> {
  const resolve = keys.get(db);
  if (resolve === undefined) return Promise.reject(new AuditKeyMissingError());
  return resolve();
}
