/**
 * Finding services: by words, core-offer strand, group of children, a child's age, place (postcode
 * districts of a locality) and distance from a point. Active services are found by the app server's
 * in-memory index (service-index.ts), which reads one stamp statement and the page's records; the
 * rest (words with a phrase, a manager's list with withdrawn services) by one PostgreSQL query that
 * does the filtering, the distance, the ordering and the count.
 */
import type { Expression, Kysely, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { OrukService } from './service-record.js';
import type { IndexedMatch } from './service-index.js';
import type { SearchStamp } from './service-index.js';
import { indexableQuery, searchStamp, serviceIndexAt } from './service-index.js';

export interface ServiceFilter {
  laCode?: string;
  text?: string;
  strands?: readonly string[];
  group?: string;
  age?: number;
  /** Services with a location in one of these districts (or offered across the whole authority). */
  districts?: readonly string[];
  near?: { latitude: number; longitude: number; withinMetres?: number };
  termIds?: readonly string[];
  organisationId?: string;
  modifiedAfter?: Date;
  /** Active services only, unless a manager lists the authority's own. */
  includeInactive?: boolean;
}

export interface ServiceHit {
  laCode: string;
  id: string;
  name: string;
  record: OrukService;
  lastModified: Date;
  distanceMetres: number | null;
}

export interface ServicePage {
  total: number;
  hits: ServiceHit[];
}

const metresPerDegreeLatitude = 111_320;

/** Haversine distance in metres from a point to the location's coordinates (its own, or its postcode's). */
function distanceSql(near: { latitude: number; longitude: number }) {
  // least() would skip a null (a place with no coordinates) and give half the Earth: a case keeps it null.
  const h = sql`(power(sin(radians(coalesce(l.latitude, p.latitude) - ${near.latitude}) / 2), 2)
      + cos(radians(${near.latitude})) * cos(radians(coalesce(l.latitude, p.latitude)))
      * power(sin(radians(coalesce(l.longitude, p.longitude) - ${near.longitude}) / 2), 2))`;
  return sql<number>`2 * 6371000 * asin(sqrt(case when ${h} > 1 then 1 else ${h} end))`;
}

/**
 * Searches services, ordered by distance (given a point), by relevance (given words), else by name:
 * active services through this app server's in-memory index (service-index.ts), reading only the
 * page's records; a manager's list with inactive services, and words with a phrase, in PostgreSQL.
 */
export async function searchServices(db: Kysely<Schema>, filter: ServiceFilter, paging: { page: number; perPage: number }): Promise<ServicePage> {
  if (filter.includeInactive === true) return searchServicesInDatabase(db, filter, paging);
  return searchServicesAt(db, await searchStamp(db, filter.text?.trim() ?? ''), filter, paging);
}

/** The search with the stamp already read (the finder reads the postcode's place with it). */
export async function searchServicesAt(db: Kysely<Schema>, stamp: SearchStamp, filter: ServiceFilter, paging: { page: number; perPage: number }): Promise<ServicePage & { authorities: string[] }> {
  const perPage = Math.max(1, Math.min(200, Math.floor(paging.perPage)));
  const page = Math.max(1, Math.floor(paging.page));
  const index = await serviceIndexAt(db, stamp.revision);
  const query = indexableQuery(stamp.tsquery);
  if (query === 'nothing') return { total: 0, hits: [], authorities: index.authorities() };
  if (query === 'database') return { ...(await searchServicesInDatabase(db, filter, { page, perPage })), authorities: index.authorities() };
  const { total, matches } = index.search(filter, query, { page, perPage });
  return { total, hits: await hitsFor(db, matches), authorities: index.authorities() };
}

/** Records this app server read lately, by id, with when they were changed: a page's records are mostly the same few. */
interface KeptRecord {
  laCode: string;
  name: string;
  record: OrukService;
  lastModified: number;
}
const keptRecords = new WeakMap<Kysely<Schema>, Map<string, KeptRecord>>();
const keptRecordLimit = 5000;

/** The page's services with their records, in the index's order: kept ones as they are, the rest read by key (a service withdrawn since is left out). */
async function hitsFor(db: Kysely<Schema>, matches: readonly IndexedMatch[]): Promise<ServiceHit[]> {
  let kept = keptRecords.get(db);
  if (kept === undefined) keptRecords.set(db, (kept = new Map<string, KeptRecord>()));
  const missing = matches.filter((match) => kept.get(match.id)?.lastModified !== match.lastModified).map((match) => match.id);
  if (missing.length > 0) {
    const rows = await db.selectFrom('directory_service').select(['la_code', 'id', 'name', 'record', 'last_modified']).where('id', 'in', missing).execute();
    for (const row of rows) {
      kept.delete(row.id);
      kept.set(row.id, { laCode: row.la_code, name: row.name, record: row.record, lastModified: new Date(row.last_modified).getTime() });
    }
    // The oldest read go first (a Map keeps the order entries were set in).
    for (const id of kept.keys()) {
      if (kept.size <= keptRecordLimit) break;
      kept.delete(id);
    }
  }
  return matches.flatMap((match) => {
    const found = kept.get(match.id);
    if (found === undefined || found.laCode !== match.laCode || found.lastModified !== match.lastModified) return [];
    return [{ laCode: found.laCode, id: match.id, name: found.name, record: found.record, lastModified: new Date(found.lastModified), distanceMetres: match.distanceMetres }];
  });
}

/** The same search in PostgreSQL: one query does the filtering, the distance, the ordering and the count. */
export async function searchServicesInDatabase(db: Kysely<Schema>, filter: ServiceFilter, paging: { page: number; perPage: number }): Promise<ServicePage> {
  const words = filter.text?.trim() ?? '';
  const query = words === '' ? null : sql`websearch_to_tsquery('english', ${words})`;
  const near = filter.near;
  // The nearest of the service's locations, with a box around the point so far locations are not measured.
  const nearest =
    near === undefined
      ? sql<number | null>`null::double precision`
      : sql<number | null>`(
          select min(${distanceSql(near)})
          from directory_service_at_location sl
          join directory_location l on l.la_code = sl.la_code and l.id = sl.location_id
          left join directory_postcode p on p.postcode = l.postcode
          where sl.la_code = s.la_code and sl.service_id = s.id
          ${near.withinMetres === undefined ? sql`` : sql`and coalesce(l.latitude, p.latitude) between ${near.latitude - near.withinMetres / metresPerDegreeLatitude} and ${near.latitude + near.withinMetres / metresPerDegreeLatitude}`}
        )`;
  const conditions: Expression<SqlBool>[] = [];
  if (filter.includeInactive !== true) conditions.push(sql<SqlBool>`s.status = 'active'`);
  if (filter.laCode !== undefined) conditions.push(sql<SqlBool>`s.la_code = ${filter.laCode}`);
  if (query !== null) conditions.push(sql<SqlBool>`s.search_vector @@ ${query}`);
  if (filter.strands !== undefined && filter.strands.length > 0) conditions.push(sql<SqlBool>`s.strands && ${sql.val([...filter.strands])}::text[]`);
  if (filter.termIds !== undefined && filter.termIds.length > 0) conditions.push(sql<SqlBool>`s.term_ids && ${sql.val([...filter.termIds])}::text[]`);
  if (filter.group !== undefined) conditions.push(sql<SqlBool>`(s.groups = '{}' or ${filter.group} = any (s.groups))`);
  if (filter.age !== undefined) conditions.push(sql<SqlBool>`(s.minimum_age is null or s.minimum_age <= ${filter.age}) and (s.maximum_age is null or s.maximum_age >= ${filter.age})`);
  if (filter.organisationId !== undefined) conditions.push(sql<SqlBool>`s.organisation_id = ${filter.organisationId}`);
  if (filter.modifiedAfter !== undefined) conditions.push(sql<SqlBool>`s.last_modified >= ${filter.modifiedAfter}`);
  if (filter.districts !== undefined) {
    conditions.push(sql<SqlBool>`(s.authority_wide or exists (
      select 1 from directory_service_at_location sl join directory_location l on l.la_code = sl.la_code and l.id = sl.location_id
      where sl.la_code = s.la_code and sl.service_id = s.id and l.district = any (${sql.val([...filter.districts])}::text[])))`);
  }
  const where = conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
  const order = near !== undefined ? sql`s.distance asc nulls last, s.name, s.id` : query !== null ? sql`s.rank desc, s.name, s.id` : sql`s.name, s.id`;
  const within = near?.withinMetres === undefined ? sql`true` : sql`distance <= ${near.withinMetres}`;
  const perPage = Math.max(1, Math.min(200, Math.floor(paging.perPage)));
  const page = Math.max(1, Math.floor(paging.page));
  const rank = query === null ? sql`0` : sql`ts_rank(s.search_vector, ${query})`;
  // Only the page's rows read their record: matching rows carry ids and sort keys, so a common word
  // does not fetch thousands of records to count them.
  const result = await sql<{ la_code: string; id: string; name: string; record: OrukService; last_modified: Date; distance: number | null; total: string }>`
    with found as (
      select s.la_code, s.id, s.name, ${rank} as rank, ${nearest} as distance
      from directory_service s where ${where}
    ), kept as (select * from found where ${within}),
    page as (select * from kept s order by ${order} limit ${perPage} offset ${(page - 1) * perPage})
    select s.la_code, s.id, s.name, d.record, d.last_modified, s.distance, (select count(*) from kept) as total
    from page s join directory_service d on d.la_code = s.la_code and d.id = s.id
    order by ${order}`.execute(db);
  let total = Number(result.rows[0]?.total ?? 0);
  if (result.rows.length === 0 && page > 1) {
    // A page past the end still says how many there are.
    total = (await searchServicesInDatabase(db, filter, { page: 1, perPage: 1 })).total;
  }
  return {
    total,
    hits: result.rows.map((row) => ({ laCode: row.la_code, id: row.id, name: row.name, record: row.record, lastModified: new Date(row.last_modified), distanceMetres: row.distance === null ? null : Number(row.distance) })),
  };
}

export interface ServiceAtLocationHit {
  laCode: string;
  id: string;
  serviceId: string;
  locationId: string;
  record: OrukService;
  distanceMetres: number | null;
}

/** Services at their locations, nearest first given a point (a location without coordinates takes its postcode's). */
export async function searchServiceAtLocations(
  db: Kysely<Schema>,
  filter: ServiceFilter,
  paging: { page: number; perPage: number },
): Promise<{ total: number; hits: ServiceAtLocationHit[] }> {
  const words = filter.text?.trim() ?? '';
  const near = filter.near;
  const conditions: Expression<SqlBool>[] = [sql<SqlBool>`s.status = 'active'`];
  if (filter.laCode !== undefined) conditions.push(sql<SqlBool>`s.la_code = ${filter.laCode}`);
  if (words !== '') conditions.push(sql<SqlBool>`s.search_vector @@ websearch_to_tsquery('english', ${words})`);
  if (filter.termIds !== undefined && filter.termIds.length > 0) conditions.push(sql<SqlBool>`s.term_ids && ${sql.val([...filter.termIds])}::text[]`);
  if (filter.organisationId !== undefined) conditions.push(sql<SqlBool>`s.organisation_id = ${filter.organisationId}`);
  if (filter.modifiedAfter !== undefined) conditions.push(sql<SqlBool>`s.last_modified >= ${filter.modifiedAfter}`);
  const distance = near === undefined ? sql`null::double precision` : distanceSql(near);
  const within = near?.withinMetres === undefined ? sql`true` : sql`distance <= ${near.withinMetres}`;
  const perPage = Math.max(1, Math.min(200, Math.floor(paging.perPage)));
  const page = Math.max(1, Math.floor(paging.page));
  const result = await sql<{ la_code: string; id: string; service_id: string; location_id: string; record: OrukService; distance: number | null; total: string }>`
    with kept as (
      select * from (
        select sl.la_code, sl.id, sl.service_id, sl.location_id, ${distance} as distance, s.name
        from directory_service_at_location sl
        join directory_service s on s.la_code = sl.la_code and s.id = sl.service_id
        join directory_location l on l.la_code = sl.la_code and l.id = sl.location_id
        left join directory_postcode p on p.postcode = l.postcode
        where ${sql.join(conditions, sql` and `)}
      ) found where ${within}
    ), page as (select * from kept order by distance asc nulls last, name, id limit ${perPage} offset ${(page - 1) * perPage})
    select page.*, d.record, (select count(*) from kept) as total
    from page join directory_service d on d.la_code = page.la_code and d.id = page.service_id
    order by distance asc nulls last, name, id`.execute(db);
  let total = Number(result.rows[0]?.total ?? 0);
  if (result.rows.length === 0 && page > 1) total = (await searchServiceAtLocations(db, filter, { page: 1, perPage: 1 })).total;
  return {
    total,
    hits: result.rows.map((row) => ({ laCode: row.la_code, id: row.id, serviceId: row.service_id, locationId: row.location_id, record: row.record, distanceMetres: row.distance === null ? null : Number(row.distance) })),
  };
}
