import { mkdirSync, accessSync, constants, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import type { Config } from '../config.js';
import { redactUrl } from '../config.js';
import type { Schema } from './schema.js';
import type { BulkSession } from './bulk.js';
import { kyselyBulkTransaction, postgresBulkTransaction } from './bulk.js';
import { auditKey, useAuditKey } from '../auth/audit-key.js';
import { commandConnections, connectionFor, shareWithCommands, sharedAddress, turnsAwayNow } from './shared-socket.js';
import type { SharedDatabase, SocketAddress } from './shared-socket.js';

export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  engine: Engine;
  /** Where the data lives, safe to print (no password). */
  location: string;
  /** Resolves when the database answers a trivial query, rejects otherwise. */
  ping(): Promise<void>;
  /** A transaction for loading many rows fast (imports); see src/db/bulk.ts. */
  bulkTransaction<T>(work: (session: BulkSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where commands run beside the service reach the embedded database (only when the service serves it). */
  commandSocket?: string;
}

/** The database could not be opened; the message says which and why, ready for an operator. */
export class DatabaseOpenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseOpenError';
  }
}

/** The data folder is held by another process; `holder` is its pid. */
export class FolderInUseError extends DatabaseOpenError {
  constructor(
    message: string,
    readonly holder: number,
  ) {
    super(message);
    this.name = 'FolderInUseError';
  }
}

/** The running service's socket has no free place for another command. */
export class SocketBusyError extends DatabaseOpenError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SocketBusyError';
  }
}

export interface OpenOptions {
  /**
   * The service: serve the embedded database to commands run beside it (src/db/shared-socket.ts).
   * Without it, finding the data folder held by a running service, the command connects through it.
   */
  serveCommands?: boolean;
}

