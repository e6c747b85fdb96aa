import { localAuthoritiesIn, regionOf } from '../areas/areas.js';
import type { Scope } from './permissions.js';
import type { Membership } from './sessions.js';

/**
 * Whether a role held in one organisation, granting an action in `scope`, reaches something that
 * belongs to an authority (and, when given, to one organisation in it): `england` everything;
 * `region` the authorities of the region the role is held in; `authority` everything of the
 * authority the organisation belongs to; `organisation` only the organisation's own things (for
 * something of the authority as a whole, only a role held in the authority itself).
 */
export function grantReaches(membership: Membership, scope: Scope | undefined, target: { laCode: string; organisationId?: string }): boolean {
  if (scope === 'england') return true;
  if (scope === 'region') {
    // Held in a region: that region. Held in an authority or one of its settings (a practitioner's emergency access): the authority's region.
    const region = membership.organisationKind === 'region' ? (membership.areaCode ?? undefined) : membership.laCode === null ? undefined : regionOf(membership.laCode)?.code;
    return region !== undefined && localAuthoritiesIn(region).some((la) => la.gss === target.laCode);
  }
  if (scope === 'authority') return membership.laCode === target.laCode;
  if (scope === 'organisation') {
    return target.organisationId === undefined ? membership.organisationKind === 'local-authority' && membership.laCode === target.laCode : membership.organisationId === target.organisationId;
  }
  return false;
}
