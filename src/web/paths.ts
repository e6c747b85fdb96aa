import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';

const require = createRequire(import.meta.url);

/** govuk-frontend's `dist` folder: templates (`govuk/...`), CSS, JS, fonts and images. */
export const govukFrontendDist = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** Templates and public files are read from `src/`, whether the code runs from `src` or `dist`. */
export function sourcePath(...parts: string[]): string {
  return join(packageRoot, 'src', ...parts);
}
