import type { Kysely } from 'kysely';
import type { Migration, MigrationResult } from 'kysely/migration';
import { Migrator } from 'kysely/migration';
import { describeError } from './database.js';
import { migrations as allMigrations } from './migrations/index.js';

const migrationTableName = 'ntg_migration';
const migrationLockTableName = 'ntg_migration_lock';

export interface MigrationState {
  name: string;
  /** Undefined while the migration is pending. */
  appliedAt: Date | undefined;
}

/** A migration failed; all pending migrations of that run were rolled back together. */
export class MigrationError extends Error {
  readonly migrationName: string;
  constructor(migrationName: string, cause: unknown) {
    super(
      `Migration ${migrationName} failed: ${describeError(cause)}. No pending migration was applied; the schema is as it was.`,
      { cause },
    );
    this.name = 'MigrationError';
    this.migrationName = migrationName;
  }
}

function migratorFor(db: Kysely<unknown>, migrations: Record<string, Migration>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName,
    migrationLockTableName,
  });
}

/**
 * Applies every pending migration in one transaction (PostgreSQL DDL is transactional), so a
 * failure leaves the schema exactly as it was. Returns the names applied, in order.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  migrations: Record<string, Migration> = allMigrations,
): Promise<string[]> {
  const untyped = db as unknown as Kysely<unknown>;
  const { error, results = [] } = await migratorFor(untyped, migrations).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result: MigrationResult) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName ?? '(before any migration ran)', error);
  }
  const applied = results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  return applied;
}

export async function migrationStatus<DB>(
  db: Kysely<DB>,
  migrations: Record<string, Migration> = allMigrations,
): Promise<MigrationState[]> {
  const known = await migratorFor(db as unknown as Kysely<unknown>, migrations).getMigrations();
  return known.map((migration) => ({ name: migration.name, appliedAt: migration.executedAt }));
}
