import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import type { Viewer } from './gate.js';
import type { Mailer } from './mail.js';
import {
  AdminInputError,
  AdminRefusal,
  answerOffer,
  endAccountSessions,
  grantRole,
  grantableRoles,
  invite,
  manageableOrganisations,
  manageableUser,
  manageableUsers,
  pendingOffersBy,
  revokeRole,
  setAccountStatus,
  withdrawOffer,
} from './admin.js';
import { roleDescriptions } from './permissions.js';
import { appendAudit } from './audit.js';
import type { AuditFilter } from './audit-search.js';
import { searchAudit } from './audit-search.js';
import { toCsv } from '../export/csv.js';
import type { UploadedFile } from '../web/app.js';
import { addPartner, importSettings, listSettingsAndPartners, managedAuthorities } from './settings-admin.js';
import { SETTINGS_CSV_COLUMNS } from '../areas/settings.js';
import { localAuthorityByGss } from '../areas/areas.js';
import { SettingMoveError, decideSettingMove, pendingSettingMoves, requestSettingMove } from './setting-moves.js';
import { pageProblem, readPage } from '../web/pagination.js';

const manage = { permission: 'users:manage' } as const;
const readAudit = { permission: 'audit:read' } as const;
const auditPageSize = 50;

interface AuditQuery {
  action?: string;
  outcome?: string;
  actor?: string;
  from?: string;
  to?: string;
  page?: string;
}

function dateOrUndefined(value: string | undefined, addDays = 0): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : new Date(date.getTime() + addDays * 86_400_000);
}

function auditFilter(query: AuditQuery): AuditFilter {
  return {
    action: query.action?.trim() || undefined,
    outcome: ['success', 'failure', 'denied'].includes(query.outcome ?? '') ? query.outcome : undefined,
    actor: query.actor?.trim().slice(0, 200) || undefined,
    from: dateOrUndefined(query.from),
    // "To" includes the whole of that day.
    to: dateOrUndefined(query.to, 1),
  };
}
const hidden = { hide: true };

type SignedIn = Extract<Viewer, { signedIn: true }>;

function signedIn(request: FastifyRequest): SignedIn {
  // The gate has already required users:manage, so the viewer is signed in.
  return request.viewer as SignedIn;
}

interface InviteBody {
  email?: string;
  name?: string;
  organisation?: string;
  role?: string;
}

