import { localAuthoritiesIn, regionOf } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';

/** Whether the viewer may read an authority's aggregate figures (`aggregates:read` in a scope that reaches it). */
export function mayReadAggregates(viewer: Viewer, laCode: string): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, 'aggregates:read')) return false;
  return viewer.memberships.some((membership) => {
    const scope = scopeOf(membership.role, 'aggregates:read');
    if (scope === 'england') return true;
    if (scope === 'region') {
      const region = membership.areaCode ?? (membership.laCode === null ? undefined : regionOf(membership.laCode)?.code);
      return region !== undefined && localAuthoritiesIn(region).some((la) => la.gss === laCode);
    }
    return (scope === 'authority' || scope === 'organisation') && membership.laCode === laCode;
  });
}
