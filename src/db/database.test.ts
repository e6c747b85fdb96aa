import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { DatabaseOpenError, openDatabase, openPGlite, openPostgres } from './database.js';

const runningAsRoot = process.getuid?.() === 0;
/** `nobody`, who owns nothing: the user the permission tests run as when the suite runs as root. */
const unprivileged = { uid: 65534, gid: 65534 };

/** Opens PGlite in `folder` in a child process running as `user`; resolves to the error message, or "opened". */
async function openPGliteAs(user: { uid: number; gid: number }, folder: string): Promise<string> {
  const script = `
    const { openPGlite } = await import(${JSON.stringify(new URL('./database.ts', import.meta.url).pathname)});
    try { await (await openPGlite(${JSON.stringify(folder)})).close(); console.log('opened'); }
    catch (error) { console.log(error.message); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    ...user,
    cwd: packageRoot,
    // tsx keeps its cache under the temporary folder; the user has no home.
    env: { ...process.env, HOME: tmpdir() },
    encoding: 'utf8',
  });
  return stdout.trim();
}

describe('the embedded database in a data folder', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-db-'));
  });
  afterEach(() => {
    chmodSync(folder, 0o700);
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps data when closed and opened again', async () => {
    const first = await openDatabase({ dataDir: folder, databaseUrl: undefined, databasePoolMax: 1 });
    expect(first.engine).toBe('pglite');
    await sql`create table note (body text)`.execute(first.db);
    await sql`insert into note values ('kept')`.execute(first.db);
    await first.close();

    const second = await openDatabase({ dataDir: folder, databaseUrl: undefined, databasePoolMax: 1 });
    const result = await sql<{ body: string }>`select body from note`.execute(second.db);
    expect(result.rows).toEqual([{ body: 'kept' }]);
    await second.close();
  });

  it('refuses a folder another running process holds', async () => {
    const pglite = join(folder, 'pglite');
    const first = await openPGlite(pglite);
    // The parent process stands in for another ntg holding the folder.
    writeFileSync(join(pglite, 'ntg.lock'), String(process.ppid));
    await expect(openPGlite(pglite)).rejects.toThrow(/is in use by another ntg process \(pid \d+\)/);
    // A command finds no service sharing the folder: it is told what to run again once the other has finished.
    await expect(openDatabase({ dataDir: folder, databaseUrl: undefined, databasePoolMax: 1 })).rejects.toThrow(
      new RegExp(`is in use by another ntg command \\(pid ${process.ppid}\\), which does not share it as \`ntg serve\` does\\. Wait for it to finish, then run again: ntg`),
    );
    writeFileSync(join(pglite, 'ntg.lock'), String(process.pid));
    await first.close();
  });

  it('says the data folder is not writable', async () => {
    chmodSync(folder, 0o500);
    if (!runningAsRoot) {
      await expect(openPGlite(join(folder, 'sub'))).rejects.toThrow(/Cannot write to the data folder .* \(NTG_DATA_DIR\)/);
      return;
    }
    // Root writes anywhere, and CI runs as root: the folder goes to an unprivileged user, who opens
    // it in a process of their own, so its mode (read and enter, not write) is what refuses.
    chownSync(folder, unprivileged.uid, unprivileged.gid);
    const opened = await openPGliteAs(unprivileged, join(folder, 'sub'));
    expect(opened).toMatch(/^Cannot write to the data folder .*\/sub \(NTG_DATA_DIR\): EACCES/);
  });

  it('says the data folder is not writable when it is a file', async () => {
    const file = join(folder, 'a-file');
    writeFileSync(file, '');
    const attempt = openPGlite(join(file, 'pglite'));
    await expect(attempt).rejects.toThrow(DatabaseOpenError);
    await expect(attempt).rejects.toThrow(/^Cannot write to the data folder .*a-file\/pglite \(NTG_DATA_DIR\): /);
  });
});

describe('a PostgreSQL server that does not answer', () => {
  it('is reported with its address and without its password', async () => {
    const attempt = openPostgres('postgres://ntg:hunter2@127.0.0.1:1/ntg');
    await expect(attempt).rejects.toThrow(DatabaseOpenError);
    await expect(attempt).rejects.toThrow(
      /^Cannot connect to PostgreSQL at postgres:\/\/ntg:\*\*\*\*\*@127\.0\.0\.1:1\/ntg \(DATABASE_URL\): .*ECONNREFUSED/,
    );
  });
});
