import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const visibilities = ['open', 'restricted', 'hidden'];
const memberRoles = ['owner', 'moderator', 'member'];
const memberStates = ['member', 'requested', 'invited'];
const digestFrequencies = ['off', 'daily', 'weekly'];
const listOf = (values: readonly string[]) => sql.join(values.map((value) => sql.lit(value)));

/**
 * The network (issue 18): councils' public profiles and listed contacts, and communities of
 * interest with their members, discussions, documents and events, what people watch, the
 * notifications that follow, and how often each person wants them by email.
 *
 * A council's profile is one row per authority: a short statement and, once a leader publishes it,
 * the improvement plan whose priorities the profile shows. Contacts are people who chose to be
 * listed on their authority's page.
 *
 * A group is open (anyone signed in joins), restricted (joins on request) or hidden (by invitation;
 * invisible to anyone else). A membership row is a member, a request or an invitation. Posts are
 * never deleted: a moderator hides one with a reason, and the thread shows that it was hidden.
 * Documents keep every version's bytes, as evidence files do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table network_profile (
      la_code text primary key,
      statement text not null default '' check (char_length(statement) <= 2000),
      published_plan_id uuid references improvement_plan (id) on delete set null,
      updated_by_label text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table network_contact (
      user_id uuid primary key references user_account (id) on delete cascade,
      la_code text not null,
      job_title text not null check (job_title <> '' and char_length(job_title) <= 120),
      listed_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index network_contact_by_authority on network_contact (la_code)`.execute(db);

  await sql`
    create table network_group (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (name <> '' and char_length(name) <= 120),
      purpose text not null check (purpose <> '' and char_length(purpose) <= 2000),
      visibility text not null check (visibility in (${listOf(visibilities)})),
      theme text check (char_length(theme) <= 80),
      framework_group text,
      threads text[] not null default '{}',
      templates smallint[] not null default '{}',
      created_by uuid references user_account (id) on delete set null,
      created_at timestamptz not null default now(),
      last_activity_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table network_membership (
      group_id uuid not null references network_group (id) on delete cascade,
      user_id uuid not null references user_account (id) on delete cascade,
      role text not null default 'member' check (role in (${listOf(memberRoles)})),
      state text not null check (state in (${listOf(memberStates)})),
      invited_by uuid references user_account (id) on delete set null,
      since timestamptz not null default now(),
      primary key (group_id, user_id)
    )`.execute(db);
  await sql`create index network_membership_by_user on network_membership (user_id, state)`.execute(db);

  await sql`
    create table network_discussion (
      id uuid primary key default gen_random_uuid(),
      group_id uuid not null references network_group (id) on delete cascade,
      title text not null check (title <> '' and char_length(title) <= 200),
      started_by uuid references user_account (id) on delete set null,
      started_at timestamptz not null default now(),
      last_post_at timestamptz not null default now(),
      posts integer not null default 0
    )`.execute(db);
  await sql`create index network_discussion_by_group on network_discussion (group_id, last_post_at desc)`.execute(db);

  await sql`
    create table network_post (
      id uuid primary key default gen_random_uuid(),
      discussion_id uuid not null references network_discussion (id) on delete cascade,
      group_id uuid not null references network_group (id) on delete cascade,
      author_id uuid references user_account (id) on delete set null,
      author_label text not null,
      body text not null check (body <> '' and char_length(body) <= 20000),
      quoted_post_id uuid references network_post (id) on delete set null,
      posted_at timestamptz not null default now(),
      hidden_at timestamptz,
      hidden_by_label text,
      hidden_reason text,
      search_vector tsvector not null,
      check ((hidden_at is null) = (hidden_reason is null))
    )`.execute(db);
  await sql`create index network_post_by_discussion on network_post (discussion_id, posted_at)`.execute(db);
  await sql`create index network_post_by_author on network_post (author_id, posted_at desc)`.execute(db);
  await sql`create index network_post_search on network_post using gin (search_vector)`.execute(db);

  await sql`
    create table network_post_report (
      id uuid primary key default gen_random_uuid(),
      post_id uuid not null references network_post (id) on delete cascade,
      reported_by uuid references user_account (id) on delete set null,
      reason text not null check (reason <> '' and char_length(reason) <= 1000),
      reported_at timestamptz not null default now(),
      resolved_at timestamptz,
      resolved_by_label text,
      unique (post_id, reported_by)
    )`.execute(db);

  await sql`
    create table network_document (
      id uuid primary key default gen_random_uuid(),
      group_id uuid not null references network_group (id) on delete cascade,
      title text not null check (title <> '' and char_length(title) <= 200),
      added_by uuid references user_account (id) on delete set null,
      added_at timestamptz not null default now(),
      search_vector tsvector not null
    )`.execute(db);
  await sql`create index network_document_by_group on network_document (group_id)`.execute(db);
  await sql`create index network_document_search on network_document using gin (search_vector)`.execute(db);

  await sql`
    create table network_document_version (
      document_id uuid not null references network_document (id) on delete cascade,
      version integer not null,
      file_name text not null,
      media_type text not null,
      size_bytes integer not null,
      sha256 text not null,
      content bytea not null,
      note text not null default '' check (char_length(note) <= 500),
      uploaded_by_label text not null,
      uploaded_at timestamptz not null default now(),
      primary key (document_id, version)
    )`.execute(db);

  await sql`
    create table network_event (
      id uuid primary key default gen_random_uuid(),
      group_id uuid not null references network_group (id) on delete cascade,
      title text not null check (title <> '' and char_length(title) <= 200),
      description text not null default '' check (char_length(description) <= 5000),
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      place text check (char_length(place) <= 300),
      online_url text check (char_length(online_url) <= 500),
      capacity integer check (capacity > 0),
      created_by uuid references user_account (id) on delete set null,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at),
      check (place is not null or online_url is not null)
    )`.execute(db);
  await sql`create index network_event_by_group on network_event (group_id, starts_at)`.execute(db);

  await sql`
    create table network_event_signup (
      event_id uuid not null references network_event (id) on delete cascade,
      user_id uuid not null references user_account (id) on delete cascade,
      signed_up_at timestamptz not null default now(),
      primary key (event_id, user_id)
    )`.execute(db);

  await sql`
    create table network_watch (
      user_id uuid not null references user_account (id) on delete cascade,
      group_id uuid not null references network_group (id) on delete cascade,
      discussion_id uuid references network_discussion (id) on delete cascade,
      since timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index network_watch_once on network_watch (user_id, group_id, coalesce(discussion_id, '00000000-0000-0000-0000-000000000000'::uuid))`.execute(db);
  await sql`create index network_watch_by_discussion on network_watch (discussion_id) where discussion_id is not null`.execute(db);
  await sql`create index network_watch_by_group on network_watch (group_id) where discussion_id is null`.execute(db);

  await sql`
    create table network_notification (
      id bigint generated always as identity primary key,
      user_id uuid not null references user_account (id) on delete cascade,
      group_id uuid not null references network_group (id) on delete cascade,
      discussion_id uuid references network_discussion (id) on delete cascade,
      post_id uuid references network_post (id) on delete cascade,
      kind text not null,
      summary text not null,
      created_at timestamptz not null default now(),
      read_at timestamptz,
      emailed_at timestamptz
    )`.execute(db);
  await sql`create index network_notification_by_user on network_notification (user_id, created_at desc)`.execute(db);
  await sql`create index network_notification_unemailed on network_notification (user_id) where emailed_at is null`.execute(db);

  await sql`
    create table network_digest_preference (
      user_id uuid primary key references user_account (id) on delete cascade,
      frequency text not null check (frequency in (${listOf(digestFrequencies)})),
      unsubscribe_token text not null unique,
      last_sent_at timestamptz
    )`.execute(db);
}
