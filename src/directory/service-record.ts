/**
 * A service as Open Referral UK carries it (a fully nested HSDS 3.0 service), and the facts the
 * directory reads from it. The record is kept whole; these facts are derived from it on every
 * write, so an export gives back exactly what was imported (and what the forms changed).
 */
import type { CoreOfferStrand } from './core-offer.js';
import { isCoreOfferStrand } from './core-offer.js';
import { normalisePostcode, postcodeDistrict } from './postcode.js';
import type { ServiceStatus, TierOfNeed } from './tables.js';
import type { TaxonomyName } from './taxonomies.js';
import { stableUuid, taxonomyByIdOrName, taxonomyNamed, termById, termOf } from './taxonomies.js';

/** A fully nested HSDS service: known fields are read through the helpers below, the rest is kept as it came. */
export type OrukService = Record<string, unknown>;

export const serviceStatuses: readonly ServiceStatus[] = ['active', 'inactive', 'defunct', 'temporarily closed'];

export interface LocationFacts {
  serviceAtLocationId: string;
  locationId: string;
  name: string;
  address: string;
  postcode: string | null;
  district: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface ServiceFacts {
  id: string;
  name: string;
  description: string;
  status: ServiceStatus;
  organisationId: string | null;
  organisationName: string | null;
  minimumAge: number | null;
  maximumAge: number | null;
  tier: TierOfNeed | null;
  strands: CoreOfferStrand[];
  groups: string[];
  statements: string[];
  referralRoutes: string[];
  termIds: string[];
  free: boolean;
  authorityWide: boolean;
  lastModified: Date | null;
  locations: LocationFacts[];
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const textOf = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
export const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The authority as a linked-data place: a service area naming it marks a service offered across the whole authority. */
export function authorityAreaUri(laCode: string): string {
  return `http://statistics.data.gov.uk/id/statistical-geography/${laCode}`;
}

export interface OurAttribute {
  index: number;
  taxonomy: TaxonomyName;
  code: string | null;
}

/**
 * The attributes that link the service to one of our taxonomies: by the term's taxonomy (its
 * `taxonomy_detail.name`, `taxonomy` or `taxonomy_id`) or, failing that, by a term id we issued.
 * `code` is null when the term names none.
 */
export function ourAttributes(record: OrukService): OurAttribute[] {
  const found: OurAttribute[] = [];
  arrayOf(record.attributes).forEach((attribute, index) => {
    if (!isObject(attribute)) return;
    const term = isObject(attribute.taxonomy_term) ? attribute.taxonomy_term : {};
    const detail = isObject(term.taxonomy_detail) ? term.taxonomy_detail : {};
    const named = [textOf(detail.name), textOf(term.taxonomy), textOf(term.taxonomy_id), textOf(detail.id)].map((value) => (value === null ? undefined : taxonomyByIdOrName(value))).find((entry) => entry !== undefined);
    const byId = [textOf(attribute.taxonomy_term_id), textOf(term.id)].map((value) => (value === null ? undefined : termById(value))).find((entry) => entry !== undefined);
    const taxonomy = named ?? byId?.taxonomy;
    if (taxonomy === undefined) return;
    const code = textOf(term.code) ?? (byId !== undefined && byId.taxonomy.name === taxonomy.name ? byId.term.code : null);
    found.push({ index, taxonomy: taxonomy.name, code });
  });
  return found;
}

/** An HSDS attribute linking a service to one of our terms, with the term and its taxonomy nested. */
export function attributeFor(serviceId: string, taxonomyName: TaxonomyName, code: string): Record<string, unknown> {
  const taxonomy = taxonomyNamed(taxonomyName);
  const term = termOf(taxonomyName, code);
  if (term === undefined) throw new Error(`${code} is not a term of ${taxonomyName}`);
  return {
    id: stableUuid(`attribute/${serviceId}/${term.id}`),
    link_id: serviceId,
    link_type: 'service',
    link_entity: 'service',
    taxonomy_term_id: term.id,
    taxonomy_term: {
      id: term.id,
      code: term.code,
      name: term.name,
      ...(term.description === null ? {} : { description: term.description }),
      taxonomy: taxonomy.name,
      taxonomy_id: taxonomy.id,
      taxonomy_detail: { id: taxonomy.id, name: taxonomy.name, description: taxonomy.description, uri: taxonomy.uri, version: taxonomy.version },
    },
  };
}

export interface OurTerms {
  strands: readonly string[];
  groups: readonly string[];
  tier: string | null;
  statements: readonly string[];
  referralRoutes: readonly string[];
}

/** The record with its links to our taxonomies replaced by these (links to other taxonomies kept, in place). */
export function withOurTerms(record: OrukService, terms: OurTerms): OrukService {
  const id = String(record.id);
  const ours = new Set(ourAttributes(record).map((attribute) => attribute.index));
  const kept = arrayOf(record.attributes).filter((_attribute, index) => !ours.has(index));
  const added = [
    ...terms.strands.map((code) => attributeFor(id, 'ntg-core-offer', code)),
    ...terms.groups.map((code) => attributeFor(id, 'ntg-framework-groups', code)),
    ...(terms.tier === null ? [] : [attributeFor(id, 'ntg-tier-of-need', terms.tier)]),
    ...terms.statements.map((code) => attributeFor(id, 'ntg-framework-statements', code)),
    ...terms.referralRoutes.map((code) => attributeFor(id, 'ntg-referral-route', code)),
  ];
  return { ...record, attributes: [...kept, ...added] };
}

/** A location's address on one line, and its postcode (in standard form when it is one). */
export function addressOf(location: Record<string, unknown>): { address: string; postcode: string | null } {
  const address = arrayOf(location.addresses).find(isObject) ?? {};
  const parts = [address.address_1, address.address_2, address.city].map(textOf).filter((part): part is string => part !== null);
  const given = textOf(address.postal_code);
  return { address: parts.join(', '), postcode: given === null ? null : (normalisePostcode(given) ?? given) };
}

/** The facts the directory searches and counts, read from a record that has passed validation. */
export function serviceFacts(record: OrukService, laCode: string): ServiceFacts {
  const attributes = ourAttributes(record);
  const codes = (taxonomy: TaxonomyName) => [...new Set(attributes.filter((attribute) => attribute.taxonomy === taxonomy && attribute.code !== null).map((attribute) => attribute.code!))];
  const organisation = isObject(record.organization) ? record.organization : null;
  const locations: LocationFacts[] = arrayOf(record.service_at_locations)
    .filter(isObject)
    .flatMap((link) => {
      const location = isObject(link.location) ? link.location : null;
      if (location === null) return [];
      const { address, postcode } = addressOf(location);
      const locationId = textOf(location.id) ?? textOf(link.location_id) ?? stableUuid(`location/${String(record.id)}/${String(link.id)}`);
      return [
        {
          serviceAtLocationId: textOf(link.id) ?? stableUuid(`service-at-location/${String(record.id)}/${locationId}`),
          locationId,
          name: textOf(location.name) ?? '',
          address,
          postcode,
          district: postcode === null ? null : postcodeDistrict(postcode),
          latitude: numberOf(location.latitude),
          longitude: numberOf(location.longitude),
        },
      ];
    });
  const costs = arrayOf(record.cost_options).filter(isObject);
  const areaUri = authorityAreaUri(laCode);
  const wholeAuthority = arrayOf(record.service_areas).some((area) => isObject(area) && area.uri === areaUri);
  const modified = textOf(record.last_modified);
  const tier = codes('ntg-tier-of-need')[0];
  return {
    id: String(record.id),
    name: String(record.name).trim(),
    description: textOf(record.description) ?? '',
    status: record.status as ServiceStatus,
    organisationId: organisation === null ? textOf(record.organization_id) : textOf(organisation.id),
    organisationName: organisation === null ? null : textOf(organisation.name),
    minimumAge: numberOf(record.minimum_age),
    maximumAge: numberOf(record.maximum_age),
    tier: tier === undefined ? null : (tier as TierOfNeed),
    strands: codes('ntg-core-offer').filter(isCoreOfferStrand),
    groups: codes('ntg-framework-groups'),
    statements: codes('ntg-framework-statements'),
    referralRoutes: codes('ntg-referral-route'),
    termIds: attributes.flatMap((attribute) => (attribute.code === null ? [] : [termOf(attribute.taxonomy, attribute.code)?.id ?? []].flat())),
    free: !costs.some((cost) => (numberOf(cost.amount) ?? 0) > 0),
    authorityWide: wholeAuthority || !locations.some((location) => location.postcode !== null),
    lastModified: modified === null || Number.isNaN(Date.parse(modified)) ? null : new Date(modified),
    locations,
  };
}
