import type { Command } from 'commander';
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
}

function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
