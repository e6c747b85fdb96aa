import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { AuditEntry } from './audit.js';
import { appendAudit } from './audit.js';

/**
 * Writes an administrator's action to the audit log of every authority it concerns: the one acting
 * and each one the affected account or setting belongs to. An entry carries one authority and each
 * authority reads its own entries, so an action across a boundary is one entry per authority, each
 * naming all of them in `details.authorities`. Nothing concerned (the platform's administrators
 * acting on a national account) still writes one entry, which the platform's readers see.
 */
export async function appendAuditForAuthorities(db: Kysely<Schema>, entry: Omit<AuditEntry, 'laCode'>, laCodes: readonly (string | null | undefined)[]): Promise<void> {
  const authorities = [...new Set(laCodes.filter((code): code is string => typeof code === 'string' && code !== ''))].sort();
  const details = { ...entry.details, authorities };
  if (authorities.length === 0) {
    await appendAudit(db, { ...entry, laCode: null, details });
    return;
  }
  for (const laCode of authorities) await appendAudit(db, { ...entry, laCode, details });
}
