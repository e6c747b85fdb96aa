import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerIngestRoutes } from './routes.js';

/** Loading data: the upload pages, the batch history, problems and restore. */
export const ingestCapability: Capability = {
  name: 'ingest',
  viewsDirectory: sourcePath('ingest', 'views'),
  navigation: [{ text: 'Data', href: '/imports', order: 50, permission: 'imports:write' }],
  registerRoutes(app, context) {
    registerIngestRoutes(app, context);
  },
};
