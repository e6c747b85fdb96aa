/**
 * progress-pairs.ts in SQL: each pupil's two points, band, what was expected and label, over a whole
 * authority at once. The numbers of each pair are constants of the code, written in as literals.
 */
import type { BulkSession } from '../db/bulk.js';
import { minimumBandSize, progressPairs } from './progress-pairs.js';
import type { ProgressPair, ProgressPairId } from './progress-pairs.js';

/**
 * A pair's starting point from a record aliased `p`, and its outcome from a record aliased `o`; and
 * where the outcome's collection carries the starting point itself (key stage 4 data holds key stage
 * 2 prior attainment), that, for pupils whose earlier record is not held or has no starting point.
 */
const pointsSql: Readonly<Record<ProgressPairId, { prior: string; outcome: string; carried?: string }>> = {
  eyfsp_phonics: { prior: 'p.eyfsp_gld::int::float8', outcome: 'case when o.phonics_y1_met then 100.0 when not o.phonics_y1_met then 0.0 end' },
  ks2_ks4: {
    prior: 'case when p.ks2_reading_scaled is not null and p.ks2_maths_scaled is not null then (p.ks2_reading_scaled + p.ks2_maths_scaled) / 2 else coalesce(p.ks2_reading_scaled, p.ks2_maths_scaled) end',
    outcome: 'o.ks4_attainment8',
    carried: 'o.ks2_prior_average',
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
  const prior = points.carried === undefined ? 'pv.prior' : `coalesce(pv.prior, ${points.carried})`;
  const priorYear = points.carried === undefined ? 'pv.prior_year' : `case when pv.prior is null and ${points.carried} is not null then o.academic_year - ${pair.yearsBetween} else pv.prior_year end`;
  const parameters = [laCode, years, pair.id, years.map((year) => year - pair.yearsBetween)];
  await session.query('delete from child_progress where la_code = $1 and academic_year = any($2::smallint[]) and pair = $3', parameters.slice(0, 3));
  // One pass: each pupil's points and band, then what was expected of the band (its pupils' mean
  // outcome, where enough of them have a starting point) and the label, as the rows are written.
  await session.query(
    `with prior_rows as materialized (
       select p.child_key, p.academic_year + ${pair.yearsBetween} as outcome_year, p.academic_year as prior_year, ${points.prior} as prior
         from child_record p ${current('p', 'pc')}
        where p.la_code = $1 and p.academic_year = any($4::smallint[])
     ),
     points as (
       select o.la_code, o.academic_year, o.child_key, o.setting_urn, o.signature, ${priorYear} as prior_year, ${prior} as prior_value, ${points.outcome} as outcome_value
         from child_record o ${current('o', 'oc')}
         left join prior_rows pv on pv.child_key = o.child_key and pv.outcome_year = o.academic_year
        where o.la_code = $1 and o.academic_year = any($2::smallint[]) and (${points.outcome}) is not null
     ),
     banded as (
       select t.*, ${bandSql(pair, 't.prior_value')} as band from points t
     ),
     expected as (
       select t.*, case when count(t.prior_value) over band >= ${minimumBandSize} then round(avg(t.outcome_value::numeric) over band, 4)::float8 end as expected
         from banded t
       window band as (partition by t.academic_year, t.band)
     )
     insert into child_progress (la_code, academic_year, pair, child_key, setting_urn, signature, prior_year, prior_value, band, outcome_value, expected, progress, label)
     select t.la_code, t.academic_year, $3, t.child_key, t.setting_urn, t.signature, t.prior_year, t.prior_value, t.band, t.outcome_value, t.expected, t.outcome_value - t.expected, ${labelSql(pair, 't.expected')}
       from expected t`,
    parameters,
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
