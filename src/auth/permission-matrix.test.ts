import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { testEngines } from '../../test/support/database.js';
import type { Capability } from '../web/capability.js';
import type { Role } from './permissions.js';
import { actions, permissionsMarkdown, requiresSecondFactor, roleDescriptions, roles, scopeOf } from './permissions.js';
import { sessionCookieName } from './gate.js';

/**
 * What each role may do, written out by hand from the table in docs/permissions.md, and not read
 * from src/auth/permissions.ts: the gate, `scopeOf` and the table in the code are all checked
 * against it, so a slip in any of them fails this test. Each cell is the reach of the grant
 * (`organisation`, `authority`, `region`, `england`) or `–` for none; the last column is the
 * second factor. A change to who may do what means changing this table on purpose.
 */
const expectedActions = [
  'aggregates:read',
  'child-records:read',
  'child-records:act',
  'child-records:break-glass',
  'imports:write',
  'statistics:publish',
  'assessments:read',
  'assessments:write',
  'assessments:sign-off',
  'assessments:moderate',
  'framework:review',
  'plans:write',
  'practice:submit',
  'practice:moderate',
  'practice:review',
  'directory:write',
  'surveys:write',
  'surveys:read-answers',
  'users:manage',
  'audit:read',
  'platform:administer',
] as const;
type Reach = 'organisation' | 'authority' | 'region' | 'england' | '–';
type ExpectedRow = readonly (Reach | 'required' | 'optional')[];
const expectedTable: Record<string, ExpectedRow> = {
  //                     aggregates  child-rec   child-act   glass       imports     publish    assess:r    assess:w    sign-off    moderate-a  fw:review  plans       submit     moderate   review     dir:w       surveys:w   answers    users       audit       platform   2FA
  'platform-admin':     ['england', '–', '–', '–', '–', 'england', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', 'england', 'england', 'england', 'required'],
  'national-moderator': ['england', '–', '–', '–', '–', 'england', 'england', '–', '–', '–', 'england', '–', 'england', 'england', 'england', '–', '–', '–', '–', '–', '–', 'optional'],
  'regional-adviser':   ['region', '–', '–', '–', '–', '–', 'region', '–', '–', 'region', '–', '–', 'england', '–', '–', '–', '–', '–', '–', '–', '–', 'optional'],
  'authority-admin':    ['authority', '–', '–', '–', '–', '–', 'authority', '–', '–', '–', '–', '–', '–', '–', '–', 'authority', '–', '–', 'authority', 'authority', '–', 'required'],
  analyst:              ['england', 'authority', '–', '–', 'authority', '–', 'authority', 'authority', '–', '–', '–', 'authority', 'england', '–', '–', 'authority', 'authority', 'authority', '–', '–', '–', 'required'],
  leader:               ['england', '–', '–', '–', '–', '–', 'authority', 'authority', 'authority', 'england', '–', 'authority', 'england', '–', '–', '–', 'authority', 'authority', '–', '–', '–', 'optional'],
  practitioner:         ['authority', 'authority', 'authority', 'region', '–', '–', '–', '–', '–', '–', '–', '–', 'england', '–', '–', 'authority', '–', '–', '–', '–', '–', 'required'],
  'setting-leader':     ['authority', 'organisation', 'organisation', '–', '–', '–', 'organisation', 'organisation', 'organisation', '–', '–', 'organisation', 'england', '–', '–', '–', '–', '–', '–', '–', '–', 'required'],
  'practice-reviewer':  ['–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', 'england', '–', 'england', '–', '–', '–', '–', '–', '–', 'optional'],
  contributor:          ['–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', 'england', '–', '–', '–', '–', '–', '–', '–', '–', 'optional'],
};

function expectedReach(role: Role, action: string): Reach {
  const column = (expectedActions as readonly string[]).indexOf(action);
  const row = expectedTable[role];
  if (column === -1 || row === undefined) throw new Error(`the expected table has no cell for ${role} × ${action}: add it`);
  return row[column] as Reach;
}

function expectedSecondFactor(role: Role): boolean {
  return expectedTable[role]?.[expectedActions.length] === 'required';
}

/** One page and one API route per action, so the gate is exercised for every action in the table. */
const probeCapability: Capability = {
  name: 'permission-probe',
  registerRoutes(app) {
    for (const action of actions) {
      app.get(`/probe/${action.replace(':', '-')}`, { schema: { hide: true }, config: { permission: action } }, (_request, reply) => reply.send('allowed'));
      app.get(`/api/v1/probe/${action.replace(':', '-')}`, { schema: { hide: true }, config: { permission: action } }, () => ({ allowed: true }));
    }
  },
};

/** Fills a route's parameters with a value that exists, where the route needs one. */
function concreteUrl(url: string): string {
  return url.replace(':number', '1').replace(':id', 'GT01-H').replace('*', 'ntg.css');
}

function expectedAllowed(role: Role | 'anonymous', permission: string): boolean {
  if (permission === 'public') return true;
  if (role === 'anonymous') return false;
  if (permission === 'signed-in' || permission === 'session') return true;
  return expectedReach(role, permission) !== '–';
}

describe('the permission table in the code', () => {
  it('has exactly the roles and actions of the table written out here', () => {
    expect([...roles].sort()).toEqual(Object.keys(expectedTable).sort());
    expect([...actions]).toEqual([...expectedActions]);
    for (const row of Object.values(expectedTable)) expect(row).toHaveLength(expectedActions.length + 1);
  });

  it('gives every role the reach the table written out here gives it, action by action', () => {
    const differences = roles.flatMap((role) =>
      actions.flatMap((action) => {
        const reach = scopeOf(role, action) ?? '–';
        return reach === expectedReach(role, action) ? [] : [`${role} × ${action}: expected ${expectedReach(role, action)}, scopeOf says ${reach}`];
      }),
    );
    expect(differences).toEqual([]);
  });

  it('asks for a second factor from exactly the roles the table written out here says', () => {
    expect(roles.filter((role) => requiresSecondFactor(role))).toEqual(roles.filter((role) => expectedSecondFactor(role)));
  });
});

describe.each(testEngines)('the permission matrix on %s', (engine) => {
  let testApp: TestApp;
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    testApp = await createTestApp({ engine, extraCapabilities: [probeCapability] });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Barking and Dagenham', areaCode: 'E09000002', laCode: 'E09000002' });
    for (const role of roles) {
      const { sessionToken } = await newSignedInUser(db, { email: `${role}@example.org`, role, organisationId: authority });
      tokens.set(role, sessionToken);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('gives every registered route a permission', () => {
    expect(testApp.app.routePermissions.length).toBeGreaterThan(20);
    for (const route of testApp.app.routePermissions) expect(route.permission).toBeDefined();
  });

  it('lets each role reach exactly the routes the permission table allows', async () => {
    const routes = testApp.app.routePermissions.filter((route) => route.method === 'GET' && !route.url.startsWith('/assets/'));
    const outcomes: string[] = [];
    for (const role of ['anonymous', ...roles] as const) {
      const token = role === 'anonymous' ? undefined : tokens.get(role);
      for (const route of routes) {
        const response = await testApp.app.inject({
          method: 'GET',
          url: concreteUrl(route.url),
          cookies: token ? { [sessionCookieName(false)]: token } : {},
        });
        // The gate's own redirects carry the requested address; a page's redirects within the sign-in flow do not.
        const asked = encodeURIComponent(concreteUrl(route.url));
        const location = String(response.headers.location ?? '');
        const refused =
          response.statusCode === 401 ||
          response.statusCode === 403 ||
          location === `/sign-in?next=${asked}` ||
          location === `/sign-in/second-factor?next=${asked}`;
        const expected = expectedAllowed(role, route.permission);
        if (refused === expected) outcomes.push(`${role} ${route.url} (${route.permission}): expected ${expected ? 'allowed' : 'refused'}, got ${response.statusCode}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('answers no GET route with a server error when the address gives its fields twice, or as nonsense', async () => {
    // The names the pages and API read from the query string; each given twice, as a pasted or hostile link would.
    const fields = ['q', 'page', 'per_page', 'la', 'region', 'year', 'group', 'groups', 'outcome', 'measure', 'format', 'sort', 'order', 'status', 'strand', 'age', 'postcode', 'miles', 'locality', 'next', 'done', 'kind', 'grade', 'template', 'thread', 'tier', 'layer', 'text', 'search', 'from', 'to', 'setting', 'view', 'compare'];
    const queries = [
      fields.flatMap((field) => [`${field}=1`, `${field}=%E2%80%99x`]).join('&'),
      fields.map((field) => `${field}=%3Cx%3E%00`).join('&'),
      fields.map((field) => `${field}=99999999999999999999999`).join('&'),
    ];
    const routes = testApp.app.routePermissions.filter((route) => route.method === 'GET' && !route.url.startsWith('/assets/'));
    const failures: string[] = [];
    for (const role of ['anonymous', 'analyst', 'leader', 'national-moderator'] as const) {
      const token = role === 'anonymous' ? undefined : tokens.get(role);
      for (const route of routes) {
        for (const query of queries) {
          const response = await testApp.app.inject({ method: 'GET', url: `${concreteUrl(route.url)}?${query}`, cookies: token ? { [sessionCookieName(false)]: token } : {} });
          if (response.statusCode >= 500) failures.push(`${role} ${route.url}?${query.slice(0, 30)}…: ${response.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('sends a role without the action a 403 and records the denial in the audit log', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/probe/audit-read',
      cookies: { [sessionCookieName(false)]: tokens.get('contributor') ?? '' },
    });
    expect(response.statusCode).toBe(403);
    const denial = await testApp.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_email', 'target'])
      .where('action', '=', 'permission-denied')
      .where('actor_email', '=', 'contributor@example.org')
      .where('target', '=', 'GET /api/v1/probe/audit-read')
      .executeTakeFirst();
    expect(denial).toEqual({ action: 'permission-denied', outcome: 'denied', actor_email: 'contributor@example.org', target: 'GET /api/v1/probe/audit-read' });
  });

  it('asks for the second factor, before any action, from exactly the roles the table says need one', async () => {
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Brent', areaCode: 'E09000005', laCode: 'E09000005' });
    const outcomes: string[] = [];
    for (const role of roles) {
      const { sessionToken } = await newSignedInUser(db, { email: `${role}-no-code@example.org`, role, organisationId: authority, secondFactorDone: false });
      const action = expectedActions.find((candidate) => expectedReach(role, candidate) !== '–')!;
      const response = await testApp.app.inject({ method: 'GET', url: `/probe/${action.replace(':', '-')}`, cookies: { [sessionCookieName(false)]: sessionToken } });
      const askedForCode = response.headers.location === `/sign-in/second-factor?next=${encodeURIComponent(`/probe/${action.replace(':', '-')}`)}`;
      if (askedForCode !== expectedSecondFactor(role)) outcomes.push(`${role}: expected ${expectedSecondFactor(role) ? 'a second factor' : 'no second factor'}, got ${response.statusCode} ${String(response.headers.location ?? '')}`);
    }
    expect(outcomes).toEqual([]);
  });

  it('asks for the second factor before any route of a role that needs one', async () => {
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Bexley', areaCode: 'E09000004', laCode: 'E09000004' });
    const { sessionToken } = await newSignedInUser(db, { email: 'no-second-factor@example.org', role: 'analyst', organisationId: authority, secondFactorDone: false });
    const page = await testApp.app.inject({ method: 'GET', url: '/probe/child-records-read', cookies: { [sessionCookieName(false)]: sessionToken } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in/second-factor?next=%2Fprobe%2Fchild-records-read');
    const api = await testApp.app.inject({ method: 'GET', url: '/api/v1/probe/child-records-read', cookies: { [sessionCookieName(false)]: sessionToken } });
    expect(api.statusCode).toBe(401);
  });

  it('refuses a deactivated account at once, ending its sessions', async () => {
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Barnet', areaCode: 'E09000003', laCode: 'E09000003' });
    const { userId, sessionToken } = await newSignedInUser(db, { email: 'leaving@example.org', role: 'analyst', organisationId: authority });
    const before = await testApp.app.inject({ method: 'GET', url: '/probe/imports-write', cookies: { [sessionCookieName(false)]: sessionToken } });
    expect(before.statusCode).toBe(200);
    await db.updateTable('user_account').set({ status: 'deactivated' }).where('id', '=', userId).execute();
    const after = await testApp.app.inject({ method: 'GET', url: '/probe/imports-write', cookies: { [sessionCookieName(false)]: sessionToken } });
    expect(after.statusCode).toBe(303);
    const sessions = await db.selectFrom('user_session').select('id_hash').where('user_id', '=', userId).execute();
    expect(sessions).toEqual([]);
  });
});

describe('a route that declares no permission', () => {
  it('stops the app from being built', async () => {
    const careless: Capability = {
      name: 'careless',
      registerRoutes(app) {
        app.get('/careless', () => 'oops');
      },
    };
    await expect(createTestApp({ extraCapabilities: [careless] })).rejects.toThrow('Route GET /careless declares no permission: add config.permission');
  });
});

describe('docs/permissions.md', () => {
  it('shows the permission table exactly as the code defines it', () => {
    const document = readFileSync(join(packageRoot, 'docs', 'permissions.md'), 'utf8');
    expect(document).toContain(`<!-- table:start -->\n${permissionsMarkdown()}\n<!-- table:end -->`);
    for (const role of roles) expect(document).toContain(`| \`${role}\` | ${roleDescriptions[role]} |`);
  });
});
