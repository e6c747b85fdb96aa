import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { academicYearOf, organisationLabel } from './pages.js';
import { attachmentDisposition } from './evidence-routes.js';

const camden = 'E09000007';
const westminster = 'E09000033';

/** The smallest file that begins as a PDF does, enough for a check by content. */
const pdfBytes = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function locationOf(response: LightMyRequestResponse): string {
  return String(response.headers.location ?? '');
}

describe('page helpers', () => {
  it('label organisations by name and kind', () => {
    expect(organisationLabel({ name: 'Leeds', kind: 'local-authority', settingKind: null })).toBe('Leeds (local authority)');
    expect(organisationLabel({ name: 'Oakwood Primary School', kind: 'setting', settingKind: 'school' })).toBe('Oakwood Primary School (school)');
  });

  it('academic year of a day starts in September', () => {
    expect(academicYearOf(new Date('2026-12-03T10:00:00Z'))).toBe('2026/27');
    expect(academicYearOf(new Date('2027-08-31T10:00:00Z'))).toBe('2026/27');
    expect(academicYearOf(new Date('2027-09-01T10:00:00Z'))).toBe('2027/28');
  });

  it('attachment disposition keeps quotes and non-ASCII out of the plain name', () => {
    expect(attachmentDisposition('Minutes "May" café.pdf')).toBe(`attachment; filename="Minutes _May_ caf_.pdf"; filename*=UTF-8''Minutes%20%22May%22%20caf%C3%A9.pdf`);
  });
});

