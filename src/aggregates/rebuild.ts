import type { BulkSession } from '../db/bulk.js';
import { measures } from '../ingest/child-standard.js';

/** The aggregate columns of one measure: how many children have a value, their sum and sum of squares. */
export function aggregateColumnsOf(name: string): { n: string; sum: string; sumsq: string } {
  return { n: `${name}_n`, sum: `${name}_sum`, sumsq: `${name}_sumsq` };
}

const measureSelects = measures.flatMap((measure) => {
  const value = measure.type === 'binary' ? `r.${measure.name}::int` : `r.${measure.name}::float8`;
  return [`count(r.${measure.name})`, `coalesce(sum(${value}), 0)`, `coalesce(sum(${value} * ${value}), 0)`];
});
const measureColumns = measures.flatMap((measure) => Object.values(aggregateColumnsOf(measure.name)));

/**
 * Rebuilds the aggregates of one authority's years from its current child records: one row per
 * setting and signature (children without a setting under setting -1) and one per signature for the
 * whole authority (setting 0). Runs inside the import's transaction, so readers see the old
 * aggregates or the new, never a mixture.
 */
export async function rebuildChildAggregates(session: BulkSession, laCode: string, years: readonly number[]): Promise<void> {
  if (years.length === 0) return;
  await session.query('delete from child_aggregate where la_code = $1 and academic_year = any($2::smallint[])', [laCode, years]);
  await session.query(
    `insert into child_aggregate (la_code, academic_year, setting_urn, signature, children, ${measureColumns.join(', ')})
     select r.la_code, r.academic_year,
            case when grouping(r.setting_urn) = 1 then 0 else coalesce(r.setting_urn, -1) end,
            r.signature, count(*), ${measureSelects.join(', ')}
       from child_record r
       join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
      where r.la_code = $1 and r.academic_year = any($2::smallint[])
      group by grouping sets ((r.la_code, r.academic_year, r.signature, r.setting_urn), (r.la_code, r.academic_year, r.signature))`,
    [laCode, years],
  );
}
