import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import type { ChildFields } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymiser } from '../ingest/pseudonym.js';
import type { UnseenReportJson } from './unseen-report.js';

const camden = 'E09000007';
const hackney = 'E09000012';
const ownSchool = '100001';
const otherSchool = '100002';
const key = pseudonymiser(testPseudonymKey);
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };
const thisYear = { academic_year: '2024/25', la_code: camden };

// Children with known answers: who is on which list, and why.
const listed: Record<string, ChildFields> = {
  noTrustedAdult: child(1, { ...thisYear, setting_urn: ownSchool, disadvantaged: 'Y', trusted_adult: 'N' }),
  trustedAdultUnknown: child(2, { ...thisYear, setting_urn: ownSchool, disadvantaged: 'Y', trusted_adult: '' }),
  inNeedAlone: child(3, { ...thisYear, setting_urn: otherSchool, disadvantaged: 'N', child_in_need: 'Y', child_protection_plan: 'N', lead_professional: 'N', early_help_assessment: 'N', team_around_child: 'N' }),
  inCareNoPlan: child(4, { ...thisYear, setting_urn: otherSchool, child_in_care: 'Y', trusted_adult: 'Y', personal_education_plan: 'N', lead_professional: 'Y' }),
  movedTwice: child(5, { ...thisYear, school_moves: '2' }),
  nobody: child(6, { ...thisYear, setting_urn: ownSchool, disadvantaged: 'N', trusted_adult: 'N' }),
};
// Twelve pupils who reached a good level of development last year; eleven met the phonics check this year.
const phonicsPupils = Array.from({ length: 12 }, (_, index) => index + 100);
const lastYearRows = phonicsPupils.map((number) => child(number, { academic_year: '2023/24', la_code: camden, setting_urn: ownSchool, ncy: 'R', eyfsp_gld: 'Y' }));
const thisYearPhonics = phonicsPupils.map((number, index) => child(number, { ...thisYear, setting_urn: ownSchool, ncy: '1', phonics_y1_met: index === 0 ? 'N' : 'Y' }));
const refOf = (row: ChildFields) => key(row.child_id!);
const columns = ['child_id', 'academic_year', 'la_code', 'setting_urn', 'ncy', 'disadvantaged', 'child_in_care', 'child_in_need', 'child_protection_plan', 'trusted_adult', 'lead_professional', 'early_help_assessment', 'team_around_child', 'personal_education_plan', 'school_moves', 'eyfsp_gld', 'phonics_y1_met'];

