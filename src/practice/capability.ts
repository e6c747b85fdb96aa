import { AssessmentService } from '../assessment/service.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerDigestRoutes } from './digest-routes.js';
import { registerForYourGaps } from './for-your-gaps-routes.js';
import { registerLibraryApi } from './api.js';
import { registerLibraryRoutes } from './library-routes.js';
import { registerModerationRoutes } from './moderation-routes.js';
import { registerReviewRoutes } from './review-routes.js';
import { registerSubmitRoutes } from './submit-routes.js';
import { PracticeService } from './service.js';

/** Most documents one practice item may carry. */
const documentsPerItem = 10;

/** What works: the call for evidence, its moderation, the library of effective practice and the digest. */
export const practiceCapability: Capability = {
  name: 'practice',
  navigation: [
    { text: 'Practice library', href: '/practice', order: 19 },
    { text: 'Practice digest', href: '/practice/digest', order: 19.5 },
    { text: 'Share practice', href: '/practice/submit', order: 20, permission: 'practice:submit' },
    { text: 'Practice moderation', href: '/practice/moderation', order: 21, permission: 'practice:moderate' },
    { text: 'Practice reviews', href: '/practice/reviews', order: 22, permission: 'practice:review' },
  ],
  viewsDirectory: sourcePath('practice', 'views'),
  apiLinks: [
    { rel: 'practice', href: '/api/v1/practice', title: 'Search the library of effective practice' },
  ],
  registerRoutes(app, { database, config }) {
    const catalogue = loadCatalogue();
    const practice = new PracticeService(database.db, catalogue, { bytes: config.evidenceLimitBytes, perItem: documentsPerItem });
    void practice;
    registerForYourGaps(app, database, new AssessmentService(database.db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue);
    registerDigestRoutes(app, { database, config, catalogue });
    registerSubmitRoutes(app, practice, { db: database.db, catalogue });
    registerModerationRoutes(app, practice, { db: database.db, catalogue });
    registerReviewRoutes(app, practice, { db: database.db, catalogue });
    registerLibraryRoutes(app, practice, database.db);
    registerLibraryApi(app, practice, database.db);
  },
};
