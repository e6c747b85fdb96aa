import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { BatchReach, BatchSummary } from './batches.js';
import { listBatches } from './batches.js';

/** The authorities with child-level data: a current batch for at least one academic year. */
export async function authoritiesWithChildData(db: Kysely<Schema>): Promise<Set<string>> {
  const rows = await db.selectFrom('child_year_batch').select('la_code').distinct().execute();
  return new Set(rows.map((row) => row.la_code));
}

/** How fresh an authority's child-level data is: the years it holds and when the newest of them was loaded. */
export interface ChildDataFreshness {
  laCode: string;
  /** Academic years (start years) with current data, oldest first. */
  years: number[];
  /** When the most recently loaded of the current years was loaded. */
  lastLoadedAt: Date;
}

/** The child-level data of some authorities, by authority; an authority without data is absent. */
export async function childDataFreshness(db: Kysely<Schema>, laCodes: readonly string[]): Promise<Map<string, ChildDataFreshness>> {
  if (laCodes.length === 0) return new Map();
  const rows = await db.selectFrom('child_year_batch').select(['la_code', 'academic_year', 'since']).where('la_code', 'in', [...laCodes]).execute();
  const found = new Map<string, ChildDataFreshness>();
  for (const row of rows) {
    const entry = found.get(row.la_code) ?? { laCode: row.la_code, years: [], lastLoadedAt: row.since };
    entry.years.push(row.academic_year);
    if (row.since > entry.lastLoadedAt) entry.lastLoadedAt = row.since;
    found.set(row.la_code, entry);
  }
  for (const entry of found.values()) entry.years.sort((a, b) => a - b);
  return found;
}

/** What an analyst needs to know about the data in their reach before reading any figure. */
export interface DataLoadedSummary {
  /** Child-level data by authority in reach. */
  children: ChildDataFreshness[];
  /** Published statistics files loaded and current (national, and the authorities' own), newest first. */
  statistics: BatchSummary[];
  /** Files refused, newest first (at most `recent`). */
  refused: BatchSummary[];
  /** Files in use (current child-level files, published statistics) that loaded with rows quarantined or problems recorded (data-quality issues), newest first. */
  withProblems: BatchSummary[];
}

/**
 * The data loaded within a reach (see BatchReach: some authorities' files, and the national
 * statistics every authority shares), and its problems.
 */
export async function dataLoadedSummary(db: Kysely<Schema>, reach: readonly string[], options: { recent?: number } = {}): Promise<DataLoadedSummary> {
  const recent = options.recent ?? 5;
  const batchReach: BatchReach = reach;
  const batches = await listBatches(db, batchReach, { limit: 500 });
  const freshness = await childDataFreshness(db, reach);
  return {
    children: reach.flatMap((code) => freshness.get(code) ?? []),
    statistics: batches.filter((batch) => batch.kind === 'statistics' && batch.outcome === 'loaded'),
    refused: batches.filter((batch) => batch.outcome === 'rejected').slice(0, recent),
    withProblems: batches.filter((batch) => batch.outcome === 'loaded' && (batch.kind === 'statistics' || batch.current) && (batch.rowsQuarantined > 0 || batch.problemCount > 0)).slice(0, recent),
  };
}
