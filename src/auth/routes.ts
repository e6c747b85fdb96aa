import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Database } from '../db/database.js';
import { appendAudit } from './audit.js';
import { sessionCookieName } from './gate.js';
import { sessionAbsoluteHours, endAllSessions, endSession } from './sessions.js';
import { claimTotpStep, newRecoveryCodes, signIn, signInWithIdentity, verifySecondFactor } from './sign-in.js';
import type { OidcSignIn } from './oidc.js';
import { OidcError, decodePending, encodePending } from './oidc.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';
import { demoAccounts, demoPassword } from './demo.js';
import { createAccessToken, grantableScopes, listAccessTokens, revokeAccessToken, revokeAllAccessTokens, tokenLifetimeOptions } from './access-tokens.js';
import { pendingOffersFor } from './admin.js';

const publicRoute = { permission: 'public' } as const;
const hidden = { hide: true };
/** The second-factor pages: signed in, second factor possibly still owed. */
const sessionRoute = { permission: 'session' } as const;

/** Where a new session goes next: the second factor first when its roles need one. */
function afterSignIn(secondFactor: 'not-needed' | 'verify' | 'set-up', next: string): string {
  if (secondFactor === 'verify') return `/sign-in/second-factor?next=${encodeURIComponent(next)}`;
  if (secondFactor === 'set-up') return `/sign-in/second-factor/set-up?next=${encodeURIComponent(next)}`;
  return next;
}

const localOrigin = 'http://ntg.invalid';

/** True when `path` is one path of this service: a single leading "/", never "//" or "/\\" (which browsers read as another host). */
function isLocalPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}

