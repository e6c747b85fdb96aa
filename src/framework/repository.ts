import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Catalogue, CatalogueItem, ItemKind, LayerId, TierId } from './catalogue.js';
import { fullText } from './catalogue.js';

/** Marks ts_headline puts around each match; the text never contains them (fidelity tests forbid markup). */
export const matchStart = '[[[';
export const matchEnd = ']]]';

export interface ItemQuery {
  /** Words to search for (web-search syntax: "quoted phrase", or, -not). */
  q?: string;
  template?: number;
  layer?: LayerId;
  tier?: TierId;
  kind?: ItemKind;
  thread?: string;
  limit: number;
  offset: number;
}

export interface FoundItem {
  item: CatalogueItem;
  /** Present when searching: the item's text and points with each match between matchStart and matchEnd. */
  highlighted?: string;
  rank?: number;
}

/** The version of the catalogue held in the database, if any. */
export async function storedCatalogueVersion(db: Kysely<Schema>): Promise<string | undefined> {
  const row = await db.selectFrom('framework_catalogue').select('version').executeTakeFirst();
  return row?.version;
}

/**
 * Makes the database hold exactly this catalogue. Does nothing when the version is already loaded;
 * otherwise replaces every row in one transaction, so a reader never sees half a catalogue.
 */
export async function syncCatalogue(db: Kysely<Schema>, catalogue: Catalogue): Promise<boolean> {
  if ((await storedCatalogueVersion(db)) === catalogue.version) return false;
  const rows = catalogue.items.map((item, position) => ({
    id: item.id,
    position,
    kind: item.kind,
    template: item.kind === 'template' ? item.number : 'template' in item ? item.template : null,
    layer: 'layer' in item ? item.layer : null,
    tier: 'tier' in item ? item.tier : null,
    thread: item.kind === 'golden-thread' ? item.id : 'thread' in item ? item.thread : null,
    parent_id: 'parentId' in item ? item.parentId : null,
    text: item.text,
    search_text: fullText(catalogue, item),
    item: JSON.stringify(item),
  }));
  await db.transaction().execute(async (transaction) => {
    await transaction.deleteFrom('framework_item').execute();
    await transaction.deleteFrom('framework_catalogue').execute();
    for (let start = 0; start < rows.length; start += 500) {
      await transaction.insertInto('framework_item').values(rows.slice(start, start + 500)).execute();
    }
    await transaction
      .insertInto('framework_catalogue')
      .values({ version: catalogue.version, content_hash: catalogue.contentHash, item_count: rows.length })
      .execute();
  });
  return true;
}

/**
 * Items matching the query, in catalogue order, or, when `q` is given, ranked by relevance
 * (PostgreSQL full-text search, English configuration), with matches marked.
 */
export async function findCatalogueItems(db: Kysely<Schema>, query: ItemQuery): Promise<{ total: number; items: FoundItem[] }> {
  const search = query.q?.trim() ? sql`websearch_to_tsquery('english', ${query.q.trim()})` : undefined;
  let selection = db.selectFrom('framework_item');
  if (search) selection = selection.where(sql<boolean>`search_vector @@ ${search}`);
  if (query.template !== undefined) selection = selection.where('template', '=', query.template);
  if (query.layer !== undefined) selection = selection.where('layer', '=', query.layer);
  if (query.tier !== undefined) selection = selection.where('tier', '=', query.tier);
  if (query.kind !== undefined) selection = selection.where('kind', '=', query.kind);
  if (query.thread !== undefined) selection = selection.where('thread', '=', query.thread);

  const { total } = await selection.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  if (!search) {
    const rows = await selection.select('item').orderBy('position').limit(query.limit).offset(query.offset).execute();
    return { total: Number(total), items: rows.map((row) => ({ item: row.item })) };
  }
  const rows = await selection
    .select('item')
    // Cover density ranking rewards matched words that stand close together, as in a phrase.
    .select(sql<number>`ts_rank_cd(search_vector, ${search})`.as('rank'))
    .select(
      sql<string>`ts_headline('english', search_text, ${search}, ${`HighlightAll=true, StartSel="${matchStart}", StopSel="${matchEnd}"`})`.as(
        'highlighted',
      ),
    )
    .orderBy('rank', 'desc')
    .orderBy('position')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return {
    total: Number(total),
    items: rows.map((row) => ({ item: row.item, highlighted: row.highlighted, rank: Number(row.rank) })),
  };
}
