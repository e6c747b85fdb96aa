import type { BulkSession } from '../db/bulk.js';
import { measures } from '../ingest/child-standard.js';
import type { AggregateAccumulator } from './accumulator.js';
import { jointColumns, settingColumns } from './accumulator.js';
import { dimensionValues } from './dimension-values.js';
import { storeSettingProfiles } from './setting-profiles.js';
import { computeDerivedIndicators } from '../tracking/derived.js';

// The standard's measures only: the derived indicators are worked out after, from the records (derived.ts).
const measureColumns = measures.flatMap((measure) => [`${measure.name}_n`, `${measure.name}_sum`, `${measure.name}_sumsq`]).join(', ');
const measureSelects = measures
  .flatMap((measure) => {
    const value = measure.type === 'binary' ? `r.${measure.name}::int` : `r.${measure.name}::float8`;
    return [`count(r.${measure.name})`, `coalesce(sum(${value}), 0)`, `coalesce(sum(${value} * ${value}), 0)`];
  })
  .join(', ');
const current = 'join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id';

async function clear(session: BulkSession, laCode: string, years: readonly number[]): Promise<void> {
  await session.query('delete from child_aggregate where la_code = $1 and academic_year = any($2::smallint[])', [laCode, years]);
  await session.query('delete from child_setting_aggregate where la_code = $1 and academic_year = any($2::smallint[])', [laCode, years]);
}

/** Replaces one authority's aggregates for the years of a load with those the load accumulated. */
export async function storeAccumulatedAggregates(session: BulkSession, laCode: string, years: readonly number[], accumulated: AggregateAccumulator): Promise<void> {
  if (years.length === 0) return;
  await clear(session, laCode, years);
  await session.insertRows('child_aggregate', jointColumns, accumulated.jointRows(laCode));
  await session.insertRows('child_setting_aggregate', settingColumns, accumulated.settingRows(laCode));
  await storeSettingProfiles(session, laCode, years);
  await computeDerivedIndicators(session, laCode, years);
}

/**
 * Rebuilds one authority's aggregates for some years from its current child records (after a
 * restore), inside the caller's transaction, so readers see the old aggregates or the new.
 */
export async function rebuildChildAggregates(session: BulkSession, laCode: string, years: readonly number[]): Promise<void> {
  if (years.length === 0) return;
  await clear(session, laCode, years);
  await session.query(
    `insert into child_aggregate (la_code, academic_year, signature, children, ${measureColumns})
     select r.la_code, r.academic_year, r.signature, count(*), ${measureSelects}
       from child_record r ${current}
      where r.la_code = $1 and r.academic_year = any($2::smallint[])
      group by r.la_code, r.academic_year, r.signature`,
    [laCode, years],
  );
  await session.query(
    `insert into child_setting_aggregate (la_code, academic_year, setting_urn, dimension, membership, children, ${measureColumns})
     select r.la_code, r.academic_year, coalesce(r.setting_urn, -1), d.id,
            case when d.shift < 0 then 1 else ((r.signature >> d.shift) & 3)::smallint end,
            count(*), ${measureSelects}
       from child_record r ${current}
      cross join (values ${dimensionValues}) as d (id, shift)
      where r.la_code = $1 and r.academic_year = any($2::smallint[])
      group by 1, 2, 3, 4, 5`,
    [laCode, years],
  );
  await storeSettingProfiles(session, laCode, years);
  await computeDerivedIndicators(session, laCode, years);
}
