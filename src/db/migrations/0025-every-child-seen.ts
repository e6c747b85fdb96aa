import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// A snapshot of the indicators computed from the records after each load when this migration was written.
const derivedIndicators = [
  'coverage_trusted_adult',
  'coverage_lead_professional',
  'coverage_early_help',
  'coverage_pep',
  'progress_eyfsp_phonics',
  'progress_ks2_ks4',
  'progress_attendance',
];

/**
 * Every child seen (src/tracking):
 * - the aggregates gain the coverage and progress indicators, computed from the records after each
 *   load (zero until then);
 * - `child_progress`: each pupil's progress between two points, with what was expected and its label;
 * - `tracking_rules`: an authority's own rules for its work lists and coverage indicators;
 * - `aggregate_revision`: when an authority's aggregates last changed other than by a load (new rules),
 *   so kept figures computed before are not read again;
 * - `child_follow_up`: what was done about a listed child (the loaded records are never edited);
 * - `child_handover`: a receiving setting's confirmation that it has a moving child's information;
 * - `break_glass_access`: time-limited access to one child outside the usual reach, with its reason.
 * Child progress is under row-level security as child records are; and both policies also admit the
 * children named in `ntg.child_keys` (a handover or a break-the-glass access), within the authority.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns = derivedIndicators.flatMap((name) => [
    `add column ${name}_n integer not null default 0`,
    `add column ${name}_sum double precision not null default 0`,
    `add column ${name}_sumsq double precision not null default 0`,
  ]);
  for (const table of ['child_aggregate', 'child_setting_aggregate']) {
    await sql`alter table ${sql.table(table)} ${sql.raw(columns.join(', '))}`.execute(db);
  }

  await sql`
    create table child_progress (
      la_code text not null,
      academic_year smallint not null,
      pair text not null,
      child_key text not null,
      setting_urn integer,
      signature bigint not null,
      prior_year smallint,
      prior_value double precision,
      band smallint,
      outcome_value double precision not null,
      expected double precision,
      progress double precision,
      label text not null check (label in ('not-enough-data', 'stuck', 'coasting', 'underperforming', 'as-expected')),
      primary key (la_code, academic_year, pair, child_key)
    )`.execute(db);
  await sql`create index child_progress_by_setting on child_progress (la_code, academic_year, setting_urn)`.execute(db);
  await sql`create index child_progress_by_child on child_progress (la_code, child_key)`.execute(db);

  await sql`
    create table tracking_rules (
      la_code text primary key,
      rules jsonb not null,
      updated_at timestamptz not null default now(),
      updated_by uuid references user_account (id),
      updated_by_label text not null
    )`.execute(db);

  await sql`
    create table aggregate_revision (
      la_code text primary key,
      revised_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table child_follow_up (
      id bigint generated always as identity primary key,
      la_code text not null,
      child_key text not null,
      academic_year smallint not null,
      list text not null,
      action text not null,
      note text not null default '',
      follow_up_on date,
      recorded_by uuid references user_account (id),
      recorded_by_label text not null,
      setting_urn integer,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index child_follow_up_by_child on child_follow_up (la_code, child_key, academic_year, recorded_at desc)`.execute(db);

  await sql`
    create table child_handover (
      la_code text not null,
      child_key text not null,
      academic_year smallint not null,
      to_setting_urn integer not null,
      from_setting_urn integer not null,
      confirmed_by uuid references user_account (id),
      confirmed_by_label text not null,
      confirmed_at timestamptz not null default now(),
      note text not null default '',
      primary key (la_code, child_key, academic_year, to_setting_urn)
    )`.execute(db);

  await sql`
    create table break_glass_access (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references user_account (id),
      user_email text not null,
      la_code text not null,
      child_key text not null,
      reason text not null check (length(reason) between 20 and 2000),
      granted_at timestamptz not null default now(),
      expires_at timestamptz not null check (expires_at > granted_at),
      ended_at timestamptz,
      seen_by_admin_at timestamptz
    )`.execute(db);
  await sql`create index break_glass_access_by_user on break_glass_access (user_id, expires_at desc)`.execute(db);
  await sql`create index break_glass_access_by_authority on break_glass_access (la_code, granted_at desc)`.execute(db);

  await sql`drop policy child_record_by_reach on child_record`.execute(db);
  await sql`
    create policy child_record_by_reach on child_record for select to ntg_scoped
    using (
      la_code = any (string_to_array(current_setting('ntg.la_codes', true), ','))
      and (la_code = any (string_to_array(current_setting('ntg.child_reach', true), ','))
           or la_code || ':' || setting_urn::text = any (string_to_array(current_setting('ntg.child_reach', true), ','))
           or la_code || ':' || child_key = any (string_to_array(current_setting('ntg.child_keys', true), ',')))
    )`.execute(db);
  // The work list reads what was done about its children in the same scoped transaction: only its authority's.
  await sql`grant select on child_follow_up to ntg_scoped`.execute(db);
  await sql`alter table child_follow_up enable row level security`.execute(db);
  await sql`
    create policy child_follow_up_by_authority on child_follow_up for select to ntg_scoped
    using (la_code = any (string_to_array(current_setting('ntg.la_codes', true), ',')))`.execute(db);
  await sql`grant select on child_progress to ntg_scoped`.execute(db);
  await sql`alter table child_progress enable row level security`.execute(db);
  await sql`
    create policy child_progress_by_reach on child_progress for select to ntg_scoped
    using (
      la_code = any (string_to_array(current_setting('ntg.la_codes', true), ','))
      and (la_code = any (string_to_array(current_setting('ntg.child_reach', true), ','))
           or la_code || ':' || setting_urn::text = any (string_to_array(current_setting('ntg.child_reach', true), ','))
           or la_code || ':' || child_key = any (string_to_array(current_setting('ntg.child_keys', true), ',')))
    )`.execute(db);
}
