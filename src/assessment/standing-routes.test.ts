import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { skipBrowserTests } from '../../test/support/browser.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import { capabilities } from '../capabilities.js';
import type { Role } from '../auth/permissions.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { assessmentCapability } from './capability.js';
import { statementsInScope } from './scope.js';
import type { RatingFields } from './store.js';
import { createAssessment, saveRating } from './store.js';

const camden = 'E09000007';
const westminster = 'E09000033';
const author = { userId: null, label: 'Test analyst' };

function rated(level: number | null, fields: Partial<RatingFields> = {}): RatingFields {
  return { level, notApplicable: false, notApplicableReason: '', note: '', links: [], confidence: 'medium', nextStep: '', nextStepOwner: '', nextStepDue: null, ...fields };
}

/**
 * The fixture, counted by hand. Camden's template 5 (125 statements: 15 general conditions, 110 in
 * the matrix) in 2023/24, signed off, rated four statements: governance/targeted 01 not yet in place (1),
 * 02 developing (2), strategy/complex 01 established (3) and general condition 01 developing (2).
 * The 2024/25 assessment carries those forward, then re-rates governance/targeted 01 to 3 (improved)
 * and 02 to 1 (slipped), rates governance/complex 01 embedded (new) and governance/specialist 01
 * not applicable; strategy/complex 01 and general condition 01 stay carried forward.
 */
