import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface HardeningReport {
  /** What was done, in words. */
  done: string[];
  /** What still leaves the log open to the service's role; empty when it can only read and append. */
  problems: string[];
}

/**
 * Run by a DBA (a superuser's DATABASE_URL) for the role the service logs in as: the audit log is
 * owned by `ntg_audit_owner`, which nobody logs in as, and the service's role may only read it and
 * append to it (through `ntg_audit_writer`). Does what migration 0010 does when the service's own
 * role could not, and can be run again at any time. Then checks the role for what would still let it
 * rewrite the log.
 */
export async function hardenAuditLog(db: Kysely<Schema>, serviceRole: string): Promise<HardeningReport> {
  const done: string[] = [];
  const role = sql.id(serviceRole);
  return db.transaction().execute(async (transaction) => {
    const found = await sql<{ rolsuper: boolean; rolcreaterole: boolean; rolbypassrls: boolean }>`
      select rolsuper, rolcreaterole, rolbypassrls from pg_roles where rolname = ${serviceRole}`.execute(transaction);
    const service = found.rows[0];
    if (service === undefined) return { done, problems: [`there is no database role ${serviceRole}`] };
    for (const name of ['ntg_audit_owner', 'ntg_audit_writer']) {
      const exists = await sql<{ one: number }>`select 1 as one from pg_roles where rolname = ${name}`.execute(transaction);
      if (exists.rows.length === 0) {
        await sql`create role ${sql.id(name)} nologin`.execute(transaction);
        done.push(`created role ${name}`);
      }
    }
    await sql`grant usage on schema public to ntg_audit_writer`.execute(transaction);
    await sql`grant select, insert on audit_log to ntg_audit_writer`.execute(transaction);
    const policies = await sql<{ policyname: string }>`select policyname from pg_policies where tablename = 'audit_log'`.execute(transaction);
    const named = new Set(policies.rows.map((row) => row.policyname));
    if (!named.has('audit_log_writer_reads')) await sql`create policy audit_log_writer_reads on audit_log for select to ntg_audit_writer using (true)`.execute(transaction);
    if (!named.has('audit_log_writer_appends')) await sql`create policy audit_log_writer_appends on audit_log for insert to ntg_audit_writer with check (true)`.execute(transaction);
    const owner = await sql<{ owner: string }>`select tableowner as owner from pg_tables where tablename = 'audit_log' and schemaname = 'public'`.execute(transaction);
    if (owner.rows[0]?.owner !== 'ntg_audit_owner') {
      await sql`alter table audit_log owner to ntg_audit_owner`.execute(transaction);
      await sql`alter function audit_log_is_append_only() owner to ntg_audit_owner`.execute(transaction);
      done.push(`gave the audit log to ntg_audit_owner (it belonged to ${owner.rows[0]?.owner ?? 'nobody'})`);
    }
    await sql`revoke all on audit_log from public`.execute(transaction);
    await sql`revoke all on audit_log from ${role}`.execute(transaction);
    await sql`grant ntg_audit_writer to ${role}`.execute(transaction);
    done.push(`${serviceRole} may read and append to the audit log, nothing more`);
    const member = await sql<{ member: boolean }>`select pg_has_role(${serviceRole}, 'ntg_audit_owner', 'MEMBER') as member`.execute(transaction);
    if (member.rows[0]?.member === true && !service.rolsuper) {
      await sql`revoke ntg_audit_owner from ${role}`.execute(transaction);
      done.push(`${serviceRole} is no longer a member of ntg_audit_owner`);
    }

    const problems: string[] = [];
    // The schema's owner (often the service's role) may drop any table in it: an event trigger,
    // which only a superuser can make or remove, refuses to drop this one.
    const guard = await sql<{ one: number }>`select 1 as one from pg_event_trigger where evtname = 'audit_log_kept'`.execute(transaction);
    if (guard.rows.length === 0) {
      const me = await sql<{ rolsuper: boolean }>`select rolsuper from pg_roles where rolname = current_user`.execute(transaction);
      if (me.rows[0]?.rolsuper === true) {
        await sql`
          create or replace function audit_log_is_kept() returns event_trigger language plpgsql as $$
          begin
            if exists (select 1 from pg_event_trigger_dropped_objects() where object_type = 'table' and object_identity = 'public.audit_log') then
              raise exception 'the audit log is append-only: it cannot be dropped';
            end if;
          end
          $$`.execute(transaction);
        await sql`create event trigger audit_log_kept on sql_drop execute function audit_log_is_kept()`.execute(transaction);
        done.push('installed the event trigger that refuses to drop the audit log');
      } else {
        problems.push('nothing stops the owner of the schema from dropping the audit log: run ntg db harden as a superuser, which installs an event trigger that refuses it');
      }
    }
    if (service.rolsuper) problems.push(`${serviceRole} is a superuser, which no permission binds: run the service as an ordinary role`);
    if (service.rolcreaterole) problems.push(`${serviceRole} may create roles, and so could make itself a member of ntg_audit_owner: alter role ${serviceRole} nocreaterole`);
    if (service.rolbypassrls) problems.push(`${serviceRole} bypasses row-level security: alter role ${serviceRole} nobypassrls`);
    const stillMember = await sql<{ member: boolean }>`select pg_has_role(${serviceRole}, 'ntg_audit_owner', 'MEMBER') as member`.execute(transaction);
    if (!service.rolsuper && stillMember.rows[0]?.member === true) problems.push(`${serviceRole} still belongs to ntg_audit_owner (through another role)`);
    return { done, problems };
  });
}
