/**
 * Communities of interest and who belongs to them: starting a group, finding the groups one may
 * see, joining (at once, by request or by invitation), deciding requests, inviting and leaving.
 * Every change is checked against the rules in access.ts here, not only in the pages, so the API
 * and any later caller meet the same refusals.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { activePeople, activePeopleNamed } from '../auth/people.js';
import { joinOutcome, mayModerate, maySeeGroup } from './access.js';
import type { Standing } from './access.js';
import { groupVisibilities } from './tables.js';
import type { GroupVisibility, MemberRole, MemberState } from './tables.js';
import { networkVocabulary, termLabel } from './vocabulary.js';
import type { Term } from './vocabulary.js';

/** Someone acting in the network: their account and the name others see. */
export interface Person {
  userId: string;
  label: string;
}

/** A refusal to show the person: what is wrong, in words, and the HTTP status it answers with. */
export class NetworkRefused extends Error {
  constructor(
    message: string,
    readonly statusCode: 400 | 403 | 404 | 409 | 429 = 400,
    /** The form field the message is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = () => new NetworkRefused('There is no such group, or it is not one you may see.', 404);

export interface GroupSummary {
  id: string;
  name: string;
  purpose: string;
  visibility: GroupVisibility;
  theme: Term | null;
  frameworkGroup: Term | null;
  threads: Term[];
  templates: Term[];
  members: number;
  discussions: number;
  createdAt: Date;
  lastActivityAt: Date;
  standing: Standing;
}

export const visibilityText: Record<GroupVisibility, string> = {
  open: 'Open: anyone signed in can read it and join',
  restricted: 'Restricted: anyone can ask to join; members read it',
  hidden: 'Hidden: by invitation only; no one else knows it is there',
};

export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

type GroupRow = {
  id: string;
  name: string;
  purpose: string;
  visibility: GroupVisibility;
  theme: string | null;
  framework_group: string | null;
  threads: string[];
  templates: number[];
  created_at: Date;
  last_activity_at: Date;
  members: string | number;
  discussions: string | number;
  state: MemberState | null;
  role: MemberRole | null;
};

const labelled = (kind: 'themes' | 'threads' | 'templates' | 'groups', id: string | null): Term | null => {
  if (id === null) return null;
  const label = termLabel(kind, id);
  return label === undefined ? null : { id, label };
};

function summaryOf(row: GroupRow): GroupSummary {
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    visibility: row.visibility,
    theme: labelled('themes', row.theme),
    frameworkGroup: labelled('groups', row.framework_group),
    threads: row.threads.flatMap((id) => labelled('threads', id) ?? []),
    templates: row.templates.flatMap((number) => labelled('templates', String(number)) ?? []),
    members: Number(row.members),
    discussions: Number(row.discussions),
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    standing: { state: row.state, role: row.role },
  };
}

/** Groups with counts and the person's standing; hidden groups only where the person has one. */
/** The groups the person may see: any not hidden, and a hidden one only with a standing in it (member, invited, asked). */
function visibleGroups(db: Kysely<Schema>, userId: string | null) {
  const viewer = userId ?? '00000000-0000-0000-0000-000000000000';
  return db
    .selectFrom('network_group as g')
    .leftJoin('network_membership as mine', (join) => join.onRef('mine.group_id', '=', 'g.id').on('mine.user_id', '=', viewer))
    .where((eb) => eb.or([eb('g.visibility', '<>', 'hidden'), eb('mine.state', 'is not', null)]));
}

function groupQuery(db: Kysely<Schema>, userId: string | null) {
  return visibleGroups(db, userId).select([
    'g.id',
    'g.name',
    'g.purpose',
    'g.visibility',
    'g.theme',
    'g.framework_group',
    'g.threads',
    'g.templates',
    'g.created_at',
    'g.last_activity_at',
    'mine.state',
    'mine.role',
    (eb) => eb.selectFrom('network_membership as m').select(eb.fn.countAll<string>().as('n')).whereRef('m.group_id', '=', 'g.id').where('m.state', '=', 'member').as('members'),
    (eb) => eb.selectFrom('network_discussion as d').select(eb.fn.countAll<string>().as('n')).whereRef('d.group_id', '=', 'g.id').as('discussions'),
  ]);
}

/** A case-blind LIKE pattern for the words anywhere in a text. */
function containing(words: string): string {
  return `%${words.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * The groups the person may see whose name or purpose holds the words, most recently active first,
 * as a query to run inside another (the network's search reads it in one statement with others).
 */
export function groupsMatching(db: Kysely<Schema>, userId: string | null, words: string, limit: number) {
  const pattern = containing(words.trim());
  return visibleGroups(db, userId)
    .select(['g.id', 'g.name', 'g.purpose', 'g.visibility'])
    .where((eb) => eb.or([eb('g.name', 'ilike', pattern), eb('g.purpose', 'ilike', pattern)]))
    .orderBy('g.last_activity_at', 'desc')
    .orderBy('g.name')
    .limit(limit);
}

export interface GroupFilter {
  /** Words in the name or purpose. */
  words?: string;
  theme?: string;
  group?: string;
  thread?: string;
  template?: number;
  /** Only groups the person belongs to (or is invited to, or asked to join). */
  mine?: boolean;
}

/** The groups the person may see (signed out: `null`), most recently active first. */
export async function listGroups(db: Kysely<Schema>, userId: string | null, filter: GroupFilter = {}): Promise<GroupSummary[]> {
  let query = groupQuery(db, userId);
  const words = filter.words?.trim();
  if (words !== undefined && words.length > 0) {
    const pattern = containing(words);
    query = query.where((eb) => eb.or([eb('g.name', 'ilike', pattern), eb('g.purpose', 'ilike', pattern)]));
  }
  if (filter.theme !== undefined) query = query.where('g.theme', '=', filter.theme);
  if (filter.group !== undefined) query = query.where('g.framework_group', '=', filter.group);
  if (filter.thread !== undefined) query = query.where(sql<boolean>`${filter.thread} = any(g.threads)`);
  if (filter.template !== undefined) query = query.where(sql<boolean>`${filter.template}::smallint = any(g.templates)`);
  if (filter.mine === true) query = query.where('mine.state', 'is not', null);
  const rows = (await query.orderBy('g.last_activity_at', 'desc').orderBy('g.name').execute()) as GroupRow[];
  return rows.map(summaryOf);
}

/** One group as the person may see it; a hidden group they have no standing in is not found. */
export async function readGroup(db: Kysely<Schema>, userId: string | null, id: string): Promise<GroupSummary> {
  if (!isUuid(id)) throw notFound();
  const row = (await groupQuery(db, userId).where('g.id', '=', id).executeTakeFirst()) as GroupRow | undefined;
  if (row === undefined) throw notFound();
  const group = summaryOf(row);
  if (!maySeeGroup(group, group.standing)) throw notFound();
  return group;
}

export interface GroupFields {
  name: string;
  purpose: string;
  visibility: string;
  theme?: string | undefined;
  frameworkGroup?: string | undefined;
  threads?: readonly string[] | undefined;
  templates?: readonly string[] | undefined;
}

/** The fields checked against the framework's terms; each problem names its field. */
function checkedFields(fields: GroupFields) {
  const vocabulary = networkVocabulary();
  const name = fields.name.trim().replace(/\s+/g, ' ');
  const purpose = fields.purpose.trim();
  if (name.length < 3) throw new NetworkRefused('Enter a name for the group of at least 3 characters.', 400, 'name');
  if (name.length > 120) throw new NetworkRefused('Write the group’s name in 120 characters or fewer.', 400, 'name');
  if (purpose.length === 0) throw new NetworkRefused('Say what the group is for.', 400, 'purpose');
  if (purpose.length > 2000) throw new NetworkRefused('Write what the group is for in 2,000 characters or fewer.', 400, 'purpose');
  if (!(groupVisibilities as readonly string[]).includes(fields.visibility)) throw new NetworkRefused('Choose who can see and join the group.', 400, 'visibility');
  const known = (kind: 'themes' | 'groups' | 'threads' | 'templates', value: string | undefined, what: string, field: string) => {
    if (value === undefined || value === '') return null;
    if (!vocabulary[kind].some((term) => term.id === value)) throw new NetworkRefused(`Choose a ${what} from the list.`, 400, field);
    return value;
  };
  const threads = [...new Set(fields.threads ?? [])].map((thread) => known('threads', thread, 'golden thread', 'threads')!);
  const templates = [...new Set(fields.templates ?? [])].map((template) => Number(known('templates', template, 'template', 'templates')));
  return {
    name,
    purpose,
    visibility: fields.visibility as GroupVisibility,
    theme: known('themes', fields.theme, 'theme', 'theme'),
    framework_group: known('groups', fields.frameworkGroup, 'group of children', 'frameworkGroup'),
    threads,
    templates,
  };
}

/** Starts a group with its founder as its owner; a name already taken (case aside) is refused. */
export async function createGroup(db: Kysely<Schema>, founder: Person, fields: GroupFields): Promise<string> {
  const values = checkedFields(fields);
  return db.transaction().execute(async (transaction) => {
    const taken = await transaction.selectFrom('network_group').select('id').where(sql<boolean>`lower(name) = lower(${values.name})`).executeTakeFirst();
    if (taken !== undefined) throw new NetworkRefused('A group with that name already exists: choose another name, or find that group and join it.', 409, 'name');
    const { id } = await transaction
      .insertInto('network_group')
      .values({ ...values, created_by: founder.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await transaction.insertInto('network_membership').values({ group_id: id, user_id: founder.userId, role: 'owner', state: 'member' }).execute();
    await transaction.insertInto('network_watch').values({ user_id: founder.userId, group_id: id, discussion_id: null }).execute();
    return id;
  });
}

/** Joins an open group, asks to join a restricted one, or accepts an invitation; says which happened. */
export async function joinGroup(db: Kysely<Schema>, person: Person, groupId: string): Promise<'joined' | 'requested'> {
  const group = await readGroup(db, person.userId, groupId);
  const outcome = joinOutcome(group, group.standing);
  if (outcome === 'already') throw new NetworkRefused('You are already a member of this group.', 409);
  if (outcome === 'pending') throw new NetworkRefused('You have already asked to join: the group’s moderators will decide.', 409);
  if (outcome === 'refused') throw notFound();
  if (outcome === 'request') {
    await db.insertInto('network_membership').values({ group_id: groupId, user_id: person.userId, state: 'requested' }).onConflict((conflict) => conflict.doNothing()).execute();
    return 'requested';
  }
  await db.transaction().execute(async (transaction) => {
    if (outcome === 'accept') await transaction.updateTable('network_membership').set({ state: 'member', since: new Date() }).where('group_id', '=', groupId).where('user_id', '=', person.userId).execute();
    else await transaction.insertInto('network_membership').values({ group_id: groupId, user_id: person.userId, state: 'member' }).onConflict((conflict) => conflict.doNothing()).execute();
    await transaction.insertInto('network_watch').values({ user_id: person.userId, group_id: groupId, discussion_id: null }).onConflict((conflict) => conflict.doNothing()).execute();
  });
  return 'joined';
}

/** Leaves a group, withdraws a request or declines an invitation. The last owner cannot leave. */
export async function leaveGroup(db: Kysely<Schema>, person: Person, groupId: string): Promise<void> {
  await readGroup(db, person.userId, groupId);
  await db.transaction().execute(async (transaction) => {
    const standing = await transaction.selectFrom('network_membership').select(['state', 'role']).where('group_id', '=', groupId).where('user_id', '=', person.userId).forUpdate().executeTakeFirst();
    if (standing === undefined) throw new NetworkRefused('You are not a member of this group.', 409);
    if (standing.role === 'owner' && standing.state === 'member') {
      const owners = await transaction.selectFrom('network_membership').select('user_id').where('group_id', '=', groupId).where('role', '=', 'owner').where('state', '=', 'member').forUpdate().execute();
      if (owners.length <= 1) throw new NetworkRefused('You are the group’s only owner: make another member an owner before you leave.', 409);
    }
    await transaction.deleteFrom('network_membership').where('group_id', '=', groupId).where('user_id', '=', person.userId).execute();
    await transaction.deleteFrom('network_watch').where('group_id', '=', groupId).where('user_id', '=', person.userId).execute();
  });
}

async function moderatorOf(db: Kysely<Schema>, person: Person, groupId: string): Promise<GroupSummary> {
  const group = await readGroup(db, person.userId, groupId);
  if (!mayModerate(group.standing)) throw new NetworkRefused('Only the group’s owners and moderators may do that.', 403);
  return group;
}

/** Lets someone who asked into a restricted group, or turns them away. */
export async function decideRequest(db: Kysely<Schema>, moderator: Person, groupId: string, userId: string, admit: boolean): Promise<void> {
  await moderatorOf(db, moderator, groupId);
  if (!isUuid(userId)) throw new NetworkRefused('No one has asked to join with that account.', 404);
  await db.transaction().execute(async (transaction) => {
    const request = await transaction.selectFrom('network_membership').select('state').where('group_id', '=', groupId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
    if (request?.state !== 'requested') throw new NetworkRefused('No one has asked to join with that account (it may have been decided already).', 409);
    if (!admit) {
      await transaction.deleteFrom('network_membership').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
      return;
    }
    await transaction.updateTable('network_membership').set({ state: 'member', since: new Date() }).where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    await transaction.insertInto('network_watch').values({ user_id: userId, group_id: groupId, discussion_id: null }).onConflict((conflict) => conflict.doNothing()).execute();
  });
}

/** Invites someone by the address of their account; they join when they accept. */
export async function invite(db: Kysely<Schema>, moderator: Person, groupId: string, address: string): Promise<{ userId: string; name: string }> {
  await moderatorOf(db, moderator, groupId);
  const wanted = address.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(wanted)) throw new NetworkRefused('Enter the email address of the person’s account, like name@example.org.', 400, 'email');
  const [person] = await activePeopleNamed(db, [wanted]).then((people) => people.filter((entry) => entry.email === wanted));
  if (person === undefined) throw new NetworkRefused('No one has an active account with that email address: they need an account before they can be invited.', 400, 'email');
  const inserted = await db
    .insertInto('network_membership')
    .values({ group_id: groupId, user_id: person.id, state: 'invited', invited_by: moderator.userId })
    .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doUpdateSet({ state: 'invited', invited_by: moderator.userId }).where('network_membership.state', '=', 'requested'))
    .returning('user_id')
    .executeTakeFirst();
  if (inserted === undefined) throw new NetworkRefused(`${person.displayName} is already a member of the group or invited to it.`, 409, 'email');
  return { userId: person.id, name: person.displayName };
}

export interface Member {
  userId: string;
  name: string;
  role: MemberRole;
  state: MemberState;
  since: Date;
}

/**
 * The group's members (and, for its moderators, requests and invitations), owners and moderators
 * first, then the longest-standing; at most `limit` of them, so a large group's page stays short.
 */
export async function membersOf(db: Kysely<Schema>, groupId: string, withPending: boolean, limit = 100_000): Promise<Member[]> {
  let query = db.selectFrom('network_membership').select(['user_id', 'role', 'state', 'since']).where('group_id', '=', groupId);
  if (!withPending) query = query.where('state', '=', 'member');
  const rows = await query
    .orderBy(sql`case role when 'owner' then 0 when 'moderator' then 1 else 2 end`)
    .orderBy(sql`case state when 'requested' then 0 when 'invited' then 1 else 2 end`)
    .orderBy('since')
    .limit(limit)
    .execute();
  const people = await activePeople(
    db,
    rows.map((row) => row.user_id),
  );
  const roleOrder: Record<MemberRole, number> = { owner: 0, moderator: 1, member: 2 };
  return rows
    .flatMap((row) => {
      const person = people.get(row.user_id);
      return person === undefined ? [] : [{ userId: row.user_id, name: person.displayName, role: row.role, state: row.state, since: row.since }];
    })
    .sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || a.name.localeCompare(b.name, 'en-GB'));
}

/** Makes a member a moderator or an owner, or a plain member again (owners only). */
export async function setMemberRole(db: Kysely<Schema>, owner: Person, groupId: string, userId: string, role: MemberRole): Promise<void> {
  const group = await readGroup(db, owner.userId, groupId);
  if (group.standing.role !== 'owner' || group.standing.state !== 'member') throw new NetworkRefused('Only the group’s owners may change members’ roles.', 403);
  if (userId === owner.userId) throw new NetworkRefused('Ask another owner to change your own role.', 409);
  const changed = await db.updateTable('network_membership').set({ role }).where('group_id', '=', groupId).where('user_id', '=', userId).where('state', '=', 'member').executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) throw new NetworkRefused('That person is not a member of the group.', 404);
}

/** Marks the group as just active, so lists show the liveliest first. */
export async function touchGroup(db: Kysely<Schema>, groupId: string, at = new Date()): Promise<void> {
  await db.updateTable('network_group').set({ last_activity_at: at }).where('id', '=', groupId).execute();
}
