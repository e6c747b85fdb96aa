import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const statuses = ['draft', 'submitted', 'in-review', 'awaiting-decision', 'returned', 'published', 'rejected', 'withdrawn'];
const grades = ['validated', 'promising', 'emerging'];
const reviewStatuses = ['assigned', 'submitted', 'withdrawn'];
const decisionOutcomes = ['publish', 'return', 'reject'];
const editionStatuses = ['draft', 'published'];

function oneOf(values: readonly string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

/**
 * The call for evidence and the library of effective practice.
 *
 * A practice item is what a submitter sends: each submission or resubmission freezes its content
 * as a numbered version, so the reviews and the panel decision always name the words they judged
 * and the history shows what changed. The item row carries the published version's facets and a
 * weighted text-search vector, so the public library searches one table.
 *
 * Reviews are blind: each reviewer's rating is kept apart and shown to the other only once both
 * have submitted. Every step is an event in the item's history (and in the audit log).
 *
 * A digest edition, once published, keeps a frozen copy of each item as it was, so an earlier
 * edition reads the same whatever happens to the items later.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table practice_item (
      id uuid primary key default gen_random_uuid(),
      reference integer generated always as identity unique,
      status text not null default 'draft' check (status in (${oneOf(statuses)})),
      submitter_user_id uuid references user_account (id),
      submitter_label text not null,
      draft jsonb not null,
      current_version integer not null default 0,
      published_version integer,
      grade text check (grade in (${oneOf(grades)})),
      evidence_strength smallint check (evidence_strength between 1 and 5),
      personal_data_findings jsonb not null default '[]',
      personal_data_cleared_by_label text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      submitted_at timestamptz,
      published_at timestamptz,
      -- The published version's facets, kept here so that a search reads one table.
      title text not null default '',
      groups text[] not null default '{}',
      outcomes text[] not null default '{}',
      threads text[] not null default '{}',
      statements text[] not null default '{}',
      tiers text[] not null default '{}',
      setting_types text[] not null default '{}',
      cost_band text,
      region_code text,
      la_code text,
      impact_months numeric,
      effect_size numeric,
      search_vector tsvector,
      version integer not null default 1
    )`.execute(db);
  await sql`create index practice_item_by_status on practice_item (status, updated_at desc)`.execute(db);
  await sql`create index practice_item_by_submitter on practice_item (submitter_user_id, updated_at desc)`.execute(db);
  await sql`create index practice_item_search on practice_item using gin (search_vector) where status = 'published'`.execute(db);
  for (const column of ['groups', 'outcomes', 'threads', 'statements', 'tiers', 'setting_types']) {
    await sql`create index ${sql.id(`practice_item_${column}`)} on practice_item using gin (${sql.ref(column)}) where status = 'published'`.execute(db);
  }
  await sql`create index practice_item_published on practice_item (published_at desc) where status = 'published'`.execute(db);

  await sql`
    create table practice_version (
      item_id uuid not null references practice_item (id),
      version integer not null check (version >= 1),
      content jsonb not null,
      response_to_feedback text not null default '',
      submitted_at timestamptz not null default now(),
      submitted_by_label text not null,
      primary key (item_id, version)
    )`.execute(db);

  await sql`
    create table practice_review (
      item_id uuid not null references practice_item (id),
      version integer not null,
      reviewer_user_id uuid not null references user_account (id),
      reviewer_label text not null,
      status text not null default 'assigned' check (status in (${oneOf(reviewStatuses)})),
      assigned_at timestamptz not null default now(),
      assigned_by_label text not null,
      submitted_at timestamptz,
      grade text check (grade in (${oneOf(grades)})),
      evidence_strength smallint check (evidence_strength between 1 and 5),
      studies integer check (studies >= 0),
      reasons text not null default '',
      primary key (item_id, version, reviewer_user_id),
      foreign key (item_id, version) references practice_version (item_id, version)
    )`.execute(db);
  await sql`create index practice_review_by_reviewer on practice_review (reviewer_user_id, status)`.execute(db);

  await sql`
    create table practice_decision (
      item_id uuid not null references practice_item (id),
      version integer not null,
      outcome text not null check (outcome in (${oneOf(decisionOutcomes)})),
      grade text check (grade in (${oneOf(grades)})),
      evidence_strength smallint check (evidence_strength between 1 and 5),
      agreement text not null,
      feedback text not null,
      decided_at timestamptz not null default now(),
      decided_by_user_id uuid references user_account (id),
      decided_by_label text not null,
      primary key (item_id, version),
      foreign key (item_id, version) references practice_version (item_id, version),
      check (outcome <> 'publish' or (grade is not null and evidence_strength is not null))
    )`.execute(db);

  await sql`
    create table practice_event (
      item_id uuid not null references practice_item (id),
      sequence integer generated always as identity,
      at timestamptz not null default now(),
      kind text not null,
      actor_label text not null,
      detail text not null default '',
      shown_to_submitter boolean not null default true,
      primary key (item_id, sequence)
    )`.execute(db);

  await sql`
    create table practice_document (
      id uuid primary key default gen_random_uuid(),
      item_id uuid not null references practice_item (id),
      name text not null,
      media_type text not null,
      size_bytes integer not null check (size_bytes > 0),
      sha256 text not null,
      content bytea not null,
      added_at timestamptz not null default now(),
      added_by_label text not null,
      removed_at timestamptz
    )`.execute(db);
  await sql`create index practice_document_by_item on practice_document (item_id) where removed_at is null`.execute(db);

  await sql`
    create table practice_digest_edition (
      number integer primary key check (number >= 1),
      title text not null,
      introduction text not null,
      sections jsonb not null,
      status text not null default 'draft' check (status in (${oneOf(editionStatuses)})),
      created_at timestamptz not null default now(),
      created_by_label text not null,
      updated_at timestamptz not null default now(),
      published_at timestamptz,
      published_by_label text,
      items jsonb,
      version integer not null default 1
    )`.execute(db);

  await sql`
    create table practice_submission_attempt (
      key text not null,
      at timestamptz not null default now()
    )`.execute(db);
  await sql`create index practice_submission_attempt_by_key on practice_submission_attempt (key, at)`.execute(db);
}
