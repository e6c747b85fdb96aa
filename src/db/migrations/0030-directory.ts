import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The local offer, second part: the directory of services in the shape of Open Referral UK (the UK
 * profile of HSDS 3.0). Each service keeps its whole record as imported (`record`, a fully nested
 * HSDS service), so fields the service does not use survive an export; the columns beside it are
 * what the directory searches and counts, derived from the record on every write. Organisations,
 * locations and service-at-location links are kept as tables too, for the API's filters and for
 * distances. The taxonomies (core-offer strands, framework groups, tier of need, template
 * statements, referral routes) are reference data, written on every start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table directory_taxonomy (
      id text primary key,
      name text not null unique,
      description text not null,
      uri text,
      version text
    )`.execute(db);
  await sql`
    create table directory_taxonomy_term (
      id text primary key,
      taxonomy_id text not null references directory_taxonomy (id),
      code text not null,
      name text not null,
      description text,
      unique (taxonomy_id, code)
    )`.execute(db);
  await sql`
    create table directory_organisation (
      la_code text not null,
      id text not null,
      name text not null,
      updated_at timestamptz not null default now(),
      primary key (la_code, id)
    )`.execute(db);
  // Search by text reads search_vector (GIN); the page's filters read the arrays (GIN) and ages.
  await sql`
    create table directory_service (
      la_code text not null,
      id text not null,
      organisation_id text,
      organisation_name text,
      name text not null,
      description text not null default '',
      status text not null check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
      minimum_age numeric,
      maximum_age numeric,
      tier text check (tier in ('universal', 'targeted', 'specialist')),
      strands text[] not null default '{}',
      groups text[] not null default '{}',
      statements text[] not null default '{}',
      referral_routes text[] not null default '{}',
      term_ids text[] not null default '{}',
      free boolean not null,
      authority_wide boolean not null,
      record jsonb not null,
      last_modified timestamptz not null default now(),
      updated_by_label text not null,
      search_vector tsvector generated always as (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', coalesce(organisation_name, '')), 'B') ||
        setweight(to_tsvector('english', description), 'C')
      ) stored,
      primary key (la_code, id)
    )`.execute(db);
  // A service id names one service across the whole service, so /services/{id} is unambiguous.
  await sql`create unique index directory_service_id on directory_service (id)`.execute(db);
  await sql`create index directory_service_search on directory_service using gin (search_vector)`.execute(db);
  await sql`create index directory_service_strands on directory_service using gin (strands)`.execute(db);
  await sql`create index directory_service_terms on directory_service using gin (term_ids)`.execute(db);
  await sql`create index directory_service_modified on directory_service (last_modified)`.execute(db);
  await sql`
    create table directory_location (
      la_code text not null,
      id text not null,
      name text not null default '',
      address text not null default '',
      postcode text,
      district text,
      latitude double precision,
      longitude double precision,
      primary key (la_code, id)
    )`.execute(db);
  await sql`create index directory_location_postcode on directory_location (postcode)`.execute(db);
  await sql`
    create table directory_service_at_location (
      la_code text not null,
      id text not null,
      service_id text not null,
      location_id text not null,
      primary key (la_code, id),
      foreign key (la_code, service_id) references directory_service (la_code, id) on delete cascade,
      foreign key (la_code, location_id) references directory_location (la_code, id)
    )`.execute(db);
  await sql`create index directory_service_at_location_service on directory_service_at_location (la_code, service_id)`.execute(db);
  await sql`create index directory_service_at_location_location on directory_service_at_location (la_code, location_id)`.execute(db);
  // Moved on by every change to services or postcodes, so an app server's in-memory search index
  // (src/directory/service-index.ts) can tell in one cheap read whether it is still current.
  await sql`create table directory_revision (id smallint primary key check (id = 1), revision bigint not null)`.execute(db);
  await sql`insert into directory_revision (id, revision) values (1, 0)`.execute(db);
  // The ONS Postcode Directory's centroids: not owned by any authority.
  await sql`
    create table directory_postcode (
      postcode text primary key,
      latitude double precision not null,
      longitude double precision not null
    )`.execute(db);
}
