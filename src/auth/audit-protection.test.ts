import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testAuditKey, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import type { Database } from '../db/database.js';
import { openPostgres } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { appendAudit, verifyAuditChain } from './audit.js';
import { useAuditKey } from './audit-key.js';
import { hardenAuditLog } from './audit-protection.js';

/** The same server as TEST_DATABASE_URL, as another user (trust authentication) and database. */
function urlAs(user: string, databaseName: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  url.username = user;
  url.password = '';
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/** Everything the service's role must be refused, each in its own statement (a refusal ends a transaction). */
const rewrites = [
  ['update an entry', `update audit_log set outcome = 'success' where seq = 1`, /permission denied for table audit_log/],
  ['delete an entry', 'delete from audit_log where seq = 1', /permission denied for table audit_log/],
  ['truncate the log', 'truncate audit_log', /permission denied for table audit_log/],
  ['disable its triggers', 'alter table audit_log disable trigger all', /must be owner of table audit_log/],
  ['disable one trigger', 'alter table audit_log disable trigger audit_log_no_update', /must be owner of table audit_log/],
  ['replace the trigger function', `create or replace function audit_log_is_append_only() returns trigger language plpgsql as $$ begin return new; end $$`, /must be owner of function audit_log_is_append_only|permission denied for schema public/],
  ['drop the log', 'drop table audit_log', /must be owner of table audit_log|the audit log is append-only: it cannot be dropped/],
  ['skip triggers in replica mode', 'set session_replication_role = replica', /permission denied to set parameter "session_replication_role"/],
  ['become the owner', 'set role ntg_audit_owner', /permission denied to set role "ntg_audit_owner"/],
] as const;

// Roles are a PostgreSQL server's; PGlite has one user, for whom the keyed chain and checkpoints are the protection.
describe.each(testEngines.filter((engine) => engine === 'postgres'))('the audit log as the service’s own role on %s', { timeout: 60_000 }, (engine) => {
  const suffix = randomBytes(4).toString('hex');

  describe('when the service logs in as an ordinary role a DBA has hardened the log for', () => {
    const serviceRole = `ntg_service_test_${suffix}`;
    let database: TestDatabase;
    let service: Database;
    let report: Awaited<ReturnType<typeof hardenAuditLog>>;
    beforeAll(async () => {
      database = await createTestDatabase(engine);
      await migrateToLatest(database.db);
      await appendAudit(database.db, { action: 'sign-in', outcome: 'failure', actorEmail: 'someone@example.org' });
      await sql.raw(`create role ${serviceRole} login`).execute(database.db);
      report = await hardenAuditLog(database.db, serviceRole);
      const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
      service = await openPostgres(urlAs(serviceRole, rows[0]?.name ?? ''), 2);
      useAuditKey(service.db, testAuditKey);
    });
    afterAll(async () => {
      await service.close();
      await sql.raw(`drop owned by ${serviceRole}`).execute(database.db);
      await sql.raw(`drop role ${serviceRole}`).execute(database.db);
      await database.dispose();
    });

    it('hardens the log for the role and finds nothing left open', () => {
      expect(report.problems).toEqual([]);
      expect(report.done).toContain(`${serviceRole} may read and append to the audit log, nothing more`);
    });

    it('lets the role append to the log and verify it', async () => {
      await appendAudit(service.db, { action: 'sign-in', outcome: 'success', actorEmail: 'someone@example.org' });
      expect(await verifyAuditChain(service.db)).toEqual({ ok: true, entries: 2 });
    });

    it.each(rewrites)('refuses the role to %s', async (_what, statement, refusal) => {
      await expect(sql.raw(statement).execute(service.db)).rejects.toThrow(refusal);
    });

    it('reports a superuser as a role the log cannot be protected from', async () => {
      const { rows } = await sql<{ name: string }>`select current_user as name`.execute(database.db);
      const superuser = rows[0]?.name ?? 'postgres';
      expect((await hardenAuditLog(database.db, superuser)).problems).toContain(`${superuser} is a superuser, which no permission binds: run the service as an ordinary role`);
      await sql.raw(`revoke ntg_audit_writer from ${superuser}`).execute(database.db);
    });
  });

  describe('when the service’s own role ran the migrations, allowed to create roles but not a superuser', () => {
    const serviceRole = `ntg_migrator_test_${suffix}`;
    const databaseName = `ntg_migrator_test_${suffix}`;
    let admin: Database;
    let service: Database;
    let report: Awaited<ReturnType<typeof hardenAuditLog>>;
    beforeAll(async () => {
      admin = await openPostgres(process.env.TEST_DATABASE_URL ?? '', 1);
      await sql.raw(`create role ${serviceRole} login createrole`).execute(admin.db);
      await sql.raw(`create database ${databaseName} owner ${serviceRole}`).execute(admin.db);
      service = await openPostgres(urlAs(serviceRole, databaseName), 2);
      useAuditKey(service.db, testAuditKey);
      await migrateToLatest(service.db);
      await appendAudit(service.db, { action: 'sign-in', outcome: 'failure', actorEmail: 'someone@example.org' });
      // It owns the database and so the schema, which may drop any table in it: a DBA then hardens the log.
      const dba = await openPostgres(urlAs(new URL(process.env.TEST_DATABASE_URL ?? '').username, databaseName), 1);
      try {
        report = await hardenAuditLog(dba.db, serviceRole);
      } finally {
        await dba.close();
      }
    });
    afterAll(async () => {
      await service.close();
      await sql.raw(`drop database if exists ${databaseName} with (force)`).execute(admin.db);
      await sql.raw(`drop role if exists ${serviceRole}`).execute(admin.db);
      await admin.close();
    });

    it('leaves the role owning its other tables but not the log', async () => {
      const { rows } = await sql<{ tablename: string; tableowner: string }>`
        select tablename, tableowner from pg_tables where tablename in ('audit_log', 'user_account') order by tablename`.execute(service.db);
      expect(rows).toEqual([
        { tablename: 'audit_log', tableowner: 'ntg_audit_owner' },
        { tablename: 'user_account', tableowner: serviceRole },
      ]);
      expect(await verifyAuditChain(service.db)).toEqual({ ok: true, entries: 1 });
    });

    it('is hardened by a DBA, who is told the role may still create roles', () => {
      expect(report.done).toContain('installed the event trigger that refuses to drop the audit log');
      expect(report.problems).toEqual([`${serviceRole} may create roles, and so could make itself a member of ntg_audit_owner: alter role ${serviceRole} nocreaterole`]);
    });

    it.each(rewrites)('refuses the role to %s', async (_what, statement, refusal) => {
      await expect(sql.raw(statement).execute(service.db)).rejects.toThrow(refusal);
    });
  });
});
