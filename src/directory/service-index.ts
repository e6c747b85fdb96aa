/**
 * An in-memory index of the directory's active services, one per app server, so that a family's
 * search (words, strand, group, age, locality, distance) costs a fraction of a millisecond of the
 * app server's time instead of PostgreSQL measuring the distance to every service's locations and
 * ranking every match (tens of milliseconds a search at 10,000 services, which 20 people searching
 * at once on two cores cannot afford).
 *
 * PostgreSQL still does the language: each service's words are its stored `search_vector`, and what
 * a person types becomes a tsquery by `websearch_to_tsquery`, read in the same statement as the
 * directory's revision. The index is never stale: every change to services or postcodes moves the
 * revision on in its own transaction (store.ts, postcodes.ts), and a search that reads a revision
 * the index was not built at rebuilds it first (a few hundred milliseconds at 10,000 services, once
 * per change). Records are not kept: a page reads its own rows' records by key.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { QueryNode } from '../db/text-search.js';
import { parseTsquery } from '../db/text-search.js';
import type { CoreOfferStrand } from './core-offer.js';
import { coreOfferStrandIds } from './core-offer.js';
import type { Locality } from './localities.js';
import { allLocalities } from './localities.js';
import { haversineMetres } from './postcodes.js';
import type { ServiceFilter } from './search.js';

/** ts_rank's default weights of a word's label: A (the name), B (the organisation), C (the description), D. */
const labelWeights: Readonly<Record<string, number>> = { A: 1, B: 0.4, C: 0.2, D: 0.1 };

interface IndexedService {
  laCode: string;
  id: string;
  name: string;
  strands: readonly string[];
  groups: readonly string[];
  termIds: ReadonlySet<string>;
  minimumAge: number | null;
  maximumAge: number | null;
  organisationId: string | null;
  lastModified: number;
  authorityWide: boolean;
  districts: readonly string[];
  places: readonly { latitude: number; longitude: number }[];
}

export interface IndexedMatch {
  laCode: string;
  id: string;
  /** When the service was last changed (milliseconds), so a kept copy of its record can be checked. */
  lastModified: number;
  distanceMetres: number | null;
}

/** A tsvector's text (`'club':3A,7C 'famili':12C`) as each word and the summed weight of its positions. */
export function weightedWords(text: string): Map<string, number> {
  const words = new Map<string, number>();
  for (const match of text.matchAll(/'((?:[^']|'')*)'(?::([\d,A-D]+))?/g)) {
    const positions = match[2] === undefined ? ['D'] : match[2].split(',').map((position) => /[A-D]$/.exec(position)?.[0] ?? 'D');
    words.set(match[1]!.replace(/''/g, "'"), positions.reduce((sum, label) => sum + labelWeights[label]!, 0));
  }
  return words;
}

interface Posting {
  slots: Int32Array;
  weights: Float64Array;
}

interface IndexRow {
  la_code: string;
  id: string;
  name: string;
  strands: string[];
  groups: string[];
  term_ids: string[];
  minimum_age: string | number | null;
  maximum_age: string | number | null;
  organisation_id: string | null;
  last_modified: Date | string;
  authority_wide: boolean;
  words: string | null;
  places: { district: string | null; latitude: number | null; longitude: number | null }[] | string;
}

const byName = new Intl.Collator('en-GB');
const metresPerDegreeLatitude = 111_320;

/** The active services, by slot; an inverted list of slots by word; the revision they were read at. */
export class ServiceIndex {
  private readonly authorityCodes: string[];
  /** Each slot's place in name order (then id), worked out once so a search sorts by integers, not by collation. */
  private readonly nameRank: Int32Array;
  /** The slots in name order (then id): a search without words or a point walks them in this order and sorts nothing. */
  private readonly nameOrder: Int32Array;
  // The filters every search uses, by slot in typed arrays: a search walks these, not ten thousand objects.
  private readonly authorityOf: Int32Array;
  private readonly strandBits: Uint8Array;
  private readonly minimumAges: Float64Array;
  private readonly maximumAges: Float64Array;
  /** The places of slot i are placeLatitudes[placeStart[i] .. placeStart[i + 1]). */
  private readonly placeStart: Int32Array;
  private readonly placeLatitudes: Float64Array;
  private readonly placeLongitudes: Float64Array;

