import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.js';
import { runNtg } from '../../test/support/cli.js';

const migrationNames = Object.keys(migrations);

describe('ntg', () => {
  it('lists its commands with --help and exits 0', async () => {
    const result = await runNtg('--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: ntg [options] [command]');
    expect(result.out).toMatch(/serve \[options\]\s+apply pending database migrations and serve/);
    expect(result.out).toMatch(/db\s+manage the database schema/);
  });

  it('lists the db subcommands', async () => {
    const result = await runNtg('db', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/migrate\s+apply every pending migration/);
    expect(result.out).toMatch(/status\s+list applied and pending migrations/);
  });

  it('prints its version with --version', async () => {
    const result = await runNtg('--version');
    expect(result.code).toBe(0);
    expect(result.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints usage and exits 2 for an unknown command', async () => {
    const result = await runNtg('frobnicate');
    expect(result.code).toBe(2);
    expect(result.err).toContain("error: unknown command 'frobnicate'");
    expect(result.err).toContain('run ntg --help for usage');
  });

  it('prints usage and exits 2 for an unknown option', async () => {
    const result = await runNtg('serve', '--colour', 'blue');
    expect(result.code).toBe(2);
    expect(result.err).toContain("error: unknown option '--colour'");
  });

  it('prints usage and exits 2 for a command group without its subcommand', async () => {
    const result = await runNtg('db');
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage: ntg db');
  });

  it('prints usage and exits 2 with no command', async () => {
    const result = await runNtg();
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage: ntg');
  });

  it('refuses a bad port with a one-line message naming it', async () => {
    const result = await runNtg('serve', '--port', 'eighty');
    expect(result.code).toBe(1);
    expect(result.err).toBe('ntg: PORT must be a whole number from 1 to 65535 (got "eighty").');
  });
});

describe('ntg db', { timeout: 120_000 }, () => {
  let dataDir: string;
  const saved = process.env.NTG_DATA_DIR;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-'));
    process.env.NTG_DATA_DIR = dataDir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NTG_DATA_DIR;
    else process.env.NTG_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows pending migrations, applies them, then shows them applied', async () => {
    const before = await runNtg('db', 'status');
    expect(before.code).toBe(0);
    expect(before.out).toContain(`Database: embedded PostgreSQL (PGlite) in ${dataDir}/pglite`);
    for (const name of migrationNames) expect(before.out).toMatch(new RegExp(`${name}\\s+pending`));
    expect(before.out).toContain(`0 applied, ${migrationNames.length} pending. Run "ntg db migrate" to apply them.`);

    const migrate = await runNtg('db', 'migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.out).toContain(`Applied ${migrationNames.length} migrations: ${migrationNames.join(', ')}.`);

    const after = await runNtg('db', 'status');
    for (const name of migrationNames) expect(after.out).toMatch(new RegExp(`${name}\\s+applied \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`));
    expect(after.out).toContain(`${migrationNames.length} applied, 0 pending.`);

    const again = await runNtg('db', 'migrate');
    expect(again.out).toContain('Nothing to do: every migration is already applied.');
  });
});
