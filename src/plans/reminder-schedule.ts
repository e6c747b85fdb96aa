import type { Message } from '../auth/mail.js';
import type { ImprovementActionStatus, ReminderSentTable } from './tables.js';
import { formatDate } from '../web/format.js';

/**
 * Which reminders are due today: a pure function of what is passed in, so the clock, the database
 * and the mailer stay outside (src/plans/reminders.ts reads and sends). Rules:
 *
 * - **Due soon**: to the account that owns an action not done, when its due date is today or in
 *   the next 7 days (today..today+7); once per action and due date.
 * - **Overdue**: to the same account, once, when the due date has passed and the action is not
 *   done; once per action and due date.
 * - **Weekly digest**: to each plan owner, one per week (the occasion is that week's Monday, so a
 *   run on any later day of the week sends it if Monday's run did not), listing for each of their
 *   plans whose period has not ended the actions overdue, at risk or off track, and due in the next
 *   two weeks (today..today+14), each action in the first of those lists it fits, with counts. A
 *   digest with nothing in those lists is still sent: "nothing is overdue" is worth hearing each
 *   week, and a digest that comes and goes would leave an owner unsure whether it was sent. An
 *   owner whose plans have all ended gets none.
 *
 * Nobody who opted out of a kind gets it (no preference row means both kinds on). An action
 * carried by a partner organisation has no account, so no reminder goes for it (it still appears
 * in the plan owner's digest). Moving a due date makes a new occasion: the action is reminded
 * again for its new date.
 */

export type ReminderKind = ReminderSentTable['kind'];

/** Whom a reminder can go to: an active account. */
export interface ReminderAccount {
  id: string;
  email: string;
  displayName: string;
}

export interface ReminderAction {
  id: string;
  title: string;
  planId: string;
  planTitle: string;
  /** ISO date (yyyy-mm-dd). */
  dueDate: string;
  status: ImprovementActionStatus;
  /** The owner's account when a member with an active account owns it; null for a partner organisation (or an account that is no longer active). */
  ownerAccount: ReminderAccount | null;
  /** The owner as a digest names them: a person's name or the partner organisation's. */
  ownerLabel: string;
}

export interface ReminderPlan {
  id: string;
  title: string;
  /** ISO date: the last day of the plan's period. */
  periodEnd: string;
  /** The plan owner's account when they have an active one. */
  owner: ReminderAccount | null;
}

export interface ReminderPreferences {
  dueReminders: boolean;
  weeklyDigest: boolean;
}

/** What nobody chose otherwise: both kinds on. */
export const defaultReminderPreferences: ReminderPreferences = { dueReminders: true, weeklyDigest: true };

/** A reminder queued before: its key, as `reminder_sent` keeps it. */
export interface SentReminder {
  userId: string;
  kind: ReminderKind;
  /** The action's id, or the empty string for a digest. */
  subjectId: string;
  /** ISO date: the due date, or the Monday of the digest's week. */
  occasion: string;
}

export interface ReminderScheduleInput {
  /** ISO date of the day the reminders are for. Passed in, never read from the clock. */
  today: string;
  /** The service's public address without a trailing slash, for links in the messages. */
  baseUrl: string;
  /** Open actions (those done are ignored anyway), each with its plan. */
  actions: readonly ReminderAction[];
  /** The plans whose owners may get a digest. */
  plans: readonly ReminderPlan[];
  /** By account id; an account with no entry has both kinds on. */
  preferences: ReadonlyMap<string, ReminderPreferences>;
  sent: readonly SentReminder[];
  /** Where a plan's page is, relative to `baseUrl`. */
  planPath?: (planId: string) => string;
}

export interface Reminder extends SentReminder {
  message: Message;
}

/** The improvement plan's page (the plan routes own it; a link in a mail must follow them). */
export function improvementPlanPath(planId: string): string {
  return `/improvement-plans/${encodeURIComponent(planId)}`;
}

/** Where a person chooses which reminders they get. */
export const reminderPreferencesPath = '/account/reminders';

export const dueSoonDays = 7;
export const digestHorizonDays = 14;

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDate(iso: string): Date {
  const match = isoDatePattern.exec(iso);
  const date = match === null ? new Date(Number.NaN) : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) throw new RangeError(`Not a date in the form yyyy-mm-dd: ${JSON.stringify(iso)}`);
  return date;
}

