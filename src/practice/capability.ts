import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { PracticeService } from './service.js';

/** Most documents one practice item may carry. */
const documentsPerItem = 10;

/** What works: the call for evidence, its moderation, the library of effective practice and the digest. */
export const practiceCapability: Capability = {
  name: 'practice',
  navigation: [],
  viewsDirectory: sourcePath('practice', 'views'),
  apiLinks: [],
  registerRoutes(_app, { database, config }) {
    const practice = new PracticeService(database.db, loadCatalogue(), { bytes: config.evidenceLimitBytes, perItem: documentsPerItem });
    void practice;
  },
};
