import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import { withAuthorityScope } from '../auth/scope.js';
import type { Schema } from '../db/schema.js';
import { dimensions, memberIn, valueIn } from '../aggregates/signature.js';
import type { Dimension } from '../aggregates/signature.js';
import { coordinationCounts, coordinationFlags, measures } from '../ingest/child-standard.js';
import type { ChildReach } from './reach.js';

export interface ChildRecordFilter {
  laCode?: string | undefined;
  academicYear?: number | undefined;
  settingUrn?: number | undefined;
  /** A signature dimension id: only children in that group. */
  group?: string | undefined;
}

/** One child's record for one year, as pages, the API and exports show it. */
export interface ChildRecordView {
  childRef: string;
  laCode: string;
  academicYear: number;
  settingUrn: number | null;
  ncy: number | null;
  sex: string | null;
  idaciDecile: number | null;
  senProvision: string | null;
  ethnicity: string | null;
  englishProficiency: string | null;
  /** Ids of the framework groups the child is in (by the catalogue's definitions). */
  groups: string[];
  coordination: Record<string, boolean | number | null>;
  measures: Record<string, number | boolean | null>;
}

const groupDimensions = dimensions.filter((entry) => entry.kind === 'group');
const childRefPattern = /^[0-9a-f]{64}$/;

export function isChildRef(value: string): boolean {
  return childRefPattern.test(value);
}

type RecordQuery = SelectQueryBuilder<Schema, 'child_record' | 'child_year_batch', object>;

/**
 * Child records the viewer may read, from the batches that are current. Every query filters by the
 * reach itself and also runs under row-level security for the same authorities and settings, so a
 * mistake in one line of defence still returns nothing from elsewhere. Both match a setting grant
 * only together with the record's own authority (`child_record.la_code`): a setting reaches the
 * pupils whose records its authority holds, never another authority's pupils of the same URN.
 */
function scoped<T>(db: Kysely<Schema>, reach: readonly ChildReach[], work: (query: RecordQuery, reader: Kysely<Schema>) => Promise<T>, empty: T, extraChildKeys: readonly string[] = []): Promise<T> {
  if (reach.length === 0 && extraChildKeys.length === 0) return Promise.resolve(empty);
  const extra = extraChildKeys.map((pair) => ({ laCode: pair.slice(0, 9), childKey: pair.slice(10) }));
  return withAuthorityScope(
    db,
    [...new Set([...reach.map((entry) => entry.laCode), ...extra.map((entry) => entry.laCode)])],
    (reader) => {
      const query = reader
        .selectFrom('child_record')
        .innerJoin('child_year_batch', (join) =>
          join
            .onRef('child_year_batch.la_code', '=', 'child_record.la_code')
            .onRef('child_year_batch.academic_year', '=', 'child_record.academic_year')
            .onRef('child_year_batch.batch_id', '=', 'child_record.batch_id'),
        )
        .where((eb) =>
          eb.or([
            ...reach.map((entry) => withinReach(eb, entry)),
            ...extra.map((entry) => eb.and([eb('child_record.la_code', '=', entry.laCode), eb('child_record.child_key', '=', entry.childKey)])),
          ]),
        );
      return work(query, reader);
    },
    // Row-level security gets the same pairs: a setting's pupils only within the authority that owns their records.
    { childReach: reach, childKeys: extraChildKeys },
  );
}

function withinReach(eb: ExpressionBuilder<Schema, 'child_record' | 'child_year_batch'>, entry: ChildReach) {
  const inAuthority = eb('child_record.la_code', '=', entry.laCode);
  if (entry.settingUrns === 'all') return inAuthority;
  return eb.and([inAuthority, eb('child_record.setting_urn', 'in', entry.settingUrns.length > 0 ? entry.settingUrns : [-1])]);
}

function applyFilter(query: RecordQuery, filter: ChildRecordFilter): RecordQuery {
  let filtered = query;
  if (filter.laCode !== undefined) filtered = filtered.where('child_record.la_code', '=', filter.laCode);
  if (filter.academicYear !== undefined) filtered = filtered.where('child_record.academic_year', '=', filter.academicYear);
  if (filter.settingUrn !== undefined) filtered = filtered.where('child_record.setting_urn', '=', filter.settingUrn);
  const group = filter.group === undefined ? undefined : groupDimensions.find((entry) => entry.id === filter.group);
  if (group !== undefined) filtered = filtered.where(sql<number>`(child_record.signature >> ${sql.lit(group.shift)}) & 3`, '=', memberIn);
  return filtered;
}

