/**
 * Who may change which authority's directory (its services and its localities): a member whose role
 * grants `directory:write` for a whole authority, for that authority only.
 */
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { grantReaches } from '../auth/grant-reach.js';
import { scopeOf } from '../auth/permissions.js';

export function mayEditDirectory(viewer: Viewer, laCode: string): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, 'directory:write')) return false;
  return viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, 'directory:write'), { laCode }));
}

/** The authority whose directory the manager's pages show: the first the viewer may edit, if any. */
export function managedAuthority(viewer: Viewer): string | undefined {
  if (!viewer.signedIn) return undefined;
  return viewer.memberships.map((membership) => membership.laCode).find((laCode): laCode is string => laCode !== null && mayEditDirectory(viewer, laCode));
}
