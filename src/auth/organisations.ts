import type { Kysely } from 'kysely';
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
export async function settingNames(db: Kysely<Schema>, urns: readonly number[]): Promise<Map<number, { name: string; kind: string | null }>> {
  if (urns.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisation')
    .select(['urn', 'name', 'setting_kind'])
    .where('kind', '=', 'setting')
    .where('urn', 'in', urns.map(String))
    .execute();
  return new Map(rows.map((row) => [Number(row.urn), { name: row.name, kind: row.setting_kind }]));
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
