/**
 * The catalogue as it stands after the reality check: the seed's items with each accepted change
 * applied (a new wording, a statement added, a statement retired). Pages read the effective
 * statements from the revisions each time (a few rows); search reads `framework_item`, whose rows
 * are brought up to date in the same transaction as each published revision and again after the
 * seed catalogue is reloaded, so that full-text search finds the new wording and the added
 * statements without searching two places.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Catalogue, CatalogueItem } from './catalogue.js';
import { fullText, itemById } from './catalogue.js';
import type { FrameworkStatement, StatementChange } from './revisions.js';
import { changesUpTo, latestRevision, seedStatements, statementsAt } from './revisions.js';

type Db = Kysely<Schema> | Transaction<Schema>;

/** What the reality check did to one item, as pages and the API tell it. */
export interface RevisionNote {
  /** The revision of the last change. */
  revision: number;
  publishedAt: Date | null;
  change: 'amend' | 'add' | 'retire';
  /** The wording before the last change (for a rewording or a retirement). */
  previousText: string | null;
  reason: string;
}

/** The statements at the latest revision, every change, and the notes by item id. */
export async function effectiveCatalogue(db: Db, catalogue: Catalogue) {
  const revision = await latestRevision(db);
  const changes = await changesUpTo(db, revision);
  const { statements } = await statementsAt(db, catalogue, revision);
  const dates = new Map((await db.selectFrom('framework_revision').select(['number', 'published_at']).execute()).map((row) => [row.number, row.published_at]));
  const notes = new Map<string, RevisionNote>();
  for (const change of changes) {
    notes.set(change.statementId, { revision: change.revision, publishedAt: dates.get(change.revision) ?? null, change: change.change, previousText: change.previousText, reason: change.reason });
  }
  const byId = new Map(statements.map((statement) => [statement.id, statement]));
  return { revision, statements, byId, changes, notes };
}

export type EffectiveCatalogue = Awaited<ReturnType<typeof effectiveCatalogue>>;

/** An added statement as a catalogue item (the API's item shape), its source being the revision that added it. */
export function addedItem(change: Pick<StatementChange, 'statementId' | 'kind' | 'template' | 'layer' | 'tier' | 'thread' | 'parentId' | 'text' | 'revision'>, number: number): CatalogueItem {
  const source = { file: '', section: `revision ${change.revision} of the framework (the reality check)`, lines: [] as number[] };
  const base = { id: change.statementId, text: change.text, source };
  const principle = change.parentId === null ? 0 : Number(/-P(\d+)$/.exec(change.parentId)?.[1] ?? 0);
  switch (change.kind) {
    case 'thread-means':
      return { ...base, kind: 'thread-means', thread: change.thread!, number };
    case 'general-condition':
      return { ...base, kind: 'general-condition', template: change.template!, number };
    case 'matrix-statement':
      return { ...base, kind: 'matrix-statement', template: change.template!, layer: change.layer!, tier: change.tier!, number } as CatalogueItem;
    default:
      return { ...base, kind: 'principle-point', template: change.template!, principle, parentId: change.parentId!, number };
  }
}

/**
 * Brings `framework_item` up to date with the latest revision: a reworded item gets its new text
 * (and search text) and a `revision` note; an added statement gets a row after the pack's own
 * items; a retired one keeps its row, marked `retired`, so it stays readable by id. Seed rows
 * nothing changed are left alone. Safe to run again: it sets, never appends.
 */
export async function refreshEffectiveItems(db: Db, catalogue: Catalogue): Promise<void> {
  const effective = await effectiveCatalogue(db, catalogue);
  if (effective.changes.length === 0) return;
  const added = [...new Set(effective.changes.filter((change) => change.change === 'add').map((change) => change.statementId))];
  for (const [id, note] of effective.notes) {
    const seedItem = itemById(catalogue, id);
    const statement: FrameworkStatement | undefined = effective.byId.get(id);
    const lastAdd = effective.changes.filter((change) => change.statementId === id && change.change !== 'retire').at(-1);
    const revision = { number: note.revision, published_at: note.publishedAt?.toISOString() ?? null, change: note.change, previous_text: note.previousText };
    const base: CatalogueItem | undefined = seedItem ?? (lastAdd === undefined ? undefined : addedItem(lastAdd, added.indexOf(id) + 1));
    if (base === undefined) continue;
    const text = statement?.text ?? base.text;
    const item = { ...base, text, revision, ...(statement === undefined ? { retired: true } : {}) };
    const searchText = seedItem === undefined ? text : fullText(catalogue, { ...seedItem, text });
    if (seedItem !== undefined) {
      await db.updateTable('framework_item').set({ text, search_text: searchText, item: JSON.stringify(item) }).where('id', '=', id).execute();
      continue;
    }
    const position = catalogue.items.length + added.indexOf(id);
    await db
      .insertInto('framework_item')
      .values({ id, position, kind: base.kind, template: statement?.template ?? lastAdd?.template ?? null, layer: statement?.layer ?? lastAdd?.layer ?? null, tier: statement?.tier ?? lastAdd?.tier ?? null, thread: statement?.thread ?? lastAdd?.thread ?? null, parent_id: statement?.parentId ?? lastAdd?.parentId ?? null, text, search_text: searchText, item: JSON.stringify(item) })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ text, search_text: searchText, item: JSON.stringify(item) }))
      .execute();
  }
}

/** The seed's statements that no longer stand, by id (for marking them on pages). */
export function retiredIds(catalogue: Catalogue, effective: EffectiveCatalogue): Set<string> {
  return new Set(seedStatements(catalogue).filter((statement) => !effective.byId.has(statement.id)).map((statement) => statement.id));
}
