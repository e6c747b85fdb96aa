import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const actionStatuses = ['not-started', 'in-progress', 'done', 'stopped'];
const quadrants = ['how-much', 'how-well', 'better-off-number', 'better-off-percentage'];

/**
 * Turn-the-curve plans (Outcomes Based Accountability): one per authority, indicator and group,
 * written by the authority's own members. Each table carries the owning authority in its key.
 *
 * Concurrency: the plan's own text has a `version` and so does each action; a save names the
 * version it started from and is refused when someone saved in between, so no update is lost.
 * Adding an action, an update to an action's log, a measure or a measure's value only appends,
 * so they need no version. Every change writes a numbered revision with a snapshot of the plan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table curve_plan (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      indicator text not null,
      group_spec text not null,
      comparator text not null,
      title text not null check (title <> ''),
      target_value double precision,
      target_year smallint,
      story text not null default '',
      partners jsonb not null default '[]',
      what_works jsonb not null default '[]',
      version integer not null default 1,
      revision integer not null default 1,
      created_by uuid references user_account (id),
      created_by_label text not null,
      created_at timestamptz not null default now(),
      updated_by_label text not null,
      updated_at timestamptz not null default now(),
      primary key (la_code, id),
      check ((target_value is null) = (target_year is null))
    )`.execute(db);
  await sql`create index curve_plan_by_subject on curve_plan (la_code, indicator, group_spec)`.execute(db);

  await sql`
    create table curve_plan_action (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      description text not null check (description <> ''),
      owner text not null default '',
      due_date date,
      status text not null check (status in (${sql.join(actionStatuses.map((status) => sql.lit(status)))})),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (la_code, id),
      foreign key (la_code, plan_id) references curve_plan (la_code, id) on delete cascade
    )`.execute(db);
  await sql`create index curve_plan_action_by_plan on curve_plan_action (la_code, plan_id, created_at)`.execute(db);

  await sql`
    create table curve_plan_action_update (
      la_code text not null,
      id bigint generated always as identity,
      action_id uuid not null,
      written_by_label text not null,
      written_at timestamptz not null default now(),
      status text not null,
      note text not null default '',
      primary key (la_code, id),
      foreign key (la_code, action_id) references curve_plan_action (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table curve_plan_measure (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      quadrant text not null check (quadrant in (${sql.join(quadrants.map((quadrant) => sql.lit(quadrant)))})),
      name text not null check (name <> ''),
      created_at timestamptz not null default now(),
      primary key (la_code, id),
      foreign key (la_code, plan_id) references curve_plan (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table curve_plan_measure_value (
      la_code text not null,
      measure_id uuid not null,
      period text not null check (period <> ''),
      value double precision not null,
      written_by_label text not null,
      written_at timestamptz not null default now(),
      primary key (la_code, measure_id, period),
      foreign key (la_code, measure_id) references curve_plan_measure (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table curve_plan_revision (
      la_code text not null,
      plan_id uuid not null,
      revision integer not null,
      changed_by_label text not null,
      changed_at timestamptz not null default now(),
      change text not null,
      snapshot jsonb not null,
      primary key (la_code, plan_id, revision),
      foreign key (la_code, plan_id) references curve_plan (la_code, id) on delete cascade
    )`.execute(db);
}
