import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from './gate.js';
import { englandCode } from './organisations.js';

/**
 * The penetration test's first attack: an authority administrator invites the email address of
 * another authority's account (or the platform admin's) and, with the role that silently appeared,
 * sees its sessions and deactivates it, while the victim's authority sees nothing in its audit log.
 */
const camdenCode = 'E09000007';
const hackneyCode = 'E09000012';

describe.each(testEngines)('administrators manage only what their authority granted on %s', (engine) => {
  let testApp: TestApp;
  let camden: string;
  const people = new Map<string, { userId: string; agent: Agent }>();
  const as = (who: string) => people.get(who)!.agent;
  const idOf = (who: string) => people.get(who)!.userId;

  async function person(who: string, email: string, role: Parameters<typeof newSignedInUser>[1]['role'], organisationId: string) {
    const { userId, sessionToken } = await newSignedInUser(testApp.database.db, { email, role, organisationId });
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), sessionToken);
    people.set(who, { userId, agent });
  }
  const rolesOf = async (userId: string) =>
    (
      await testApp.database.db
        .selectFrom('membership')
        .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
        .select(['organisation.name', 'membership.role'])
        .where('membership.user_id', '=', userId)
        .orderBy('organisation.name')
        .execute()
    ).map((row) => `${row.role} in ${row.name}`);
  const auditOf = async (action: string, target: string) =>
    testApp.database.db.selectFrom('audit_log').select(['la_code', 'outcome']).where('action', '=', action).where('target', '=', target).orderBy('seq').orderBy('la_code').execute();
  const offerTo = async (userId: string) =>
    (await testApp.database.db.selectFrom('membership_invitation').select('id').where('user_id', '=', userId).where('decided_at', 'is', null).executeTakeFirstOrThrow()).id;
  const latestMessageTo = async (email: string) =>
    (await testApp.database.db.selectFrom('mail_outbox').select('body').where('to_address', '=', email).orderBy('created_at', 'desc').executeTakeFirstOrThrow()).body;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    camden = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camdenCode, laCode: camdenCode });
    const hackney = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackneyCode, laCode: hackneyCode });
    const england = await newOrganisation(db, { kind: 'national', name: 'National team (England)', areaCode: englandCode });
    await person('camden-admin', 'admin@camden.example', 'authority-admin', camden);
    await person('victim', 'analyst@hackney.example', 'analyst', hackney);
    await person('platform-admin', 'platform@ntg.example', 'platform-admin', england);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('invite an existing account of another authority grants nothing until that person accepts it', async () => {
    const sent = await as('camden-admin').submit('/admin/users/invite', '/admin/users/invite', { email: 'Analyst@Hackney.example', name: 'Whoever', organisation: camden, role: 'contributor' });
    // The same answer as for a new address: the page does not say whether an account exists.
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/admin/users?sent=analyst%40hackney.example');
    expect(await rolesOf(idOf('victim'))).toEqual(['analyst in Hackney']);
    expect(await latestMessageTo('analyst@hackney.example')).toContain('http://localhost:3000/account');

    // Until then the inviting administrator cannot see, end the sessions of or deactivate the account.
    const page = `/admin/users/${idOf('victim')}`;
    expect((await as('camden-admin').get(page)).statusCode).toBe(404);
    expect((await as('camden-admin').get('/admin/users')).body).not.toContain(`href="${page}"`);
    expect((await as('camden-admin').submit('/admin/users', `${page}/status`, { status: 'deactivated' })).statusCode).toBe(404);
    expect((await as('camden-admin').submit('/admin/users', `${page}/sessions/end`, {})).statusCode).toBe(404);
    expect((await as('victim').get('/account')).statusCode).toBe(200);

    // Both authorities see the invitation in their own audit log.
    expect(await auditOf('role-offered', 'analyst@hackney.example')).toEqual([
      { la_code: camdenCode, outcome: 'success' },
      { la_code: hackneyCode, outcome: 'success' },
    ]);

    // Someone else cannot accept it for them.
    const offer = await offerTo(idOf('victim'));
    expect((await as('camden-admin').submit('/account', `/account/invitations/${offer}`, { decision: 'accept' })).statusCode).toBe(404);
    expect((await as('camden-admin').submit('/account', '/account/invitations/not-a-uuid', { decision: 'accept' })).statusCode).toBe(404);

    // The person sees it on their account page and accepts it, signed in as themselves.
    const account = await as('victim').get('/account');
    expect(account.body).toMatch(/contributor in Camden/i);
    const accepted = await as('victim').submit('/account', `/account/invitations/${offer}`, { decision: 'accept' });
    expect(accepted.statusCode).toBe(303);
    expect(await rolesOf(idOf('victim'))).toEqual(['contributor in Camden', 'analyst in Hackney']);
    expect(await auditOf('role-offer-accepted', idOf('victim'))).toEqual([
      { la_code: camdenCode, outcome: 'success' },
      { la_code: hackneyCode, outcome: 'success' },
    ]);
  });

  it('manage an account that also holds a role elsewhere refuses its sessions and status, and removes only the authority’s own role', async () => {
    const page = `/admin/users/${idOf('victim')}`;
    const shown = await as('camden-admin').get(page);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatch(/contributor in Camden/i);
    // Nothing of what another authority granted: not its roles, not the sessions, not the controls.
    expect(shown.body).not.toContain('Hackney');
    expect(shown.body).not.toContain('Active sessions');
    expect(shown.body).not.toContain('Deactivate account');

    const deactivated = await as('camden-admin').submit(page, `${page}/status`, { status: 'deactivated' });
    expect(deactivated.statusCode).toBe(403);
    expect(deactivated.body).toContain('This account also holds roles outside the organisations you manage');
    const ended = await as('camden-admin').submit(page, `${page}/sessions/end`, {});
    expect(ended.statusCode).toBe(403);
    expect((await as('victim').get('/account')).statusCode).toBe(200);
    expect(await auditOf('account-deactivated', idOf('victim'))).toEqual([
      { la_code: camdenCode, outcome: 'denied' },
      { la_code: hackneyCode, outcome: 'denied' },
    ]);
    // The platform admin, who manages every account whole, still sees its sessions.
    expect((await as('platform-admin').get(page)).body).toContain('Active sessions');

    // Another authority's role cannot be revoked by naming it.
    const hackneyOrganisation = (await testApp.database.db.selectFrom('organisation').select('id').where('area_code', '=', hackneyCode).executeTakeFirstOrThrow()).id;
    expect((await as('camden-admin').submit(page, `${page}/roles`, { organisation: hackneyOrganisation, role: 'analyst', change: 'revoke' })).statusCode).toBe(400);
    const revoked = await as('camden-admin').submit(page, `${page}/roles`, { organisation: camden, role: 'contributor', change: 'revoke' });
    expect(revoked.statusCode).toBe(303);
    expect(await rolesOf(idOf('victim'))).toEqual(['analyst in Hackney']);
    expect(await auditOf('role-revoked', idOf('victim'))).toEqual([
      { la_code: camdenCode, outcome: 'success' },
      { la_code: hackneyCode, outcome: 'success' },
    ]);
  });

  it('invite the platform admin as an authority administrator leaves the account out of reach, accepted or declined', async () => {
    await as('camden-admin').submit('/admin/users/invite', '/admin/users/invite', { email: 'platform@ntg.example', name: 'P', organisation: camden, role: 'leader' });
    expect(await rolesOf(idOf('platform-admin'))).toEqual(['platform-admin in National team (England)']);
    const page = `/admin/users/${idOf('platform-admin')}`;
    expect((await as('camden-admin').get(page)).statusCode).toBe(404);
    // Accepted, the role is Camden's to remove, but the account stays the platform's.
    expect((await as('platform-admin').submit('/account', `/account/invitations/${await offerTo(idOf('platform-admin'))}`, { decision: 'accept' })).statusCode).toBe(303);
    expect((await as('camden-admin').get(page)).statusCode).toBe(200);
    expect((await as('camden-admin').submit(page, `${page}/status`, { status: 'deactivated' })).statusCode).toBe(403);
    expect((await as('platform-admin').get('/account')).statusCode).toBe(200);

    await as('camden-admin').submit('/admin/users/invite', '/admin/users/invite', { email: 'platform@ntg.example', name: 'P', organisation: camden, role: 'analyst' });
    expect((await as('platform-admin').submit('/account', `/account/invitations/${await offerTo(idOf('platform-admin'))}`, { decision: 'decline' })).statusCode).toBe(303);
    expect(await rolesOf(idOf('platform-admin'))).toEqual(['leader in Camden', 'platform-admin in National team (England)']);
  });

  it('withdraw an offered role leaves nothing to accept and is audited to both authorities', async () => {
    await as('camden-admin').submit('/admin/users/invite', '/admin/users/invite', { email: 'analyst@hackney.example', name: 'A', organisation: camden, role: 'leader' });
    const offer = await offerTo(idOf('victim'));
    expect((await as('camden-admin').submit('/admin/users', `/admin/users/offers/${offer}/withdraw`, {})).statusCode).toBe(303);
    expect((await as('victim').submit('/account', `/account/invitations/${offer}`, { decision: 'accept' })).statusCode).toBe(404);
    expect(await rolesOf(idOf('victim'))).toEqual(['analyst in Hackney']);
    expect(await auditOf('role-offer-withdrawn', idOf('victim'))).toEqual([
      { la_code: camdenCode, outcome: 'success' },
      { la_code: hackneyCode, outcome: 'success' },
    ]);
  });

  it('accept an expired invitation is refused and grants nothing', async () => {
    // Asked twice, one offer waits.
    for (let time = 0; time < 2; time += 1) {
      await as('camden-admin').submit('/admin/users/invite', '/admin/users/invite', { email: 'analyst@hackney.example', name: 'A', organisation: camden, role: 'practitioner' });
    }
    const offer = await offerTo(idOf('victim'));
    expect((await as('camden-admin').get('/admin/users')).body).toMatch(/practitioner in Camden/i);
    await testApp.database.db.updateTable('membership_invitation').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', offer).execute();
    expect((await as('victim').get('/account')).body).not.toMatch(/practitioner in Camden/i);
    expect((await as('victim').submit('/account', `/account/invitations/${offer}`, { decision: 'accept' })).statusCode).toBe(404);
    expect(await rolesOf(idOf('victim'))).toEqual(['analyst in Hackney']);
  });
});
