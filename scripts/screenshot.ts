import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * Developer tool: serves the app on an in-memory database and saves a full-page screenshot of each
 * path given, so a change to a page can be looked at. Usage:
 *   npx tsx scripts/screenshot.ts [--width 1100] [--height 900 --top] /path [/other ...]   → /tmp/ntg-shot-N.png
 * `--top` keeps to the first screenful instead of the whole page.
 */
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { openPGlite } from '../src/db/database.js';
import { capabilities } from '../src/capabilities.js';
import { prepareDatabase } from '../src/service.js';
import { buildApp } from '../src/web/app.js';

const args = process.argv.slice(2);
const widthFlag = args.indexOf('--width');
const width = widthFlag >= 0 ? Number(args.splice(widthFlag, 2)[1]) : 1100;
const heightFlag = args.indexOf('--height');
const height = heightFlag >= 0 ? Number(args.splice(heightFlag, 2)[1]) : 900;
const topFlag = args.indexOf('--top');
const fullPage = topFlag < 0;
if (!fullPage) args.splice(topFlag, 1);
const database = await openPGlite(null);
const config = loadConfig({ NTG_DEMO: 'true', NTG_DEMO_CHILDREN: process.env.NTG_DEMO_CHILDREN ?? '3000', NTG_DATA_DIR: mkdtempSync(join(tmpdir(), 'ntg-shot-')) });
await prepareDatabase(database, config);
const app = await buildApp({ config, database, capabilities });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
for (const [index, path] of args.entries()) {
  await page.goto(`http://127.0.0.1:${port}${path}`);
  const file = `/tmp/ntg-shot-${index + 1}.png`;
  await page.screenshot({ path: file, fullPage });
  console.log(`${path} → ${file}`);
}
await browser.close();
await app.close();
await database.close();
