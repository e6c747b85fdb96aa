import type { Kysely } from 'kysely';
import type { BulkSession } from '../db/bulk.js';
import type { Schema } from '../db/schema.js';
import { dimensions, memberIn } from './signature.js';

/**
 * Per setting and year: its children, those in at least one vulnerable group, and how many live in
 * the most deprived areas (IDACI deciles 1 and 2, the most deprived fifth of England's
 * neighbourhoods). Stored after each load with the other aggregates, so that coverage of the local
 * offer can weigh need by place without reading a child's record.
 */
export interface SettingProfile {
  /** The setting's URN, or -1 for children recorded without one. */
  settingUrn: number;
  children: number;
  inAnyGroup: number;
  /** Children whose IDACI decile is recorded. */
  idaciKnown: number;
  /** Of those, children in deciles 1 and 2. */
  idaciMostDeprived: number;
}

/** The setting aggregates' group counts: children in each group (membership "in"). */
export interface SettingGroupCount {
  settingUrn: number;
  group: string;
  children: number;
}

const groupDimensions = dimensions.filter((entry) => entry.kind === 'group');

/** "In" is 01 in a group's two bits, so a child is in some group when any group's low bit is set. */
export const anyGroupMask: bigint = groupDimensions.reduce((mask, entry) => mask | (BigInt(memberIn) << BigInt(entry.shift)), 0n);

/** Replaces one authority's setting profiles for some years from its current records, inside the caller's transaction. */
export async function storeSettingProfiles(session: BulkSession, laCode: string, years: readonly number[]): Promise<void> {
  if (years.length === 0) return;
  await session.query('delete from child_setting_profile where la_code = $1 and academic_year = any($2::smallint[])', [laCode, years]);
  await session.query(
    `insert into child_setting_profile (la_code, academic_year, setting_urn, children, in_any_group, idaci_known, idaci_most_deprived)
     select r.la_code, r.academic_year, coalesce(r.setting_urn, -1), count(*),
            count(*) filter (where r.signature & $3::bigint <> 0),
            count(r.idaci_decile), count(*) filter (where r.idaci_decile <= 2)
       from child_record r
       join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
      where r.la_code = $1 and r.academic_year = any($2::smallint[])
      group by 1, 2, 3`,
    [laCode, years, anyGroupMask.toString()],
  );
}

/** The latest year with setting profiles for the authority, or null when none is loaded. */
export async function latestProfileYear(db: Kysely<Schema>, laCode: string): Promise<number | null> {
  const row = await db.selectFrom('child_setting_profile').select((eb) => eb.fn.max('academic_year').as('year')).where('la_code', '=', laCode).executeTakeFirst();
  return row?.year === null || row?.year === undefined ? null : Number(row.year);
}

/** Every setting's profile and group counts for one authority and year. */
export async function settingProfiles(db: Kysely<Schema>, laCode: string, year: number): Promise<{ profiles: SettingProfile[]; groupCounts: SettingGroupCount[] }> {
  const [profiles, groupCounts] = await Promise.all([
    db
      .selectFrom('child_setting_profile')
      .select(['setting_urn', 'children', 'in_any_group', 'idaci_known', 'idaci_most_deprived'])
      .where('la_code', '=', laCode)
      .where('academic_year', '=', year)
      .execute(),
    db
      .selectFrom('child_setting_aggregate')
      .select(['setting_urn', 'dimension', 'children'])
      .where('la_code', '=', laCode)
      .where('academic_year', '=', year)
      .where('membership', '=', memberIn)
      .where('dimension', '<>', 'all')
      .execute(),
  ]);
  return {
    profiles: profiles.map((row) => ({
      settingUrn: Number(row.setting_urn),
      children: Number(row.children),
      inAnyGroup: Number(row.in_any_group),
      idaciKnown: Number(row.idaci_known),
      idaciMostDeprived: Number(row.idaci_most_deprived),
    })),
    groupCounts: groupCounts.map((row) => ({ settingUrn: Number(row.setting_urn), group: row.dimension, children: Number(row.children) })),
  };
}
