import type { BulkSession } from '../db/bulk.js';
import { dimensionValues } from './dimension-values.js';

/**
 * Where derived indicators' per-child values come from: a SELECT over the authority's children in
 * the years (`$1` the authority, `$2` the years) giving `academic_year`, `setting_urn`, `signature`
 * and one column per indicator, named as the indicator, null where the child has no value.
 */
export interface DerivedValues {
  indicators: readonly string[];
  select: string;
}

const plainName = /^[a-z][a-z0-9_]*$/;

/**
 * Replaces the sufficient statistics of some derived indicators in an authority's aggregates for some
 * years, with sums of the values the SELECT gives, inside the caller's transaction. Every aggregate
 * row of those years is set: to zero where no child has a value.
 */
export async function storeDerivedSums(session: BulkSession, laCode: string, years: readonly number[], values: DerivedValues): Promise<void> {
  if (years.length === 0 || values.indicators.length === 0) return;
  for (const name of values.indicators) if (!plainName.test(name)) throw new Error(`not a plain indicator name: ${name}`);
  const zero = values.indicators.flatMap((name) => [`${name}_n = 0`, `${name}_sum = 0`, `${name}_sumsq = 0`]).join(', ');
  const sums = values.indicators.flatMap((name) => [`count(v.${name}) as ${name}_n`, `coalesce(sum(v.${name}), 0) as ${name}_sum`, `coalesce(sum(v.${name} * v.${name}), 0) as ${name}_sumsq`]).join(', ');
  const assign = values.indicators.flatMap((name) => [`${name}_n = s.${name}_n`, `${name}_sum = s.${name}_sum`, `${name}_sumsq = s.${name}_sumsq`]).join(', ');
  for (const table of ['child_aggregate', 'child_setting_aggregate']) {
    await session.query(`update ${table} set ${zero} where la_code = $1 and academic_year = any($2::smallint[])`, [laCode, years]);
  }
  await session.query(
    `update child_aggregate a set ${assign}
       from (select v.academic_year, v.signature, ${sums} from (${values.select}) v group by 1, 2) s
      where a.la_code = $1 and a.academic_year = s.academic_year and a.signature = s.signature`,
    [laCode, years],
  );
  await session.query(
    `update child_setting_aggregate a set ${assign}
       from (select v.academic_year, coalesce(v.setting_urn, -1) as setting_urn, d.id as dimension,
                    case when d.shift < 0 then 1 else ((v.signature >> d.shift) & 3)::smallint end as membership, ${sums}
               from (${values.select}) v cross join (values ${dimensionValues}) as d (id, shift)
              group by 1, 2, 3, 4) s
      where a.la_code = $1 and a.academic_year = s.academic_year and a.setting_urn = s.setting_urn
        and a.dimension = s.dimension and a.membership = s.membership`,
    [laCode, years],
  );
}

/** Records that an authority's aggregates changed other than by a load, so figures kept from before are not read again. */
export async function markAggregatesRevised(session: BulkSession, laCode: string): Promise<void> {
  await session.query('insert into aggregate_revision (la_code, revised_at) values ($1, clock_timestamp()) on conflict (la_code) do update set revised_at = excluded.revised_at', [laCode]);
}
