import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A temporary folder for the files a test file writes, made before its tests and removed after.
 * Call at the top level of a test file (or a describe); returns a writer that gives each file's path.
 */
export function temporaryFiles(prefix: string): (name: string, text: string) => string {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  return (name, text) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };
}
