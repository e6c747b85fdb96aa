import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Mailer } from '../auth/mail.js';
import type { Schema } from '../db/schema.js';
import type { ReminderAccount, ReminderAction, ReminderPlan, ReminderPreferences, SentReminder } from './reminder-schedule.js';
import { assertIsoDate, defaultReminderPreferences, mondayOf, remindersDue } from './reminder-schedule.js';

export interface ReminderCounts {
  dueSoon: number;
  overdue: number;
  digests: number;
  /** Reminders the mailer refused: their claim is released, so the next run tries them again. */
  failed: number;
}

export interface SendRemindersOptions {
  /** ISO date of the day to remind for: passed in, so a test (or a catch-up run) chooses it. */
  today: string;
  /** The service's public address (config.publicUrl), for links in the messages. */
  baseUrl: string;
  /** Where a plan's page is, relative to baseUrl (default: improvementPlanPath). */
  planPath?: (planId: string) => string;
  /** Told about each reminder the mailer refused (a pino or Fastify logger fits). */
  log?: { warn(details: object, message: string): void };
}

/**
 * Sends today's reminders: reads what the schedule needs (open actions with their owners' active
 * accounts, plan owners, preferences, reminders already queued), asks `remindersDue` which are
 * due, and for each one first claims its `reminder_sent` row, sending only when the claim took.
 * The row's key (person, kind, subject, occasion) makes two runs at once send each reminder once:
 * the second insert finds the first's row and does nothing. When the mailer fails, the claim is
 * released so the next run tries again; nothing is held open while the mail goes.
 */
