import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../db/database.js';
import { appendAudit } from './audit.js';
import { viewerMay } from './gate.js';
import type { Mailer } from './mail.js';
import type { TokenPurpose } from './one-time-tokens.js';
import { checkToken, consumeToken, issueToken } from './one-time-tokens.js';
import { passwordProblem } from './passwords.js';
import { grantContributorRole } from './registration.js';
import { endAllSessions } from './sessions.js';
import { setPassword } from './sign-in.js';

const publicRoute = { permission: 'public' } as const;
const hidden = { hide: true };

const tokenProblems = {
  unknown: 'This link is not valid. Check you copied the whole link from the email.',
  used: 'This link has already been used. Each link works once.',
  expired: 'This link has expired.',
} as const;

/** What each kind of emailed link leads to: where it lives, what the page says, what the audit log calls it. */
const flows: Record<TokenPurpose, { path: string; title: string; lead?: string; auditAction: string }> = {
  invitation: { path: '/invitation', title: 'Choose your password', auditAction: 'invitation-accepted' },
  'password-reset': { path: '/password-reset', title: 'Choose a new password', auditAction: 'password-reset' },
  'email-verification': {
    path: '/register/verify',
    title: 'Choose your password',
    lead: 'Choose a password to finish creating your contributor account. You will sign in with it and your email address.',
    auditAction: 'contributor-registered',
  },
};

/**
 * Choosing a password from an invitation, a password-reset or a registration email; and, in demo
 * mode, the outbox. Registering (see `registration-routes.ts`) confirms the address this way, and
 * the contributor role is granted only then.
 */
export function registerRecoveryRoutes(app: FastifyInstance, options: { database: Database; mailer: Mailer; publicUrl: string; demo: boolean }): void {
  const db = options.database.db;

  for (const purpose of ['invitation', 'password-reset', 'email-verification'] as const) {
    const { path, title, lead, auditAction } = flows[purpose];
    const form = (reply: FastifyReply, token: string, extra: Record<string, unknown> = {}) =>
      reply.view('auth/choose-password.njk', { pageTitle: title, title, lead, action: `${path}/${token}`, ...extra });
    const refuse = (reply: FastifyReply, reason: keyof typeof tokenProblems, advice: string) =>
      purpose === 'email-verification'
        ? reply.code(410).view('auth/registration-link-refused.njk', { pageTitle: 'This link cannot be used', title: 'This link cannot be used', message: tokenProblems[reason] })
        : reply.code(410).view('error.njk', { title: 'This link cannot be used', message: tokenProblems[reason] + advice });

    app.get<{ Params: { token: string } }>(`${path}/:token`, { schema: hidden, config: publicRoute }, async (request, reply) => {
      const check = await checkToken(db, request.params.token, purpose);
      if (!check.ok) return refuse(reply, check.reason, ' Ask your administrator for a new one.');
      return form(reply, request.params.token);
    });

    app.post<{ Params: { token: string }; Body: { password?: string; confirm?: string } }>(
      `${path}/:token`,
      { schema: hidden, config: publicRoute },
      async (request, reply) => {
        const check = await checkToken(db, request.params.token, purpose);
        if (!check.ok) return refuse(reply, check.reason, '');
        const account = await db.selectFrom('user_account').select(['email']).where('id', '=', check.userId).executeTakeFirstOrThrow();
        const password = request.body.password ?? '';
        const problem = passwordProblem(password, account.email) ?? (password !== request.body.confirm ? 'Enter the same password twice' : undefined);
        if (problem) return form(reply.code(400), request.params.token, { errors: [{ text: problem, href: '#password' }], errorSummaryShown: true });
        const used = await consumeToken(db, request.params.token, purpose);
        if (!used.ok) return refuse(reply, used.reason, '');
        await setPassword(db, used.userId, password);
        await db.updateTable('user_account').set({ status: 'active' }).where('id', '=', used.userId).where('status', '=', 'invited').execute();
        // Registering grants its one role only now, once the link has shown the address is theirs.
        const organisationId = purpose === 'email-verification' ? await grantContributorRole(db, used.userId) : undefined;
        const ended = await endAllSessions(db, used.userId);
        await appendAudit(db, {
          action: auditAction,
          outcome: 'success',
          actorUserId: used.userId,
          actorEmail: account.email,
          organisationId,
          ip: request.ip,
          details: { sessionsEnded: ended, ...(organisationId === undefined ? {} : { role: 'contributor' }) },
        });
        if (purpose === 'email-verification') return reply.view('auth/registration-complete.njk', { pageTitle: 'Your contributor account is ready' });
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
