/**
 * The directory as a spreadsheet, for councils without an Open Referral UK system: one row per
 * service at a location (a service with several places has several rows sharing its id or name;
 * a service with no place, such as a phone line, has one row with the location columns empty).
 * Problems name the row (as a spreadsheet numbers it, the header being row 1) and the column.
 */
import { parse } from 'csv-parse/sync';
import { toCsv } from '../export/csv.js';
import { findItems, loadCatalogue } from '../framework/catalogue.js';
import { coreOfferStrands } from './core-offer.js';
import { normalisePostcode } from './postcode.js';
import type { LocationInput, ServiceInput } from './record-input.js';
import { recordFromInput } from './record-input.js';
import { costText, openingText, phoneText } from './record-text.js';
import { addressOf, arrayOf, authorityAreaUri, isObject, serviceFacts, serviceStatuses, textOf } from './service-record.js';
import type { OrukService } from './service-record.js';
import type { ServiceStatus } from './tables.js';
import { referralRoutes, stableUuid, tiersOfNeed } from './taxonomies.js';

export const csvColumns = [
  'service id',
  'service name',
  'organisation',
  'description',
  'strands',
  'groups',
  'tier',
  'minimum age',
  'maximum age',
  'cost',
  'opening times',
  'phone',
  'email',
  'website',
  'referral route',
  'statements',
  'whole authority',
  'status',
  'location name',
  'address',
  'postcode',
] as const;
type Column = (typeof csvColumns)[number];

export interface CsvProblem {
  row: number;
  column: Column | null;
  message: string;
}

export function csvProblemText(problem: CsvProblem): string {
  return `row ${problem.row}${problem.column === null ? '' : `, column "${problem.column}"`}: ${problem.message}`;
}

interface Vocabulary {
  id: string;
  labels: string[];
}

let vocabularies: { strands: Vocabulary[]; groups: Vocabulary[]; tiers: Vocabulary[]; routes: Vocabulary[]; statements: Set<string> } | undefined;
function vocabulary() {
  if (vocabularies !== undefined) return vocabularies;
  const catalogue = loadCatalogue();
  vocabularies = {
    strands: coreOfferStrands.map((strand) => ({ id: strand.id, labels: [strand.label] })),
    groups: findItems(catalogue, { kind: 'group' }).map((group) => ({ id: group.id, labels: [group.name] })),
    tiers: tiersOfNeed.map((tier) => ({ id: tier.id, labels: [tier.label, tier.label.split(':')[0]!] })),
    routes: referralRoutes.map((route) => ({ id: route.id, labels: [route.label] })),
    statements: new Set(findItems(catalogue, { kind: 'matrix-statement' }).map((statement) => statement.id)),
  };
  return vocabularies;
}