  private constructor(
    readonly revision: string,
    private readonly services: readonly IndexedService[],
    /** For each word, the slots holding it (ascending) and the weight it carries in each. */
    private readonly postings: ReadonlyMap<string, Posting>,
    /** Every authority's localities, as the search page offers them. */
    readonly localities: readonly (Locality & { laCode: string })[],
  ) {
    this.authorityCodes = [...new Set(services.map((service) => service.laCode))].sort();
    const order = services.map((_, slot) => slot).sort((a, b) => byName.compare(services[a]!.name, services[b]!.name) || (services[a]!.id < services[b]!.id ? -1 : 1));
    this.nameOrder = Int32Array.from(order);
    this.nameRank = new Int32Array(services.length);
    order.forEach((slot, rank) => {
      this.nameRank[slot] = rank;
    });
    const authorityNumber = new Map(this.authorityCodes.map((code, number) => [code, number]));
    this.authorityOf = Int32Array.from(services, (service) => authorityNumber.get(service.laCode)!);
    this.strandBits = Uint8Array.from(services, (service) => strandBitsOf(service.strands));
    this.minimumAges = Float64Array.from(services, (service) => service.minimumAge ?? Number.NaN);
    this.maximumAges = Float64Array.from(services, (service) => service.maximumAge ?? Number.NaN);
    this.placeStart = new Int32Array(services.length + 1);
    services.forEach((service, slot) => {
      this.placeStart[slot + 1] = this.placeStart[slot]! + service.places.length;
    });
    this.placeLatitudes = Float64Array.from(services.flatMap((service) => service.places.map((place) => place.latitude)));
    this.placeLongitudes = Float64Array.from(services.flatMap((service) => service.places.map((place) => place.longitude)));
  }

  static fromRows(revision: string, rows: readonly IndexRow[], localities: readonly (Locality & { laCode: string })[] = []): ServiceIndex {
    const services = rows.map((row): IndexedService => {
      const places = typeof row.places === 'string' ? (JSON.parse(row.places) as Exclude<IndexRow['places'], string>) : row.places;
      return {
        laCode: row.la_code,
        id: row.id,
        name: row.name,
        strands: row.strands,
        groups: row.groups,
        termIds: new Set(row.term_ids),
        minimumAge: row.minimum_age === null ? null : Number(row.minimum_age),
        maximumAge: row.maximum_age === null ? null : Number(row.maximum_age),
        organisationId: row.organisation_id,
        lastModified: new Date(row.last_modified).getTime(),
        authorityWide: row.authority_wide,
        districts: [...new Set(places.flatMap((place) => (place.district === null ? [] : [place.district])))],
        places: places.flatMap((place) => (place.latitude === null || place.longitude === null ? [] : [{ latitude: place.latitude, longitude: place.longitude }])),
      };
    });
    // Each word of a service's search vector, with the weight it carries there, goes into the word's posting only.
    const building = new Map<string, { slots: number[]; weights: number[] }>();
    rows.forEach((row, slot) => {
      for (const [word, weight] of weightedWords(row.words ?? '')) {
        let posting = building.get(word);
        if (posting === undefined) building.set(word, (posting = { slots: [], weights: [] }));
        posting.slots.push(slot);
        posting.weights.push(weight);
      }
    });
    const postings = new Map([...building].map(([word, posting]) => [word, { slots: Int32Array.from(posting.slots), weights: Float64Array.from(posting.weights) }]));
    return new ServiceIndex(revision, services, postings, localities);
  }

  get size(): number {
    return this.services.length;
  }

  /** Authorities with at least one active service, by code. */
  authorities(): string[] {
    return this.authorityCodes;
  }

