/**
 * What the service keeps in memory of the assessments it has read, because reading them again is
 * most of the work of showing one. Nothing kept can be stale:
 * - an assessment's wording is written once, when it starts (decision 0004), never changed, and its
 *   id is never reused;
 * - its ratings are kept with a stamp (how many there are and the sum of their versions) that every
 *   committed save raises, since a save adds a rating or raises its version and none is ever
 *   deleted; a read takes the stamp first and uses what is kept only under the same stamp.
 * Only what committed transactions wrote is kept: a read inside a transaction may see changes that
 * are then rolled back, after which a later save could bring the stamp back to the same value.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';

/** A bounded memory by key in which the least recently used is forgotten first. */
export class RecentlyUsed<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly kept = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.kept.get(key);
    if (value !== undefined) {
      this.kept.delete(key);
      this.kept.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.kept.delete(key);
    this.kept.set(key, value);
    if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value!);
  }
}

/** Whether what `db` reads may be kept: only outside a transaction. */
export function mayKeep(db: Kysely<Schema> | Transaction<Schema>): boolean {
  return !db.isTransaction;
}

/** `value` and everything in it made read-only, since a kept value is shared between requests. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
