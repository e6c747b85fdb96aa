import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import { statementsInScope } from '../assessment/scope.js';
import { createAssessment, saveRating } from '../assessment/store.js';
import { sessionCookieName } from '../auth/gate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { importChildFile } from '../ingest/child-import.js';
import { PracticeService } from './service.js';

const camden = 'E09000007';
const catalogue = loadCatalogue();

describe.each(testEngines)('practice for your gaps on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    folder = mkdtempSync(join(tmpdir(), 'ntg-practice-gaps-'));
    // 40 disadvantaged pupils (8 reach the standard) against 40 others (34 do): a wide, significant gap.
    const rows = [
      ...Array.from({ length: 40 }, (_, index) => child(index, { disadvantaged: 'Y', ks2_rwm_expected: index < 8 ? 'Y' : 'N' })),
      ...Array.from({ length: 40 }, (_, index) => child(100 + index, { disadvantaged: 'N', ks2_rwm_expected: index < 34 ? 'Y' : 'N' })),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });

    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    for (const [who, token] of await signedInPeople(db, [
      ['leader', 'leader', authority],
      ['contributor', 'contributor', authority],
    ]))
      sessions.set(who, token);

    // Template one rated: its first general condition "not yet in place".
    const t1 = statementsInScope(seedStatements(catalogue), 'T1');
    const assessmentId = await createAssessment(
      db,
      { laCode: camden, organisationId: authority, scope: 'T1', period: '2026/27', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: t1 },
      { userId: null, label: 'test' },
    );
    await saveRating(
      db,
      { laCode: camden, assessmentId, statementId: 'T1-GC-01', expectedVersion: 0 },
      { level: 1, notApplicable: false, notApplicableReason: '', note: '', links: [], confidence: null, nextStep: '', nextStepOwner: '', nextStepDue: null },
      { userId: null, label: 'test' },
    );

    const people = await practicePeople(db);
    const practice = new PracticeService(db, catalogue, { bytes: 1_048_576, perItem: 5 });
    const publish = async (title: string, overrides: Parameters<typeof completeContent>[0]) => {
      const id = await practice.workflow.createDraft(people.submitter, completeContent({ title, ...overrides }));
      await practice.workflow.submit(people.submitter, id);
      await practice.workflow.screen(people.moderator, id, { decision: 'review', reviewerIds: [people.reviewerA.viewer.userId, people.reviewerB.viewer.userId], feedback: '', personalDataChecked: true });
      const rating = { grade: 'promising', evidenceStrength: 3, studies: 1, reasons: 'One study.' };
      await practice.workflow.submitReview(people.reviewerA, id, rating);
      await practice.workflow.submitReview(people.reviewerB, id, rating);
      await practice.workflow.decide(people.moderator, id, { outcome: 'publish', grade: 'promising', evidenceStrength: 3, feedback: 'Thanks.', personalDataChecked: true });
      return id;
    };
    await publish('Maths tutoring for disadvantaged pupils', { groups: ['poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], statements: [], threads: [] });
    await publish('Information sharing in early years', { groups: ['young-carers'], outcomes: ['be-healthy'], statements: ['T1-GC-01'], threads: [] });
    await publish('Young carers’ drop-in', { groups: ['young-carers'], outcomes: ['be-healthy'], statements: [], threads: [] });
    const unpublished = await practice.workflow.createDraft(people.submitter, completeContent({ title: 'A draft that serves disadvantaged pupils', groups: ['poorer-socio-economic-groups'] }));
    await practice.workflow.submit(people.submitter, unpublished);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('ranks published practice against the authority’s own significant gaps and weakest ratings, with the reasons', async () => {
    const response = await get('leader', '/practice/for-your-gaps');
    expect(response.statusCode).toBe(200);
    const page = response.body;
    expect(page).toContain('Maths tutoring for disadvantaged pupils');
    expect(page).toContain('Information sharing in early years');
    expect(page).not.toContain('Young carers’ drop-in');
    expect(page).not.toContain('A draft that serves disadvantaged pupils');
    expect(page.indexOf('Maths tutoring for disadvantaged pupils')).toBeLessThan(page.indexOf('Information sharing in early years'));
    expect(page).toContain('Serves this group on “enjoy and achieve”: your gap for children from poorer socio-economic groups');
    expect(page).toContain('which your self-assessment (Template 1');
    expect(page).toContain('rated “Not yet in place”');
  });

  it('is for people who may read the authority’s figures', async () => {
    expect((await get('contributor', '/practice/for-your-gaps')).statusCode).toBe(403);
    expect((await testApp.app.inject({ method: 'GET', url: '/practice/for-your-gaps' })).statusCode).toBe(303);
    expect((await get('leader', '/practice/for-your-gaps?la=E09999999')).statusCode).toBe(404);
  });
});
