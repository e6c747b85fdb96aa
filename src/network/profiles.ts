/**
 * A council's page in the network: who takes part, what it says of itself, the priorities of the
 * improvement plan it chose to publish (their golden threads and groups of children are the themes
 * it works on), its published practice and the people who chose to be listed as contacts.
 * Everything here is public: a plan appears only once a member of the council publishes it.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { activePeople, takingPart } from '../auth/people.js';
import type { TakingPart } from '../auth/people.js';
import { listImprovementPlans, readImprovementPlan } from '../plans/store.js';
import { publishedItemsOf } from '../practice/serving.js';
import type { Viewer } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';
import { networkAuthority } from './regions.js';
import type { AuthorityEntry } from './regions.js';
import { networkVocabulary, termLabel } from './vocabulary.js';
import type { Term } from './vocabulary.js';

export interface PublishedPriority {
  title: string;
  rationale: string;
  threads: Term[];
  groups: Term[];
}

export interface PublishedPlan {
  id: string;
  title: string;
  periodStart: string;
  periodEnd: string;
  priorities: PublishedPriority[];
}

export interface CouncilContact {
  name: string;
  jobTitle: string;
  email: string;
}

export interface CouncilProfile {
  authority: AuthorityEntry & { region: AuthorityEntry };
  statement: string;
  updatedAt: Date | null;
  publishedPlan: PublishedPlan | null;
  takingPart: TakingPart | null;
  practice: Awaited<ReturnType<typeof publishedItemsOf>>;
  contacts: CouncilContact[];
}

/** The threads and groups a plan's priorities link to: what the council says it is working on. */
function publishedPriorities(plan: NonNullable<Awaited<ReturnType<typeof readImprovementPlan>>>): PublishedPriority[] {
  return plan.priorities.map((priority) => {
    const threads = new Set<string>();
    const groups = new Set<string>();
    for (const link of priority.links) {
      if (link.kind === 'thread') threads.add(link.target);
      // A gap is written `indicator|group`.
      if (link.kind === 'gap') groups.add(link.target.split('|')[1] ?? '');
    }
    for (const measure of priority.measures) groups.add(measure.groupSpec);
    const known = (kind: 'threads' | 'groups', ids: Set<string>) =>
      [...ids].flatMap((id) => {
        const label = termLabel(kind, id);
        return label === undefined ? [] : [{ id, label }];
      });
    return { title: priority.title, rationale: priority.rationale, threads: known('threads', threads), groups: known('groups', groups) };
  });
}

/** The council's published plan, if the plan it named is still the council's own. */
async function publishedPlanOf(db: Kysely<Schema>, laCode: string, planId: string | null): Promise<PublishedPlan | null> {
  if (planId === null) return null;
  const plan = await readImprovementPlan(db, laCode, planId);
  if (plan === undefined || plan.organisationKind !== 'local-authority') return null;
  return { id: plan.id, title: plan.title, periodStart: plan.periodStart, periodEnd: plan.periodEnd, priorities: publishedPriorities(plan) };
}

export async function councilProfile(db: Kysely<Schema>, laCode: string): Promise<CouncilProfile | undefined> {
  const authority = networkAuthority(laCode);
  if (authority === undefined) return undefined;
  const [profile, taking, practice, contactRows] = await Promise.all([
    db.selectFrom('network_profile').selectAll().where('la_code', '=', authority.code).executeTakeFirst(),
    takingPart(db, authority.code),
    publishedItemsOf(db, authority.code),
    db.selectFrom('network_contact').select(['user_id', 'job_title']).where('la_code', '=', authority.code).orderBy('listed_at').execute(),
  ]);
  const people = await activePeople(
    db,
    contactRows.map((row) => row.user_id),
  );
  return {
    authority,
    statement: profile?.statement ?? '',
    updatedAt: profile?.updated_at ?? null,
    publishedPlan: await publishedPlanOf(db, authority.code, profile?.published_plan_id ?? null),
    takingPart: taking.get(authority.code) ?? null,
    practice,
    contacts: contactRows.flatMap((row) => {
      const person = people.get(row.user_id);
      return person === undefined ? [] : [{ name: person.displayName, jobTitle: row.job_title, email: person.email }];
    }),
  };
}

