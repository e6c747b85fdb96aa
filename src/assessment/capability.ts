import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerAmendmentRoutes } from './amendment-routes.js';
import { registerAssessmentsApi } from './api.js';
import { registerModerationRoutes } from './moderation-routes.js';
import { peersForReport } from './peers-report.js';
import { registerAssessmentPages } from './pages.js';
import { AssessmentService } from './service.js';
import { registerStanding } from './standing-routes.js';

/** Self-assessment against the framework: ratings with evidence, sign-off, moderation, peers and the reality check. */
export const assessmentCapability: Capability = {
  name: 'assessment',
  navigation: [
    { text: 'Self-assessment', href: '/assessments', order: 15, permission: 'assessments:read' },
    { text: 'Moderation', href: '/moderation', order: 16, permission: 'assessments:moderate' },
  ],
  viewsDirectory: sourcePath('assessment', 'views'),
  apiLinks: [
    { rel: 'assessments', href: '/api/v1/assessments', title: 'Self-assessments against the framework' },
    { rel: 'framework-amendments', href: '/api/v1/framework/amendments', title: 'The reality check: proposed changes to the framework' },
  ],
  registerRoutes(app, { database, config }) {
    const assessments = new AssessmentService(database.db, loadCatalogue(), { evidenceLimitBytes: config.evidenceLimitBytes });
    registerAmendmentRoutes(app, assessments, { database, config });
    registerAssessmentsApi(app, assessments);
    registerModerationRoutes(app, assessments, { database, config });
    registerStanding(app, assessments, { database, config }, { peersFor: (_viewer, assessment) => peersForReport(database.db, assessment) });
    registerAssessmentPages(app, assessments, { database, config });
  },
};
