/**
 * Choosing how often the network's digest comes (`/network/email`, signed in), and the one-click
 * link at the foot of every digest (`/network/unsubscribe/{token}`), which needs no sign-in: opening
 * it stops the emails at once and offers to turn them back on.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { digestPreference, digestPreferencesPath, isDigestFrequency, setDigestByToken, setDigestFrequency } from './digest.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
const signedIn = { permission: 'signed-in' } as const;
type SignedIn = Extract<Viewer, { signedIn: true }>;

const frequencyItems = [
  { value: 'daily', text: 'Once a day', hint: { text: 'Each morning, when there is something new' } },
  { value: 'weekly', text: 'Once a week' },
  { value: 'off', text: 'Never', hint: { text: 'You still see notifications in the service' } },
];

export function registerDigestRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: { saved?: string } }>(digestPreferencesPath, { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const preference = await digestPreference(db, viewer.userId);
    return reply.view('network/email.njk', {
      pageTitle: 'Network emails',
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      items: frequencyItems.map((item) => ({ ...item, checked: item.value === preference.frequency })),
      notice: request.query.saved === undefined ? undefined : 'Your choice is saved.',
    });
  });

  app.post<{ Body: { frequency?: string } | undefined }>(digestPreferencesPath, { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const frequency = request.body?.frequency;
    if (!isDigestFrequency(frequency)) {
      const preference = await digestPreference(db, viewer.userId);
      return reply.code(400).view('network/email.njk', {
        pageTitle: 'Network emails',
        breadcrumbs: [{ text: 'The network', href: '/network' }],
        items: frequencyItems.map((item) => ({ ...item, checked: item.value === preference.frequency })),
        errors: [{ text: 'Choose how often you want the email.', href: '#frequency' }],
        errorSummaryShown: true,
      });
    }
    await setDigestFrequency(db, viewer.userId, frequency);
    return reply.redirect(`${digestPreferencesPath}?saved=1`, 303);
  });

  // Opening the link is the one click: it only ever turns emails off, so a mail scanner that opens it does no harm beyond that.
  app.get<{ Params: { token: string } }>('/network/unsubscribe/:token', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const known = await setDigestByToken(db, request.params.token, 'off');
    if (!known) return reply.code(404).view('error.njk', { pageTitle: 'Link not recognised', title: 'This link is not recognised', message: 'Check that you copied the whole link from the email. You can also sign in and choose at Network emails.' });
    return reply.view('network/unsubscribed.njk', { pageTitle: 'You will get no more network emails', token: request.params.token, resubscribed: false });
  });

  app.post<{ Params: { token: string }; Body: { frequency?: string } | undefined }>('/network/unsubscribe/:token', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const frequency = request.body?.frequency === 'daily' ? 'daily' : 'weekly';
    const known = await setDigestByToken(db, request.params.token, frequency);
    if (!known) return reply.callNotFound();
    return reply.view('network/unsubscribed.njk', { pageTitle: 'Network emails are back on', token: request.params.token, resubscribed: true });
  });
}
