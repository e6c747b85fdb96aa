import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { findItems, loadCatalogue } from './catalogue.js';
import { findCatalogueItems, matchEnd, matchStart, storedCatalogueVersion, syncCatalogue } from './repository.js';

const catalogue = loadCatalogue();

describe.each(testEngines)('the framework catalogue in the database on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('loads every item once and does nothing when the version is already loaded', async () => {
    expect(await syncCatalogue(database.db, catalogue)).toBe(true);
    expect(await syncCatalogue(database.db, catalogue)).toBe(false);
    const { count } = await database.db.selectFrom('framework_item').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(catalogue.items.length);
    expect(await storedCatalogueVersion(database.db)).toBe(catalogue.version);
  });

  it('replaces every row when the catalogue version changes', async () => {
    const changed = { ...catalogue, version: '2099-01-01+000000000000', items: catalogue.items.slice(0, 10) };
    expect(await syncCatalogue(database.db, changed)).toBe(true);
    const { count } = await database.db.selectFrom('framework_item').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(10);
    expect(await syncCatalogue(database.db, catalogue)).toBe(true);
    expect(await storedCatalogueVersion(database.db)).toBe(catalogue.version);
  });

  it('filters by template, layer and tier in catalogue order', async () => {
    const found = await findCatalogueItems(database.db, { template: 1, layer: 'frontline', tier: 'universal', limit: 100, offset: 0 });
    const expected = findItems(catalogue, { template: 1, layer: 'frontline', tier: 'universal' }).map((item) => item.id);
    expect(found.total).toBe(expected.length);
    expect(found.items.map(({ item }) => item.id)).toEqual(expected);
  });

  it('finds "trusted adult" across golden threads and templates, ranked, with matches marked', async () => {
    const found = await findCatalogueItems(database.db, { q: 'trusted adult', limit: 100, offset: 0 });
    const ids = found.items.map(({ item }) => item.id);
    expect(ids).toContain('GT01-H');
    expect(ids.some((id) => id.startsWith('T'))).toBe(true);
    expect(ids.some((id) => id.startsWith('GT'))).toBe(true);
    const ranks = found.items.map(({ rank }) => rank ?? 0);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const headline = found.items.find(({ item }) => item.id === 'GT01-H');
    expect(headline?.highlighted).toContain(`${matchStart}trusted${matchEnd} ${matchStart}adult${matchEnd}`);
  });

  it('matches a quoted phrase only where the words stand together', async () => {
    const phrase = await findCatalogueItems(database.db, { q: '"lead professional"', limit: 1000, offset: 0 });
    const words = await findCatalogueItems(database.db, { q: 'lead professional', limit: 1000, offset: 0 });
    expect(phrase.total).toBeGreaterThan(0);
    expect(phrase.total).toBeLessThanOrEqual(words.total);
    for (const { item } of phrase.items) expect(item.text.toLowerCase()).toMatch(/lead professional|lead professionals/);
  });

  it('finds nothing for words that are all too common to index', async () => {
    const found = await findCatalogueItems(database.db, { q: 'the and of', limit: 10, offset: 0 });
    expect(found).toEqual({ total: 0, items: [] });
  });
});
