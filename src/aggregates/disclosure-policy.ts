import type { Viewer } from '../auth/gate.js';
import { childRecordReach } from '../tracking/reach.js';

/** What a figure is about: an authority (all of it), or one setting in it. */
export interface FigureScope {
  laCode: string;
  settingUrn?: number | undefined;
}

/**
 * Whether the viewer sees the small numbers behind a figure, or gets them suppressed. Only someone
 * who may read the child-level records the figure is built from sees them: the authority's own
 * analysts and practitioners for the authority and its settings, a head teacher for their own
 * setting. Everyone else (regional advisers, the national team, leaders, other authorities) sees
 * aggregates with small numbers suppressed. An area wider than one authority is always suppressed
 * for signed-in viewers; the operator's command line decides for itself (`--suppress`).
 */
export function seesSmallNumbers(viewer: Viewer, scope: FigureScope | 'wider-area'): boolean {
  if (scope === 'wider-area') return false;
  const reach = childRecordReach(viewer).find((entry) => entry.laCode === scope.laCode);
  if (reach === undefined) return false;
  if (reach.settingUrns === 'all') return true;
  return scope.settingUrn !== undefined && reach.settingUrns.includes(scope.settingUrn);
}
