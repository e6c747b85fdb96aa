/**
 * Who may do what with an authority's surveys: build and publish them (`surveys:write`), read their
 * free-text answers and approve quotations (`surveys:read-answers`), read their results
 * (`aggregates:read`). Each in a scope that reaches the survey's authority; otherwise the survey
 * is not there for them (404, never 403).
 */
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { grantReaches } from '../auth/grant-reach.js';
import type { Action } from '../auth/permissions.js';
import { scopeOf } from '../auth/permissions.js';

function reaches(viewer: Viewer, action: Action, laCode: string): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, action)) return false;
  return viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, action), { laCode }));
}

export const mayWriteSurveys = (viewer: Viewer, laCode: string) => reaches(viewer, 'surveys:write', laCode);
export const mayReadAnswers = (viewer: Viewer, laCode: string) => reaches(viewer, 'surveys:read-answers', laCode);
export const mayReadResults = (viewer: Viewer, laCode: string) => reaches(viewer, 'aggregates:read', laCode);

/** The authorities whose surveys the viewer builds: those of the roles granting `surveys:write`. */
export function surveyAuthorities(viewer: Viewer): string[] {
  if (!viewer.signedIn || !viewerMay(viewer, 'surveys:write')) return [];
  return [...new Set(viewer.memberships.flatMap((membership) => (membership.laCode !== null && scopeOf(membership.role, 'surveys:write') !== undefined ? [membership.laCode] : [])))];
}

/** Who did something, as the survey's record shows it. */
export function labelOf(viewer: Viewer): string {
  return viewer.signedIn ? viewer.displayName || viewer.email : 'someone signed out';
}
