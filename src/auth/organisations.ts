import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { allAreas, allLocalAuthorities, loadAreas } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';

export const englandCode = 'E92000001';

/**
 * Makes sure the national team, each region and each current local authority exists as an
 * organisation, so roles can be granted in them. Idempotent: names are brought up to date, nothing
 * is removed (a past authority's organisation keeps its accounts and audit history).
 */
export async function ensureAreaOrganisations(db: Kysely<Schema>): Promise<void> {
  const areas = loadAreas();
  const rows = [
    { kind: 'national' as const, name: 'National team (England)', area_code: englandCode, la_code: null },
    ...allAreas('region', areas).map((region) => ({ kind: 'region' as const, name: region.name, area_code: region.code, la_code: null })),
    ...allLocalAuthorities({}, areas).map((la) => ({ kind: 'local-authority' as const, name: la.name, area_code: la.gss, la_code: la.gss })),
  ];
  await db
    .insertInto('organisation')
    .values(rows)
    .onConflict((conflict) => conflict.columns(['kind', 'area_code']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
    .execute();
}

/** The registered names (and kinds) of settings by URN; a URN not registered is left out. */
export async function settingNames(db: Kysely<Schema>, urns: readonly number[]): Promise<Map<number, { name: string; kind: string | null; locality: string | null }>> {
  if (urns.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisation')
    .select(['urn', 'name', 'setting_kind', 'locality'])
    .where('kind', '=', 'setting')
    .where('urn', 'in', urns.map(String))
    .execute();
  return new Map(rows.map((row) => [Number(row.urn), { name: row.name, kind: row.setting_kind, locality: row.locality }]));
}

/** A setting registered with an authority, as work lists name and group it. */
export interface RegisteredSetting {
  urn: number;
  name: string;
  kind: string | null;
  locality: string | null;
}

/** An authority's register of settings as a work list reads it: some or all of its settings, and all its localities. */
export interface SettingRegister {
  /** The settings asked for (all when none were named), by name. */
  settings: RegisteredSetting[];
  /** Every locality the authority's settings are registered in, by name. */
  localities: string[];
}

/**
 * The authority's settings (those named in `only`, or all) with their names and localities, and the
 * authority's localities, in one statement: a work list needs both on every page. The settings
 * named are found by their URNs' index, and the localities by walking the locality index from one
 * to the next (a loose index scan): an authority has a few localities and hundreds of settings,
 * and reading them all on every page cost PostgreSQL 0.6 ms of a work list's 3.5 ms.
 */
export async function settingRegister(db: Kysely<Schema>, laCode: string, only?: readonly number[]): Promise<SettingRegister> {
  const { rows } = await sql<{ settings: { urn: string; name: string; kind: string | null; locality: string | null }[] | null; localities: string[] | null }>`
    select (select json_agg(json_build_object('urn', urn, 'name', name, 'kind', setting_kind, 'locality', locality) order by name)
              from organisation
             where kind = 'setting' and la_code = ${laCode} and urn is not null ${only === undefined ? sql`` : sql`and urn = any(${only.map(String)}::text[])`}) as settings,
           (with recursive found (locality) as (
              (select locality from organisation where la_code = ${laCode} and locality is not null and kind = 'setting' order by locality limit 1)
              union all
              select (select later.locality from organisation later
                       where later.la_code = ${laCode} and later.locality > found.locality and later.kind = 'setting' order by later.locality limit 1)
                from found where found.locality is not null)
            select json_agg(locality) from found where locality is not null) as localities`.execute(db);
  const row = rows[0];
  return { settings: (row?.settings ?? []).map((setting) => ({ ...setting, urn: Number(setting.urn) })), localities: row?.localities ?? [] };
}

/** The URNs of the settings in one locality (its name matched without regard to case). */
export function settingsInLocality(settings: readonly RegisteredSetting[], locality: string): number[] {
  const asked = locality.trim().toLowerCase();
  return settings.filter((setting) => setting.locality?.toLowerCase() === asked).map((setting) => setting.urn);
}

/** An organisation as other capabilities need it: who it is and which authority it belongs to. */
export interface OrganisationSummary {
  id: string;
  kind: string;
  name: string;
  laCode: string | null;
  areaCode: string | null;
  urn: string | null;
  settingKind: string | null;
}

function organisationColumns(db: Kysely<Schema>) {
  return db.selectFrom('organisation').select(['id', 'kind', 'name', 'la_code', 'area_code', 'urn', 'setting_kind']);
}

function summaryOf(row: { id: string; kind: string; name: string; la_code: string | null; area_code: string | null; urn: string | null; setting_kind: string | null }): OrganisationSummary {
  return { id: row.id, kind: row.kind, name: row.name, laCode: row.la_code, areaCode: row.area_code, urn: row.urn, settingKind: row.setting_kind };
}

/** One organisation, or undefined when the id names none. */
export async function organisationById(db: Kysely<Schema>, id: string): Promise<OrganisationSummary | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await organisationColumns(db).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : summaryOf(row);
}

/** The authorities themselves and their settings and partners, for these authorities, by kind then name. */
export async function organisationsOfAuthorities(db: Kysely<Schema>, laCodes: readonly string[]): Promise<OrganisationSummary[]> {
  if (laCodes.length === 0) return [];
  const rows = await organisationColumns(db).where('la_code', 'in', laCodes).where('kind', 'in', ['local-authority', 'setting', 'partner']).orderBy('kind').orderBy('name').execute();
  return rows.map(summaryOf);
}