/** Throws a RangeError unless `iso` is a real calendar date written yyyy-mm-dd. */
export function assertIsoDate(iso: string): void {
  utcDate(iso);
}

/** The ISO date `days` days after `iso` (before it when negative). */
export function addDays(iso: string, days: number): string {
  const date = utcDate(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDate(to).getTime() - utcDate(from).getTime()) / 86_400_000);
}

/** The Monday of the week (Monday to Sunday) holding `iso`. */
export function mondayOf(iso: string): string {
  const weekday = utcDate(iso).getUTCDay(); // 0 is Sunday
  return addDays(iso, -((weekday + 6) % 7));
}

const statusWords: Record<ImprovementActionStatus, string> = {
  'not-started': 'not started',
  'on-track': 'on track',
  'at-risk': 'at risk',
  'off-track': 'off track',
  done: 'done',
};

const sentKey = (sent: SentReminder) => `${sent.userId}\u0000${sent.kind}\u0000${sent.subjectId}\u0000${sent.occasion}`;

function days(count: number): string {
  return count === 1 ? '1 day' : `${count} days`;
}

function whenDue(today: string, dueDate: string): string {
  const ahead = daysBetween(today, dueDate);
  if (ahead === 0) return 'today';
  if (ahead === 1) return 'tomorrow';
  return `in ${days(ahead)}`;
}

/** The reminders to send today, in a stable order: due soon, overdue, then digests. */
export function remindersDue(input: ReminderScheduleInput): Reminder[] {
  const { today } = input;
  assertIsoDate(today);
  const planPath = input.planPath ?? improvementPlanPath;
  const planLink = (planId: string) => `${input.baseUrl}${planPath(planId)}`;
  const actionLink = (action: ReminderAction) => `${planLink(action.planId)}#action-${encodeURIComponent(action.id)}`;
  const optOut = `${input.baseUrl}${reminderPreferencesPath}`;
  const preferenceOf = (userId: string) => input.preferences.get(userId) ?? defaultReminderPreferences;
  const alreadySent = new Set(input.sent.map(sentKey));
  const open = input.actions.filter((action) => action.status !== 'done');
  const byDue = (a: ReminderAction, b: ReminderAction) => a.dueDate.localeCompare(b.dueDate) || a.title.localeCompare(b.title, 'en-GB') || a.id.localeCompare(b.id);
  const reminders: Reminder[] = [];
  const queue = (reminder: Reminder) => {
    const key = sentKey(reminder);
    if (alreadySent.has(key)) return;
    alreadySent.add(key);
    reminders.push(reminder);
  };

  const dueSoonLimit = addDays(today, dueSoonDays);
  const owned = open.filter((action) => action.ownerAccount !== null && preferenceOf(action.ownerAccount.id).dueReminders).sort(byDue);
  for (const action of owned.filter((entry) => entry.dueDate >= today && entry.dueDate <= dueSoonLimit)) {
    const account = action.ownerAccount!;
    const when = whenDue(today, action.dueDate);
    queue({
      userId: account.id,
      kind: 'due-soon',
      subjectId: action.id,
      occasion: action.dueDate,
      message: {
        to: account.email,
        subject: `Due ${when}: ${action.title}`,
        body: [
          `Hello ${account.displayName},`,
          '',
          `An action you own in the improvement plan "${action.planTitle}" is due ${when}, on ${formatDate(action.dueDate)}.`,
          '',
          `Action: ${action.title}`,
          `Status: ${statusWords[action.status]}`,
          `Due: ${formatDate(action.dueDate)}`,
          '',
          'Open it to record progress, change its status or move its due date:',
          actionLink(action),
          '',
          ...optOutLines('You get this email because you own this action. To stop emails about due dates, change your email settings:', optOut),
        ].join('\n'),
      },
    });
  }
  for (const action of owned.filter((entry) => entry.dueDate < today)) {
    const account = action.ownerAccount!;
    queue({
      userId: account.id,
      kind: 'overdue',
      subjectId: action.id,
      occasion: action.dueDate,
      message: {
        to: account.email,
        subject: `Overdue: ${action.title}`,
        body: [
          `Hello ${account.displayName},`,
          '',
          `An action you own in the improvement plan "${action.planTitle}" was due on ${formatDate(action.dueDate)}, ${days(daysBetween(action.dueDate, today))} ago, and is not marked done.`,
          '',
          `Action: ${action.title}`,
          `Status: ${statusWords[action.status]}`,
          `Due: ${formatDate(action.dueDate)}`,
          '',
          'If it is finished, mark it done; if it needs longer, agree a new due date and change it in the plan:',
          actionLink(action),
          '',
          'This is the only reminder about this due date.',
          '',
          ...optOutLines('You get this email because you own this action. To stop emails about due dates, change your email settings:', optOut),
        ].join('\n'),
      },
    });
  }

  const monday = mondayOf(today);
  const horizon = addDays(today, digestHorizonDays);
  const plansByOwner = new Map<string, { account: ReminderAccount; plans: ReminderPlan[] }>();
  for (const plan of input.plans) {
    if (plan.owner === null || plan.periodEnd < today || !preferenceOf(plan.owner.id).weeklyDigest) continue;
    const entry = plansByOwner.get(plan.owner.id) ?? { account: plan.owner, plans: [] };
    entry.plans.push(plan);
    plansByOwner.set(plan.owner.id, entry);
  }
  const owners = [...plansByOwner.values()].sort((a, b) => a.account.email.localeCompare(b.account.email) || a.account.id.localeCompare(b.account.id));
  for (const { account, plans } of owners) {
    const sections = plans
      .sort((a, b) => a.title.localeCompare(b.title, 'en-GB') || a.id.localeCompare(b.id))
      .map((plan) => digestSection(plan, open.filter((action) => action.planId === plan.id).sort(byDue), { today, horizon, planLink: planLink(plan.id), actionLink }));
    queue({
      userId: account.id,
      kind: 'weekly-digest',
      subjectId: '',
      occasion: monday,
      message: {
        to: account.email,
        subject: `Your improvement plans: week beginning ${formatDate(monday)}`,
        body: [
          `Hello ${account.displayName},`,
          '',
          `Your improvement ${plans.length === 1 ? 'plan' : 'plans'} for the week beginning ${formatDate(monday)}: actions overdue, at risk or off track, and due in the next two weeks (by ${formatDate(horizon)}).`,
          '',
          ...sections.flatMap((section) => [...section, '']),
          ...optOutLines('You get this weekly digest because you own these plans. To stop it, change your email settings:', optOut),
        ].join('\n'),
      },
    });
  }
  return reminders;
}

