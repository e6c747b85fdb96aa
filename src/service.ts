import type { FastifyInstance } from 'fastify';
import { startCheckpoints } from './auth/audit-checkpoints.js';
import { capabilities } from './capabilities.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './web/app.js';
import { loggerOptions } from './web/logging.js';
import type { Capability } from './web/capability.js';

export interface RunningService {
  app: FastifyInstance;
  database: Database;
  url: string;
  appliedMigrations: string[];
  stop(): Promise<void>;
}

/** Port taken, address not available: said plainly, since it is the operator's to fix. */
export class ListenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ListenError';
  }
}

/**
 * Applies pending migrations, then lets each capability load its reference data (the framework
 * catalogue, say). Returns the names of the migrations applied.
 */
export async function prepareDatabase(database: Database, config: Config, serviceCapabilities: Capability[] = capabilities): Promise<string[]> {
  const applied = await migrateToLatest(database.db);
  for (const capability of serviceCapabilities) await capability.afterMigrate?.(database, config);
  return applied;
}

/** Opens the database, prepares it, and serves the web application. */
export async function startService(config: Config): Promise<RunningService> {
  const database = await openDatabase(config, { serveCommands: true });
  try {
    const appliedMigrations = await prepareDatabase(database, config);
    const app = await buildApp({
      config,
      database,
      capabilities,
      logger: loggerOptions(config.logLevel, undefined, config.logFormat),
    });
    app.log.info({ database: database.location, engine: database.engine, appliedMigrations, commandSocket: database.commandSocket }, 'database ready');
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await app.close();
      throw listenError(error, config);
    }
    if (config.databaseUrl && config.auditKey === undefined) {
      // Another process writing to the same log (a second instance, a command on another machine) would hold another key.
      app.log.warn('NTG_AUDIT_KEY is not set: the audit log is keyed with a key generated in the data folder; set NTG_AUDIT_KEY wherever ntg runs against this database');
    }
    const stopCheckpoints = startCheckpoints(database.db, config, app.log);
    const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      app,
      database,
      url: `http://${hostForUrl}:${config.port}`,
      appliedMigrations,
      stop: async () => {
        await stopCheckpoints();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function listenError(error: unknown, config: Config): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ListenError(`Port ${config.port} is already in use on ${config.host}. Stop the other program or choose another port with --port or PORT.`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ListenError(`Cannot listen on ${config.host}: that address is not available on this machine. Choose another with --host or HOST.`, { cause: error });
  }
  if (code === 'EACCES') {
    return new ListenError(`Not allowed to listen on port ${config.port}. Ports below 1024 need special permission; choose another with --port or PORT.`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
