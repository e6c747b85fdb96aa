import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerAccessRoutes } from './access-routes.js';
import { registerTrackingApi } from './api.js';
import { registerTrackingRoutes } from './routes.js';
import { registerWorkListRoutes } from './work-list-routes.js';

/** Child-level records, for the roles that may read them within their reach; every read audited. */
export const trackingCapability: Capability = {
  name: 'tracking',
  viewsDirectory: sourcePath('tracking', 'views'),
  navigation: [{ text: 'Children', href: '/children', order: 40, permission: 'child-records:read' }],
  apiLinks: [{ rel: 'children', href: '/api/v1/children', title: 'Child-level records in reach (audited)' }],
  registerRoutes(app, { database, config }) {
    registerTrackingRoutes(app, database.db);
    registerTrackingApi(app, database.db);
    registerWorkListRoutes(app, database.db);
    registerAccessRoutes(app, database, config);
  },
};
