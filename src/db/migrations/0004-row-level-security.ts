import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Row-level security, the second line behind the application's own checks. Code that reads on
 * behalf of one authority switches to the `ntg_scoped` role with the authority's codes in the
 * `ntg.la_codes` setting (see src/auth/scope.ts); the policies then return only that authority's
 * rows even if a query forgets its own filter. Tables holding child-level data add their policies
 * the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Roles belong to the whole server, so another database on it may have made this one already.
  await sql`
    do $$
    begin
      create role ntg_scoped nologin;
    exception when duplicate_object then null;
    end
    $$`.execute(db);
  await sql`grant ntg_scoped to current_user`.execute(db);
  await sql`grant usage on schema public to ntg_scoped`.execute(db);
  await sql`grant select on audit_log to ntg_scoped`.execute(db);
  await sql`alter table audit_log enable row level security`.execute(db);
  await sql`
    create policy audit_log_by_authority on audit_log for select to ntg_scoped
    using (la_code = any (string_to_array(current_setting('ntg.la_codes', true), ',')))`.execute(db);
}
