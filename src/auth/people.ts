/**
 * Who takes part, as other capabilities may show it: the organisations of each authority that have
 * anyone with an active account, and people's names and addresses by id. Nothing here says what
 * anyone may do; that is the permission table's.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface TakingPartOrganisation {
  id: string;
  name: string;
  kind: 'local-authority' | 'setting' | 'partner';
}

export interface TakingPart {
  laCode: string;
  /** The council first, then settings and partners by name. */
  organisations: TakingPartOrganisation[];
  /** People with an active account in any of them. */
  people: number;
}

const kindOrder: Record<TakingPartOrganisation['kind'], number> = { 'local-authority': 0, setting: 1, partner: 2 };

/** Each authority where anyone takes part (the one asked for, or all): its organisations with an active account. */
export async function takingPart(db: Kysely<Schema>, laCode?: string): Promise<Map<string, TakingPart>> {
  let query = db
    .selectFrom('organisation as o')
    .innerJoin('membership as m', 'm.organisation_id', 'o.id')
    .innerJoin('user_account as u', 'u.id', 'm.user_id')
    .select(['o.la_code', 'o.id', 'o.name', 'o.kind', 'm.user_id'])
    .where('u.status', '=', 'active')
    .where('o.kind', 'in', ['local-authority', 'setting', 'partner'])
    .where('o.la_code', 'is not', null);
  if (laCode !== undefined) query = query.where('o.la_code', '=', laCode);
  const rows = await query.execute();
  const found = new Map<string, { organisations: Map<string, TakingPartOrganisation>; people: Set<string> }>();
  for (const row of rows) {
    const entry = found.get(row.la_code!) ?? { organisations: new Map(), people: new Set() };
    entry.organisations.set(row.id, { id: row.id, name: row.name, kind: row.kind as TakingPartOrganisation['kind'] });
    entry.people.add(row.user_id);
    found.set(row.la_code!, entry);
  }
  return new Map(
    [...found].map(([code, entry]) => [
      code,
      {
        laCode: code,
        organisations: [...entry.organisations.values()].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.name.localeCompare(b.name, 'en-GB')),
        people: entry.people.size,
      },
    ]),
  );
}

export interface PersonName {
  id: string;
  displayName: string;
  email: string;
}

/** Active accounts' names and addresses by id; ids of accounts not active are left out. */
export async function activePeople(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, PersonName>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('user_account').select(['id', 'display_name', 'email']).where('id', 'in', [...new Set(ids)]).where('status', '=', 'active').execute();
  return new Map(rows.map((row) => [row.id, { id: row.id, displayName: row.display_name, email: row.email }]));
}

/** Active accounts whose address or name matches exactly (case aside), for mentions and invitations. */
export async function activePeopleNamed(db: Kysely<Schema> | Transaction<Schema>, handles: readonly string[]): Promise<PersonName[]> {
  const wanted = [...new Set(handles.map((handle) => handle.trim().toLowerCase()).filter((handle) => handle.length > 0))];
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('user_account')
    .select(['id', 'display_name', 'email'])
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('email', 'in', wanted), eb(eb.fn('lower', ['display_name']), 'in', wanted)]))
    .execute();
  return rows.map((row) => ({ id: row.id, displayName: row.display_name, email: row.email }));
}
