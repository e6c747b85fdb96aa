/**
 * The words a practice item may be tagged with: the framework's groups, golden threads and
 * template statements (as the reality check has left them: added statements count, retired ones
 * do not), and England's local authorities.
 */
import type { Kysely } from 'kysely';
import { allLocalAuthorities } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems } from '../framework/catalogue.js';
import { effectiveCatalogue } from '../framework/effective.js';
import type { Vocabulary } from './content.js';

/** Template statements a practice item can serve: the templates' general conditions and their statements by layer and tier. */
const statementKinds: ReadonlySet<string> = new Set(['general-condition', 'matrix-statement']);

export async function practiceVocabulary(db: Kysely<Schema>, catalogue: Catalogue): Promise<Vocabulary> {
  const effective = await effectiveCatalogue(db, catalogue);
  return {
    groups: new Set(findItems(catalogue, { kind: 'group' }).map((item) => item.id)),
    threads: new Set(findItems(catalogue, { kind: 'golden-thread' }).map((item) => item.id)),
    statements: new Set(effective.statements.filter((statement) => statementKinds.has(statement.kind)).map((statement) => statement.id)),
    localAuthorities: new Set(allLocalAuthorities().map((la) => la.gss)),
  };
}
