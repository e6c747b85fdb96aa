import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { seedDemoAccounts } from './demo.js';
import { ensureAreaOrganisations } from './organisations.js';
import { registerAdminRoutes } from './admin-routes.js';
import { outboxMailer, smtpMailer } from './mail.js';
import { registerRecoveryRoutes } from './recovery-routes.js';
import { registerRegistrationRoutes } from './registration-routes.js';
import { OidcSignIn } from './oidc.js';
import { registerAuthRoutes } from './routes.js';

/** Signing in and out, the second factor, the account page, contributors registering; the national, regional and authority organisations. */
export const authCapability: Capability = {
  name: 'auth',
  viewsDirectory: sourcePath('auth', 'views'),
  navigation: [
    { text: 'Accounts', href: '/admin/users', order: 90, permission: 'users:manage' },
    { text: 'Organisations', href: '/admin/organisations', order: 91, permission: 'users:manage' },
    { text: 'Audit log', href: '/admin/audit', order: 92, permission: 'audit:read' },
  ],
  async afterMigrate(database, config) {
    await ensureAreaOrganisations(database.db);
    if (config.demo) await seedDemoAccounts(database.db);
  },
  registerRoutes(app, { database, config }) {
    const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(database.db, app.log);
    const oidc = config.oidc ? new OidcSignIn(config.oidc, `${config.publicUrl}/sign-in/oidc/callback`) : undefined;
    registerAuthRoutes(app, { database, https: config.trustProxy, demo: config.demo, oidc, publicUrl: config.publicUrl });
    registerRecoveryRoutes(app, { database, mailer, publicUrl: config.publicUrl, demo: config.demo });
    registerRegistrationRoutes(app, { database, mailer, publicUrl: config.publicUrl });
    registerAdminRoutes(app, { database, mailer, publicUrl: config.publicUrl });
  },
};
