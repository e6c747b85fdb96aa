/**
 * Writing and reading services. A write replaces each given service whole (its row, its links to
 * locations) and adds or updates its locations and organisation, in the caller's transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { OrukService, ServiceFacts } from './service-record.js';
import { serviceFacts } from './service-record.js';

const chunk = 500;

function chunks<T>(items: readonly T[], size = chunk): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** Ids among these that already belong to another authority's directory, with that authority. */
export async function idsOwnedElsewhere(db: Kysely<Schema>, laCode: string, ids: readonly string[]): Promise<Map<string, string>> {
  const owned = new Map<string, string>();
  for (const part of chunks(ids, 1000)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('directory_service').select(['id', 'la_code']).where('id', 'in', part).where('la_code', '<>', laCode).execute();
    for (const row of rows) owned.set(row.id, row.la_code);
  }
  return owned;
}

/** Tells every app server's search index that the directory changed, when the transaction commits. */
export async function moveRevisionOn(trx: Transaction<Schema>): Promise<void> {
  await sql`update directory_revision set revision = revision + 1 where id = 1`.execute(trx);
}

/** Replaces or adds these (validated) services of the authority, in the given transaction. */
export async function writeServices(trx: Transaction<Schema>, laCode: string, records: readonly OrukService[], byLabel: string): Promise<ServiceFacts[]> {
  const facts = records.map((record) => serviceFacts(record, laCode));
  const now = new Date();
  for (const part of chunks(facts)) {
    await trx.deleteFrom('directory_service').where('la_code', '=', laCode).where('id', 'in', part.map((service) => service.id)).execute();
  }
  const organisations = new Map<string, string>();
  for (const service of facts) if (service.organisationId !== null && service.organisationName !== null) organisations.set(service.organisationId, service.organisationName);
  for (const part of chunks([...organisations])) {
    await trx
      .insertInto('directory_organisation')
      .values(part.map(([id, name]) => ({ la_code: laCode, id, name, updated_at: now })))
      .onConflict((conflict) => conflict.columns(['la_code', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), updated_at: now })))
      .execute();
  }
  const recordById = new Map(records.map((record) => [String(record.id), record]));
  for (const part of chunks(facts)) {
    await trx
      .insertInto('directory_service')
      .values(
        part.map((service) => ({
          la_code: laCode,
          id: service.id,
          organisation_id: service.organisationId,
          organisation_name: service.organisationName,
          name: service.name,
          description: service.description,
          status: service.status,
          minimum_age: service.minimumAge,
          maximum_age: service.maximumAge,
          tier: service.tier,
          strands: service.strands,
          groups: service.groups,
          statements: service.statements,
          referral_routes: service.referralRoutes,
          term_ids: service.termIds,
          free: service.free,
          authority_wide: service.authorityWide,
          record: JSON.stringify(recordById.get(service.id)),
          last_modified: service.lastModified ?? now,
          updated_by_label: byLabel,
        })),
      )
      .execute();
  }
  const locations = new Map(facts.flatMap((service) => service.locations.map((location) => [location.locationId, location] as const)));
  for (const part of chunks([...locations.values()])) {
    await trx
      .insertInto('directory_location')
      .values(part.map((location) => ({ la_code: laCode, id: location.locationId, name: location.name, address: location.address, postcode: location.postcode, district: location.district, latitude: location.latitude, longitude: location.longitude })))
      .onConflict((conflict) =>
        conflict.columns(['la_code', 'id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          address: eb.ref('excluded.address'),
          postcode: eb.ref('excluded.postcode'),
          district: eb.ref('excluded.district'),
          latitude: eb.ref('excluded.latitude'),
          longitude: eb.ref('excluded.longitude'),
        })),
      )
      .execute();
  }
  const links = new Map(facts.flatMap((service) => service.locations.map((location) => [location.serviceAtLocationId, { la_code: laCode, id: location.serviceAtLocationId, service_id: service.id, location_id: location.locationId }] as const)));
  for (const part of chunks([...links.values()])) await trx.insertInto('directory_service_at_location').values(part).execute();
  await moveRevisionOn(trx);
  // Locations no service is delivered at any more go with their last link.
  await sql`
    delete from directory_location l where l.la_code = ${laCode}
      and not exists (select 1 from directory_service_at_location sl where sl.la_code = l.la_code and sl.location_id = l.id)`.execute(trx);
  return facts;
}

/** The authority's services as records, in name order (`active` only, or every one). */
export async function readRecords(db: Kysely<Schema>, laCode: string | null, options: { activeOnly?: boolean } = {}): Promise<OrukService[]> {
  let query = db.selectFrom('directory_service').select('record').orderBy('name').orderBy('id');
  if (laCode !== null) query = query.where('la_code', '=', laCode);
  if (options.activeOnly === true) query = query.where('status', '=', 'active');
  return (await query.execute()).map((row) => row.record);
}

export interface StoredService {
  laCode: string;
  record: OrukService;
  facts: ServiceFacts;
  lastModified: Date;
}

/** One service by id, wherever it is (the read API), or within one authority (its staff). */
export async function readService(db: Kysely<Schema>, id: string, laCode?: string): Promise<StoredService | undefined> {
  let query = db.selectFrom('directory_service').select(['la_code', 'record', 'last_modified']).where('id', '=', id);
  if (laCode !== undefined) query = query.where('la_code', '=', laCode);
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : { laCode: row.la_code, record: row.record, facts: serviceFacts(row.record, row.la_code), lastModified: row.last_modified };
}

