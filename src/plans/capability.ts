import { AssessmentService } from '../assessment/service.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerImprovementPlansApi } from './api.js';
import { registerPlansApi } from './curve/api.js';
import { registerPlanRoutes } from './curve/routes.js';
import { registerImprovementPlanRoutes } from './improvement-routes.js';
import { registerReminderRoutes } from './reminder-routes.js';
import { outboxMailer, smtpMailer } from '../auth/mail.js';
import { sendReminders } from './reminders.js';
import { ImprovementPlanService } from './service.js';
import { isoDateIn } from '../web/format.js';
import { repeatWhileServing } from '../web/repeat.js';

/** Reminders go once each (reminder_sent), so checking hourly sends each on the morning it falls due. */
const reminderInterval = 60 * 60 * 1000;
/** The first pass waits a minute, so a starting service (and a test's) is not busy mailing. */
const firstReminderPass = 60 * 1000;

/** Plans: the improvement plan a board owns, and the turn-the-curve plans inside it. */
export const plansCapability: Capability = {
  name: 'plans',
  viewsDirectory: sourcePath('plans', 'views'),
  navigation: [{ text: 'Plans', href: '/plans', order: 11, permission: 'assessments:read' }],
  apiLinks: [
    { rel: 'improvement-plans', href: '/api/v1/improvement-plans', title: 'Improvement plans: priorities, measures, actions and their updates' },
    { rel: 'plans', href: '/api/v1/plans', title: 'Turn-the-curve plans' },
  ],
  registerRoutes(app, { database, config }) {
    const catalogue = loadCatalogue();
    const service = new ImprovementPlanService(database.db, new AssessmentService(database.db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue);
    registerPlanRoutes(app, database.db, config, async (viewer) => ({
      plans: await service.list(viewer),
      mayStart: (await service.organisationsToPlan(viewer)).length > 0,
    }));
    registerPlansApi(app, database.db);
    registerImprovementPlanRoutes(app, service, config);
    registerImprovementPlansApi(app, service);
    registerReminderRoutes(app, database.db);

    const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(database.db, app.log);
    repeatWhileServing(app, { every: reminderInterval, firstAfter: firstReminderPass, what: 'sending plan reminders', task: () => sendReminders(database.db, mailer, { today: isoDateIn(new Date()), baseUrl: config.publicUrl, log: app.log }) });
  },
};
