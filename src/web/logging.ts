import { Writable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';

/** Paths whose last segment is a single-use secret (the link in an invitation or reset email). */
const tokenPaths = /^\/(invitation|password-reset|register\/verify)\/[^/?#]+/;
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
export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream, format: 'json' | 'pretty' = 'json'): NonNullable<FastifyServerOptions['logger']> {
  const destination = format === 'pretty' ? readableLines(stream ?? process.stdout) : stream;
  return {
    level,
    ...(destination ? { stream: destination } : {}),
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

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every entry has, or that the line already shows in its own words. */
const shownApart = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

/**
 * One readable line per log entry for a terminal (development, the demo): time, level, message,
 * the request, then the other fields as name=value; an error's stack on the lines after. The same
 * redaction applies, since the entry is made as JSON first.
 */
export function formatLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '--:--:--';
  const level = (levelNames[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const request = entry.req as { method?: string; url?: string } | undefined;
  const response = entry.res as { statusCode?: number } | undefined;
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
  const parts = [time, level, text(entry.msg ?? '')];
  if (request?.method !== undefined) parts.push(`${request.method} ${request.url ?? ''}`);
  if (response?.statusCode !== undefined) parts.push(`→ ${response.statusCode}${typeof entry.responseTime === 'number' ? ` in ${entry.responseTime.toFixed(0)} ms` : ''}`);
  if (entry.reqId !== undefined) parts.push(`[${text(entry.reqId)}]`);
  for (const [name, value] of Object.entries(entry)) {
    if (shownApart.has(name) || value === undefined) continue;
    parts.push(`${name}=${text(value)}`);
  }
  const error = entry.err as { stack?: string; message?: string } | undefined;
  const stack = error?.stack ?? error?.message;
  return `${parts.join(' ')}${stack ? `\n    ${stack.split('\n').join('\n    ')}` : ''}`;
}

/** A stream that takes pino's JSON lines and writes readable ones to `target`. */
function readableLines(target: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') target.write(`${formatLogLine(line)}\n`);
      done();
    },
  });
}
