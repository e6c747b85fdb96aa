/**
 * A service as a person gives it (a form, a CSV row), made into an Open Referral UK record. Given
 * the record it changes, only what the person changed is rewritten: a field that reads the same as
 * before keeps its detail (a structured schedule, a cost option's dates), and fields the directory
 * does not use are kept.
 */
import { randomUUID } from 'node:crypto';
import { costText, openingText, phoneText } from './record-text.js';
import { addressOf, arrayOf, authorityAreaUri, isObject, textOf, withOurTerms } from './service-record.js';
import type { OrukService } from './service-record.js';
import type { ServiceStatus } from './tables.js';
import { stableUuid } from './taxonomies.js';

export interface LocationInput {
  id?: string;
  name: string;
  address: string;
  postcode: string;
}

export interface ServiceInput {
  id?: string;
  name: string;
  description: string;
  status: ServiceStatus;
  organisationName: string;
  organisationId?: string;
  strands: string[];
  groups: string[];
  tier: string | null;
  statements: string[];
  referralRoutes: string[];
  minimumAge: number | null;
  maximumAge: number | null;
  /** "Free", empty (free), or the cost in words, e.g. "£3 per session". */
  cost: string;
  openingTimes: string;
  phone: string;
  email: string;
  website: string;
  locations: LocationInput[];
  authorityWide: boolean;
}

const setOrDrop = (record: OrukService, field: string, value: unknown) => {
  if (value === null || value === '' || value === undefined) delete record[field];
  else record[field] = value;
};

/** An amount in pounds read from words ("£3.50 per session" gives 3.5), or null. */
export function amountIn(text: string): number | null {
  const match = /£\s*(\d+(?:\.\d{1,2})?)/.exec(text);
  return match === null ? null : Number(match[1]);
}

/** The organisation id for a name within an authority, stable so that one organisation's services share it. */
export function organisationIdFor(laCode: string, name: string): string {
  return stableUuid(`organisation/${laCode}/${name.trim().toLowerCase()}`);
}

export function recordFromInput(input: ServiceInput, laCode: string, base: OrukService = {}, now = new Date()): OrukService {
  const id = input.id ?? textOf(base.id) ?? randomUUID();
  const record: OrukService = { ...base, id };
  record.name = input.name.trim();
  setOrDrop(record, 'description', input.description.trim());
  record.status = input.status;
  setOrDrop(record, 'url', input.website.trim());
  setOrDrop(record, 'email', input.email.trim());
  setOrDrop(record, 'minimum_age', input.minimumAge);
  setOrDrop(record, 'maximum_age', input.maximumAge);
  const baseOrganisation = isObject(base.organization) ? base.organization : {};
  const organisationName = input.organisationName.trim();
  if (organisationName === '') delete record.organization;
  else {
    const sameName = textOf(baseOrganisation.name) === organisationName;
    const organisationId = input.organisationId ?? (sameName ? textOf(baseOrganisation.id) : null) ?? organisationIdFor(laCode, organisationName);
    record.organization = { ...(sameName ? baseOrganisation : {}), id: organisationId, name: organisationName };
    record.organization_id = organisationId;
  }
  if (costText(base) !== (input.cost.trim() || 'Free') || base.cost_options === undefined) {
    const cost = input.cost.trim();
    if (cost === '' || cost.toLowerCase() === 'free') record.cost_options = [];
    else record.cost_options = [{ id: stableUuid(`cost/${id}/${cost}`), option: cost, ...(amountIn(cost) === null ? {} : { amount: amountIn(cost), currency: 'GBP' }) }];
    delete record.fees_description;
  }
  if (openingText(base) !== input.openingTimes.trim()) {
    record.schedules = input.openingTimes.trim() === '' ? [] : [{ id: stableUuid(`schedule/${id}/${input.openingTimes.trim()}`), description: input.openingTimes.trim() }];
  }
  if (phoneText(base) !== input.phone.trim()) {
    record.phones = input.phone
      .split(',')
      .map((number) => number.trim())
      .filter((number) => number !== '')
      .map((number) => ({ id: stableUuid(`phone/${id}/${number}`), number }));
  }
  const baseLinks = arrayOf(base.service_at_locations).filter(isObject);
  record.service_at_locations = input.locations
    .filter((location) => location.name.trim() !== '' || location.address.trim() !== '' || location.postcode.trim() !== '')
    .map((location) => {
      const baseLink = baseLinks.find((link) => isObject(link.location) && location.id !== undefined && link.location.id === location.id);
      const baseLocation = baseLink !== undefined && isObject(baseLink.location) ? baseLink.location : {};
      const locationId = location.id ?? stableUuid(`location/${laCode}/${location.name.trim().toLowerCase()}/${location.postcode.replace(/\s+/g, '').toUpperCase()}`);
      const before = addressOf(baseLocation);
      const sameAddress = before.address === location.address.trim() && (before.postcode ?? '') === location.postcode.trim();
      const baseAddresses = arrayOf(baseLocation.addresses);
      return {
        ...(baseLink ?? {}),
        id: textOf(baseLink?.id) ?? stableUuid(`service-at-location/${id}/${locationId}`),
        service_id: id,
        location_id: locationId,
        location: {
          ...baseLocation,
          id: locationId,
          location_type: textOf(baseLocation.location_type) ?? 'physical',
          name: location.name.trim(),
          addresses: sameAddress && baseAddresses.length > 0 ? baseAddresses : [{ id: stableUuid(`address/${locationId}`), location_id: locationId, address_1: location.address.trim(), city: '', state_province: '', postal_code: location.postcode.trim(), country: 'GB', address_type: 'physical' }],
          ...(sameAddress ? {} : { latitude: undefined, longitude: undefined }),
        },
      };
    });
  // A moved address loses coordinates it came with: the postcode table gives the new place's.
  for (const link of record.service_at_locations as Record<string, Record<string, unknown>>[]) {
    for (const field of ['latitude', 'longitude']) if (link.location![field] === undefined) delete link.location![field];
  }
  const areaUri = authorityAreaUri(laCode);
  const otherAreas = arrayOf(base.service_areas).filter((area) => !(isObject(area) && area.uri === areaUri));
  const wholeArea = arrayOf(base.service_areas).find((area) => isObject(area) && area.uri === areaUri) ?? { id: stableUuid(`service-area/${id}/${laCode}`), name: 'The whole authority', uri: areaUri };
  record.service_areas = input.authorityWide ? [...otherAreas, wholeArea] : otherAreas;
  record.last_modified = now.toISOString();
  return withOurTerms(record, { strands: input.strands, groups: input.groups, tier: input.tier, statements: input.statements, referralRoutes: input.referralRoutes });
}
