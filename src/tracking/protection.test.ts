import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
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
import { isoDateIn } from '../web/format.js';
import type { UnseenReportJson } from './unseen-report.js';

const leeds = 'E08000035';
const bradford = 'E08000032';
const primary = '100001';
const secondary = '100002';
const otherSecondary = '100003';
const key = pseudonymiser(testPseudonymKey);
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };
const refOf = (row: ChildFields) => key(row.child_id!);

// A disadvantaged Year 6 pupil of the primary who moves to the secondary for Year 7, without a trusted adult there.
const mover = { child_id: 'M0001', la_code: leeds };
const rows: ChildFields[] = [
  { ...mover, academic_year: '2023/24', setting_urn: primary, ncy: '6', disadvantaged: 'Y', trusted_adult: 'Y', lead_professional: 'N', ks2_reading_scaled: '96', ks2_maths_scaled: '94' },
  { ...mover, academic_year: '2024/25', setting_urn: secondary, ncy: '7', disadvantaged: 'Y', trusted_adult: 'N' },
  // A pupil of the other secondary: not the first secondary's to see or act on.
  child(2, { academic_year: '2024/25', la_code: leeds, setting_urn: otherSecondary, ncy: '7', disadvantaged: 'Y', trusted_adult: 'N' }),
  // Not on any list.
  child(3, { academic_year: '2024/25', la_code: leeds, setting_urn: secondary, ncy: '7', disadvantaged: 'N', trusted_adult: 'Y' }),
];
const bradfordChild = child(901, { academic_year: '2024/25', la_code: bradford, setting_urn: '200001', child_in_care: 'Y', personal_education_plan: 'N' });

