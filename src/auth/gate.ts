import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { appendAudit } from './audit.js';
import type { Action, RoutePermission } from './permissions.js';
import { requiresSecondFactor, scopeOf } from './permissions.js';
import type { SessionUser } from './sessions.js';
import { findSessionUser } from './sessions.js';
import { findTokenUser } from './access-tokens.js';

/**
 * Who is asking. A signed-in viewer came with a session cookie or, for scripts, a personal access
 * token (`tokenScopes`: the only actions that request may use; no session, so no `sessionIdHash`).
 */
export type Viewer = { signedIn: false } | ({ signedIn: true; tokenScopes?: Action[] } & SessionUser);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs. Every route must say; the app refuses to start otherwise. */
    permission?: RoutePermission;
  }
  interface FastifyRequest {
    viewer: Viewer;
  }
  interface FastifyInstance {
    /** Every route and the permission it declared, for the permission matrix test and the docs. */
    routePermissions: { method: string; url: string; permission: RoutePermission }[];
  }
}

export function sessionCookieName(https: boolean): string {
  // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and path /.
  return https ? '__Host-ntg_session' : 'ntg_session';
}

const anonymous: Viewer = { signedIn: false };

/** True when one of the viewer's roles grants the action, in any scope. */
export function viewerMay(viewer: Viewer, action: Action): boolean {
  if (!viewer.signedIn) return false;
  if (viewer.tokenScopes !== undefined && !viewer.tokenScopes.includes(action)) return false;
  return viewer.memberships.some((membership) => scopeOf(membership.role, action) !== undefined);
}

/** Signed in, holds a role that needs a second factor, and has not given it in this session. */
export function secondFactorOutstanding(viewer: Viewer): boolean {
  return viewer.signedIn && !viewer.secondFactorDone && viewer.memberships.some((membership) => requiresSecondFactor(membership.role));
}

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/**
 * Every route declares its permission (checked as routes are added, so a route without one stops
 * the app from starting and fails the test suite), and every request is checked against it.
 */
