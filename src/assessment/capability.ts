import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerAssessmentPages } from './pages.js';
import { AssessmentService } from './service.js';

/** Self-assessment against the framework: ratings with evidence, sign-off, moderation, peers and the reality check. */
export const assessmentCapability: Capability = {
  name: 'assessment',
  navigation: [{ text: 'Self-assessment', href: '/assessments', order: 15, permission: 'assessments:read' }],
  viewsDirectory: sourcePath('assessment', 'views'),
  apiLinks: [
    { rel: 'assessments', href: '/api/v1/assessments', title: 'Self-assessments against the framework' },
    { rel: 'framework-amendments', href: '/api/v1/framework/amendments', title: 'The reality check: proposed changes to the framework' },
  ],
  registerRoutes(app, { database, config }) {
    const assessments = new AssessmentService(database.db, loadCatalogue(), { evidenceLimitBytes: config.evidenceLimitBytes });
    registerAssessmentPages(app, assessments, { database, config });
  },
};
