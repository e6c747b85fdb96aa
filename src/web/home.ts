import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { findArea, localAuthorityByGss } from '../areas/areas.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Viewer } from '../auth/gate.js';
import { secondFactorOutstanding, viewerMay } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import type { Schema } from '../db/schema.js';
import { gapsOverview } from '../gaps/overview.js';
import type { GapsOverview } from '../gaps/overview.js';
import { plansProgress } from '../plans/curve/progress.js';
import { mayReadImprovementPlan } from '../plans/service.js';
import { isoDateIn } from './format.js';
import { listImprovementPlans } from '../plans/store.js';
import { parseGroup } from '../gaps/groups.js';
import { authoritiesInReach, mayReadAggregates, mayReadPlans } from '../gaps/reach.js';
import { authoritiesWithChildData, childDataFreshness, dataLoadedSummary } from '../ingest/data-summary.js';
import type { ChildDataFreshness } from '../ingest/data-summary.js';
import type { BatchSummary } from '../ingest/batches.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { importReach } from '../ingest/routes.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** What the service does, for someone not signed in: only what exists, each with the address it lives at. */
const serviceAreas = [
  {
    title: 'Know the gaps',
    path: '/gaps',
    description:
      'Load your data and see the gap between each group of vulnerable children and other children, for every outcome, with honest statistics and the data that is missing.',
  },
  {
    title: 'Plan to turn the curve',
    path: '/plans',
    description: 'Pick the gaps that matter, agree a target with your partners, and follow the actions that should narrow each one.',
  },
  {
    title: 'Read the framework',
    path: '/framework',
    description:
      'The ten golden threads and the five templates that describe what a whole system narrowing the gap looks like, by layer and tier of need.',
  },
  {
    title: 'Learn what works',
    path: '/practice',
    description: 'A library of effective practice from the call for evidence, graded by the national team, searchable by group, outcome and evidence, with a digest of the best.',
  },
  {
    title: 'See every child',
    path: '/children/unseen',
    description: 'Find the vulnerable children without a trusted adult or lead professional, the pupils who are stuck, and the moves that need a handover; record what was done.',
  },
];

/** A link on a home page, shown only when the viewer may open it. */
export interface HomeLink {
  href: string;
  text: string;
  description: string;
}

/** The permission a GET route declared, matching `:param` segments; undefined when no such page exists. */
function declaredPermission(app: FastifyInstance, href: string): string | undefined {
  const path = href.split('?')[0]!;
  const matches = (url: string) => {
    const wanted = url.split('/');
    const given = path.split('/');
    return wanted.length === given.length && wanted.every((segment, index) => segment.startsWith(':') || segment === given[index]);
  };
  return app.routePermissions.find((route) => route.method === 'GET' && matches(route.url))?.permission;
}

/** Whether the viewer may open a page: it exists and its declared permission lets them in. */
export function mayFollow(app: FastifyInstance, viewer: Viewer, href: string): boolean {
  const permission = declaredPermission(app, href);
  if (permission === undefined) return false;
  if (permission === 'public') return true;
  if (!viewer.signedIn) return false;
  if (permission === 'session' || permission === 'signed-in') return true;
  return viewerMay(viewer, permission as Parameters<typeof viewerMay>[1]);
}

