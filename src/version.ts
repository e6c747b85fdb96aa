import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

interface PackageJson {
  version: string;
}

/** The service's version, from package.json, read once. */
export const version: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson
).version;
