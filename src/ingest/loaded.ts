import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** Work to do once an authority's child-level data has changed: what is computed from it, say. */
export type AfterChildDataLoaded = (db: Kysely<Schema>, laCode: string) => Promise<void>;

const listeners = new Set<AfterChildDataLoaded>();

/**
 * Asks for `listener` to run after each load or restore of an authority's child-level data on the
 * web. Capabilities that compute from the data (gaps) register here, so that ingest need not know
 * them; the same function registered twice (one per app built) runs once.
 */
export function afterChildDataLoaded(listener: AfterChildDataLoaded): void {
  listeners.add(listener);
}

/**
 * Runs the registered work for an authority whose data has changed. The data is loaded whatever
 * happens here: a failure only leaves the work to be done later, when first needed.
 */
export async function childDataLoaded(db: Kysely<Schema>, laCode: string): Promise<void> {
  await Promise.all([...listeners].map((listener) => listener(db, laCode).catch(() => undefined)));
}
