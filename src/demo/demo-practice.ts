/**
 * Loads the demo's practice items through the same workflow people use: each is drafted and
 * submitted by a demo account, screened by the national team, reviewed blind by two reviewers and
 * decided, or left at the step its fate names, so the moderation pages have work in every state.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { membershipsOf } from '../auth/sessions.js';
import type { Schema } from '../db/schema.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { DigestService, readEdition } from '../practice/digest.js';
import { PracticeService } from '../practice/service.js';
import type { Actor } from '../practice/workflow.js';
import { demoPracticeItems } from './demo-practice-items.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** A second reviewer for the demo: reviews need two people besides the moderator who screens. */
export const secondReviewer = { email: 'second-reviewer@demo.invalid', name: 'Demo second reviewer (fictional)' };

async function actorOf(db: Kysely<Schema>, email: string): Promise<Actor | undefined> {
  const row = await db.selectFrom('user_account').select(['id', 'email', 'display_name']).where('email', '=', email).executeTakeFirst();
  if (row === undefined) return undefined;
  const viewer: SignedIn = {
    signedIn: true,
    sessionIdHash: 'demo-loader',
    userId: row.id,
    email: row.email,
    displayName: row.display_name,
    secondFactorDone: true,
    totpConfigured: false,
    memberships: await membershipsOf(db, row.id),
  };
  return { viewer, ip: '127.0.0.1' };
}

