import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { withAuthorityScope } from '../auth/scope.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymiser } from '../ingest/pseudonym.js';
import { loggerOptions } from '../web/logging.js';
import { listChildRecords } from './child-records.js';

const camden = 'E09000007';
const hackney = 'E09000012';
const london = 'E12000007';
const ownSchool = '100001';
const otherSchool = '100002';
const key = pseudonymiser(testPseudonymKey);
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

const camdenChildren = [
  child(1, { la_code: camden, setting_urn: ownSchool, child_in_care: 'Y', disadvantaged: 'Y' }),
  child(2, { la_code: camden, setting_urn: ownSchool }),
  child(3, { la_code: camden, setting_urn: otherSchool }),
];
const hackneyChildren = [child(901, { la_code: hackney, setting_urn: '200001' }), child(902, { la_code: hackney, setting_urn: '200001' })];
const refOf = (row: Record<string, string | undefined>) => key(row.child_id!);
const hackneyRef = refOf(hackneyChildren[0]!);

describe.each(testEngines)('child-level records stay inside their authority on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  let logged = '';
  const sessions = new Map<string, string>();

  async function as(who: string, url: string) {
    return testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });
  }

  async function auditEntries(action: string, email: string) {
    return testApp.database.db
      .selectFrom('audit_log')
      .select(['outcome', 'la_code', 'target'])
      .where('action', '=', action)
      .where('actor_email', '=', email)
      .orderBy('seq')
      .execute();
  }

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    testApp = await createTestApp({ engine, logger: loggerOptions('trace', logStream) });
    folder = mkdtempSync(join(tmpdir(), 'ntg-isolation-'));
    for (const [laCode, rows] of [
      [camden, camdenChildren],
      [hackney, hackneyChildren],
    ] as const) {
      const path = join(folder, `${laCode}.csv`);
      writeFileSync(path, childCsv(rows, ['child_id', 'academic_year', 'la_code', 'setting_urn', 'disadvantaged', 'child_in_care']));
      const result = await importChildFile({ path, fileName: `${laCode}.csv`, laCode, acceptValid: false, actor: operator }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
      expect(result.outcome).toBe('loaded');
    }
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    const region = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: london });
    const school = await newOrganisation(db, { kind: 'setting', name: 'Camden Primary', laCode: camden, urn: ownSchool });
    const people: [string, Role, string][] = [
      ['camden-analyst', 'analyst', camdenOrganisation],
      ['camden-practitioner', 'practitioner', camdenOrganisation],
      ['hackney-analyst', 'analyst', hackneyOrganisation],
      ['head-teacher', 'setting-leader', school],
      ['regional-adviser', 'regional-adviser', region],
      ['camden-leader', 'leader', camdenOrganisation],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows an analyst their own authority’s children and audits the read', async () => {
    const response = await as('camden-analyst', '/api/v1/children');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ total: number; records: { childRef: string; laCode: string; groups: string[] }[] }>();
    expect(body.total).toBe(3);
    expect(body.records.map((record) => record.childRef).sort()).toEqual(camdenChildren.map(refOf).sort());
    expect(body.records.find((record) => record.childRef === refOf(camdenChildren[0]!))?.groups).toEqual(['poorer-socio-economic-groups', 'children-in-care']);
    expect(await auditEntries('child-records.list', 'camden-analyst@example.org')).toContainEqual({ outcome: 'success', la_code: camden, target: null });
  });

  it('answers another authority’s child as not found, by id, on the page and through the API, and audits the attempt', async () => {
    expect((await as('camden-analyst', `/api/v1/children/${hackneyRef}`)).statusCode).toBe(404);
    const page = await as('camden-analyst', `/children/${hackneyRef}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain(hackneyRef);
    const attempts = await auditEntries('child-records.read', 'camden-analyst@example.org');
    expect(attempts).toContainEqual({ outcome: 'denied', la_code: hackney, target: `child:${hackneyRef}` });
    // The owner can read it, and that read is audited too.
    expect((await as('hackney-analyst', `/api/v1/children/${hackneyRef}`)).statusCode).toBe(200);
    expect(await auditEntries('child-records.read', 'hackney-analyst@example.org')).toEqual([{ outcome: 'success', la_code: hackney, target: `child:${hackneyRef}` }]);
  });

  it('gives nothing for another authority asked for by filter or export, and audits the attempt', async () => {
    for (const url of [`/api/v1/children?la=${hackney}`, `/children?la=${hackney}`, `/children.csv?la=${hackney}`]) {
      const response = await as('camden-analyst', url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain(hackneyRef);
    }
    const denied = (await auditEntries('child-records.list', 'camden-analyst@example.org')).filter((entry) => entry.outcome === 'denied');
    expect(denied).toHaveLength(3);
    expect(denied.every((entry) => entry.la_code === hackney)).toBe(true);
  });

  it('exports only the authority’s own records, as CSV, and audits the export', async () => {
    const response = await as('camden-analyst', '/children.csv');
    expect(response.statusCode).toBe(200);
    const rows = parse<Record<string, string>>(response.body, { bom: true, columns: true });
    expect(rows.map((row) => row.child_ref).sort()).toEqual(camdenChildren.map(refOf).sort());
    expect(await auditEntries('child-records.export', 'camden-analyst@example.org')).toEqual([{ outcome: 'success', la_code: camden, target: null }]);
  });

  it('lets a head teacher see only their own pupils', async () => {
    const body = (await as('head-teacher', '/api/v1/children')).json<{ records: { childRef: string }[] }>();
    expect(body.records.map((record) => record.childRef).sort()).toEqual(camdenChildren.slice(0, 2).map(refOf).sort());
    expect((await as('head-teacher', `/api/v1/children/${refOf(camdenChildren[2]!)}`)).statusCode).toBe(404);
    expect((await as('head-teacher', `/api/v1/children?setting=${otherSchool}`)).json<{ total: number }>().total).toBe(0);
  });

  it('refuses roles without the child-level permission, whatever they ask for', async () => {
    for (const who of ['regional-adviser', 'camden-leader']) {
      for (const url of ['/api/v1/children', `/api/v1/children/${refOf(camdenChildren[0]!)}`, '/children.csv']) {
        expect((await as(who, url)).statusCode, `${who} ${url}`).toBe(403);
      }
    }
  });

  it('keeps other authorities’ rows out by row-level security alone, with the application’s filter bypassed', async () => {
    const db = testApp.database.db;
    const everything = await withAuthorityScope(db, [camden], (scoped) => scoped.selectFrom('child_record').select(['la_code', 'child_key']).execute());
    expect(new Set(everything.map((row) => row.la_code))).toEqual(new Set([camden]));
    const schoolOnly = await withAuthorityScope(db, [camden], (scoped) => scoped.selectFrom('child_record').select('setting_urn').execute(), { settingUrns: [Number(ownSchool)] });
    expect(schoolOnly.map((row) => row.setting_urn)).toEqual([Number(ownSchool), Number(ownSchool)]);
    const nothing = await withAuthorityScope(db, [], (scoped) => sql<{ n: string }>`select count(*) as n from child_record`.execute(scoped));
    expect(Number(nothing.rows[0]!.n)).toBe(0);
    // The repository itself given a reach it should never have been given still gets nothing from elsewhere once RLS is the only check.
    const forged = await withAuthorityScope(db, [camden], (scoped) => scoped.selectFrom('child_record').select('la_code').where('la_code', '=', hackney).execute());
    expect(forged).toEqual([]);
    const listed = await listChildRecords(db, [{ laCode: camden, settingUrns: 'all' }], { laCode: hackney }, { limit: 10, offset: 0 });
    expect(listed.total).toBe(0);
  });

  it('writes no child identifier or pseudonym to the log', async () => {
    await as('camden-analyst', `/children/${refOf(camdenChildren[0]!)}`);
    await as('camden-analyst', `/api/v1/children/${hackneyRef}`);
    expect(logged).toContain('/children/[child]');
    for (const row of [...camdenChildren, ...hackneyChildren]) {
      expect(logged).not.toContain(row.child_id!);
      expect(logged).not.toContain(refOf(row));
    }
  });
});