describe.each(testEngines)('work lists, handovers and break the glass on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const cookies = (who: string) => ({ [sessionCookieName(false)]: sessions.get(who)! });
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: cookies(who) });
  /** A form posted as a browser does: the page's CSRF token and cookie first. */
  async function post(who: string, formUrl: string, action: string, fields: Record<string, string>) {
    const form = await get(who, formUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const csrfCookie = form.cookies.find((cookie) => cookie.name === 'ntg_csrf');
    return testApp.app.inject({
      method: 'POST',
      url: action,
      cookies: { ...cookies(who), ...(csrfCookie === undefined ? {} : { ntg_csrf: csrfCookie.value }) },
      payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  const audited = (action: string) => testApp.database.db.selectFrom('audit_log').select(['outcome', 'actor_email', 'la_code', 'target', 'details']).where('action', '=', action).orderBy('seq').execute();

  beforeAll(async () => {
    testApp = await createTestApp({ engine, environment: { NTG_PSEUDONYM_KEY: testPseudonymKey } });
    folder = mkdtempSync(join(tmpdir(), 'ntg-protection-'));
    const columns = ['child_id', 'academic_year', 'la_code', 'setting_urn', 'ncy', 'disadvantaged', 'child_in_care', 'trusted_adult', 'lead_professional', 'personal_education_plan', 'ks2_reading_scaled', 'ks2_maths_scaled'];
    for (const [laCode, file] of [
      [leeds, rows],
      [bradford, [bradfordChild]],
    ] as const) {
      const path = join(folder, `${laCode}.csv`);
      writeFileSync(path, childCsv(file, columns));
      expect((await importChildFile({ path, fileName: `${laCode}.csv`, laCode, acceptValid: false, actor: operator }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey })).outcome).toBe('loaded');
    }
    const db = testApp.database.db;
    const leedsCouncil = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds', areaCode: leeds, laCode: leeds });
    const bradfordCouncil = await newOrganisation(db, { kind: 'local-authority', name: 'Bradford', areaCode: bradford, laCode: bradford });
    const primarySchool = await newOrganisation(db, { kind: 'setting', name: 'Chapel Primary', laCode: leeds, urn: primary });
    const secondarySchool = await newOrganisation(db, { kind: 'setting', name: 'Roundhay High', laCode: leeds, urn: secondary });
    await newOrganisation(db, { kind: 'setting', name: 'Allerton High', laCode: leeds, urn: otherSecondary });
    const people: [string, Role, string][] = [
      ['primary-head', 'setting-leader', primarySchool],
      ['secondary-head', 'setting-leader', secondarySchool],
      ['leeds-practitioner', 'practitioner', leedsCouncil],
      ['leeds-analyst', 'analyst', leedsCouncil],
      ['bradford-admin', 'authority-admin', bradfordCouncil],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lets the receiving head teacher record what was done, shows it in hand, and refuses another setting’s pupil', async () => {
    const moverRef = refOf(mover);
    const formUrl = `/children/unseen/${moverRef}/follow-up?la=${leeds}&year=2024/25&list=trusted-adult`;
    const saved = await post('secondary-head', formUrl, `/children/unseen/${moverRef}/follow-up`, { la: leeds, year: '2024/25', list: 'trusted-adult', action: 'trusted-adult-identified', note: 'Form tutor agreed', follow_up_on: '' });
    expect(saved.statusCode).toBe(303);
    const report = (await get('secondary-head', '/api/v1/children/unseen')).json<UnseenReportJson>();
    const entry = report.children.find((one) => one.child_ref === moverRef)!;
    expect(entry).toMatchObject({ outstanding: false, reasons: [expect.objectContaining({ list: 'trusted-adult', follow_up: expect.objectContaining({ action: 'trusted-adult-identified', note: 'Form tutor agreed' }) as unknown })] });
    expect(report.outstanding).toBe(0);

    // A follow-up date that has come puts the child back among those waiting.
    const today = isoDateIn(new Date());
    expect((await post('secondary-head', formUrl, `/children/unseen/${moverRef}/follow-up`, { la: leeds, year: '2024/25', list: 'trusted-adult', action: 'other', note: 'Check again today', follow_up_on: today })).statusCode).toBe(303);
    expect((await get('secondary-head', '/api/v1/children/unseen')).json<UnseenReportJson>().outstanding).toBe(1);

    const bad = await post('secondary-head', formUrl, `/children/unseen/${moverRef}/follow-up`, { la: leeds, year: '2024/25', list: 'trusted-adult', action: 'other', note: '', follow_up_on: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Say in the note what was done.');

    const otherPupil = refOf(rows[2]!);
    const refused = await post('secondary-head', formUrl, `/children/unseen/${otherPupil}/follow-up`, { la: leeds, year: '2024/25', list: 'trusted-adult', action: 'reviewed-no-action', note: '', follow_up_on: '' });
    expect(refused.statusCode).toBe(404);
    const notListed = await post('secondary-head', formUrl, `/children/unseen/${refOf(rows[3]!)}/follow-up`, { la: leeds, year: '2024/25', list: 'trusted-adult', action: 'reviewed-no-action', note: '', follow_up_on: '' });
    expect(notListed.statusCode).toBe(404);
    const attempts = (await audited('child-follow-up.recorded')).filter((row) => row.outcome === 'denied');
    expect(attempts.map((row) => row.target)).toEqual([`child:${otherPupil}`, `child:${refOf(rows[3]!)}`]);
    expect(await testApp.database.db.selectFrom('child_follow_up').select('child_key').where('child_key', '=', otherPupil).execute()).toEqual([]);
  });

  it('shows the receiving school the Year 7 arrival with what the primary recorded, lets it confirm, and keeps the primary’s other pupils from it', async () => {
    const page = await get('secondary-head', '/children/handovers');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Chapel Primary (Year 6) to Roundhay High (Year 7)');
    expect(page.body).toContain('Year 6 to Year 7');
    expect(page.body).toContain('Key stage 2 reading scaled score');
    expect(page.body).not.toContain(refOf(rows[2]!).slice(0, 10));
    // The primary sees no arrival; the other secondary none either.
    expect((await get('primary-head', '/children/handovers')).body).toContain('No vulnerable child arrived from another setting');
    const confirmed = await post('secondary-head', '/children/handovers', `/children/handovers/${refOf(mover)}/confirm`, { la: leeds, year: '2024/25', note: 'Met the Year 6 teacher' });
    expect(confirmed.statusCode).toBe(303);
    expect((await get('secondary-head', '/children/handovers')).body).toContain('Met the Year 6 teacher');
    const elsewhere = await post('primary-head', '/children/handovers', `/children/handovers/${refOf(mover)}/confirm`, { la: leeds, year: '2024/25', note: '' });
    expect(elsewhere.statusCode).toBe(404);
    expect((await audited('child-handover.confirmed')).map((row) => row.outcome)).toEqual(['success', 'denied']);
    expect((await audited('child-handover.read')).every((row) => row.outcome === 'success')).toBe(true);
  });

  it('breaks the glass for one child of a neighbouring authority, with a reason, for a limited time, flagged to its administrators', async () => {
    const target = refOf(bradfordChild);
    expect((await get('leeds-practitioner', `/api/v1/children/${target}`)).statusCode).toBe(404);
    const form = '/children/break-glass';
    const noReason = await post('leeds-practitioner', form, form, { la: bradford, child: bradfordChild.child_id!, reason: 'urgent', hours: '4' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Say why you need this child’s records now');
    const tooLong = await post('leeds-practitioner', form, form, { la: bradford, child: bradfordChild.child_id!, reason: 'Out-of-hours referral from the police about this child', hours: '48' });
    expect(tooLong.statusCode).toBe(400);
    const granted = await post('leeds-practitioner', form, form, { la: bradford, child: bradfordChild.child_id!, reason: 'Out-of-hours referral from the police about this child', hours: '2' });
    expect(granted.statusCode).toBe(303);
    expect(granted.headers.location).toBe(`/children/${target}`);
    const page = await get('leeds-practitioner', `/children/${target}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('through an emergency access');
    expect((await get('leeds-practitioner', `/api/v1/children/${target}`)).statusCode).toBe(200);
    // Nothing else of Bradford's.
    expect((await get('leeds-practitioner', `/api/v1/children/unseen?la=${bradford}`)).statusCode).toBe(404);
    // An analyst has no break-the-glass permission.
    expect((await get('leeds-analyst', form)).statusCode).toBe(403);

    const flagged = await get('bradford-admin', '/admin/break-glass');
    expect(flagged.body).toContain('Out-of-hours referral from the police about this child');
    expect(flagged.body).toContain('leeds-practitioner@example.org');
    const grants = await audited('break-glass.granted');
    expect(grants.map((row) => row.outcome)).toEqual(['failure', 'failure', 'success']);
    expect(grants[2]).toMatchObject({ la_code: bradford, target: `child:${target}`, details: expect.objectContaining({ reason: 'Out-of-hours referral from the police about this child', flagged: true }) as unknown });

    // When the time is up, the child is out of reach again.
    await sql`update break_glass_access set granted_at = now() - interval '3 hours', expires_at = now() - interval '1 second' where child_key = ${target}`.execute(testApp.database.db);
    expect((await get('leeds-practitioner', `/api/v1/children/${target}`)).statusCode).toBe(404);
    expect((await get('leeds-practitioner', `/children/${target}`)).statusCode).toBe(404);
  });
});
