import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import type { Capability } from '../web/capability.js';
import { sessionCookieName } from './gate.js';
import { createSession, recordSecondFactor } from './sessions.js';
import { tokenHash } from './secrets.js';

const probe: Capability = {
  name: 'token-probe',
  registerRoutes(app) {
    app.get('/api/v1/probe/aggregates', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, () => ({ allowed: true }));
    app.post('/api/v1/probe/imports', { schema: { hide: true }, config: { permission: 'imports:write' } }, () => ({ allowed: true }));
    app.get('/probe/page', { schema: { hide: true }, config: { permission: 'aggregates:read' } }, () => 'page');
  },
};

describe.each(testEngines)('personal access tokens on %s', (engine) => {
  let testApp: TestApp;
  let analyst: Agent;
  let analystId: string;
  let camden: string;

  async function createToken(scopes: string[]): Promise<string> {
    const page = await analyst.get('/account');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const body = new URLSearchParams([['_csrf', csrf], ['name', 'nightly report'], ['days', '30'], ...scopes.map((scope): [string, string] => ['scopes', scope])]);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/account/tokens',
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(analyst.cookies),
    });
    expect(response.statusCode).toBe(200);
    return /<p class="govuk-body ntg-code" id="token">(ntg_pat_[A-Za-z0-9_-]+)<\/p>/.exec(response.body)?.[1] ?? '';
  }
  async function newSignedInSession(userId: string): Promise<string> {
    const token = await createSession(testApp.database.db, userId, { ip: '127.0.0.1', userAgent: 'test' });
    await recordSecondFactor(testApp.database.db, tokenHash(token));
    return token;
  }
  const call = (method: 'GET' | 'POST', url: string, token: string) =>
    testApp.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    testApp = await createTestApp({ engine, extraCapabilities: [probe] });
    const db = testApp.database.db;
    camden = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    const user = await newSignedInUser(db, { email: 'analyst@camden.example', role: 'analyst', organisationId: camden });
    analystId = user.userId;
    analyst = new Agent(testApp.app);
    analyst.cookies.set(sessionCookieName(false), user.sessionToken);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('lets a script use only the actions chosen for its token, and only in the API', async () => {
    const token = await createToken(['aggregates:read']);
    expect(token).toMatch(/^ntg_pat_/);
    expect((await call('GET', '/api/v1/probe/aggregates', token)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/probe/imports', token)).statusCode).toBe(403);
    expect((await call('GET', '/probe/page', token)).statusCode).toBe(401);
    const stored = await testApp.database.db.selectFrom('personal_access_token').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
  });

  it('needs no CSRF token from a script, since a bearer token is never sent by a browser on its own', async () => {
    const token = await createToken(['imports:write']);
    expect((await call('POST', '/api/v1/probe/imports', token)).statusCode).toBe(200);
  });

  it('stops working when revoked', async () => {
    const token = await createToken(['aggregates:read']);
    const tokens = await testApp.database.db.selectFrom('personal_access_token').select('id').where('revoked_at', 'is', null).orderBy('created_at', 'desc').execute();
    const newest = tokens[0]?.id ?? '';
    expect((await analyst.submit('/account', `/account/tokens/${newest}/revoke`, {})).statusCode).toBe(303);
    const response = await call('GET', '/api/v1/probe/aggregates', token);
    expect(response.statusCode).toBe(401);
    expect(response.json<{ message: string }>().message).toBe('The access token is not valid: it is unknown, expired or revoked.');
  });

  it('stops working when its owner signs out everywhere, as do the owner\'s other tokens', async () => {
    const first = await createToken(['aggregates:read']);
    const second = await createToken(['imports:write']);
    expect((await call('GET', '/api/v1/probe/aggregates', first)).statusCode).toBe(200);
    const account = await analyst.get('/account');
    expect(account.body).toContain('also revokes your personal access tokens');
    const signedOut = await analyst.submit('/account', '/account/sign-out-everywhere', {});
    expect(signedOut.headers.location).toBe('/signed-out');
    expect((await call('GET', '/api/v1/probe/aggregates', first)).statusCode).toBe(401);
    expect((await call('POST', '/api/v1/probe/imports', second)).statusCode).toBe(401);
    const live = await testApp.database.db.selectFrom('personal_access_token').select('id').where('user_id', '=', analystId).where('revoked_at', 'is', null).execute();
    expect(live).toEqual([]);
    const audit = await testApp.database.db.selectFrom('audit_log').select('details').where('action', '=', 'sign-out-everywhere').where('actor_user_id', '=', analystId).executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ sessions: 1, accessTokens: expect.any(Number) as number });
    // Signed in again for the tests that follow.
    analyst.cookies.set(sessionCookieName(false), (await newSignedInSession(analystId)));
  });

  it('loses an action when its owner loses the role that granted it', async () => {
    const token = await createToken(['aggregates:read']);
    await testApp.database.db.deleteFrom('membership').where('user_id', '=', analystId).execute();
    await testApp.database.db.insertInto('membership').values({ user_id: analystId, organisation_id: camden, role: 'contributor', granted_by: null }).execute();
    expect((await call('GET', '/api/v1/probe/aggregates', token)).statusCode).toBe(403);
  });

  it('refuses an unknown token', async () => {
    expect((await call('GET', '/api/v1/probe/aggregates', 'ntg_pat_made-up')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/framework/items/GT01-H', 'not-even-a-token')).statusCode).toBe(401);
  });
});
