import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerAnswerRoutes } from './answer-routes.js';
import { registerVoicesApi } from './api.js';
import { registerManageRoutes } from './manage-routes.js';
import { registerResultsRoutes } from './results-routes.js';

/** Children's and parents' voices: surveys whose results become indicators by group. */
export const voicesCapability: Capability = {
  name: 'voices',
  navigation: [{ text: 'Surveys', href: '/surveys/manage', order: 27, permission: 'surveys:write' }],
  viewsDirectory: sourcePath('voices', 'views'),
  apiLinks: [{ rel: 'surveys', href: '/api/v1/surveys', title: 'Surveys of children and parents, and their results by group' }],
  registerRoutes(app, { database, config }) {
    registerManageRoutes(app, database.db, { baseUrl: config.publicUrl });
    registerAnswerRoutes(app, database.db, { https: config.trustProxy });
    registerResultsRoutes(app, database.db);
    registerVoicesApi(app, database.db);
  },
};
