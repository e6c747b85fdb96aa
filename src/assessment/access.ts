/**
 * Who may do what with an assessment. Reading and writing follow `assessments:read` and
 * `assessments:write` in the scope each role holds them: `organisation` reaches the organisation's
 * own assessments, `authority` every organisation in the authority (its settings and partners too),
 * `region` the region's authorities, `england` all. Signing off needs `assessments:sign-off` in
 * the same reach and, for a setting's own assessment, a role held in the setting. A moderator reaches an assessment only through an invitation (see moderation).
 */
import { grantReaches } from '../auth/grant-reach.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { Action } from '../auth/permissions.js';
import { scopeOf } from '../auth/permissions.js';

/** The organisation an assessment belongs to, as access rules need it. */
export interface AssessmentOwner {
  organisationId: string;
  laCode: string;
}

function reaches(viewer: Viewer, action: Action, owner: AssessmentOwner): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, action)) return false;
  return viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, action), owner));
}

export function mayReadAssessment(viewer: Viewer, owner: AssessmentOwner): boolean {
  return reaches(viewer, 'assessments:read', owner);
}

export function mayWriteAssessment(viewer: Viewer, owner: AssessmentOwner): boolean {
  return reaches(viewer, 'assessments:write', owner);
}

export function maySignOffAssessment(viewer: Viewer, owner: AssessmentOwner & { organisationKind?: string }): boolean {
  if (!reaches(viewer, 'assessments:sign-off', owner)) return false;
  // A setting's self-assessment is its own: its head teacher or manager signs it off, not the authority's director.
  if (owner.organisationKind !== 'setting') return true;
  return viewer.signedIn && viewer.memberships.some((membership) => membership.organisationId === owner.organisationId && scopeOf(membership.role, 'assessments:sign-off') !== undefined);
}

/**
 * The organisations the viewer may start or write assessments for: those of their memberships that
 * grant `assessments:write` (an authority-wide grant covers the authority itself; its settings and
 * partners are chosen on the start page from the authority's list).
 */
export function writableMemberships(viewer: Viewer) {
  if (!viewer.signedIn || !viewerMay(viewer, 'assessments:write')) return [];
  return viewer.memberships.filter((membership) => scopeOf(membership.role, 'assessments:write') !== undefined && membership.laCode !== null);
}