export async function setUpAccessControl(app: FastifyInstance, options: { database: Database; https: boolean }): Promise<void> {
  const routePermissions: FastifyInstance['routePermissions'] = [];
  app.decorate('routePermissions', routePermissions);
  app.addHook('onRoute', (route) => {
    // The static file plugin registers its own routes: public files of the page frame.
    if (route.url.startsWith('/assets/')) route.config = { ...route.config, permission: 'public' };
    const permission = route.config?.permission;
    if (permission === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no permission: add config.permission`);
    }
    for (const method of [route.method].flat()) routePermissions.push({ method, url: route.url, permission });
  });

  await app.register(cookie);
  // Double-submit CSRF tokens: a secret in an HttpOnly cookie, a token derived from it in each form.
  await app.register(csrf, {
    cookieKey: options.https ? '__Host-ntg_csrf' : 'ntg_csrf',
    cookieOpts: { httpOnly: true, sameSite: 'lax', secure: options.https, path: '/', signed: false },
    getToken: csrfTokenOf,
  });
  // Checked before the body is validated or handled. A multipart body is still unread at this
  // point: its token is checked as the form streams in, before any file is written (see
  // `uploadRefusal`, called by the upload handling in src/web/app.ts), and again once it is read.
  app.addHook('preValidation', (request, reply, done) => {
    if (!needsCsrfCheck(request) || isMultipart(request)) return done();
    app.csrfProtection(request, reply, done);
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (!needsCsrfCheck(request) || !isMultipart(request)) return done();
    app.csrfProtection(request, reply, done);
  });
  const cookieName = sessionCookieName(options.https);
  // Null until the onRequest hook below sets it; Fastify needs the property declared up front.
  app.decorateRequest('viewer', null as never);

  app.addHook('onRequest', async (request, reply) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      // Tokens are for the API only: a page never accepts one, so a token cannot drive a browser session.
      const tokenUser = request.url.startsWith('/api/') ? await findTokenUser(options.database.db, authorization.slice(7).trim()) : undefined;
      if (tokenUser === undefined) {
        return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'The access token is not valid: it is unknown, expired or revoked.', requestId: request.id });
      }
      request.viewer = {
        signedIn: true,
        sessionIdHash: '',
        userId: tokenUser.userId,
        email: tokenUser.email,
        displayName: tokenUser.displayName,
        // The token was made in a session that had passed its second factor.
        secondFactorDone: true,
        totpConfigured: true,
        memberships: tokenUser.memberships,
        tokenScopes: tokenUser.scopes,
      };
      return;
    }
    const token = request.cookies[cookieName];
    const user = token ? await findSessionUser(options.database.db, token) : undefined;
    request.viewer = user ? { signedIn: true, ...user } : anonymous;
  });

  // Before validation and before any body that is still streaming (a multipart upload) is read: a
  // request that may not use the route is refused with nothing read from it and nothing written.
  app.addHook('preValidation', async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || permission === 'public') return;
    const viewer = request.viewer;
    if (!viewer.signedIn) return askToSignIn(request, reply);
    if (permission === 'session') return;
    if (secondFactorOutstanding(viewer)) return askForSecondFactor(request, reply);
    if (permission === 'signed-in' || viewerMay(viewer, permission)) return;
    await appendAudit(options.database.db, {
      action: 'permission-denied',
      outcome: 'denied',
      actorUserId: viewer.userId,
      actorEmail: viewer.email,
      laCode: viewer.memberships[0]?.laCode,
      target: `${request.method} ${request.routeOptions.url ?? request.url}`,
      ip: request.ip,
      details: { needs: permission },
    });
    return deny(request, reply);
  });
}

/** Unsafe methods need a CSRF token, except from a script holding a personal access token (it sends no cookies, so it cannot be forged cross-site). */
function needsCsrfCheck(request: FastifyRequest): boolean {
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  const bearer = request.headers.authorization?.startsWith('Bearer ') ?? false;
  return unsafe && !bearer;
}

function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
}

/**
 * The form's token: a field (a plain value, or while a multipart form is still streaming the field
 * object read so far) or a header.
 */
function csrfTokenOf(request: FastifyRequest): string | undefined {
  const field = (request.body as Record<string, unknown> | null | undefined)?._csrf;
  const value = typeof field === 'object' && field !== null && 'value' in field ? field.value : field;
  if (typeof value === 'string' && value !== '') return value;
  const header = request.headers['x-csrf-token'] ?? request.headers['csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * Why a file arriving in a multipart request may not be stored, or undefined when it may: the
 * request reached a route that needs a signed-in person who may use it (the gate has already said
 * so), and a form's CSRF token came before the file. Called for each file before a byte of it is
 * written, so a refused upload leaves nothing on disk.
 */
export function uploadRefusal(app: FastifyInstance, request: FastifyRequest): { statusCode: number; message: string } | undefined {
  const permission = request.routeOptions.config?.permission;
  if (permission === undefined || permission === 'public' || !request.viewer?.signedIn) {
    return { statusCode: 403, message: 'Files can be uploaded only to a page that takes them, signed in.' };
  }
  if (!needsCsrfCheck(request)) return undefined;
  let passed = false;
  // csrfProtection is synchronous: it calls next when the token matches, else sends an error (not wanted here).
  app.csrfProtection(request, { send: () => undefined } as unknown as FastifyReply, () => {
    passed = true;
  });
  return passed ? undefined : { statusCode: 403, message: 'The form has expired or did not come from this service: go back, reload the page and choose the files again.' };
}

function askToSignIn(request: FastifyRequest, reply: FastifyReply) {
  if (isApi(request)) {
    return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Sign in, or send a personal access token.', requestId: request.id });
  }
  return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
}

function askForSecondFactor(request: FastifyRequest, reply: FastifyReply) {
  if (isApi(request)) {
    return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Complete the second factor before using this.', requestId: request.id });
  }
  return reply.redirect(`/sign-in/second-factor?next=${encodeURIComponent(request.url)}`, 303);
}

function deny(request: FastifyRequest, reply: FastifyReply) {
  reply.code(403);
  if (isApi(request)) {
    return reply.send({ statusCode: 403, error: 'Forbidden', message: 'Your roles do not allow this.', requestId: request.id });
  }
  return reply.view('error.njk', {
    title: 'You cannot see this page',
    message: 'Your account does not have a role that allows this. Ask an administrator of your organisation if you need it.',
  });
}
