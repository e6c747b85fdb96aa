import type { Kysely } from 'kysely';
import { sql } from 'kysely';
// A snapshot of the standard's measures when this migration was written: migrations never change.
const measureNames = [
  'eyfsp_gld', 'phonics_y1_met', 'ks2_rwm_expected', 'ks2_reading_scaled', 'ks2_maths_scaled', 'ks4_attainment8',
  'ks4_eng_maths_grade4', 'attendance_pct', 'suspensions', 'healthy_weight_reception', 'healthy_weight_y6', 'neet_16_17',
];

/**
 * Import batches and their problems; child-level records (one row per child, year and batch, the
 * child identifier pseudonymised); which batch is current for each authority and year; and the
 * aggregates (sufficient statistics per combination of group memberships, and per setting and
 * group) that every analysis reads instead of child rows. Child rows and the current-batch pointers carry their owning
 * authority in the primary key and are under row-level security for the `ntg_scoped` role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table import_batch (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('children', 'statistics')),
      la_code text,
      organisation_id uuid references organisation (id),
      uploaded_by uuid references user_account (id),
      uploaded_by_label text not null,
      file_name text not null,
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      stored_file text,
      byte_size bigint not null,
      outcome text not null check (outcome in ('loaded', 'rejected')),
      accept_valid boolean not null default false,
      academic_years smallint[] not null default '{}',
      rows_read integer not null default 0,
      rows_loaded integer not null default 0,
      rows_quarantined integer not null default 0,
      problem_count integer not null default 0,
      details jsonb not null default '{}',
      started_at timestamptz not null,
      finished_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index import_batch_by_owner on import_batch (la_code, kind, finished_at desc)`.execute(db);
  await sql`create index import_batch_by_hash on import_batch (sha256)`.execute(db);

  await sql`
    create table import_problem (
      batch_id bigint not null references import_batch (id) on delete cascade,
      seq integer not null,
      row_number integer,
      column_name text not null,
      value text not null,
      expected text not null,
      primary key (batch_id, seq)
    )`.execute(db);

  await sql`
    create table child_record (
      la_code text not null,
      academic_year smallint not null,
      batch_id bigint not null references import_batch (id),
      child_key text not null,
      signature bigint not null,
      setting_urn integer,
      ncy smallint,
      sex text check (sex in ('F', 'M')),
      idaci_decile smallint,
      sen_provision text,
      ethnicity text,
      english_proficiency text,
      disadvantaged boolean,
      fsm boolean,
      child_in_care boolean,
      child_in_need boolean,
      child_protection_plan boolean,
      disability boolean,
      excluded boolean,
      eal boolean,
      young_carer boolean,
      young_offender boolean,
      vulnerable_adults boolean,
      asylum_refugee boolean,
      trusted_adult boolean,
      lead_professional boolean,
      early_help_assessment boolean,
      team_around_child boolean,
      personal_education_plan boolean,
      placement_moves smallint,
      school_moves smallint,
      eyfsp_gld boolean,
      phonics_y1_met boolean,
      ks2_rwm_expected boolean,
      ks2_reading_scaled double precision,
      ks2_maths_scaled double precision,
      ks4_attainment8 double precision,
      ks4_eng_maths_grade4 boolean,
      attendance_pct double precision,
      suspensions smallint,
      healthy_weight_reception boolean,
      healthy_weight_y6 boolean,
      neet_16_17 boolean,
      local_values jsonb,
      primary key (la_code, academic_year, batch_id, child_key)
    )`.execute(db);
  // One index only: a child's history is found through the primary key, one current batch per year.

  await sql`
    create table child_year_batch (
      la_code text not null,
      academic_year smallint not null,
      batch_id bigint not null references import_batch (id),
      since timestamptz not null default now(),
      primary key (la_code, academic_year)
    )`.execute(db);

  const aggregateColumns = measureNames.flatMap((name) => [`${name}_n integer not null`, `${name}_sum double precision not null`, `${name}_sumsq double precision not null`]);
  // The authority's children by every combination of memberships (the signature): any group, any
  // intersection, against any comparator, is a sum of these rows.
  await sql`
    create table child_aggregate (
      la_code text not null,
      academic_year smallint not null,
      signature bigint not null,
      children integer not null,
      ${sql.raw(aggregateColumns.join(',\n      '))},
      primary key (la_code, academic_year, signature)
    )`.execute(db);
  // Each setting's children by one group at a time (in, out, unknown) and all together
  // (dimension 'all'): what ranking settings needs, a few rows per setting rather than one per combination.
  await sql`
    create table child_setting_aggregate (
      la_code text not null,
      academic_year smallint not null,
      setting_urn integer not null,
      dimension text not null,
      membership smallint not null,
      children integer not null,
      ${sql.raw(aggregateColumns.join(',\n      '))},
      primary key (la_code, academic_year, setting_urn, dimension, membership)
    )`.execute(db);

  for (const table of ['child_record', 'child_year_batch']) {
    await sql`grant select on ${sql.table(table)} to ntg_scoped`.execute(db);
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  }
  await sql`
    create policy child_record_by_authority on child_record for select to ntg_scoped
    using (
      la_code = any (string_to_array(current_setting('ntg.la_codes', true), ','))
      and (coalesce(current_setting('ntg.setting_urns', true), '') = ''
           or setting_urn = any (string_to_array(current_setting('ntg.setting_urns', true), ',')::integer[]))
    )`.execute(db);
  await sql`
    create policy child_year_batch_by_authority on child_year_batch for select to ntg_scoped
    using (la_code = any (string_to_array(current_setting('ntg.la_codes', true), ',')))`.execute(db);
}
