import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { seedDemoAccounts } from '../auth/demo.js';
import { ensureAreaOrganisations } from '../auth/organisations.js';
import { migrateToLatest } from '../db/migrate.js';
import { contentProblems } from '../practice/content.js';
import { practiceVocabulary } from '../practice/vocabulary.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { demoPracticeItems } from './demo-practice-items.js';
import { loadDemoPractice } from './demo-practice.js';

describe.each(testEngines)('demo practice on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await ensureAreaOrganisations(database.db);
    await seedDemoAccounts(database.db);
  });
  afterAll(async () => database.dispose());

  it('every demo item is complete and fictional, naming only real groups, statements and places', async () => {
    const vocabulary = await practiceVocabulary(database.db, loadCatalogue());
    for (const item of demoPracticeItems) {
      expect(contentProblems(item.content, vocabulary, { complete: item.fate.kind !== 'draft' })).toEqual([]);
      expect(item.content.summary).toContain('(Fictional example.)');
    }
  });

  it('load demo practice goes through the workflow: 40 or more items, most published, some at each step of moderation, once only', async () => {
    expect(await loadDemoPractice(database.db)).toBe(true);
    const rows = await database.db.selectFrom('practice_item').select(['status', 'grade']).execute();
    expect(rows.length).toBeGreaterThanOrEqual(40);
    const statuses = new Set(rows.map((row) => row.status));
    for (const status of ['published', 'submitted', 'in-review', 'awaiting-decision', 'returned', 'rejected', 'draft'] as const) expect(statuses).toContain(status);
    const grades = new Set(rows.flatMap((row) => (row.status === 'published' ? [row.grade] : [])));
    expect(grades).toEqual(new Set(['validated', 'promising', 'emerging']));
    const flagged = await database.db.selectFrom('practice_item').select('id').where('status', '=', 'submitted').where(({ eb, fn }) => eb(fn('jsonb_array_length', ['personal_data_findings']), '>', 0)).execute();
    expect(flagged.length).toBeGreaterThanOrEqual(1);
    const editions = await database.db.selectFrom('practice_digest_edition').select(['number', 'status', 'sections']).orderBy('number').execute();
    expect(editions.map((edition) => edition.status)).toEqual(['published', 'draft']);
    expect(JSON.stringify(editions[0]!.sections)).toContain('itemIds');
    expect(await loadDemoPractice(database.db)).toBe(false);
  });
});
