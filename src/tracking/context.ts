/**
 * What a work list needs to know of an authority before it reads any child: the years it holds,
 * the load now current for each, and its rules, in one statement (each statement is a round trip,
 * and a work list is opened by many people at once).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { rulesFromStored } from './rules.js';
import type { TrackingRules } from './rules.js';

export interface TrackingContext {
  laCode: string;
  /** The years held, newest first. */
  years: number[];
  rules: TrackingRules;
  /**
   * What the figures derived for a year were worked out from: the year's current load and the
   * rules' version. Figures kept under it stay true until a load, a restore or new rules change it.
   */
  derivedFrom(year: number): string | undefined;
}

export async function trackingContext(db: Kysely<Schema>, laCode: string): Promise<TrackingContext> {
  const { rows } = await sql<{ years: { year: number; batch: string }[] | null; rules: unknown; rules_updated: string | null }>`
    select (select json_agg(json_build_object('year', academic_year, 'batch', batch_id::text) order by academic_year desc) from child_year_batch where la_code = ${laCode}) as years,
           r.rules, r.updated_at::text as rules_updated
      from (select 1) as one
      left join tracking_rules r on r.la_code = ${laCode}`.execute(db);
  const row = rows[0];
  const batches = new Map((row?.years ?? []).map((entry) => [entry.year, entry.batch]));
  const rulesVersion = row?.rules_updated ?? 'default';
  return {
    laCode,
    years: [...batches.keys()],
    rules: rulesFromStored(row?.rules),
    derivedFrom: (year) => {
      const batch = batches.get(year);
      return batch === undefined ? undefined : `${laCode}:${year}:${batch}:${rulesVersion}`;
    },
  };
}