  /**
   * The services matching the filter (active ones only: the caller sends `includeInactive` to
   * PostgreSQL), ordered as `searchServices` orders them: by distance given a point, by rank given
   * words, else by name; then by name and id.
   */
  search(filter: ServiceFilter, query: QueryNode | null, paging: { page: number; perPage: number }): { total: number; matches: IndexedMatch[] } {
    const candidates = query === null ? null : this.slotsMatching(query);
    const authority = filter.laCode === undefined ? -1 : this.authorityCodes.indexOf(filter.laCode);
    if (filter.laCode !== undefined && authority === -1) return { total: 0, matches: [] };
    const strands = filter.strands !== undefined && filter.strands.length > 0 ? strandBitsOf(filter.strands) : 0xff;
    const age = filter.age;
    // The rarer filters read the service itself, and only for slots the common ones let through.
    const rarer = filter.group !== undefined || filter.termIds !== undefined || filter.organisationId !== undefined || filter.modifiedAfter !== undefined || filter.districts !== undefined ? filterTest(filter) : null;
    const near = filter.near;
    // Places outside a box around the point cannot be within the distance: skip the trigonometry.
    const box =
      near?.withinMetres === undefined
        ? null
        : { latitude: near.withinMetres / metresPerDegreeLatitude, longitude: near.withinMetres / (metresPerDegreeLatitude * Math.max(0.01, Math.cos((near.latitude * Math.PI) / 180))) };
    // Each slot's rank, summed from the postings of the query's words (only the words: a search walks no service's own map).
    const ranks = query === null ? null : this.ranksFor(query);
    // What a match needs later, by slot, in arrays sized once: no object for each of thousands of matches.
    const foundSlots: number[] = [];
    const distances = near === undefined ? null : new Float64Array(this.services.length);
    const consider = (slot: number) => {
      if (authority !== -1 && this.authorityOf[slot] !== authority) return;
      if ((this.strandBits[slot]! & strands) === 0) return;
      if (age !== undefined && (this.minimumAges[slot]! > age || this.maximumAges[slot]! < age)) return;
      if (rarer !== null && !rarer(this.services[slot]!)) return;
      if (near !== undefined) {
        let distance = Infinity;
        for (let place = this.placeStart[slot]!; place < this.placeStart[slot + 1]!; place++) {
          const latitude = this.placeLatitudes[place]!;
          const longitude = this.placeLongitudes[place]!;
          if (box !== null && (Math.abs(latitude - near.latitude) > box.latitude || Math.abs(longitude - near.longitude) > box.longitude)) continue;
          const metres = haversineMetres(near.latitude, near.longitude, latitude, longitude);
          if (metres < distance) distance = metres;
        }
        if (near.withinMetres !== undefined && !(distance <= near.withinMetres)) return;
        distances![slot] = distance;
      }
      foundSlots.push(slot);
    };
    for (const slot of candidates ?? this.nameOrder) consider(slot);
    const nameRank = this.nameRank;
    if (distances !== null) foundSlots.sort((a, b) => distances[a]! - distances[b]! || nameRank[a]! - nameRank[b]!);
    else if (ranks !== null) foundSlots.sort((a, b) => ranks[b]! - ranks[a]! || nameRank[a]! - nameRank[b]!);
    // Otherwise the slots were walked in name order: they are in order already.
    const start = (paging.page - 1) * paging.perPage;
    return {
      total: foundSlots.length,
      matches: foundSlots.slice(start, start + paging.perPage).map((slot) => {
        const service = this.services[slot]!;
        const distance = distances === null ? Infinity : distances[slot]!;
        return { laCode: service.laCode, id: service.id, lastModified: service.lastModified, distanceMetres: distance === Infinity ? null : distance };
      }),
    };
  }

  /** How well each slot matches: the weights of the query's wanted words it holds, summed (after ts_rank: a word in the name counts most). */
  private ranksFor(query: QueryNode): Float64Array {
    const ranks = new Float64Array(this.services.length);
    const add = (node: QueryNode): void => {
      if (node.kind === 'not') return;
      if (node.kind !== 'word') {
        for (const part of node.of) add(part);
        return;
      }
      const posting = this.postings.get(node.word);
      if (posting === undefined) return;
      for (let entry = 0; entry < posting.slots.length; entry++) ranks[posting.slots[entry]!]! += posting.weights[entry]!;
    };
    add(query);
    return ranks;
  }

  /** The slots whose words satisfy the query, ascending (a word's own posting as it is: the caller only reads it). */
  private slotsMatching(node: QueryNode): Int32Array | readonly number[] {
    switch (node.kind) {
      case 'word':
        return this.postings.get(node.word)?.slots ?? [];
      case 'not': {
        const excluded = new Set(this.slotsMatching(node.of));
        return Array.from({ length: this.services.length }, (_, slot) => slot).filter((slot) => !excluded.has(slot));
      }
      case 'and':
        return node.of
          .map((part) => this.slotsMatching(part))
          .reduce((kept, next) => {
            const inNext = new Set(next);
            return Array.from(kept).filter((slot) => inNext.has(slot));
          });
      case 'or':
        return [...new Set(node.of.flatMap((part) => Array.from(this.slotsMatching(part))))].sort((a, b) => a - b);
    }
  }
}

/** The core-offer strands as bits (a strand the offer does not have sets none). */
function strandBitsOf(strands: readonly string[]): number {
  let bits = 0;
  for (const strand of strands) {
    const place = coreOfferStrandIds.indexOf(strand as CoreOfferStrand);
    if (place >= 0) bits |= 1 << place;
  }
  return bits;
}

