import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import { agentOf, errorSummaryLinks, postForm } from '../../test/support/practice-pages.js';
import type { Schema } from '../db/schema.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { PracticeService } from './service.js';
import { readItem, readReviews } from './store.js';

describe.each(testEngines)('the reviewer’s pages on %s', (engine) => {
  let testApp: TestApp;
  let db: Kysely<Schema>;
  let people: PracticePeople;
  let practice: PracticeService;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    db = testApp.database.db;
    people = await practicePeople(db);
    practice = new PracticeService(db, loadCatalogue(), { bytes: 1_048_576, perItem: 5 });
  });
  afterAll(async () => testApp.close());

  async function withReviewers(title = 'Reading buddies for children in care'): Promise<string> {
    await db.deleteFrom('practice_submission_attempt').execute();
    const id = await practice.workflow.createDraft(people.submitter, completeContent({ title }));
    await practice.workflow.submit(people.submitter, id);
    await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: false });
    return id;
  }

  const reviewer = (who: 'reviewerA' | 'reviewerB' | 'reviewerC') => agentOf(testApp.app, people, who);
  const page = (id: string) => `/practice/reviews/${id}`;

  it('list reviews shows the open ones first', async () => {
    const open = await withReviewers('Open review');
    const done = await withReviewers('Done review');
    await practice.workflow.submitReview(people.reviewerA, done, { grade: 'emerging', evidenceStrength: 1, studies: 1, reasons: 'Early.' });
    const list = await reviewer('reviewerA').get('/practice/reviews');
    expect(list.statusCode).toBe(200);
    const toDo = list.body.slice(list.body.indexOf('id="to-do"'), list.body.indexOf('id="done"'));
    expect(toDo).toContain(`href="/practice/reviews/${open}">Open review</a>`);
    expect(toDo).not.toContain('Done review');
    expect(list.body.slice(list.body.indexOf('id="done"'))).toContain('Done review');
  });

  it('show review page with the criteria written out and the version assigned', async () => {
    const id = await withReviewers();
    const shown = await reviewer('reviewerA').get(page(id));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Robust evidence of impact in more than one place');
    expect(shown.body).toContain('A well-conducted randomised trial of good size');
    expect(shown.body).toContain('Reading buddies for children in care');
    expect(shown.body).toContain('Submit your review');
  });

  it('submit review blind: the other reviewer’s rating appears only once both are in', async () => {
    const id = await withReviewers();
    const incomplete = await postForm(reviewer('reviewerA'), testApp.app, page(id), page(id), [['studies', 'two'], ['reasons', '']]);
    expect(incomplete.statusCode).toBe(400);
    const links = errorSummaryLinks(incomplete.body);
    expect(links.map((link) => link.href)).toEqual(['#studies']);
    const missing = await postForm(reviewer('reviewerA'), testApp.app, page(id), page(id), [['studies', '1']]);
    expect(errorSummaryLinks(missing.body).map((link) => link.href)).toEqual(['#grade', '#evidenceStrength', '#reasons']);
    expect(errorSummaryLinks(missing.body).every((link) => link.targetExists)).toBe(true);

    const sent = await postForm(reviewer('reviewerA'), testApp.app, page(id), page(id), [
      ['grade', 'promising'],
      ['evidenceStrength', '3'],
      ['studies', '1'],
      ['reasons', 'A-REASONS <em>one</em> comparison study'],
    ]);
    expect(sent.statusCode).toBe(303);
    const mine = await reviewer('reviewerA').get(page(id));
    expect(mine.body).toContain('A-REASONS &lt;em&gt;one&lt;/em&gt; comparison study');
    expect(mine.body).toContain('The other reviewer’s rating will appear here');

    const other = await reviewer('reviewerB').get(page(id));
    expect(other.body).not.toContain('A-REASONS');
    expect(other.body).not.toContain('3 of 5 padlocks');
    expect(other.body).toContain('Submit your review');

    await postForm(reviewer('reviewerB'), testApp.app, page(id), page(id), [
      ['grade', 'validated'],
      ['evidenceStrength', '4'],
      ['studies', '2'],
      ['reasons', 'B-REASONS'],
    ]);
    const both = await reviewer('reviewerA').get(page(id));
    expect(both.body).toContain('A-REASONS');
    expect(both.body).toContain('B-REASONS');
    expect(both.body).toContain('Reviewers differed: promising and validated; 3 and 4 of 5 for evidence.');
    expect(both.body).not.toContain('Submit your review');
    expect((await readItem(db, id))!.status).toBe('awaiting-decision');
  });

  it('open or submit a review not assigned to you answers not found and records nothing', async () => {
    const id = await withReviewers();
    expect((await reviewer('reviewerC').get(page(id))).statusCode).toBe(404);
    const response = await postForm(reviewer('reviewerC'), testApp.app, '/practice/reviews', page(id), [
      ['grade', 'promising'],
      ['evidenceStrength', '3'],
      ['reasons', 'Not mine to review'],
    ]);
    expect(response.statusCode).toBe(404);
    expect((await readReviews(db, id)).every((review) => review.status === 'assigned')).toBe(true);
    expect((await agentOf(testApp.app, people, 'submitter').get(page(id))).statusCode).toBe(403);
    expect((await reviewer('reviewerA').get('/practice/reviews/GT01-H')).statusCode).toBe(404);
  });

  it('submit review without the form’s CSRF token is refused', async () => {
    const id = await withReviewers();
    const response = await postForm(reviewer('reviewerA'), testApp.app, page(id), page(id), [['grade', 'promising'], ['evidenceStrength', '3'], ['reasons', 'Forged']], { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await readReviews(db, id)).every((review) => review.status === 'assigned')).toBe(true);
  });
});
