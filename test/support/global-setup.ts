import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { chromiumForTests } from './browser.js';
import { describeTestEngines } from './database.js';

/**
 * Says once which engines and browser the suite uses, and makes one initialised PGlite archive
 * that every test database starts from (initdb takes seconds; loading the archive far less).
 */
export default async function setUp(project: TestProject): Promise<() => void> {
  console.log(`Database tests run against: ${describeTestEngines()}.`);
  console.log(chromiumForTests().summary);
  const folder = mkdtempSync(join(tmpdir(), 'ntg-test-template-'));
  const templatePath = join(folder, 'pglite.tar');
  const pglite = await PGlite.create();
  const archive = await pglite.dumpDataDir('none');
  await pglite.close();
  writeFileSync(templatePath, Buffer.from(await archive.arrayBuffer()));
  project.provide('pgliteTemplatePath', templatePath);
  return () => rmSync(folder, { recursive: true, force: true });
}
