import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { ensureAreaOrganisations } from './organisations.js';
import { registerAuthRoutes } from './routes.js';

/** Signing in and out, the second factor, the account page; the national, regional and authority organisations. */
export const authCapability: Capability = {
  name: 'auth',
  viewsDirectory: sourcePath('auth', 'views'),
  async afterMigrate(database) {
    await ensureAreaOrganisations(database.db);
  },
  registerRoutes(app, { database, config }) {
    registerAuthRoutes(app, { database, https: config.trustProxy });
  },
};
