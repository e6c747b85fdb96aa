import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, freePort, spawnNtg, waitForHttp } from './support/process.js';

describe('ntg serve as a process', { timeout: 180_000 }, () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-serve-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the home page and health, then keeps its data across a restart', async () => {
    const port = await freePort();
    const first = spawnNtg(['serve', '--port', String(port)], { NTG_DATA_DIR: dataDir });
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect(await home.text()).toContain('govuk-template');
    first.kill('SIGTERM');
    expect(await exitOf(first)).toBe(0);

    const status = spawnNtg(['db', 'status'], { NTG_DATA_DIR: dataDir });
    expect(await exitOf(status)).toBe(0);
    expect(status.output()).toMatch(/0001-instance\s+applied/);

    const second = spawnNtg(['serve', '--port', String(port)], { NTG_DATA_DIR: dataDir });
    const again = await waitForHttp(`http://127.0.0.1:${port}/health`);
    expect(again.status).toBe(200);
    second.kill('SIGTERM');
    expect(await exitOf(second)).toBe(0);
  });

  it('says the port is in use and exits 1', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    const child = spawnNtg(['serve', '--port', String(port)], { NTG_DATA_DIR: join(dataDir, 'other') });
    expect(await exitOf(child)).toBe(1);
    expect(child.output()).toContain(`ntg: Port ${port} is already in use on 127.0.0.1.`);
    blocker.close();
  });

  it('says an unreachable DATABASE_URL cannot be reached and exits 1', async () => {
    const child = spawnNtg(['db', 'status'], { DATABASE_URL: 'postgres://ntg:pw@127.0.0.1:1/ntg' });
    expect(await exitOf(child)).toBe(1);
    expect(child.output().trim()).toMatch(/^ntg: Cannot connect to PostgreSQL at postgres:\/\/ntg:\*\*\*\*\*@127\.0\.0\.1:1\/ntg \(DATABASE_URL\): .*ECONNREFUSED/);
  });

  it('stops with one line when a variable is invalid', async () => {
    const child = spawnNtg(['db', 'status'], { LOG_LEVEL: 'chatty' });
    expect(await exitOf(child)).toBe(1);
    expect(child.output().trim()).toBe('ntg: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "chatty").');
  });
});
