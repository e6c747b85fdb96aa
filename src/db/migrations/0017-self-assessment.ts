import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const scopes = ['threads', 'T1', 'T2', 'T3', 'T4', 'T5'];
const statuses = ['in-progress', 'submitted', 'signed-off'];
const confidences = ['low', 'medium', 'high'];
const changeKinds = ['amend', 'add', 'retire'];
const amendmentStatuses = ['proposed', 'accepted', 'rejected', 'merged', 'withdrawn'];
const moderationStatuses = ['invited', 'declined', 'rating', 'submitted', 'agreed', 'withdrawn'];

/**
 * Self-assessment against the framework, and the reality check that changes the framework.
 *
 * Catalogue versions: revision 0 is the seed catalogue (catalogue.json); each accepted amendment
 * publishes a numbered revision whose changes (a statement's new wording, a new statement, a
 * statement retired) apply on top of the ones before. Ids never change.
 *
 * An assessment copies the wording of every statement in its scope when it starts
 * (`assessment_statement`), so it keeps the words it rated whatever the catalogue later says.
 * Each rating has a `version`; a save names the version it read and is refused when someone saved
 * in between. Every table holding an organisation's data carries its authority in its key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table framework_revision (
      number integer primary key check (number >= 1),
      published_at timestamptz not null default now(),
      published_by_label text not null,
      summary text not null
    )`.execute(db);
  await sql`
    create table framework_statement_change (
      revision integer not null references framework_revision (number),
      statement_id text not null,
      change text not null check (change in (${sql.join(changeKinds.map((kind) => sql.lit(kind)))})),
      kind text not null,
      template smallint,
      layer text,
      tier text,
      thread text,
      parent_id text,
      text text not null,
      previous_text text,
      reason text not null default '',
      primary key (revision, statement_id)
    )`.execute(db);
  await sql`create index framework_statement_change_by_statement on framework_statement_change (statement_id, revision)`.execute(db);

  await sql`
    create table assessment (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      organisation_id uuid not null references organisation (id),
      scope text not null check (scope in (${sql.join(scopes.map((scope) => sql.lit(scope)))})),
      period text not null check (period ~ '^[0-9]{4}/[0-9]{2}$'),
      catalogue_version text not null,
      catalogue_revision integer not null default 0,
      status text not null default 'in-progress' check (status in (${sql.join(statuses.map((status) => sql.lit(status)))})),
      previous_id uuid,
      owner_user_id uuid references user_account (id),
      owner_label text not null,
      created_at timestamptz not null default now(),
      submitted_at timestamptz,
      submitted_by_label text,
      signed_off_at timestamptz,
      signed_off_by uuid references user_account (id),
      signed_off_by_label text,
      version integer not null default 1,
      primary key (la_code, id),
      unique (id),
      unique (organisation_id, scope, period)
    )`.execute(db);
  await sql`create index assessment_by_scope on assessment (scope, status, period)`.execute(db);

  await sql`
    create table assessment_statement (
      la_code text not null,
      assessment_id uuid not null,
      statement_id text not null,
      position integer not null,
      kind text not null,
      template smallint,
      layer text,
      tier text,
      thread text,
      parent_id text,
      text text not null,
      primary key (la_code, assessment_id, statement_id),
      foreign key (la_code, assessment_id) references assessment (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table assessment_rating (
      la_code text not null,
      assessment_id uuid not null,
      statement_id text not null,
      level smallint check (level between 1 and 4),
      not_applicable boolean not null default false,
      not_applicable_reason text not null default '',
      note text not null default '',
      links jsonb not null default '[]',
      confidence text check (confidence in (${sql.join(confidences.map((confidence) => sql.lit(confidence)))})),
      next_step text not null default '',
      next_step_owner text not null default '',
      next_step_due date,
      carried_forward boolean not null default false,
      version integer not null default 1,
      updated_by uuid references user_account (id),
      updated_by_label text not null,
      updated_at timestamptz not null default now(),
      primary key (la_code, assessment_id, statement_id),
      foreign key (la_code, assessment_id, statement_id) references assessment_statement (la_code, assessment_id, statement_id) on delete cascade,
      check (not (not_applicable and level is not null))
    )`.execute(db);

  await sql`
    create table assessment_evidence_file (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      assessment_id uuid not null,
      statement_id text not null,
      filename text not null,
      media_type text not null,
      size_bytes integer not null,
      sha256 text not null,
      content bytea not null,
      carried_from uuid,
      uploaded_by uuid references user_account (id),
      uploaded_by_label text not null,
      uploaded_at timestamptz not null default now(),
      primary key (la_code, id),
      foreign key (la_code, assessment_id, statement_id) references assessment_statement (la_code, assessment_id, statement_id) on delete cascade
    )`.execute(db);
  await sql`create index assessment_evidence_by_statement on assessment_evidence_file (la_code, assessment_id, statement_id)`.execute(db);

  await sql`
    create table assessment_moderation (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      assessment_id uuid not null,
      moderator_user_id uuid not null references user_account (id),
      moderator_label text not null,
      moderator_organisation text not null,
      sample text[],
      status text not null default 'invited' check (status in (${sql.join(moderationStatuses.map((status) => sql.lit(status)))})),
      invited_by_label text not null,
      invited_at timestamptz not null default now(),
      submitted_at timestamptz,
      agreed_at timestamptz,
      primary key (la_code, id),
      foreign key (la_code, assessment_id) references assessment (la_code, id) on delete cascade
    )`.execute(db);
  await sql`create index assessment_moderation_by_moderator on assessment_moderation (moderator_user_id, status)`.execute(db);

  await sql`
    create table assessment_moderation_rating (
      la_code text not null,
      moderation_id uuid not null,
      statement_id text not null,
      level smallint check (level between 1 and 4),
      not_applicable boolean not null default false,
      comment text not null default '',
      agreed_level smallint check (agreed_level between 1 and 4),
      agreed_not_applicable boolean not null default false,
      agreed_comment text not null default '',
      agreed_by_label text,
      agreed_at timestamptz,
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      primary key (la_code, moderation_id, statement_id),
      foreign key (la_code, moderation_id) references assessment_moderation (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table framework_amendment (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      organisation_id uuid not null references organisation (id),
      proposed_by uuid references user_account (id),
      proposed_by_label text not null,
      proposed_at timestamptz not null default now(),
      change text not null check (change in (${sql.join(changeKinds.map((kind) => sql.lit(kind)))})),
      statement_id text,
      template smallint,
      layer text,
      tier text,
      thread text,
      proposed_text text not null default '',
      reason text not null check (reason <> ''),
      local_evidence text not null default '',
      status text not null default 'proposed' check (status in (${sql.join(amendmentStatuses.map((status) => sql.lit(status)))})),
      merged_into uuid,
      reply text not null default '',
      decided_by_label text,
      decided_at timestamptz,
      revision integer references framework_revision (number),
      primary key (la_code, id),
      unique (id)
    )`.execute(db);
  await sql`create index framework_amendment_by_status on framework_amendment (status, statement_id)`.execute(db);
}
