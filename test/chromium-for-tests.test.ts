import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium } from './support/browser.js';

/** Browser tests find Chromium as the service does, and CI never skips them for want of it. */
describe('the Chromium the browser tests use', () => {
  let folder: string;
  let executable: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-chromium-'));
    executable = join(folder, 'chrome');
    writeFileSync(executable, '#!/bin/sh\n');
    chmodSync(executable, 0o755);
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('finds Chromium at NTG_CHROMIUM_PATH, as the service does for PDFs', () => {
    expect(chromiumForTests({ NTG_CHROMIUM_PATH: executable })).toMatchObject({ path: executable, available: true, skip: false });
  });

  it('looks at /usr/bin/chromium when NTG_CHROMIUM_PATH is not set', () => {
    expect(chromiumForTests({}).path).toBe('/usr/bin/chromium');
    expect(chromiumForTests({ NTG_CHROMIUM_PATH: '' }).path).toBe('/usr/bin/chromium');
  });

  it('skips the browser tests when Chromium is missing outside CI', () => {
    const found = chromiumForTests({ NTG_CHROMIUM_PATH: join(folder, 'missing') });
    expect(found).toMatchObject({ available: false, required: false, skip: true });
    expect(found.summary).toMatch(/^Browser tests are SKIPPED: there is no Chromium at .*missing/);
  });

  it('fails the browser tests, rather than skipping them, when Chromium is missing and CI=true', async () => {
    for (const ci of ['true', '1', 'TRUE']) {
      const found = chromiumForTests({ NTG_CHROMIUM_PATH: join(folder, 'missing'), CI: ci });
      expect(found).toMatchObject({ available: false, required: true, skip: false });
      await expect(launchChromium(found)).rejects.toThrow(/^Browser tests FAIL: CI is set and there is no Chromium at .*missing/);
    }
    expect(chromiumForTests({ NTG_CHROMIUM_PATH: join(folder, 'missing'), CI: 'false' }).skip).toBe(true);
  });

  it('does not take a file it cannot run for Chromium', () => {
    const notExecutable = join(folder, 'not-executable');
    writeFileSync(notExecutable, '');
    chmodSync(notExecutable, 0o644);
    expect(chromiumForTests({ NTG_CHROMIUM_PATH: notExecutable }).available).toBe(false);
  });
});
