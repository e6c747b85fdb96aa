import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { reminderPreferencesPath } from './reminder-schedule.js';
import { readReminderPreference, saveReminderPreference } from './reminders.js';

const hidden = { hide: true };
const signedIn = { permission: 'signed-in' } as const;

/** The checkbox values of the form: one per kind of email. */
export const reminderChoices = { dueDates: 'due-dates', weeklyDigest: 'weekly-digest' } as const;

/**
 * The page where a person chooses which reminder emails they get (each email links to it). Anyone
 * signed in may open it: it changes only their own choice. Saving redirects back with a banner
 * (Post/Redirect/Get), so reloading the page never posts again.
 */
export function registerReminderRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: { saved?: string } }>(reminderPreferencesPath, { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    return reply.view('plans/reminders.njk', {
      pageTitle: 'Email reminders',
      breadcrumbs: [{ text: 'Your account', href: '/account' }],
      preference: await readReminderPreference(db, viewer.userId),
      choices: reminderChoices,
      notice: request.query.saved === undefined ? undefined : 'Your email reminder settings are saved.',
    });
  });

  app.post<{ Body: { reminders?: string | string[] } | undefined }>(reminderPreferencesPath, { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    // An unticked checkbox sends nothing: what is not sent is off.
    const chosen = [request.body?.reminders ?? []].flat();
    await saveReminderPreference(db, viewer.userId, { dueReminders: chosen.includes(reminderChoices.dueDates), weeklyDigest: chosen.includes(reminderChoices.weeklyDigest) });
    return reply.redirect(`${reminderPreferencesPath}?saved=1`, 303);
  });
}
