import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newOrganisation } from '../../test/support/accounts.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { Mailer, Message } from '../auth/mail.js';
import type { AccountStatus } from '../auth/tables.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Schema } from '../db/schema.js';
import { addDays } from './reminder-schedule.js';
import { readReminderPreference, saveReminderPreference, sendReminders } from './reminders.js';
import type { ImprovementActionStatus } from './tables.js';

const camden = 'E09000007';
const baseUrl = 'https://ntg.example.org';
// 11 January 2027 is a Monday; the 13th a Wednesday.
const monday = '2027-01-11';
const wednesday = '2027-01-13';

/** A mailer that keeps what it is given, or refuses while `failing` is set. */
function recordingMailer(): Mailer & { sent: Message[]; failing: boolean } {
  const mailer = {
    keepsOutbox: false,
    sent: [] as Message[],
    failing: false,
    send(message: Message) {
      if (mailer.failing) return Promise.reject(new Error('SMTP server unavailable'));
      mailer.sent.push(message);
      return Promise.resolve();
    },
  };
  return mailer;
}

describe.each(testEngines)('improvement plan reminders on %s', (engine) => {
  let database: TestDatabase;
  let db: Kysely<Schema>;
  let camdenId: string;
  let partnerId: string;
  let people = 0;
  let plans = 0;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    db = database.db;
    camdenId = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    partnerId = await newOrganisation(db, { kind: 'partner', name: 'Camden Health Trust', laCode: camden });
  });
  afterAll(async () => database.dispose());

  // Each test starts with no plans and nothing sent: a run reads every plan in the database.
  beforeEach(async () => {
    await db.deleteFrom('reminder_sent').execute();
    await db.deleteFrom('reminder_preference').execute();
    await db.deleteFrom('improvement_plan').execute();
  });

  async function person(name: string, status: AccountStatus = 'active'): Promise<{ id: string; email: string }> {
    people += 1;
    const email = `${name.toLowerCase().replace(/\s+/g, '.')}-${people}@example.org`;
    const row = await db.insertInto('user_account').values({ email, display_name: name, status, password_hash: null, totp_secret: null }).returning('id').executeTakeFirstOrThrow();
    return { id: row.id, email };
  }

  /** A plan (owned by `owner`, or nobody) with one priority; its id and the priority's. */
  async function newPlan(fields: { owner: string | null; title?: string; periodEnd?: string }): Promise<{ planId: string; priorityId: string }> {
    plans += 1;
    const plan = await db
      .insertInto('improvement_plan')
      .values({
        la_code: camden,
        organisation_id: camdenId,
        period_start: addDays('2026-04-01', plans),
        period_end: fields.periodEnd ?? '2029-03-31',
        title: fields.title ?? `Plan ${plans}`,
        owner_user_id: fields.owner,
        created_by_label: 'test',
        updated_by_label: 'test',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const priority = await db
      .insertInto('improvement_priority')
      .values({ la_code: camden, plan_id: plan.id, position: 1, title: 'Early help reaches families sooner', source: 'written' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { planId: plan.id, priorityId: priority.id };
  }

  async function newAction(priorityId: string, fields: { owner: { user: string } | { partner: string }; dueDate: string; status?: ImprovementActionStatus; title?: string }): Promise<string> {
    const row = await db
      .insertInto('improvement_action')
      .values({
        la_code: camden,
        priority_id: priorityId,
        title: fields.title ?? `Action due ${fields.dueDate}`,
        owner_user_id: 'user' in fields.owner ? fields.owner.user : null,
        owner_organisation_id: 'partner' in fields.owner ? fields.owner.partner : null,
        start_date: '2026-04-01',
        due_date: fields.dueDate,
        status: fields.status ?? 'on-track',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  const run = (mailer: Mailer, today: string) => sendReminders(db, mailer, { today, baseUrl });

  it('send reminders due soon reminds an action due in 7 days, and one due in 8 days only the next day', async () => {
    const ann = await person('Ann');
    const { planId, priorityId } = await newPlan({ owner: null, title: 'Camden improvement plan' });
    const seven = await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-20', title: 'Train 20 family workers' });
    const eight = await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-21' });
    const mailer = recordingMailer();

    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 1, overdue: 0, digests: 0, failed: 0 });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toBe(ann.email);
    expect(mailer.sent[0]!.subject).toBe('Due in 7 days: Train 20 family workers');
    expect(mailer.sent[0]!.body).toContain('Due: 20 January 2027');
    expect(mailer.sent[0]!.body).toContain(`${baseUrl}/improvement-plans/${planId}#action-${seven}`);
    expect(mailer.sent[0]!.body).toContain(`${baseUrl}/account/reminders`);

    expect(await run(mailer, '2027-01-14')).toEqual({ dueSoon: 1, overdue: 0, digests: 0, failed: 0 });
    expect(mailer.sent[1]!.body).toContain(`#action-${eight}`);
    const rows = await db.selectFrom('reminder_sent').select(['kind', 'subject_id']).orderBy('subject_id').execute();
    expect(rows).toEqual([seven, eight].sort().map((id) => ({ kind: 'due-soon', subject_id: id })));
  });

  it('send reminders overdue reminds once however many times it runs', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: null });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-08', status: 'off-track', title: 'Agree the protocol' });
    const mailer = recordingMailer();

    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 0, overdue: 1, digests: 0, failed: 0 });
    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
    expect(await run(mailer, '2027-01-20')).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
    expect(mailer.sent.map((message) => message.subject)).toEqual(['Overdue: Agree the protocol']);
  });

  it('send reminders run twice at once sends each reminder once', async () => {
    const ann = await person('Ann');
    const lee = await person('Lee');
    const { priorityId } = await newPlan({ owner: lee.id });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-15' });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-05' });
    const mailer = recordingMailer();

    const [first, second] = await Promise.all([run(mailer, monday), run(mailer, monday)]);
    expect({ dueSoon: first.dueSoon + second.dueSoon, overdue: first.overdue + second.overdue, digests: first.digests + second.digests }).toEqual({ dueSoon: 1, overdue: 1, digests: 1 });
    expect(mailer.sent).toHaveLength(3);
    expect(await db.selectFrom('reminder_sent').select('kind').orderBy('kind').execute()).toEqual([{ kind: 'due-soon' }, { kind: 'overdue' }, { kind: 'weekly-digest' }]);
  });

  it('send reminders weekly digest goes on Monday, not again that week, and again the next Monday', async () => {
    const ann = await person('Ann');
    const lee = await person('Lee Leader');
    const { priorityId } = await newPlan({ owner: lee.id, title: 'Camden improvement plan' });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-03-01', status: 'at-risk', title: 'Recruit two mentors' });
    await newAction(priorityId, { owner: { partner: partnerId }, dueDate: '2027-01-22', status: 'not-started', title: 'Run the parents forum' });
    const mailer = recordingMailer();

    expect(await run(mailer, monday)).toEqual({ dueSoon: 0, overdue: 0, digests: 1, failed: 0 });
    const digest = mailer.sent[0]!;
    expect(digest.to).toBe(lee.email);
    expect(digest.subject).toBe('Your improvement plans: week beginning 11 January 2027');
    expect(digest.body).toContain('Hello Lee Leader,');
    expect(digest.body).toContain('0 actions overdue, 1 at risk or off track, 1 due in the next two weeks.');
    expect(digest.body).toContain('- Recruit two mentors (Ann): due 1 March 2027, at risk');
    expect(digest.body).toContain('- Run the parents forum (Camden Health Trust): due 22 January 2027, not started');

    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
    expect(await run(mailer, '2027-01-17')).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
    expect(await run(mailer, '2027-01-18')).toMatchObject({ digests: 1 });
    expect(mailer.sent.map((message) => message.subject)).toEqual(['Your improvement plans: week beginning 11 January 2027', 'Your improvement plans: week beginning 18 January 2027']);
  });

  it('send reminders for a due date moved later reminds again for the new date', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: null });
    const id = await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-08' });
    const mailer = recordingMailer();
    expect(await run(mailer, wednesday)).toMatchObject({ overdue: 1 });

    await db.updateTable('improvement_action').set({ due_date: '2027-01-18' }).where('id', '=', id).execute();
    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 1, overdue: 0, digests: 0, failed: 0 });
    expect(await run(mailer, '2027-01-19')).toEqual({ dueSoon: 0, overdue: 1, digests: 0, failed: 0 });
    expect(mailer.sent.map((message) => message.subject.split(':')[0])).toEqual(['Overdue', 'Due in 5 days', 'Overdue']);
  });

  it('send reminders for done actions sends nothing', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: null });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-15', status: 'done' });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-02', status: 'done' });
    const mailer = recordingMailer();
    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
    expect(mailer.sent).toEqual([]);
  });

  it('send reminders to someone who opted out of due reminders sends only their digest', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: ann.id });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-15' });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-02' });
    await saveReminderPreference(db, ann.id, { dueReminders: false, weeklyDigest: true });
    const mailer = recordingMailer();
    expect(await run(mailer, monday)).toEqual({ dueSoon: 0, overdue: 0, digests: 1, failed: 0 });
    expect(mailer.sent[0]!.body).toContain('1 action overdue, 0 at risk or off track, 1 due in the next two weeks.');
  });

  it('send reminders to someone who opted out of the digest sends only their due reminders', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: ann.id });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-15' });
    await saveReminderPreference(db, ann.id, { dueReminders: true, weeklyDigest: false });
    const mailer = recordingMailer();
    expect(await run(mailer, monday)).toEqual({ dueSoon: 1, overdue: 0, digests: 0, failed: 0 });
  });

  it('send reminders for partner-owned actions mails nobody but lists them in the owner’s digest', async () => {
    const lee = await person('Lee');
    const { priorityId } = await newPlan({ owner: lee.id });
    await newAction(priorityId, { owner: { partner: partnerId }, dueDate: '2027-01-15', title: 'Run the parents forum' });
    await newAction(priorityId, { owner: { partner: partnerId }, dueDate: '2027-01-02', title: 'Share the referral data' });
    const mailer = recordingMailer();
    expect(await run(mailer, monday)).toEqual({ dueSoon: 0, overdue: 0, digests: 1, failed: 0 });
    expect(mailer.sent.map((message) => message.to)).toEqual([lee.email]);
    expect(mailer.sent[0]!.body).toContain('- Share the referral data (Camden Health Trust): due 2 January 2027');
  });

  it('send reminders to deactivated or invited accounts sends nothing', async () => {
    const gone = await person('Gone', 'deactivated');
    const invited = await person('Invited', 'invited');
    const { priorityId } = await newPlan({ owner: gone.id });
    await newAction(priorityId, { owner: { user: gone.id }, dueDate: '2027-01-15' });
    await newAction(priorityId, { owner: { user: invited.id }, dueDate: '2027-01-02' });
    const mailer = recordingMailer();
    expect(await run(mailer, monday)).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 0 });
  });

  it('send reminders the mailer refuses are tried again on the next run', async () => {
    const ann = await person('Ann');
    const { priorityId } = await newPlan({ owner: null });
    await newAction(priorityId, { owner: { user: ann.id }, dueDate: '2027-01-15' });
    const mailer = recordingMailer();
    mailer.failing = true;
    const warnings: string[] = [];
    const failed = await sendReminders(db, mailer, { today: wednesday, baseUrl, log: { warn: (_details, message) => warnings.push(message) } });
    expect(failed).toEqual({ dueSoon: 0, overdue: 0, digests: 0, failed: 1 });
    expect(warnings).toHaveLength(1);
    expect(await db.selectFrom('reminder_sent').select('kind').execute()).toEqual([]);

    mailer.failing = false;
    expect(await run(mailer, wednesday)).toEqual({ dueSoon: 1, overdue: 0, digests: 0, failed: 0 });
  });

  it('send reminders for a day not written yyyy-mm-dd is refused before anything is read', async () => {
    await expect(sendReminders(db, recordingMailer(), { today: '13 January 2027', baseUrl })).rejects.toBeInstanceOf(RangeError);
  });

  it('reminder preference with no choice saved is both on, and a saved choice is read back and can change', async () => {
    const ann = await person('Ann');
    expect(await readReminderPreference(db, ann.id)).toEqual({ dueReminders: true, weeklyDigest: true });
    await saveReminderPreference(db, ann.id, { dueReminders: false, weeklyDigest: true });
    expect(await readReminderPreference(db, ann.id)).toEqual({ dueReminders: false, weeklyDigest: true });
    await saveReminderPreference(db, ann.id, { dueReminders: true, weeklyDigest: false });
    expect(await readReminderPreference(db, ann.id)).toEqual({ dueReminders: true, weeklyDigest: false });
    expect(await db.selectFrom('reminder_preference').select('user_id').where('user_id', '=', ann.id).execute()).toHaveLength(1);
  });
});
