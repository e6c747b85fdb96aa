import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { LOCALITY_MAX } from '../areas/settings.js';
import { normaliseDistrict } from './postcode.js';
import { moveRevisionOn } from './store.js';

/**
 * An authority's localities: each a name (the one its settings carry) and the postcode districts it
 * is drawn with. A district belongs to at most one locality of an authority, so a service or a
 * postcode falls in one place.
 */
export interface Locality {
  name: string;
  districts: string[];
}

export interface LocalityProblem {
  /** The locality's place in what was given (1 is the first), or its CSV row. */
  row: number;
  field: 'name' | 'districts';
  value: string;
  expected: string;
}

export type LocalitiesResult = { ok: true; localities: Locality[] } | { ok: false; problems: LocalityProblem[] };

/** Checks localities as given (names tidied, districts in standard form), naming each problem by row and field. */
export function validateLocalities(given: readonly { name: string; districts: readonly string[] }[], firstRow = 1): LocalitiesResult {
  const problems: LocalityProblem[] = [];
  const localities: Locality[] = [];
  const names = new Map<string, number>();
  const districtOwner = new Map<string, string>();
  given.forEach((entry, index) => {
    const row = firstRow + index;
    const name = entry.name.trim().replace(/\s+/g, ' ');
    if (name === '' || name.length > LOCALITY_MAX) problems.push({ row, field: 'name', value: entry.name, expected: `a name of 1 to ${LOCALITY_MAX} characters` });
    else if (names.has(name.toLowerCase())) problems.push({ row, field: 'name', value: entry.name, expected: `a name not already given (row ${names.get(name.toLowerCase())})` });
    else names.set(name.toLowerCase(), row);
    const districts: string[] = [];
    for (const value of entry.districts) {
      if (value.trim() === '') continue;
      const district = normaliseDistrict(value);
      if (district === null) {
        problems.push({ row, field: 'districts', value, expected: 'a postcode district, such as LS12' });
        continue;
      }
      const owner = districtOwner.get(district);
      if (owner !== undefined && owner !== name) problems.push({ row, field: 'districts', value, expected: `a district not already in ${owner}` });
      districtOwner.set(district, name);
      if (!districts.includes(district)) districts.push(district);
    }
    localities.push({ name, districts: districts.sort(compareDistricts) });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, localities };
}

/** Districts in the order people read them: LS2 before LS12. */
export function compareDistricts(a: string, b: string): number {
  return a.localeCompare(b, 'en-GB', { numeric: true });
}

/** The authority's localities, by name. */
export async function localitiesOf(db: Kysely<Schema>, laCode: string): Promise<Locality[]> {
  const rows = await db.selectFrom('directory_locality').select(['name', 'districts']).where('la_code', '=', laCode).orderBy('name').execute();
  return rows.map((row) => ({ name: row.name, districts: [...row.districts].sort(compareDistricts) }));
}

/** Every authority's localities in one statement, by authority then name (a few hundred rows for all of England). */
export async function allLocalities(db: Kysely<Schema>): Promise<(Locality & { laCode: string })[]> {
  const rows = await db.selectFrom('directory_locality').select(['la_code', 'name', 'districts']).orderBy('la_code').orderBy('name').execute();
  return rows.map((row) => ({ laCode: row.la_code, name: row.name, districts: [...row.districts].sort(compareDistricts) }));
}

/** Which locality each postcode district of the authority is in. */
export function localityByDistrict(localities: readonly Locality[]): Map<string, string> {
  return new Map(localities.flatMap((locality) => locality.districts.map((district) => [district, locality.name] as const)));
}

/** Replaces the authority's localities with checked ones, in one transaction. */
export async function replaceLocalities(db: Kysely<Schema>, laCode: string, localities: readonly Locality[], byLabel: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('directory_locality').where('la_code', '=', laCode).execute();
    // The search page offers every locality from the app server's index: tell it they changed.
    await moveRevisionOn(trx);
    if (localities.length === 0) return;
    await trx
      .insertInto('directory_locality')
      .values(localities.map((locality) => ({ la_code: laCode, name: locality.name, districts: locality.districts, updated_by_label: byLabel })))
      .execute();
  });
}
