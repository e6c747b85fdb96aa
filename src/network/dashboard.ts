/**
 * A regional adviser's (or the national team's) view of the authorities they support, one row each:
 * the widest gaps from the authority's own figures (released as for any viewer without child-level
 * access, unless the viewer has it), where its council stands in its latest signed-off
 * self-assessment of each scope, its improvement plan, and the practice it has submitted and had
 * published. Every figure comes from the capability that owns it, through its exported functions,
 * so the dashboard says what those pages say.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { headlineOf } from '../assessment/standing.js';
import { scopeDescriptions } from '../assessment/scope.js';
import { listAssessments, readAssessment } from '../assessment/store.js';
import type { AssessmentScope } from '../assessment/tables.js';
import type { Schema } from '../db/schema.js';
import { gapsOverview } from '../gaps/overview.js';
import { publishedGaps, signedGap, widestPublishedGap } from '../gaps/published-gaps.js';
import type { PublishedGap } from '../gaps/published-gaps.js';
import { mayReadAggregates, mayReadPlans } from '../gaps/reach.js';
import { authoritiesWithChildData } from '../ingest/data-summary.js';
import { listImprovementPlans } from '../plans/store.js';
import { practiceCountsByAuthority } from '../practice/serving.js';
import { isoDateIn } from '../web/format.js';
import { networkRegions } from './regions.js';
import type { RegionEntry } from './regions.js';

export interface ScopePosition {
  scope: AssessmentScope;
  /** Share of statements rated established or embedded, 0 to 100; null when none has a level. */
  percentEstablished: number | null;
  period: string;
}

export interface DashboardRow {
  code: string;
  name: string;
  region: string;
  /** The latest year of the authority's own figures, null when none is loaded. */
  dataYear: string | null;
  suppressed: boolean;
  /**
   * The gap that matters most: from the authority's own figures when it has loaded them, else from
   * published statistics (`published` set: the year it is of and the earlier gap, no trend tested).
   */
  widest: { group: string; indicator: string; gapText: string; trendText: string; href: string; published?: { yearText: string; valuesText: string } } | null;
  widening: number;
  /** The council's latest signed-off assessment of each scope that has one. */
  positions: Partial<Record<AssessmentScope, ScopePosition>>;
  plan: { title: string; priorities: number; actions: number; overdue: number } | null;
  practice: { submitted: number; published: number };
}

export const dashboardScopes = scopeDescriptions.map((description) => ({ scope: description.scope, label: description.scope === 'threads' ? 'Golden threads' : `Template ${description.template}` }));

/** The authorities of the regions the viewer may see both the figures and the assessments of. */
export function dashboardAuthorities(viewer: Viewer, regions: readonly RegionEntry[] = networkRegions()): { code: string; name: string; region: string }[] {
  return regions.flatMap((region) => region.authorities.filter((la) => mayReadAggregates(viewer, la.code) && mayReadPlans(viewer, la.code)).map((la) => ({ ...la, region: region.name })));
}

async function positionsOf(db: Kysely<Schema>, laCodes: readonly string[]): Promise<Map<string, Partial<Record<AssessmentScope, ScopePosition>>>> {
  const signedOff = (await listAssessments(db, { laCodes, status: 'signed-off' })).filter((assessment) => assessment.organisationKind === 'local-authority');
  const found = new Map<string, Partial<Record<AssessmentScope, ScopePosition>>>();
  // Listed newest period first: the first of each authority and scope is its latest.
  const latest = signedOff.filter((assessment, index) => signedOff.findIndex((other) => other.laCode === assessment.laCode && other.scope === assessment.scope) === index);
  await Promise.all(
    latest.map(async (summary) => {
      const assessment = await readAssessment(db, summary.id);
      if (assessment === undefined) return;
      const positions = found.get(summary.laCode) ?? {};
      positions[summary.scope] = { scope: summary.scope, percentEstablished: headlineOf(assessment).percentEstablishedOrEmbedded, period: summary.period };
      found.set(summary.laCode, positions);
    }),
  );
  return found;
}

function publishedHeadline(gap: PublishedGap): NonNullable<DashboardRow['widest']> {
  return {
    group: gap.groupLabel,
    indicator: gap.indicatorLabel,
    gapText: gap.gapText,
    trendText: gap.earlier === null ? 'no earlier year published' : `${signedGap(gap.earlier.gap)} in ${gap.earlier.yearText}`,
    href: `/network/authorities/${gap.laCode}#published-gaps`,
    published: { yearText: gap.yearText, valuesText: gap.valuesText },
  };
}

export async function dashboardRows(db: Kysely<Schema>, viewer: Viewer, authorities: readonly { code: string; name: string; region: string }[], now = new Date()): Promise<DashboardRow[]> {
  const codes = authorities.map((la) => la.code);
  const [withData, positions, plans, practice] = await Promise.all([authoritiesWithChildData(db), positionsOf(db, codes), listImprovementPlans(db, { laCodes: codes, today: isoDateIn(now) }), practiceCountsByAuthority(db, codes)]);
  const loaded = new Set(withData);
  const published = await publishedGaps(
    db,
    codes.filter((code) => !loaded.has(code)),
  );
  return Promise.all(
    authorities.map(async (la): Promise<DashboardRow> => {
      const overview = loaded.has(la.code) ? await gapsOverview(db, la.code, { suppress: !seesSmallNumbers(viewer, { laCode: la.code }) }) : undefined;
      const widest = overview?.widest[0];
      const widestPublished = overview === undefined ? widestPublishedGap(published.filter((gap) => gap.laCode === la.code)) : undefined;
      // The council's own plan (not a setting's), the latest period first.
      const plan = plans.find((entry) => entry.laCode === la.code && entry.organisationKind === 'local-authority');
      return {
        ...la,
        dataYear: overview?.year ?? null,
        suppressed: overview?.suppressed ?? true,
        widest: widest !== undefined ? { group: widest.groupLabel, indicator: widest.indicatorLabel, gapText: widest.gapText, trendText: widest.trendText, href: widest.href } : widestPublished === undefined ? null : publishedHeadline(widestPublished),
        widening: overview?.widening.length ?? 0,
        positions: positions.get(la.code) ?? {},
        plan: plan === undefined ? null : { title: plan.title, priorities: plan.priorities, actions: plan.actions, overdue: plan.overdue },
        practice: practice.get(la.code) ?? { submitted: 0, published: 0 },
      };
    }),
  );
}