describe.each(testEngines)('where we stand on %s', (engine) => {
  let testApp: TestApp;
  let sessions: Map<string, string>;
  let currentId = '';
  let previousId = '';
  let threadsId = '';
  let camdenId = '';
  let schoolId = '';
  let schoolAssessmentId = '';
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });

  beforeAll(async () => {
    // The assessment capability joins src/capabilities.ts when the parts of issue 14 are merged; until then the test adds it.
    testApp = await createTestApp({ engine, extraCapabilities: capabilities.includes(assessmentCapability) ? [] : [assessmentCapability] });
    const db = testApp.database.db;
    camdenId = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const westminsterId = await newOrganisation(db, { kind: 'local-authority', name: 'Westminster', areaCode: westminster, laCode: westminster });
    const school = await newOrganisation(db, { kind: 'setting', name: 'Camden Primary', laCode: camden, urn: '100001' });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', camdenId],
      ['other-leader', 'leader', westminsterId],
      ['head', 'setting-leader', school],
      ['adviser', 'regional-adviser', london],
    ];
    sessions = await signedInPeople(db, people);

    const catalogue = loadCatalogue();
    const start = (scope: 'T5' | 'threads', period: string) =>
      createAssessment(db, { laCode: camden, organisationId: camdenId, scope, period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: statementsInScope(seedStatements(catalogue), scope) }, author);
    const rate = (assessmentId: string, statementId: string, expectedVersion: number, fields: RatingFields) => saveRating(db, { laCode: camden, assessmentId, statementId, expectedVersion }, fields, author);

    previousId = await start('T5', '2023/24');
    await rate(previousId, 'T5-GOVERNANCE-TARGETED-01', 0, rated(1));
    await rate(previousId, 'T5-GOVERNANCE-TARGETED-02', 0, rated(2));
    await rate(previousId, 'T5-STRATEGY-COMPLEX-01', 0, rated(3));
    await rate(previousId, 'T5-GC-01', 0, rated(2));
    await db.updateTable('assessment').set({ status: 'signed-off', signed_off_at: new Date('2024-07-15T10:00:00Z'), signed_off_by_label: 'Director of Children’s Services' }).where('id', '=', previousId).execute();

    currentId = await start('T5', '2024/25');
    await rate(currentId, 'T5-GOVERNANCE-TARGETED-01', 1, rated(3, { confidence: 'high' }));
    await rate(currentId, 'T5-GOVERNANCE-TARGETED-02', 1, rated(1, { confidence: 'low', nextStep: 'Agree a protocol with schools', nextStepOwner: 'Head of early help', nextStepDue: '2027-03-31' }));
    await rate(currentId, 'T5-GOVERNANCE-COMPLEX-01', 0, rated(4));
    await rate(currentId, 'T5-GOVERNANCE-SPECIALIST-01', 0, rated(null, { notApplicable: true, notApplicableReason: 'Commissioned regionally' }));

    schoolId = school;
    const t3 = statementsInScope(seedStatements(catalogue), 'T3');
    schoolAssessmentId = await createAssessment(db, { laCode: camden, organisationId: school, scope: 'T3', period: '2024/25', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: t3 }, author);
    await rate(schoolAssessmentId, t3[1]!.id, 0, rated(2));
    await rate(schoolAssessmentId, t3[2]!.id, 0, rated(3));

    threadsId = await start('threads', '2024/25');
    await rate(threadsId, 'GT01', 0, rated(4));
    await rate(threadsId, 'GT01-M1', 0, rated(2));
  });
  afterAll(async () => testApp.close());

  it('show standing page progress heatmap weakest and change with the hand-counted figures', async () => {
    const page = await get('analyst', `/assessments/${currentId}/standing`);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('<strong>4 of 125</strong> statements rated (3%)');
    expect(body).toContain('2 more carry last period’s rating and are not yet confirmed.');
    // Governance: rated 4, carried 0, not rated 10, of 14.
    expect(body).toMatch(/Integrated governance<\/a><\/th>\s*<td[^>]*>4<\/td>\s*<td[^>]*>0<\/td>\s*<td[^>]*>10<\/td>\s*<td[^>]*>14<\/td>/);
    // Governance × targeted: levels 1 and 3, lower median 1, between the two.
    expect(body).toContain('Not yet in place to established<span class="govuk-visually-hidden"> (Integrated governance, Targeted)</span>');
    expect(body).toContain('1 established, 1 not yet in place');
    expect(body).toContain('Embedded<span class="govuk-visually-hidden"> (Integrated governance, Complex, multiple needs)</span>');
    expect(body).toContain('All matrix statements: <strong>Established</strong> (1 embedded, 2 established, 1 not yet in place, 1 not applicable, 105 not rated).');
    expect(body).toContain('1 carried forward, not yet confirmed');
    expect(body).toContain(`href="/assessments/${currentId}/sections/governance"`);
    expect(body).toContain('ntg-heat__swatch ntg-heat--level-1');
    // Weakest: level 1 first, then the carried level 2, then level 3 with medium before high confidence.
    const weakest = [...body.matchAll(/\((T5-[A-Z]+-[A-Z]+-\d+|T5-GC-\d+)\)<\/span>\s*<br><a class="govuk-link govuk-body-s" href="\/assessments\/[^/]+\/statements\/([^"]+)"/g)].map((match) => match[2]);
    expect(weakest).toEqual(['T5-GOVERNANCE-TARGETED-02', 'T5-GC-01', 'T5-STRATEGY-COMPLEX-01', 'T5-GOVERNANCE-TARGETED-01', 'T5-GOVERNANCE-COMPLEX-01']);
    expect(body).toContain('<strong>1</strong> improved');
    expect(body).toContain('<strong>1</strong> slipped');
    expect(body).toContain('<strong>1</strong> new');
    expect(body).toContain('<strong>121</strong> not yet re-rated');
    expect(body).toContain(`href="/assessments/${previousId}/standing"`);
  });

  it('download progress as CSV with the named columns and figures', async () => {
    const csv = await get('analyst', `/assessments/${currentId}/standing/progress.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="standing-Camden-T5-2024-25-progress.csv"');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('Grouping,Code,Name,Rated,"Carried forward, not yet confirmed",Not rated,Statements,Percentage rated');
    expect(lines[1]).toBe('Overall,all,All statements,4,2,119,125,3.2');
    expect(lines).toContain('Section,conditions,General conditions,0,1,14,15,0');
    expect(lines).toContain('Layer,governance,Integrated governance,4,0,10,14,28.6');
    expect(lines).toContain('Tier,targeted,Targeted,2,0,31,33,6.1');
  });

  it('download heatmap as CSV with a row per cell and the general conditions first', async () => {
    const csv = await get('analyst', `/assessments/${currentId}/standing/heatmap.csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'Layer,Layer code,Tier,Tier code,Not yet in place,Developing,Established,Embedded,Not applicable,Not rated,Statements,"Of which carried forward, not yet confirmed","Median level (lower median, 1 to 4)",Median',
    );
    expect(lines[1]).toBe('General conditions,conditions,All,,0,1,0,0,0,14,15,1,2,Developing');
    expect(lines).toContain('Integrated governance,governance,Targeted,targeted,1,0,1,0,0,0,2,0,1,Not yet in place to established');
    expect(lines).toContain('Integrated governance,governance,"Specialist, acute",specialist,0,0,0,0,1,0,1,0,x,No levels yet');
    expect(lines).toHaveLength(1 + 1 + 16);
  });

  it('download weakest and changes with their columns', async () => {
    const weakest = (await get('analyst', `/assessments/${currentId}/standing/weakest.csv`)).body.trim().split('\r\n');
    expect(weakest[0]).toBe('Rank,Statement reference,Statement,Level,Level (1 to 4),Confidence,Evidence items,Carried forward');
    expect(weakest[1]).toMatch(/^1,T5-GOVERNANCE-TARGETED-02,.*,Not yet in place,1,Low,0,No$/);
    expect(weakest).toHaveLength(6);
    const changes = (await get('analyst', `/assessments/${currentId}/standing/changes.csv`)).body.trim().split('\r\n');
    expect(changes[0]).toBe('Statement reference,Statement,Change,Rating in 2023/24,Rating in 2024/25');
    expect(changes.find((line) => line.startsWith('T5-GOVERNANCE-TARGETED-01,'))).toMatch(/,Improved,Not yet in place,Established$/);
    expect(changes.find((line) => line.startsWith('T5-GOVERNANCE-SPECIALIST-01,'))).toMatch(/,Now not applicable,Not rated,Not applicable$/);
    expect(changes).toHaveLength(1 + 125);
  });

  it('download progress as Excel with the figures as numbers', async () => {
    const response = await get('analyst', `/assessments/${currentId}/standing/progress.xlsx`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(4).value).toBe('Rated');
    expect(sheet.getRow(2).getCell(4).value).toBe(4);
    expect(sheet.getRow(2).getCell(7).value).toBe(125);
  });

  it('record each download in the audit log', async () => {
    await get('analyst', `/assessments/${currentId}/standing/weakest.xlsx`);
    const entries = await testApp.database.db.selectFrom('audit_log').select(['action', 'outcome', 'target', 'la_code']).where('action', '=', 'assessment-standing-downloaded').where('target', '=', `assessment:${currentId}`).execute();
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries.every((entry) => entry.outcome === 'success' && entry.la_code === camden)).toBe(true);
  });

  it('refuse a part the scope does not have and an unknown part or format with 404', async () => {
    expect((await get('analyst', `/assessments/${currentId}/standing/threads.csv`)).statusCode).toBe(404);
    expect((await get('analyst', `/assessments/${currentId}/standing/everything.csv`)).statusCode).toBe(404);
    expect((await get('analyst', `/assessments/${currentId}/standing/progress.pdf`)).statusCode).toBe(404);
    expect((await get('analyst', `/assessments/${threadsId}/standing/heatmap.csv`)).statusCode).toBe(404);
    expect((await get('analyst', `/assessments/${threadsId}/standing/changes.csv`)).statusCode).toBe(404);
  });

  it('show thread bars as a chart with a table beside it for the golden threads', async () => {
    const page = await get('analyst', `/assessments/${threadsId}/standing`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg role="img" aria-label="Stacked bars, one per golden thread');
    expect(page.body).toContain('Ratings by golden thread: statements at each level, and the median');
    // GT01 and its first "this means" item: embedded and developing, lower median developing, between the two.
    expect(page.body).toContain('Developing to embedded');
    expect(page.body).not.toContain('class="govuk-table ntg-heat"');
    expect(page.body).toContain('This is the first assessment of this scope');
    const csv = (await get('analyst', `/assessments/${threadsId}/standing/threads.csv`)).body.trim().split('\r\n');
    expect(csv[0]!.startsWith('Golden thread,Code,Not yet in place,Developing,Established,Embedded,')).toBe(true);
    expect(csv[1]).toMatch(/^"?1\. You can do it!.*,GT01,0,1,0,1,0,\d+,\d+,0,2,Developing to embedded$/);
    expect(csv).toHaveLength(11);
  });

  it('refuse another authority’s assessment and a setting’s leader with 404, and audit the refusal', async () => {
    for (const url of [`/assessments/${currentId}/standing`, `/assessments/${currentId}/standing/progress.csv`, `/assessments/${currentId}/report`, `/assessments/${currentId}/report.pdf`, `/assessments/organisations/${camdenId}`]) {
      expect((await get('other-leader', url)).statusCode, url).toBe(404);
      expect((await get('head', url)).statusCode, url).toBe(404);
    }
    const denied = await testApp.database.db.selectFrom('audit_log').select(['outcome', 'actor_email']).where('action', '=', 'assessment-read').where('outcome', '=', 'denied').execute();
    expect(denied.filter((entry) => entry.actor_email === 'other-leader@example.org')).toHaveLength(5);
  });

  it('let the regional adviser of the authority’s region read its standing', async () => {
    expect((await get('adviser', `/assessments/${currentId}/standing`)).statusCode).toBe(200);
    expect((await get('adviser', `/assessments/organisations/${camdenId}`)).statusCode).toBe(200);
  });

  it('let a head teacher read their school’s template 3 standing by principle', async () => {
    const page = await get('head', `/assessments/${schoolAssessmentId}/standing`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ratings by principle: statements at each level, and the median');
    expect(page.body).toContain('Principle 1: Children and young people at risk of underperformance');
    expect(page.body).toContain('Developing to established');
    const glance = await get('head', `/assessments/organisations/${schoolId}`);
    expect(glance.statusCode).toBe(200);
    expect(glance.body).toContain('Where Camden Primary stands');
    expect(glance.body).toContain(`/assessments/${schoolAssessmentId}/standing`);
  });

  it('show where the organisation stands on every scope at a glance', async () => {
    const page = await get('analyst', `/assessments/organisations/${camdenId}`);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('Where Camden stands');
    // Template 5, 2024/25: levels in force 1, 2, 3, 3, 4: 3 of 5 established or embedded, median established.
    const t5Row = /<tr class="govuk-table__row">\s*<th[^>]*><a class="govuk-link" href="\/assessments\/[^"]+\/standing">Template 5[\s\S]*?<\/tr>/.exec(body)?.[0] ?? '';
    expect(t5Row).toContain(`/assessments/${currentId}/standing`);
    expect(t5Row).toContain('2024/25');
    expect(t5Row).toContain('60%');
    expect(t5Row).toContain('3 of 5');
    expect(t5Row).toContain('Established');
    expect(t5Row).toContain('1 improved, 1 slipped');
    expect(body).toContain('Not assessed yet');
    const csv = (await get('analyst', `/assessments/organisations/${camdenId}/standing.csv`)).body.trim().split('\r\n');
    expect(csv[0]).toBe(
      'What is assessed,Scope code,Period,Status,Statements with a level,Percentage established or embedded,"Median level (lower median, 1 to 4)",Median,Previous period,Improved since previous,Slipped since previous,Period moderated,Statements moderated,Ratings the moderator saw differently,Statements compared with England’s authorities,Above the England median,Level with the England median,Below the England median',
    );
    expect(csv.find((line) => line.includes(',T5,'))).toMatch(/,T5,2024\/25,In progress,5,60,3,Established,2023\/24,1,1,,x,x,0,0,0,0$/);
    expect(csv.find((line) => line.includes(',T1,'))).toMatch(/,T1,Not assessed yet,,x,x,x,,,x,x,,x,x,x,x,x,x$/);
  });

  it('refuse an organisation that does not exist with 404', async () => {
    expect((await get('analyst', '/assessments/organisations/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('analyst', '/assessments/organisations/not-an-id')).statusCode).toBe(404);
  });

  it('print the board report as a clean HTML page with every section', async () => {
    const report = await get('analyst', `/assessments/${currentId}/report`);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('<link rel="stylesheet" href="/assets/report.css">');
    expect(report.body).not.toContain('govuk-service-navigation');
    for (const heading of ['1. Summary', '2. Heatmap', '3. The weakest statements', '4. Change since the previous assessment', '5. Next steps']) expect(report.body).toContain(`<h2>${heading}</h2>`);
    expect(report.body).toContain('<strong>60%</strong> of the 5 statements with a level are established or embedded.');
    expect(report.body).toMatch(/Agree a protocol with schools<\/td><td>Head of early help<\/td><td>31 March 2027<\/td>/);
    expect(report.body).not.toContain('6. Moderation');
    const signedOff = await get('analyst', `/assessments/${previousId}/report`);
    expect(signedOff.body).toContain('By Director of Children’s Services on 15 July 2024');
    // A signed-off assessment is read-only: its weakest statements open their rating rather than offer to rate.
    const signedOffStanding = (await get('analyst', `/assessments/${previousId}/standing`)).body;
    expect(signedOffStanding).toContain('Its rating and evidence');
    expect(signedOffStanding).not.toContain('Rate this statement');
  });

  it('show in the board report where a submitted moderation disagreed with the self-rating', async () => {
    const db = testApp.database.db;
    const moderator = await db.selectFrom('user_account').select('id').where('email', '=', 'adviser@example.org').executeTakeFirstOrThrow();
    const moderation = await db
      .insertInto('assessment_moderation')
      .values({ la_code: camden, assessment_id: currentId, moderator_user_id: moderator.id, moderator_label: 'Regional adviser', moderator_organisation: 'London', sample: null, status: 'submitted', invited_by_label: 'Test analyst', submitted_at: new Date('2025-03-03T12:00:00Z') })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('assessment_moderation_rating')
      .values([
        { la_code: camden, moderation_id: moderation.id, statement_id: 'T5-GOVERNANCE-TARGETED-01', level: 2, comment: 'Protocol agreed but not yet used' },
        { la_code: camden, moderation_id: moderation.id, statement_id: 'T5-GOVERNANCE-COMPLEX-01', level: 4 },
      ])
      .execute();
    const report = await get('analyst', `/assessments/${currentId}/report`);
    expect(report.body).toContain('<h2>6. Moderation</h2>');
    expect(report.body).toContain('Moderated by Regional adviser (London), ratings submitted 3 March 2025. 1 of the 2 statements moderated were rated differently from the self-assessment:');
    expect(report.body).toMatch(/\(T5-GOVERNANCE-TARGETED-01\)<\/span><\/td><td>Established<\/td><td>Developing<\/td><td>Not agreed yet<\/td><td>Protocol agreed but not yet used<\/td>/);
    expect(report.body).not.toContain('T5-GOVERNANCE-COMPLEX-01)</span></td><td>Embedded</td><td>Embedded');
    const glance = await get('analyst', `/assessments/organisations/${camdenId}`);
    expect(glance.body).toContain(`<a class="govuk-link" href="/assessments/${currentId}/moderation">1 of 2 rated differently`);
  });

  // Printing does not depend on the engine: the PDF test runs once, on the first engine.
  if (engine === testEngines[0])
    it.skipIf(skipBrowserTests)('print the board report as a tagged PDF and audit the download', async () => {
      const pdf = await get('analyst', `/assessments/${currentId}/report.pdf`);
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdf.rawPayload.toString('latin1');
      expect(text).toContain('/StructTreeRoot');
      expect(text).toContain('/Lang (en-GB)');
      const outline = [...text.matchAll(/\/Title \(([^)]*)\)/g)].map((match) => match[1]);
      expect(outline).toEqual(expect.arrayContaining(['1. Summary', '2. Heatmap', '5. Next steps']));
      const audit = await testApp.database.db.selectFrom('audit_log').select(['outcome', 'target']).where('action', '=', 'assessment-report-downloaded').execute();
      expect(audit).toEqual([{ outcome: 'success', target: `assessment:${currentId}` }]);
    }, 60_000);
});
