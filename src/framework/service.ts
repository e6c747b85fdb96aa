import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { markMatches } from '../web/html.js';
import type { Catalogue, CatalogueItem, ItemKind, ItemOfKind, LayerId, TierId } from './catalogue.js';
import { LAYER_IDS, childrenOf, findItems, itemById } from './catalogue.js';
import type { EffectiveCatalogue, RevisionNote } from './effective.js';
import { addedItem, effectiveCatalogue } from './effective.js';
import type { ItemQuery } from './repository.js';
import { findCatalogueItems, matchEnd, matchStart } from './repository.js';

export interface SearchResult {
  item: CatalogueItem;
  /** Safe HTML: the text and points with each match in <mark>. */
  highlightedHtml: string | undefined;
  place: string;
  href: string;
}

export interface ItemFilters {
  q?: string | undefined;
  template?: number | undefined;
  layer?: LayerId | undefined;
  tier?: TierId | undefined;
  kind?: ItemKind | undefined;
  thread?: string | undefined;
}

export interface StatementView {
  item: ItemOfKind<'matrix-statement'>;
  points: CatalogueItem[];
  highlightedHtml: string | undefined;
  /** What the reality check last did to it, if anything. */
  revisionNote?: RevisionNote | undefined;
  added?: boolean;
}

/** The statements added since the seed, as catalogue items, in the order they were added. */
function addedItems(effective: EffectiveCatalogue): CatalogueItem[] {
  return effective.statements.filter((statement) => statement.origin === 'added').map((statement, index) => addedItem({ ...statement, statementId: statement.id }, index + 1));
}

/**
 * Items of the seed as the latest revision has them: reworded ones with their new text, retired
 * ones left out, and the added ones that `belongs` picks put after them.
 */
function atLatest<T extends CatalogueItem>(effective: EffectiveCatalogue, items: readonly T[], belongs: (item: CatalogueItem) => boolean): T[] {
  const current = items.flatMap((item): T[] => {
    if (!effective.notes.has(item.id)) return [item];
    const statement = effective.byId.get(item.id);
    return statement === undefined ? [] : [{ ...item, text: statement.text }];
  });
  return [...current, ...(addedItems(effective).filter(belongs) as T[])];
}

/**
 * Reading the framework: the catalogue held in memory for pages, and the database for search.
 * Both come from the same catalogue.json, loaded into the database at start-up.
 */
export class FrameworkService {
  constructor(
    private readonly db: Kysely<Schema>,
    readonly catalogue: Catalogue,
  ) {}

  layers(): ItemOfKind<'layer'>[] {
    return findItems(this.catalogue, { kind: 'layer' });
  }

  tiers(): ItemOfKind<'tier'>[] {
    return findItems(this.catalogue, { kind: 'tier' });
  }

  layerName(id: string): string {
    return this.layers().find((layer) => layer.id === id)?.text ?? id;
  }

  tierName(id: string): string {
    return this.tiers().find((tier) => tier.id === id)?.name ?? id;
  }

  overview() {
    const catalogue = this.catalogue;
    const summaryHeadlines = findItems(catalogue, { kind: 'summary-headline' });
    return {
      themes: findItems(catalogue, { kind: 'theme' }),
      outputs: findItems(catalogue, { kind: 'output' }),
      outcomes: findItems(catalogue, { kind: 'outcome' }),
      groups: findItems(catalogue, { kind: 'group' }),
      layers: this.layers(),
      tiers: this.tiers(),
      threads: findItems(catalogue, { kind: 'golden-thread' }).map((thread) => ({
        thread,
        headline: findItems(catalogue, { kind: 'thread-headline', thread: thread.id })[0],
      })),
      templates: findItems(catalogue, { kind: 'template' }),
      summaryIntroduction: findItems(catalogue, { kind: 'summary-introduction' })[0],
      summary: LAYER_IDS.map((layer) => ({
        layer: this.layers().find((item) => item.id === layer),
        notes: findItems(catalogue, { kind: 'summary-note', layer }),
        groups: groupBy(
          summaryHeadlines.filter((headline) => headline.layer === layer),
          (headline) => headline.group,
        ),
      })),
      version: catalogue.version,
    };
  }

  goldenThread(number: number) {
    const thread = findItems(this.catalogue, { kind: 'golden-thread', thread: number })[0];
    if (thread === undefined) return undefined;
    return {
      thread,
      headline: findItems(this.catalogue, { kind: 'thread-headline', thread: thread.id })[0],
      narrative: findItems(this.catalogue, { kind: 'thread-narrative', thread: thread.id }),
      means: findItems(this.catalogue, { kind: 'thread-means', thread: thread.id }),
      notes: findItems(this.catalogue, { kind: 'thread-note', thread: thread.id }),
      previous: number > 1 ? number - 1 : undefined,
      next: findItems(this.catalogue, { kind: 'golden-thread', thread: number + 1 }).length > 0 ? number + 1 : undefined,
    };
  }

