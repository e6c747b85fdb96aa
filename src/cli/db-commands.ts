import type { Command } from 'commander';
import { hardenAuditLog } from '../auth/audit-protection.js';
import { openDatabase } from '../db/database.js';
import { migrationStatus } from '../db/migrate.js';
import { prepareDatabase } from '../service.js';
import { configWith } from './program.js';

export function registerDatabaseCommands(program: Command): void {
  const db = program.command('db').description('manage the database schema');

  db.command('migrate')
    .description('apply every pending migration, all together or none, and load reference data')
    .action(async () => {
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        const applied = await prepareDatabase(database, config);
        console.log(`Database: ${database.location}`);
        console.log(
          applied.length === 0
            ? 'Nothing to do: every migration is already applied.'
            : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`,
        );
      } finally {
        await database.close();
      }
    });

  db.command('status')
    .description('list applied and pending migrations')
    .action(async () => {
      const database = await openDatabase(configWith({}));
      try {
        const states = await migrationStatus(database.db);
        console.log(`Database: ${database.location}`);
        const width = Math.max(9, ...states.map((state) => state.name.length));
        console.log(`${'Migration'.padEnd(width)}  Status`);
        for (const state of states) {
          const status = state.appliedAt ? `applied ${formatTimestamp(state.appliedAt)}` : 'pending';
          console.log(`${state.name.padEnd(width)}  ${status}`);
        }
        const pending = states.filter((state) => !state.appliedAt).length;
        console.log(`${states.length - pending} applied, ${pending} pending.${pending > 0 ? ' Run "ntg db migrate" to apply them.' : ''}`);
      } finally {
        await database.close();
      }
    });

  registerHardenCommand(db);
}

/** The audit log could not be made safe from the service's role: the message says what is left open. */
export class AuditHardeningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditHardeningError';
  }
}

/**
 * `ntg db harden`: run once by a DBA, with a superuser's DATABASE_URL, for the role the service logs
 * in as (see docs/operations.md).
 */
export function registerHardenCommand(db: Command): void {
  db.command('harden')
    .description('PostgreSQL: let the role the service logs in as only read and append to the audit log (run as a superuser)')
    .requiredOption('--service-role <role>', 'the database role in the DATABASE_URL the service runs with')
    .action(async (options: { serviceRole: string }) => {
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        if (database.engine === 'pglite') {
          throw new AuditHardeningError('The embedded database has a single user, so there is no role to harden: the keyed chain and signed checkpoints protect its audit log (see docs/operations.md).');
        }
        const report = await hardenAuditLog(database.db, options.serviceRole);
        for (const line of report.done) console.log(`Done: ${line}.`);
        if (report.problems.length > 0) throw new AuditHardeningError(`The audit log is still open to ${options.serviceRole}: ${report.problems.join('; ')}.`);
        console.log(`The audit log is protected from ${options.serviceRole}: it may read and append, nothing more.`);
      } finally {
        await database.close();
      }
    });
}

function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
