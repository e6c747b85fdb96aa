import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { govukFrontendDist, sourcePath } from './paths.js';

/**
 * Serves govuk-frontend's fonts, images, CSS and JS straight from the installed package (no CDN),
 * and the service's own small public files.
 */
export async function setUpStaticAssets(app: FastifyInstance): Promise<void> {
  const govuk = join(govukFrontendDist, 'govuk');
  await app.register(fastifyStatic, {
    root: [join(govuk, 'assets'), sourcePath('web', 'public')],
    prefix: '/assets/',
    maxAge: '1h',
    index: false,
  });
  await app.register(fastifyStatic, {
    root: govuk,
    prefix: '/assets/govuk/',
    decorateReply: false,
    maxAge: '1h',
    index: false,
    allowedPath: (pathname) => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(pathname),
  });
}
