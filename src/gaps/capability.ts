import type { Capability } from '../web/capability.js';
import { registerGapsApi } from './routes.js';

/** Gap intelligence: the gap matrix of every group on every outcome. */
export const gapsCapability: Capability = {
  name: 'gaps',
  apiLinks: [{ rel: 'gaps', href: '/api/v1/areas/{code}/gaps', title: 'The gap matrix of an authority' }],
  registerRoutes(app, { database }) {
    registerGapsApi(app, database.db);
  },
};
