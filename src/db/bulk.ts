import { once } from 'node:events';
import type { Kysely } from 'kysely';
import { CompiledQuery } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import type { Schema } from './schema.js';

export type BulkValue = string | number | boolean | null;

export interface BulkColumn {
  name: string;
  /** The PostgreSQL type, for the embedded engine's array insert. */
  type: string;
}

/**
 * One transaction for loading many rows: plain parameterised statements plus a fast row loader
 * (COPY on PostgreSQL; arrays unnested into one INSERT on the embedded engine, which has no COPY
 * from a client stream). Everything commits together or not at all.
 */
export interface BulkSession {
  query<Row = Record<string, unknown>>(text: string, parameters?: readonly unknown[]): Promise<Row[]>;
  insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly BulkValue[])[]): Promise<void>;
  /**
   * A stream of rows into one table while the caller keeps producing them: on PostgreSQL one COPY
   * that the server works through on its own core while the caller checks the next rows. Await
   * `write` (it waits only when the database is behind) and then `end`.
   */
  rowWriter(table: string, columns: readonly BulkColumn[]): RowWriter;
}

export interface RowWriter {
  write(row: readonly BulkValue[]): Promise<void> | undefined;
  end(): Promise<void>;
}

/** A writer that gathers rows and inserts them a chunk at a time. */
function chunkedWriter(insert: (rows: BulkValue[][]) => Promise<void>, chunkRows = 5_000): RowWriter {
  let pending: BulkValue[][] = [];
  return {
    write(row) {
      pending.push([...row]);
      if (pending.length < chunkRows) return undefined;
      const rows = pending;
      pending = [];
      return insert(rows);
    },
    async end() {
      if (pending.length > 0) await insert(pending);
      pending = [];
    },
  };
}

const identifier = /^[a-z_][a-z0-9_]*$/;

function checkedName(name: string): string {
  if (!identifier.test(name)) throw new Error(`not a plain SQL name: ${name}`);
  return name;
}

/** CSV for COPY: NULL is an unquoted empty field, text is always quoted so '' stays an empty string. */
function csvField(value: BulkValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return value.includes('"') ? `"${value.replace(/"/g, '""')}"` : `"${value}"`;
}

export async function postgresBulkTransaction<T>(pool: Pool, work: (session: BulkSession) => Promise<T>): Promise<T> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const { pipeline } = await import('node:stream/promises');
  const { Readable } = await import('node:stream');
  const client: PoolClient = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    const session: BulkSession = {
      async query<Row>(text: string, parameters: readonly unknown[] = []) {
        const result = await client.query(text, [...parameters]);
        return result.rows as Row[];
      },
      async insertRows(table, columns, rows) {
        if (rows.length === 0) return;
        const names = columns.map((column) => checkedName(column.name)).join(', ');
        const stream = client.query(copyFrom(`copy ${checkedName(table)} (${names}) from stdin with (format csv)`));
        const lines = function* () {
          let chunk = '';
          for (const row of rows) {
            chunk += `${row.map(csvField).join(',')}\n`;
            if (chunk.length > 1 << 16) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk !== '') yield chunk;
        };
        await pipeline(Readable.from(lines()), stream);
      },
      rowWriter(table, columns) {
        const names = columns.map((column) => checkedName(column.name)).join(', ');
        const stream = client.query(copyFrom(`copy ${checkedName(table)} (${names}) from stdin with (format csv)`));
        let failure: Error | undefined;
        stream.on('error', (error: Error) => {
          failure = error;
        });
        let buffered = '';
        // The stream's error event may arrive while a write waits, so look again afterwards.
        const failed = (): Error | undefined => failure;
        const send = async (text: string) => {
          if (failure !== undefined) throw failure;
          if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
          const error = failed();
          if (error !== undefined) throw error;
        };
        return {
          write(row) {
            let line = row.length > 0 ? csvField(row[0]!) : '';
            for (let index = 1; index < row.length; index++) line += `,${csvField(row[index]!)}`;
            buffered += `${line}\n`;
            if (buffered.length < 1 << 16) return undefined;
            const text = buffered;
            buffered = '';
            return send(text);
          },
          async end() {
            if (buffered !== '') await send(buffered);
            buffered = '';
            const finished = once(stream, 'finish');
            stream.end();
            await finished;
            const error = failed();
            if (error !== undefined) throw error;
          },
        };
      },
    };
    const result = await work(session);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function kyselyBulkTransaction<T>(db: Kysely<Schema>, work: (session: BulkSession) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (transaction) => {
    const session: BulkSession = {
      async query<Row>(text: string, parameters: readonly unknown[] = []) {
        const result = await transaction.executeQuery<Row>(CompiledQuery.raw(text, [...parameters]));
        return [...result.rows];
      },
      async insertRows(table, columns, rows) {
        if (rows.length === 0) return;
        const arrays = columns.map((_, position) => rows.map((row) => row[position] ?? null));
        const names = columns.map((column) => checkedName(column.name)).join(', ');
        const unnest = columns.map((column, position) => `$${position + 1}::${column.type}[]`).join(', ');
        await transaction.executeQuery(CompiledQuery.raw(`insert into ${checkedName(table)} (${names}) select * from unnest(${unnest})`, arrays));
      },
      rowWriter(table, columns) {
        return chunkedWriter((rows) => session.insertRows(table, columns, rows));
      },
    };
    return work(session);
  });
}
