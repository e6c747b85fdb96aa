import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../auth/gate.js';
import { roles } from '../auth/permissions.js';
import type { Role } from '../auth/permissions.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { createGroup, invite, joinGroup, listGroups, NetworkRefused } from './groups.js';
import { listDiscussions, postingLimits, reply, startDiscussion } from './discussions.js';
import { notificationsFor } from './notifications.js';
import { searchNetwork } from './search.js';

const leeds = 'E08000035';
const bradford = 'E08000032';

type Someone = { userId: string; sessionToken: string; label: string };

describe.each(testEngines)('communities of interest on %s', (engine) => {
  let test: TestApp;
  const people = new Map<string, Someone>();
  const person = (name: string) => people.get(name)!;
  const agentFor = (name: string) => {
    const agent = new Agent(test.app);
    if (name !== 'anonymous') agent.cookies.set(sessionCookieName(false), person(name).sessionToken);
    return agent;
  };
  let open = '';
  let restricted = '';
  let secret = '';

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: leeds, laCode: leeds });
    const other = await newOrganisation(db, { kind: 'local-authority', name: 'Bradford Council', areaCode: bradford, laCode: bradford });
    const add = async (name: string, role: Role, organisationId: string) => {
      const made = await newSignedInUser(db, { email: `${name}@example.org`, role, organisationId });
      people.set(name, { ...made, label: name });
    };
    await add('owner', 'analyst', council);
    await add('member', 'leader', council);
    await add('outsider', 'analyst', other);
    await add('invitee', 'practitioner', other);
    for (const role of roles) await add(`role-${role}`, role, role === 'regional-adviser' || role === 'national-moderator' || role === 'platform-admin' ? other : council);
    const founder = { userId: person('owner').userId, label: 'Owner' };
    open = await createGroup(db, founder, { name: 'Early years in the north', purpose: 'Sharing what works for two-year-olds.', visibility: 'open', theme: 'THEME-1', frameworkGroup: 'children-in-care', threads: ['GT04'] });
    restricted = await createGroup(db, founder, { name: 'Virtual school heads', purpose: 'Heads of virtual schools.', visibility: 'restricted' });
    secret = await createGroup(db, founder, { name: 'Safeguarding leads (confidential)', purpose: 'Secret purpose words.', visibility: 'hidden' });
    await joinGroup(db, { userId: person('member').userId, label: 'member' }, open);
    for (const id of [restricted, secret]) await invite(db, founder, id, 'member@example.org');
    await joinGroup(db, { userId: person('member').userId, label: 'member' }, restricted);
    await joinGroup(db, { userId: person('member').userId, label: 'member' }, secret);
    await startDiscussion(db, founder, secret, { title: 'Hidden thread title', body: 'Hidden words about a case.' });
    await startDiscussion(db, founder, restricted, { title: 'Restricted thread', body: 'Members only words.' });
  });
  afterAll(async () => test?.close());

  it('lists open and restricted groups to everyone, and a hidden group only to its members and invitees', async () => {
    const db = test.database.db;
    const names = async (userId: string | null) => (await listGroups(db, userId)).map((group) => group.name).sort();
    expect(await names(null)).toEqual(['Early years in the north', 'Virtual school heads']);
    expect(await names(person('outsider').userId)).toEqual(['Early years in the north', 'Virtual school heads']);
    expect(await names(person('member').userId)).toEqual(['Early years in the north', 'Safeguarding leads (confidential)', 'Virtual school heads']);
    await invite(db, { userId: person('owner').userId, label: 'Owner' }, secret, 'invitee@example.org');
    expect(await names(person('invitee').userId)).toContain('Safeguarding leads (confidential)');
  });

  it('answers a hidden group with 404 for every role that is not in it, on the page, the API and its discussions', async () => {
    for (const role of roles) {
      const agent = agentFor(`role-${role}`);
      for (const url of [`/network/groups/${secret}`, `/api/v1/groups/${secret}`, `/api/v1/groups/${secret}/discussions`, `/network/groups/${secret}/discussions/new`]) {
        const response = await agent.get(url);
        expect(response.statusCode, `${role} ${url}`).toBe(404);
        expect(response.body).not.toContain('Safeguarding leads');
        expect(response.body).not.toContain('Secret purpose');
      }
      const listed = await agent.get('/api/v1/groups');
      expect(listed.json<{ name: string }[]>().map((group) => group.name)).not.toContain('Safeguarding leads (confidential)');
      expect((await agent.get('/network/groups')).body).not.toContain('Safeguarding leads');
    }
    const anonymous = agentFor('anonymous');
    expect((await anonymous.get(`/network/groups/${secret}`)).statusCode).toBe(404);
    expect((await anonymous.get(`/api/v1/groups/${secret}/discussions`)).statusCode).toBe(404);
  });

  it('shows a restricted group’s purpose but not its discussions to non-members, and everything to members', async () => {
    const outsider = agentFor('outsider');
    const page = await outsider.get(`/network/groups/${restricted}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Heads of virtual schools.');
    expect(page.body).not.toContain('Restricted thread');
    expect(page.body).toContain('Ask to join');
    expect((await outsider.get(`/api/v1/groups/${restricted}/discussions`)).statusCode).toBe(403);
    const member = agentFor('member');
    expect((await member.get(`/network/groups/${restricted}`)).body).toContain('Restricted thread');
    const discussions = await member.get(`/api/v1/groups/${restricted}/discussions`);
    expect(discussions.json<unknown[]>()).toHaveLength(1);
    expect(discussions.json<unknown[]>()[0]).toMatchObject({ title: 'Restricted thread', posts: 1 });
  });

  it('refuses a post from someone who is not a member, and audits the refusal', async () => {
    const db = test.database.db;
    const [discussion] = await listDiscussions(db, person('member').userId, restricted);
    await expect(reply(db, { userId: person('outsider').userId, label: 'outsider' }, restricted, discussion!.id, { body: 'Let me in' })).rejects.toMatchObject({ statusCode: 403 });
    const outsider = agentFor('outsider');
    const response = await test.app.inject({ method: 'POST', url: `/network/groups/${restricted}/discussions/${discussion!.id}`, cookies: Object.fromEntries(outsider.cookies), payload: 'body=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // Without a CSRF token the request never reaches the rule: refused all the same.
    expect([403, 400]).toContain(response.statusCode);
    const count = await db.selectFrom('network_post').select((eb) => eb.fn.countAll<string>().as('n')).where('body', '=', 'hello').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('lets a member join an open group, start a discussion, quote, and shows script as text', async () => {
    const outsider = agentFor('outsider');
    const joined = await outsider.submit(`/network/groups/${open}`, `/network/groups/${open}/join`, {});
    expect(joined.statusCode).toBe(303);
    const started = await outsider.submit(`/network/groups/${open}/discussions/new`, `/network/groups/${open}/discussions/new`, { title: 'Two-year-old offer', body: 'Our take-up rose. <script>alert(1)</script> **bold**' });
    expect(started.statusCode).toBe(303);
    const page = await outsider.get(String(started.headers.location));
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('<strong>bold</strong>');
  });

  it('tells watchers and mentioned members of a post, and never a mentioned outsider', async () => {
    const db = test.database.db;
    const owner = { userId: person('owner').userId, label: 'Owner' };
    const before = (await notificationsFor(db, person('invitee').userId)).length;
    await startDiscussion(db, owner, secret, { title: 'Case conference', body: 'Please look, @member@example.org and @invitee@example.org and @outsider@example.org.' });
    const member = await notificationsFor(db, person('member').userId);
    expect(member.some((notice) => notice.kind === 'mention' && notice.summary.includes('Case conference'))).toBe(true);
    // Invited but not yet a member, and an outsider: nothing of the hidden group reaches them.
    expect((await notificationsFor(db, person('invitee').userId)).length).toBe(before);
    expect((await notificationsFor(db, person('outsider').userId)).map((notice) => notice.summary).join('\n')).not.toContain('Case conference');
    const rows = await db.selectFrom('network_notification').select('user_id').where('summary', 'like', '%Case conference%').execute();
    expect(rows.map((row) => row.user_id)).not.toContain(person('outsider').userId);
    expect(rows.map((row) => row.user_id)).not.toContain(person('invitee').userId);
  });

  it('refuses a flood of posts with the time to wait', async () => {
    const db = test.database.db;
    const owner = { userId: person('owner').userId, label: 'Owner' };
    const { discussionId } = await startDiscussion(db, owner, open, { title: 'Flood', body: 'first' }, new Date('2030-01-01T10:00:00Z'));
    let refused: unknown;
    for (let index = 1; index <= postingLimits.perTenMinutes; index++) {
      try {
        await reply(db, owner, open, discussionId, { body: `post ${index}` }, new Date(`2030-01-01T10:0${Math.min(index, 9)}:00Z`));
      } catch (error) {
        refused = error;
        break;
      }
    }
    expect(refused).toBeInstanceOf(NetworkRefused);
    expect((refused as NetworkRefused).statusCode).toBe(429);
    expect((refused as NetworkRefused).message).toMatch(/wait \d+ minutes?/);
  });

  it('searches only what the person may see: nothing of a hidden group outside it, nothing inside a restricted one for non-members', async () => {
    const db = test.database.db;
    const titles = async (userId: string | null, words: string) => {
      const found = await searchNetwork(db, userId, words);
      return [...found.councils, ...found.groups, ...found.discussions, ...found.documents].map((hit) => hit.title);
    };
    expect(await titles(person('member').userId, 'hidden words case')).toContain('Hidden thread title');
    expect(await titles(person('member').userId, 'safeguarding')).toContain('Safeguarding leads (confidential)');
    for (const userId of [null, person('outsider').userId, person('invitee').userId]) {
      expect(await titles(userId, 'hidden words case')).toEqual([]);
      expect(await titles(userId, 'safeguarding confidential')).toEqual([]);
      expect(await titles(userId, 'members only words')).toEqual([]);
    }
    expect(await titles(person('member').userId, 'members only words')).toContain('Restricted thread');
    expect(await titles(null, 'Leeds')).toContain('Leeds');
    const page = await agentFor('outsider').get('/network/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert(1)');
  });

  it('refuses a group name already taken, whatever its case, naming the field', async () => {
    const founder = agentFor('outsider');
    const response = await founder.submit('/network/groups/new', '/network/groups/new', { name: 'EARLY YEARS IN THE NORTH', purpose: 'x', visibility: 'open' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('A group with that name already exists');
    expect(response.body).toContain('href="#name"');
  });
});
