import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { appendAudit } from './audit.js';
import { sessionCookieName } from './gate.js';
import { withAuthorityScope } from './scope.js';

const camden = 'E09000007';
const hackney = 'E09000012';

describe.each(testEngines)('the audit log scoped to authorities on %s', (engine) => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    for (const [laCode, who] of [
      [camden, 'one@camden.example'],
      [camden, 'two@camden.example'],
      [hackney, 'one@hackney.example'],
    ] as const) {
      await appendAudit(db, { action: 'child-record-read', outcome: 'success', actorEmail: who, laCode, target: 'record' });
    }
    await appendAudit(db, { action: 'sign-in', outcome: 'failure', actorEmail: 'stranger@example.org' });
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const national = await newOrganisation(db, { kind: 'national', name: 'National team (England)', areaCode: 'E92000001' });
    for (const [role, organisationId] of [
      ['authority-admin', camdenOrganisation],
      ['platform-admin', national],
    ] as const) {
      const { sessionToken } = await newSignedInUser(db, { email: `${role}@example.org`, role, organisationId });
      const agent = new Agent(testApp.app);
      agent.cookies.set(sessionCookieName(false), sessionToken);
      agents.set(role, agent);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('returns only the scoped authority’s rows from a query with no filter of its own (row-level security alone)', async () => {
    const rows = await withAuthorityScope(testApp.database.db, [camden], (scoped) => scoped.selectFrom('audit_log').select(['actor_email', 'la_code']).orderBy('seq').execute());
    expect(rows).toEqual([
      { actor_email: 'one@camden.example', la_code: camden },
      { actor_email: 'two@camden.example', la_code: camden },
    ]);
    const none = await withAuthorityScope(testApp.database.db, [], (scoped) => scoped.selectFrom('audit_log').select('seq').execute());
    expect(none).toEqual([]);
  });

  it('ends the scope with its transaction', async () => {
    const rows = await testApp.database.db.selectFrom('audit_log').select('seq').execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it('shows an authority administrator only their authority’s entries, and audits the export', async () => {
    const admin = agents.get('authority-admin') as Agent;
    const page = await admin.get('/admin/audit?action=child-record-read');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('one@camden.example');
    expect(page.body).not.toContain('one@hackney.example');
    const csv = await admin.get('/admin/audit.csv?action=child-record-read');
    const rows = parse<Record<string, string>>(csv.body, { bom: true, columns: true });
    expect(rows.map((row) => row.actor_email).sort()).toEqual(['one@camden.example', 'two@camden.example']);
    const exported = await testApp.database.db.selectFrom('audit_log').select('actor_email').where('action', '=', 'audit-exported').execute();
    expect(exported).toEqual([{ actor_email: 'authority-admin@example.org' }]);
  });

  it('shows the platform administrator every authority’s entries', async () => {
    const page = await (agents.get('platform-admin') as Agent).get('/admin/audit?action=child-record-read');
    expect(page.body).toContain('one@camden.example');
    expect(page.body).toContain('one@hackney.example');
  });
});
