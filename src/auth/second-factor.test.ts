import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTP, Secret } from 'otpauth';
import { Agent } from '../../test/support/agent.js';
import { newAccount, newOrganisation } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { createSession } from './sessions.js';
import { tokenHash } from './secrets.js';
import { verifySecondFactor } from './sign-in.js';
import { currentTotp, newTotpSecret } from './totp.js';

const password = 'a long and unusual passphrase';

/** The code of the 30-second step `offset` steps from now, as an authenticator app a little out of step shows it. */
function codeAt(secret: string, offset: number): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offset * 30_000 });
}

describe.each(testEngines)('one-time codes on %s', (engine) => {
  let testApp: TestApp;
  let authority: string;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    authority = await newOrganisation(testApp.database.db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
  });
  afterAll(async () => {
    await testApp.close();
  });

  async function signInWithPassword(email: string): Promise<Agent> {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email, password, next: '/account' });
    expect(response.headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
    return agent;
  }

  it('refuses a code that was already used, even in another session', async () => {
    const secret = newTotpSecret();
    await newAccount(testApp.database.db, { email: 'replayed@example.org', password, role: 'analyst', organisationId: authority, totpSecret: secret });
    const code = currentTotp(secret);
    const first = await signInWithPassword('replayed@example.org');
    const accepted = await first.submit('/sign-in/second-factor', '/sign-in/second-factor', { code, next: '/account' });
    expect(accepted.headers.location).toBe('/account');

    const attacker = await signInWithPassword('replayed@example.org');
    const replayed = await attacker.submit('/sign-in/second-factor', '/sign-in/second-factor', { code, next: '/account' });
    expect(replayed.statusCode).toBe(401);
    expect((await attacker.get('/account')).headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
  });

  it('refuses a code from a step before the last one used, and accepts the next step', async () => {
    const secret = newTotpSecret();
    await newAccount(testApp.database.db, { email: 'stepping@example.org', password, role: 'analyst', organisationId: authority, totpSecret: secret });
    const now = await signInWithPassword('stepping@example.org');
    expect((await now.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: codeAt(secret, 0) })).statusCode).toBe(303);
    const earlier = await signInWithPassword('stepping@example.org');
    expect((await earlier.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: codeAt(secret, -1) })).statusCode).toBe(401);
    const later = await signInWithPassword('stepping@example.org');
    expect((await later.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: codeAt(secret, 1) })).statusCode).toBe(303);
  });

  it('accepts one of two sessions racing with the same code, never both', async () => {
    const secret = newTotpSecret();
    const db = testApp.database.db;
    const userId = await newAccount(db, { email: 'racing@example.org', password, role: 'analyst', organisationId: authority, totpSecret: secret });
    const sessions = await Promise.all([0, 1, 2, 3].map(() => createSession(db, userId, { ip: '127.0.0.1', userAgent: 'test' })));
    const code = currentTotp(secret);
    const outcomes = await Promise.all(
      sessions.map((token) => verifySecondFactor(db, { userId, email: 'racing@example.org', sessionIdHash: tokenHash(token) }, code, { ip: '127.0.0.1', userAgent: 'test' })),
    );
    expect(outcomes.filter((outcome) => outcome === 'verified')).toHaveLength(1);
  });

  it('refuses the code that confirmed a new authenticator app when it is given again at sign-in', async () => {
    await newAccount(testApp.database.db, { email: 'new@example.org', password, role: 'analyst', organisationId: authority });
    const agent = new Agent(testApp.app);
    await agent.submit('/sign-in', '/sign-in', { email: 'new@example.org', password });
    const setUp = await agent.get('/sign-in/second-factor/set-up');
    const key = /<strong class="ntg-code">([A-Z2-7 ]+)<\/strong>/.exec(setUp.body)?.[1]?.replace(/ /g, '') ?? '';
    const code = currentTotp(key);
    expect((await agent.submit('/sign-in/second-factor/set-up', '/sign-in/second-factor/set-up', { code })).statusCode).toBe(200);
    const again = new Agent(testApp.app);
    await again.submit('/sign-in', '/sign-in', { email: 'new@example.org', password });
    expect((await again.submit('/sign-in/second-factor', '/sign-in/second-factor', { code })).statusCode).toBe(401);
  });
});