/**
 * PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite in the data folder. Whatever
 * opens the service's database this way (the service, every command) keeps the audit log with the
 * configured audit key, read only when an entry is first written or verified.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databasePoolMax' | 'dataDir'> & Partial<Pick<Config, 'auditKey'>>,
  options: OpenOptions = {},
): Promise<Database> {
  const database = config.databaseUrl ? await openPostgres(config.databaseUrl, config.databasePoolMax) : await openEmbedded(config.dataDir, options);
  useAuditKey(database.db, () => auditKey({ auditKey: config.auditKey, dataDir: config.dataDir }));
  return database;
}

async function openEmbedded(dataDir: string, options: OpenOptions): Promise<Database> {
  const folder = join(dataDir, 'pglite');
  try {
    return await openPGlite(folder, undefined, options.serveCommands ? resolve(dataDir) : undefined);
  } catch (error) {
    if (!(error instanceof FolderInUseError) || options.serveCommands) throw error;
    const address = sharedAddress(resolve(dataDir), error.holder);
    if (address === undefined) {
      throw new FolderInUseError(
        `The data folder ${resolve(folder)} is in use by another ntg command (pid ${error.holder}), which does not share it as \`ntg serve\` does. Wait for it to finish, then run again: ${commandLine()}`,
        error.holder,
      );
    }
    return openThroughService(address, resolve(folder));
  }
}

/** The command being run, as it can be typed again. */
function commandLine(): string {
  const words = ['ntg', ...process.argv.slice(2)].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`));
  return words.join(' ');
}

/** The embedded database held by the running service, through the socket it serves (one connection). */
async function openThroughService(address: SocketAddress, folder: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    ...connectionFor(address),
    user: 'postgres',
    database: 'postgres',
    max: 1,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined);
  const where = 'socket' in address ? address.socket : `${address.host}:${address.port}`;
  const location = `embedded PostgreSQL (PGlite) in ${folder}, through the running service (pid ${address.pid}, ${where})`;
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (await turnsAwayNow(address)) {
      throw new SocketBusyError(
        `The running service (pid ${address.pid}) is already serving ${commandConnections} commands, as many as it serves at once. Wait for one to finish, then run again: ${commandLine()}`,
        { cause: error },
      );
    }
    const busyWriting = /timeout/i.test(describeError(error))
      ? ` The service holds the database for a long piece of work (loading a file or the demo data, say); run again when it has finished: ${commandLine()}`
      : '';
    throw new DatabaseOpenError(`The data folder ${folder} is in use by the running service (pid ${address.pid}), and its socket ${where} did not answer: ${describeError(error)}.${busyWriting}`, {
      cause: error,
    });
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    // Still the embedded engine behind the socket: no COPY from a client, a single user.
    engine: 'pglite',
    location,
    ping: () => pingDatabase(db),
    bulkTransaction: (work) => kyselyBulkTransaction(db, work),
    close: () => db.destroy(),
  };
}

export async function openPostgres(url: string, poolMax = 10): Promise<Database> {
  const { default: pg } = await import('pg');
  const { PreparingClient } = await import('./prepared-statements.js');
  const { PipeliningClient } = await import('./pipelining-client.js');
  const options = { connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 };
  const pool = new pg.Pool({ ...options, Client: PipeliningClient });
  // COPY cannot run in pipeline mode: loads have clients of their own, made when a load starts.
  const bulkPool = new pg.Pool({ ...options, Client: PreparingClient });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  bulkPool.on('error', () => undefined);
  const location = redactUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    await bulkPool.end().catch(() => undefined);
    throw new DatabaseOpenError(`Cannot connect to PostgreSQL at ${location} (DATABASE_URL): ${describeError(error)}`, {
      cause: error,
    });
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'postgres',
    location,
    ping: () => pingDatabase(db),
    bulkTransaction: (work) => postgresBulkTransaction(bulkPool, work),
    close: async () => {
      await db.destroy();
      await bulkPool.end();
    },
  };
}

/**
 * Opens the embedded PostgreSQL. `folder` of `null` keeps everything in memory (tests), starting
 * from `initialData` (a `dumpDataDir()` archive) when given, which skips the slow initdb.
 * PGlite is single-process: a lock file stops a second `ntg` from opening the same folder,
 * which would corrupt it.
 */
export async function openPGlite(folder: string | null, initialData?: Blob, shareFrom?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let releaseLock = (): void => undefined;
  let location = 'embedded PostgreSQL (in memory)';
  if (folder !== null) {
    const absolute = resolve(folder);
    ensureWritableFolder(absolute);
    releaseLock = lockFolder(absolute);
    location = `embedded PostgreSQL (PGlite) in ${absolute}`;
  }
  let pglite;
  try {
    pglite = folder === null ? await PGlite.create({ loadDataDir: initialData }) : await PGlite.create(resolve(folder));
  } catch (error) {
    releaseLock();
    throw new DatabaseOpenError(`Cannot open the embedded database in ${String(folder)}: ${describeError(error)}`, {
      cause: error,
    });
  }
  let shared: SharedDatabase | undefined;
  if (shareFrom !== undefined) {
    try {
      shared = await shareWithCommands(pglite, shareFrom);
    } catch (error) {
      await pglite.close().catch(() => undefined);
      releaseLock();
      throw new DatabaseOpenError(`Cannot serve the embedded database to commands from ${shareFrom}: ${describeError(error)}`, { cause: error });
    }
  }
  const db = new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    engine: 'pglite',
    location,
    ping: () => pingDatabase(db),
    bulkTransaction: (work) => kyselyBulkTransaction(db, work),
    ...(shared ? { commandSocket: 'socket' in shared.address ? shared.address.socket : `${shared.address.host}:${shared.address.port}` } : {}),
    close: async () => {
      await shared?.stop();
      await db.destroy();
      releaseLock();
    },
  };
}

async function pingDatabase(db: Kysely<Schema>): Promise<void> {
  // A bare round trip: the cheapest proof that the database answers.
  await sql`select 1`.execute(db);
}

function ensureWritableFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new DatabaseOpenError(
      `Cannot write to the data folder ${folder} (NTG_DATA_DIR): ${describeError(error)}. Choose a writable folder or fix its permissions.`,
      { cause: error },
    );
  }
}

function lockFolder(folder: string): () => void {
  const lockFile = join(folder, 'ntg.lock');
  const holder = readLockHolder(lockFile);
  if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
    throw new FolderInUseError(
      `The data folder ${folder} is in use by another ntg process (pid ${holder}). Stop that process first, or set DATABASE_URL to use a PostgreSQL server.`,
      holder,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  return () => {
    if (readLockHolder(lockFile) === process.pid) rmSync(lockFile, { force: true });
  };
}

function readLockHolder(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || code || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
