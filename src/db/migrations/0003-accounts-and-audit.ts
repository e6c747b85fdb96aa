import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Organisations, accounts, roles, sessions, one-time tokens, personal access tokens and the
 * append-only, hash-chained audit log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organisation (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('national', 'region', 'local-authority', 'setting', 'partner')),
      name text not null,
      area_code text,
      urn text unique,
      la_code text,
      created_at timestamptz not null default now(),
      unique (kind, area_code),
      check ((kind in ('local-authority', 'region') and area_code is not null) or kind not in ('local-authority', 'region')),
      check ((kind in ('setting', 'partner', 'local-authority') and la_code is not null) or kind not in ('setting', 'partner', 'local-authority'))
    )`.execute(db);

  await sql`
    create table user_account (
      id uuid primary key default gen_random_uuid(),
      email text not null unique check (email = lower(email)),
      display_name text not null,
      password_hash text,
      status text not null default 'invited' check (status in ('invited', 'active', 'deactivated')),
      totp_secret text,
      totp_confirmed_at timestamptz,
      created_at timestamptz not null default now(),
      last_sign_in_at timestamptz
    )`.execute(db);

  await sql`
    create table membership (
      user_id uuid not null references user_account (id) on delete cascade,
      organisation_id uuid not null references organisation (id) on delete cascade,
      role text not null,
      granted_at timestamptz not null default now(),
      granted_by uuid references user_account (id),
      primary key (user_id, organisation_id, role)
    )`.execute(db);

  await sql`
    create table user_session (
      id_hash text primary key,
      user_id uuid not null references user_account (id) on delete cascade,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      second_factor_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`create index user_session_user on user_session (user_id)`.execute(db);

  // Failures counted per key ('account:<id>' or 'address:<ip>') within a window, with a lock.
  await sql`
    create table sign_in_throttle (
      key text primary key,
      window_started_at timestamptz not null,
      failures integer not null,
      locked_until timestamptz
    )`.execute(db);

  await sql`
    create table one_time_token (
      token_hash text primary key,
      purpose text not null check (purpose in ('password-reset', 'invitation')),
      user_id uuid not null references user_account (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  await sql`
    create table recovery_code (
      user_id uuid not null references user_account (id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      primary key (user_id, code_hash)
    )`.execute(db);

  await sql`
    create table personal_access_token (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references user_account (id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      scopes text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);

  await sql`
    create table audit_log (
      seq bigint primary key,
      at timestamptz not null,
      actor_user_id uuid,
      actor_email text,
      organisation_id uuid,
      la_code text,
      action text not null,
      target text,
      outcome text not null,
      ip text,
      details jsonb not null,
      previous_hash text not null,
      hash text not null unique
    )`.execute(db);
  await sql`create index audit_log_la on audit_log (la_code, seq)`.execute(db);
  // Append-only: the application can add entries but never change or remove one.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only: % is not allowed', tg_op;
    end
    $$`.execute(db);
  await sql`create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_is_append_only()`.execute(db);

  // Messages the service sent, kept when no SMTP server is configured so a demo can show them.
  await sql`
    create table mail_outbox (
      id uuid primary key default gen_random_uuid(),
      to_address text not null,
      subject text not null,
      body text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}
