import { localAuthoritiesIn, regionOf } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { Action } from '../auth/permissions.js';
import { scopeOf } from '../auth/permissions.js';

/** Whether one of the viewer's roles grants the action in a scope that reaches the authority. */
function reaches(viewer: Viewer, action: Action, laCode: string): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, action)) return false;
  return viewer.memberships.some((membership) => {
    const scope = scopeOf(membership.role, action);
    if (scope === 'england') return true;
    if (scope === 'region') {
      const region = membership.areaCode ?? (membership.laCode === null ? undefined : regionOf(membership.laCode)?.code);
      return region !== undefined && localAuthoritiesIn(region).some((la) => la.gss === laCode);
    }
    return (scope === 'authority' || scope === 'organisation') && membership.laCode === laCode;
  });
}

/** Whether the viewer may read an authority's aggregate figures (`aggregates:read` in a scope that reaches it). */
export function mayReadAggregates(viewer: Viewer, laCode: string): boolean {
  return reaches(viewer, 'aggregates:read', laCode);
}

/** Whether the viewer may read an authority's turn-the-curve plans (`assessments:read`, which covers plans). */
export function mayReadPlans(viewer: Viewer, laCode: string): boolean {
  return reaches(viewer, 'assessments:read', laCode);
}

/** Whether the viewer may write an authority's turn-the-curve plans: only its own members with `plans:write`. */
export function mayWritePlans(viewer: Viewer, laCode: string): boolean {
  return reaches(viewer, 'plans:write', laCode);
}