export async function sendReminders(db: Kysely<Schema>, mailer: Mailer, options: SendRemindersOptions): Promise<ReminderCounts> {
  assertIsoDate(options.today);
  const reminders = remindersDue({ ...(await readScheduleInput(db, options.today)), today: options.today, baseUrl: options.baseUrl.replace(/\/+$/, ''), planPath: options.planPath });
  const counts: ReminderCounts = { dueSoon: 0, overdue: 0, digests: 0, failed: 0 };
  for (const reminder of reminders) {
    const key = { user_id: reminder.userId, kind: reminder.kind, subject_id: reminder.subjectId, occasion: reminder.occasion };
    const claimed = await db
      .insertInto('reminder_sent')
      .values(key)
      .onConflict((conflict) => conflict.columns(['user_id', 'kind', 'subject_id', 'occasion']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (claimed === undefined) continue;
    try {
      await mailer.send(reminder.message);
    } catch (error) {
      await releaseClaim(db, reminder);
      counts.failed += 1;
      options.log?.warn({ err: error, kind: reminder.kind, userId: reminder.userId, subjectId: reminder.subjectId }, 'reminder not sent; the next run tries it again');
      continue;
    }
    if (reminder.kind === 'due-soon') counts.dueSoon += 1;
    else if (reminder.kind === 'overdue') counts.overdue += 1;
    else counts.digests += 1;
  }
  return counts;
}

async function releaseClaim(db: Kysely<Schema>, reminder: SentReminder): Promise<void> {
  await db
    .deleteFrom('reminder_sent')
    .where('user_id', '=', reminder.userId)
    .where('kind', '=', reminder.kind)
    .where('subject_id', '=', reminder.subjectId)
    .where('occasion', '=', reminder.occasion)
    .execute();
}

function accountOf(row: { id: string | null; email: string | null; display_name: string | null; status: string | null }): ReminderAccount | null {
  // Only an active account is written to: an invited or deactivated person is not using the service.
  if (row.id === null || row.email === null || row.status !== 'active') return null;
  return { id: row.id, email: row.email, displayName: row.display_name || row.email };
}

/** Everything `remindersDue` needs from the tables, in four queries. */
async function readScheduleInput(db: Kysely<Schema>, today: string): Promise<Pick<Parameters<typeof remindersDue>[0], 'actions' | 'plans' | 'preferences' | 'sent'>> {
  const actionRows = await db
    .selectFrom('improvement_action as action')
    .innerJoin('improvement_priority as priority', (join) => join.onRef('priority.la_code', '=', 'action.la_code').onRef('priority.id', '=', 'action.priority_id'))
    .innerJoin('improvement_plan as plan', (join) => join.onRef('plan.la_code', '=', 'priority.la_code').onRef('plan.id', '=', 'priority.plan_id'))
    .leftJoin('user_account as owner', 'owner.id', 'action.owner_user_id')
    .leftJoin('organisation as partner', 'partner.id', 'action.owner_organisation_id')
    .select([
      'action.id',
      'action.title',
      // Dates as text, so no time zone moves them.
      sql<string>`action.due_date::text`.as('due_date'),
      'action.status',
      'plan.id as plan_id',
      'plan.title as plan_title',
      'owner.id as owner_id',
      'owner.email as owner_email',
      'owner.display_name as owner_name',
      'owner.status as owner_status',
      'partner.name as partner_name',
    ])
    .where('action.status', '<>', 'done')
    .execute();
  const actions: ReminderAction[] = actionRows.map((row) => {
    const ownerAccount = accountOf({ id: row.owner_id, email: row.owner_email, display_name: row.owner_name, status: row.owner_status });
    return {
      id: row.id,
      title: row.title,
      planId: row.plan_id,
      planTitle: row.plan_title,
      dueDate: row.due_date,
      status: row.status,
      ownerAccount,
      ownerLabel: row.partner_name ?? (row.owner_name || row.owner_email || 'no owner'),
    };
  });

  const planRows = await db
    .selectFrom('improvement_plan as plan')
    .innerJoin('user_account as owner', 'owner.id', 'plan.owner_user_id')
    .select(['plan.id', 'plan.title', sql<string>`plan.period_end::text`.as('period_end'), 'owner.id as owner_id', 'owner.email as owner_email', 'owner.display_name as owner_name', 'owner.status as owner_status'])
    .where('plan.period_end', '>=', today)
    .where('owner.status', '=', 'active')
    .execute();
  const plans: ReminderPlan[] = planRows.map((row) => ({
    id: row.id,
    title: row.title,
    periodEnd: row.period_end,
    owner: accountOf({ id: row.owner_id, email: row.owner_email, display_name: row.owner_name, status: row.owner_status }),
  }));

  const people = [...new Set([...actions.flatMap((action) => (action.ownerAccount ? [action.ownerAccount.id] : [])), ...plans.flatMap((plan) => (plan.owner ? [plan.owner.id] : []))])];
  const preferences = new Map<string, ReminderPreferences>();
  if (people.length > 0) {
    const rows = await db.selectFrom('reminder_preference').select(['user_id', 'due_reminders', 'weekly_digest']).where('user_id', 'in', people).execute();
    for (const row of rows) preferences.set(row.user_id, { dueReminders: row.due_reminders, weeklyDigest: row.weekly_digest });
  }

  // Only what could match today's reminders: this week's digests, and reminders about open actions.
  const sentRows = await db
    .selectFrom('reminder_sent')
    .select(['user_id', 'kind', 'subject_id', sql<string>`occasion::text`.as('occasion')])
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'weekly-digest'), eb('occasion', '=', mondayOf(today))]),
        eb.and([
          eb('kind', 'in', ['due-soon', 'overdue']),
          eb('subject_id', 'in', eb.selectFrom('improvement_action').select(sql<string>`id::text`.as('id')).where('status', '<>', 'done')),
        ]),
      ]),
    )
    .execute();
  const sent: SentReminder[] = sentRows.map((row) => ({ userId: row.user_id, kind: row.kind, subjectId: row.subject_id, occasion: row.occasion }));
  return { actions, plans, preferences, sent };
}

/** A person's choice of reminders; both on until they say otherwise. */
export async function readReminderPreference(db: Kysely<Schema>, userId: string): Promise<ReminderPreferences> {
  const row = await db.selectFrom('reminder_preference').select(['due_reminders', 'weekly_digest']).where('user_id', '=', userId).executeTakeFirst();
  return row === undefined ? { ...defaultReminderPreferences } : { dueReminders: row.due_reminders, weeklyDigest: row.weekly_digest };
}

export async function saveReminderPreference(db: Kysely<Schema>, userId: string, preference: ReminderPreferences): Promise<void> {
  const values = { due_reminders: preference.dueReminders, weekly_digest: preference.weeklyDigest, updated_at: new Date() };
  await db
    .insertInto('reminder_preference')
    .values({ user_id: userId, ...values })
    .onConflict((conflict) => conflict.column('user_id').doUpdateSet(values))
    .execute();
}
