import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipeliningClient, sentWithNextStatement } from './pipelining-client.js';

type Flushing = { connection: { stream: { _write: (...args: unknown[]) => void; _writev?: (...args: unknown[]) => void } } };

/** Counts the writes the client makes to its socket. */
function countWrites(client: PipeliningClient): () => number {
  const stream = (client as unknown as Flushing).connection.stream;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = stream[method];
    if (original === undefined) continue;
    stream[method] = function (this: unknown, ...args: unknown[]) {
      writes += 1;
      return original.apply(this, args);
    };
  }
  return () => writes;
}

describe.runIf(process.env.TEST_DATABASE_URL)('a pipelining PostgreSQL client', () => {
  let client: PipeliningClient;
  beforeAll(async () => {
    client = new PipeliningClient({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it('writes begin and a deferred statement with the next statement, in one write, and the transaction holds them', async () => {
    const writes = countWrites(client);
    const begun = client.query('begin', []) as unknown as Promise<unknown>;
    const set = client.query(`${sentWithNextStatement}select set_config('application_name', $1, true)`, ['deferred']) as unknown as Promise<unknown>;
    const read = client.query('select current_setting($1) as name', ['application_name']) as unknown as Promise<{ rows: { name: string }[] }>;
    expect(writes()).toBe(1);
    await Promise.all([begun, set]);
    expect((await read).rows[0]!.name).toBe('deferred');
    await (client.query('commit', []) as unknown as Promise<unknown>);
    // Local to the transaction, so gone after it.
    const after = await (client.query('select current_setting($1) as name', ['application_name']) as unknown as Promise<{ rows: { name: string }[] }>);
    expect(after.rows[0]!.name).not.toBe('deferred');
  });

  it('fails the next statement with a deferred statement’s own error, and gives none of its rows', async () => {
    await (client.query('begin', []) as unknown as Promise<unknown>);
    await (client.query(`${sentWithNextStatement}select 1 / 0`, []) as unknown as Promise<unknown>);
    await expect(client.query('select 1 as one', []) as unknown as Promise<unknown>).rejects.toThrow(/division by zero/);
    await (client.query('rollback', []) as unknown as Promise<unknown>);
    const fresh = await (client.query('select 2 as two', []) as unknown as Promise<{ rows: { two: number }[] }>);
    expect(fresh.rows[0]!.two).toBe(2);
  });
});
