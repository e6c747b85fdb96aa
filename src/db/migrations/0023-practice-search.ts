import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The library's search vectors move out of `practice_item` into a table of their own, one row per
 * published item, kept in the row rather than in TOAST storage.
 *
 * Ranking a search reads the vector of every item that matches: a common word matches nearly all
 * of them. A vector of a few hundred words takes 2-4 kB, past the 2 kB at which PostgreSQL moves a
 * value out of the row, so each was fetched from TOAST storage one by one: on 20,000 items ranking
 * "children" took about 100 ms, 80 of them fetching. With `toast_tuple_target` at its largest the
 * vectors stay in the row (about three to a page, in a table of little else), and the same ranking takes
 * about 30 ms. Kept apart, they do not widen the rows every other reading of items goes through.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table practice_search (
      item_id uuid primary key references practice_item (id),
      reference integer not null,
      published_at timestamptz not null,
      search_vector tsvector not null
    ) with (toast_tuple_target = 8160)`.execute(db);
  await sql`create index practice_search_vector on practice_search using gin (search_vector)`.execute(db);
  await sql`
    insert into practice_search (item_id, reference, published_at, search_vector)
    select id, reference, published_at, search_vector from practice_item
    where status = 'published' and search_vector is not null and published_at is not null`.execute(db);
  await sql`drop index practice_item_search`.execute(db);
  await sql`alter table practice_item drop column search_vector`.execute(db);
}
