import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The local offer, first part (issue 19): an authority's localities as sets of postcode districts.
 * A locality's name is the one its settings carry (`organisation.locality`), so services (placed by
 * their postcodes) and children (placed by their settings) meet in the same places.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table directory_locality (
      la_code text not null,
      name text not null check (name <> '' and char_length(name) <= 80),
      districts text[] not null default '{}',
      updated_by_label text not null,
      updated_at timestamptz not null default now(),
      primary key (la_code, name)
    )`.execute(db);
}
