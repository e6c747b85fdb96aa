import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { PracticeService } from './service.js';
import { PracticeConflictError, PracticeInputError, PracticeNotFoundError, PracticeStateError, PracticeThrottledError, submissionLimits } from './workflow.js';

const catalogue = loadCatalogue();

function fieldsOf(error: unknown): string[] {
  if (!(error instanceof PracticeInputError)) throw error;
  return error.problems.map((problem) => problem.field);
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe.each(testEngines)('the call for evidence on %s', (engine) => {
  let database: TestDatabase;
  let practice: PracticeService;
  let people: PracticePeople;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    practice = new PracticeService(database.db, catalogue, { bytes: 1_048_576, perItem: 5 });
    people = await practicePeople(database.db);
  });
  afterAll(async () => database.dispose());

  const submitted = async (overrides = {}) => {
    const id = await practice.workflow.createDraft(people.submitter, completeContent(overrides));
    await practice.workflow.submit(people.submitter, id);
    return id;
  };

  const sentForReview = async () => {
    const id = await submitted();
    await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: false });
    return id;
  };

  const rating = { grade: 'promising', evidenceStrength: 3, studies: 1, reasons: 'One comparison-group study with a moderate sample.' };

  it('a draft saves incomplete, but a submission names every missing field', async () => {
    const id = await practice.workflow.createDraft(people.submitter, { ...completeContent(), summary: '', groups: [], consent: false, results: [] });
    const error = await refusal(practice.workflow.submit(people.submitter, id));
    expect(fieldsOf(error)).toEqual(expect.arrayContaining(['summary', 'groups', 'consent', 'results']));
    const item = await practice.submitterView(people.submitter.viewer, id);
    expect(item.item.status).toBe('draft');
    expect(item.versions).toHaveLength(0);
  });

  it('figures that cannot be are refused even in a draft, naming the result and field', async () => {
    const bad = completeContent({
      results: [
        { ...completeContent().results[0]!, n: -4 },
        { ...completeContent().results[0]!, measure: 'effect', effectSize: 0.5, lower: 0.6, upper: 0.9 },
        { ...completeContent().results[0]!, measure: 'counts', events: 30, n: 20 },
      ],
    });
    const error = await refusal(practice.workflow.createDraft(people.submitter, bad));
    expect(fieldsOf(error)).toEqual(expect.arrayContaining(['results.0.n', 'results.1.effectSize', 'results.2.events']));
    expect((error as PracticeInputError).problems.find((problem) => problem.field === 'results.1.effectSize')?.message).toBe(
      'Result 2: the interval 0.6 to 0.9 does not contain the effect size 0.5',
    );
  });

  it('a stale save is refused and the newer draft kept', async () => {
    const id = await practice.workflow.createDraft(people.submitter, completeContent());
    const first = await practice.workflow.saveDraft(people.submitter, id, completeContent({ title: 'First' }), 1);
    expect(first).toBe(2);
    await expect(practice.workflow.saveDraft(people.submitter, id, completeContent({ title: 'Stale' }), 1)).rejects.toBeInstanceOf(PracticeConflictError);
    expect((await practice.submitterView(people.submitter.viewer, id)).item.draft.title).toBe('First');
  });

  it('another person cannot read, change, submit or withdraw someone’s item', async () => {
    const id = await practice.workflow.createDraft(people.submitter, completeContent());
    await expect(practice.submitterView(people.other.viewer, id)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.workflow.saveDraft(people.other, id, completeContent(), 1)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.workflow.submit(people.other, id)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.workflow.withdraw(people.other, id)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.moderatorView(people.moderator.viewer, id)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.publishedView(id)).rejects.toBeInstanceOf(PracticeNotFoundError);
  });

  it('two blind reviews, the panel decision with agreement and feedback, then the public item', async () => {
    const id = await sentForReview();
    expect((await practice.submitterView(people.submitter.viewer, id)).item.status).toBe('in-review');
    await expect(practice.reviewerView(people.reviewerC.viewer, id)).rejects.toBeInstanceOf(PracticeNotFoundError);
    await expect(practice.workflow.submitReview(people.reviewerC, id, rating)).rejects.toBeInstanceOf(PracticeNotFoundError);

    await practice.workflow.submitReview(people.reviewerA, id, rating);
    const bView = await practice.reviewerView(people.reviewerB.viewer, id);
    expect(bView.other).toBeNull();
    expect((await practice.reviewerView(people.reviewerA.viewer, id)).other).toBeNull();
    await expect(practice.workflow.decide(people.moderator, id, { outcome: 'publish', grade: 'promising', evidenceStrength: 3, feedback: 'Thank you', personalDataChecked: false })).rejects.toBeInstanceOf(
      PracticeStateError,
    );

    await practice.workflow.submitReview(people.reviewerB, id, { ...rating, grade: 'validated', evidenceStrength: 4 });
    const aView = await practice.reviewerView(people.reviewerA.viewer, id);
    expect(aView.other?.grade).toBe('validated');
    await expect(practice.workflow.submitReview(people.reviewerA, id, rating)).rejects.toBeInstanceOf(PracticeStateError);

    await practice.workflow.decide(people.moderator, id, { outcome: 'publish', grade: 'promising', evidenceStrength: 3, feedback: 'Clear and well evidenced.', personalDataChecked: false });
    const published = await practice.publishedView(id);
    expect(published.grade).toBe('promising');
    expect(published.decision?.agreement).toBe('Reviewers differed: promising and validated; 3 and 4 of 5 for evidence');
    expect(published.impact.overall?.value).toBeCloseTo(0.2770, 3);
    expect(published.trail.map((step) => step.what)).toEqual([
      'Submitted to the call for evidence',
      'Screened by the national team and sent to two reviewers',
      'Reviewed independently by two reviewers',
      'Graded and published by the moderation panel',
    ]);
    const submitterView = await practice.submitterView(people.submitter.viewer, id);
    expect(submitterView.decisions.at(-1)?.feedback).toBe('Clear and well evidenced.');
    expect(submitterView.events.some((event) => event.kind === 'reviewers-assigned')).toBe(false);
    const audit = await database.db.selectFrom('audit_log').select('action').where('target', '=', `practice:${id}`).execute();
    expect(audit.map((entry) => entry.action)).toEqual(['practice.draft', 'practice.submit', 'practice.screen', 'practice.review', 'practice.review', 'practice.decide']);
  });

  it('returned for changes, answered and resubmitted as version 2, reviewed afresh', async () => {
    const id = await sentForReview();
    await practice.workflow.submitReview(people.reviewerA, id, rating);
    await practice.workflow.submitReview(people.reviewerB, id, rating);
    await practice.workflow.decide(people.moderator, id, { outcome: 'return', grade: null, evidenceStrength: null, feedback: 'Please give the comparison group’s size.', personalDataChecked: false });
    const returned = await practice.submitterView(people.submitter.viewer, id);
    expect(returned.item.status).toBe('returned');
    const saved = await practice.workflow.saveDraft(people.submitter, id, completeContent({ evaluation: 'Compared with 65 children in neighbouring schools.' }), returned.item.version);
    expect(fieldsOf(await refusal(practice.workflow.submit(people.submitter, id)))).toEqual(['responseToFeedback']);
    const { version } = await practice.workflow.submit(people.submitter, id, { expectedVersion: saved, responseToFeedback: 'Added the size: 65 children.' });
    expect(version).toBe(2);
    await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerC.viewer.userId], feedback: '', personalDataChecked: false });
    const view = await practice.reviewerView(people.reviewerA.viewer, id);
    expect(view.version.version).toBe(2);
    expect(view.mine.status).toBe('assigned');
    expect(view.other).toBeNull();
  });

  it('text that looks like a child’s personal data is held: screening must confirm it was checked', async () => {
    const id = await submitted({ whatWasDone: 'A boy called Tyler Jones, born 03/04/2012, read with his buddy every Tuesday.' });
    const view = await practice.moderatorView(people.moderator.viewer, id);
    expect(view.item.personalDataFindings.map((finding) => finding.kind)).toEqual(expect.arrayContaining(['name', 'date of birth']));
    const error = await refusal(
      practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: false }),
    );
    expect(fieldsOf(error)).toEqual(['personalDataChecked']);
    await practice.workflow.screen(people.moderator, id, { decision: 'return', reviewerIds: [], feedback: 'Please remove the child’s name and date of birth.', personalDataChecked: false });
    expect((await practice.submitterView(people.submitter.viewer, id)).item.status).toBe('returned');
  });

  it('screening needs two different eligible reviewers, never the submitter', async () => {
    const id = await submitted();
    const same = await refusal(practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerA.viewer.userId], feedback: '', personalDataChecked: false }));
    expect(fieldsOf(same)).toEqual(['reviewers']);
    const submitter = await refusal(practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.submitter.viewer.userId], feedback: '', personalDataChecked: false }));
    expect(fieldsOf(submitter)).toEqual(['reviewers']);
    await expect(practice.workflow.screen(people.reviewerA, id, { decision: 'reject', reviewerIds: [], feedback: 'no', personalDataChecked: false })).rejects.toBeInstanceOf(PracticeNotFoundError);
  });

  it('two moderators deciding at once: one decision stands, the other is told it moved on', async () => {
    const id = await sentForReview();
    await practice.workflow.submitReview(people.reviewerA, id, rating);
    await practice.workflow.submitReview(people.reviewerB, id, rating);
    const outcomes = await Promise.allSettled([
      practice.workflow.decide(people.moderator, id, { outcome: 'publish', grade: 'promising', evidenceStrength: 3, feedback: 'Yes', personalDataChecked: false }),
      practice.workflow.decide(people.moderator, id, { outcome: 'reject', grade: null, evidenceStrength: null, feedback: 'No', personalDataChecked: false }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PracticeStateError);
    const decisions = await database.db.selectFrom('practice_decision').select('outcome').where('item_id', '=', id).execute();
    expect(decisions).toHaveLength(1);
  });

  it('withdrawn before review, but not once reviewers have it', async () => {
    const early = await submitted();
    await practice.workflow.withdraw(people.submitter, early);
    expect((await practice.submitterView(people.submitter.viewer, early)).item.status).toBe('withdrawn');
    const late = await sentForReview();
    await expect(practice.workflow.withdraw(people.submitter, late)).rejects.toBeInstanceOf(PracticeStateError);
  });

  it('too many new items from one account are throttled with a clear message', async () => {
    const { sessionToken: _unused, ...rest } = { sessionToken: '', ...people.other };
    const started = await database.db.selectFrom('practice_submission_attempt').select('key').where('key', '=', `item:account:${rest.viewer.userId}`).execute();
    for (let index = started.length; index < submissionLimits.itemsPerAccount; index += 1) await practice.workflow.createDraft(people.other, completeContent({ title: `Item ${index}` }));
    const error = await refusal(practice.workflow.createDraft(people.other, completeContent()));
    expect(error).toBeInstanceOf(PracticeThrottledError);
    expect((error as Error).message).toContain(`You have started ${submissionLimits.itemsPerAccount} practice items in the last 24 hours`);
  });
});
