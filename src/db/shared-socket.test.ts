import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFor, shareWithCommands } from './shared-socket.js';
import type { SharedDatabase } from './shared-socket.js';

/** Resolves to whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}

describe('the embedded database served to commands', { timeout: 60_000 }, () => {
  let folder: string;
  let pglite: PGlite;
  let shared: SharedDatabase;
  const command = () => new pg.Client({ ...connectionFor(shared.address), user: 'postgres', database: 'postgres' });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-shared-'));
    pglite = await PGlite.create();
    await pglite.exec('create table marks (who text not null)');
    shared = await shareWithCommands(pglite, folder);
  });
  afterAll(async () => {
    await shared.stop();
    await pglite.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('holds a command’s statement back while the service is inside a transaction, and keeps it out of it', async () => {
    const client = command();
    await client.connect();
    let commit = (): void => undefined;
    const serviceTransaction = pglite.transaction(async (transaction) => {
      await transaction.query(`insert into marks values ('service')`);
      await new Promise<void>((resolve) => (commit = resolve));
      await transaction.rollback();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const commandInsert = client.query(`insert into marks values ('command')`);
    expect(await settlesWithin(commandInsert, 300)).toBe(false);
    commit();
    await serviceTransaction;
    await commandInsert;
    // The service rolled back its own work only; the command's row, written after, stands.
    expect((await pglite.query<{ who: string }>('select who from marks')).rows).toEqual([{ who: 'command' }]);
    await client.query('delete from marks');
    await client.end();
  });

  it('holds the service back while a command has a transaction open, and the service never sees or joins it', async () => {
    const client = command();
    await client.connect();
    await client.query('begin');
    await client.query(`insert into marks values ('command')`);
    const serviceRead = pglite.query<{ count: number }>('select count(*)::int as count from marks');
    expect(await settlesWithin(serviceRead, 300)).toBe(false);
    await client.query('rollback');
    expect((await serviceRead).rows).toEqual([{ count: 0 }]);
    expect(pglite.isInTransaction()).toBe(false);
    await client.end();
  });

  it('rolls back the open transaction of a command that goes away, and lets the service go on', async () => {
    const client = command();
    client.on('error', () => undefined);
    await client.connect();
    await client.query('begin');
    await client.query(`insert into marks values ('gone')`);
    const serviceRead = pglite.query<{ count: number }>('select count(*)::int as count from marks');
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await serviceRead).rows).toEqual([{ count: 0 }]);
  });

  it('lets two commands take turns, each transaction whole', async () => {
    const first = command();
    const second = command();
    await Promise.all([first.connect(), second.connect()]);
    await first.query('begin');
    await first.query(`insert into marks values ('first')`);
    const secondInsert = second.query(`insert into marks values ('second')`);
    expect(await settlesWithin(secondInsert, 300)).toBe(false);
    await first.query('commit');
    await secondInsert;
    expect((await pglite.query<{ who: string }>('select who from marks order by who')).rows).toEqual([{ who: 'first' }, { who: 'second' }]);
    await Promise.all([first.end(), second.end()]);
  });
});
