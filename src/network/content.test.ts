import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../auth/gate.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { listDocuments, shareDocument } from './documents.js';
import { addEvent, eventCalendar, londonInstant, readEvent, signUp } from './events.js';
import { createGroup, joinGroup } from './groups.js';
import { searchNetwork } from './search.js';
import type { Person , NetworkRefused } from './groups.js';

const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const limit = 1_048_576;

describe('London times for events', () => {
  it('reads a summer and a winter time as the instant they are in London', () => {
    expect(londonInstant('2027-07-01', '10:00')?.toISOString()).toBe('2027-07-01T09:00:00.000Z');
    expect(londonInstant('2027-01-15', '10:00')?.toISOString()).toBe('2027-01-15T10:00:00.000Z');
    expect(londonInstant('2027-02-30', '10:00')).toBeUndefined();
    expect(londonInstant('2027-02-03', '25:00')).toBeUndefined();
  });
});

describe.each(testEngines)('a group’s documents and events on %s', (engine) => {
  let test: TestApp;
  let owner: Person;
  let member: Person;
  let outsider: Person & { sessionToken: string };
  let ownerSession = '';
  let open = '';
  let restricted = '';
  let secret = '';

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: 'E08000035', laCode: 'E08000035' });
    const made = await newSignedInUser(db, { email: 'owner@example.org', role: 'analyst', organisationId: council });
    ownerSession = made.sessionToken;
    owner = { userId: made.userId, label: 'Owner' };
    member = { userId: (await newSignedInUser(db, { email: 'member@example.org', role: 'leader', organisationId: council })).userId, label: 'Member' };
    const other = await newSignedInUser(db, { email: 'outsider@example.org', role: 'analyst', organisationId: council });
    outsider = { userId: other.userId, label: 'Outsider', sessionToken: other.sessionToken };
    open = await createGroup(db, owner, { name: 'Open group', purpose: 'p', visibility: 'open' });
    restricted = await createGroup(db, owner, { name: 'Restricted group', purpose: 'p', visibility: 'restricted' });
    secret = await createGroup(db, owner, { name: 'Hidden group', purpose: 'p', visibility: 'hidden' });
    await joinGroup(db, member, open);
  });
  afterAll(async () => test?.close());

  it('keeps every version of a shared document and refuses the wrong type, an empty file and one too large', async () => {
    const db = test.database.db;
    const first = await shareDocument(db, owner, open, { title: 'Transition protocol', fileName: 'protocol.pdf', content: pdf }, limit);
    const second = await shareDocument(db, member, open, { title: '', fileName: 'protocol v2.pdf', content: pdf, note: 'Adds Year 6', documentId: first.documentId }, limit);
    expect(second.version).toBe(2);
    const [document] = await listDocuments(db, owner.userId, open);
    expect(document!.versions.map((version) => [version.version, version.fileName, version.uploadedBy])).toEqual([
      [2, 'protocol v2.pdf', 'Member'],
      [1, 'protocol.pdf', 'Owner'],
    ]);
    const refusal = async (fileName: string, content: Buffer) => {
      try {
        await shareDocument(db, owner, open, { title: 'x', fileName, content }, limit);
      } catch (error) {
        return error as NetworkRefused;
      }
      throw new Error('not refused');
    };
    expect((await refusal('run.exe', Buffer.from('MZ\x90\x00'))).message).toMatch(/PDF, Word, Excel, CSV, PNG or JPEG/);
    expect((await refusal('fake.pdf', Buffer.from('<html><script>alert(1)</script></html>'))).field).toBe('file');
    expect((await refusal('empty.pdf', Buffer.alloc(0))).message).toBe('empty.pdf is empty.');
    expect((await refusal('big.pdf', Buffer.concat([pdf, Buffer.alloc(limit)]))).message).toMatch(/larger than the 1 MB/);
    await expect(shareDocument(db, outsider, open, { title: 'x', fileName: 'a.pdf', content: pdf }, limit)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('lets only those who may read the group download a document: 403 for a restricted group, 404 for a hidden one', async () => {
    const db = test.database.db;
    const inRestricted = await shareDocument(db, owner, restricted, { title: 'Minutes', fileName: 'minutes.pdf', content: pdf }, limit);
    const inSecret = await shareDocument(db, owner, secret, { title: 'Case notes', fileName: 'case.pdf', content: pdf }, limit);
    const agent = new Agent(test.app);
    agent.cookies.set(sessionCookieName(false), outsider.sessionToken);
    expect((await agent.get(`/network/groups/${restricted}/documents/${inRestricted.documentId}/versions/1`)).statusCode).toBe(403);
    const hiddenAnswer = await agent.get(`/network/groups/${secret}/documents/${inSecret.documentId}/versions/1`);
    expect(hiddenAnswer.statusCode).toBe(404);
    expect(hiddenAnswer.body).not.toContain('Case notes');
    const ownerAgent = new Agent(test.app);
    ownerAgent.cookies.set(sessionCookieName(false), ownerSession);
    const download = await ownerAgent.get(`/network/groups/${secret}/documents/${inSecret.documentId}/versions/1`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain('case.pdf');
    expect(download.rawPayload.equals(pdf)).toBe(true);
    // Search finds a document only for those who may read its group.
    const documentTitles = async (userId: string) => (await searchNetwork(db, userId, 'minutes or case notes')).documents.map((hit) => hit.title).sort();
    expect(await documentTitles(owner.userId)).toEqual(['Case notes', 'Minutes']);
    expect(await documentTitles(outsider.userId)).toEqual([]);
  });

  it('gives the last place of a full event to one of two people signing up at once', async () => {
    const db = test.database.db;
    const eventId = await addEvent(db, owner, open, { title: 'Network meeting', description: 'Termly.', date: '2031-03-04', startTime: '10:00', endTime: '12:30', place: 'Leeds Civic Hall', onlineUrl: '', capacity: '1' });
    const results = await Promise.allSettled([signUp(db, owner, open, eventId, true), signUp(db, member, open, eventId, true)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect((rejected!.reason as NetworkRefused).message).toBe('The event is full: every place is taken.');
    const event = await readEvent(db, owner.userId, open, eventId);
    expect(event.signedUp).toBe(1);
  });

  it('refuses an event in the past, one that ends before it starts, and one with nowhere to be', async () => {
    const db = test.database.db;
    const base = { title: 'x', description: '', date: '2031-03-04', startTime: '10:00', endTime: '12:00', place: 'Leeds', onlineUrl: '', capacity: '' };
    await expect(addEvent(db, owner, open, { ...base, date: '2020-01-01' })).rejects.toMatchObject({ field: 'date', message: 'The event must be in the future.' });
    await expect(addEvent(db, owner, open, { ...base, endTime: '09:00' })).rejects.toMatchObject({ field: 'endTime' });
    await expect(addEvent(db, owner, open, { ...base, place: '' })).rejects.toMatchObject({ field: 'place' });
    await expect(addEvent(db, owner, open, { ...base, onlineUrl: 'javascript:alert(1)' })).rejects.toMatchObject({ field: 'onlineUrl' });
    await expect(addEvent(db, outsider, open, base)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('writes an event as an iCalendar file with its times in UTC', async () => {
    const db = test.database.db;
    const eventId = await addEvent(db, owner, open, { title: 'Summer conference', description: '', date: '2031-07-01', startTime: '10:00', endTime: '16:00', place: '', onlineUrl: 'https://meet.example.org/abc', capacity: '' });
    const calendar = eventCalendar(await readEvent(db, owner.userId, open, eventId), 'Open group', 'https://ntg.example.org/x');
    expect(calendar).toContain('BEGIN:VCALENDAR');
    expect(calendar).toContain('SUMMARY:Summer conference');
    expect(calendar).toContain('DTSTART:20310701T090000Z');
    expect(calendar).toContain('DTEND:20310701T150000Z');
    expect(calendar).toContain('LOCATION:https://meet.example.org/abc');
  });
});
