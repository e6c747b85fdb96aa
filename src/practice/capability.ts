import { AssessmentService } from '../assessment/service.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerDigestRoutes } from './digest-routes.js';
import { registerForYourGaps } from './for-your-gaps-routes.js';
import { PracticeService } from './service.js';

/** Most documents one practice item may carry. */
const documentsPerItem = 10;

/** What works: the call for evidence, its moderation, the library of effective practice and the digest. */
export const practiceCapability: Capability = {
  name: 'practice',
  navigation: [],
  viewsDirectory: sourcePath('practice', 'views'),
  apiLinks: [],
  registerRoutes(app, { database, config }) {
    const catalogue = loadCatalogue();
    const practice = new PracticeService(database.db, catalogue, { bytes: config.evidenceLimitBytes, perItem: documentsPerItem });
    void practice;
    registerForYourGaps(app, database, new AssessmentService(database.db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue);
    registerDigestRoutes(app, { database, config, catalogue });
  },
};
