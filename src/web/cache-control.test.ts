import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { createAccessToken } from '../auth/access-tokens.js';
import { sessionCookieName } from '../auth/gate.js';
import { membershipsOf } from '../auth/sessions.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymiser } from '../ingest/pseudonym.js';

const camden = 'E09000007';

describe.each(testEngines)('what browsers and proxies may keep on %s', (engine) => {
  let testApp: TestApp;
  let sessions: Map<string, string>;
  let batchId: string;
  let apiToken: string;
  let folder: string;
  const childRef = pseudonymiser(testPseudonymKey)(child(1).child_id!);

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    sessions = await signedInPeople(db, [
      ['analyst', 'analyst', authority],
      ['admin', 'authority-admin', authority],
      ['contributor', 'contributor', authority],
    ]);
    folder = mkdtempSync(join(tmpdir(), 'ntg-cache-'));
    const path = join(folder, 'children.csv');
    writeFileSync(path, childCsv([child(1), child(2)]));
    const result = await importChildFile(
      { path, fileName: 'children.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'operator (command line)' } },
      { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey },
    );
    batchId = result.batchId;
    const scripted = await newSignedInUser(db, { email: 'script@example.org', role: 'analyst', organisationId: authority });
    apiToken = await createAccessToken(db, { userId: scripted.userId, email: 'script@example.org', memberships: await membershipsOf(db, scripted.userId) }, { name: 'nightly', days: 30, scopes: ['child-records:read'] }, '127.0.0.1');
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const get = (who: string | undefined, url: string) =>
    testApp.app.inject({ method: 'GET', url, cookies: who === undefined ? {} : { [sessionCookieName(false)]: sessions.get(who)! } });

  it.each([
    ['analyst', '/children'],
    ['analyst', `/children/${childRef}`],
    ['analyst', '/children/0000000000000000000000000000000000000000000000000000000000000000'],
    ['analyst', '/children.csv'],
    ['analyst', '/api/v1/children'],
    ['analyst', `/api/v1/children/${childRef}`],
    ['analyst', '/imports'],
    ['analyst', '/imports/BATCH'],
    ['analyst', '/imports/BATCH/problems.csv'],
    ['admin', '/admin/audit'],
    ['admin', '/admin/audit.csv'],
    ['admin', '/admin/users'],
    ['contributor', '/account'],
    ['contributor', '/framework'],
    ['contributor', '/children'],
    [undefined, '/children'],
    [undefined, '/api/v1/children'],
    [undefined, '/admin/audit.csv'],
    [undefined, '/sign-in'],
  ])('tells every cache to keep nothing of what %s is sent for %s', async (who, path) => {
    const response = await get(who, path.replace('BATCH', batchId));
    expect(response.statusCode).toBeLessThan(500);
    expect({ path, cacheControl: response.headers['cache-control'] }).toEqual({ path, cacheControl: 'no-store' });
  });

  it('tells every cache to keep nothing of an API answer to a personal access token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/children', headers: { authorization: `Bearer ${apiToken}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const refused = await testApp.app.inject({ method: 'GET', url: '/api/v1/children', headers: { authorization: 'Bearer ntg_pat_made-up' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('lets the public style sheet and images be cached as before', async () => {
    for (const path of ['/assets/govuk/govuk-frontend.min.css', '/assets/images/favicon.svg']) {
      const response = await get('analyst', path);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toMatch(/max-age=3600/);
      expect(response.headers['cache-control']).not.toContain('no-store');
    }
  });
});