/** The rarer filters (group, terms, organisation, date, districts) as one test of a service, lists made sets once per search. */
function filterTest(filter: ServiceFilter): (service: IndexedService) => boolean {
  const terms = filter.termIds !== undefined && filter.termIds.length > 0 ? filter.termIds : null;
  const districts = filter.districts === undefined ? null : new Set(filter.districts);
  const modifiedAfter = filter.modifiedAfter?.getTime();
  const { group, organisationId } = filter;
  const anyIn = (values: Iterable<string>, wanted: ReadonlySet<string>) => {
    for (const value of values) if (wanted.has(value)) return true;
    return false;
  };
  return (service) => {
    if (terms !== null && !anyIn(terms, service.termIds)) return false;
    if (group !== undefined && service.groups.length > 0 && !service.groups.includes(group)) return false;
    if (organisationId !== undefined && service.organisationId !== organisationId) return false;
    if (modifiedAfter !== undefined && service.lastModified < modifiedAfter) return false;
    if (districts !== null && !service.authorityWide && !anyIn(service.districts, districts)) return false;
    return true;
  };
}

/** What a search reads from PostgreSQL in one statement: the revision, the words as a tsquery, and the postcode's place. */
export interface SearchStamp {
  revision: string;
  /** The tsquery of the words typed, as text; null without words. */
  tsquery: string | null;
  /** The postcode's centroid from the lookup; null when none was asked for or the lookup does not hold it. */
  place: { latitude: number; longitude: number } | null;
}

export async function searchStamp(db: Kysely<Schema>, words: string, postcode: string | null = null): Promise<SearchStamp> {
  const { rows } = await sql<{ revision: string; tsquery: string | null; latitude: number | null; longitude: number | null }>`
    select (select revision from directory_revision where id = 1)::text as revision,
           case when ${words} = '' then null else websearch_to_tsquery('english', ${words})::text end as tsquery,
           p.latitude, p.longitude
      from (select 1) as one left join directory_postcode p on p.postcode = ${postcode}`.execute(db);
  const row = rows[0];
  return {
    revision: row?.revision ?? '0',
    tsquery: row?.tsquery ?? null,
    place: row?.latitude === null || row?.latitude === undefined || row.longitude === null ? null : { latitude: Number(row.latitude), longitude: Number(row.longitude) },
  };
}

/** Reads every active service into an index, at the revision given (read in the same transaction). */
async function buildIndex(db: Kysely<Schema>): Promise<ServiceIndex> {
  return db.transaction().execute(async (trx) => {
    await sql`set transaction isolation level repeatable read`.execute(trx);
    const { rows: revisionRows } = await sql<{ revision: string }>`select revision::text as revision from directory_revision where id = 1`.execute(trx);
    const { rows } = await sql<IndexRow>`
      select s.la_code, s.id, s.name, s.strands, s.groups, s.term_ids, s.minimum_age, s.maximum_age, s.organisation_id,
             s.last_modified, s.authority_wide, s.search_vector::text as words,
             coalesce((select json_agg(json_build_object('district', l.district, 'latitude', coalesce(l.latitude, p.latitude), 'longitude', coalesce(l.longitude, p.longitude)))
                         from directory_service_at_location sl
                         join directory_location l on l.la_code = sl.la_code and l.id = sl.location_id
                         left join directory_postcode p on p.postcode = l.postcode
                        where sl.la_code = s.la_code and sl.service_id = s.id), '[]'::json) as places
        from directory_service s
       where s.status = 'active'`.execute(trx);
    return ServiceIndex.fromRows(revisionRows[0]?.revision ?? '0', rows, await allLocalities(trx));
  });
}

const indexes = new WeakMap<Kysely<Schema>, { index: ServiceIndex | null; building: Promise<ServiceIndex> | null }>();

/** The index at the revision given: this server's, or rebuilt (once, however many searches ask at once). */
export async function serviceIndexAt(db: Kysely<Schema>, revision: string): Promise<ServiceIndex> {
  let held = indexes.get(db);
  if (held === undefined) indexes.set(db, (held = { index: null, building: null }));
  const current = (index: ServiceIndex) => BigInt(index.revision) >= BigInt(revision);
  if (held.index !== null && current(held.index)) return held.index;
  if (held.building === null) {
    const state = held;
    state.building = buildIndex(db).finally(() => {
      state.building = null;
    });
    state.index = await state.building;
    return state.index;
  }
  const built = await held.building;
  // A build that started before this revision was committed: build again.
  return current(built) ? built : serviceIndexAt(db, revision);
}

/**
 * The words' tsquery as the index reads it: null without words; 'nothing' when they are all stop
 * words (PostgreSQL matches no service then); 'database' for a phrase or a prefix, which the index
 * cannot answer (it keeps no positions), so PostgreSQL does.
 */
export function indexableQuery(tsquery: string | null): QueryNode | null | 'nothing' | 'database' {
  if (tsquery === null) return null;
  if (tsquery === '') return 'nothing';
  return parseTsquery(tsquery) ?? 'database';
}
