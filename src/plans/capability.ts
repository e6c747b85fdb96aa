import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerPlansApi } from './curve/api.js';
import { registerPlanRoutes } from './curve/routes.js';

/** Plans: the improvement plan a board owns, and the turn-the-curve plans inside it. */
export const plansCapability: Capability = {
  name: 'plans',
  viewsDirectory: sourcePath('plans', 'views'),
  navigation: [{ text: 'Plans', href: '/plans', order: 11, permission: 'assessments:read' }],
  apiLinks: [{ rel: 'plans', href: '/api/v1/plans', title: 'Turn-the-curve plans' }],
  registerRoutes(app, { database, config }) {
    registerPlanRoutes(app, database.db, config);
    registerPlansApi(app, database.db);
  },
};
