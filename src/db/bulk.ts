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
}

const identifier = /^[a-z_][a-z0-9_]*$/;

function checkedName(name: string): string {
  if (!identifier.test(name)) throw new Error(`not a plain SQL name: ${name}`);
  return name;
}

/** CSV for COPY: NULL is an unquoted empty field, text is always quoted so '' stays an empty string. */
function csvField(value: BulkValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return `"${value.replace(/"/g, '""')}"`;
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
    };
    return work(session);
  });
}
