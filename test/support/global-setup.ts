import { existsSync } from 'node:fs';
import { chromiumPath } from './browser.js';
import { describeTestEngines } from './database.js';

/** Says once, at the top of the run, which engines and browser the suite is using. */
export default function announceTestEnvironment(): void {
  console.log(`Database tests run against: ${describeTestEngines()}.`);
  console.log(
    existsSync(chromiumPath)
      ? `Browser tests run in ${chromiumPath} (headless).`
      : `Browser tests are SKIPPED: ${chromiumPath} is not installed (apt-get install -y chromium).`,
  );
}