/** Administrators invite people, grant and revoke roles, deactivate accounts and end sessions. */
export function registerAdminRoutes(app: FastifyInstance, options: { database: Database; mailer: Mailer; publicUrl: string }): void {
  const db = options.database.db;

  async function inviteForm(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const viewer = signedIn(request);
    return reply.view('auth/admin-invite.njk', {
      pageTitle: 'Invite someone',
      breadcrumbs: [{ text: 'Accounts', href: '/admin/users' }],
      organisations: await manageableOrganisations(db, viewer),
      roles: grantableRoles(viewer).map((role) => ({ value: role, text: role, hint: roleDescriptions[role] })),
      ...extra,
    });
  }

  /** An administrator's action refused: not found when the account is not theirs to see, otherwise the reason. */
  function refused(reply: FastifyReply, error: AdminRefusal, title: string) {
    if (error.status === 404) return reply.callNotFound();
    return reply.code(error.status).view('error.njk', { title, message: error.message });
  }

  app.get('/admin/users', { schema: hidden, config: manage }, async (request, reply) =>
    reply.view('auth/admin-users.njk', {
      pageTitle: 'Accounts',
      users: await manageableUsers(db, signedIn(request)),
      offers: await pendingOffersBy(db, signedIn(request)),
      sent: (request.query as { sent?: string }).sent,
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/users/offers/:id/withdraw', { schema: hidden, config: manage }, async (request, reply) => {
    if (!(await withdrawOffer(db, signedIn(request), request.params.id, request.ip))) return reply.callNotFound();
    return reply.redirect('/admin/users', 303);
  });

  // The person a role was offered to answers it, signed in as themselves (see docs/permissions.md).
  app.post<{ Params: { id: string }; Body: { decision?: string } }>('/account/invitations/:id', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    if ((await answerOffer(db, viewer, request.params.id, request.body.decision ?? '', request.ip)) === undefined) return reply.callNotFound();
    return reply.redirect('/account', 303);
  });

  app.get<{ Querystring: AuditQuery }>('/admin/audit', { schema: hidden, config: readAudit }, async (request, reply) => {
    const page = readPage(request.query.page);
    if (page === undefined) return reply.code(400).view('error.njk', { title: 'Check the page number', message: pageProblem });
    const found = await searchAudit(db, signedIn(request), auditFilter(request.query), { limit: auditPageSize, offset: (page - 1) * auditPageSize });
    const query = new URLSearchParams(Object.entries(request.query).filter(([key, value]) => key !== 'page' && typeof value === 'string' && value !== '') as [string, string][]).toString();
    return reply.view('auth/audit.njk', { pageTitle: 'Audit log', ...found, filter: request.query, page, pages: Math.ceil(found.total / auditPageSize), query });
  });

  app.get<{ Querystring: AuditQuery }>('/admin/audit.csv', { schema: hidden, config: readAudit }, async (request, reply) => {
    const viewer = signedIn(request);
    const filter = auditFilter(request.query);
    const found = await searchAudit(db, viewer, filter, { limit: 100_000, offset: 0 });
    await appendAudit(db, { action: 'audit-exported', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: viewer.memberships[0]?.laCode, ip: request.ip, details: { entries: found.rows.length, filter: request.query } });
    const csv = toCsv(
      ['seq', 'at', 'actor_email', 'la_code', 'action', 'outcome', 'target', 'ip', 'details'],
      found.rows.map((row) => [row.seq, row.at.toISOString(), row.actor_email, row.la_code, row.action, row.outcome, row.target, row.ip, JSON.stringify(row.details)]),
    );
    return reply.type('text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="audit-log.csv"').send(csv);
  });

  /** The kinds of setting and organisation as a person reads them. */
  const organisationKindNames: Record<string, string> = {
    school: 'School',
    'childrens-centre': 'Children’s centre',
    'early-years': 'Early years setting',
    other: 'Other setting',
    setting: 'Setting',
    partner: 'Partner organisation',
  };

  async function organisationsPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const viewer = signedIn(request);
    const reach = managedAuthorities(viewer);
    const authorities = await db
      .selectFrom('organisation')
      .select(['area_code', 'name'])
      .where('kind', '=', 'local-authority')
      .$if(reach !== 'england', (query) => query.where('area_code', 'in', reach === 'england' || reach.length === 0 ? ['-'] : reach))
      .orderBy('name')
      .execute();
    return reply.view('auth/admin-organisations.njk', {
      pageTitle: 'Settings and partners',
      organisations: await listSettingsAndPartners(db, viewer),
      authorities,
      // A setting can move to any current authority; the other side confirms.
      moveAuthorities: await db.selectFrom('organisation').select(['area_code', 'name']).where('kind', '=', 'local-authority').orderBy('name').execute(),
      moves: await pendingSettingMoves(db, viewer),
      csvColumns: SETTINGS_CSV_COLUMNS,
      kindNames: organisationKindNames,
      authorityNames: (laCode: string | null) => (laCode === null ? '' : (localAuthorityByGss(laCode)?.name ?? laCode)),
      ...extra,
    });
  }

  app.get('/admin/organisations', { schema: hidden, config: manage }, (request, reply) => organisationsPage(request, reply));

  app.post<{ Body: { file?: UploadedFile | string } }>('/admin/organisations/settings', { schema: hidden, config: manage }, async (request, reply) => {
    const file = request.body.file;
    if (file === undefined || typeof file === 'string' || file.size === 0) {
      return organisationsPage(request, reply.code(400), { errors: [{ text: 'Choose a CSV file of settings', href: '#file' }], errorSummaryShown: true });
    }
    const result = await importSettings(db, signedIn(request), { name: file.filename, bytes: await readFile(file.path) }, request.ip);
    if (!result.ok) {
      return organisationsPage(request, reply.code(400), {
        errors: [{ text: `${file.filename} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}: nothing was stored`, href: '#problems' }],
        errorSummaryShown: true,
        problems: result.problems,
        fileName: file.filename,
      });
    }
    return organisationsPage(request, reply, { imported: result, fileName: file.filename });
  });

  app.post<{ Body: { name?: string; la_code?: string } }>('/admin/organisations/partners', { schema: hidden, config: manage }, async (request, reply) => {
    const problem = await addPartner(db, signedIn(request), { name: request.body.name ?? '', laCode: request.body.la_code ?? '' }, request.ip);
    if (problem) return organisationsPage(request, reply.code(400), { errors: [{ text: problem, href: '#partner-name' }], errorSummaryShown: true });
    return reply.redirect('/admin/organisations', 303);
  });

  app.post<{ Body: { urn?: string; la_code?: string } }>('/admin/organisations/moves', { schema: hidden, config: manage }, async (request, reply) => {
    try {
      const { moved } = await requestSettingMove(db, signedIn(request), { urn: request.body.urn ?? '', laCode: request.body.la_code ?? '' }, request.ip);
      return await organisationsPage(request, reply, { moveNotice: moved ? `URN ${(request.body.urn ?? '').trim()} has moved.` : `The move of URN ${(request.body.urn ?? '').trim()} is waiting for the other authority to confirm it.` });
    } catch (error) {
      if (!(error instanceof SettingMoveError)) throw error;
      return organisationsPage(request, reply.code(400), { errors: [{ text: error.message, href: error.field === 'la_code' ? '#move-authority' : '#move-urn' }], errorSummaryShown: true, moveValues: request.body });
    }
  });

  app.post<{ Params: { id: string }; Body: { decision?: string } }>('/admin/organisations/moves/:id', { schema: hidden, config: manage }, async (request, reply) => {
    try {
      const outcome = await decideSettingMove(db, signedIn(request), request.params.id, request.body.decision ?? '', request.ip);
      return await organisationsPage(request, reply, { moveNotice: outcome === 'moved' ? 'The setting has moved.' : outcome === 'declined' ? 'The move was declined.' : 'The move was withdrawn.' });
    } catch (error) {
      if (!(error instanceof SettingMoveError)) throw error;
      return organisationsPage(request, reply.code(error.status), { errors: [{ text: error.message, href: '#moves' }], errorSummaryShown: true });
    }
  });

  app.get('/admin/users/invite', { schema: hidden, config: manage }, (request, reply) => inviteForm(request, reply));

  app.post<{ Body: InviteBody }>('/admin/users/invite', { schema: hidden, config: manage }, async (request, reply) => {
    const body = request.body;
    try {
      await invite(db, options.mailer, signedIn(request), { email: body.email ?? '', name: body.name ?? '', organisationId: body.organisation ?? '', role: body.role ?? '' }, { publicUrl: options.publicUrl, ip: request.ip });
    } catch (error) {
      if (!(error instanceof AdminInputError)) throw error;
      return inviteForm(request, reply.code(400), { errors: [{ text: error.message, href: `#${error.field}` }], errorSummaryShown: true, values: body, errorField: error.field });
    }
    return reply.redirect(`/admin/users?sent=${encodeURIComponent((body.email ?? '').trim().toLowerCase())}`, 303);
  });

  app.get<{ Params: { id: string } }>('/admin/users/:id', { schema: hidden, config: manage }, async (request, reply) => {
    const viewer = signedIn(request);
    const found = await manageableUser(db, viewer, request.params.id);
    if (found === undefined) return reply.callNotFound();
    return reply.view('auth/admin-user.njk', {
      pageTitle: found.account.email,
      breadcrumbs: [{ text: 'Accounts', href: '/admin/users' }],
      ...found,
      organisations: await manageableOrganisations(db, viewer),
      roles: grantableRoles(viewer),
    });
  });

  app.post<{ Params: { id: string }; Body: { organisation?: string; role?: string; change?: string } }>(
    '/admin/users/:id/roles',
    { schema: hidden, config: manage },
    async (request, reply) => {
      const viewer = signedIn(request);
      const { organisation = '', role = '', change } = request.body;
      try {
        if (change === 'revoke') await revokeRole(db, viewer, request.params.id, organisation, role, request.ip);
        else await grantRole(db, viewer, request.params.id, organisation, role, request.ip);
      } catch (error) {
        if (error instanceof AdminRefusal) return refused(reply, error, 'The role could not be changed');
        if (!(error instanceof AdminInputError)) throw error;
        return reply.code(400).view('error.njk', { title: 'The role could not be changed', message: error.message });
      }
      return reply.redirect(`/admin/users/${request.params.id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { status?: string } }>('/admin/users/:id/status', { schema: hidden, config: manage }, async (request, reply) => {
    const viewer = signedIn(request);
    try {
      await setAccountStatus(db, viewer, request.params.id, request.body.status === 'active' ? 'active' : 'deactivated', request.ip);
    } catch (error) {
      if (error instanceof AdminRefusal) return refused(reply, error, 'The account could not be changed');
      if (!(error instanceof AdminInputError)) throw error;
      return reply.code(400).view('error.njk', { title: 'The account could not be changed', message: error.message });
    }
    return reply.redirect(`/admin/users/${request.params.id}`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/sessions/end', { schema: hidden, config: manage }, async (request, reply) => {
    try {
      await endAccountSessions(db, signedIn(request), request.params.id, request.ip);
    } catch (error) {
      if (error instanceof AdminRefusal) return refused(reply, error, 'The sessions could not be ended');
      throw error;
    }
    return reply.redirect(`/admin/users/${request.params.id}`, 303);
  });
}
