/** Rewrites the table in docs/permissions.md from src/auth/permissions.ts. Usage: npx tsx scripts/write-permissions-doc.ts */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionsMarkdown } from '../src/auth/permissions.js';
import { packageRoot } from '../src/package-root.js';

const path = join(packageRoot, 'docs', 'permissions.md');
const document = readFileSync(path, 'utf8');
const start = document.indexOf('<!-- table:start -->');
const end = document.indexOf('<!-- table:end -->');
if (start < 0 || end < 0) throw new Error(`${path} has no <!-- table:start --> … <!-- table:end --> markers`);
writeFileSync(path, `${document.slice(0, start)}<!-- table:start -->\n${permissionsMarkdown()}\n${document.slice(end)}`);
console.log(`Updated ${path}`);
