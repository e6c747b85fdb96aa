import type { Capability } from '../web/capability.js';
import { sourcePath } from '../web/paths.js';
import { registerIndicatorPage } from './indicator-page.js';
import { registerGapPages } from './pages.js';
import { registerDataGapsApi, registerGapsApi } from './routes.js';
import { registerGapDownloads } from './downloads.js';
import { afterChildDataLoaded } from '../ingest/loaded.js';
import { prepareGapFigures } from './service.js';

/** Gap intelligence: the gap matrix of every group on every outcome. */
export const gapsCapability: Capability = {
  name: 'gaps',
  viewsDirectory: sourcePath('gaps', 'views'),
  navigation: [
    { text: 'Gaps', href: '/gaps', order: 10, permission: 'aggregates:read' },
  ],
  apiLinks: [
    { rel: 'gaps', href: '/api/v1/areas/{code}/gaps', title: 'The gap matrix of an authority' },
    { rel: 'data-gaps', href: '/api/v1/areas/{code}/data-gaps', title: 'Gaps in the data of an authority' },
    { rel: 'curves', href: '/api/v1/areas/{code}/curves', title: 'Which curves to turn: the authority’s gaps, ranked' },
  ],
  registerRoutes(app, { database }) {
    // Figures ready before anyone asks, after each load or restore on the web (the CLI does the same).
    afterChildDataLoaded(prepareGapFigures);
    registerGapPages(app, database.db);
    registerIndicatorPage(app, database.db);
    registerGapsApi(app, database.db);
    registerDataGapsApi(app, database.db);
    registerGapDownloads(app, database.db);
  },
};