describe.each(testEngines)('the every-child-seen API on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const as = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });
  const audited = (action: string, email: string) =>
    testApp.database.db.selectFrom('audit_log').select(['outcome', 'la_code', 'target', 'details']).where('action', '=', action).where('actor_email', '=', email).orderBy('seq').execute();

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-tracking-api-'));
    const files: [string, ChildFields[]][] = [
      [camden, [...Object.values(listed), ...lastYearRows, ...thisYearPhonics]],
      [hackney, [child(901, { academic_year: '2024/25', la_code: hackney, disadvantaged: 'Y', trusted_adult: 'N' })]],
    ];
    for (const [laCode, rows] of files) {
      const path = join(folder, `${laCode}.csv`);
      writeFileSync(path, childCsv(rows, columns));
      const result = await importChildFile({ path, fileName: `${laCode}.csv`, laCode, acceptValid: false, actor: operator }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
      expect(result.outcome).toBe('loaded');
    }
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    const school = await newOrganisation(db, { kind: 'setting', name: 'Camden Primary', laCode: camden, urn: ownSchool });
    await newOrganisation(db, { kind: 'setting', name: 'Camden Secondary', laCode: camden, urn: otherSchool });
    for (const [urn, locality] of [[ownSchool, 'North'], [otherSchool, 'South']] as const) await db.updateTable('organisation').set({ locality }).where('urn', '=', urn).execute();
    const people: [string, Role, string][] = [
      ['camden-analyst', 'analyst', camdenOrganisation],
      ['hackney-analyst', 'analyst', hackneyOrganisation],
      ['head-teacher', 'setting-leader', school],
      ['camden-leader', 'leader', camdenOrganisation],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads one locality’s settings, its name in any case; refuses a locality the authority does not have, or one outside the reader’s reach', async () => {
    const south = await as('camden-analyst', `/api/v1/children/unseen?la=${camden}&year=2024/25&locality=south`);
    expect(south.statusCode).toBe(200);
    const report = south.json<UnseenReportJson>();
    expect(report.locality).toBe('South');
    expect(report.children.map((entry) => entry.child_ref).sort()).toEqual([refOf(listed.inNeedAlone!), refOf(listed.inCareNoPlan!)].sort());
    expect(Object.fromEntries(report.lists.map((list) => [list.list, list.recorded + list.not_recorded]))).toEqual({ 'trusted-adult': 0, coordination: 1, pep: 1, moves: 0 });
    const nowhere = await as('camden-analyst', `/api/v1/children/unseen?la=${camden}&locality=Nowhere`);
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json<{ message: string }>().message).toBe('locality: "Nowhere" is not one of the localities of Camden (E09000007): North, South.');
    // A head teacher in the North sees no child of the South, not even counts.
    const across = await as('head-teacher', `/api/v1/children/unseen?la=${camden}&locality=South`);
    expect(across.statusCode).toBe(404);
    expect(JSON.stringify(across.json())).not.toContain(refOf(listed.inNeedAlone!));
  });

  it('lists each child for the reason the rules give, known gaps apart from unknown ones, and audits the references shown', async () => {
    const response = await as('camden-analyst', `/api/v1/children/unseen?la=${camden}&year=2024/25`);
    expect(response.statusCode).toBe(200);
    const report = response.json<UnseenReportJson>();
    const counts = Object.fromEntries(report.lists.map((list) => [list.list, [list.recorded, list.not_recorded]]));
    expect(counts).toEqual({ 'trusted-adult': [1, 1], coordination: [1, 0], pep: [1, 0], moves: [1, 0] });
    const reasons = new Map(report.children.map((entry) => [entry.child_ref, entry.reasons.map((reason) => `${reason.list}:${reason.finding}`)]));
    expect(reasons.get(refOf(listed.noTrustedAdult!))).toEqual(['trusted-adult:recorded']);
    expect(reasons.get(refOf(listed.trustedAdultUnknown!))).toEqual(['trusted-adult:not-recorded']);
    expect(reasons.get(refOf(listed.inNeedAlone!))).toEqual(['coordination:recorded']);
    expect(reasons.get(refOf(listed.inCareNoPlan!))).toEqual(['pep:recorded']);
    expect(reasons.get(refOf(listed.movedTwice!))).toEqual(['moves:recorded']);
    expect(reasons.has(refOf(listed.nobody!))).toBe(false);
    const trusted = report.lists.find((list) => list.list === 'trusted-adult')!;
    expect(trusted.by_group.find((group) => group.group === 'poorer-socio-economic-groups')).toMatchObject({ recorded: 1, not_recorded: 1 });
    expect(trusted.by_setting).toEqual([{ setting_urn: Number(ownSchool), setting_name: 'Camden Primary', locality: 'North', recorded: 1, not_recorded: 1 }]);
    expect(trusted.by_locality).toEqual([{ locality: 'North', recorded: 1, not_recorded: 1 }]);
    // The moved child is on no setting's roll, so belongs to no locality.
    expect(report.lists.find((list) => list.list === 'moves')!.by_locality).toEqual([{ locality: null, recorded: 1, not_recorded: 0 }]);
    const entry = (await audited('children-unseen.read', 'camden-analyst@example.org')).find((one) => (one.details as { query: Record<string, string> }).query.locality === undefined);
    expect(entry).toMatchObject({ outcome: 'success', la_code: camden });
    expect((entry!.details as { childRefs: string[] }).childRefs.sort()).toEqual(report.children.map((one) => one.child_ref).sort());
  });

  it('counts vulnerable children by as many groups as asked for', async () => {
    const report = (await as('camden-analyst', `/api/v1/children/unseen?la=${camden}&min_groups=2&list=trusted-adult`)).json<UnseenReportJson>();
    expect(report.lists).toHaveLength(1);
    expect(report.lists[0]).toMatchObject({ recorded: 0, not_recorded: 0 });
    expect(report.children).toEqual([]);
  });

  it('shows a head teacher only their own pupils, and refuses another setting', async () => {
    const report = (await as('head-teacher', '/api/v1/children/unseen')).json<UnseenReportJson>();
    expect(report.children.map((entry) => entry.child_ref).sort()).toEqual([refOf(listed.noTrustedAdult!), refOf(listed.trustedAdultUnknown!)].sort());
    expect(report.lists.find((list) => list.list === 'pep')).toMatchObject({ recorded: 0 });
    expect((await as('head-teacher', `/api/v1/children/unseen?setting=${otherSchool}`)).statusCode).toBe(404);
  });

  it('answers another authority’s list as not found and audits the attempt; refuses roles without child-level access', async () => {
    const response = await as('camden-analyst', `/api/v1/children/unseen?la=${hackney}`);
    expect(response.statusCode).toBe(404);
    expect(await audited('children-unseen.read', 'camden-analyst@example.org')).toContainEqual(expect.objectContaining({ outcome: 'denied', la_code: hackney }));
    expect((await as('camden-leader', '/api/v1/children/unseen')).statusCode).toBe(403);
    expect((await as('camden-analyst', '/api/v1/children/unseen?min_groups=14')).statusCode).toBe(400);
    expect((await as('camden-analyst', '/api/v1/children/unseen?year=last')).json()).toMatchObject({ message: 'year: "last" is not an academic year (write 2023/24)' });
  });

  it('gives a pupil’s progress against what the same start predicted, labelled, and audits the read', async () => {
    const coasting = refOf(thisYearPhonics[0]!);
    const response = await as('head-teacher', `/api/v1/children/${coasting}/progress`);
    expect(response.statusCode).toBe(200);
    const [reading] = response.json<{ progress: { pair: string; expected: number; progress: number; label: string; prior: number }[] }>().progress;
    // Eleven of twelve who started with a good level of development met the check: 91.6667% expected.
    expect(reading).toMatchObject({ pair: 'eyfsp_phonics', prior: 1, expected: 91.6667, progress: -91.6667, label: 'coasting' });
    expect(await audited('child-progress.read', 'head-teacher@example.org')).toEqual([expect.objectContaining({ outcome: 'success', la_code: camden, target: `child:${coasting}` })]);
    const elsewhere = refOf(listed.inCareNoPlan!);
    expect((await as('head-teacher', `/api/v1/children/${elsewhere}/progress`)).statusCode).toBe(404);
    expect((await as('hackney-analyst', `/api/v1/children/${coasting}/progress`)).statusCode).toBe(404);
    expect(await audited('child-progress.read', 'hackney-analyst@example.org')).toEqual([expect.objectContaining({ outcome: 'denied', la_code: camden })]);
    expect((await as('camden-analyst', `/api/v1/children/${'0'.repeat(64)}/progress`)).statusCode).toBe(404);
  });

  it('gives the coverage indicators by group, suppressed for a viewer without child-level access', async () => {
    const exact = (await as('camden-analyst', `/api/v1/areas/${camden}/coverage`)).json<{ suppressed: boolean; indicators: { indicator: string; count: number | null; value: number | null; groups: { group: string; group_count: number | null }[] }[] }>();
    expect(exact.suppressed).toBe(false);
    const trusted = exact.indicators.find((indicator) => indicator.indicator === 'coverage_trusted_adult')!;
    // Vulnerable with a trusted adult recorded yes or no: child 1 (no) and child 4 (yes); child 2 is unknown.
    expect(trusted).toMatchObject({ count: 2, value: 50 });
    expect(trusted.groups.find((group) => group.group === 'poorer-socio-economic-groups')).toMatchObject({ group_count: 1 });
    const released = (await as('camden-leader', `/api/v1/areas/${camden}/coverage`)).json<{ suppressed: boolean; indicators: { count: number | null }[] }>();
    expect(released.suppressed).toBe(true);
    expect(released.indicators.every((indicator) => indicator.count === null || indicator.count % 5 === 0)).toBe(true);
  });
});
