import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { settingRegister } from '../auth/organisations.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { latestProfileYear, settingProfiles } from '../aggregates/setting-profiles.js';
import type { Schema } from '../db/schema.js';
import { findItems, loadCatalogue } from '../framework/catalogue.js';
import { cellKeysFor } from '../gaps/cell-keys.js';
import { releaseCount } from '../stats/index.js';
import type { OfferCoverage, ReleaseCount } from './coverage.js';
import { coverageOfOffer } from './coverage.js';
import { localitiesOf } from './localities.js';
import { offerReach } from './offer.js';

export interface AuthorityCoverage {
  laCode: string;
  /** The academic year the children are counted in (its start), or null when no child-level data is loaded. */
  year: number | null;
  /** Whether counts are released (small ones withheld, the rest moved a little and rounded to 5). */
  released: boolean;
  coverage: OfferCoverage;
}

const frameworkGroups = findItems(loadCatalogue(), { kind: 'group' }).map((group) => ({ id: group.id, label: group.name }));

/** Whether a viewer sees the authority's coverage with exact counts: only someone who may read its children's records. */
export function seesExactCoverage(viewer: Viewer, laCode: string): boolean {
  return seesSmallNumbers(viewer, { laCode });
}

/**
 * The authority's coverage of the core offer, with exact counts (for someone who may read its
 * children's records, or the operator) or released ones (keyed, so the same children always give
 * the same figure).
 */
export async function authorityCoverage(db: Kysely<Schema>, laCode: string, counts: 'exact' | 'released'): Promise<AuthorityCoverage> {
  const year = await latestProfileYear(db, laCode);
  const [localities, register, services, needs] = await Promise.all([
    localitiesOf(db, laCode),
    settingRegister(db, laCode),
    offerReach(db, laCode),
    year === null ? Promise.resolve({ profiles: [], groupCounts: [] }) : settingProfiles(db, laCode, year),
  ]);
  const released = counts === 'released';
  let release: ReleaseCount = (count) => count;
  if (released) {
    const keys = await cellKeysFor(db);
    release = (count, ...parts) => releaseCount(count, { key: keys.named('offer-coverage', laCode, year ?? 0, ...parts) });
  }
  const coverage = coverageOfOffer({
    localities,
    settings: register.settings.map((setting) => ({ urn: setting.urn, locality: setting.locality })),
    needs: needs.profiles,
    groupNeeds: needs.groupCounts,
    services,
    groups: frameworkGroups,
    release,
  });
  return { laCode, year, released, coverage };
}
