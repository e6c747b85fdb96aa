/**
 * A group's documents and events: sharing a document or a new version of one, downloading any
 * version, adding an event, signing up or off, and an event's iCalendar file.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { allowedTypesInWords } from '../assessment/evidence-files.js';
import type { Schema } from '../db/schema.js';
import type { UploadedFile } from '../web/app.js';
import { readerId } from './access.js';
import { listDocuments, readDocumentVersion, shareDocument } from './documents.js';
import { addEvent, eventCalendar, readEvent, signUp } from './events.js';
import type { EventFields } from './events.js';
import { NetworkRefused, readGroup } from './groups.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
const signedIn = { permission: 'signed-in' } as const;
type SignedIn = Extract<Viewer, { signedIn: true }>;

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'path' in value && 'filename' in value;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const person = (viewer: SignedIn) => ({ userId: viewer.userId, label: viewer.displayName || viewer.email });

/** A download header that names the file however odd its name (RFC 6266). */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function registerContentRoutes(app: FastifyInstance, db: Kysely<Schema>, options: { documentLimitBytes: number; baseUrl: string }): void {
  const limitText = `${Math.round(options.documentLimitBytes / 1_048_576)} MB`;

  async function refusal(reply: FastifyReply, error: unknown, groupId: string) {
    if (!(error instanceof NetworkRefused)) throw error;
    if (error.statusCode === 404) return reply.callNotFound();
    const title = error.statusCode === 403 ? 'You cannot do that' : 'That could not be done';
    return reply.code(error.statusCode).view('network/refused.njk', { pageTitle: title, title, message: error.message, back: { href: `/network/groups/${groupId}`, text: 'Back to the group' } });
  }

  async function documentForm(reply: FastifyReply, viewer: SignedIn, groupId: string, documentId: string | undefined, errors: { text: string; href: string }[] = [], status = 200) {
    const group = await readGroup(db, viewer.userId, groupId);
    const documents = documentId === undefined ? [] : await listDocuments(db, viewer.userId, groupId);
    const document = documents.find((entry) => entry.id === documentId);
    if (documentId !== undefined && document === undefined) throw new NetworkRefused('There is no such document in this group.', 404);
    return reply.code(status).view('network/document-form.njk', {
      pageTitle: document === undefined ? 'Share a document' : `New version of ${document.title}`,
      breadcrumbs: [
        { text: 'Communities of interest', href: '/network/groups' },
        { text: group.name, href: `/network/groups/${group.id}` },
      ],
      group,
      document,
      allowedTypes: allowedTypesInWords,
      limitText,
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
    });
  }

  app.get<{ Params: { id: string }; Querystring: { document?: string } }>('/network/groups/:id/documents/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    try {
      return await documentForm(reply, request.viewer as SignedIn, request.params.id, request.query.document || undefined);
    } catch (error) {
      return refusal(reply, error, request.params.id);
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/network/groups/:id/documents/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const groupId = request.params.id;
    const body = request.body ?? {};
    const file = body.file;
    const documentId = text(body.document) || undefined;
    const upload = isUploadedFile(file) && !(file.size === 0 && file.filename === '') ? file : undefined;
    try {
      if (upload === undefined) return await documentForm(reply, viewer, groupId, documentId, [{ text: 'Choose a file to share.', href: '#file' }], 400);
      try {
        const shared = await shareDocument(db, person(viewer), groupId, { title: text(body.title), fileName: upload.filename, content: await readFile(upload.path), note: text(body.note), documentId }, options.documentLimitBytes);
        await appendAudit(db, { action: 'network-document.share', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip, target: shared.documentId, details: { group: groupId, version: shared.version } });
        return reply.redirect(`/network/groups/${groupId}?done=shared#documents`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.field !== undefined) return await documentForm(reply, viewer, groupId, documentId, [{ text: error.message, href: `#${error.field}` }], error.statusCode);
        throw error;
      }
    } catch (error) {
      return refusal(reply, error, groupId);
    }
  });

  app.get<{ Params: { id: string; document: string; version: string } }>('/network/groups/:id/documents/:document/versions/:version', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const { id, document, version } = request.params;
    const number = Number(version);
    if (!Number.isInteger(number) || number < 1) return reply.callNotFound();
    try {
      const found = await readDocumentVersion(db, readerId(request.viewer), id, document, number);
      return await reply.type(found.mediaType).header('Content-Disposition', attachment(found.fileName)).header('Cache-Control', 'private, no-store').send(found.content);
    } catch (error) {
      return refusal(reply, error, id);
    }
  });

  const emptyEvent: EventFields = { title: '', description: '', date: '', startTime: '', endTime: '', place: '', onlineUrl: '', capacity: '' };

  async function eventForm(reply: FastifyReply, viewer: SignedIn, groupId: string, values: EventFields, errors: { text: string; href: string }[] = [], status = 200) {
    const group = await readGroup(db, viewer.userId, groupId);
    return reply.code(status).view('network/event-form.njk', {
      pageTitle: 'Add an event',
      breadcrumbs: [
        { text: 'Communities of interest', href: '/network/groups' },
        { text: group.name, href: `/network/groups/${group.id}` },
      ],
      group,
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
    });
  }

  app.get<{ Params: { id: string } }>('/network/groups/:id/events/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    try {
      return await eventForm(reply, request.viewer as SignedIn, request.params.id, emptyEvent);
    } catch (error) {
      return refusal(reply, error, request.params.id);
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/network/groups/:id/events/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const groupId = request.params.id;
    const body = request.body ?? {};
    const values: EventFields = Object.fromEntries(Object.keys(emptyEvent).map((name) => [name, text(body[name])])) as unknown as EventFields;
    try {
      try {
        const eventId = await addEvent(db, person(viewer), groupId, values);
        await appendAudit(db, { action: 'network-event.add', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip, target: eventId, details: { group: groupId } });
        return reply.redirect(`/network/groups/${groupId}/events/${eventId}`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.field !== undefined) return await eventForm(reply, viewer, groupId, values, [{ text: error.message, href: `#${error.field}` }], error.statusCode);
        throw error;
      }
    } catch (error) {
      return refusal(reply, error, groupId);
    }
  });

  app.get<{ Params: { id: string; event: string }; Querystring: { done?: string } }>('/network/groups/:id/events/:event', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const userId = readerId(request.viewer);
    try {
      const group = await readGroup(db, userId, request.params.id);
      const event = await readEvent(db, userId, group.id, request.params.event);
      return await reply.view('network/event.njk', {
        pageTitle: event.title,
        breadcrumbs: [
          { text: 'Communities of interest', href: '/network/groups' },
          { text: group.name, href: `/network/groups/${group.id}` },
        ],
        group,
        event,
        whenText: eventWhen(event.startsAt, event.endsAt),
        full: event.capacity !== null && event.signedUp >= event.capacity && !event.going,
        over: event.endsAt <= new Date(),
        member: group.standing.state === 'member',
        notice: request.query.done === 'going' ? 'You are signed up. Add it to your calendar below.' : request.query.done === 'not-going' ? 'You are no longer signed up.' : undefined,
      });
    } catch (error) {
      return refusal(reply, error, request.params.id);
    }
  });

  app.post<{ Params: { id: string; event: string }; Body: { going?: string } | undefined }>('/network/groups/:id/events/:event/sign-up', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const { id, event } = request.params;
    const going = request.body?.going !== 'no';
    try {
      await signUp(db, person(viewer), id, event, going);
      return await reply.redirect(`/network/groups/${id}/events/${event}?done=${going ? 'going' : 'not-going'}`, 303);
    } catch (error) {
      return refusal(reply, error, id);
    }
  });

  app.get<{ Params: { id: string; event: string } }>('/network/groups/:id/events/:event/calendar.ics', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const userId = readerId(request.viewer);
    const { id, event: eventId } = request.params;
    try {
      const group = await readGroup(db, userId, id);
      const event = await readEvent(db, userId, group.id, eventId);
      const calendar = eventCalendar(event, group.name, `${options.baseUrl}/network/groups/${group.id}/events/${event.id}`);
      return await reply.type('text/calendar; charset=utf-8').header('Content-Disposition', attachment(`${event.title}.ics`)).header('Cache-Control', 'private, no-store').send(calendar);
    } catch (error) {
      return refusal(reply, error, id);
    }
  });
}

// Made once: a formatter costs far more to build than to use.
const eventDay = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const eventDayShort = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'Europe/London' });
const eventTime = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' });

/** "Thursday 4 March 2027, 10am to 12:30pm" in London time. */
export function eventWhen(start: Date, end: Date): string {
  const day = eventDay.format(start);
  const time = (date: Date) => eventTime.format(date).replace(':00', '').replace(' ', '');
  const sameDay = day === eventDay.format(end);
  return sameDay ? `${day}, ${time(start)} to ${time(end)}` : `${day}, ${time(start)}, to ${eventDayShort.format(end)}, ${time(end)}`;
}
