import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../auth/audit.js';
import { openPGlite } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { runNtg } from '../../test/support/cli.js';

describe('ntg audit verify', { timeout: 120_000 }, () => {
  let dataDir: string;
  const saved = process.env.NTG_DATA_DIR;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-audit-'));
    process.env.NTG_DATA_DIR = dataDir;
    const database = await openPGlite(join(dataDir, 'pglite'));
    await migrateToLatest(database.db);
    for (const outcome of ['success', 'failure', 'success'] as const) {
      await appendAudit(database.db, { action: 'sign-in', outcome, actorEmail: 'analyst@example.org' });
    }
    await database.close();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NTG_DATA_DIR;
    else process.env.NTG_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports an intact chain and exits 0', async () => {
    const result = await runNtg('audit', 'verify');
    expect(result).toMatchObject({ code: 0, out: 'Audit log intact: 3 entries verified.' });
  });

  it('names the first altered entry and exits 1', async () => {
    const database = await openPGlite(join(dataDir, 'pglite'));
    await database.db.transaction().execute(async (transaction) => {
      await sql`set local session_replication_role = replica`.execute(transaction);
      await sql`update audit_log set actor_email = 'someone-else@example.org' where seq = 2`.execute(transaction);
    });
    await database.close();
    const result = await runNtg('audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'ntg: The audit log has been tampered with: entry 2 was altered after it was written. The 1 entries before it verify.',
    );
  });
});
