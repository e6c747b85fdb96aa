/**
 * Checks fully nested Open Referral UK services before any is stored: the fields HSDS 3.0 requires
 * (id, name, status), the shapes the directory reads (ages, postcodes, coordinates, our taxonomies'
 * terms) and ids given twice. Every problem names the record (its place in the file, 1 first, and
 * its id) and the field's path in the record.
 */
import { coreOfferStrandIds } from './core-offer.js';
import { normalisePostcode } from './postcode.js';
import { arrayOf, isObject, ourAttributes, serviceStatuses, textOf } from './service-record.js';
import type { OrukService } from './service-record.js';
import type { TaxonomyName } from './taxonomies.js';
import { termOf } from './taxonomies.js';

export interface RecordProblem {
  /** The record's place in the file, 1 for the first. */
  record: number;
  id: string | null;
  path: string;
  message: string;
}

export function recordProblemText(problem: RecordProblem): string {
  return `record ${problem.record}${problem.id === null ? '' : ` (id ${problem.id})`}: ${problem.path}: ${problem.message}`;
}

const unknownTerm: Record<TaxonomyName, string> = {
  'ntg-core-offer': `is not a core-offer strand (${coreOfferStrandIds.join(', ')})`,
  'ntg-framework-groups': 'is not one of the framework’s groups of children',
  'ntg-tier-of-need': 'is not a tier of need (universal, targeted, specialist)',
  'ntg-framework-statements': 'is not a statement of the framework’s templates',
  'ntg-referral-route': 'is not a referral route (self-referral, professional-referral, drop-in, booking)',
};

const maxAge = 120;
const shown = (value: unknown) => JSON.stringify(value);

function checkAge(value: unknown, path: string, problems: (path: string, message: string) => void): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > maxAge) {
    problems(path, `${shown(value)} is not an age in years (a number from 0 to ${maxAge})`);
    return null;
  }
  return value;
}

/** The problems of one record (`index` from 0). */
export function recordProblems(record: unknown, index: number): RecordProblem[] {
  const problems: RecordProblem[] = [];
  const id = isObject(record) ? textOf(record.id) : null;
  const add = (path: string, message: string) => problems.push({ record: index + 1, id, path, message });
  if (!isObject(record)) {
    add('(record)', 'is not a service object');
    return problems;
  }
  const service: OrukService = record;
  if (typeof service.id !== 'string' || service.id.trim() === '') add('id', 'is missing: every service needs an id');
  else if (service.id.length > 200) add('id', 'is longer than 200 characters');
  if (typeof service.name !== 'string' || service.name.trim() === '') add('name', 'is missing: every service needs a name');
  if (service.status === undefined || service.status === null) add('status', `is missing: one of ${serviceStatuses.join(', ')}`);
  else if (!serviceStatuses.includes(service.status as never)) add('status', `${shown(service.status)} is not a status (${serviceStatuses.join(', ')})`);
  if (service.description !== undefined && service.description !== null && typeof service.description !== 'string') add('description', 'is not text');
  for (const field of ['url', 'email'] as const) {
    const value = service[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') add(field, 'is not text');
    else if (field === 'url' && !/^https?:\/\/\S+$/i.test(value)) add(field, `${shown(value)} is not a web address (http:// or https://)`);
    else if (field === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) add(field, `${shown(value)} is not an email address`);
  }
  const minimum = checkAge(service.minimum_age, 'minimum_age', add);
  const maximum = checkAge(service.maximum_age, 'maximum_age', add);
  if (minimum !== null && maximum !== null && minimum > maximum) add('maximum_age', `${maximum} is below the minimum age ${minimum}`);
  if (service.organization !== undefined && service.organization !== null) {
    if (!isObject(service.organization)) add('organization', 'is not an organization object');
    else {
      if (textOf(service.organization.id) === null) add('organization.id', 'is missing: an organization needs an id');
      if (textOf(service.organization.name) === null) add('organization.name', 'is missing: an organization needs a name');
    }
  }
  for (const field of ['service_at_locations', 'attributes', 'cost_options', 'schedules', 'phones', 'contacts', 'service_areas'] as const) {
    if (service[field] !== undefined && service[field] !== null && !Array.isArray(service[field])) add(field, 'is not a list');
  }
  arrayOf(service.service_at_locations).forEach((link, linkIndex) => {
    const linkPath = `service_at_locations[${linkIndex}]`;
    if (!isObject(link)) return add(linkPath, 'is not a service_at_location object');
    if (link.location === undefined || link.location === null) return;
    if (!isObject(link.location)) return add(`${linkPath}.location`, 'is not a location object');
    const location = link.location;
    if (textOf(location.id) === null) add(`${linkPath}.location.id`, 'is missing: a location needs an id');
    for (const [field, limit] of [
      ['latitude', 90],
      ['longitude', 180],
    ] as const) {
      const value = location[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) add(`${linkPath}.location.${field}`, `${shown(value)} is not a ${field} (a number from -${limit} to ${limit})`);
    }
    arrayOf(location.addresses).forEach((address, addressIndex) => {
      if (!isObject(address)) return;
      const postcode = address.postal_code;
      if (postcode === undefined || postcode === null || postcode === '') return;
      const country = textOf(address.country);
      if (country !== null && !['GB', 'UK', 'United Kingdom', 'England'].includes(country)) return;
      if (typeof postcode !== 'string' || normalisePostcode(postcode) === null) add(`${linkPath}.location.addresses[${addressIndex}].postal_code`, `${shown(postcode)} is not a postcode`);
    });
  });
  arrayOf(service.cost_options).forEach((cost, costIndex) => {
    if (!isObject(cost)) return;
    if (cost.amount !== undefined && cost.amount !== null && (typeof cost.amount !== 'number' || !Number.isFinite(cost.amount) || cost.amount < 0)) {
      add(`cost_options[${costIndex}].amount`, `${shown(cost.amount)} is not an amount (a number, 0 or more)`);
    }
  });
  const tiers = new Set<string>();
  for (const attribute of ourAttributes(service)) {
    const path = `attributes[${attribute.index}].taxonomy_term.code`;
    if (attribute.code === null) add(path, `is missing: a term of ${attribute.taxonomy} needs its code`);
    else if (termOf(attribute.taxonomy, attribute.code) === undefined) add(path, `${shown(attribute.code)} ${unknownTerm[attribute.taxonomy]}`);
    else if (attribute.taxonomy === 'ntg-tier-of-need') tiers.add(attribute.code);
  }
  if (tiers.size > 1) add('attributes', `names more than one tier of need (${[...tiers].join(', ')}): a service works at one`);
  return problems;
}

/** The problems of every record, and of ids given to more than one record. */
export function servicesProblems(records: readonly unknown[]): RecordProblem[] {
  const problems = records.flatMap((record, index) => recordProblems(record, index));
  const firstWith = new Map<string, number>();
  records.forEach((record, index) => {
    const id = isObject(record) ? textOf(record.id) : null;
    if (id === null) return;
    const first = firstWith.get(id);
    if (first === undefined) firstWith.set(id, index + 1);
    else problems.push({ record: index + 1, id, path: 'id', message: `is the id of record ${first} too: each service needs its own id` });
  });
  return problems.sort((a, b) => a.record - b.record);
}
