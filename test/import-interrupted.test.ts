import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHeader, generateChildRows } from '../src/demo/generate-children.js';
import { testPseudonymKey } from './support/child-files.js';
import { exitOf, spawnNtg } from './support/process.js';

describe('an import killed part-way', () => {
  let folder: string;
  let file: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-killed-'));
    file = join(folder, 'big.csv');
    const out = createWriteStream(file);
    out.write(`${demoHeader().join(',')}\n`);
    for (const row of generateChildRows({ children: 60_000, years: 3, lastYear: 2024, seed: 3, laCode: 'E08000035' })) {
      if (!out.write(`${row.join(',')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }, 120_000);
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('leaves no batch and no records when the process is killed while loading', { timeout: 240_000 }, async () => {
    const env = { NTG_DATA_DIR: join(folder, 'data'), NTG_PSEUDONYM_KEY: testPseudonymKey, DATABASE_URL: '' };
    const loading = spawnNtg(['import', 'children', file, '--la', 'E08000035'], env);
    const deadline = Date.now() + 200_000;
    // The progress line appears every few seconds while rows are being loaded: kill it then.
    while (!/\d rows · /.test(loading.output()) && loading.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(loading.exitCode, loading.output()).toBeNull();
    loading.kill('SIGKILL');
    await exitOf(loading);
    const listing = spawnNtg(['imports', 'list'], env);
    expect(await exitOf(listing)).toBe(0);
    expect(listing.output()).toContain('No files have been loaded yet.');
  });
});
