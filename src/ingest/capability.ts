import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { loadDemoData } from '../demo/load-demo.js';
import { discardRefusedImportFiles } from './kept-files.js';
import { registerIngestRoutes } from './routes.js';

/** Loading data: the upload pages, the batch history, problems and restore. */
export const ingestCapability: Capability = {
  name: 'ingest',
  viewsDirectory: sourcePath('ingest', 'views'),
  navigation: [
    { text: 'Data', href: '/imports', order: 50, permission: 'imports:write' },
    // The national team loads the published statistics every authority compares with.
    { text: 'National statistics', href: '/imports/statistics/national/new', order: 51, permission: 'statistics:publish' },
  ],
  async afterMigrate(database, config) {
    await discardRefusedImportFiles(database, config.dataDir);
    await loadDemoData(database, config, (message) => process.stderr.write(`${message}\n`));
  },
  registerRoutes(app, context) {
    registerIngestRoutes(app, context);
  },
};
