import formBody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { registerApiRoutes, setUpOpenApi } from './api.js';
import { setUpStaticAssets } from './assets.js';
import type { AppContext, Capability } from './capability.js';
import { refuseNulCharacters, setUpErrorPages } from './errors.js';
import { registerHealthRoute } from './health.js';
import { registerHomeRoutes } from './home.js';
import { setUpCacheControl, setUpSecurityHeaders } from './security.js';
import { setUpAccessControl, uploadRefusal } from '../auth/gate.js';
import { setUpViews } from './views.js';
import { cleanUploadName } from './upload-names.js';

/**
 * A file from a multipart form, as handlers find it on request.body: streamed to a private file in
 * the data folder (never held in memory), deleted when the response has been sent.
 */
export interface UploadedFile {
  filename: string;
  path: string;
  size: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploadedPaths?: string[];
  }
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
  setUpCacheControl(app);
  await setUpStaticAssets(app);
  await app.register(formBody);
  refuseNulCharacters(app);
  const uploadFolder = join(config.dataDir, 'uploads');
  const limitMegabytes = Math.round(config.uploadLimitBytes / 1_048_576);
  await app.register(multipart, {
    // Fields and files land on request.body, so handlers and the final CSRF check see the whole form.
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: config.uploadLimitBytes, files: 2, fields: 50 },
    async onFile(part) {
      // The gate has already refused anyone who may not use the route (before this body was read);
      // here the form's CSRF token, which must come before its files, is checked before a byte is written.
      const refusal = uploadRefusal(app, this);
      if (refusal !== undefined) throw Object.assign(new Error(refusal.message), { statusCode: refusal.statusCode });
      await mkdir(uploadFolder, { recursive: true, mode: 0o700 });
      const path = join(uploadFolder, randomUUID());
      (this.uploadedPaths ??= []).push(path);
      const file = createWriteStream(path, { mode: 0o600 });
      try {
        await pipeline(part.file, file);
        if (part.file.truncated) {
          throw Object.assign(new Error(`${part.filename} is larger than the upload limit of ${limitMegabytes} MB. Load it with the command line (ntg import), or ask the operator to raise NTG_UPLOAD_LIMIT_MB.`), { statusCode: 413 });
        }
      } catch (error) {
        // A refused or broken upload leaves nothing behind, removed before the refusal is answered.
        await rm(path, { force: true });
        throw error;
      }
      part.value = { filename: cleanUploadName(part.filename), path, size: file.bytesWritten } satisfies UploadedFile;
    },
  });
  const removeUploads = async (request: FastifyRequest) => {
    for (const path of request.uploadedPaths ?? []) await rm(path, { force: true });
  };
  app.addHook('onResponse', removeUploads);
  // A client that goes away before the answer is sent gets no onResponse: remove its files then.
  app.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) void removeUploads(request);
    });
  });
  const navigation = capabilities.flatMap((capability) => capability.navigation ?? []);
  setUpViews(app, {
    capabilityViewDirectories: capabilities.flatMap((capability) => capability.viewsDirectory ?? []),
    navigation,
  });
  await setUpOpenApi(app);

  registerHealthRoute(app, database);
  registerHomeRoutes(app, database.db);
  registerApiRoutes(
    app,
    capabilities.flatMap((capability) => capability.apiLinks ?? []),
  );
  for (const capability of capabilities) await capability.registerRoutes(app, { config, database });

  setUpErrorPages(app);
  await app.ready();
  return app;
}
