import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { PracticeService } from './service.js';

describe.each(testEngines)('the catalogue lists the practice that serves it on %s', (engine) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const people = await practicePeople(db);
    const practice = new PracticeService(db, loadCatalogue(), { bytes: 1_048_576, perItem: 5 });
    const id = await practice.workflow.createDraft(people.submitter, completeContent({ title: 'Reading buddies <b>for</b> children in care', threads: ['GT03'], statements: ['T1-FRONTLINE-UNIVERSAL-01'] }));
    await practice.workflow.submit(people.submitter, id);
    await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: true });
    const rating = { grade: 'validated', evidenceStrength: 4, studies: 2, reasons: 'Two comparison studies.' };
    await practice.workflow.submitReview(people.reviewerA, id, rating);
    await practice.workflow.submitReview(people.reviewerB, id, rating);
    await practice.workflow.decide(people.moderator, id, { outcome: 'publish', grade: 'validated', evidenceStrength: 4, feedback: 'Thanks.', personalDataChecked: true });
    const draft = await practice.workflow.createDraft(people.submitter, completeContent({ title: 'An unpublished idea', threads: ['GT03'], statements: ['T1-FRONTLINE-UNIVERSAL-01'] }));
    await practice.workflow.submit(people.submitter, draft);
  });
  afterAll(async () => testApp.close());

  it('a golden thread’s page and a template statement’s page list the published practice serving them, escaped, and nothing unpublished', async () => {
    for (const url of ['/framework/golden-threads/3', '/framework/items/T1-FRONTLINE-UNIVERSAL-01']) {
      const page = (await testApp.app.inject({ method: 'GET', url })).body;
      expect(page).toContain('Practice that serves this');
      expect(page).toContain('Reading buddies &lt;b&gt;for&lt;/b&gt; children in care');
      expect(page).toContain('Validated · evidence 4 of 5');
      expect(page).not.toContain('An unpublished idea');
    }
    const other = (await testApp.app.inject({ method: 'GET', url: '/framework/golden-threads/4' })).body;
    expect(other).toContain('No published practice says it serves this yet.');
  });
});