const squash = (value: string) => value.trim().toLowerCase().replace(/[’']/g, "'").replace(/\s+/g, ' ');

/** Each `;`-separated id or label as its id, or the ones that are neither. */
function termsIn(value: string, terms: readonly Vocabulary[]): { ids: string[]; unknown: string[] } {
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const part of value.split(';').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const found = terms.find((term) => squash(term.id) === squash(part) || term.labels.some((label) => squash(label) === squash(part)));
    if (found === undefined) unknown.push(part);
    else if (!ids.includes(found.id)) ids.push(found.id);
  }
  return { ids, unknown };
}

/** A spreadsheet's protective apostrophe (see src/export/csv.ts) comes off on the way back in. */
const cell = (value: string | undefined) => (value ?? '').replace(/^'(?=[=+\-@\t\r\0])/, '').trim();

function ageIn(value: string, column: Column, problem: (column: Column, message: string) => void): number | null {
  if (value === '') return null;
  const age = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || age > 120) {
    problem(column, `"${value}" is not an age in years (a number from 0 to 120)`);
    return null;
  }
  return age;
}

export type CsvImport = { ok: true; records: OrukService[] } | { ok: false; problems: CsvProblem[] };

/** The services of a CSV file's text, or every problem in it. */
export function servicesFromCsv(text: string, laCode: string): CsvImport {
  let rows: string[][];
  try {
    const parsed: unknown = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
    rows = parsed as string[][];
  } catch (error) {
    return { ok: false, problems: [{ row: 1, column: null, message: `the file is not CSV: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const header = (rows[0] ?? []).map((name) => squash(name));
  const missing = csvColumns.filter((column) => !header.includes(column) && ['service name', 'strands'].includes(column));
  if (rows.length === 0 || missing.length > 0) return { ok: false, problems: [{ row: 1, column: null, message: `the header needs the columns ${missing.map((column) => `"${column}"`).join(' and ')} (download the template for them all)` }] };
  const unknownColumns = header.filter((name) => name !== '' && !csvColumns.includes(name as Column));
  const problems: CsvProblem[] = unknownColumns.map((name) => ({ row: 1, column: null, message: `"${name}" is not a column of the template (${csvColumns.join(', ')})` }));
  const terms = vocabulary();
  const services = new Map<string, { input: ServiceInput; row: number }>();
  rows.slice(1).forEach((values, index) => {
    const row = index + 2;
    const get = (column: Column) => {
      const at = header.indexOf(column);
      return at < 0 ? '' : cell(values[at]);
    };
    const problem = (column: Column, message: string) => problems.push({ row, column, message });
    const name = get('service name');
    if (name === '') problem('service name', 'is empty: every row needs the service’s name');
    const strands = termsIn(get('strands'), terms.strands);
    for (const value of strands.unknown) problem('strands', `"${value}" is not a core-offer strand (${coreOfferStrands.map((strand) => strand.id).join(', ')}, or their names)`);
    const groups = termsIn(get('groups'), terms.groups);
    for (const value of groups.unknown) problem('groups', `"${value}" is not one of the framework’s groups of children`);
    const tier = termsIn(get('tier'), terms.tiers);
    if (tier.unknown.length > 0 || tier.ids.length > 1) problem('tier', `"${get('tier')}" is not one tier of need (universal, targeted or specialist)`);
    const routes = termsIn(get('referral route'), terms.routes);
    for (const value of routes.unknown) problem('referral route', `"${value}" is not a referral route (${referralRoutes.map((route) => route.id).join(', ')})`);
    const statements = get('statements')
      .split(';')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    for (const value of statements) if (!terms.statements.has(value)) problem('statements', `"${value}" is not a statement of the framework’s templates (an id such as T2-FRONTLINE-UNIVERSAL-01)`);
    const minimumAge = ageIn(get('minimum age'), 'minimum age', problem);
    const maximumAge = ageIn(get('maximum age'), 'maximum age', problem);
    if (minimumAge !== null && maximumAge !== null && minimumAge > maximumAge) problem('maximum age', `${maximumAge} is below the minimum age ${minimumAge}`);
    const email = get('email');
    if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problem('email', `"${email}" is not an email address`);
    const website = get('website');
    if (website !== '' && !/^https?:\/\/\S+$/i.test(website)) problem('website', `"${website}" is not a web address (http:// or https://)`);
    const status = get('status') === '' ? 'active' : get('status').toLowerCase();
    if (!serviceStatuses.includes(status as ServiceStatus)) problem('status', `"${get('status')}" is not a status (${serviceStatuses.join(', ')})`);
    const wholeAuthority = squash(get('whole authority'));
    if (!['', 'yes', 'no'].includes(wholeAuthority)) problem('whole authority', `"${get('whole authority')}" is not yes or no`);
    const postcode = get('postcode');
    if (postcode !== '' && normalisePostcode(postcode) === null) problem('postcode', `"${postcode}" is not a postcode`);
    const location: LocationInput | null = get('location name') === '' && get('address') === '' && postcode === '' ? null : { name: get('location name'), address: get('address'), postcode: normalisePostcode(postcode) ?? postcode };
    const given = get('service id');
    const key = given !== '' ? `id:${given}` : `name:${squash(name)}|${squash(get('organisation'))}`;
    const existing = services.get(key);
    if (existing !== undefined) {
      if (location !== null) existing.input.locations.push(location);
      return;
    }
    services.set(key, {
      row,
      input: {
        id: given !== '' ? given : stableUuid(`csv-service/${laCode}/${squash(name)}/${squash(get('organisation'))}`),
        name,
        description: get('description'),
        status: status as ServiceStatus,
        organisationName: get('organisation'),
        strands: strands.ids,
        groups: groups.ids,
        tier: tier.ids[0] ?? null,
        statements,
        referralRoutes: routes.ids,
        minimumAge,
        maximumAge,
        cost: get('cost'),
        openingTimes: get('opening times'),
        phone: get('phone'),
        email,
        website,
        locations: location === null ? [] : [location],
        authorityWide: wholeAuthority === 'yes',
      },
    });
  });
  if (rows.length === 1) problems.push({ row: 2, column: null, message: 'the file has a header but no services' });
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.row - b.row) };
  // Rows are already checked: a record keeps what it was given (its last_modified is not the import's moment).
  return { ok: true, records: [...services.values()].map(({ input }) => recordFromInput(input, laCode, {}, new Date(0))).map(({ last_modified: _dropped, ...record }) => record) };
}

/** The services as the template's rows: one per service at a location. */
export function servicesToCsv(records: readonly OrukService[], laCode: string): string {
  const terms = vocabulary();
  const labelOf = (list: readonly Vocabulary[], id: string) => list.find((term) => term.id === id)?.labels[0] ?? id;
  const rows = records.flatMap((record) => {
    const facts = serviceFacts(record, laCode);
    const organisation = isObject(record.organization) ? textOf(record.organization.name) : null;
    const wholeArea = arrayOf(record.service_areas).some((area) => isObject(area) && area.uri === authorityAreaUri(laCode));
    const common = (location: { name: string; address: string; postcode: string }) => [
      facts.id,
      facts.name,
      organisation ?? '',
      facts.description,
      facts.strands.map((id) => labelOf(terms.strands, id)).join('; '),
      facts.groups.map((id) => labelOf(terms.groups, id)).join('; '),
      facts.tier ?? '',
      facts.minimumAge,
      facts.maximumAge,
      costText(record),
      openingText(record),
      phoneText(record),
      textOf(record.email) ?? '',
      textOf(record.url) ?? '',
      facts.referralRoutes.join('; '),
      facts.statements.join('; '),
      wholeArea ? 'yes' : '',
      facts.status,
      location.name,
      location.address,
      location.postcode,
    ];
    const places = arrayOf(record.service_at_locations)
      .filter(isObject)
      .flatMap((link) => (isObject(link.location) ? [{ name: textOf(link.location.name) ?? '', ...addressOf(link.location) }] : []));
    return places.length === 0 ? [common({ name: '', address: '', postcode: '' })] : places.map((place) => common({ name: place.name, address: place.address, postcode: place.postcode ?? '' }));
  });
  return toCsv(csvColumns, rows);
}

/** The empty template: the header and one example row. */
export function csvTemplate(): string {
  return toCsv(csvColumns, [
    [
      '',
      'Stay and Play (example: replace this row)',
      'Harehills Children’s Centre',
      'Play sessions for babies and toddlers with their parents or carers.',
      'Parenting and family support; varied-activities',
      'Children from poorer socio-economic groups; not-fluent-in-english',
      'universal',
      0,
      4,
      'Free',
      'Mondays and Wednesdays, 9:30am to 11:30am',
      '0113 496 0123',
      'stayandplay@example.org',
      'https://example.org/stay-and-play',
      'drop-in; self-referral',
      'T2-FRONTLINE-UNIVERSAL-01',
      'no',
      'active',
      'Harehills Children’s Centre',
      '1 Example Road, Leeds',
      'LS9 7AB',
    ],
  ]);
}
