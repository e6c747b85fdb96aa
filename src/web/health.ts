import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { version } from '../version.js';

const healthResponse = {
  type: 'object',
  required: ['status', 'database', 'version'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'], description: '`ok` when the service can do its work.' },
    database: { type: 'string', enum: ['ok', 'unreachable'] },
    version: { type: 'string' },
  },
} as const;

const pingTimeoutMs = 2000;

/** For load balancers and operators: 200 when the database answers, 503 when it does not. */
export function registerHealthRoute(app: FastifyInstance, database: Database): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Service health',
        description: 'Whether the service and its database are working. Answers 503 when the database is unreachable.',
        tags: ['Operations'],
        response: {
          200: { ...healthResponse, description: 'The service and its database are working' },
          503: { ...healthResponse, description: 'The database is unreachable' },
        },
      },
      logLevel: 'warn',
      config: { permission: 'public' },
    },
    async (request, reply) => {
      try {
        await withTimeout(database.ping(), pingTimeoutMs);
        return { status: 'ok', database: 'ok', version };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'error', database: 'unreachable', version });
      }
    },
  );
}

async function withTimeout<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${milliseconds} ms`)), milliseconds);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
