import { describe, expect, it } from 'vitest';
import type { ReminderAccount, ReminderAction, ReminderPlan, ReminderPreferences, ReminderScheduleInput, SentReminder } from './reminder-schedule.js';
import { addDays, mondayOf, remindersDue } from './reminder-schedule.js';

const ann: ReminderAccount = { id: 'user-ann', email: 'ann@example.org', displayName: 'Ann Analyst' };
const lee: ReminderAccount = { id: 'user-lee', email: 'lee@example.org', displayName: 'Lee Leader' };
const baseUrl = 'https://ntg.example.org';
// 11 January 2027 is a Monday.
const monday = '2027-01-11';
const wednesday = '2027-01-13';

function action(id: string, fields: Partial<ReminderAction> = {}): ReminderAction {
  return { id, title: `Action ${id}`, planId: 'plan-1', planTitle: 'Camden improvement plan', dueDate: '2027-01-20', status: 'on-track', ownerAccount: ann, ownerLabel: ann.displayName, ...fields };
}

const plan: ReminderPlan = { id: 'plan-1', title: 'Camden improvement plan', periodEnd: '2029-03-31', owner: lee };

function input(fields: Partial<ReminderScheduleInput> & { actions: ReminderAction[] }): ReminderScheduleInput {
  return Object.freeze({ today: wednesday, baseUrl, plans: [], preferences: new Map<string, ReminderPreferences>(), sent: [], ...fields });
}

const keys = (reminders: readonly SentReminder[]) => reminders.map(({ userId, kind, subjectId, occasion }) => ({ userId, kind, subjectId, occasion }));

describe('dates', () => {
  it('monday of a day is the Monday on or before it', () => {
    expect(mondayOf('2027-01-11')).toBe('2027-01-11');
    expect(mondayOf('2027-01-13')).toBe('2027-01-11');
    expect(mondayOf('2027-01-17')).toBe('2027-01-11'); // Sunday
    expect(mondayOf('2027-01-01')).toBe('2026-12-28'); // across a year
  });

  it('add days crosses months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-01-31', 7)).toBe('2027-02-07');
    expect(addDays('2027-01-05', -5)).toBe('2026-12-31');
  });

  it('reminders due for a day not written yyyy-mm-dd are refused', () => {
    expect(() => remindersDue(input({ today: '13/01/2027', actions: [] }))).toThrow(RangeError);
    expect(() => remindersDue(input({ today: '2027-02-30', actions: [] }))).toThrow(RangeError);
  });
});

