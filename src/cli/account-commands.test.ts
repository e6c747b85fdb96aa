import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPGlite } from '../db/database.js';
import { runNtg } from '../../test/support/cli.js';

describe('ntg accounts invite', { timeout: 120_000 }, () => {
  let dataDir: string;
  const saved = process.env.NTG_DATA_DIR;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-accounts-'));
    process.env.NTG_DATA_DIR = dataDir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NTG_DATA_DIR;
    else process.env.NTG_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes the first platform administrator and prints their single-use link', async () => {
    const result = await runNtg('accounts', 'invite', '--email', 'Head.Of.Data@Example.gov.uk', '--name', 'Head of Data', '--role', 'platform-admin');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Invited head\.of\.data@example\.gov\.uk as platform-admin in National team \(England\)\.\nSend them this link; it works once, for 72 hours:\nhttp:\/\/localhost:3000\/invitation\/[A-Za-z0-9_-]{43}$/);
    const database = await openPGlite(join(dataDir, 'pglite'));
    const account = await database.db.selectFrom('user_account').select(['email', 'status']).executeTakeFirstOrThrow();
    const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_email']).where('action', '=', 'account-invited').executeTakeFirstOrThrow();
    await database.close();
    expect(account).toEqual({ email: 'head.of.data@example.gov.uk', status: 'invited' });
    expect(audit).toEqual({ action: 'account-invited', actor_email: 'operator (command line)' });
  });

  it('needs an organisation for a role held in one, and refuses an unknown code', async () => {
    const missing = await runNtg('accounts', 'invite', '--email', 'a@example.gov.uk', '--name', 'A', '--role', 'analyst');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ntg: --organisation is needed for the analyst role');
    const unknown = await runNtg('accounts', 'invite', '--email', 'a@example.gov.uk', '--name', 'A', '--role', 'analyst', '--organisation', 'E99999999');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('ntg: --organisation: no organisation has the code E99999999');
  });

  it('refuses a malformed email address or an unknown role with usage and exit 2', async () => {
    expect((await runNtg('accounts', 'invite', '--email', 'not-an-email', '--name', 'A', '--role', 'analyst', '--organisation', 'E08000035')).code).toBe(2);
    const role = await runNtg('accounts', 'invite', '--email', 'a@example.gov.uk', '--name', 'A', '--role', 'wizard');
    expect(role.code).toBe(2);
    expect(role.err).toContain("argument 'wizard' is invalid");
  });
});
