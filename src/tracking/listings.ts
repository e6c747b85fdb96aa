/**
 * The children on each work list, worked out from the records with the other derived figures after
 * a load, a restore or new rules (derived.ts), and kept in `child_listing`. A setting's list and an
 * authority's counts then read the few children listed, not every record of the year. The rules are
 * those of unseen-sql.ts; the trusted-adult list is kept for children in at least one group, with
 * their number of groups, so the reader chooses how many groups make a child vulnerable.
 */
import type { BulkSession } from '../db/bulk.js';
import type { TrackingRules } from './rules.js';
import { unseenLists } from './unseen-rules.js';
import { groupCountSql, listFindingSql } from './unseen-sql.js';

/** Replaces the listings of the years given, inside the caller's transaction. */
export async function computeListings(session: BulkSession, laCode: string, years: readonly number[], rules: TrackingRules): Promise<void> {
  if (years.length === 0) return;
  const findings = listFindingSql('r', rules, 1);
  const values = unseenLists.map((list) => `('${list}', ${findings[list]})`).join(', ');
  await session.query('delete from child_listing where la_code = $1 and academic_year = any($2::smallint[])', [laCode, years]);
  await session.query(
    `insert into child_listing (la_code, academic_year, list, child_key, setting_urn, ncy, signature, group_count, finding)
     select r.la_code, r.academic_year, l.list, r.child_key, r.setting_urn, r.ncy, r.signature, ${groupCountSql('r')}, l.finding
       from child_record r
       join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
       cross join lateral (values ${values}) as l (list, finding)
      where r.la_code = $1 and r.academic_year = any($2::smallint[]) and l.finding is not null`,
    [laCode, years],
  );
}