describe('due-soon and overdue reminders', () => {
  it('due soon reminder goes when the due date is 7 days away, not 8', () => {
    const reminders = remindersDue(input({ actions: [action('seven', { dueDate: '2027-01-20' }), action('eight', { dueDate: '2027-01-21' })] }));
    expect(keys(reminders)).toEqual([{ userId: ann.id, kind: 'due-soon', subjectId: 'seven', occasion: '2027-01-20' }]);
  });

  it('due soon reminder goes on the due date itself', () => {
    const reminders = remindersDue(input({ actions: [action('today', { dueDate: wednesday })] }));
    expect(keys(reminders)).toEqual([{ userId: ann.id, kind: 'due-soon', subjectId: 'today', occasion: wednesday }]);
    expect(reminders[0]!.message.subject).toBe('Due today: Action today');
  });

  it('due soon message names the action, plan, date and links to the action and the settings', () => {
    const [reminder] = remindersDue(input({ actions: [action('a1', { dueDate: '2027-01-16', title: 'Train 20 family workers' })] }));
    expect(reminder!.message.to).toBe('ann@example.org');
    expect(reminder!.message.subject).toBe('Due in 3 days: Train 20 family workers');
    const body = reminder!.message.body;
    expect(body).toContain('Hello Ann Analyst,');
    expect(body).toContain('Action: Train 20 family workers');
    expect(body).toContain('"Camden improvement plan"');
    expect(body).toContain('Due: 16 January 2027');
    expect(body).toContain('Status: on track');
    expect(body).toContain('https://ntg.example.org/improvement-plans/plan-1#action-a1');
    expect(body).toContain('https://ntg.example.org/account/reminders');
  });

  it('overdue reminder goes once the due date has passed and says how late', () => {
    const [reminder] = remindersDue(input({ actions: [action('late', { dueDate: '2027-01-08', status: 'off-track' })] }));
    expect(keys([reminder!])).toEqual([{ userId: ann.id, kind: 'overdue', subjectId: 'late', occasion: '2027-01-08' }]);
    expect(reminder!.message.subject).toBe('Overdue: Action late');
    expect(reminder!.message.body).toContain('was due on 8 January 2027, 5 days ago');
    expect(reminder!.message.body).toContain('Status: off track');
  });

  it('overdue reminder already sent for that due date is not sent again', () => {
    const sent: SentReminder[] = [{ userId: ann.id, kind: 'overdue', subjectId: 'late', occasion: '2027-01-08' }];
    expect(remindersDue(input({ actions: [action('late', { dueDate: '2027-01-08' })], sent }))).toEqual([]);
  });

  it('moved due date makes a new occasion, so the action is reminded again', () => {
    const sent: SentReminder[] = [{ userId: ann.id, kind: 'due-soon', subjectId: 'moved', occasion: '2027-01-14' }];
    expect(remindersDue(input({ actions: [action('moved', { dueDate: '2027-01-14' })], sent }))).toEqual([]);
    const again = remindersDue(input({ actions: [action('moved', { dueDate: '2027-01-18' })], sent }));
    expect(keys(again)).toEqual([{ userId: ann.id, kind: 'due-soon', subjectId: 'moved', occasion: '2027-01-18' }]);
  });

  it('done actions are never reminded', () => {
    expect(remindersDue(input({ actions: [action('soon', { status: 'done', dueDate: '2027-01-14' }), action('late', { status: 'done', dueDate: '2027-01-01' })] }))).toEqual([]);
  });

  it('partner owned actions get no reminder', () => {
    expect(remindersDue(input({ actions: [action('partner', { ownerAccount: null, ownerLabel: 'Camden Health Trust', dueDate: '2027-01-14' })] }))).toEqual([]);
  });

  it('due reminders opted out are not sent, and the digest still is', () => {
    const preferences = new Map([[ann.id, { dueReminders: false, weeklyDigest: true }]]);
    const owned: ReminderPlan = { ...plan, owner: ann };
    const reminders = remindersDue(input({ actions: [action('soon', { dueDate: '2027-01-14' }), action('late', { dueDate: '2027-01-01' })], plans: [owned], preferences }));
    expect(keys(reminders)).toEqual([{ userId: ann.id, kind: 'weekly-digest', subjectId: '', occasion: monday }]);
  });
});

