import { allLocalAuthorities, currentAuthoritiesFor } from '../areas/areas.js';
import { grantReaches } from '../auth/grant-reach.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { Action } from '../auth/permissions.js';
import { scopeOf } from '../auth/permissions.js';

/** Whether one of the viewer's roles grants the action in a scope that reaches the authority. */
function reaches(viewer: Viewer, action: Action, laCode: string): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, action)) return false;
  return viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, action), { laCode }));
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

/** An authority as a picker or a list shows it. */
export interface AuthorityInReach {
  code: string;
  name: string;
  /** Child-level data has been loaded for it, so it has figures to show. */
  hasData: boolean;
}

/** The authorities the viewer's own roles are held in (their authority, or a setting's). */
function ownAuthorities(viewer: Viewer): Set<string> {
  return new Set(viewer.signedIn ? viewer.memberships.flatMap((membership) => (membership.laCode === null ? [] : [membership.laCode])) : []);
}

/**
 * Every current authority whose aggregate figures the viewer may read: their own first, then those
 * with data, then the rest, each part in alphabetical order. Those with data are the ones named in
 * `withData` (from the import history), so an authority without data is listed and can say so.
 */
export function authoritiesInReach(viewer: Viewer, withData: ReadonlySet<string>): AuthorityInReach[] {
  if (!viewer.signedIn || !viewerMay(viewer, 'aggregates:read')) return [];
  const own = ownAuthorities(viewer);
  const place = (la: AuthorityInReach) => (own.has(la.code) ? 0 : la.hasData ? 1 : 2);
  return allLocalAuthorities()
    .filter((la) => mayReadAggregates(viewer, la.gss))
    .map((la) => ({ code: la.gss, name: la.name, hasData: withData.has(la.gss) }))
    .sort((a, b) => place(a) - place(b) || a.name.localeCompare(b.name, 'en-GB'));
}

/** Why an authority named in an address cannot be shown: it is not one, or it is not the viewer's to see. */
export interface AuthorityRefusal {
  statusCode: 403 | 404;
  title: string;
  message: string;
}

/**
 * The authority an address names (`la=` or `/areas/{code}/`), checked against the viewer's reach:
 * its GSS code, or a refusal in words. A code is a GSS code or DfE number of a current authority (an
 * old code that now means one authority means that one); anything else is "not found", and one the
 * viewer may not see is "forbidden". Never another authority in its place.
 */
export function authorityNamed(viewer: Viewer, asked: string, may: (viewer: Viewer, laCode: string) => boolean = mayReadAggregates): { laCode: string } | AuthorityRefusal {
  const code = asked.trim();
  const found = code === '' ? undefined : currentAuthoritiesFor(code);
  if (found === undefined || found.ambiguous || found.authorities.length !== 1) {
    const shown = code === '' ? 'An empty code' : `“${code.slice(0, 40)}”`;
    return {
      statusCode: 404,
      title: 'No such authority',
      message: found?.ambiguous
        ? `${shown} belonged to an authority that has since been split into ${found.authorities.map((la) => la.name).join(' and ')}: choose one of them.`
        : `${shown} is not the code of a current local authority in England. Use the authority’s GSS code, such as E08000035 for Leeds, or choose it from the list.`,
    };
  }
  const authority = found.authorities[0]!;
  if (!may(viewer, authority.gss)) {
    return { statusCode: 403, title: 'You cannot see this authority', message: `${authority.name} (${authority.gss}) is outside the authorities you may see, so nothing about it is shown. Choose one of your own authorities instead.` };
  }
  return { laCode: authority.gss };
}

export function isAuthorityRefusal<T extends object>(answer: T | AuthorityRefusal): answer is AuthorityRefusal {
  return 'statusCode' in answer;
}
