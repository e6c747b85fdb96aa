import type { FastifyInstance } from 'fastify';
import type { NavigationItem } from './capability.js';

/**
 * The four things the service does, in the words its users would use. An area links to its pages
 * once the capability that provides them is registered, so the home page never links to nothing.
 */
const serviceAreas = [
  {
    title: 'Know the gaps',
    path: '/gaps',
    description:
      'Load your data and see the gap between each group of vulnerable children and other children, for every outcome, with honest statistics and the data that is missing.',
  },
  {
    title: 'Read the framework',
    path: '/framework',
    description:
      'The ten golden threads and the five templates that describe what a whole system narrowing the gap looks like, by layer and tier of need.',
  },
  {
    title: 'Assess and plan',
    path: '/assessment',
    description:
      'Assess your area against the framework, check the statements against reality, and link your improvement plan to the gaps you must close.',
  },
  {
    title: 'Learn what works',
    path: '/practice',
    description: 'Search practice that has helped other areas, share your own, and read the digest of what works.',
  },
  {
    title: 'See every child',
    path: '/tracking',
    description:
      'Find vulnerable children without a trusted adult or lead professional, pupils who are stuck, and moves between settings that need a handover.',
  },
];

export function registerHomeRoutes(app: FastifyInstance, navigation: NavigationItem[]): void {
  const available = new Set(navigation.map((item) => item.href));
  const areas = serviceAreas.map((area) => ({
    title: area.title,
    description: area.description,
    href: available.has(area.path) ? area.path : undefined,
  }));
  app.get('/', { schema: { hide: true }, config: { permission: 'public' } }, (_request, reply) => reply.view('home.njk', { areas }));
}
