/**
 * A group's events: a date and time, a place or an online link (or both), and sign-up, with a
 * capacity if the organiser sets one. Each event is also an iCalendar file, so it goes into anyone's
 * calendar. Members add events and sign up; anyone who may read the group sees them.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import ical from 'ical-generator';
import type { Schema } from '../db/schema.js';
import { mayTakePart } from './access.js';
import { readableGroup } from './discussions.js';
import { isUuid, NetworkRefused, readGroup, touchGroup } from './groups.js';
import type { GroupSummary, Person } from './groups.js';

export interface GroupEvent {
  id: string;
  groupId: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  place: string | null;
  onlineUrl: string | null;
  capacity: number | null;
  signedUp: number;
  /** The reader has signed up. */
  going: boolean;
}

export interface EventFields {
  title: string;
  description: string;
  /** Local (Europe/London) date and times, as the form gives them: 2027-03-04, 10:00, 12:30. */
  date: string;
  startTime: string;
  endTime: string;
  place: string;
  onlineUrl: string;
  capacity: string;
}

/** The instant a local date and time in London is, whatever the server's own zone (summer time included). */
export function londonInstant(date: string, time: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const clock = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (match === null || clock === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute] = [Number(clock[1]), Number(clock[2])];
  if (hour > 23 || minute > 59) return undefined;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  // London is UTC or one hour ahead: find the offset that maps back to the same wall-clock time.
  for (const offsetHours of [0, 1]) {
    const instant = new Date(asUtc - offsetHours * 3_600_000);
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
    if (wall === `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`) return instant;
  }
  return undefined;
}

function checkedEvent(fields: EventFields, now: Date) {
  const title = fields.title.trim().replace(/\s+/g, ' ');
  if (title.length === 0) throw new NetworkRefused('Give the event a title.', 400, 'title');
  if (title.length > 200) throw new NetworkRefused('Write the title in 200 characters or fewer.', 400, 'title');
  const description = fields.description.trim();
  if (description.length > 5000) throw new NetworkRefused('Write the description in 5,000 characters or fewer.', 400, 'description');
  const startsAt = londonInstant(fields.date, fields.startTime);
  if (startsAt === undefined) throw new NetworkRefused(fields.date.trim() === '' ? 'Enter the date of the event.' : 'Enter a real date and a start time, like 2027-03-04 and 10:00.', 400, fields.date.trim() === '' ? 'date' : 'startTime');
  const endsAt = londonInstant(fields.date, fields.endTime);
  if (endsAt === undefined) throw new NetworkRefused('Enter the time the event ends, like 12:30.', 400, 'endTime');
  if (endsAt <= startsAt) throw new NetworkRefused('The event must end after it starts.', 400, 'endTime');
  if (startsAt <= now) throw new NetworkRefused('The event must be in the future.', 400, 'date');
  const place = fields.place.trim();
  const onlineUrl = fields.onlineUrl.trim();
  if (place.length > 300) throw new NetworkRefused('Write the place in 300 characters or fewer.', 400, 'place');
  if (onlineUrl !== '' && (!/^https:\/\/[^\s]+$/i.test(onlineUrl) || onlineUrl.length > 500)) throw new NetworkRefused('Enter the online link as a full https:// address.', 400, 'onlineUrl');
  if (place === '' && onlineUrl === '') throw new NetworkRefused('Enter where the event is, an online link, or both.', 400, 'place');
  const capacity = fields.capacity.trim() === '' ? null : Number(fields.capacity);
  if (capacity !== null && (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000)) throw new NetworkRefused('Enter the number of places as a whole number, or leave it empty for no limit.', 400, 'capacity');
  return { title, description, starts_at: startsAt, ends_at: endsAt, place: place || null, online_url: onlineUrl || null, capacity };
}

export async function addEvent(db: Kysely<Schema>, member: Person, groupId: string, fields: EventFields, now = new Date()): Promise<string> {
  const group = await readGroup(db, member.userId, groupId);
  if (!mayTakePart(group.standing)) throw new NetworkRefused('Only members add events to this group: join it first.', 403);
  const values = checkedEvent(fields, now);
  const { id } = await db.insertInto('network_event').values({ ...values, group_id: groupId, created_by: member.userId }).returning('id').executeTakeFirstOrThrow();
  await touchGroup(db, groupId, now);
  return id;
}

