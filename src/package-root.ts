import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json. Templates, public files and data files are read from `src/`
 * under it, so the same paths work when running from source (tests) and from `dist/` (start).
 */
export function findPackageRoot(start: string): string {
  let folder = start;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`No package.json above ${start}`);
    folder = parent;
  }
  return folder;
}

export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
