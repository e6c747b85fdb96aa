import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** API clients get JSON; people get a GOV.UK page. Decided by path so a browser never sees JSON. */
function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/health';
}

export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
}

function apiError(request: FastifyRequest, statusCode: number, error: string, message: string): ApiError {
  return { statusCode, error, message, requestId: request.id };
}

export const apiErrorSchema = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string', description: 'Quote this when reporting a problem.' },
  },
} as const;

const nul = String.fromCharCode(0);

/** Whether a parsed query or body holds a NUL character in any key or text (a file's bytes or a stream are not looked into). */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes(nul);
  if (typeof value !== 'object' || value === null || depth > 32) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  return Object.entries(value).some(([key, entry]) => key.includes(nul) || holdsNul(entry, depth + 1));
}

/**
 * A NUL character (%00) is refused before any page or API sees it: no field of ours may hold one,
 * PostgreSQL cannot store one in text, and probes use it to break parsers. It gets a 400 saying so,
 * not a 500 from deep inside a query.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    if (!holdsNul(request.query) && !holdsNul(request.params) && !holdsNul(request.body)) return done();
    done(Object.assign(new Error('The request holds a NUL character (%00), which no field may contain. Remove it and try again.'), { statusCode: 400 }));
  });
}

/**
 * The one place errors become responses. A 500 never shows a stack trace or internal message;
 * it is logged with the request id, which the page shows so a report can be traced.
 */
export function setUpErrorPages(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404);
    if (wantsJson(request)) return reply.send(apiError(request, 404, 'Not Found', `There is nothing at ${request.method} ${request.url.split('?')[0] ?? ''}.`));
    return reply.view('404.njk');
  });

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed');
      reply.code(statusCode);
      if (wantsJson(request)) {
        return reply.send(apiError(request, statusCode, 'Internal Server Error', 'Something went wrong on our side. Try again later.'));
      }
      return reply.view('500.njk', { requestId: request.id });
    }
    reply.code(statusCode);
    const title = statusCode === 413 ? 'The file is too large' : 'There is a problem with the request';
    if (wantsJson(request)) return reply.send(apiError(request, statusCode, title, error.message));
    return reply.view('error.njk', { title, message: error.message });
  });
}
