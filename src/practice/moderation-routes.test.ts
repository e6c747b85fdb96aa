import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import { agentOf, errorSummaryLinks, postForm } from '../../test/support/practice-pages.js';
import type { Schema } from '../db/schema.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { PracticeContent } from './content.js';
import { PracticeService } from './service.js';
import { readItem } from './store.js';

const rating = { grade: 'promising', evidenceStrength: 3, studies: 1, reasons: 'REVIEWER-A-REASONS: one comparison study.' };

describe.each(testEngines)('the national team’s moderation pages on %s', (engine) => {
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
  beforeEach(async () => {
    await db.deleteFrom('practice_submission_attempt').execute();
  });

  const moderator = () => agentOf(testApp.app, people, 'moderator');
  const page = (id: string) => `/practice/moderation/${id}`;

  async function submitted(overrides: Partial<PracticeContent> = {}): Promise<string> {
    const id = await practice.workflow.createDraft(people.submitter, completeContent(overrides));
    await practice.workflow.submit(people.submitter, id);
    return id;
  }

  async function withReviewers(): Promise<string> {
    const id = await submitted();
    await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: false });
    return id;
  }

  it('list moderation queue by status with counts, flagged items badged, oldest waiting first', async () => {
    const first = await submitted({ title: 'Queue first' });
    await db.updateTable('practice_item').set({ submitted_at: new Date('2020-01-01T00:00:00Z') }).where('id', '=', first).execute();
    await submitted({ title: 'Queue flagged', whatWasDone: 'A girl called Amira Khan, born 03/04/2012, joined the group.' });
    const queue = await moderator().get('/practice/moderation');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toMatch(/aria-current="page">Waiting to screen \(\d+\)<\/a>/);
    expect(queue.body).toMatch(/With reviewers \(\d+\)/);
    expect(queue.body.indexOf('Queue first')).toBeLessThan(queue.body.indexOf('Queue flagged'));
    const flaggedRow = queue.body.slice(queue.body.indexOf('Queue flagged'), queue.body.indexOf('</tr>', queue.body.indexOf('Queue flagged')));
    expect(flaggedRow).toContain('Personal data flagged');
    expect((await moderator().get('/practice/moderation?status=published')).body).toContain('aria-current="page">Published');
  });

  it('show flagged submission marks each passage where it was found, and screening needs the check', async () => {
    const id = await submitted({ whatWasDone: 'A girl called Amira Khan, born 03/04/2012, joined the group.' });
    const shown = await moderator().get(page(id));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('<mark>03/04/2012</mark><span class="govuk-visually-hidden"> (flagged as date of birth: a date of birth)</span>');
    expect(shown.body).toMatch(/<mark>Amira( Khan)?<\/mark>/);
    expect(shown.body).toContain('href="#content-whatWasDone">What was done</a>');
    expect(shown.body).toContain('id="content-whatWasDone"');

    const response = await postForm(moderator(), testApp.app, page(id), `${page(id)}/screen`, [
      ['decision', 'review'],
      ['reviewerIds', people.reviewerA.viewer.userId],
    ]);
    expect(response.statusCode).toBe(400);
    const links = errorSummaryLinks(response.body);
    expect(links.map((link) => link.href)).toEqual(['#reviewers', '#personalDataChecked']);
    expect(links.every((link) => link.targetExists)).toBe(true);
    expect(response.body).toMatch(new RegExp(`value="${people.reviewerA.viewer.userId}" checked`));

    const sent = await postForm(moderator(), testApp.app, page(id), `${page(id)}/screen`, [
      ['decision', 'review'],
      ['reviewerIds', people.reviewerA.viewer.userId],
      ['reviewerIds', people.reviewerB.viewer.userId],
      ['personalDataChecked', 'yes'],
    ]);
    expect(sent.statusCode).toBe(303);
    const item = (await readItem(db, id))!;
    expect([item.status, item.personalDataClearedBy]).toEqual(['in-review', 'moderator']);
  });

  it('screen submission offers everyone with the reviewer role except the screener', async () => {
    const id = await submitted();
    const shown = await moderator().get(page(id));
    for (const reviewer of [people.reviewerA, people.reviewerB, people.reviewerC]) expect(shown.body).toContain(`value="${reviewer.viewer.userId}"`);
    expect(shown.body).not.toContain(`name="reviewerIds" type="checkbox" value="${people.moderator.viewer.userId}"`);
    expect(shown.body).not.toMatch(new RegExp(`value="${people.moderator.viewer.userId}"`));
  });

  it('return submission at screening needs feedback, then sends it to the submitter', async () => {
    const id = await submitted();
    const missing = await postForm(moderator(), testApp.app, page(id), `${page(id)}/screen`, [['decision', 'return'], ['feedback', '']]);
    expect(missing.statusCode).toBe(400);
    expect(errorSummaryLinks(missing.body)).toEqual([{ href: '#feedback', text: 'Tell the submitter why, in the feedback', targetExists: true }]);
    const returned = await postForm(moderator(), testApp.app, page(id), `${page(id)}/screen`, [['decision', 'return'], ['feedback', 'Say how many children took part.']]);
    expect(returned.statusCode).toBe(303);
    expect((await readItem(db, id))!.status).toBe('returned');
  });

  it('show submission with reviewers: their progress, never their ratings until both are in', async () => {
    const id = await withReviewers();
    await practice.workflow.submitReview(people.reviewerA, id, rating);
    const during = await moderator().get(page(id));
    expect(during.body).toContain('reviewer.a');
    expect(during.body).toMatch(/Submitted, \d/);
    expect(during.body).toContain('Their ratings appear here once both have submitted.');
    expect(during.body).not.toContain('REVIEWER-A-REASONS');
    expect(during.body).not.toContain('Promising');
    expect(during.body).toContain('Replace a reviewer');
    const history = during.body.slice(during.body.indexOf('id="history"'));
    expect(history).toMatch(/<strong>Reviewers assigned<\/strong> <strong class="govuk-tag govuk-tag--grey">National team only<\/strong>/);
    expect(history).toContain('Submitted for moderation');
    expect(during.body).not.toContain('version [object Object]');

    await practice.workflow.submitReview(people.reviewerB, id, { ...rating, grade: 'validated', evidenceStrength: 4, reasons: 'REVIEWER-B-REASONS' });
    const after = await moderator().get(page(id));
    expect(after.body).toContain('REVIEWER-A-REASONS');
    expect(after.body).toContain('REVIEWER-B-REASONS');
    expect(after.body).toContain('Reviewers differed: promising and validated; 3 and 4 of 5 for evidence.');
    expect(after.body).toContain('The panel’s decision');
  });

  it('replace reviewer who has not submitted assigns the new one', async () => {
    const id = await withReviewers();
    const response = await postForm(moderator(), testApp.app, page(id), `${page(id)}/replace-reviewer`, [
      ['outgoing', people.reviewerB.viewer.userId],
      ['incoming', people.reviewerC.viewer.userId],
    ]);
    expect(response.statusCode).toBe(303);
    const reviewers = await db.selectFrom('practice_review').select(['reviewer_user_id', 'status']).where('item_id', '=', id).orderBy('assigned_at').execute();
    expect(reviewers.map((row) => row.status)).toEqual(['assigned', 'withdrawn', 'assigned']);
    const missing = await postForm(moderator(), testApp.app, page(id), `${page(id)}/replace-reviewer`, [['outgoing', people.reviewerA.viewer.userId]]);
    expect(errorSummaryLinks(missing.body)).toEqual([{ href: '#reviewer', text: 'Choose the new reviewer', targetExists: true }]);
  });

  it('decide submission: publish needs a grade, padlocks and feedback, then publishes', async () => {
    const id = await withReviewers();
    await practice.workflow.submitReview(people.reviewerA, id, rating);
    await practice.workflow.submitReview(people.reviewerB, id, rating);
    const incomplete = await postForm(moderator(), testApp.app, page(id), `${page(id)}/decide`, [['outcome', 'publish'], ['feedback', 'Typed <feedback> kept']]);
    expect(incomplete.statusCode).toBe(400);
    const links = errorSummaryLinks(incomplete.body);
    expect(links.map((link) => link.href)).toEqual(['#grade', '#evidenceStrength']);
    expect(links.every((link) => link.targetExists)).toBe(true);
    expect(incomplete.body).toContain('Typed &lt;feedback&gt; kept');
    const published = await postForm(moderator(), testApp.app, page(id), `${page(id)}/decide`, [
      ['outcome', 'publish'],
      ['grade', 'promising'],
      ['evidenceStrength', '3'],
      ['feedback', 'Clear and well evidenced.'],
    ]);
    expect(published.statusCode).toBe(303);
    const item = (await readItem(db, id))!;
    expect([item.status, item.grade, item.evidenceStrength]).toEqual(['published', 'promising', 3]);
    const again = await postForm(moderator(), testApp.app, page(id), `${page(id)}/decide`, [['outcome', 'reject'], ['feedback', 'No']]);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('The panel can decide only once both reviews are in');
  });

  it('show resubmitted submission lists the fields that changed and the submitter’s answer', async () => {
    const id = await submitted();
    await practice.workflow.screen(people.moderator, id, { decision: 'return', reviewerIds: [], feedback: 'Give the comparison group’s size.', personalDataChecked: false });
    const item = (await readItem(db, id))!;
    await practice.workflow.saveDraft(people.submitter, id, completeContent({ evaluation: 'Compared with 65 children.', costPerChild: 160 }), item.version);
    await practice.workflow.submit(people.submitter, id, { responseToFeedback: 'Added the <size>: 65.' });
    const shown = await moderator().get(page(id));
    expect(shown.body).toContain('What changed since version 1');
    const changes = shown.body.slice(shown.body.indexOf('What changed since version 1'), shown.body.indexOf('How the submitter answered'));
    expect([...changes.matchAll(/<li>([^<]+)<\/li>/g)].map((match) => match[1])).toEqual(['Cost per child per year', 'About the evaluation']);
    expect(shown.body).toContain('Added the &lt;size&gt;: 65.');
  });

  it('open moderation pages without the moderate role is refused', async () => {
    const id = await submitted();
    expect((await agentOf(testApp.app, people, 'reviewerA').get(page(id))).statusCode).toBe(403);
    expect((await agentOf(testApp.app, people, 'submitter').get('/practice/moderation')).statusCode).toBe(403);
    const anonymous = await testApp.app.inject({ method: 'GET', url: page(id) });
    expect(anonymous.headers.location).toBe(`/sign-in?next=${encodeURIComponent(page(id))}`);
    expect((await moderator().get('/practice/moderation/GT01-H')).statusCode).toBe(404);
    const forged = await postForm(moderator(), testApp.app, page(id), `${page(id)}/screen`, [['decision', 'reject'], ['feedback', 'Out of scope']], { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect((await readItem(db, id))!.status).toBe('submitted');
  });
});