/** Whether the viewer speaks for the council: a member of the council itself who may write its plans. */
export function mayEditProfile(viewer: Viewer, laCode: string): boolean {
  return viewer.signedIn && viewer.memberships.some((membership) => membership.organisationKind === 'local-authority' && membership.laCode === laCode && scopeOf(membership.role, 'plans:write') !== undefined);
}

/** The council's own improvement plans, which its profile may publish (a setting's plan is the setting's). */
export async function councilPlans(db: Kysely<Schema>, laCode: string, today: string): Promise<{ id: string; title: string; periodStart: string; periodEnd: string }[]> {
  const plans = await listImprovementPlans(db, { laCodes: [laCode], today });
  return plans.filter((plan) => plan.organisationKind === 'local-authority').map((plan) => ({ id: plan.id, title: plan.title, periodStart: plan.periodStart, periodEnd: plan.periodEnd }));
}

export class ProfileRefused extends Error {}

/** Saves what the council says of itself and which of its plans it publishes (none: `null`). */
export async function saveProfile(db: Kysely<Schema>, laCode: string, fields: { statement: string; planId: string | null }, byLabel: string, today: string): Promise<void> {
  const statement = fields.statement.trim();
  if (statement.length > 2000) throw new ProfileRefused('Write the statement in 2,000 characters or fewer.');
  if (fields.planId !== null && !(await councilPlans(db, laCode, today)).some((plan) => plan.id === fields.planId)) throw new ProfileRefused('Choose one of the council’s own improvement plans, or none.');
  await db
    .insertInto('network_profile')
    .values({ la_code: laCode, statement, published_plan_id: fields.planId, updated_by_label: byLabel, updated_at: new Date() })
    .onConflict((conflict) => conflict.column('la_code').doUpdateSet({ statement, published_plan_id: fields.planId, updated_by_label: byLabel, updated_at: new Date() }))
    .execute();
}

/** For the England and region pages: which authorities publish a plan, and the groups their priorities name. */
export async function publishedThemes(db: Kysely<Schema>): Promise<Map<string, { groups: Term[]; threads: Term[] }>> {
  const rows = await db.selectFrom('network_profile').select(['la_code', 'published_plan_id']).where('published_plan_id', 'is not', null).execute();
  const found = await Promise.all(rows.map(async (row) => [row.la_code, await publishedPlanOf(db, row.la_code, row.published_plan_id)] as const));
  const vocabulary = networkVocabulary();
  const order = (kind: 'groups' | 'threads') => (a: Term, b: Term) => vocabulary[kind].findIndex((term) => term.id === a.id) - vocabulary[kind].findIndex((term) => term.id === b.id);
  return new Map(
    found.flatMap(([laCode, plan]) => {
      if (plan === null) return [];
      const unique = (terms: Term[]) => [...new Map(terms.map((term) => [term.id, term])).values()];
      return [[laCode, { groups: unique(plan.priorities.flatMap((priority) => priority.groups)).sort(order('groups')), threads: unique(plan.priorities.flatMap((priority) => priority.threads)).sort(order('threads')) }] as const];
    }),
  );
}

/** Lists the person as a contact of their authority, or changes their job title there. */
export async function listContact(db: Kysely<Schema>, userId: string, laCode: string, jobTitle: string): Promise<void> {
  const title = jobTitle.trim();
  if (title.length === 0) throw new ProfileRefused('Enter your job title, as people will see it.');
  if (title.length > 120) throw new ProfileRefused('Write your job title in 120 characters or fewer.');
  await db
    .insertInto('network_contact')
    .values({ user_id: userId, la_code: laCode, job_title: title, listed_at: new Date() })
    .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ la_code: laCode, job_title: title }))
    .execute();
}

export async function unlistContact(db: Kysely<Schema>, userId: string): Promise<void> {
  await db.deleteFrom('network_contact').where('user_id', '=', userId).execute();
}

export async function contactListing(db: Kysely<Schema>, userId: string): Promise<{ laCode: string; jobTitle: string } | undefined> {
  const row = await db.selectFrom('network_contact').select(['la_code', 'job_title']).where('user_id', '=', userId).executeTakeFirst();
  return row === undefined ? undefined : { laCode: row.la_code, jobTitle: row.job_title };
}
