import type { Migration } from 'kysely/migration';
import * as instance from './0001-instance.js';
import * as frameworkCatalogue from './0002-framework-catalogue.js';
import * as accountsAndAudit from './0003-accounts-and-audit.js';
import * as rowLevelSecurity from './0004-row-level-security.js';
import * as settings from './0005-settings.js';
import * as childRecords from './0006-child-records.js';
import * as publishedStatistics from './0007-published-statistics.js';
import * as turnTheCurvePlans from './0008-turn-the-curve-plans.js';
import * as consentedAccess from './0009-consented-access.js';
import * as auditProtection from './0010-audit-protection.js';
import * as statisticsOwners from './0011-statistics-owners.js';
import * as smallHoles from './0012-small-holes.js';
import * as disclosureKey from './0013-disclosure-key.js';
import * as statisticsTextValues from './0016-statistics-text-values.js';
import * as selfAssessment from './0017-self-assessment.js';
import * as amendmentPlaces from './0019-amendment-places.js';
import * as practice from './0020-practice.js';
import * as contributorRegistration from './0021-contributor-registration.js';
import * as improvementPlans from './0022-improvement-plans.js';
import * as practiceSearch from './0023-practice-search.js';
import * as gapFigures from './0024-gap-figures.js';
import * as everyChildSeen from './0025-every-child-seen.js';
import * as priorAttainmentAndLocalities from './0026-prior-attainment-and-localities.js';
import * as network from './0027-network.js';
import * as networkPostChanges from './0028-network-post-changes.js';
import * as localities from './0029-localities.js';
import * as directory from './0030-directory.js';
import * as voices from './0031-voices.js';
import * as settingProfiles from './0032-setting-profiles.js';

/**
 * Every migration, in the order they apply. Forward-only: a released migration is never edited;
 * a change is a new entry. Names sort in order (`NNNN-name`), which Kysely checks.
 */
export const migrations: Record<string, Migration> = {
  '0001-instance': instance,
  '0002-framework-catalogue': frameworkCatalogue,
  '0003-accounts-and-audit': accountsAndAudit,
  '0004-row-level-security': rowLevelSecurity,
  '0005-settings': settings,
  '0006-child-records': childRecords,
  '0007-published-statistics': publishedStatistics,
  '0008-turn-the-curve-plans': turnTheCurvePlans,
  '0009-consented-access': consentedAccess,
  '0010-audit-protection': auditProtection,
  '0011-statistics-owners': statisticsOwners,
  '0012-small-holes': smallHoles,
  '0013-disclosure-key': disclosureKey,
  '0016-statistics-text-values': statisticsTextValues,
  '0017-self-assessment': selfAssessment,
  '0019-amendment-places': amendmentPlaces,
  '0020-practice': practice,
  '0021-contributor-registration': contributorRegistration,
  '0022-improvement-plans': improvementPlans,
  '0023-practice-search': practiceSearch,
  '0024-gap-figures': gapFigures,
  '0025-every-child-seen': everyChildSeen,
  '0026-prior-attainment-and-localities': priorAttainmentAndLocalities,
  '0027-network': network,
  '0028-network-post-changes': networkPostChanges,
  '0029-localities': localities,
  '0030-directory': directory,
  '0031-voices': voices,
  '0032-setting-profiles': settingProfiles,
};
