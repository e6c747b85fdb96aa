import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newAccount, newOrganisation } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { startTestOidcProvider } from '../../test/support/oidc-provider.js';

type Provider = Awaited<ReturnType<typeof startTestOidcProvider>>;

describe('single sign-on with OpenID Connect', () => {
  let provider: Provider;
  let testApp: TestApp;

  /** Follows the service to the provider and back, as a browser would. */
  async function signInThroughProvider(agent: Agent, next = '/account') {
    const start = await agent.get(`/sign-in/oidc?next=${encodeURIComponent(next)}`);
    expect(start.statusCode).toBe(302);
    const atProvider = await fetch(String(start.headers.location), { redirect: 'manual' });
    const back = new URL(String(atProvider.headers.get('location')));
    return agent.get(`${back.pathname}${back.search}`);
  }

  beforeAll(async () => {
    provider = await startTestOidcProvider({ clientId: 'ntg-test', clientSecret: 'test-secret' });
    testApp = await createTestApp({
      environment: { NTG_OIDC_ISSUER: provider.issuer, NTG_OIDC_CLIENT_ID: 'ntg-test', NTG_OIDC_CLIENT_SECRET: 'test-secret', NTG_OIDC_LABEL: 'Camden account' },
    });
    const camden = await newOrganisation(testApp.database.db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    await newAccount(testApp.database.db, { email: 'analyst@camden.example', password: 'a long and unusual passphrase', role: 'contributor', organisationId: camden });
  });
  afterAll(async () => {
    await testApp.close();
    await provider.close();
  });

  it('offers the provider on the sign-in page', async () => {
    const page = await new Agent(testApp.app).get('/sign-in');
    expect(page.body).toContain('Sign in with Camden account');
  });

  it('signs in the invited account whose verified email the provider vouches for', async () => {
    const agent = new Agent(testApp.app);
    const done = await signInThroughProvider(agent);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/account');
    expect((await agent.get('/account')).body).toContain('analyst@camden.example');
    const audit = await testApp.database.db.selectFrom('audit_log').select(['outcome', 'details']).where('action', '=', 'sign-in').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(audit).toEqual({ outcome: 'success', details: { method: 'oidc' } });
  });

  it('refuses an identity with no account here', async () => {
    provider.person.email = 'stranger@camden.example';
    const done = await signInThroughProvider(new Agent(testApp.app));
    provider.person.email = 'analyst@camden.example';
    expect(done.statusCode).toBe(401);
    expect(done.body).toContain('There is no active account for stranger@camden.example');
  });

  it('refuses an email address the provider has not verified', async () => {
    provider.person.email_verified = false;
    const done = await signInThroughProvider(new Agent(testApp.app));
    provider.person.email_verified = true;
    expect(done.statusCode).toBe(401);
    expect(done.body).toContain('The sign-in provider has not verified this email address');
  });

  it('refuses an answer that comes back to a different browser', async () => {
    const started = new Agent(testApp.app);
    const start = await started.get('/sign-in/oidc');
    const atProvider = await fetch(String(start.headers.location), { redirect: 'manual' });
    const back = new URL(String(atProvider.headers.get('location')));
    const other = await new Agent(testApp.app).get(`${back.pathname}${back.search}`);
    expect(other.statusCode).toBe(401);
    expect(other.body).toContain('The sign-in started too long ago or in another browser');
  });
});
