import formBody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { registerApiRoutes, setUpOpenApi } from './api.js';
import { setUpStaticAssets } from './assets.js';
import type { AppContext, Capability } from './capability.js';
import { setUpErrorPages } from './errors.js';
import { registerHealthRoute } from './health.js';
import { registerHomeRoutes } from './home.js';
import { setUpSecurityHeaders } from './security.js';
import { setUpAccessControl } from '../auth/gate.js';
import { setUpViews } from './views.js';

/** A file from a multipart form, as handlers find it on request.body. */
export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

export interface AppOptions extends AppContext {
  capabilities: Capability[];
  /** A pino logger configuration, or false for none (tests). */
  logger?: FastifyServerOptions['logger'];
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The web application, assembled in the order a request meets each part. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database, capabilities } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: config.trustProxy,
    // Reuse a caller's request id (a proxy's) when it is safe to log, so one id follows a request.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    bodyLimit: 1_048_576,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  await setUpSecurityHeaders(app, { https: config.trustProxy });
  await setUpAccessControl(app, { database, https: config.trustProxy });
  await setUpStaticAssets(app);
  await app.register(formBody);
  await app.register(multipart, {
    // Fields and files land on request.body, so the CSRF check sees the form's token before any handler runs.
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: config.uploadLimitBytes, files: 1, fields: 50 },
    async onFile(part) {
      part.value = { filename: part.filename, bytes: await part.toBuffer() } satisfies UploadedFile;
    },
  });
  const navigation = capabilities.flatMap((capability) => capability.navigation ?? []);
  setUpViews(app, {
    capabilityViewDirectories: capabilities.flatMap((capability) => capability.viewsDirectory ?? []),
    navigation,
  });
  await setUpOpenApi(app);

  registerHealthRoute(app, database);
  registerHomeRoutes(app, navigation);
  registerApiRoutes(
    app,
    capabilities.flatMap((capability) => capability.apiLinks ?? []),
  );
  for (const capability of capabilities) await capability.registerRoutes(app, { config, database });

  setUpErrorPages(app);
  await app.ready();
  return app;
}