function optOutLines(why: string, link: string): string[] {
  return ['--', why, link];
}

function count(number: number, one: string, many: string): string {
  return `${number} ${number === 1 ? one : many}`;
}

/** One plan's part of a digest: its counts, then each list that has something in it. */
function digestSection(
  plan: ReminderPlan,
  actions: readonly ReminderAction[],
  context: { today: string; horizon: string; planLink: string; actionLink: (action: ReminderAction) => string },
): string[] {
  const overdue = actions.filter((action) => action.dueDate < context.today);
  const troubled = actions.filter((action) => !overdue.includes(action) && (action.status === 'at-risk' || action.status === 'off-track'));
  const dueSoon = actions.filter((action) => !overdue.includes(action) && !troubled.includes(action) && action.dueDate <= context.horizon);
  const lines = [
    plan.title,
    context.planLink,
    `${count(overdue.length, 'action overdue', 'actions overdue')}, ${count(troubled.length, 'at risk or off track', 'at risk or off track')}, ${count(dueSoon.length, 'due in the next two weeks', 'due in the next two weeks')}.`,
  ];
  if (overdue.length + troubled.length + dueSoon.length === 0) return [...lines, 'Nothing is overdue, at risk or off track, or due in the next two weeks.'];
  const list = (heading: string, entries: readonly ReminderAction[]) =>
    entries.length === 0
      ? []
      : ['', `${heading} (${entries.length}):`, ...entries.flatMap((action) => [`- ${action.title} (${action.ownerLabel}): due ${formatDate(action.dueDate)}, ${statusWords[action.status]}`, `  ${context.actionLink(action)}`])];
  return [...lines, ...list('Overdue', overdue), ...list('At risk or off track', troubled), ...list('Due in the next two weeks', dueSoon)];
}
