/**
 * Works out this capability's indicators from an authority's records after its data changes: the
 * children on each work list (child_listing), each pupil's progress (child_progress), then the
 * coverage and progress sums in the aggregates, so the gap
 * matrix reads them like any other indicator. Runs inside the load's (or the restore's) transaction:
 * readers see the old figures or the new, never half of each.
 */
import { storeDerivedSums } from '../aggregates/derived-sums.js';
import type { BulkSession } from '../db/bulk.js';
import { coverageDefinitions, progressDefinitions } from './indicators.js';
import { computeListings } from './listings.js';
import { progressPairs } from './progress-pairs.js';
import { computePairProgress, progressValuesSelect, progressYearsAffected } from './progress-sql.js';
import { rulesFromStored } from './rules.js';
import type { TrackingRules } from './rules.js';
import { coverageValueSql } from './unseen-sql.js';

/** The authority's rules as stored, or the defaults. */
export async function rulesInSession(session: BulkSession, laCode: string): Promise<TrackingRules> {
  const [row] = await session.query<{ rules: unknown }>('select rules from tracking_rules where la_code = $1', [laCode]);
  return rulesFromStored(row?.rules);
}

function coverageSelect(rules: TrackingRules): string {
  const values = coverageValueSql('r', rules);
  return `select r.academic_year, r.setting_urn, r.signature, ${coverageDefinitions.map((definition) => `${values[definition.name as keyof typeof values]} as ${definition.name}`).join(', ')}
            from child_record r join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
           where r.la_code = $1 and r.academic_year = any($2::smallint[])`;
}

/**
 * Recomputes the derived indicators an authority's change touches: coverage for the years changed
 * (`'all'`: every year, as after new rules), progress for those years and the years whose starting
 * point they hold.
 */
export async function computeDerivedIndicators(session: BulkSession, laCode: string, changed: readonly number[] | 'all'): Promise<void> {
  const held = (await session.query<{ academic_year: number }>('select academic_year from child_year_batch where la_code = $1 order by 1', [laCode])).map((row) => Number(row.academic_year));
  const changedYears = changed === 'all' ? held : changed.filter((year) => held.includes(year));
  const rules = await rulesInSession(session, laCode);
  // Rows just loaded have no planner statistics yet, and a nested loop joining two years of pupils
  // (or every aggregate row to its sums) takes minutes where hashing takes a second. Only for this work.
  await session.query('set local enable_nestloop = off');
  await storeDerivedSums(session, laCode, changedYears, { indicators: coverageDefinitions.map((definition) => definition.name), select: coverageSelect(rules) });
  await computeListings(session, laCode, changedYears, rules);
  const progressYears = new Set<number>();
  for (const pair of progressPairs) {
    const years = changed === 'all' ? held : progressYearsAffected(pair, changedYears, held);
    await computePairProgress(session, laCode, pair, years);
    for (const year of years) progressYears.add(year);
  }
  await storeDerivedSums(session, laCode, [...progressYears].sort(), { indicators: progressDefinitions.map((definition) => definition.name), select: progressValuesSelect });
  await session.query('set local enable_nestloop = on');
}
