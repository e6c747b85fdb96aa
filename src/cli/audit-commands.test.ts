import { sql } from 'kysely';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../auth/audit.js';
import { checkpointFile, startCheckpoints } from '../auth/audit-checkpoints.js';
import { auditKey, useAuditKey } from '../auth/audit-key.js';
import type { Database } from '../db/database.js';
import { openPGlite } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { runNtg } from '../../test/support/cli.js';

describe('ntg audit', { timeout: 120_000 }, () => {
  let dataDir: string;
  const saved = { dataDir: process.env.NTG_DATA_DIR, key: process.env.NTG_AUDIT_KEY };

  /** The service's database, as the service would open it: keyed with the data folder's audit key. */
  async function open(): Promise<Database> {
    const database = await openPGlite(join(dataDir, 'pglite'));
    useAuditKey(database.db, await auditKey({ auditKey: undefined, dataDir }));
    return database;
  }
  async function asOwner(statement: string): Promise<void> {
    const database = await open();
    await database.db.transaction().execute(async (transaction) => {
      // Replica mode skips triggers: what someone with direct database access could do.
      await sql`set local session_replication_role = replica`.execute(transaction);
      await sql.raw(statement).execute(transaction);
    });
    await database.close();
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-audit-'));
    process.env.NTG_DATA_DIR = dataDir;
    delete process.env.NTG_AUDIT_KEY;
    const database = await open();
    await migrateToLatest(database.db);
    for (const outcome of ['success', 'failure', 'success'] as const) {
      await appendAudit(database.db, { action: 'sign-in', outcome, actorEmail: 'analyst@example.org' });
    }
    await database.close();
  });
  afterEach(() => {
    for (const [name, value] of [['NTG_DATA_DIR', saved.dataDir], ['NTG_AUDIT_KEY', saved.key]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verify reports an intact chain and exits 0', async () => {
    const result = await runNtg('audit', 'verify');
    expect(result).toMatchObject({ code: 0, out: 'Audit log intact: 3 entries verified.' });
  });

  it('verify names the first altered entry and exits 1', async () => {
    await asOwner(`update audit_log set actor_email = 'someone-else@example.org' where seq = 2`);
    const result = await runNtg('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'ntg: The audit log has been tampered with: entry 2 was altered after it was written. The 1 entries before it verify.',
    );
  });

  it('verify refuses the log under another audit key and exits 1', async () => {
    process.env.NTG_AUDIT_KEY = 'an audit key that is not the one the log was written with';
    const result = await runNtg('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: The audit log has been tampered with: entry 1 was written under another audit key \(id [0-9a-f]{16}; the key given has id [0-9a-f]{16}\)/);
  });

  it('checkpoint prints a signed checkpoint and appends it to the file given', async () => {
    const file = join(dataDir, 'kept-elsewhere.jsonl');
    const first = await runNtg('audit', 'checkpoint', '--out', file);
    const second = await runNtg('audit', 'checkpoint', '--out', file);
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.out) as Record<string, unknown>;
    expect(printed).toMatchObject({ kind: 'ntg-audit-checkpoint', version: 1, entries: 3 });
    expect(printed.head).toMatch(/^[0-9a-f]{64}$/);
    expect(printed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8')).toBe(`${first.out}\n${second.out}\n`);
    expect(await runNtg('audit', 'verify', '--checkpoint', file)).toMatchObject({ code: 0, out: 'Audit log intact: 3 entries verified. Consistent with 2 checkpoints.' });
  });

  it('verify names the loss when the last entries were deleted after a checkpoint, and exits 1', async () => {
    const file = join(dataDir, 'kept-elsewhere.jsonl');
    await runNtg('audit', 'checkpoint', '--out', file);
    await asOwner('delete from audit_log where seq >= 2');
    // Without the checkpoint what is left still verifies: that is what truncation relies on.
    expect((await runNtg('audit', 'verify')).code).toBe(0);
    const result = await runNtg('audit', 'verify', '--checkpoint', file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^ntg: The audit log has been tampered with: the log has 1 entries but the checkpoint at line 1 of ${file}, taken .*, recorded 3: entries 2 to 3 were removed\\.$`));
  });

  it('verify refuses a forged checkpoint and exits 1', async () => {
    const file = join(dataDir, 'forged.jsonl');
    const genuine = JSON.parse((await runNtg('audit', 'checkpoint')).out) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...genuine, entries: 1 })}\n`);
    const result = await runNtg('audit', 'verify', '--checkpoint', file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^ntg: The audit log has been tampered with: the checkpoint at line 1 of ${file} is not signed with this service's audit key`));
  });

  it('verify holds the log against the checkpoints the service wrote in the data folder', async () => {
    const database = await open();
    const stop = startCheckpoints(database.db, { dataDir, auditCheckpointMinutes: 60 }, { error: () => undefined });
    await stop();
    await database.close();
    expect(readFileSync(join(dataDir, checkpointFile), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await runNtg('audit', 'verify')).toMatchObject({ code: 0, out: 'Audit log intact: 3 entries verified. Consistent with 1 checkpoint.' });
    await asOwner('delete from audit_log where seq = 3');
    const result = await runNtg('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.err).toContain('the log has 2 entries but the checkpoint at line 1 of');
  });

  it('db harden explains that the embedded database has no roles to harden, and exits 1', async () => {
    const result = await runNtg('db', 'harden', '--service-role', 'ntg');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: The embedded database has a single user/);
  });
});
