import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandConnections, connectionFor } from '../src/db/shared-socket.js';
import type { SocketAddress } from '../src/db/shared-socket.js';
import { child, childCsv, testPseudonymKey } from './support/child-files.js';
import { exitOf, freePort, spawnNtg, waitForHttp } from './support/process.js';

/** Point 10 of issue 13: `ntg` commands work on the embedded database while `ntg serve` holds it. */
describe('the command line beside a running service (embedded database)', { timeout: 300_000 }, () => {
  let folder: string;
  let dataDir: string;
  let port: number;
  let service: ReturnType<typeof spawnNtg>;
  const env = (): Record<string, string> => ({ NTG_DATA_DIR: dataDir, NTG_PSEUDONYM_KEY: testPseudonymKey, DATABASE_URL: '' });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-beside-'));
    dataDir = join(folder, 'data');
    port = await freePort();
    service = spawnNtg(['serve', '--port', String(port)], env());
    await waitForHttp(`http://127.0.0.1:${port}/health`);
  }, 240_000);

  afterAll(async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await exitOf(service);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('records a socket only this user can open, in the data folder', () => {
    const address = JSON.parse(readFileSync(join(dataDir, 'pglite-socket', 'address.json'), 'utf8')) as SocketAddress;
    expect(address.pid).toBe(service.pid);
    expect('socket' in address).toBe(true);
    if (!('socket' in address)) return;
    expect(address.socket.startsWith(join(dataDir, 'pglite-socket'))).toBe(true);
    expect(statSync(address.socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'pglite-socket')).mode & 0o777).toBe(0o700);
  });

  it('imports children and gives the gaps while the service keeps answering', async () => {
    // 10 children in care (3 reach the KS2 standard) and 20 others (14 reach it).
    const rows = [
      ...Array.from({ length: 10 }, (_, index) => child(index, { child_in_care: 'Y', ks2_rwm_expected: index < 3 ? 'Y' : 'N', ncy: '6' })),
      ...Array.from({ length: 20 }, (_, index) => child(100 + index, { child_in_care: 'N', ks2_rwm_expected: index < 14 ? 'Y' : 'N', ncy: '6' })),
    ];
    const file = join(folder, 'camden.csv');
    writeFileSync(file, childCsv(rows));
    const load = spawnNtg(['import', 'children', file, '--la', 'E09000007'], env());
    // The service goes on answering while the command writes through its socket.
    const healthWhileLoading = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await exitOf(load), load.output()).toBe(0);
    expect(healthWhileLoading.status).toBe(200);

    const gaps = spawnNtg(['gaps', '--la', 'E09000007', '--year', '2023/24', '--indicator', 'ks2_rwm_expected', '--group', 'children-in-care', '--format', 'json'], env());
    expect(await exitOf(gaps), gaps.output()).toBe(0);
    const [cell] = JSON.parse(gaps.output()) as { group_value: number; comparator_value: number; gap: number; group_count: number }[];
    expect(cell).toMatchObject({ group_count: 10, group_value: 30, comparator_value: 70 });
    expect(cell!.gap).toBeCloseTo(-40, 6);

    const table = spawnNtg(['gaps', '--la', 'E09000007', '--year', '2023/24'], env());
    expect(await exitOf(table), table.output()).toBe(0);
    expect(table.output()).toContain('Gaps for Camden, 2023/24');

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('says plainly when the socket has no free place, and what to run again', async () => {
    const address = JSON.parse(readFileSync(join(dataDir, 'pglite-socket', 'address.json'), 'utf8')) as SocketAddress;
    const holders = Array.from({ length: commandConnections }, () => new pg.Client({ ...connectionFor(address), user: 'postgres', database: 'postgres' }));
    await Promise.all(holders.map((holder) => holder.connect()));
    try {
      const refused = spawnNtg(['gaps', '--la', 'E09000007'], env());
      expect(await exitOf(refused)).toBe(1);
      expect(refused.output().trim()).toBe(
        `ntg: The running service (pid ${service.pid}) is already serving ${commandConnections} commands, as many as it serves at once. Wait for one to finish, then run again: ntg gaps --la E09000007`,
      );
    } finally {
      await Promise.all(holders.map((holder) => holder.end()));
    }
  });

  it('keeps a command’s open transaction apart from the service, and rolls it back when the command goes away', async () => {
    const address = JSON.parse(readFileSync(join(dataDir, 'pglite-socket', 'address.json'), 'utf8')) as SocketAddress;
    const command = new pg.Client({ ...connectionFor(address), user: 'postgres', database: 'postgres' });
    command.on('error', () => undefined);
    await command.connect();
    await command.query('begin');
    await command.query(`create table beside_probe (n int)`);
    // While the command's transaction is open the service waits: its health check queries the database.
    const health = fetch(`http://127.0.0.1:${port}/health`).then(async (response) => ({ at: Date.now(), body: (await response.json()) }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const endedAt = Date.now();
    // The command disconnects without committing: its work is rolled back and the service goes on.
    (command as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const answered = await health;
    expect(answered.at).toBeGreaterThanOrEqual(endedAt);
    expect(answered.body).toMatchObject({ status: 'ok', database: 'ok' });
    const probe = new pg.Client({ ...connectionFor(address), user: 'postgres', database: 'postgres' });
    await probe.connect();
    try {
      const { rows } = await probe.query(`select to_regclass('beside_probe') as found`);
      expect(rows).toEqual([{ found: null }]);
    } finally {
      await probe.end();
    }
  });

  it('removes the socket and its address when the service stops, and a command then opens the folder itself', async () => {
    service.kill('SIGTERM');
    expect(await exitOf(service)).toBe(0);
    expect(() => statSync(join(dataDir, 'pglite-socket', 'address.json'))).toThrow();
    const gaps = spawnNtg(['gaps', '--la', 'E09000007', '--year', '2023/24', '--format', 'csv'], env());
    expect(await exitOf(gaps), gaps.output()).toBe(0);
    expect(gaps.output()).toContain('children-in-care');
  });
});
