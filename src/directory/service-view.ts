/** A service as the pages and our own API show it: plain-English labels, never internal ids. */
import { localAuthorityByGss } from '../areas/areas.js';
import { coreOfferStrandLabel } from './core-offer.js';
import { costText, openingText, phoneText } from './record-text.js';
import { serviceFacts, textOf } from './service-record.js';
import type { OrukService } from './service-record.js';
import { referralRoutes, termOf, tiersOfNeed } from './taxonomies.js';

export interface ServiceView {
  id: string;
  laCode: string;
  authorityName: string;
  name: string;
  organisation: string | null;
  description: string;
  status: string;
  strands: { id: string; label: string }[];
  strandsText: string;
  groups: { id: string; label: string }[];
  tier: { id: string; label: string } | null;
  minimumAge: number | null;
  maximumAge: number | null;
  ages: string;
  forWhom: string;
  cost: string;
  free: boolean;
  openingTimes: string;
  phone: string;
  email: string | null;
  website: string | null;
  referralRoutes: { id: string; label: string }[];
  howToGetIn: string;
  statements: { id: string; label: string }[];
  locations: { id: string; name: string; address: string; postcode: string | null }[];
  authorityWide: boolean;
  distanceMetres: number | null;
  distanceText: string | null;
}

export function agesText(minimum: number | null, maximum: number | null): string {
  if (minimum === null && maximum === null) return 'Any age';
  if (minimum === null) return `Up to ${maximum} years`;
  if (maximum === null) return `${minimum} years and over`;
  return `${minimum} to ${maximum} years`;
}

export function milesText(metres: number): string {
  const miles = metres / 1609.344;
  return miles < 0.1 ? 'less than 0.1 miles' : `${miles.toFixed(1)} miles`;
}

/** Views already worked out, by the record they were made from (a record kept by the search is the same object each time). */
const viewsByRecord = new WeakMap<OrukService, ServiceView>();

/**
 * The service as pages show it, at a distance when one is given. Working a record's facts out takes
 * a fraction of a millisecond, twenty times a search page: the view of a record the search kept is
 * worked out once and reused, only the distance changing.
 */
export function serviceView(record: OrukService, laCode: string, distanceMetres: number | null = null): ServiceView {
  let view = viewsByRecord.get(record);
  if (view === undefined || view.laCode !== laCode) {
    view = viewOf(record, laCode);
    viewsByRecord.set(record, view);
  }
  return distanceMetres === null ? view : { ...view, distanceMetres, distanceText: milesText(distanceMetres) };
}

function viewOf(record: OrukService, laCode: string): ServiceView {
  const distanceMetres = null;
  const facts = serviceFacts(record, laCode);
  const groups = facts.groups.map((id) => ({ id, label: termOf('ntg-framework-groups', id)?.name ?? id }));
  const routes = facts.referralRoutes.map((id) => ({ id, label: referralRoutes.find((route) => route.id === id)?.label ?? id }));
  const tier = facts.tier === null ? null : { id: facts.tier, label: tiersOfNeed.find((entry) => entry.id === facts.tier)!.label };
  const ages = agesText(facts.minimumAge, facts.maximumAge);
  return {
    id: facts.id,
    laCode,
    authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
    name: facts.name,
    organisation: facts.organisationName,
    description: facts.description,
    status: facts.status,
    strands: facts.strands.map((id) => ({ id, label: coreOfferStrandLabel(id) })),
    strandsText: facts.strands.length === 0 ? 'Not said' : facts.strands.map((id) => coreOfferStrandLabel(id)).join('; '),
    groups,
    tier,
    minimumAge: facts.minimumAge,
    maximumAge: facts.maximumAge,
    ages,
    forWhom: [ages, groups.length === 0 ? 'all children and families' : groups.map((group) => group.label).join('; ')].join(', '),
    cost: costText(record),
    free: facts.free,
    openingTimes: openingText(record),
    phone: phoneText(record),
    email: textOf(record.email),
    website: textOf(record.url),
    referralRoutes: routes,
    howToGetIn: routes.length === 0 ? 'Contact the service' : routes.map((route) => route.label).join('; '),
    statements: facts.statements.map((id) => ({ id, label: termOf('ntg-framework-statements', id)?.name ?? id })),
    locations: facts.locations.map((location) => ({ id: location.locationId, name: location.name, address: location.address, postcode: location.postcode })),
    authorityWide: facts.authorityWide,
    distanceMetres,
    distanceText: null,
  };
}