async function ensureSecondReviewer(db: Kysely<Schema>): Promise<void> {
  const national = await db.selectFrom('organisation').select('id').where('kind', '=', 'national').executeTakeFirst();
  if (national === undefined) return;
  const user = await db
    .insertInto('user_account')
    .values({ email: secondReviewer.email, display_name: secondReviewer.name, status: 'active', password_hash: null, totp_secret: null })
    .onConflict((conflict) => conflict.column('email').doUpdateSet({ display_name: secondReviewer.name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('membership')
    .values({ user_id: user.id, organisation_id: national.id, role: 'practice-reviewer', granted_by: null })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

const reasons = {
  validated: 'A comparison-group or randomised design with good numbers, and results that agree; the write-up is clear enough to replicate.',
  promising: 'Some evidence of impact from one evaluation with a reasonable sample; more replication needed before it can be called validated.',
  emerging: 'A clear rationale and early or local evidence; no comparison group yet.',
} as const;

/** Loads the items unless the demo already has practice. Returns whether it loaded anything. */
export async function loadDemoPractice(db: Kysely<Schema>, log: (message: string) => void = () => undefined): Promise<boolean> {
  const existing = await db.selectFrom('practice_item').select('id').limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  await ensureSecondReviewer(db);
  const moderator = await actorOf(db, 'national-moderator@demo.invalid');
  const reviewerA = await actorOf(db, 'practice-reviewer@demo.invalid');
  const reviewerB = await actorOf(db, secondReviewer.email);
  if (moderator === undefined || reviewerA === undefined || reviewerB === undefined) return false;
  const started = Date.now();
  const practice = new PracticeService(db, loadCatalogue(), { bytes: 10 * 1_048_576, perItem: 10 });
  const { workflow } = practice;
  const submitters = new Map<string, Actor | undefined>();
  let loaded = 0;
  for (const [index, demo] of demoPracticeItems.entries()) {
    const email = `${demo.by}@demo.invalid`;
    if (!submitters.has(email)) submitters.set(email, await actorOf(db, email));
    const submitter = submitters.get(email);
    if (submitter === undefined) continue;
    // The demo loads more items than one account may start in a day: the throttle is for people, not the loader.
    const own = { ...submitter, ip: `127.0.0.${index + 1}` };
    await db.deleteFrom('practice_submission_attempt').execute();
    const id = await workflow.createDraft(own, demo.content);
    loaded += 1;
    const { fate } = demo;
    if (fate.kind === 'draft') continue;
    await workflow.submit(own, id);
    if (fate.kind === 'submitted') continue;
    if (fate.kind === 'withdrawn') {
      await workflow.withdraw(own, id);
      continue;
    }
    if (fate.kind === 'rejected') {
      await workflow.screen(moderator, id, { decision: 'reject', reviewerIds: [], feedback: 'Thank you. This is a product offer rather than practice that narrows a gap, so it is outside the call for evidence.', personalDataChecked: false });
      continue;
    }
    if (fate.kind === 'returned') {
      await workflow.screen(moderator, id, {
        decision: 'return',
        reviewerIds: [],
        feedback: 'Thank you. Please say what changed for the young people (even informally: attendance, what they said) and what it cost per young person, so reviewers can judge it.',
        personalDataChecked: false,
      });
      continue;
    }
    await workflow.screen(moderator, id, { decision: 'review', reviewerIds: [reviewerA.viewer.userId, reviewerB.viewer.userId], feedback: '', personalDataChecked: true });
    if (fate.kind === 'in-review') continue;
    const grade = fate.kind === 'published' ? fate.grade : 'promising';
    const strength = fate.kind === 'published' ? fate.strength : 3;
    await workflow.submitReview(reviewerA, id, { grade, evidenceStrength: strength, studies: Math.max(1, demo.content.results.length), reasons: reasons[grade] });
    if (fate.kind === 'half-reviewed') continue;
    const secondGrade = index % 4 === 0 && grade !== 'validated' ? 'validated' : grade;
    const secondStrength = index % 3 === 0 ? Math.min(5, strength + 1) : strength;
    await workflow.submitReview(reviewerB, id, { grade: secondGrade, evidenceStrength: secondStrength, studies: Math.max(1, demo.content.results.length), reasons: reasons[secondGrade] });
    if (fate.kind !== 'published') continue;
    await workflow.decide(moderator, id, {
      outcome: 'publish',
      grade,
      evidenceStrength: strength,
      feedback: 'Thank you for sharing this. The panel has published it with the grade and evidence strength below; reviewers’ comments are summarised in the agreement line.',
      personalDataChecked: true,
    });
    // Spread publication dates over the past year so "newest" means something.
    await db
      .updateTable('practice_item')
      .set({ published_at: sql<Date>`now() - make_interval(days => ${fate.daysAgo})` })
      .where('id', '=', id)
      .execute();
  }
  await db.deleteFrom('practice_submission_attempt').execute();
  await loadDemoDigest(db, moderator);
  log(`Loaded ${loaded} demo practice items in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return loaded > 0;
}

/**
 * One published digest edition, its sections suggested by group, and the next edition begun as a
 * draft with one section, so the editor has something to show.
 */
async function loadDemoDigest(db: Kysely<Schema>, moderator: Actor): Promise<void> {
  const digests = new DigestService(db, loadCatalogue());
  const first = await digests.createDraft(moderator, {
    title: 'What works in narrowing the gap: demo digest (fictional)',
    introduction:
      'This first edition gathers the practice published from the call for evidence so far, grouped by the children it is for. Every item in it is a fictional example written for the demonstration. Each shows its grade, the strength of its evidence, its cost and its impact in months of additional progress, so that practice of different kinds can be compared.',
  });
  const suggested = await digests.suggestByGroup(moderator, first, (await readEdition(db, first))!.version);
  await digests.publish(moderator, first, suggested.version);
  const second = await digests.createDraft(moderator, {
    title: 'What works for children in care: demo digest (fictional)',
    introduction: 'A themed edition in preparation: practice that narrows the gaps for children in care and care leavers. Fictional examples for the demonstration.',
  });
  const version = await digests.changeSections(
    moderator,
    second,
    { kind: 'add-section', heading: 'Learning in care', introduction: 'Practice led by virtual schools and carers that keeps children in care learning through moves of home and school.' },
    (await readEdition(db, second))!.version,
  );
  const inCare = await db
    .selectFrom('practice_item')
    .select('id')
    .where('status', '=', 'published')
    .where((eb) => eb(eb.val('children-in-care'), '=', eb.fn.any('groups')))
    .orderBy('reference')
    .limit(3)
    .execute();
  if (inCare.length > 0) await digests.changeSections(moderator, second, { kind: 'add-items', section: 1, itemIds: inCare.map((item) => item.id) }, version);
}
