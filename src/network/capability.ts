import { outboxMailer, smtpMailer } from '../auth/mail.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { repeatWhileServing } from '../web/repeat.js';
import { registerNetworkApi } from './api.js';
import { registerContentRoutes } from './content-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { sendDigests } from './digest.js';
import { registerDigestRoutes } from './digest-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerPlaceRoutes } from './place-routes.js';

const digestInterval = 60 * 60 * 1000;
/** The first pass waits two minutes, so a starting service (and a test's) is not busy mailing. */
const digestFirstPass = 2 * 60 * 1000;

/** The network: councils in their regions, their public pages, and communities of interest. */
export const networkCapability: Capability = {
  name: 'network',
  navigation: [{ text: 'Network', href: '/network', order: 25 }],
  viewsDirectory: sourcePath('network', 'views'),
  apiLinks: [
    { rel: 'regions', href: '/api/v1/regions', title: 'England’s regions and their local authorities' },
    { rel: 'groups', href: '/api/v1/groups', title: 'Communities of interest you may see' },
  ],
  registerRoutes(app, { database, config }) {
    registerPlaceRoutes(app, database.db);
    registerGroupRoutes(app, database.db);
    registerContentRoutes(app, database.db, { documentLimitBytes: config.evidenceLimitBytes, baseUrl: config.publicUrl });
    registerDashboardRoutes(app, database.db);
    registerDigestRoutes(app, database.db);
    registerNetworkApi(app, database.db);

    // Digests are claimed before they are sent, so an hourly pass (in every process) sends each one once.
    const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(database.db, app.log);
    repeatWhileServing(app, { every: digestInterval, firstAfter: digestFirstPass, what: 'sending network digests', task: () => sendDigests(database.db, mailer, { baseUrl: config.publicUrl, log: app.log }) });
  },
};
