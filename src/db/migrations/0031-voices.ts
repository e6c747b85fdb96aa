import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Snapshots of the allowed values when this migration was written: migrations never change.
const audiences = ['children', 'parents'];
const states = ['draft', 'open', 'closed'];
const questionKinds = ['likert', 'yes-no', 'choice', 'text'];
const polarities = ['higher-is-better', 'lower-is-better'];
const sources = ['online', 'import'];
const listOf = (values: readonly string[]) => sql.join(values.map((value) => sql.lit(value)));

/**
 * Children's and parents' voices (golden thread 9, template 4): an authority's surveys, their
 * questions in order, and the anonymous responses to them.
 *
 * A response carries no name, no address and no account: only its answers, the day it came and
 * the groups its respondent said they are in or not in (bits over the survey's own list of groups,
 * fixed when the survey is made, so a later change to the catalogue never moves them), copied onto
 * each of its answers: responses never change, and the results' one aggregate query then reads the
 * answers alone, with no join that a planner without statistics could make quadratic. A device
 * that has answered is remembered only as a keyed hash of a random cookie, in a table of its own
 * that is not linked to the response. Every table carries the owning authority in its key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table survey (
      la_code text not null,
      id uuid not null default gen_random_uuid(),
      title text not null check (title <> '' and char_length(title) <= 200),
      audience text not null check (audience in (${listOf(audiences)})),
      introduction text not null default '' check (char_length(introduction) <= 2000),
      child_version boolean not null default false,
      child_title text not null default '' check (char_length(child_title) <= 200),
      child_introduction text not null default '' check (char_length(child_introduction) <= 2000),
      emoji_scale boolean not null default false,
      opens_on date,
      closes_on date,
      state text not null default 'draft' check (state in (${listOf(states)})),
      public_token text unique,
      asks_groups boolean not null default false,
      groups_reason text not null default '' check (char_length(groups_reason) <= 1000),
      group_ids text[] not null default '{}',
      device_secret text not null,
      created_by_label text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (la_code, id),
      unique (id),
      check (opens_on is null or closes_on is null or closes_on >= opens_on)
    )`.execute(db);

  await sql`
    create table survey_question (
      la_code text not null,
      survey_id uuid not null,
      id uuid not null default gen_random_uuid(),
      position integer not null check (position >= 1),
      kind text not null check (kind in (${listOf(questionKinds)})),
      text text not null check (text <> '' and char_length(text) <= 500),
      child_text text not null default '' check (char_length(child_text) <= 500),
      options text[] not null default '{}',
      agreeing text[] not null default '{}',
      polarity text not null default 'higher-is-better' check (polarity in (${listOf(polarities)})),
      primary key (la_code, survey_id, id),
      foreign key (la_code, survey_id) references survey (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table survey_response (
      la_code text not null,
      survey_id uuid not null,
      id uuid not null default gen_random_uuid(),
      received_on date not null default current_date,
      source text not null check (source in (${listOf(sources)})),
      groups_in integer not null default 0,
      groups_out integer not null default 0,
      primary key (la_code, survey_id, id),
      foreign key (la_code, survey_id) references survey (la_code, id) on delete cascade,
      check (groups_in & groups_out = 0)
    )`.execute(db);

  await sql`
    create table survey_answer (
      la_code text not null,
      survey_id uuid not null,
      response_id uuid not null,
      question_id uuid not null,
      value text not null check (value <> '' and char_length(value) <= 2000),
      groups_in integer not null default 0,
      groups_out integer not null default 0,
      primary key (la_code, survey_id, response_id, question_id),
      foreign key (la_code, survey_id, response_id) references survey_response (la_code, survey_id, id) on delete cascade,
      foreign key (la_code, survey_id, question_id) references survey_question (la_code, survey_id, id) on delete cascade
    )`.execute(db);
  await sql`create index survey_answer_by_question on survey_answer (la_code, survey_id, question_id)`.execute(db);

  await sql`
    create table survey_device (
      la_code text not null,
      survey_id uuid not null,
      device_hash text not null,
      primary key (la_code, survey_id, device_hash),
      foreign key (la_code, survey_id) references survey (la_code, id) on delete cascade
    )`.execute(db);

  await sql`
    create table survey_quotation (
      la_code text not null,
      survey_id uuid not null,
      response_id uuid not null,
      question_id uuid not null,
      text text not null check (text <> '' and char_length(text) <= 2000),
      published_by_label text not null,
      published_at timestamptz not null default now(),
      primary key (la_code, survey_id, response_id, question_id),
      foreign key (la_code, survey_id, response_id, question_id) references survey_answer (la_code, survey_id, response_id, question_id) on delete cascade
    )`.execute(db);
}
