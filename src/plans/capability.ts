import { AssessmentService } from '../assessment/service.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerPlansApi } from './curve/api.js';
import { registerPlanRoutes } from './curve/routes.js';
import { registerImprovementPlanRoutes } from './improvement-routes.js';
import { registerReminderRoutes } from './reminder-routes.js';
import { ImprovementPlanService } from './service.js';

/** Plans: the improvement plan a board owns, and the turn-the-curve plans inside it. */
export const plansCapability: Capability = {
  name: 'plans',
  viewsDirectory: sourcePath('plans', 'views'),
  navigation: [{ text: 'Plans', href: '/plans', order: 11, permission: 'assessments:read' }],
  apiLinks: [{ rel: 'plans', href: '/api/v1/plans', title: 'Turn-the-curve plans' }],
  registerRoutes(app, { database, config }) {
    const catalogue = loadCatalogue();
    const service = new ImprovementPlanService(database.db, new AssessmentService(database.db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue);
    registerPlanRoutes(app, database.db, config, async (viewer) => ({
      plans: await service.list(viewer),
      mayStart: (await service.organisationsToPlan(viewer)).length > 0,
    }));
    registerPlansApi(app, database.db);
    registerImprovementPlanRoutes(app, service, config);
    registerReminderRoutes(app, database.db);
  },
};
