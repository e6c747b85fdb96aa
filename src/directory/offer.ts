/**
 * The local offer as coverage counts it: each active service of an authority, with the core-offer
 * strands it delivers, the postcode districts it is delivered in, and whom it is for. Coverage
 * against need (which localities lack which strand) is built on this.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { CoreOfferStrand } from './core-offer.js';
import { isCoreOfferStrand } from './core-offer.js';
import { compareDistricts } from './localities.js';

export interface ServiceReach {
  id: string; // the service id
  name: string;
  strands: CoreOfferStrand[]; // from core-offer.ts
  districts: string[]; // normalised postcode districts of its active locations (may be empty)
  authorityWide: boolean; // no physical location, or offered across the whole authority
  minimumAge: number | null;
  maximumAge: number | null;
  groups: string[]; // framework group ids it is for; empty = everyone
  tier: 'universal' | 'targeted' | 'specialist' | null;
}

const ageOf = (value: string | null) => (value === null ? null : Number(value));

/** The authority's active (not withdrawn) services as coverage counts them. */
export async function offerReach(db: Kysely<Schema>, laCode: string): Promise<ServiceReach[]> {
  const services = await db
    .selectFrom('directory_service')
    .select(['id', 'name', 'strands', 'authority_wide', 'minimum_age', 'maximum_age', 'groups', 'tier'])
    .where('la_code', '=', laCode)
    .where('status', '=', 'active')
    .orderBy('name')
    .orderBy('id')
    .execute();
  const places = await db
    .selectFrom('directory_service_at_location as link')
    .innerJoin('directory_location as location', (join) => join.onRef('location.la_code', '=', 'link.la_code').onRef('location.id', '=', 'link.location_id'))
    .innerJoin('directory_service as service', (join) => join.onRef('service.la_code', '=', 'link.la_code').onRef('service.id', '=', 'link.service_id'))
    .select(['link.service_id', 'location.district'])
    .where('link.la_code', '=', laCode)
    .where('service.status', '=', 'active')
    .where('location.district', 'is not', null)
    .execute();
  const districtsOf = new Map<string, Set<string>>();
  for (const place of places) {
    const set = districtsOf.get(place.service_id) ?? new Set<string>();
    set.add(place.district!);
    districtsOf.set(place.service_id, set);
  }
  return services.map((service) => ({
    id: service.id,
    name: service.name,
    strands: service.strands.filter(isCoreOfferStrand),
    districts: [...(districtsOf.get(service.id) ?? [])].sort(compareDistricts),
    authorityWide: service.authority_wide,
    minimumAge: ageOf(service.minimum_age),
    maximumAge: ageOf(service.maximum_age),
    groups: [...service.groups],
    tier: service.tier,
  }));
}
