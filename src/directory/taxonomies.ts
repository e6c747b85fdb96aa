/**
 * The directory's own HSDS taxonomies. What a service delivers and whom it is for are HSDS
 * attributes linking the service to terms of these taxonomies, so an export is valid HSDS and
 * another Open Referral system reads the strands, groups, tier, statements and referral routes as
 * ordinary taxonomy terms. Ids are UUIDs (HSDS asks for them) derived from the taxonomy and code,
 * so every instance of the service gives a term the same id.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { findItems, loadCatalogue } from '../framework/catalogue.js';
import { coreOfferStrands } from './core-offer.js';

export const taxonomyNames = ['ntg-core-offer', 'ntg-framework-groups', 'ntg-tier-of-need', 'ntg-framework-statements', 'ntg-referral-route'] as const;
export type TaxonomyName = (typeof taxonomyNames)[number];

export interface TaxonomyTerm {
  id: string;
  code: string;
  name: string;
  description: string | null;
}

export interface Taxonomy {
  id: string;
  name: TaxonomyName;
  description: string;
  uri: string;
  version: string;
  terms: TaxonomyTerm[];
}

/** A name-based UUID (the version 5 layout over SHA-1), stable for the same text. */
export function stableUuid(text: string): string {
  const bytes = createHash('sha1').update(`narrowing-the-gap/directory/${text}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const tiersOfNeed = [
  { id: 'universal', label: 'Universal: open to every child and family' },
  { id: 'targeted', label: 'Targeted: for children and families with additional needs' },
  { id: 'specialist', label: 'Specialist: for children with complex or acute needs' },
] as const;

export const referralRoutes = [
  { id: 'self-referral', label: 'Families can refer themselves' },
  { id: 'professional-referral', label: 'A professional refers the family' },
  { id: 'drop-in', label: 'Drop in: no referral needed' },
  { id: 'booking', label: 'Book a place' },
] as const;

function term(taxonomy: TaxonomyName, code: string, name: string, description: string | null = null): TaxonomyTerm {
  return { id: stableUuid(`${taxonomy}/${code}`), code, name, description };
}

function taxonomy(name: TaxonomyName, description: string, terms: TaxonomyTerm[]): Taxonomy {
  return { id: stableUuid(name), name, description, uri: `https://narrowing-the-gap.example/taxonomies/${name}`, version: '1', terms };
}

let built: Taxonomy[] | undefined;

/** The five taxonomies with their terms (framework groups and statements from the catalogue). */
export function directoryTaxonomies(): Taxonomy[] {
  if (built !== undefined) return built;
  const catalogue = loadCatalogue();
  built = [
    taxonomy('ntg-core-offer', 'The extended-services core offer: the five strands every child and family should reach.', coreOfferStrands.map((strand) => term('ntg-core-offer', strand.id, strand.label, strand.description))),
    taxonomy('ntg-framework-groups', 'The thirteen vulnerable groups of the Narrowing the Gap framework: whom a service is for.', findItems(catalogue, { kind: 'group' }).map((group) => term('ntg-framework-groups', group.id, group.name))),
    taxonomy('ntg-tier-of-need', 'The tier of need a service works at.', tiersOfNeed.map((tier) => term('ntg-tier-of-need', tier.id, tier.label))),
    taxonomy('ntg-framework-statements', 'The statements of the framework’s templates a service helps to meet.', findItems(catalogue, { kind: 'matrix-statement' }).map((statement) => term('ntg-framework-statements', statement.id, statement.text))),
    taxonomy('ntg-referral-route', 'How a family reaches the service.', referralRoutes.map((route) => term('ntg-referral-route', route.id, route.label))),
  ];
  return built;
}

export function taxonomyNamed(name: TaxonomyName): Taxonomy {
  return directoryTaxonomies().find((entry) => entry.name === name)!;
}

/** The term of a taxonomy with this code, if there is one. */
export function termOf(name: TaxonomyName, code: string): TaxonomyTerm | undefined {
  return taxonomyNamed(name).terms.find((entry) => entry.code === code);
}

/** A term by its id, with its taxonomy. */
export function termById(id: string): { taxonomy: Taxonomy; term: TaxonomyTerm } | undefined {
  for (const entry of directoryTaxonomies()) {
    const found = entry.terms.find((candidate) => candidate.id === id);
    if (found !== undefined) return { taxonomy: entry, term: found };
  }
  return undefined;
}

/** Which of our taxonomies a taxonomy id or name means. */
export function taxonomyByIdOrName(value: string): Taxonomy | undefined {
  return directoryTaxonomies().find((entry) => entry.id === value || entry.name === value);
}

/** Writes the taxonomies and their terms (idempotent: run on every start). */
export async function writeTaxonomies(db: Kysely<Schema>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const entry of directoryTaxonomies()) {
      await trx
        .insertInto('directory_taxonomy')
        .values({ id: entry.id, name: entry.name, description: entry.description, uri: entry.uri, version: entry.version })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ name: entry.name, description: entry.description, uri: entry.uri, version: entry.version }))
        .execute();
      for (let start = 0; start < entry.terms.length; start += 200) {
        await trx
          .insertInto('directory_taxonomy_term')
          .values(entry.terms.slice(start, start + 200).map((item) => ({ id: item.id, taxonomy_id: entry.id, code: item.code, name: item.name, description: item.description })))
          .onConflict((conflict) => conflict.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), description: eb.ref('excluded.description'), code: eb.ref('excluded.code') })))
          .execute();
      }
    }
  });
}