  /** A golden thread as the latest revision of the catalogue has it. */
  async goldenThreadAtLatest(number: number) {
    const thread = this.goldenThread(number);
    if (thread === undefined) return undefined;
    const effective = await effectiveCatalogue(this.db, this.catalogue);
    return {
      ...thread,
      thread: { ...thread.thread, text: effective.byId.get(thread.thread.id)?.text ?? thread.thread.text },
      means: atLatest(effective, thread.means, (item) => item.kind === 'thread-means' && item.thread === thread.thread.id),
      revision: effective.revision,
    };
  }

  /**
   * An item as the latest revision has it: a reworded statement's new text with a note of the
   * change and its previous wording, a retired one marked (still readable), an added one built
   * from the revision that added it.
   */
  async itemAtLatest(id: string) {
    const effective = await effectiveCatalogue(this.db, this.catalogue);
    const note = effective.notes.get(id);
    const statement = effective.byId.get(id);
    const found = this.item(id);
    if (found !== undefined) {
      if (note === undefined) return { ...found, revisionNote: undefined, retired: false, added: false, statementKind: statement !== undefined };
      return { ...found, item: { ...found.item, text: statement?.text ?? found.item.text }, revisionNote: note, retired: statement === undefined, added: false, statementKind: true };
    }
    const change = effective.changes.filter((entry) => entry.statementId === id && entry.change !== 'retire').at(-1);
    if (change === undefined || note === undefined) return undefined;
    const item = addedItem({ ...change, text: statement?.text ?? change.text }, 0);
    const parent = 'parentId' in item ? itemById(this.catalogue, item.parentId) : undefined;
    return { item, parent, children: [], place: this.placeOf(item), context: this.contextHref(item), source: `Added to the framework in revision ${change.revision} (the reality check)`, revisionNote: note, retired: statement === undefined, added: true, statementKind: true };
  }

  /**
   * A template as the pack presents it. With filters, the matrix keeps only the chosen layer and
   * tier, and, with words, only the statements that match them (marked).
   */
  async template(number: number, filters: { layer?: LayerId | undefined; tier?: TierId | undefined; q?: string | undefined }) {
    const template = findItems(this.catalogue, { kind: 'template', template: number })[0];
    if (template === undefined) return undefined;
    const matches = filters.q?.trim()
      ? await this.matchingStatements(number, filters.q)
      : undefined;
    const layers = this.layers().filter((layer) => !filters.layer || layer.id === filters.layer);
    const tiers = this.tiers().filter((tier) => !filters.tier || tier.id === filters.tier);
    // The wording at the latest revision of the catalogue (the reality check's accepted changes).
    const effective = await effectiveCatalogue(this.db, this.catalogue);
    const statementView = (statement: ItemOfKind<'matrix-statement'>): StatementView => ({
      item: statement,
      points: childrenOf(this.catalogue, statement.id),
      highlightedHtml: matches?.get(statement.id),
      revisionNote: effective.notes.get(statement.id),
      added: itemById(this.catalogue, statement.id) === undefined,
    });
    const matrix = layers.map((layer) => ({
      layer,
      cells: tiers.map((tier) => ({
        tier,
        statements: atLatest(effective, findItems(this.catalogue, { kind: 'matrix-statement', template: number, layer: layer.id, tier: tier.id }), (item) => item.kind === 'matrix-statement' && item.template === number && item.layer === layer.id && item.tier === tier.id)
          .filter((statement) => matches === undefined || matches.has(statement.id))
          .map(statementView),
      })),
    }));
    const principles = atLatest(effective, findItems(this.catalogue, { kind: 'principle', template: number }), () => false).map((principle) => ({
      principle,
      narrative: findItems(this.catalogue, { kind: 'principle-narrative', template: number }).filter(
        (item) => item.principle === principle.number,
      ),
      points: atLatest(effective, findItems(this.catalogue, { kind: 'principle-point', template: number }), (item) => item.kind === 'principle-point' && item.parentId === principle.id)
        .filter((item) => item.principle === principle.number || item.parentId === principle.id)
        .map((point) => ({ point, subpoints: childrenOf(this.catalogue, point.id), revisionNote: effective.notes.get(point.id) })),
    }));
    return {
      template,
      introductions: findItems(this.catalogue, { kind: 'template-introduction', template: number }),
      successFactors: findItems(this.catalogue, { kind: 'success-factor', template: number }),
      principles,
      conditions: atLatest(effective, findItems(this.catalogue, { kind: 'general-condition', template: number }), (item) => item.kind === 'general-condition' && item.template === number),
      revisionNotes: effective.notes,
      revision: effective.revision,
      matrix,
      statementCount: matrix.reduce((sum, row) => sum + row.cells.reduce((cellSum, cell) => cellSum + cell.statements.length, 0), 0),
      filtered: Boolean(filters.layer || filters.tier || filters.q?.trim()),
      references: findItems(this.catalogue, { kind: 'reference', template: number }),
    };
  }

