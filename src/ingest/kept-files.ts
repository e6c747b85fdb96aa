import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

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
