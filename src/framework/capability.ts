import { practiceServing } from '../practice/serving.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { loadCatalogue } from './catalogue.js';
import { refreshEffectiveItems } from './effective.js';
import { syncCatalogue } from './repository.js';
import { registerFrameworkApi, registerFrameworkPages } from './routes.js';
import { FrameworkService } from './service.js';

/** The framework catalogue: pages, search and API. Public; nothing here is about a child. */
export const frameworkCapability: Capability = {
  name: 'framework',
  navigation: [{ text: 'Framework', href: '/framework', order: 20 }],
  viewsDirectory: sourcePath('framework', 'views'),
  apiLinks: [
    { rel: 'framework', href: '/api/v1/framework', title: 'The whole framework catalogue' },
    { rel: 'framework-items', href: '/api/v1/framework/items', title: 'Find framework items' },
  ],
  async afterMigrate(database) {
    await syncCatalogue(database.db, loadCatalogue());
    // A reloaded seed would lose the reality check's changes from search: put them back.
    await refreshEffectiveItems(database.db, loadCatalogue());
  },
  registerRoutes(app, { database }) {
    const framework = new FrameworkService(database.db, loadCatalogue());
    registerFrameworkPages(app, framework, (target) => practiceServing(database.db, target));
    registerFrameworkApi(app, framework);
  },
};
