import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerCoverageRoutes } from './coverage-routes.js';

/** The local offer: the directory of services and its coverage of the core offer against need. */
export const directoryCapability: Capability = {
  name: 'directory',
  viewsDirectory: sourcePath('directory', 'views'),
  registerRoutes(app, { database }) {
    registerCoverageRoutes(app, database.db);
  },
};
