import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../auth/mail.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { digestPreference, sendDigests, setDigestFrequency } from './digest.js';
import { reply, startDiscussion } from './discussions.js';
import { createGroup, leaveGroup } from './groups.js';
import type { Person } from './groups.js';

describe.each(testEngines)('the network’s email digest on %s', (engine) => {
  let test: TestApp;
  let owner: Person;
  let reader: Person;
  let leaver: Person;
  let group = '';
  const sent: Message[] = [];
  const mailer = { keepsOutbox: false, send: (message: Message) => Promise.resolve(void sent.push(message)) };
  const base = 'https://ntg.example.org';

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: 'E08000035', laCode: 'E08000035' });
    const person = async (name: string) => ({ userId: (await newSignedInUser(db, { email: `${name}@example.org`, role: 'leader', organisationId: council })).userId, label: name });
    owner = await person('owner');
    reader = await person('reader');
    leaver = await person('leaver');
    group = await createGroup(db, owner, { name: 'Attendance leads', purpose: 'p', visibility: 'restricted' });
    for (const member of [reader, leaver]) {
      await db.insertInto('network_membership').values({ group_id: group, user_id: member.userId, state: 'member' }).execute();
      await db.insertInto('network_watch').values({ user_id: member.userId, group_id: group, discussion_id: null }).execute();
    }
  });
  afterAll(async () => test?.close());

  it('sends each member one email of what is new, once, with a link that stops them', async () => {
    const db = test.database.db;
    const { discussionId } = await startDiscussion(db, owner, group, { title: 'Fines or support?', body: 'What works for persistent absence?' }, new Date('2031-01-05T09:00:00Z'));
    await reply(db, owner, group, discussionId, { body: 'Also: @reader@example.org, your view?' }, new Date('2031-01-05T10:00:00Z'));
    await leaveGroup(db, leaver, group);
    const now = new Date('2031-01-06T07:00:00Z');
    // Two passes at once (two app servers): each person's digest goes once.
    const runs = await Promise.all([sendDigests(db, mailer, { now, baseUrl: base }), sendDigests(db, mailer, { now, baseUrl: base })]);
    expect(runs.reduce((sum, run) => sum + run.people, 0)).toBe(1);
    expect(sent).toHaveLength(1);
    const [email] = sent;
    expect(email!.to).toBe('reader@example.org');
    expect(email!.subject).toBe('Narrowing the Gap network: 2 new posts in your groups');
    expect(email!.body).toContain('Attendance leads');
    expect(email!.body).toContain('owner mentioned you in “Fines or support?”');
    expect(email!.body).toContain('owner started “Fines or support?”');
    const { token } = await digestPreference(db, reader.userId);
    expect(email!.body).toContain(`${base}/network/unsubscribe/${token}`);
    // Nothing new: nothing sent; the one who left hears nothing of the group.
    expect((await sendDigests(db, mailer, { now: new Date('2031-01-20T07:00:00Z'), baseUrl: base })).people).toBe(0);
    expect(sent.map((message) => message.to)).not.toContain('leaver@example.org');
  });

  it('waits a week between weekly emails and a day between daily ones; one click on the link stops them', async () => {
    const db = test.database.db;
    sent.length = 0;
    const [discussion] = await db.selectFrom('network_discussion').select('id').where('group_id', '=', group).execute();
    await reply(db, owner, group, discussion!.id, { body: 'A week later' }, new Date('2031-01-07T09:00:00Z'));
    // The last weekly email went on 6 January: the next is due on the 13th.
    expect((await sendDigests(db, mailer, { now: new Date('2031-01-08T07:00:00Z'), baseUrl: base })).people).toBe(0);
    await setDigestFrequency(db, reader.userId, 'daily');
    expect((await sendDigests(db, mailer, { now: new Date('2031-01-08T07:00:00Z'), baseUrl: base })).people).toBe(1);
    const { token } = await digestPreference(db, reader.userId);
    const opened = await test.app.inject({ method: 'GET', url: `/network/unsubscribe/${token}` });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('You will get no more network emails');
    expect((await digestPreference(db, reader.userId)).frequency).toBe('off');
    await reply(db, owner, group, discussion!.id, { body: 'Later still' }, new Date('2031-01-09T09:00:00Z'));
    expect((await sendDigests(db, mailer, { now: new Date('2031-01-20T07:00:00Z'), baseUrl: base })).people).toBe(0);
    expect((await test.app.inject({ method: 'GET', url: '/network/unsubscribe/not-a-real-token-at-all-000' })).statusCode).toBe(404);
  });

  it('keeps the notices of an email that failed for the next pass', async () => {
    const db = test.database.db;
    await setDigestFrequency(db, reader.userId, 'daily');
    const [discussion] = await db.selectFrom('network_discussion').select('id').where('group_id', '=', group).execute();
    await reply(db, owner, group, discussion!.id, { body: 'Try the mail again' }, new Date('2031-02-01T09:00:00Z'));
    const broken = { keepsOutbox: false, send: () => Promise.reject(new Error('SMTP down')) };
    expect((await sendDigests(db, broken, { now: new Date('2031-02-02T07:00:00Z'), baseUrl: base })).failed).toBe(1);
    sent.length = 0;
    expect((await sendDigests(db, mailer, { now: new Date('2031-02-02T08:00:00Z'), baseUrl: base })).people).toBe(1);
    expect(sent[0]!.body).toContain('owner replied');
  });
});
