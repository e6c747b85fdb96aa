import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PreparingConfig } from './prepared-statements.js';
import { PreparingClient } from './prepared-statements.js';

const url = process.env.TEST_DATABASE_URL;

/** A preparing client, typed as the pool uses it: with pg's own query(). */
function preparing(config: PreparingConfig): pg.Client {
  return new PreparingClient({ connectionString: url, ...config });
}

/** The statements this connection has prepared, as the server lists them. */
async function preparedOn(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time');
  return result.rows.map((row) => row.statement);
}

describe.skipIf(!url)('statements prepared by the client on PostgreSQL', () => {
  it('prepare statement is sent as text until its third use, then prepared once, with the same answers', async () => {
    const client = preparing({ prepareAfter: 3, preparedLimit: 2 });
    await client.connect();
    try {
      const text = 'select $1::int + 1 as next';
      const answers: number[] = [];
      for (let value = 1; value <= 5; value++) {
        answers.push((await client.query<{ next: number }>(text, [value])).rows[0]!.next);
        expect(await preparedOn(client)).toEqual(value < 3 ? [] : [text]);
      }
      expect(answers).toEqual([2, 3, 4, 5, 6]);
    } finally {
      await client.end();
    }
  });

  it('prepared statements beyond the limit release the least recently used, on the server too', async () => {
    const client = preparing({ prepareAfter: 1, preparedLimit: 2 });
    await client.connect();
    try {
      const texts = ['select $1::int as a', 'select $1::int as b', 'select $1::int as c'];
      await client.query(texts[0]!, [1]);
      await client.query(texts[1]!, [1]);
      await client.query(texts[0]!, [1]);
      await client.query(texts[2]!, [1]);
      // b was used least recently: it goes, a and c stay, and b still answers when sent again.
      expect((await preparedOn(client)).sort()).toEqual([texts[0], texts[2]]);
      expect((await client.query(texts[1]!, [7])).rows).toEqual([{ b: 7 }]);
      expect((await preparedOn(client)).sort()).toEqual([texts[1], texts[2]]);
    } finally {
      await client.end();
    }
  });

  it('a prepared statement that fails leaves the connection usable and fails the same way each time', async () => {
    const client = preparing({ prepareAfter: 1 });
    await client.connect();
    try {
      const text = 'select 1 / $1::int as q';
      await expect(client.query(text, [0])).rejects.toThrow(/division by zero/);
      await expect(client.query(text, [0])).rejects.toThrow(/division by zero/);
      expect((await client.query(text, [1])).rows).toEqual([{ q: 1 }]);
    } finally {
      await client.end();
    }
  });
});
