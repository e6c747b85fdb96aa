import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Passwords from './passwords.js';
import type * as Totp from './totp.js';
import { newAccount, newOrganisation } from '../../test/support/accounts.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { verifyPassword } from './passwords.js';
import { createSession } from './sessions.js';
import { tokenHash } from './secrets.js';
import { signIn, verifySecondFactor } from './sign-in.js';
import { accountRule, addressRule } from './throttle.js';
import { currentTotp, newTotpSecret, totpStep } from './totp.js';

// Count every argon2 verification and every one-time code checked: the attacker's real budget.
vi.mock('./passwords.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Passwords>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});
vi.mock('./totp.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Totp>();
  return { ...actual, totpStep: vi.fn(actual.totpStep) };
});

const password = 'a long and unusual passphrase';

/** Runs `total` attempts with `inFlight` of them at a time, as the penetration test did. */
async function inParallel<T>(total: number, inFlight: number, attempt: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < total; start += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, total - start) }, (_, offset) => attempt(start + offset));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe.each(testEngines)('sign-in throttling under parallel attack on %s', { timeout: 120_000 }, (engine) => {
  let database: TestDatabase;
  let authority: string;
  const totpSecret = newTotpSecret();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    authority = await newOrganisation(database.db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    for (const who of ['target', 'bystander', 'reset', 'coded', 'office0', 'office1', 'office2', 'office3']) {
      await newAccount(database.db, { email: `${who}@example.org`, password, role: 'analyst', organisationId: authority, ...(who === 'coded' ? { totpSecret } : {}) });
    }
  });
  afterAll(async () => {
    await database.dispose();
  });
  beforeEach(() => {
    vi.mocked(verifyPassword).mockClear();
    vi.mocked(totpStep).mockClear();
  });

  it('checks no more than five of 150 parallel wrong passwords for one account and locks it', async () => {
    const results = await inParallel(150, 20, (n) => signIn(database.db, { email: 'target@example.org', password: `wrong guess ${n}` }, { ip: '198.51.100.1', userAgent: 'attacker' }));
    expect(vi.mocked(verifyPassword).mock.calls.length).toBeLessThanOrEqual(accountRule.limit);
    expect(results.every((result) => !result.ok)).toBe(true);
    expect(results.filter((result) => !result.ok && result.reason === 'invalid').length).toBeLessThanOrEqual(accountRule.limit);
    // The right password, from anywhere, is refused while the lock lasts.
    const right = await signIn(database.db, { email: 'target@example.org', password }, { ip: '203.0.113.9', userAgent: 'owner' });
    expect(right).toMatchObject({ ok: false, reason: 'locked' });
    const locks = await database.db.selectFrom('audit_log').select('action').where('action', '=', 'account-locked').where('actor_email', '=', 'target@example.org').execute();
    expect(locks.length).toBeGreaterThanOrEqual(1);
  });

  it('checks no more than twenty of 150 parallel wrong passwords from one address and blocks it', async () => {
    const results = await inParallel(150, 20, (n) => signIn(database.db, { email: `guess${n}@example.org`, password: 'a wrong password' }, { ip: '198.51.100.2', userAgent: 'sprayer' }));
    expect(vi.mocked(verifyPassword).mock.calls.length).toBeLessThanOrEqual(addressRule.limit);
    expect(results.every((result) => !result.ok)).toBe(true);
    const right = await signIn(database.db, { email: 'bystander@example.org', password }, { ip: '198.51.100.2', userAgent: 'sprayer' });
    expect(right).toMatchObject({ ok: false, reason: 'locked' });
    // Another address is not blocked by it.
    const elsewhere = await signIn(database.db, { email: 'bystander@example.org', password }, { ip: '203.0.113.10', userAgent: 'owner' });
    expect(elsewhere.ok).toBe(true);
  });

  it('checks no more than five of 40 parallel wrong one-time codes and locks the account', async () => {
    const account = await database.db.selectFrom('user_account').select('id').where('email', '=', 'coded@example.org').executeTakeFirstOrThrow();
    const sessionToken = await createSession(database.db, account.id, { ip: '198.51.100.3', userAgent: 'attacker' });
    const session = { userId: account.id, email: 'coded@example.org', sessionIdHash: tokenHash(sessionToken) };
    const wrongCode = (n: number) => String((Number(currentTotp(totpSecret)) + 500_000 + n) % 1_000_000).padStart(6, '0');
    const outcomes = await inParallel(40, 20, (n) => verifySecondFactor(database.db, session, wrongCode(n), { ip: '198.51.100.3', userAgent: 'attacker' }));
    expect(vi.mocked(totpStep).mock.calls.length).toBeLessThanOrEqual(accountRule.limit);
    expect(outcomes.filter((outcome) => outcome === 'invalid').length).toBeLessThanOrEqual(accountRule.limit);
    expect(await verifySecondFactor(database.db, session, currentTotp(totpSecret), { ip: '198.51.100.3', userAgent: 'owner' })).toBe('locked');
  });

  it('forgets an account’s failures after the right password', async () => {
    const client = { ip: '198.51.100.4', userAgent: 'forgetful' };
    for (let round = 0; round < 3; round += 1) {
      for (let n = 0; n < accountRule.limit - 1; n += 1) {
        expect(await signIn(database.db, { email: 'reset@example.org', password: `typo ${n}` }, client)).toMatchObject({ ok: false, reason: 'invalid' });
      }
      expect((await signIn(database.db, { email: 'reset@example.org', password }, client)).ok).toBe(true);
    }
  });

  it('counts no right password against the address, however many sign in from it at once', async () => {
    // A council's offices share one address: many correct sign-ins must never block it.
    const results = await inParallel(addressRule.limit * 2, 8, (n) => signIn(database.db, { email: `office${n % 4}@example.org`, password }, { ip: '198.51.100.5', userAgent: 'office' }));
    expect(results.every((result) => result.ok)).toBe(true);
  });
});
