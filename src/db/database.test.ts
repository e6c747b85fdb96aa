import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseOpenError, openDatabase, openPGlite, openPostgres } from './database.js';

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
    writeFileSync(join(pglite, 'ntg.lock'), String(process.pid));
    await first.close();
  });

  it.skipIf(process.getuid?.() === 0)('says the data folder is not writable', async () => {
    chmodSync(folder, 0o500);
    await expect(openPGlite(join(folder, 'sub'))).rejects.toThrow(/Cannot write to the data folder .* \(NTG_DATA_DIR\)/);
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