function eventsQuery(db: Kysely<Schema>, userId: string | null) {
  const reader = userId ?? '00000000-0000-0000-0000-000000000000';
  return db
    .selectFrom('network_event as e')
    .select([
      'e.id',
      'e.group_id',
      'e.title',
      'e.description',
      'e.starts_at',
      'e.ends_at',
      'e.place',
      'e.online_url',
      'e.capacity',
      (eb) => eb.selectFrom('network_event_signup as s').select(sql<number>`count(*)::int`.as('n')).whereRef('s.event_id', '=', 'e.id').as('signed_up'),
      (eb) => eb.exists(eb.selectFrom('network_event_signup as s').select('s.event_id').whereRef('s.event_id', '=', 'e.id').where('s.user_id', '=', reader)).as('going'),
    ]);
}

type EventRow = Awaited<ReturnType<ReturnType<typeof eventsQuery>['execute']>>[number];

function eventOf(row: EventRow): GroupEvent {
  return {
    id: row.id,
    groupId: row.group_id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    place: row.place,
    onlineUrl: row.online_url,
    capacity: row.capacity,
    signedUp: Number(row.signed_up ?? 0),
    going: Boolean(row.going),
  };
}

/** The group's events still to come (and those of the last day), soonest first. */
export async function upcomingEvents(db: Kysely<Schema>, userId: string | null, groupOrId: string | GroupSummary, now = new Date()): Promise<GroupEvent[]> {
  const groupId = (await readableGroup(db, userId, groupOrId)).id;
  const rows = await eventsQuery(db, userId)
    .where('e.group_id', '=', groupId)
    .where('e.ends_at', '>', new Date(now.getTime() - 24 * 3_600_000))
    .orderBy('e.starts_at')
    .execute();
  return rows.map(eventOf);
}

export async function readEvent(db: Kysely<Schema>, userId: string | null, groupId: string, eventId: string): Promise<GroupEvent> {
  await readableGroup(db, userId, groupId);
  const row = isUuid(eventId) ? await eventsQuery(db, userId).where('e.id', '=', eventId).where('e.group_id', '=', groupId).executeTakeFirst() : undefined;
  if (row === undefined) throw new NetworkRefused('There is no such event in this group.', 404);
  return eventOf(row);
}

/** Signs a member up (or off); a full event refuses more. Two people taking the last place at once: one gets it. */
export async function signUp(db: Kysely<Schema>, member: Person, groupId: string, eventId: string, going: boolean, now = new Date()): Promise<void> {
  const group = await readGroup(db, member.userId, groupId);
  if (!mayTakePart(group.standing)) throw new NetworkRefused('Only members sign up to this group’s events: join it first.', 403);
  await db.transaction().execute(async (transaction) => {
    const event = isUuid(eventId) ? await transaction.selectFrom('network_event').select(['capacity', 'ends_at']).where('id', '=', eventId).where('group_id', '=', groupId).forUpdate().executeTakeFirst() : undefined;
    if (event === undefined) throw new NetworkRefused('There is no such event in this group.', 404);
    if (!going) {
      await transaction.deleteFrom('network_event_signup').where('event_id', '=', eventId).where('user_id', '=', member.userId).execute();
      return;
    }
    if (event.ends_at <= now) throw new NetworkRefused('The event is over.', 409);
    if (event.capacity !== null) {
      const taken = await transaction.selectFrom('network_event_signup').select(sql<number>`count(*)::int`.as('n')).where('event_id', '=', eventId).where('user_id', '<>', member.userId).executeTakeFirstOrThrow();
      if (taken.n >= event.capacity) throw new NetworkRefused('The event is full: every place is taken.', 409);
    }
    await transaction.insertInto('network_event_signup').values({ event_id: eventId, user_id: member.userId }).onConflict((conflict) => conflict.doNothing()).execute();
  });
}

/** The event as an iCalendar file (RFC 5545), times in UTC, with a link back to its group. */
export function eventCalendar(event: GroupEvent, groupName: string, pageUrl: string): string {
  const calendar = ical({ name: groupName, prodId: { company: 'Narrowing the Gap', product: 'network', language: 'EN' } });
  calendar.createEvent({
    id: `${event.id}@narrowing-the-gap`,
    start: event.startsAt,
    end: event.endsAt,
    summary: event.title,
    description: [event.description, `${groupName}: ${pageUrl}`].filter((part) => part !== '').join('\n\n'),
    location: event.place ?? event.onlineUrl ?? undefined,
    url: event.onlineUrl ?? pageUrl,
  });
  return calendar.toString();
}
