import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';

const gssCode = /^E\d{8}$/;

/**
 * Runs `work` in a transaction that PostgreSQL itself limits to the given authorities: the role
 * switches to `ntg_scoped`, whose row-level security policies return only rows whose `la_code` is
 * one of `laCodes` (and, for child records, when `settingUrns` is given, only those settings'
 * pupils). The switches are `local`, so they end with the transaction.
 */
export async function withAuthorityScope<T>(
  db: Kysely<Schema>,
  laCodes: readonly string[],
  work: (scoped: Transaction<Schema>) => Promise<T>,
  options: { settingUrns?: readonly number[] } = {},
): Promise<T> {
  const codes = laCodes.filter((code) => gssCode.test(code));
  const urns = (options.settingUrns ?? []).filter((urn) => Number.isInteger(urn));
  return db.transaction().execute(async (transaction) => {
    await sql`set local role ntg_scoped`.execute(transaction);
    await sql`select set_config('ntg.la_codes', ${codes.join(',')}, true), set_config('ntg.setting_urns', ${urns.join(',')}, true)`.execute(transaction);
    return work(transaction);
  });
}
