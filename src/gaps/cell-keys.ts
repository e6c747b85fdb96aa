import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { mixKey } from '../stats/index.js';
import type { Schema } from '../db/schema.js';

/**
 * Cell keys for the perturbation of released figures (`releaseSummary`): every combination of
 * memberships (signature) gets a secret pseudo-random key, and a set of children the sum of its
 * signatures' keys, so the same children always get the same key however they are asked for
 * (a group against all, or the same children as a union of splits). The secret is the
 * installation's own, kept in the database; without it nobody can tell a figure's perturbation.
 */
export interface CellKeys {
  /** The key of one signature: a whole number below 2³². */
  signature(signature: number): number;
  /** The key of anything else named by its parts (a setting's figure: the setting, group, measure and year). */
  named(...parts: (string | number)[]): number;
}

export function cellKeysFrom(secret: string): CellKeys {
  const bySignature = new Map<number, number>();
  const hash = (text: string) => createHmac('sha256', secret).update(text).digest().readUInt32LE(0);
  return {
    signature(signature) {
      let key = bySignature.get(signature);
      if (key === undefined) bySignature.set(signature, (key = hash(`signature:${signature}`)));
      return key;
    },
    named: (...parts) => hash(parts.join('\u0000')),
  };
}

/**
 * The key of a set of children in a year: its summed signature keys, mixed with the year. Each
 * figure then mixes in its own true count (`releaseSummary`), so the same children counted for
 * different measures get the same released count.
 */
export function figureKey(signatureKeySum: number, year: number): number {
  return mixKey(signatureKeySum % 2 ** 32, year);
}

const secrets = new WeakMap<Kysely<Schema>, Promise<string>>();

/** The installation's secret for cell keys (made once by migration 0013), read once per database. */
export function disclosureSecret(db: Kysely<Schema>): Promise<string> {
  let secret = secrets.get(db);
  if (secret === undefined) {
    secret = sql<{ secret: string }>`select secret from disclosure_key where id = 1`.execute(db).then((result) => {
      const row = result.rows[0];
      if (row === undefined) throw new Error('the disclosure key is missing: apply the database migrations (ntg db migrate)');
      return row.secret;
    });
    secrets.set(db, secret);
  }
  return secret;
}

export async function cellKeysFor(db: Kysely<Schema>): Promise<CellKeys> {
  return cellKeysFrom(await disclosureSecret(db));
}
