import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerNetworkApi } from './api.js';
import { registerContentRoutes } from './content-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerPlaceRoutes } from './place-routes.js';

/** The network: councils in their regions, their public pages, and communities of interest. */
export const networkCapability: Capability = {
  name: 'network',
  navigation: [{ text: 'Network', href: '/network', order: 25 }],
  viewsDirectory: sourcePath('network', 'views'),
  apiLinks: [
    { rel: 'regions', href: '/api/v1/regions', title: 'England’s regions and their local authorities' },
    { rel: 'groups', href: '/api/v1/groups', title: 'Communities of interest you may see' },
  ],
  registerRoutes(app, { database, config }) {
    registerPlaceRoutes(app, database.db);
    registerGroupRoutes(app, database.db);
    registerContentRoutes(app, database.db, { documentLimitBytes: config.evidenceLimitBytes, baseUrl: config.publicUrl });
    registerDashboardRoutes(app, database.db);
    registerNetworkApi(app, database.db);
  },
};