  item(id: string) {
    const item = itemById(this.catalogue, id);
    if (item === undefined) return undefined;
    const parent = 'parentId' in item ? itemById(this.catalogue, item.parentId) : undefined;
    return { item, parent, children: childrenOf(this.catalogue, item.id), place: this.placeOf(item), context: this.contextHref(item), source: sourceReference(item.source.section) };
  }

  async search(filters: ItemFilters, page: { limit: number; offset: number }): Promise<{ total: number; results: SearchResult[] }> {
    const query: ItemQuery = { ...definedOnly(filters), ...page };
    const found = await findCatalogueItems(this.db, query);
    return {
      total: found.total,
      results: found.items.map(({ item, highlighted }) => ({
        item,
        highlightedHtml: highlighted === undefined ? undefined : markMatches(highlighted, matchStart, matchEnd),
        place: this.placeOf(item),
        href: `/framework/items/${encodeURIComponent(item.id)}`,
      })),
    };
  }

  /** Where an item sits in the pack, in words: "Template 1, integrated frontline delivery, universal". */
  placeOf(item: CatalogueItem): string {
    const parts: string[] = [];
    if ('template' in item) parts.push(`Template ${item.template}`);
    if (item.kind === 'template') parts.push(`Template ${item.number}`);
    if ('thread' in item) parts.push(`Golden thread ${Number(item.thread.slice(2))}`);
    if (item.kind === 'golden-thread') parts.push(`Golden thread ${item.number}`);
    if ('principle' in item) parts.push(`principle ${item.principle}`);
    if ('layer' in item) parts.push(this.layerName(item.layer));
    if ('tier' in item) parts.push(this.tierName(item.tier));
    if (parts.length === 0) parts.push(kindLabels[item.kind]);
    else if (!['template', 'golden-thread', 'matrix-statement'].includes(item.kind)) parts.push(kindLabels[item.kind]);
    return parts.join(', ');
  }

  /** The page that shows the item among its neighbours. */
  contextHref(item: CatalogueItem): string {
    if (item.kind === 'template') return `/framework/templates/${item.number}`;
    if ('template' in item) return `/framework/templates/${item.template}#${item.id}`;
    if (item.kind === 'golden-thread') return `/framework/golden-threads/${item.number}`;
    if ('thread' in item) return `/framework/golden-threads/${Number(item.thread.slice(2))}#${item.id}`;
    return `/framework#${item.kind}`;
  }

  private async matchingStatements(template: number, q: string): Promise<Map<string, string>> {
    const found = await findCatalogueItems(this.db, { q, template, kind: 'matrix-statement', limit: 1000, offset: 0 });
    return new Map(found.items.map(({ item, highlighted }) => [item.id, markMatches(highlighted ?? item.text, matchStart, matchEnd)]));
  }
}

const numberWords: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

/**
 * Where an item's text is in the pack, as a reader would look for it: "Section 5 of the pack,
 * template 2: integrated processes / specialist/acute", never the seed file's name or its lines.
 */
export function sourceReference(section: string): string {
  const numbered = /^section (\d+)(?: (overview|introduction))?(?:, |: )?(.*)$/.exec(section);
  if (numbered === null) return section.startsWith('leaflet') ? `The pack’s leaflet${section.slice('leaflet'.length)}` : section.charAt(0).toUpperCase() + section.slice(1);
  const [, number, part, rest = ''] = numbered;
  const where = rest.replace(/^template (one|two|three|four|five)\b/, (_whole, word: string) => `template ${numberWords[word]}`);
  return `Section ${number} of the pack${part ? ` (${part})` : ''}${where ? `, ${where}` : ''}`;
}

export const kindLabels: Record<ItemKind, string> = {
  theme: 'theme (key line of enquiry)',
  output: 'project output',
  outcome: 'Every Child Matters outcome',
  group: 'group of children',
  layer: 'layer',
  tier: 'tier of need',
  'golden-thread': 'golden thread',
  'thread-headline': 'headline',
  'thread-narrative': 'narrative',
  'thread-means': '“this means” item',
  'thread-note': 'note',
  template: 'template',
  'template-introduction': 'introduction',
  'general-condition': 'general condition',
  'matrix-statement': 'statement',
  'matrix-point': 'point of a statement',
  'success-factor': 'factor for success',
  principle: 'under-pinning principle',
  'principle-narrative': 'narrative of a principle',
  'principle-point': 'point of a principle',
  'principle-subpoint': 'sub-point of a principle',
  'summary-introduction': 'introduction to the cross-template summary',
  'summary-note': 'note in the cross-template summary',
  'summary-headline': 'headline of the cross-template summary',
  reference: 'reference',
};

function groupBy<T>(items: T[], key: (item: T) => string): { name: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups].map(([name, members]) => ({ name, items: members }));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined && entry !== '')) as Partial<T>;
}

