import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';

/** SHA-256 of a file, hex, read as a stream so any size fits in memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Keeps a copy of an imported file for audit: `<data folder>/imports/<sha256><extension>`, readable
 * by the service's own user only. Returns the path relative to the data folder, as batches record it.
 */
export async function keepImportedFile(dataDir: string, sourcePath: string, sha256: string): Promise<string> {
  const folder = join(dataDir, 'imports');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const extension = extname(sourcePath).toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 6);
  const relative = join('imports', `${sha256}${extension}`);
  const target = join(dataDir, relative);
  const existing = await stat(target).catch(() => undefined);
  if (existing === undefined) {
    await copyFile(sourcePath, target);
    await chmod(target, 0o600);
  }
  return relative;
}

/**
 * Deletes a kept copy no batch records any more. A refused file is not kept: it holds children's
 * data that was never loaded, and its problems (stored with the batch) are all anyone needs to fix
 * it. The same bytes may be another batch's kept copy (the same file loaded for another
 * authority): then the copy stays.
 */
export async function discardKeptFile(db: Kysely<Schema>, dataDir: string, relative: string): Promise<void> {
  const stillKept = await db.selectFrom('import_batch').select('id').where('stored_file', '=', relative).limit(1).executeTakeFirst();
  if (stillKept === undefined) await rm(join(dataDir, relative), { force: true });
}

/**
 * Forgets the kept copies of refused child-level imports, and deletes them from the data folder
 * (earlier versions kept them). Run at start-up; a no-op once done.
 */
export async function discardRefusedImportFiles(database: Database, dataDir: string): Promise<number> {
  const refused = await database.db
    .selectFrom('import_batch')
    .select(['id', 'stored_file'])
    .where('kind', '=', 'children')
    .where('outcome', '=', 'rejected')
    .where('stored_file', 'is not', null)
    .execute();
  if (refused.length === 0) return 0;
  await database.db
    .updateTable('import_batch')
    .set({ stored_file: null })
    .where('id', 'in', refused.map((row) => row.id))
    .execute();
  const files = [...new Set(refused.flatMap((row) => row.stored_file ?? []))];
  for (const relative of files) await discardKeptFile(database.db, dataDir, relative);
  return files.length;
}
