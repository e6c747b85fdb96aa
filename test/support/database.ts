import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Engine } from '../../src/db/database.js';
import { openPGlite, openPostgres } from '../../src/db/database.js';
import { redactUrl } from '../../src/config.js';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { auditKeyFrom, useAuditKey } from '../../src/auth/audit-key.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of an initialised, empty PGlite data folder archive made once by the global setup. */
    pgliteTemplatePath: string;
  }
}

let template: Promise<Blob> | undefined;
function pgliteTemplate(): Promise<Blob> {
  template ??= readFile(inject('pgliteTemplatePath')).then((bytes) => new Blob([bytes]));
  return template;
}

/**
 * Database tests run on every engine the service supports: PGlite always, and PostgreSQL too
 * when TEST_DATABASE_URL points at a server (CI sets it). Each test file gets a fresh database.
 */
export const testEngines: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export function describeTestEngines(): string {
  const url = process.env.TEST_DATABASE_URL;
  return url
    ? `PGlite (embedded, in memory) and PostgreSQL (${redactUrl(url)}, a fresh database per test file)`
    : 'PGlite (embedded, in memory) only; set TEST_DATABASE_URL to add a PostgreSQL server';
}

export interface TestDatabase extends Database {
  /** Closes and, on PostgreSQL, drops the database. */
  dispose(): Promise<void>;
}

/** The audit key of every test database, as NTG_AUDIT_KEY would give it to the service. */
export const testAuditKey = auditKeyFrom('a test audit key of at least thirty-two characters');

export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const database = await openTestDatabase(engine);
  useAuditKey(database.db, testAuditKey);
  return database;
}

async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openPGlite(null, await pgliteTemplate());
    return { ...database, dispose: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ntg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(adminUrl, 1);
  try {
    await sql.raw(`create database ${name}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 4);
  return {
    ...database,
    dispose: async () => {
      await database.close();
      const cleaner = await openPostgres(adminUrl, 1);
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(cleaner.db);
      } finally {
        await cleaner.close();
      }
    },
  };
}
