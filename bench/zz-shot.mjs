import { chromium } from 'playwright-core';
const base = 'http://localhost:3000';
const [email, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
async function signIn(page) {
  await page.goto(`${base}/sign-in`);
  const row = page.getByRole('row').filter({ hasText: email });
  const code = (await row.getByRole('cell').nth(2).textContent())?.trim() ?? '';
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('demo only: narrowing the gap');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/sign-in/second-factor');
  if (new URL(page.url()).pathname === '/sign-in/second-factor') {
    await page.getByLabel('Security code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
  }
}
for (const width of [1280, 390]) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  for (const path of paths) {
    const started = Date.now();
    const response = await page.goto(`${base}${path}`);
    const size = await page.evaluate('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
    const name = `/tmp/shot-${email.split('@')[0]}-${path.replace(/[^a-z0-9]+/gi, '_').slice(0, 60)}-${width}.png`;
    await page.screenshot({ path: name, fullPage: true });
    console.log(width, response.status(), Date.now() - started, 'ms', size.scroll > size.window ? `TOO WIDE ${size.scroll}` : 'fits', name);
  }
  await context.close();
}
await browser.close();
