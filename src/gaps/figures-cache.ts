import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { loadedDataVersion } from '../ingest/batches.js';

/**
 * Gap figures change only when data is loaded: an authority's aggregates when an import (or a restore)
 * changes which batch holds one of its years, and England's figures when a statistics file is loaded.
 * So figures computed once are kept, under the version of the data they came from, and every request
 * first asks the database for the current version: one small indexed query instead of reading and
 * summing tens of thousands of aggregate rows. Several app servers each keep their own copy, and the
 * version check keeps every copy right.
 */
export async function figuresVersion(db: Kysely<Schema>, laCode: string): Promise<string> {
  return loadedDataVersion(db, laCode);
}

// Room for every series an improvement plan's measures follow (tens), beside the matrix pages' figures.
const capacity = 256;
const caches = new WeakMap<Kysely<Schema>, Map<string, Promise<unknown>>>();

/**
 * The value `compute` gives for `key` at the data's current version, computed at most once per
 * version (concurrent requests share one computation). Least recently used entries go first.
 */
export async function cachedFigures<T>(db: Kysely<Schema>, laCode: string, key: string, compute: () => Promise<T>): Promise<T> {
  return cachedFiguresAt(db, laCode, await figuresVersion(db, laCode), key, compute);
}

/** As `cachedFigures`, at a version already read: several figures for one page ask the version once. */
export function cachedFiguresAt<T>(db: Kysely<Schema>, laCode: string, version: string, key: string, compute: () => Promise<T>): Promise<T> {
  let cache = caches.get(db);
  if (cache === undefined) caches.set(db, (cache = new Map<string, Promise<unknown>>()));
  const entryKey = `${laCode}|${version}|${key}`;
  const found = cache.get(entryKey) as Promise<T> | undefined;
  if (found !== undefined) {
    cache.delete(entryKey);
    cache.set(entryKey, found);
    return found;
  }
  const computing = compute();
  cache.set(entryKey, computing);
  // A failure is not kept: the next request tries again.
  computing.catch(() => cache.delete(entryKey));
  while (cache.size > capacity) cache.delete(cache.keys().next().value!);
  return computing;
}
