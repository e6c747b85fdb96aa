import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const actionStatuses = ['not-started', 'on-track', 'at-risk', 'off-track', 'done'];
const linkKinds = ['thread', 'statement', 'gap', 'curve-plan', 'practice'];
const listOf = (values: readonly string[]) => sql.join(values.map((value) => sql.lit(value)));

/**
 * Improvement plans (issue 16, decision 0010): one per organisation (an authority or a setting) and
 * period, with priorities, their links to evidence and means, success measures, and actions with
 * a dated log. Every table carries the owning authority first in its key, as every
 * organisation-owned table does.
 *
 * Concurrency as for turn-the-curve plans: the plan's text, each priority and each action have a
 * `version`; a save names the version it started from and is refused when someone saved in
 * between. Every change writes a numbered revision with a snapshot. A measure keeps only its
 * baseline and target: its current value is read from the gap figures, so it moves with new data.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table improvement_plan (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      organisation_id uuid not null references organisation (id),
      period_start date not null,
      period_end date not null,
      title text not null check (title <> '' and char_length(title) <= 200),
      vision text not null default '' check (char_length(vision) <= 5000),
      owner_user_id uuid references user_account (id),
      version integer not null default 1,
      revision integer not null default 1,
      created_by_label text not null,
      created_at timestamptz not null default now(),
      updated_by_label text not null,
      updated_at timestamptz not null default now(),
      primary key (la_code, id),
      unique (id),
      unique (organisation_id, period_start),
      check (period_end > period_start)
    )`.execute(db);

  await sql`
    create table improvement_priority (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      position integer not null,
      title text not null check (title <> '' and char_length(title) <= 200),
      rationale text not null default '' check (char_length(rationale) <= 5000),
      source text not null check (source in ('suggested', 'written')),
      suggestion_key text,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (la_code, id),
      foreign key (la_code, plan_id) references improvement_plan (la_code, id) on delete cascade
    )`.execute(db);
  await sql`create index improvement_priority_by_plan on improvement_priority (la_code, plan_id, position)`.execute(db);

  await sql`
    create table improvement_link (
      la_code text not null,
      priority_id uuid not null,
      kind text not null check (kind in (${listOf(linkKinds)})),
      target text not null check (target <> ''),
      position integer not null,
      primary key (la_code, priority_id, kind, target),
      foreign key (la_code, priority_id) references improvement_priority (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table improvement_measure (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      priority_id uuid not null,
      indicator text not null,
      group_spec text not null,
      comparator text not null,
      figure text not null check (figure in ('gap', 'group-value')),
      baseline_year text not null,
      baseline_value double precision not null,
      target_year text not null,
      target_value double precision not null,
      created_at timestamptz not null default now(),
      primary key (la_code, id),
      foreign key (la_code, priority_id) references improvement_priority (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table improvement_action (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      priority_id uuid not null,
      title text not null check (title <> '' and char_length(title) <= 300),
      owner_user_id uuid references user_account (id),
      owner_organisation_id uuid references organisation (id),
      start_date date not null,
      due_date date not null,
      status text not null check (status in (${listOf(actionStatuses)})),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (la_code, id),
      unique (id),
      foreign key (la_code, priority_id) references improvement_priority (la_code, id) on delete cascade,
      check ((owner_user_id is null) <> (owner_organisation_id is null)),
      check (due_date >= start_date)
    )`.execute(db);
  await sql`create index improvement_action_by_priority on improvement_action (la_code, priority_id, due_date)`.execute(db);
  await sql`create index improvement_action_by_owner on improvement_action (owner_user_id) where owner_user_id is not null`.execute(db);

  await sql`
    create table improvement_action_update (
      la_code text not null,
      id bigint generated always as identity,
      action_id uuid not null,
      written_by_user_id uuid references user_account (id),
      written_by_label text not null,
      written_at timestamptz not null default now(),
      status text not null check (status in (${listOf(actionStatuses)})),
      note text not null default '' check (char_length(note) <= 5000),
      primary key (la_code, id),
      foreign key (la_code, action_id) references improvement_action (la_code, id) on delete cascade
    )`.execute(db);
  await sql`create index improvement_action_update_by_action on improvement_action_update (la_code, action_id, id)`.execute(db);

  await sql`
    create table improvement_revision (
      la_code text not null,
      plan_id uuid not null,
      revision integer not null,
      changed_by_label text not null,
      changed_at timestamptz not null default now(),
      change text not null,
      snapshot jsonb not null,
      primary key (la_code, plan_id, revision),
      foreign key (la_code, plan_id) references improvement_plan (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table reminder_preference (
      user_id uuid primary key references user_account (id) on delete cascade,
      due_reminders boolean not null default true,
      weekly_digest boolean not null default true,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table reminder_sent (
      user_id uuid not null references user_account (id) on delete cascade,
      kind text not null check (kind in ('due-soon', 'overdue', 'weekly-digest')),
      subject_id text not null,
      occasion date not null,
      sent_at timestamptz not null default now(),
      primary key (user_id, kind, subject_id, occasion)
    )`.execute(db);
}
