import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';

/** Paths whose last segment is a single-use secret (the link in an invitation or reset email). */
const tokenPaths = /^\/(invitation|password-reset)\/[^/?#]+/;
/** Paths that name one child by pseudonym: still an identifier, so not for the log. */
const childPaths = /^\/(api\/v1\/)?children\/[^/?#]+/;
/** Paths whose query carries an authorisation code or state. */
const codeQueries = /^\/sign-in\/oidc\/callback\?.*/;

/** A request address safe to log: no one-time tokens, no authorisation codes, no child pseudonyms. */
export function loggableUrl(url: string): string {
  return url
    .replace(tokenPaths, '/$1/[token]')
    .replace(childPaths, '/$1children/[child]').replace(codeQueries, '/sign-in/oidc/callback?[redacted]');
}

/**
 * pino settings for the service: JSON lines with the request id, cookies and authorisation headers
 * redacted, and request addresses stripped of secrets.
 */
export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
        return { method: request.method, url: loggableUrl(request.url), host: request.hostname, remoteAddress: request.ip };
      },
    },
  };
}
