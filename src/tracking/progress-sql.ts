/**
 * progress-pairs.ts in SQL: each pupil's two points, band, what was expected and label, over a whole
 * authority at once. The numbers of each pair are constants of the code, written in as literals.
 */
import type { BulkSession } from '../db/bulk.js';
import { minimumBandSize, progressPairs } from './progress-pairs.js';
import type { ProgressPair, ProgressPairId } from './progress-pairs.js';

/** A pair's starting point from a record aliased `p`, and its outcome from a record aliased `o`. */
const pointsSql: Readonly<Record<ProgressPairId, { prior: string; outcome: string }>> = {
  eyfsp_phonics: { prior: 'p.eyfsp_gld::int::float8', outcome: 'case when o.phonics_y1_met then 100.0 when not o.phonics_y1_met then 0.0 end' },
  ks2_ks4: {
    prior: 'case when p.ks2_reading_scaled is not null and p.ks2_maths_scaled is not null then (p.ks2_reading_scaled + p.ks2_maths_scaled) / 2 else coalesce(p.ks2_reading_scaled, p.ks2_maths_scaled) end',
    outcome: 'o.ks4_attainment8',
  },
  attendance: { prior: 'p.attendance_pct', outcome: 'o.attendance_pct' },
};

function bandSql(pair: ProgressPair, value: string): string {
  const steps = pair.bands
    .map((band, index) => ({ band, index }))
    .slice(1)
    .reverse()
    .map(({ band, index }) => `when ${value} >= ${band.from} then ${index}`);
  return `case when ${value} is null then null ${steps.join(' ')} else 0 end`;
}

function labelSql(pair: ProgressPair, expected: string): string {
  const progress = `(t.outcome_value - ${expected})`;
  return `case when t.prior_value is null or ${expected} is null then 'not-enough-data'
    when t.prior_value < ${pair.priorStandard} and t.outcome_value < ${pair.outcomeStandard} and ${progress} <= 0 then 'stuck'
    when t.prior_value >= ${pair.highPrior} and ${progress} <= ${-pair.wellBelow} then 'coasting'
    when ${progress} <= ${-pair.margin} then 'underperforming'
    else 'as-expected' end`;
}

const current = (alias: string, batch: string) =>
  `join child_year_batch ${batch} on ${batch}.la_code = ${alias}.la_code and ${batch}.academic_year = ${alias}.academic_year and ${batch}.batch_id = ${alias}.batch_id`;

/** Works out one pair's progress for the outcome years given, replacing what was there, inside the caller's transaction. */
export async function computePairProgress(session: BulkSession, laCode: string, pair: ProgressPair, years: readonly number[]): Promise<void> {
  if (years.length === 0) return;
  const points = pointsSql[pair.id];
  const parameters = [laCode, years, pair.id, years.map((year) => year - pair.yearsBetween)];
  await session.query('delete from child_progress where la_code = $1 and academic_year = any($2::smallint[]) and pair = $3', parameters.slice(0, 3));
  await session.query(
    `with prior_rows as materialized (
       select p.child_key, p.academic_year + ${pair.yearsBetween} as outcome_year, p.academic_year as prior_year, ${points.prior} as prior
         from child_record p ${current('p', 'pc')}
        where p.la_code = $1 and p.academic_year = any($4::smallint[])
     )
     insert into child_progress (la_code, academic_year, pair, child_key, setting_urn, signature, prior_year, prior_value, band, outcome_value, label)
     select o.la_code, o.academic_year, $3, o.child_key, o.setting_urn, o.signature, pv.prior_year, pv.prior, ${bandSql(pair, 'pv.prior')}, ${points.outcome}, 'not-enough-data'
       from child_record o ${current('o', 'oc')}
       left join prior_rows pv on pv.child_key = o.child_key and pv.outcome_year = o.academic_year
      where o.la_code = $1 and o.academic_year = any($2::smallint[]) and (${points.outcome}) is not null`,
    parameters,
  );
  await session.query(
    `update child_progress t
        set expected = e.expected, progress = t.outcome_value - e.expected, label = ${labelSql(pair, 'e.expected')}
       from (select academic_year, band, round(avg(outcome_value::numeric), 4)::float8 as expected
               from child_progress
              where la_code = $1 and academic_year = any($2::smallint[]) and pair = $3 and prior_value is not null
              group by 1, 2 having count(*) >= ${minimumBandSize}) e
      where t.la_code = $1 and t.pair = $3 and t.academic_year = e.academic_year and t.band = e.band`,
    parameters.slice(0, 3),
  );
}

/** The outcome years whose progress changes when these years are loaded: the years themselves, and those whose starting point they hold. */
export function progressYearsAffected(pair: ProgressPair, changed: readonly number[], held: readonly number[]): number[] {
  return held.filter((year) => changed.includes(year) || changed.includes(year - pair.yearsBetween));
}

/** Each pupil's progress on every pair, as per-child values of the progress indicators (derived-sums.ts). */
export const progressValuesSelect = `select t.academic_year, t.setting_urn, t.signature, ${progressPairs
  .map((pair) => `case when t.pair = '${pair.id}' then t.progress end as ${pair.indicator}`)
  .join(', ')} from child_progress t where t.la_code = $1 and t.academic_year = any($2::smallint[])`;
