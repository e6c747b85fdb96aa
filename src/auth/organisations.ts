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
