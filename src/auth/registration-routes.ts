import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { Mailer } from './mail.js';
import { tokenLifetimeHours } from './one-time-tokens.js';
import { nameMaxLength, organisationMaxLength, readRegistrationForm, register, registrationProblems } from './registration.js';

const publicRoute = { permission: 'public' } as const;
const hidden = { hide: true };
const pageTitle = 'Create a contributor account';

/**
 * A member of the public registers a contributor account. The link it emails leads to choosing a
 * password, which the recovery routes handle with the invitation and reset links
 * (`/register/verify/:token`).
 */
export function registerRegistrationRoutes(app: FastifyInstance, options: { database: Database; mailer: Mailer; publicUrl: string }): void {
  const db = options.database.db;
  const limits = { nameMaxLength, organisationMaxLength };

  app.get('/register', { schema: hidden, config: publicRoute }, (_request, reply) => reply.view('auth/register.njk', { pageTitle, values: {}, limits }));

  app.post<{ Body: Record<string, unknown> | undefined }>('/register', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const form = readRegistrationForm(request.body ?? {});
    const problems = registrationProblems(form);
    const values = { name: form.name, email: form.email, organisation: form.organisation, terms: form.terms };
    if (problems.length > 0) {
      return reply.code(400).view('auth/register.njk', {
        pageTitle,
        values,
        limits,
        errors: problems.map((problem) => ({ text: problem.text, href: `#${problem.field}` })),
        errorFor: Object.fromEntries(problems.map((problem) => [problem.field, problem.text])),
        errorSummaryShown: true,
      });
    }
    const outcome = await register(db, options.mailer, form, { ip: request.ip, publicUrl: options.publicUrl });
    if (!outcome.ok) {
      const until = `${outcome.lockedUntil.toISOString().slice(11, 16)} UTC`;
      const text =
        outcome.refusedBy === 'address'
          ? `Too many accounts have been registered from your network in the last hour. Try again after ${until}.`
          : `Too many registrations have been asked for with this email address in the last hour. Try again after ${until}, or check your email for a link we have already sent.`;
      return reply.code(429).view('auth/register.njk', {
        pageTitle,
        values,
        limits,
        errors: [{ text, href: '#email' }],
        errorFor: { email: text },
        errorSummaryShown: true,
      });
    }
    // The same page whether or not the address already has an account: the email says which.
    return reply.view('auth/register-sent.njk', { pageTitle: 'Check your email', email: form.email, hours: tokenLifetimeHours['email-verification'] });
  });
}
