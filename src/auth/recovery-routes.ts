import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../db/database.js';
import { appendAudit } from './audit.js';
import { viewerMay } from './gate.js';
import type { Mailer } from './mail.js';
import type { TokenPurpose } from './one-time-tokens.js';
import { checkToken, consumeToken, issueToken } from './one-time-tokens.js';
import { passwordProblem } from './passwords.js';
import { endAllSessions } from './sessions.js';
import { setPassword } from './sign-in.js';

const publicRoute = { permission: 'public' } as const;
const hidden = { hide: true };

const tokenProblems = {
  unknown: 'This link is not valid. Check you copied the whole link from the email.',
  used: 'This link has already been used. Each link works once.',
  expired: 'This link has expired.',
} as const;

/** Choosing a password from an invitation or a password-reset email; and, in demo mode, the outbox. */
export function registerRecoveryRoutes(app: FastifyInstance, options: { database: Database; mailer: Mailer; publicUrl: string; demo: boolean }): void {
  const db = options.database.db;

  const paths: Record<TokenPurpose, string> = { invitation: '/invitation', 'password-reset': '/password-reset' };

  for (const purpose of ['invitation', 'password-reset'] as const) {
    const title = purpose === 'invitation' ? 'Choose your password' : 'Choose a new password';
    const form = (reply: FastifyReply, token: string, extra: Record<string, unknown> = {}) =>
      reply.view('auth/choose-password.njk', { pageTitle: title, title, action: `${paths[purpose]}/${token}`, ...extra });

    app.get<{ Params: { token: string } }>(`${paths[purpose]}/:token`, { schema: hidden, config: publicRoute }, async (request, reply) => {
      const check = await checkToken(db, request.params.token, purpose);
      if (!check.ok) return reply.code(410).view('error.njk', { title: 'This link cannot be used', message: tokenProblems[check.reason] + ' Ask your administrator for a new one.' });
      return form(reply, request.params.token);
    });

    app.post<{ Params: { token: string }; Body: { password?: string; confirm?: string } }>(
      `${paths[purpose]}/:token`,
      { schema: hidden, config: publicRoute },
      async (request, reply) => {
        const check = await checkToken(db, request.params.token, purpose);
        if (!check.ok) return reply.code(410).view('error.njk', { title: 'This link cannot be used', message: tokenProblems[check.reason] });
        const account = await db.selectFrom('user_account').select(['email']).where('id', '=', check.userId).executeTakeFirstOrThrow();
        const password = request.body.password ?? '';
        const problem = passwordProblem(password, account.email) ?? (password !== request.body.confirm ? 'Enter the same password twice' : undefined);
        if (problem) return form(reply.code(400), request.params.token, { errors: [{ text: problem, href: '#password' }], errorSummaryShown: true });
        const used = await consumeToken(db, request.params.token, purpose);
        if (!used.ok) return reply.code(410).view('error.njk', { title: 'This link cannot be used', message: tokenProblems[used.reason] });
        await setPassword(db, used.userId, password);
        await db.updateTable('user_account').set({ status: 'active' }).where('id', '=', used.userId).where('status', '=', 'invited').execute();
        const ended = await endAllSessions(db, used.userId);
        await appendAudit(db, { action: purpose === 'invitation' ? 'invitation-accepted' : 'password-reset', outcome: 'success', actorUserId: used.userId, actorEmail: account.email, ip: request.ip, details: { sessionsEnded: ended } });
        return reply.view('auth/password-chosen.njk', { pageTitle: 'Your password is set' });
      },
    );
  }

  app.get('/password-reset', { schema: hidden, config: publicRoute }, (_request, reply) => reply.view('auth/password-reset.njk', { pageTitle: 'Reset your password' }));

  app.post<{ Body: { email?: string } }>('/password-reset', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const email = (request.body.email ?? '').trim().toLowerCase();
    const account = email ? await db.selectFrom('user_account').select(['id', 'status']).where('email', '=', email).executeTakeFirst() : undefined;
    if (account?.status === 'active') {
      const token = await issueToken(db, account.id, 'password-reset');
      await options.mailer.send({
        to: email,
        subject: 'Reset your Narrowing the Gap password',
        body: `Someone asked to reset the password of this account. If it was you, choose a new password here (the link works once, for 1 hour):\n${options.publicUrl}/password-reset/${token}\n\nIf it was not you, you can ignore this message.\n`,
      });
    }
    await appendAudit(db, { action: 'password-reset-requested', outcome: account?.status === 'active' ? 'success' : 'failure', actorEmail: email || null, ip: request.ip });
    // The same answer whether or not the account exists, so the page reveals nothing.
    return reply.view('auth/password-reset-sent.njk', { pageTitle: 'Check your email', email });
  });

  if (options.demo && options.mailer.keepsOutbox) {
    // The outbox holds live single-use links (password resets, invitations): never for anyone not
    // signed in. Each person sees the messages sent to them; the platform administrator sees all.
    app.get('/outbox', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
      const everyone = viewerMay(viewer, 'platform:administer');
      const messages = await db
        .selectFrom('mail_outbox')
        .selectAll()
        .$if(!everyone, (query) => query.where('to_address', '=', viewer.email))
        .orderBy('created_at', 'desc')
        .limit(50)
        .execute();
      return reply.view('auth/outbox.njk', { pageTitle: 'Demo outbox', messages, everyone, email: viewer.email });
    });
  }
}
