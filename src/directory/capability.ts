import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerDirectoryApi } from './api.js';
import { registerCoverageRoutes } from './coverage-routes.js';
import { registerManageDirectoryRoutes } from './manage-routes.js';
import { registerOrukApi } from './oruk-api.js';
import { registerPublicDirectoryRoutes } from './public-routes.js';
import { writeTaxonomies } from './taxonomies.js';

/** The local offer: the directory of services, in the shape of Open Referral UK, and its coverage of the core offer against need. */
export const directoryCapability: Capability = {
  name: 'directory',
  navigation: [
    { text: 'Services', href: '/directory', order: 27 },
    { text: 'Manage services', href: '/directory/manage', order: 28, permission: 'directory:write' },
  ],
  viewsDirectory: sourcePath('directory', 'views'),
  apiLinks: [
    { rel: 'services', href: '/api/v1/services', title: 'The directory of services for children and families (the local offer)' },
    { rel: 'openreferral', href: '/api/openreferral/v3/', title: 'The directory as an Open Referral UK (HSDS 3.0) API' },
  ],
  async afterMigrate(database) {
    await writeTaxonomies(database.db);
  },
  registerRoutes(app, { database, config }) {
    registerOrukApi(app, database.db, { baseUrl: config.publicUrl });
    registerDirectoryApi(app, database.db);
    registerPublicDirectoryRoutes(app, database.db);
    registerManageDirectoryRoutes(app, database.db);
    registerCoverageRoutes(app, database.db);
  },
};
