import { allLocalAuthorities, localAuthoritiesIn } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';

/** One authority whose child records the viewer may read: all of them, or only some settings' pupils. */
export interface ChildReach {
  laCode: string;
  settingUrns: number[] | 'all';
}

/**
 * Where the viewer may read child-level records, from the permission table: a grant in
 * `organisation` scope held in a setting reaches that setting's pupils; `authority` the whole
 * authority; `region` and `england` every authority in them. Empty for everyone else.
 */
export function childRecordReach(viewer: Viewer): ChildReach[] {
  if (!viewer.signedIn || !viewerMay(viewer, 'child-records:read')) return [];
  const reach = new Map<string, number[] | 'all'>();
  const addAll = (laCode: string | null) => laCode !== null && reach.set(laCode, 'all');
  const addSetting = (laCode: string | null, urn: string | null) => {
    if (laCode === null || urn === null || !/^\d{6}$/.test(urn)) return;
    const existing = reach.get(laCode);
    if (existing === 'all') return;
    reach.set(laCode, [...new Set([...(existing ?? []), Number(urn)])]);
  };
  for (const membership of viewer.memberships) {
    const scope = scopeOf(membership.role, 'child-records:read');
    if (scope === 'organisation') {
      if (membership.organisationKind === 'setting') addSetting(membership.laCode, membership.urn);
      else if (membership.organisationKind === 'local-authority') addAll(membership.laCode);
    } else if (scope === 'authority') addAll(membership.laCode);
    else if (scope === 'region' && membership.areaCode !== null) {
      for (const la of localAuthoritiesIn(membership.areaCode)) addAll(la.gss);
    } else if (scope === 'england') for (const la of allLocalAuthorities()) addAll(la.gss);
  }
  return [...reach].map(([laCode, settingUrns]) => ({ laCode, settingUrns }));
}

/** The part of the reach inside one authority, or undefined when the authority is out of reach. */
export function reachIn(reach: readonly ChildReach[], laCode: string): ChildReach | undefined {
  return reach.find((entry) => entry.laCode === laCode);
}

/** The settings a reach is limited to, or undefined for a whole authority (as the register and the counts take them). */
export function reachedSettings(reach: ChildReach): readonly number[] | undefined {
  return reach.settingUrns === 'all' ? undefined : reach.settingUrns;
}