describe.each(testEngines)('rating pages on %s', (engine) => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();
  const as = (who: string) => agents.get(who)!;
  let schoolId = '';
  let camdenId = '';
  let assessmentUrl = '';
  const statementUrl = (statementId: string) => `${assessmentUrl}/statements/${statementId}`;

  /** Posts the rating form as the page holds it, with these fields changed. */
  async function rate(who: string, statementId: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const agent = as(who);
    const page = await agent.get(statementUrl(statementId));
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const version = /name="version" value="([^"]*)"/.exec(page.body)?.[1] ?? '0';
    return postForm(agent, statementUrl(statementId), { _csrf: token, version, ...fields }, headers);
  }

  async function postForm(agent: Agent, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return testApp.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      cookies: Object.fromEntries(agent.cookies),
    });
  }

  async function storedRating(statementId: string) {
    return testApp.database.db
      .selectFrom('assessment_rating')
      .select(['level', 'note', 'version', 'updated_by_label'])
      .where('assessment_id', '=', assessmentUrl.split('/')[2]!)
      .where('statement_id', '=', statementId)
      .executeTakeFirst();
  }

  beforeAll(async () => {
    testApp = await createTestApp({ engine, environment: { NTG_EVIDENCE_LIMIT_MB: '1' } });
    const db = testApp.database.db;
    camdenId = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const other = await newOrganisation(db, { kind: 'local-authority', name: 'Westminster', areaCode: westminster, laCode: westminster });
    schoolId = (
      await db
        .insertInto('organisation')
        .values({ kind: 'setting', name: 'Oakwood Primary School', urn: '999001', la_code: camden, area_code: null, setting_kind: 'school' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', camdenId],
      ['leader', 'leader', camdenId],
      ['admin', 'authority-admin', camdenId],
      ['westminster', 'analyst', other],
      ['head', 'setting-leader', schoolId],
    ];
    for (const [who, token] of await signedInPeople(db, people)) {
      const agent = new Agent(testApp.app);
      agent.cookies.set(sessionCookieName(false), token);
      agents.set(who, agent);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('list assessments with none says how to start one', async () => {
    const page = await as('analyst').get('/assessments');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('There are no assessments you can see yet.');
    expect(page.body).toContain('href="/assessments/new"');
    const readerPage = await as('admin').get('/assessments');
    expect(readerPage.body).toContain('Ask one of them to start an assessment');
    expect(readerPage.body).not.toContain('href="/assessments/new"');
  });

  it('start form offers the organisations by name and kind and the current period', async () => {
    const page = await as('analyst').get('/assessments/new');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Camden (local authority)');
    expect(page.body).toContain('Oakwood Primary School (school)');
    expect(page.body).toContain('Which organisation is the assessment for?');
    const chosen = await as('analyst').get(`/assessments/new?organisation=${schoolId}`);
    expect(chosen.body).toContain('Suggested for Oakwood Primary School');
    expect(chosen.body).toContain(`value="${academicYearOf(new Date())}"`);
    const head = await as('head').get('/assessments/new');
    expect(head.body).toContain('Suggested for Oakwood Primary School');
    // Template three comes first for a school.
    expect(head.body.indexOf('Template 3: what schools can do')).toBeLessThan(head.body.indexOf('The ten golden threads'));
  });

  it('start assessment with a bad period names the field and stores nothing', async () => {
    const response = await as('analyst').submit('/assessments/new', '/assessments/new', { organisation_id: camdenId, scope: 'threads', period: '2026' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('href="#period"');
    expect(response.body).toContain('The period must be a year written like 2025/26');
    const count = await testApp.database.db.selectFrom('assessment').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('start assessment redirects to its overview, and a second of the same is refused as a duplicate', async () => {
    const response = await as('analyst').submit('/assessments/new', '/assessments/new', { organisation_id: camdenId, scope: 'threads', period: '2026/27' });
    expect(response.statusCode).toBe(303);
    expect(locationOf(response)).toMatch(/^\/assessments\/[0-9a-f-]{36}\?started=1$/);
    assessmentUrl = locationOf(response).split('?')[0]!;
    const again = await as('leader').submit('/assessments/new', '/assessments/new', { organisation_id: camdenId, scope: 'threads', period: '2026/27' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Camden already has this assessment for 2026/27');
  });

  it('overview shows heading, framework version, progress and every thread as a section', async () => {
    const page = await as('analyst').get(assessmentUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Camden: The ten golden threads, 2026/27');
    expect(page.body).toContain('Framework as published (seed)');
    expect(page.body).toContain('0 of 66 rated');
    expect(page.body).toContain(`href="${assessmentUrl}/sections/GT01"`);
    expect(page.body).toContain(`href="${assessmentUrl}/sections/GT10"`);
    expect(page.body).toContain('Golden thread 1: You can do it! (expect the best)');
    for (const part of ['standing', 'peers', 'moderation', 'sign-off', 'report']) expect(page.body).toContain(`href="${assessmentUrl}/${part}"`);
  });

  it('list assessments shows scope, period, status and progress, and filters by status', async () => {
    const page = await as('leader').get('/assessments');
    expect(page.body).toContain('The ten golden threads, 2026/27');
    expect(page.body).toContain('In progress');
    expect(page.body).toContain('0 of 66 rated');
    const filtered = await as('leader').get('/assessments?status=signed-off');
    expect(filtered.body).toContain('No assessments match the filters');
  });

  it('section page lists its statements with a Rate link each', async () => {
    const page = await as('analyst').get(`${assessmentUrl}/sections/GT01`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('public campaign');
    expect(page.body).toContain('Not rated');
    expect(page.body).toContain(`href="${statementUrl('GT01-M1')}"`);
    expect(page.body).toContain(`href="${assessmentUrl}/sections/GT02"`);
    expect((await as('analyst').get(`${assessmentUrl}/sections/nowhere`)).statusCode).toBe(404);
  });

  it('rate statement saves and returns to the section at the statement', async () => {
    const response = await rate('analyst', 'GT01-M1', { level: '3', note: 'Campaign reached every school', confidence: 'medium', next_step: 'Repeat in spring', next_step_owner: 'Comms', next_step_due: '2027-03-31', then: 'section' });
    expect(response.statusCode).toBe(303);
    expect(locationOf(response)).toBe(`${assessmentUrl}/sections/GT01?saved=GT01-M1#GT01-M1`);
    const section = await as('analyst').get(locationOf(response).split('#')[0]!);
    expect(section.body).toContain('Rating saved');
    expect(section.body).toContain('Established');
    expect(section.body).toContain('Repeat in spring');
    expect(await storedRating('GT01-M1')).toMatchObject({ level: 3, version: 1 });
  });

  it('rate statement and rate next goes to the following statement', async () => {
    const response = await rate('analyst', 'GT01', { level: '2', then: 'next' });
    expect(response.statusCode).toBe(303);
    expect(locationOf(response)).toBe(`${statementUrl('GT01-M1')}?saved=1`);
  });

  it('rate statement with a level off the scale names level and changes nothing', async () => {
    const response = await rate('analyst', 'GT01-M1', { level: '7', note: 'changed' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('href="#level"');
    expect(response.body).toContain('Level must be one of');
    expect(response.body).toContain('changed');
    expect(await storedRating('GT01-M1')).toMatchObject({ level: 3, note: 'Campaign reached every school', version: 1 });
    const audit = await testApp.database.db.selectFrom('audit_log').select(['outcome', 'details']).where('action', '=', 'assessment-rated').where('outcome', '=', 'failure').execute();
    expect(audit.map((entry) => entry.details)).toContainEqual(expect.objectContaining({ statement: 'GT01-M1', fields: ['level'] }));
  });

  it('rate statement not applicable without a reason names the reason', async () => {
    const response = await rate('analyst', 'GT01-M2', { level: 'not-applicable' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Say why this statement does not apply to you');
  });

  it('rate statement not in the assessment is refused naming it, and its page is not found', async () => {
    const agent = as('analyst');
    const page = await agent.get(statementUrl('GT01-M1'));
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const response = await postForm(agent, statementUrl('T1-GC-01'), { _csrf: token, version: '0', level: '2' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Statement T1-GC-01 is not in this assessment’s scope');
    expect((await agent.get(statementUrl('T1-GC-01'))).statusCode).toBe(404);
  });

  it('two saves from the same version keep one and show the other both versions, losing nothing', async () => {
    const ann = as('analyst');
    const bob = as('leader');
    const [annPage, bobPage] = await Promise.all([ann.get(statementUrl('GT02')), bob.get(statementUrl('GT02'))]);
    const fields = (page: LightMyRequestResponse) => ({ _csrf: /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!, version: /name="version" value="([^"]*)"/.exec(page.body)![1]! });
    const [annSave, bobSave] = await Promise.all([
      postForm(ann, statementUrl('GT02'), { ...fields(annPage), level: '2', note: 'Ann: parents forum started' }),
      postForm(bob, statementUrl('GT02'), { ...fields(bobPage), level: '4', note: 'Bob: parents co-design every service' }),
    ]);
    const statuses = [annSave.statusCode, bobSave.statusCode].sort();
    expect(statuses).toEqual([303, 409]);
    const refused = annSave.statusCode === 409 ? annSave : bobSave;
    const refusedNote = annSave.statusCode === 409 ? 'Ann: parents forum started' : 'Bob: parents co-design every service';
    const savedNote = annSave.statusCode === 409 ? 'Bob: parents co-design every service' : 'Ann: parents forum started';
    expect(refused.body).toContain('Someone else saved this statement while you were editing');
    expect(refused.body).toContain('Theirs, as saved');
    expect(refused.body).toContain('Yours, as you sent it');
    expect(refused.body).toContain(savedNote);
    expect(refused.body).toContain(refusedNote);
    // The form now names the stored version, so saving again replaces it knowingly.
    expect(refused.body).toContain('name="version" value="1"');
    expect(refused.body).not.toContain('data-ntg-autosave>');
    expect(await storedRating('GT02')).toMatchObject({ note: savedNote, version: 1 });
    const token = /name="_csrf" value="([^"]*)"/.exec(refused.body)![1]!;
    const again = await postForm(annSave.statusCode === 409 ? ann : bob, statementUrl('GT02'), { _csrf: token, version: '1', level: '3', note: `${savedNote}; ${refusedNote}` });
    expect(again.statusCode).toBe(303);
    expect(await storedRating('GT02')).toMatchObject({ level: 3, note: `${savedNote}; ${refusedNote}`, version: 2 });
  });

  it('save as you go answers JSON: saved with the version, 409 with what is stored, 422 with the errors', async () => {
    const json = { accept: 'application/json' };
    const saved = await rate('analyst', 'GT03', { level: '1', note: 'draft' }, json);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ saved: true, version: 1 });
    expect(typeof saved.json<{ updatedAt: unknown }>().updatedAt).toBe('string');
    const page = await as('leader').get(statementUrl('GT03'));
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    const stale = await postForm(as('leader'), statementUrl('GT03'), { _csrf: token, version: '0', level: '4' }, json);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ conflict: true, current: { level: 1, note: 'draft', version: 1, updatedBy: 'analyst' } });
    const bad = await rate('analyst', 'GT03', { level: '1', next_step_due: '31/03/2027' }, json);
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: unknown[] }>().errors[0]).toMatchObject({ field: 'next_step_due' });
  });

  it('another authority’s assessment is not found, to read or to rate', async () => {
    const westminsterAgent = as('westminster');
    expect((await westminsterAgent.get(assessmentUrl)).statusCode).toBe(404);
    expect((await westminsterAgent.get(statementUrl('GT01'))).statusCode).toBe(404);
    const page = await westminsterAgent.get('/assessments');
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const response = await postForm(westminsterAgent, statementUrl('GT05'), { _csrf: token, version: '0', level: '4' });
    expect(response.statusCode).toBe(404);
    expect(await storedRating('GT05')).toBeUndefined();
    const audit = await testApp.database.db.selectFrom('audit_log').select(['outcome', 'la_code']).where('action', '=', 'assessment-rated').where('actor_email', '=', 'westminster@example.org').execute();
    expect(audit).toEqual([{ outcome: 'denied', la_code: camden }]);
    expect((await as('head').get(assessmentUrl)).statusCode).toBe(404);
  });

  it('reader without write sees the rating read-only and cannot save', async () => {
    const admin = as('admin');
    const page = await admin.get(statementUrl('GT01-M1'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You may read this assessment but not rate it.');
    expect(page.body).not.toContain('data-ntg-autosave');
    expect(page.body).toContain('Campaign reached every school');
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const response = await postForm(admin, statementUrl('GT01-M1'), { _csrf: token, version: '1', level: '1' });
    expect(response.statusCode).toBe(403);
    expect(await storedRating('GT01-M1')).toMatchObject({ level: 3 });
  });

  describe('evidence', () => {
    let fileUrl = '';

    it('attach evidence accepts a PDF and lists it', async () => {
      const response = await as('analyst').upload(statementUrl('GT01-M1'), `${statementUrl('GT01-M1')}/evidence`, {}, [{ field: 'evidence_file', fileName: 'campaign report.pdf', content: pdfBytes }]);
      expect(response.statusCode).toBe(303);
      expect(locationOf(response)).toBe(`${statementUrl('GT01-M1')}?attached=campaign%20report.pdf#evidence`);
      const page = await as('analyst').get(locationOf(response).split('#')[0]!);
      expect(page.body).toContain('campaign report.pdf is attached.');
      expect(page.body).toContain('PDF · ');
      fileUrl = /href="(\/assessments\/[0-9a-f-]{36}\/evidence\/[0-9a-f-]{36})"/.exec(page.body)![1]!;
    });

    it('attach evidence refuses a .pdf that is really text, naming the field, storing nothing', async () => {
      const response = await as('analyst').upload(statementUrl('GT01-M1'), `${statementUrl('GT01-M1')}/evidence`, {}, [{ field: 'evidence_file', fileName: 'notes.pdf', content: 'just some text\n' }]);
      expect(response.statusCode).toBe(415);
      expect(response.body).toContain('href="#evidence_file"');
      expect(response.body).toContain('notes.pdf is not a type of file that can be attached');
      const executable = await as('analyst').upload(statementUrl('GT01-M1'), `${statementUrl('GT01-M1')}/evidence`, {}, [{ field: 'evidence_file', fileName: 'report.pdf', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]) }]);
      expect(executable.statusCode).toBe(415);
      const files = await testApp.database.db.selectFrom('assessment_evidence_file').select('filename').execute();
      expect(files.map((file) => file.filename)).toEqual(['campaign report.pdf']);
    });

    it('attach evidence over the limit is refused with the limit named', async () => {
      const big = Buffer.concat([pdfBytes, Buffer.alloc(1_048_576, 0x20)]);
      const response = await as('analyst').upload(statementUrl('GT01-M1'), `${statementUrl('GT01-M1')}/evidence`, {}, [{ field: 'evidence_file', fileName: 'big.pdf', content: big }]);
      expect(response.statusCode).toBe(413);
      expect(response.body).toContain('evidence files must be 1 MB or smaller');
    });

    it('download evidence gives a reader the file as an attachment, private, and audits it', async () => {
      const response = await as('admin').get(fileUrl);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="campaign report.pdf"; filename*=UTF-8''campaign%20report.pdf`);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.rawPayload.equals(pdfBytes)).toBe(true);
      const audit = await testApp.database.db
        .selectFrom('audit_log')
        .select(['actor_email', 'outcome', 'la_code'])
        .where('action', '=', 'assessment-evidence-downloaded')
        .execute();
      expect(audit).toContainEqual({ actor_email: 'admin@example.org', outcome: 'success', la_code: camden });
    });

    it('download evidence by someone who may not read the assessment is not found, and the refusal audited', async () => {
      const response = await as('westminster').get(fileUrl);
      expect(response.statusCode).toBe(404);
      const audit = await testApp.database.db.selectFrom('audit_log').select(['outcome']).where('action', '=', 'assessment-evidence-downloaded').where('actor_email', '=', 'westminster@example.org').execute();
      expect(audit).toEqual([{ outcome: 'denied' }]);
    });

    it('remove evidence takes the file off the statement', async () => {
      const page = await as('analyst').get(statementUrl('GT01-M1'));
      const token = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
      const response = await postForm(as('analyst'), `${fileUrl}/remove`, { _csrf: token });
      expect(response.statusCode).toBe(303);
      expect(locationOf(response)).toBe(`${statementUrl('GT01-M1')}?removed=1#evidence`);
      expect((await as('analyst').get(fileUrl)).statusCode).toBe(404);
    });
  });

  it('start next period carries ratings forward, marked until someone confirms them', async () => {
    const head = as('head');
    const first = await head.submit('/assessments/new', '/assessments/new', { organisation_id: schoolId, scope: 'T3', period: '2025/26' });
    expect(first.statusCode).toBe(303);
    const firstUrl = locationOf(first).split('?')[0]!;
    const page = await head.get(`${firstUrl}/statements/T3-P1`);
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    expect((await postForm(head, `${firstUrl}/statements/T3-P1`, { _csrf: token, version: '0', level: '3', note: 'Pupil progress meetings every half term' })).statusCode).toBe(303);
    await testApp.database.db.updateTable('assessment').set({ status: 'signed-off' }).where('id', '=', firstUrl.split('/')[2]!).execute();

    const next = await head.submit('/assessments/new', '/assessments/new', { organisation_id: schoolId, scope: 'T3', period: '2026/27' });
    const nextUrl = locationOf(next).split('?')[0]!;
    const list = await head.get('/assessments?period=2026/27');
    expect(list.body).toContain('Oakwood Primary School');
    expect(list.body).toMatch(/0 of \d+ rated, 1 carried forward/);
    const carried = await head.get(`${nextUrl}/statements/T3-P1`);
    expect(carried.body).toContain('This rating was carried forward from the previous period');
    expect(carried.body).toContain('saving confirms it for 2026/27');
    expect(carried.body).toContain('Pupil progress meetings every half term');
    const confirmToken = /name="_csrf" value="([^"]*)"/.exec(carried.body)![1]!;
    const version = /name="version" value="([^"]*)"/.exec(carried.body)![1]!;
    expect((await postForm(head, `${nextUrl}/statements/T3-P1`, { _csrf: confirmToken, version, level: '3', note: 'Pupil progress meetings every half term' })).statusCode).toBe(303);
    expect((await head.get(nextUrl)).body).toMatch(/1 of \d+ rated\./);
  });

  it('a signed-off assessment is read-only and refuses a rating, changing nothing', async () => {
    await testApp.database.db.updateTable('assessment').set({ status: 'signed-off', signed_off_by_label: 'leader' }).where('id', '=', assessmentUrl.split('/')[2]!).execute();
    const overview = await as('analyst').get(assessmentUrl);
    expect(overview.body).toContain('This assessment was signed off by leader');
    const page = await as('analyst').get(statementUrl('GT01-M1'));
    expect(page.body).not.toContain('data-ntg-autosave');
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    const response = await postForm(as('analyst'), statementUrl('GT01-M1'), { _csrf: token, version: '1', level: '1' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('This assessment has been signed off and can no longer be changed');
    expect(await storedRating('GT01-M1')).toMatchObject({ level: 3, version: 1 });
  });
});