function dateText(date: Date): string {
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function yearsText(years: readonly number[]): string {
  if (years.length === 0) return 'no years';
  const first = formatAcademicYear(years[0]!);
  const last = formatAcademicYear(years.at(-1)!);
  return years.length === 1 ? first : `${first} to ${last} (${years.length} years)`;
}

function freshnessText(freshness: ChildDataFreshness | undefined): string {
  if (freshness === undefined) return 'No child-level data has been loaded yet.';
  return `Data for ${yearsText(freshness.years)}, last loaded ${dateText(freshness.lastLoadedAt)}.`;
}

/** The things a signed-in viewer can do, each checked against the page's own permission (and the authority's reach). */
function tasksFor(app: FastifyInstance, viewer: SignedIn, laCode: string | undefined): HomeLink[] {
  const la = laCode === undefined ? '' : `?la=${laCode}`;
  const reachesLa = laCode === undefined || mayReadAggregates(viewer, laCode);
  const adviserRegion = viewer.memberships.find((membership) => membership.role === 'regional-adviser' && membership.areaCode !== null)?.areaCode ?? undefined;
  const nationalTeam = viewer.memberships.some((membership) => membership.organisationKind === 'national') && viewerMay(viewer, 'assessments:read');
  const candidates: (HomeLink & { allowed?: boolean })[] = [
    { href: `/gaps${la}`, text: 'The gap matrix', description: 'Every group of children against all other children, on every indicator, by outcome.', allowed: reachesLa },
    { href: `/gaps/curves${la}`, text: 'Which curves to turn', description: 'The gaps where a group does worse, the ones that matter most first, each with its plan.', allowed: reachesLa },
    { href: `/gaps/data${la}`, text: 'Gaps in the data', description: 'What is known and not known about each group and indicator.', allowed: reachesLa },
    {
      href: `/plans${la}`,
      text: 'Turn-the-curve plans',
      description: 'Targets, partners, what works and the actions agreed for each gap.',
      allowed: laCode === undefined || mayReadPlans(viewer, laCode),
    },
    { href: '/assessments', text: 'Self-assessment', description: 'Where your organisation stands on the golden threads and templates: rate statements with evidence, see what changed, sign off.' },
    { href: '/moderation', text: 'Moderation', description: 'Assessments you are invited to moderate: rate blind, then agree ratings side by side.' },
    { href: '/framework/amendments', text: 'The reality check', description: 'Changes to the framework that councils propose: review them, and accept, reject or merge them.', allowed: viewerMay(viewer, 'framework:review') },
    { href: '/imports', text: 'Load data', description: 'Load child-level files and published statistics, and see every file loaded and its problems.' },
    { href: '/imports/statistics/national/new', text: 'Load national statistics', description: 'The published figures for England that every authority compares with.' },
    { href: '/children/unseen', text: 'Children not yet seen', description: 'Vulnerable children without a trusted adult, complex needs without a lead professional, children in care without a plan, several moves: record what was done.' },
    { href: '/children/progress', text: 'Pupils’ progress', description: 'Pupils stuck, coasting or underperforming against what the same starting point predicts.' },
    { href: '/children/handovers', text: 'Handovers', description: 'Vulnerable children arriving from another setting, with what it knew: confirm each handover.' },
    { href: '/children', text: 'Children’s records', description: 'The records of the children you may see, year by year (every read is recorded).' },
    { href: '/children/break-glass', text: 'Emergency access', description: 'See one child of a neighbouring authority in an emergency, with your reason, for a few hours.', allowed: viewerMay(viewer, 'child-records:break-glass') },
    { href: '/admin/break-glass', text: 'Emergency access to your children', description: 'Who opened your authority’s children’s records in an emergency, and why: check each one.', allowed: viewerMay(viewer, 'users:manage') },
    { href: '/children/rules', text: 'Rules for the work lists', description: 'Who counts as vulnerable or as having complex needs, and when a handover is late.', allowed: viewerMay(viewer, 'imports:write') },
    { href: '/admin/users', text: 'Accounts', description: 'Invite people, grant and remove roles, end sessions.' },
    { href: '/admin/organisations', text: 'Organisations', description: 'Authorities, settings and partners, and moves of settings between authorities.' },
    { href: '/admin/audit', text: 'Audit log', description: 'Who did what, and when: search and download.' },
    { href: `/practice/for-your-gaps${la}`, text: 'Practice for your gaps', description: 'Published practice matched to your widest gaps and weakest self-assessment ratings, with the reason for each.', allowed: laCode !== undefined && reachesLa },
    {
      href: adviserRegion === undefined ? '/network/dashboard' : `/network/regions/${adviserRegion}/dashboard`,
      text: adviserRegion === undefined ? 'England’s nine regions' : 'Your region’s dashboard',
      description: 'Each authority’s widest gap, where its council stands in its signed-off self-assessments, its plan and its practice, on one page.',
      allowed: adviserRegion !== undefined || nationalTeam,
    },
    { href: '/network/groups', text: 'Communities of interest', description: 'Councils, settings and partners working on the same gaps: discussions, shared documents and events.' },
    { href: '/practice', text: 'The practice library', description: 'Graded practice from the call for evidence: search by group, outcome, cost and strength of evidence.' },
    { href: '/practice/submit', text: 'Share practice that works', description: 'Submit an example to the call for evidence, follow it through moderation, and answer feedback.' },
    { href: '/practice/reviews', text: 'Practice reviews', description: 'Submissions you have been asked to review: grade each one blind against the published criteria.' },
    { href: '/practice/moderation', text: 'Practice moderation', description: 'Screen submissions, assign their reviewers, record the panel’s decisions and compile the digest.' },
    { href: '/framework', text: 'Read the framework', description: 'The golden threads and templates of the Narrowing the Gap framework, by layer and tier of need.' },
    { href: '/account', text: 'Your account', description: 'Your roles, sessions and personal access tokens for scripts.' },
    { href: '/api/docs', text: 'Use the data in your own tools', description: 'The service’s application programming interface (API), with every figure the pages show.' },
  ];
  return candidates.filter((link) => link.allowed !== false && mayFollow(app, viewer, link.href)).map(({ href, text, description }) => ({ href, text, description }));
}

function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

/** A plan's progress in words: its target, and its actions by status. */
async function plansFor(db: Kysely<Schema>, laCodes: readonly string[]) {
  const plans = await plansProgress(db, laCodes);
  return plans.map((plan) => {
    const measure = indicators.find((entry) => entry.name === plan.indicator);
    const percentage = measure?.type === 'binary';
    const total = Object.values(plan.actions).reduce((sum, count) => sum + count, 0);
    const status =
      total === 0
        ? 'No actions agreed yet'
        : [
            `${plan.actions.done.toLocaleString('en-GB')} of ${plural(total, 'action')} done`,
            plan.actions['in-progress'] > 0 ? `${plan.actions['in-progress'].toLocaleString('en-GB')} in progress` : '',
            plan.actions['not-started'] > 0 ? `${plan.actions['not-started'].toLocaleString('en-GB')} not started` : '',
            plan.overdue > 0 ? `${plan.overdue.toLocaleString('en-GB')} overdue` : '',
          ]
            .filter((part) => part !== '')
            .join(', ');
    let groupLabel = plan.groupSpec;
    try {
      groupLabel = parseGroup(plan.groupSpec).label;
    } catch {
      // A group the catalogue no longer has keeps its stored name.
    }
    return {
      href: `/plans/${plan.id}`,
      title: plan.title,
      authorityName: localAuthorityByGss(plan.laCode)?.name ?? plan.laCode,
      subject: `${groupLabel} · ${measure?.label ?? plan.indicator}`,
      target:
        plan.targetYear === null || plan.targetValue === null
          ? 'No target set yet'
          : `Target ${plan.targetValue.toLocaleString('en-GB', { maximumFractionDigits: 1 })}${percentage ? '%' : ''} by ${formatAcademicYear(plan.targetYear)}`,
      status,
      overdue: plan.overdue > 0,
      changed: dateText(plan.updatedAt),
    };
  });
}

function batchLine(batch: BatchSummary) {
  return {
    href: `/imports/${batch.id}`,
    fileName: batch.fileName,
    kind: batch.kind === 'children' ? 'Child-level file' : 'Published statistics',
    authority: batch.laCode === null ? 'England' : (localAuthorityByGss(batch.laCode)?.name ?? batch.laCode),
    years: batch.academicYears.length > 0 ? yearsText([...batch.academicYears].sort((a, b) => a - b)) : '',
    when: dateText(batch.finishedAt),
    rowsSetAside: plural(batch.rowsQuarantined, 'row'),
    problems: plural(batch.problemCount, 'problem'),
  };
}

/** The authority a person's home is about: the first authority their own roles are held in that they may see figures of. */
function ownAuthority(viewer: SignedIn): string | undefined {
  return viewer.memberships.map((membership) => membership.laCode).find((code): code is string => code !== null && mayReadAggregates(viewer, code));
}

function holds(viewer: SignedIn, role: Role): boolean {
  return viewer.memberships.some((membership) => membership.role === role);
}

async function overviewFor(db: Kysely<Schema>, viewer: SignedIn, laCode: string): Promise<GapsOverview> {
  return gapsOverview(db, laCode, { suppress: !seesSmallNumbers(viewer, { laCode }) });
}

/** Several authorities, each with a line or two: its widest gaps and how fresh its data is. */
async function authorityLines(db: Kysely<Schema>, viewer: SignedIn, codes: readonly string[]) {
  const freshness = await childDataFreshness(db, codes);
  return Promise.all(
    codes.map(async (code) => {
      const fresh = freshness.get(code);
      const overview = fresh === undefined ? undefined : await overviewFor(db, viewer, code);
      return {
        code,
        name: localAuthorityByGss(code)?.name ?? code,
        href: `/gaps?la=${code}`,
        hasData: fresh !== undefined,
        freshness: freshnessText(fresh),
        year: overview?.year,
        widest: overview?.widest.slice(0, 2) ?? [],
      };
    }),
  );
}

/**
 * The page each person lands on, for their job: a leader's overview of their authority; an analyst's
 * data and its problems, then the overview; a regional adviser's authorities; the national team's
 * authorities with data; a contributor's list of what they can do. Every link is one the viewer may
 * follow (checked against the page's declared permission and the authority's reach).
 */
async function signedInHome(app: FastifyInstance, db: Kysely<Schema>, viewer: SignedIn) {
  const laCode = ownAuthority(viewer);
  const laName = laCode === undefined ? undefined : (localAuthorityByGss(laCode)?.name ?? laCode);
  const analyst = viewerMay(viewer, 'imports:write') && laCode !== undefined;
  const regions = viewer.memberships.filter((membership) => membership.role === 'regional-adviser' && membership.areaCode !== null).map((membership) => membership.areaCode!);
  const national = laCode === undefined && regions.length === 0 && viewerMay(viewer, 'aggregates:read');

  const data = analyst ? await dataLoadedSummary(db, importReach(viewer)) : undefined;
  const overview = laCode === undefined ? undefined : await overviewFor(db, viewer, laCode);
  const plans = laCode !== undefined && mayReadPlans(viewer, laCode) ? await plansFor(db, [laCode]) : undefined;
  const improvementPlans = laCode === undefined ? undefined : (await listImprovementPlans(db, { laCodes: [laCode], today: isoDateIn(new Date()) })).filter((plan) => mayReadImprovementPlan(viewer, plan));

  const withData = await authoritiesWithChildData(db);
  const inReach = authoritiesInReach(viewer, withData);
  const regionCodes = inReach.filter((la) => regions.includes(localAuthorityByGss(la.code)?.region ?? '')).map((la) => la.code);
  const authorities = regions.length > 0 ? await authorityLines(db, viewer, regionCodes) : national ? await authorityLines(db, viewer, inReach.filter((la) => la.hasData).map((la) => la.code)) : undefined;
  const regionName = regions.length > 0 ? regions.map((code) => findArea(code)?.name ?? code).join(' and ') : undefined;
  const regionPlans = regions.length > 0 && laCode === undefined ? await plansFor(db, regionCodes.filter((code) => mayReadPlans(viewer, code))) : undefined;
  const nationalStatistics = viewerMay(viewer, 'statistics:publish') && !analyst ? (await dataLoadedSummary(db, [])).statistics.map(batchLine) : undefined;

  let heading: string;
  let lead: string;
  if (analyst) {
    heading = `${laName}: your data and its gaps`;
    lead = 'What is loaded and how fresh it is, anything that needs putting right, then where the gaps are.';
  } else if (laCode !== undefined) {
    heading = `${laName}: the gaps at a glance`;
    lead = 'Where the widest gaps between vulnerable children and other children are, which are widening, and what is being done about them.';
  } else if (regionName !== undefined) {
    heading = `${regionName}: your authorities`;
    lead = 'Each authority of the region you support, with its widest gaps and how fresh its data is.';
  } else if (national) {
    heading = 'Authorities with data';
    lead = 'Every authority whose data is loaded, with its widest gaps and how fresh its data is.';
  } else {
    heading = 'What you can do';
    lead = holds(viewer, 'contributor')
      ? 'You can share practice that works through the call for evidence, search the library of effective practice, read the Narrowing the Gap framework, and look after your account.'
      : 'These are the parts of the service open to you.';
  }
  return {
    pageTitle: heading,
    heading,
    lead,
    laCode,
    data: data && {
      children: data.children.map((entry) => ({ name: localAuthorityByGss(entry.laCode)?.name ?? entry.laCode, text: freshnessText(entry) })),
      childrenMissing: data.children.length === 0,
      statistics: data.statistics.slice(0, 5).map(batchLine),
      statisticsCount: data.statistics.length,
      statisticsLatest: data.statistics[0] === undefined ? undefined : dateText(data.statistics[0].finishedAt),
      refused: data.refused.map(batchLine),
      withProblems: data.withProblems.map(batchLine),
    },
    overview,
    overviewLinks: laCode === undefined ? undefined : { matrix: `/gaps?la=${laCode}`, curves: `/gaps/curves?la=${laCode}`, data: `/gaps/data?la=${laCode}` },
    plans: plans ?? regionPlans,
    improvementPlans: improvementPlans?.map((plan) => ({
      href: `/improvement-plans/${plan.id}`,
      title: plan.title,
      organisation: plan.organisationName,
      status: `${plural(plan.priorities, 'priority', 'priorities')}, ${plural(plan.actions, 'action')}`,
      overdue: plan.overdue,
    })),
    plansLink: mayFollow(app, viewer, '/plans') ? (laCode === undefined ? '/plans' : `/plans?la=${laCode}`) : undefined,
    authorities,
    regionName,
    nationalStatistics,
    tasks: tasksFor(app, viewer, laCode),
  };
}

export function registerHomeRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get('/', { schema: { hide: true }, config: { permission: 'public' } }, async (request, reply) => {
    const viewer = request.viewer;
    if (viewer.signedIn && !secondFactorOutstanding(viewer)) return reply.view('home-signed-in.njk', await signedInHome(app, db, viewer));
    // Only what exists; a link only where it opens without signing in.
    const areas = serviceAreas
      .filter((area) => declaredPermission(app, area.path) !== undefined)
      .map((area) => ({ ...area, href: mayFollow(app, { signedIn: false }, area.path) ? area.path : undefined }));
    return reply.view('home.njk', { areas, secondFactorOwed: viewer.signedIn });
  });
}