/**
 * Where to go after signing in: only a path on this service, else the home page. Browsers drop tabs
 * and line breaks from an address (so "/\t/evil.example" becomes "//evil.example", another site), a
 * line break would also split the Location header, and a value may be encoded once more than it
 * looks: so the value must hold no whitespace or control character, and once decoded must still be
 * a local path without control characters. Finally the URL parser, which reads addresses as a
 * browser does, must keep it on this origin.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !isLocalPath(next) || /[\s\p{Cc}]/u.test(next)) return '/';
  let decoded = next;
  for (let round = 0; round < 3; round += 1) {
    let once: string;
    try {
      once = decodeURIComponent(decoded);
    } catch {
      return '/';
    }
    if (once === decoded) break;
    decoded = once;
  }
  // A space decoded from %20 in a query stays encoded in the address, so only other whitespace counts.
  if (!isLocalPath(decoded) || /[\p{Cc}\p{Zl}\p{Zp}\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]/u.test(decoded)) return '/';
  try {
    if (new URL(next, localOrigin).origin !== localOrigin) return '/';
  } catch {
    return '/';
  }
  return next;
}

function client(request: FastifyRequest) {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : null };
}

interface SignInBody {
  email?: string;
  password?: string;
  next?: string;
}

interface CodeBody {
  code?: string;
  next?: string;
}

/** Sign in and out, the second factor, and the account's own security page. */
export function registerAuthRoutes(
  app: FastifyInstance,
  options: { database: Database; https: boolean; demo: boolean; oidc: OidcSignIn | undefined; publicUrl: string },
): void {
  const db = options.database.db;
  const cookieName = sessionCookieName(options.https);
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.https,
      path: '/',
      maxAge: sessionAbsoluteHours * 3600,
    });

  const demo = async () => ({ ...(options.demo ? { demoAccounts: await demoAccounts(db), demoPassword } : {}), oidcLabel: options.oidc?.label });

  app.get<{ Querystring: { next?: string } }>('/sign-in', { schema: hidden, config: publicRoute }, async (request, reply) =>
    reply.view('auth/sign-in.njk', { pageTitle: 'Sign in', next: safeNext(request.query.next), ...(await demo()) }),
  );

  app.post<{ Body: SignInBody }>('/sign-in', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const email = (request.body.email ?? '').trim();
    const password = request.body.password ?? '';
    const next = safeNext(request.body.next);
    const errors = [
      ...(email === '' ? [{ text: 'Enter your email address', href: '#email' }] : []),
      ...(password === '' ? [{ text: 'Enter your password', href: '#password' }] : []),
    ];
    if (errors.length > 0) return reply.code(400).view('auth/sign-in.njk', { pageTitle: 'Sign in', errors, email, next, errorSummaryShown: true, ...(await demo()) });
    const result = await signIn(db, { email, password, previousSessionToken: request.cookies[cookieName] }, client(request));
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? `Too many failed attempts. Try again after ${result.lockedUntil?.toISOString().slice(11, 16) ?? 'a few minutes'} UTC.`
          : 'Enter a correct email address and password';
      return reply
        .code(result.reason === 'locked' ? 429 : 401)
        .view('auth/sign-in.njk', { pageTitle: 'Sign in', errors: [{ text: message, href: '#email' }], email, next, errorSummaryShown: true, ...(await demo()) });
    }
    setSessionCookie(reply, result.sessionToken);
    return reply.redirect(afterSignIn(result.secondFactor, next), 303);
  });

  const oidc = options.oidc;
  if (oidc !== undefined) {
    const pendingCookie = options.https ? '__Host-ntg_oidc' : 'ntg_oidc';
    const failed = (reply: FastifyReply, message: string) =>
      reply.code(401).view('error.njk', { title: 'Single sign-on did not work', message: `${message}. Try again, or sign in with your email address and password.` });

    app.get<{ Querystring: { next?: string } }>('/sign-in/oidc', { schema: hidden, config: publicRoute }, async (request, reply) => {
      try {
        const { url, pending } = await oidc.start(safeNext(request.query.next));
        reply.setCookie(pendingCookie, encodePending(pending), { httpOnly: true, sameSite: 'lax', secure: options.https, path: '/', maxAge: 600 });
        return await reply.redirect(url, 302);
      } catch (error) {
        if (!(error instanceof OidcError)) throw error;
        request.log.warn({ err: error }, 'single sign-on: provider unavailable');
        return failed(reply, error.message);
      }
    });

    app.get('/sign-in/oidc/callback', { schema: hidden, config: publicRoute }, async (request, reply) => {
      const pending = decodePending(request.cookies[pendingCookie]);
      reply.clearCookie(pendingCookie, { path: '/' });
      if (pending === undefined) return failed(reply, 'The sign-in started too long ago or in another browser');
      let identity;
      try {
        identity = await oidc.finish(new URL(request.url, options.publicUrl), pending);
      } catch (error) {
        if (!(error instanceof OidcError)) throw error;
        request.log.warn({ err: error }, 'single sign-on: answer refused');
        await appendAudit(db, { action: 'sign-in', outcome: 'failure', ip: request.ip, details: { method: 'oidc', reason: error.message } });
        return failed(reply, error.message);
      }
      const result = await signInWithIdentity(db, identity, request.cookies[cookieName], client(request));
      if (!result.ok) return failed(reply, `There is no active account for ${identity.email}: ask your organisation’s administrator for an invitation`);
      setSessionCookie(reply, result.sessionToken);
      // The pending cookie came back from the browser: its address is checked again like any other.
      return reply.redirect(afterSignIn(result.secondFactor, safeNext(pending.next)), 303);
    });
  }

  app.get<{ Querystring: { next?: string } }>('/sign-in/second-factor', { schema: hidden, config: sessionRoute }, (request, reply) => {
    if (!request.viewer.signedIn) return reply.redirect('/sign-in', 303);
    if (!request.viewer.totpConfigured) return reply.redirect(`/sign-in/second-factor/set-up?next=${encodeURIComponent(safeNext(request.query.next))}`, 303);
    return reply.view('auth/second-factor.njk', { pageTitle: 'Enter your security code', next: safeNext(request.query.next) });
  });

  app.post<{ Body: CodeBody }>('/sign-in/second-factor', { schema: hidden, config: sessionRoute }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    const next = safeNext(request.body.next);
    const outcome = await verifySecondFactor(db, viewer, request.body.code ?? '', client(request));
    if (outcome !== 'verified') {
      const text = outcome === 'locked' ? 'Too many wrong codes. Try again in 15 minutes.' : 'Enter the 6-digit code shown in your authenticator app, or a recovery code';
      return reply.code(outcome === 'locked' ? 429 : 401).view('auth/second-factor.njk', {
        pageTitle: 'Enter your security code',
        next,
        errors: [{ text, href: '#code' }],
        errorSummaryShown: true,
      });
    }
    return reply.redirect(next, 303);
  });

  app.get<{ Querystring: { next?: string } }>('/sign-in/second-factor/set-up', { schema: hidden, config: sessionRoute }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    if (viewer.totpConfigured) return reply.redirect(`/sign-in/second-factor?next=${encodeURIComponent(safeNext(request.query.next))}`, 303);
    // The secret waits unconfirmed on the account until a code from it proves the app holds it.
    const account = await db.selectFrom('user_account').select('totp_secret').where('id', '=', viewer.userId).executeTakeFirstOrThrow();
    let secret = account.totp_secret;
    if (secret === null) {
      secret = newTotpSecret();
      await db.updateTable('user_account').set({ totp_secret: secret }).where('id', '=', viewer.userId).execute();
    }
    const uri = totpUri(secret, viewer.email);
    return reply.view('auth/second-factor-set-up.njk', {
      pageTitle: 'Set up your authenticator app',
      next: safeNext(request.query.next),
      secretGroups: secret.match(/.{1,4}/g)?.join(' '),
      qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 }),
    });
  });

  app.post<{ Body: CodeBody }>('/sign-in/second-factor/set-up', { schema: hidden, config: sessionRoute }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    const next = safeNext(request.body.next);
    const account = await db.selectFrom('user_account').select(['totp_secret', 'totp_confirmed_at']).where('id', '=', viewer.userId).executeTakeFirstOrThrow();
    if (account.totp_confirmed_at !== null) return reply.redirect(`/sign-in/second-factor?next=${encodeURIComponent(next)}`, 303);
    const step = account.totp_secret === null ? undefined : totpStep(account.totp_secret, request.body.code ?? '');
    // The confirming code counts as used, so it cannot serve again at the next sign-in.
    if (account.totp_secret === null || step === undefined || !(await claimTotpStep(db, viewer.userId, account.totp_secret, step))) {
      const uri = totpUri(account.totp_secret ?? '', viewer.email);
      return reply.code(400).view('auth/second-factor-set-up.njk', {
        pageTitle: 'Set up your authenticator app',
        next,
        secretGroups: account.totp_secret?.match(/.{1,4}/g)?.join(' '),
        qrSvg: account.totp_secret ? await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 }) : '',
        errors: [{ text: 'Enter the 6-digit code your authenticator app shows for Narrowing the Gap', href: '#code' }],
        errorSummaryShown: true,
      });
    }
    await db.updateTable('user_account').set({ totp_confirmed_at: new Date() }).where('id', '=', viewer.userId).execute();
    const codes = await newRecoveryCodes(db, viewer.userId);
    await verifySecondFactorAfterSetUp(viewer.sessionIdHash, viewer.userId, viewer.email, request.ip);
    return reply.view('auth/recovery-codes.njk', { pageTitle: 'Save your recovery codes', codes, next });
  });

  async function verifySecondFactorAfterSetUp(sessionIdHash: string, userId: string, email: string, ip: string) {
    await db.updateTable('user_session').set({ second_factor_at: new Date() }).where('id_hash', '=', sessionIdHash).execute();
    await appendAudit(db, { action: 'second-factor-set-up', outcome: 'success', actorUserId: userId, actorEmail: email, ip });
  }

  app.post('/sign-out', { schema: hidden, config: sessionRoute }, async (request, reply) => {
    const viewer = request.viewer;
    if (viewer.signedIn) {
      await endSession(db, viewer.sessionIdHash);
      await appendAudit(db, { action: 'sign-out', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip });
    }
    reply.clearCookie(cookieName, { path: '/' });
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', { schema: hidden, config: publicRoute }, (_request, reply) => reply.view('auth/signed-out.njk', { pageTitle: 'You have signed out' }));

  app.get('/account', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    const sessions = await db
      .selectFrom('user_session')
      .select(['id_hash', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
      .where('user_id', '=', viewer.userId)
      .orderBy('last_seen_at', 'desc')
      .execute();
    return reply.view('auth/account.njk', {
      pageTitle: 'Your account',
      memberships: viewer.memberships,
      offers: await pendingOffersFor(db, viewer.userId),
      sessions: sessions.map((session) => ({ ...session, current: session.id_hash === viewer.sessionIdHash })),
      tokens: await listAccessTokens(db, viewer.userId),
      scopeOptions: grantableScopes(viewer.memberships),
      lifetimeOptions: tokenLifetimeOptions,
    });
  });

  app.post<{ Body: { name?: string; days?: string; scopes?: string | string[] } }>(
    '/account/tokens',
    { schema: hidden, config: { permission: 'signed-in' } },
    async (request, reply) => {
      const viewer = request.viewer;
      if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
      const name = (request.body.name ?? '').trim().slice(0, 100);
      const days = tokenLifetimeOptions.find((option) => String(option) === request.body.days) ?? 30;
      const scopes = [request.body.scopes ?? []].flat();
      if (name === '' || scopes.length === 0) {
        return reply.code(400).view('error.njk', { title: 'The token was not created', message: 'Give the token a name and choose at least one thing it may do.' });
      }
      const token = await createAccessToken(db, viewer, { name, days, scopes }, request.ip);
      return reply.view('auth/token-created.njk', { pageTitle: 'Your new access token', token, name, days });
    },
  );

  app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    if (!(await revokeAccessToken(db, viewer, request.params.id, request.ip))) return reply.callNotFound();
    return reply.redirect('/account', 303);
  });

  app.post('/account/sign-out-everywhere', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    // Everywhere includes scripts: a token made on a lost or shared device would otherwise outlive its sessions.
    const ended = await endAllSessions(db, viewer.userId);
    const revoked = await revokeAllAccessTokens(db, viewer.userId);
    await appendAudit(db, { action: 'sign-out-everywhere', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip, details: { sessions: ended, accessTokens: revoked } });
    reply.clearCookie(cookieName, { path: '/' });
    return reply.redirect('/signed-out', 303);
  });
}