const recordColumns = [
  'child_record.child_key',
  'child_record.la_code',
  'child_record.academic_year',
  'child_record.signature',
  'child_record.setting_urn',
  'child_record.ncy',
  'child_record.sex',
  'child_record.idaci_decile',
  'child_record.sen_provision',
  'child_record.ethnicity',
  'child_record.english_proficiency',
  ...coordinationFlags.map((name) => `child_record.${name}` as const),
  ...coordinationCounts.map((name) => `child_record.${name}` as const),
  ...measures.map((measure) => `child_record.${measure.name as 'eyfsp_gld'}` as const),
] as const;

type RecordRow = Record<string, unknown> & { child_key: string; la_code: string; academic_year: number; signature: string };

function toView(row: RecordRow): ChildRecordView {
  const signature = Number(row.signature);
  const pick = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, (row[name] ?? null) as number | boolean | null]));
  return {
    childRef: row.child_key,
    laCode: row.la_code,
    academicYear: row.academic_year,
    settingUrn: (row.setting_urn ?? null) as number | null,
    ncy: (row.ncy ?? null) as number | null,
    sex: (row.sex ?? null) as string | null,
    idaciDecile: (row.idaci_decile ?? null) as number | null,
    senProvision: (row.sen_provision ?? null) as string | null,
    ethnicity: (row.ethnicity ?? null) as string | null,
    englishProficiency: (row.english_proficiency ?? null) as string | null,
    groups: groupDimensions.filter((entry: Dimension) => valueIn(signature, entry) === memberIn).map((entry) => entry.id),
    coordination: pick([...coordinationFlags, ...coordinationCounts]),
    measures: pick(measures.map((measure) => measure.name)),
  };
}

/** A page of the child records in reach that match the filter, newest year first. */
export async function listChildRecords(
  db: Kysely<Schema>,
  reach: readonly ChildReach[],
  filter: ChildRecordFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; records: ChildRecordView[] }> {
  return scoped(
    db,
    reach,
    async (query) => {
      const filtered = applyFilter(query, filter);
      const { total } = await filtered.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const rows = await filtered
        .select([...recordColumns])
        .orderBy('child_record.academic_year', 'desc')
        .orderBy('child_record.setting_urn')
        .orderBy('child_record.child_key')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { total: Number(total), records: (rows as unknown as RecordRow[]).map(toView) };
    },
    { total: 0, records: [] },
  );
}

/**
 * Every current record of one child within reach, newest year first; empty when none is in reach.
 * `extraChildKeys` (`E08000035:<pseudonym>`) adds children reached past the usual reach (break the glass).
 */
export async function childHistory(db: Kysely<Schema>, reach: readonly ChildReach[], childRef: string, extraChildKeys: readonly string[] = []): Promise<ChildRecordView[]> {
  if (!isChildRef(childRef)) return [];
  const extra = extraChildKeys.filter((pair) => pair.endsWith(`:${childRef}`));
  return scoped(
    db,
    reach,
    async (query) => {
      const rows = await query
        .where('child_record.child_key', '=', childRef)
        .select([...recordColumns])
        .orderBy('child_record.academic_year', 'desc')
        .execute();
      return (rows as unknown as RecordRow[]).map(toView);
    },
    [],
    extra,
  );
}

/** The academic years with current records in reach, newest first. */
export async function yearsInReach(db: Kysely<Schema>, reach: readonly ChildReach[]): Promise<number[]> {
  return scoped(
    db,
    reach,
    async (_query, reader) => {
      const rows = await reader
        .selectFrom('child_year_batch')
        .select('academic_year')
        .distinct()
        .where('la_code', 'in', reach.map((entry) => entry.laCode))
        .orderBy('academic_year', 'desc')
        .execute();
      return rows.map((row) => row.academic_year);
    },
    [],
  );
}
