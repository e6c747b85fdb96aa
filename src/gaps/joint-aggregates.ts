import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { aggregateMeasureColumns } from '../aggregates/accumulator.js';
import type { Schema } from '../db/schema.js';

/** One combination of memberships in one year: how many children, and per measure n, sum, sum of squares. */
export interface JointCell {
  signature: number;
  children: number;
  /** For measure i: n at 3i, sum at 3i + 1, sum of squares at 3i + 2. */
  figures: Float64Array;
}

/** An authority's joint aggregates, by academic year (start year). */
export type JointAggregates = Map<number, JointCell[]>;

const columns = aggregateMeasureColumns.map((column) => column.name);

/**
 * Reads an authority's aggregates for every year it has, or only some. With `keepBits`, only the
 * signature's lowest bits are kept (the framework groups' memberships, say) and the database adds
 * together the combinations that then look the same, so far fewer rows travel.
 */
export function readJointAggregates(db: Kysely<Schema>, laCode: string, options: { years?: readonly number[]; keepBits?: number } = {}): Promise<JointAggregates> {
  // Figures computed together (a plan's suggestions ask for the curves and the data gaps at once)
  // share one read of the same rows rather than each reading tens of thousands of them.
  let reading = readsUnderway.get(db);
  if (reading === undefined) readsUnderway.set(db, (reading = new Map<string, Promise<JointAggregates>>()));
  const key = JSON.stringify([laCode, options.years ?? null, options.keepBits ?? null]);
  const underway = reading.get(key);
  if (underway !== undefined) return underway;
  const read = readAggregates(db, laCode, options).finally(() => reading.delete(key));
  reading.set(key, read);
  return read;
}

/** Reads in flight, by database and what they read; each is dropped as it ends, so nothing is kept after. */
const readsUnderway = new WeakMap<Kysely<Schema>, Map<string, Promise<JointAggregates>>>();

async function readAggregates(db: Kysely<Schema>, laCode: string, options: { years?: readonly number[]; keepBits?: number }): Promise<JointAggregates> {
  const yearFilter = options.years === undefined ? sql`` : sql`and academic_year = any(${[...options.years]}::smallint[])`;
  const result =
    options.keepBits === undefined
      ? await sql<Record<string, string | number>>`
          select academic_year, signature, children, ${sql.raw(columns.join(', '))}
            from child_aggregate where la_code = ${laCode} ${yearFilter}`.execute(db)
      : await sql<Record<string, string | number>>`
          select academic_year, signature & ${sql.lit(2 ** options.keepBits - 1)}::bigint as signature, sum(children) as children,
                 ${sql.raw(columns.map((column) => `sum(${column}) as ${column}`).join(', '))}
            from child_aggregate where la_code = ${laCode} ${yearFilter}
           group by 1, 2`.execute(db);
  const byYear: JointAggregates = new Map();
  for (const row of result.rows) {
    const year = Number(row.academic_year);
    let cells = byYear.get(year);
    if (cells === undefined) byYear.set(year, (cells = []));
    const figures = new Float64Array(columns.length);
    for (let index = 0; index < columns.length; index++) figures[index] = Number(row[columns[index]!]);
    cells.push({ signature: Number(row.signature), children: Number(row.children), figures });
  }
  return byYear;
}
