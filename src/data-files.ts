import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot } from './package-root.js';

/**
 * Where a shipped data file is: beside the module when running from `src` (tsx, Vitest), otherwise
 * (the build copies no data files into `dist`) at `src/<folder>/<file>` under the package root.
 */
export function dataFilePath(moduleUrl: string | URL, folder: string, file: string, what: string): string {
  const beside = fileURLToPath(new URL(`./${file}`, moduleUrl));
  if (existsSync(beside)) return beside;
  const fallback = join(findPackageRoot(dirname(fileURLToPath(moduleUrl))), 'src', folder, file);
  if (existsSync(fallback)) return fallback;
  throw new Error(`${what} not found: looked for ${beside} and ${fallback}`);
}

/** The parsed JSON of a data file; a file that cannot be read or parsed is an error naming it. */
export function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read ${what} at ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The first ten problems of a data file, one a line, and how many more there are. */
export function listProblems(title: string, problems: readonly string[]): string {
  const shown = problems.slice(0, 10).join('\n  ');
  const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : '';
  return `${title}:\n  ${shown}${more}`;
}
