import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import { withAuthorityScope } from '../auth/scope.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymiser } from '../ingest/pseudonym.js';

/**
 * The penetration test's second attack: an administrator of one authority takes a school of
 * another by naming its URN, then reads that authority's pupils through a head teacher account.
 */
const camden = 'E09000007';
const hackney = 'E09000012';
const camdenSchool = '100001';
const hackneySchool = '200001';
const key = pseudonymiser(testPseudonymKey);
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

// Camden's pupils at its school, and one Hackney child who crosses the border to attend it.
const camdenPupils = [child(1, { la_code: camden, setting_urn: camdenSchool }), child(2, { la_code: camden, setting_urn: camdenSchool }), child(3, { la_code: camden, setting_urn: '100002' })];
const hackneyChildren = [child(901, { la_code: hackney, setting_urn: camdenSchool }), child(902, { la_code: hackney, setting_urn: hackneySchool })];
const refOf = (row: Record<string, string | undefined>) => key(row.child_id!);

describe.each(testEngines)('a setting and its pupils stay with the authority that registered them on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  let hackneyAdmin: Agent;
  let sessions: Map<string, string>;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-setting-reach-'));
    for (const [laCode, rows] of [
      [camden, camdenPupils],
      [hackney, hackneyChildren],
    ] as const) {
      const path = join(folder, `${laCode}.csv`);
      writeFileSync(path, childCsv(rows, ['child_id', 'academic_year', 'la_code', 'setting_urn']));
      const result = await importChildFile({ path, fileName: `${laCode}.csv`, laCode, acceptValid: false, actor: operator }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
      expect(result.outcome).toBe('loaded');
    }
    const db = testApp.database.db;
    await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    const school = await newOrganisation(db, { kind: 'setting', name: 'Camden Primary', laCode: camden, urn: camdenSchool });
    sessions = await signedInPeople(db, [
      ['hackney-admin', 'authority-admin', hackneyOrganisation],
      ['head-teacher', 'setting-leader', school],
    ]);
    hackneyAdmin = new Agent(testApp.app);
    hackneyAdmin.cookies.set(sessionCookieName(false), sessions.get('hackney-admin')!);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('import a settings CSV naming another authority’s URN refuses that row, names the owner and stores nothing', async () => {
    const db = testApp.database.db;
    const csv = `urn,name,kind,la_code,phase\n${hackneySchool},Hackney Primary,school,${hackney},Primary\n\n${camdenSchool},Camden Primary (ours now),school,${hackney},Primary\n`;
    const response = await hackneyAdmin.upload('/admin/organisations', '/admin/organisations/settings', {}, [{ field: 'file', fileName: 'takeover.csv', content: csv }]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('takeover.csv has 1 problem: nothing was stored');
    // Row 4 as a spreadsheet shows it (the blank row 3 counts), the urn column, the owner named.
    expect(response.body).toContain(
      `<td class="govuk-table__cell">4</td><td class="govuk-table__cell">urn</td><td class="govuk-table__cell">${camdenSchool}</td><td class="govuk-table__cell">URN ${camdenSchool} is registered to Camden; moving a setting needs both authorities or the platform admin</td>`,
    );
    const settings = await db.selectFrom('organisation').select(['urn', 'la_code', 'name']).where('kind', '=', 'setting').orderBy('urn').execute();
    expect(settings).toEqual([{ urn: camdenSchool, la_code: camden, name: 'Camden Primary' }]);
    // Both authorities see the attempt in their own audit log.
    const refused = await db.selectFrom('audit_log').select(['la_code', 'outcome']).where('action', '=', 'settings-import-refused').orderBy('la_code').execute();
    expect(refused).toEqual([
      { la_code: camden, outcome: 'denied' },
      { la_code: hackney, outcome: 'denied' },
    ]);
  });

  it('read children as the head teacher of a setting moved to another authority reaches none of the previous authority’s pupils', async () => {
    const db = testApp.database.db;
    // Simulate a move that went around the service: the school now says it is Hackney's.
    await db.updateTable('organisation').set({ la_code: hackney }).where('urn', '=', camdenSchool).execute();
    const asHeadTeacher = (url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get('head-teacher')! } });
    const listed = (await asHeadTeacher('/api/v1/children')).json<{ total: number; records: { childRef: string; laCode: string }[] }>();
    expect(listed.records.filter((record) => record.laCode === camden)).toEqual([]);
    expect(listed.records.map((record) => record.childRef)).toEqual([refOf(hackneyChildren[0]!)]);
    for (const pupil of camdenPupils.slice(0, 2)) expect((await asHeadTeacher(`/api/v1/children/${refOf(pupil)}`)).statusCode).toBe(404);
    expect((await asHeadTeacher(`/api/v1/children?la=${camden}`)).statusCode).toBe(404);
    await db.updateTable('organisation').set({ la_code: camden }).where('urn', '=', camdenSchool).execute();
  });

  it('scope row-level security to a setting grant matches only records of the grant’s own authority', async () => {
    const db = testApp.database.db;
    // The query forgets its own filter: row-level security alone decides.
    const read = (childReach: { laCode: string; settingUrns: number[] | 'all' }[]) =>
      withAuthorityScope(db, [camden, hackney], (scoped) => scoped.selectFrom('child_record').select(['la_code', 'setting_urn']).orderBy('la_code').orderBy('setting_urn').execute(), { childReach });
    // Hackney's head teacher of a school with Camden's URN gets Hackney's pupils there, none of Camden's.
    expect(await read([{ laCode: hackney, settingUrns: [Number(camdenSchool)] }])).toEqual([{ la_code: hackney, setting_urn: Number(camdenSchool) }]);
    // A whole authority and a setting elsewhere: the setting's URN does not open the other authority's pupils at it.
    expect(await read([{ laCode: hackney, settingUrns: 'all' }, { laCode: camden, settingUrns: [100002] }])).toEqual([
      { la_code: camden, setting_urn: 100002 },
      { la_code: hackney, setting_urn: Number(camdenSchool) },
      { la_code: hackney, setting_urn: Number(hackneySchool) },
    ]);
    expect(await read([])).toEqual([]);
  });
});
