import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Every child seen, second part:
 * - `child_record.ks2_prior_average`: the key stage 2 prior attainment that key stage 4 data carries
 *   for each pupil, so progress from key stage 2 is known for pupils whose own Year 6 record is not
 *   held (they moved in, or Year 6 was before the authority's first load);
 * - `organisation.locality`: the authority's own area (locality, district, cluster) a setting
 *   belongs to, so work lists can be read for a locality as well as an authority or a setting;
 * - `child_listing`: each child on a work list, worked out with the other derived figures after a
 *   load (or new rules), so a setting's list or an authority's counts read a few thousand rows, not
 *   every record of the year. The trusted-adult list holds every child in at least one group, with
 *   the number of groups, so a reader may ask for children in more. Under row-level security as the
 *   records are;
 * - the row-level security policies of the child-level tables written so that each scope setting is
 *   read once per statement, not once per row.
 */
/**
 * A setting of the scoped transaction as an array, in a sub-select: PostgreSQL works it out once per
 * statement (an init plan) rather than once per row. Written in the row, `current_setting` and
 * `string_to_array` ran for every record an index found, which was most of the time of a setting's
 * work list (5.0 ms against 1.4 ms for a page of 50 children among 1,000,000 records).
 */
const settingArray = (name: string) => `(select string_to_array(current_setting('${name}', true), ','))::text[]`;
const withinAuthorities = `la_code = any (${settingArray('ntg.la_codes')})`;
const withinReach = `${withinAuthorities}
  and (la_code = any (${settingArray('ntg.child_reach')})
       or la_code || ':' || setting_urn::text = any (${settingArray('ntg.child_reach')})
       or la_code || ':' || child_key = any (${settingArray('ntg.child_keys')}))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table child_record add column ks2_prior_average double precision`.execute(db);
  await sql`alter table organisation add column locality text`.execute(db);
  await sql`create index organisation_locality on organisation (la_code, locality) where locality is not null`.execute(db);

  await sql`
    create table child_listing (
      la_code text not null,
      academic_year smallint not null,
      list text not null,
      child_key text not null,
      setting_urn integer,
      ncy smallint,
      signature bigint not null,
      group_count smallint not null,
      finding text not null check (finding in ('recorded', 'not-recorded')),
      primary key (la_code, academic_year, list, child_key)
    )`.execute(db);
  await sql`create index child_listing_by_setting on child_listing (la_code, academic_year, setting_urn)`.execute(db);
  await sql`grant select on child_listing to ntg_scoped`.execute(db);
  await sql`alter table child_listing enable row level security`.execute(db);
  await sql`create policy child_listing_by_reach on child_listing for select to ntg_scoped using (${sql.raw(withinReach)})`.execute(db);
  // The same rules for the tables a work list reads, each setting read once per statement.
  await sql`drop policy child_record_by_reach on child_record`.execute(db);
  await sql`create policy child_record_by_reach on child_record for select to ntg_scoped using (${sql.raw(withinReach)})`.execute(db);
  await sql`drop policy child_progress_by_reach on child_progress`.execute(db);
  await sql`create policy child_progress_by_reach on child_progress for select to ntg_scoped using (${sql.raw(withinReach)})`.execute(db);
  await sql`drop policy child_follow_up_by_authority on child_follow_up`.execute(db);
  await sql`create policy child_follow_up_by_authority on child_follow_up for select to ntg_scoped using (${sql.raw(withinAuthorities)})`.execute(db);
  await sql`drop policy child_year_batch_by_authority on child_year_batch`.execute(db);
  await sql`create policy child_year_batch_by_authority on child_year_batch for select to ntg_scoped using (${sql.raw(withinAuthorities)})`.execute(db);
}
