/**
 * The regional dashboard (`/network/regions/{code}/dashboard`) and the national one across the nine
 * regions (`/network/dashboard`), for people who read both figures and assessments across
 * authorities: regional advisers for their region, the national team for England. Each shows only
 * the authorities the viewer may read; sortable by following a column's link (no script needed),
 * and downloadable as CSV or Excel.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { isTableFormat, sendTable } from '../web/downloads.js';
import type { DownloadTable } from '../web/downloads.js';
import { dashboardAuthorities, dashboardRows, dashboardScopes } from './dashboard.js';
import type { DashboardRow } from './dashboard.js';
import { networkRegion, networkRegions } from './regions.js';

const hidden = { hide: true } as const;
const read = { permission: 'assessments:read' } as const;

const dashboardSorts = ['name', 'gap', 'assessment', 'overdue', 'practice'] as const;
type DashboardSort = (typeof dashboardSorts)[number];
const isSort = (value: unknown): value is DashboardSort => typeof value === 'string' && (dashboardSorts as readonly string[]).includes(value);

function sorted(rows: DashboardRow[], sort: DashboardSort): DashboardRow[] {
  const byName = (a: DashboardRow, b: DashboardRow) => a.name.localeCompare(b.name, 'en-GB');
  const keys: Record<DashboardSort, (row: DashboardRow) => number> = {
    name: () => 0,
    gap: (row) => -row.widening,
    // Least established first: the authorities an adviser may want to support.
    assessment: (row) => row.positions.threads?.percentEstablished ?? Number.POSITIVE_INFINITY,
    overdue: (row) => -(row.plan?.overdue ?? -1),
    practice: (row) => -row.practice.submitted,
  };
  return [...rows].sort((a, b) => keys[sort](a) - keys[sort](b) || byName(a, b));
}

const percentText = (value: number | null | undefined) => (value === null || value === undefined ? null : `${Math.round(value)}%`);

function downloadTable(rows: readonly DashboardRow[], title: string, fileName: string): DownloadTable<DashboardRow> {
  return {
    fileName,
    metadata: {
      title,
      source: 'Narrowing the Gap: each authority’s own loaded figures (gaps; published statistics where it has loaded none), signed-off self-assessments of its council, its improvement plan and its practice submissions',
      disclosure: 'Gap figures are released as for any viewer without child-level access to the authority: small numbers withheld.',
      notes: ['Position: the share of statements rated established or embedded in the council’s latest signed-off assessment of that scope; empty where none is signed off.'],
    },
    columns: [
      { label: 'Local authority', value: (row) => row.name },
      { label: 'GSS code', value: (row) => row.code },
      { label: 'Region', value: (row) => row.region },
      { label: 'Latest year of figures', value: (row) => row.dataYear ?? '' },
      { label: 'Widest gap: group', value: (row) => row.widest?.group ?? '' },
      { label: 'Widest gap: measure', value: (row) => row.widest?.indicator ?? '' },
      { label: 'Widest gap', value: (row) => row.widest?.gapText ?? '' },
      { label: 'Widest gap: from', value: (row) => (row.widest === null ? '' : row.widest.published === undefined ? 'The authority’s own figures' : `Published statistics, ${row.widest.published.yearText}`) },
      { label: 'Widening gaps', value: (row) => row.widening, numberFormat: '0' },
      ...dashboardScopes.map((entry) => ({ label: `${entry.label}: established or embedded (%)`, value: (row: DashboardRow) => (row.positions[entry.scope]?.percentEstablished === null || row.positions[entry.scope] === undefined ? '' : Math.round(row.positions[entry.scope]!.percentEstablished!)), numberFormat: '0' })),
      { label: 'Improvement plan', value: (row) => row.plan?.title ?? '' },
      { label: 'Priorities', value: (row) => row.plan?.priorities ?? '', numberFormat: '0' },
      { label: 'Actions overdue', value: (row) => row.plan?.overdue ?? '', numberFormat: '0' },
      { label: 'Practice submitted', value: (row) => row.practice.submitted, numberFormat: '0' },
      { label: 'Practice published', value: (row) => row.practice.published, numberFormat: '0' },
    ],
    rows,
  };
}

export function registerDashboardRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  async function regionPage(reply: FastifyReply, regionCode: string, query: { sort?: string }, format?: string) {
    const region = networkRegion(regionCode);
    if (region === undefined) return reply.callNotFound();
    const viewer = reply.request.viewer;
    const authorities = dashboardAuthorities(viewer, [region]);
    if (authorities.length === 0) {
      return reply.code(403).view('error.njk', { pageTitle: 'Not your region', title: 'You do not support this region', message: `The dashboard of ${region.name} is for the people who read its authorities’ figures and assessments: its regional advisers and the national team.` });
    }
    const sort = isSort(query.sort) ? query.sort : 'name';
    const rows = sorted(await dashboardRows(db, viewer, authorities), sort);
    if (format !== undefined) {
      if (!isTableFormat(format)) return reply.callNotFound();
      return sendTable(reply, downloadTable(rows, `${region.name}: authorities’ gaps, assessments, plans and practice`, `network-dashboard-${region.code}`), format);
    }
    return reply.view('network/dashboard.njk', {
      pageTitle: `${region.name}: dashboard`,
      breadcrumbs: [
        { text: 'The network', href: '/network' },
        { text: region.name, href: `/network/regions/${region.code}` },
      ],
      region,
      rows: rows.map((row) => ({ ...row, positionTexts: dashboardScopes.map((entry) => ({ label: entry.label, text: percentText(row.positions[entry.scope]?.percentEstablished), period: row.positions[entry.scope]?.period })) })),
      scopes: dashboardScopes,
      basePath: `/network/regions/${region.code}/dashboard`,
      sort,
      partial: authorities.length < region.authorities.length,
    });
  }

  app.get<{ Params: { code: string }; Querystring: { sort?: string } }>('/network/regions/:code/dashboard', { schema: hidden, config: read }, async (request, reply) => regionPage(reply, request.params.code, request.query));
  app.get<{ Params: { code: string; format: string }; Querystring: { sort?: string } }>('/network/regions/:code/dashboard.:format', { schema: hidden, config: read }, async (request, reply) =>
    regionPage(reply, request.params.code, request.query, request.params.format),
  );

  app.get('/network/dashboard', { schema: hidden, config: read }, async (request, reply) => {
    const viewer = request.viewer;
    const regions = networkRegions()
      .map((region) => ({ region, authorities: dashboardAuthorities(viewer, [region]) }))
      .filter((entry) => entry.authorities.length > 0);
    const rows = await dashboardRows(
      db,
      viewer,
      regions.flatMap((entry) => entry.authorities),
    );
    const summaries = regions.map(({ region, authorities }) => {
      const own = rows.filter((row) => authorities.some((la) => la.code === row.code));
      const positions = own.flatMap((row) => (row.positions.threads?.percentEstablished === null || row.positions.threads === undefined ? [] : [row.positions.threads.percentEstablished]));
      return {
        code: region.code,
        name: region.name,
        authorities: own.length,
        withFigures: own.filter((row) => row.dataYear !== null).length,
        widening: own.reduce((sum, row) => sum + row.widening, 0),
        signedOff: own.filter((row) => row.positions.threads !== undefined).length,
        medianThreads: positions.length === 0 ? null : `${Math.round([...positions].sort((a, b) => a - b)[Math.floor((positions.length - 1) / 2)]!)}%`,
        withPlan: own.filter((row) => row.plan !== null).length,
        overdue: own.reduce((sum, row) => sum + (row.plan?.overdue ?? 0), 0),
        submitted: own.reduce((sum, row) => sum + row.practice.submitted, 0),
        published: own.reduce((sum, row) => sum + row.practice.published, 0),
      };
    });
    return reply.view('network/national-dashboard.njk', { pageTitle: 'England: dashboard', breadcrumbs: [{ text: 'The network', href: '/network' }], summaries, national: regions.length === 9 });
  });
}
