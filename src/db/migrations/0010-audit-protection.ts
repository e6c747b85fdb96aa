import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Makes the audit log hard to rewrite, even for the service's own database role.
 *
 * 1. Each entry records its chain version: 1 for the entries already written (SHA-256, which anyone
 *    able to write to the table could recompute), 2 for every entry from now on (HMAC-SHA256 under
 *    the audit key, held outside the database), with the key's public id. Existing entries still
 *    verify as they are; nothing is rewritten.
 * 2. When the connected role may create roles, the table (and the function its append-only triggers
 *    call) is handed to `ntg_audit_owner`, a role nobody logs in as. The service's role keeps only
 *    SELECT and INSERT, through `ntg_audit_writer`: it can no longer update, delete, truncate, drop
 *    or alter the table, nor disable or replace its triggers. (A superuser still can: run the service
 *    as an ordinary role in production; see docs/operations.md and `ntg db harden`.) Otherwise the
 *    table is left as it is, for a DBA to harden later.
 * 3. When the connected role is a superuser, an event trigger refuses to drop the table, which the
 *    owner of the schema could otherwise do whoever owns the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Adding a column with a default is catalogue-only in PostgreSQL 11+: no row is updated, so the
  // append-only trigger is not involved. The default is dropped so that every writer must say.
  await sql`alter table audit_log add column chain smallint not null default 1`.execute(db);
  await sql`alter table audit_log alter column chain drop default`.execute(db);
  await sql`alter table audit_log add column key_id text`.execute(db);
  await sql`alter table audit_log add constraint audit_log_chain check ((chain = 1 and key_id is null) or (chain = 2 and key_id is not null))`.execute(db);

  const { rows } = await sql<{ superuser: boolean; createrole: boolean }>`
    select rolsuper as superuser, rolcreaterole as createrole from pg_roles where rolname = current_user`.execute(db);
  const me = rows[0];
  if (me === undefined || (!me.superuser && !me.createrole)) return;

  // Roles belong to the whole server, so another database on it may have made them already (or be
  // making them at this moment).
  for (const role of ['ntg_audit_owner', 'ntg_audit_writer']) {
    await sql
      .raw(
        `do $$
        begin
          create role ${role} nologin;
        exception when duplicate_object or unique_violation then null;
        end
        $$`,
      )
      .execute(db);
  }

  await sql`grant usage on schema public to ntg_audit_writer`.execute(db);
  await sql`grant select, insert on audit_log to ntg_audit_writer`.execute(db);
  // The table has row-level security (0004), which binds every role but its owner: once the
  // service no longer owns it, the writer needs policies of its own to read and append.
  await sql`create policy audit_log_writer_reads on audit_log for select to ntg_audit_writer using (true)`.execute(db);
  await sql`create policy audit_log_writer_appends on audit_log for insert to ntg_audit_writer with check (true)`.execute(db);

  if (!me.superuser) {
    // A role that is not a superuser can give a table only to a role it belongs to, which needs
    // CREATE on the schema; the membership is taken back at once below.
    await sql`grant create on schema public to ntg_audit_owner`.execute(db);
    await sql`grant ntg_audit_owner to current_user`.execute(db);
  }
  await sql`alter table audit_log owner to ntg_audit_owner`.execute(db);
  await sql`alter function audit_log_is_append_only() owner to ntg_audit_owner`.execute(db);
  await sql`revoke all on audit_log from public`.execute(db);
  if (!me.superuser) {
    await sql`grant ntg_audit_writer to current_user`.execute(db);
    await sql`revoke ntg_audit_owner from current_user`.execute(db);
    return;
  }
  // The owner of the schema may drop any table in it, whoever owns the table, and the service's role
  // often owns the schema. Only a superuser may create the event trigger that stops it.
  await sql`
    create function audit_log_is_kept() returns event_trigger language plpgsql as $$
    begin
      if exists (select 1 from pg_event_trigger_dropped_objects() where object_type = 'table' and object_identity = 'public.audit_log') then
        raise exception 'the audit log is append-only: it cannot be dropped';
      end if;
    end
    $$`.execute(db);
  await sql`create event trigger audit_log_kept on sql_drop execute function audit_log_is_kept()`.execute(db);
}
