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
 *
 * The figures of a whole authority (the matrix, the data-gap audit) are also kept in the database
 * (`gap_figures`, with their version), so that a process that has not yet computed them (one just
 * started, another app server) reads them in a few milliseconds rather than computing them again in
 * several hundred. A load or a restore computes them as it ends (`prepareGapFigures`), so no reader
 * waits for them.
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
export async function cachedFigures<T>(db: Kysely<Schema>, laCode: string, key: string, compute: () => Promise<T>, options: KeepOptions = {}): Promise<T> {
  return cachedFiguresAt(db, laCode, await figuresVersion(db, laCode), key, compute, options);
}

export interface KeepOptions {
  /** Keep the figures in the database too (plain JSON values only: they are read back with JSON.parse). */
  inDatabase?: boolean;
}

/** As `cachedFigures`, at a version already read: several figures for one page ask the version once. */
export function cachedFiguresAt<T>(db: Kysely<Schema>, laCode: string, version: string, key: string, compute: () => Promise<T>, options: KeepOptions = {}): Promise<T> {
  let cache = caches.get(db);
  if (cache === undefined) caches.set(db, (cache = new Map<string, Promise<unknown>>()));
  const entryKey = `${laCode}|${version}|${key}`;
  const found = cache.get(entryKey) as Promise<T> | undefined;
  if (found !== undefined) {
    cache.delete(entryKey);
    cache.set(entryKey, found);
    return found;
  }
  const computing = options.inDatabase === true ? keptInDatabase(db, laCode, version, key, compute) : compute();
  cache.set(entryKey, computing);
  // A failure is not kept: the next request tries again.
  computing.catch(() => cache.delete(entryKey));
  while (cache.size > capacity) cache.delete(cache.keys().next().value!);
  return computing;
}

/** The figures kept in the database for this version of the data, or those computed now and kept there. */
async function keptInDatabase<T>(db: Kysely<Schema>, laCode: string, version: string, key: string, compute: () => Promise<T>): Promise<T> {
  // Unreadable (a connection without rights on the table, say), they are computed as if never kept.
  const kept = await db.selectFrom('gap_figures').select(['data_version', 'figures']).where('la_code', '=', laCode).where('key', '=', key).executeTakeFirst().catch(() => undefined);
  if (kept?.data_version === version) return JSON.parse(kept.figures) as T;
  const figures = await compute();
  const row = { la_code: laCode, key, data_version: version, figures: JSON.stringify(figures), computed_at: new Date() };
  try {
    await db
      .insertInto('gap_figures')
      .values(row)
      .onConflict((conflict) => conflict.columns(['la_code', 'key']).doUpdateSet({ data_version: row.data_version, figures: row.figures, computed_at: row.computed_at }))
      .execute();
    // Figures of data since replaced are of no more use to anyone.
    await db.deleteFrom('gap_figures').where('la_code', '=', laCode).where('data_version', '<>', version).execute();
  } catch {
    // Not kept (two processes writing at once, say): the figures are right all the same, and the next process computes them again.
  }
  return figures;
}