describe('weekly digest', () => {
  const actions = [
    action('late', { dueDate: '2027-01-04', status: 'at-risk', title: 'Agree the data sharing protocol' }),
    action('risky', { dueDate: '2027-03-01', status: 'off-track', title: 'Recruit two mentors' }),
    action('soon', { dueDate: '2027-01-25', status: 'not-started', title: 'Run the parents forum', ownerAccount: null, ownerLabel: 'Camden Health Trust' }),
    action('later', { dueDate: '2027-02-20', title: 'Review the pilot' }),
    action('finished', { dueDate: '2027-01-05', status: 'done', title: 'Write the brief' }),
  ];

  it('weekly digest on Monday lists overdue, at-risk or off-track and due-soon actions with counts', () => {
    const reminders = remindersDue(input({ today: monday, actions, plans: [plan] }));
    expect(keys(reminders).map((entry) => entry.kind)).toEqual(['overdue', 'weekly-digest']);
    const digest = reminders[1]!;
    expect(keys([digest])).toEqual([{ userId: lee.id, kind: 'weekly-digest', subjectId: '', occasion: monday }]);
    expect(digest.message.to).toBe('lee@example.org');
    expect(digest.message.subject).toBe('Your improvement plans: week beginning 11 January 2027');
    const body = digest.message.body;
    expect(body).toContain('Camden improvement plan\nhttps://ntg.example.org/improvement-plans/plan-1\n1 action overdue, 1 at risk or off track, 1 due in the next two weeks.');
    expect(body).toContain('Overdue (1):\n- Agree the data sharing protocol (Ann Analyst): due 4 January 2027, at risk\n  https://ntg.example.org/improvement-plans/plan-1#action-late');
    expect(body).toContain('At risk or off track (1):\n- Recruit two mentors (Ann Analyst): due 1 March 2027, off track');
    expect(body).toContain('Due in the next two weeks (1):\n- Run the parents forum (Camden Health Trust): due 25 January 2027, not started');
    expect(body).not.toContain('Review the pilot');
    expect(body).not.toContain('Write the brief');
    expect(body).toContain('https://ntg.example.org/account/reminders');
  });

  it('weekly digest with nothing to report is still sent and says so', () => {
    const [digest] = remindersDue(input({ today: monday, actions: [action('later', { dueDate: '2027-06-01', ownerAccount: null })], plans: [plan] }));
    expect(digest!.kind).toBe('weekly-digest');
    expect(digest!.message.body).toContain('0 actions overdue, 0 at risk or off track, 0 due in the next two weeks.');
    expect(digest!.message.body).toContain('Nothing is overdue, at risk or off track, or due in the next two weeks.');
  });

  it('weekly digest already sent this week is not sent again later in the week, and is next Monday', () => {
    const sent: SentReminder[] = [{ userId: lee.id, kind: 'weekly-digest', subjectId: '', occasion: monday }];
    expect(remindersDue(input({ today: monday, actions: [], plans: [plan], sent }))).toEqual([]);
    expect(remindersDue(input({ today: '2027-01-17', actions: [], plans: [plan], sent }))).toEqual([]);
    expect(keys(remindersDue(input({ today: '2027-01-18', actions: [], plans: [plan], sent })))).toEqual([{ userId: lee.id, kind: 'weekly-digest', subjectId: '', occasion: '2027-01-18' }]);
  });

  it('weekly digest missed on Monday goes later that week for that Monday', () => {
    expect(keys(remindersDue(input({ today: wednesday, actions: [], plans: [plan] })))).toEqual([{ userId: lee.id, kind: 'weekly-digest', subjectId: '', occasion: monday }]);
  });

  it('weekly digest gathers every plan an owner has into one message', () => {
    const second: ReminderPlan = { id: 'plan-2', title: 'Barnet plan', periodEnd: '2028-03-31', owner: lee };
    const reminders = remindersDue(input({ today: monday, actions: [action('late', { planId: 'plan-2', dueDate: '2027-01-04' })], plans: [plan, second] }));
    const digests = reminders.filter((reminder) => reminder.kind === 'weekly-digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.message.body.indexOf('Barnet plan')).toBeLessThan(digests[0]!.message.body.indexOf('Camden improvement plan'));
    expect(digests[0]!.message.body).toContain('Your improvement plans for the week beginning 11 January 2027');
  });

  it('weekly digest opted out, or for a plan that has ended or has no owner account, is not sent', () => {
    const preferences = new Map([[lee.id, { dueReminders: true, weeklyDigest: false }]]);
    expect(remindersDue(input({ today: monday, actions: [], plans: [plan], preferences }))).toEqual([]);
    expect(remindersDue(input({ today: monday, actions: [], plans: [{ ...plan, periodEnd: '2027-01-10' }] }))).toEqual([]);
    expect(remindersDue(input({ today: monday, actions: [], plans: [{ ...plan, owner: null }] }))).toEqual([]);
  });

  it('weekly digest uses the plan path given', () => {
    const [digest] = remindersDue(input({ today: monday, actions: [], plans: [plan], planPath: (id) => `/plans/improvement/${id}` }));
    expect(digest!.message.body).toContain('https://ntg.example.org/plans/improvement/plan-1');
  });
});
