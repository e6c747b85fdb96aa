/**
 * The search a family or practitioner makes (the public page and /api/v1/services share it): the
 * query's words, strands, age, group, locality and distance read and checked, then one search.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { queryList, queryTexts } from '../web/query.js';
import { isCoreOfferStrand } from './core-offer.js';
import type { Locality } from './localities.js';
import { localitiesOf } from './localities.js';
import { normalisePostcode } from './postcode.js';
import { searchServicesAt } from './search.js';
import { searchStamp, serviceIndexAt } from './service-index.js';
import type { ServiceFilter } from './search.js';
import { serviceView } from './service-view.js';
import type { ServiceView } from './service-view.js';
import { termOf } from './taxonomies.js';

export interface FinderQuery {
  q?: string;
  strand?: string | string[];
  group?: string;
  age?: string;
  /** `E08000035:North`: an authority's locality. */
  locality?: string;
  la?: string;
  postcode?: string;
  miles?: string;
  page?: string;
}

export interface FinderProblem {
  field: 'strand' | 'group' | 'age' | 'locality' | 'postcode' | 'miles' | 'la';
  message: string;
}

export interface FinderResult {
  problems: FinderProblem[];
  total: number;
  page: number;
  perPage: number;
  services: ServiceView[];
  searched: boolean;
  /** Authorities with at least one active service, for the page's choice of area. */
  authorities: string[];
  /** Every authority's localities, for the page's choice of locality. */
  localities: readonly (Locality & { laCode: string })[];
}

const scalarFields = ['q', 'group', 'age', 'locality', 'la', 'postcode', 'miles', 'page'] as const;

/** The search as the address gives it, one value to each field but the strands (web/query.ts says why). */
export function readFinderQuery(raw: Record<string, unknown>): FinderQuery {
  const strands = queryList(raw.strand);
  return { ...queryTexts(raw, scalarFields), ...(strands.length > 0 ? { strand: strands } : {}) };
}

const asList = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat().filter((entry) => entry !== ''));
const metresPerMile = 1609.344;

export async function findServices(db: Kysely<Schema>, query: FinderQuery, perPage = 20): Promise<FinderResult> {
  const problems: FinderProblem[] = [];
  const filter: ServiceFilter = {};
  if (query.q !== undefined && query.q.trim() !== '') filter.text = query.q.trim().slice(0, 200);
  const strands = asList(query.strand);
  for (const strand of strands) if (!isCoreOfferStrand(strand)) problems.push({ field: 'strand', message: 'Choose what the family needs from the list' });
  if (strands.length > 0) filter.strands = strands;
  if (query.group !== undefined && query.group !== '') {
    if (termOf('ntg-framework-groups', query.group) === undefined) problems.push({ field: 'group', message: 'Choose a group of children from the list' });
    else filter.group = query.group;
  }
  if (query.age !== undefined && query.age.trim() !== '') {
    const age = Number(query.age);
    if (!/^\d{1,2}$/.test(query.age.trim()) || age > 25) problems.push({ field: 'age', message: 'Enter the child’s age in whole years, from 0 to 25' });
    else filter.age = age;
  }
  if (query.la !== undefined && query.la !== '') {
    if (!/^E\d{8}$/.test(query.la)) problems.push({ field: 'la', message: 'Choose an area from the list' });
    else filter.laCode = query.la;
  }
  if (query.locality !== undefined && query.locality !== '') {
    const [laCode, name] = [query.locality.slice(0, 9), query.locality.slice(10)];
    const locality = /^E\d{8}$/.test(laCode) ? (await localitiesOf(db, laCode)).find((entry) => entry.name === name) : undefined;
    if (locality === undefined) problems.push({ field: 'locality', message: 'Choose a locality from the list' });
    else {
      filter.laCode = laCode;
      filter.districts = locality.districts;
    }
  }
  const postcode = query.postcode?.trim() ?? '';
  const standard = postcode === '' ? null : normalisePostcode(postcode);
  if (postcode !== '' && standard === null) problems.push({ field: 'postcode', message: 'Enter a full postcode, like LS9 8AB' });
  // One statement: the directory's revision, the words as a tsquery, and the postcode's place.
  const stamp = await searchStamp(db, filter.text ?? '', standard);
  if (standard !== null) {
    if (stamp.place === null) problems.push({ field: 'postcode', message: `We cannot find ${standard} in our postcode list. Check it, or search without a postcode` });
    else {
      const miles = query.miles === undefined || query.miles === '' ? null : Number(query.miles);
      if (miles !== null && (!Number.isFinite(miles) || miles <= 0 || miles > 50)) problems.push({ field: 'miles', message: 'Choose a distance from the list' });
      else filter.near = { ...stamp.place, ...(miles === null ? {} : { withinMetres: miles * metresPerMile }) };
    }
  }
  const page = Math.max(1, Math.min(1000, Number.parseInt(query.page ?? '1', 10) || 1));
  const searched = Object.keys(filter).length > 0;
  const index = await serviceIndexAt(db, stamp.revision);
  const places = { authorities: index.authorities(), localities: index.localities };
  if (problems.length > 0) return { problems, total: 0, page, perPage, services: [], searched, ...places };
  const found = await searchServicesAt(db, stamp, filter, { page, perPage });
  return { problems, total: found.total, page, perPage, services: found.hits.map((hit) => serviceView(hit.record, hit.laCode, hit.distanceMetres)), searched, ...places };
}
