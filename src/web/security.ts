import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Security headers on every response. The Content-Security-Policy allows only this origin, plus a
 * per-response nonce for the one inline script govuk-frontend's template needs (it marks the body
 * `js-enabled` before first paint so components do not flash).
 */
export async function setUpSecurityHeaders(app: FastifyInstance, options: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Upgrading requests only makes sense when the service is reached over HTTPS.
        upgradeInsecureRequests: options.https ? [] : null,
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
  });
}

/**
 * `Cache-Control: no-store` on every response that is not for anyone to see (see `mustNotBeStored`).
 * Set up after the access gate, so it knows who asked and sees the cookies the response sets.
 */
export function setUpCacheControl(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (mustNotBeStored(request, reply)) reply.header('Cache-Control', 'no-store');
  });
}

/** Addresses whose answers are about children, imports or the audit log, whoever asks and however it ends. */
const privatePaths = /^\/(children|api\/v1\/children|imports|admin|account)(?=[/.?]|$)/;

/**
 * Whether a browser, a shared computer's history or a proxy may keep a copy. Only what anyone may see
 * anyway can be kept: the page frame's static files (which keep their own caching) and public pages
 * sent to someone not signed in. Everything else, whatever its status (a redirect to sign in, an
 * error, a refused token), is `no-store`, so child-level pages, API answers and audit exports never
 * outlive the session in a cache.
 */
function mustNotBeStored(request: FastifyRequest, reply: FastifyReply): boolean {
  const route = request.routeOptions.url ?? '';
  if (route.startsWith('/assets/')) return false;
  // The viewer is unset when the request was answered before the gate looked (a refused token).
  const viewer = request.viewer as FastifyRequest['viewer'] | null;
  const publicRoute = request.routeOptions.config.permission === 'public';
  return (
    viewer?.signedIn !== false ||
    !publicRoute ||
    privatePaths.test(request.url) ||
    request.headers.authorization !== undefined ||
    // A response that sets a cookie (a session, a CSRF secret) belongs to one browser only.
    reply.hasHeader('set-cookie')
  );
}
