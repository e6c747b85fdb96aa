import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { testEngines } from '../../test/support/database.js';
import type { Viewer } from '../auth/gate.js';
import { sessionCookieName } from '../auth/gate.js';
import { findSessionUser } from '../auth/sessions.js';
import type { Role } from '../auth/permissions.js';
import { capabilities } from '../capabilities.js';
import type { Schema } from '../db/schema.js';
import { assessmentCapability } from './capability.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { moderationSummary } from './moderation.js';
import { seedDemoModeration } from './moderation-demo.js';
import { statementsInScope } from './scope.js';
import { AssessmentService, isRefusal } from './service.js';
import type { RatingFields } from './store.js';
import { AssessmentLockedError, createAssessment, readAssessment, readRating, saveRating } from './store.js';

const camden = 'E09000007';
const barnet = 'E09000003';
const medway = 'E06000035';
const london = 'E12000007';
const southEast = 'E12000008';
const catalogue = loadCatalogue();
const threads = statementsInScope(seedStatements(catalogue), 'threads');
const fiveStatements = threads.slice(0, 5).map((statement) => statement.id);

function rating(level: number, note: string): RatingFields {
  return { level, notApplicable: false, notApplicableReason: '', note, links: [], confidence: 'high', nextStep: '', nextStepOwner: '', nextStepDue: null };
}

describe.each(testEngines)('sign-off and moderation pages on %s', (engine) => {
  let testApp: TestApp;
  let db: Kysely<Schema>;
  let service: AssessmentService;
  let camdenId: string;
  const people = new Map<string, { userId: string; token: string }>();

  const agentOf = (who: string) => {
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), people.get(who)!.token);
    return agent;
  };
  const viewerOf = async (who: string): Promise<Viewer> => ({ signedIn: true, ...(await findSessionUser(db, people.get(who)!.token))! });

  /** A threads assessment of Camden's, started by the analyst, with the first five statements rated (a note in each). */
  async function ratedAssessment(period: string, scope: 'threads' = 'threads'): Promise<string> {
    const id = await createAssessment(
      db,
      { laCode: camden, organisationId: camdenId, scope, period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads },
      { userId: people.get('analyst')!.userId, label: 'analyst' },
    );
    for (const [index, statementId] of fiveStatements.entries()) {
      // A later period starts from the last one's ratings (carried forward): save over what is there.
      const { version } = await readRating(db, camden, id, statementId);
      await saveRating(db, { laCode: camden, assessmentId: id, statementId, expectedVersion: version }, rating(4, `Self note SECRET-${index}`), { userId: people.get('analyst')!.userId, label: 'analyst' });
    }
    return id;
  }

  async function submitAndSignOff(id: string) {
    expect((await agentOf('analyst').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/submit`, {})).statusCode).toBe(303);
    expect((await agentOf('leader').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/sign-off`, { confirm: 'yes' })).statusCode).toBe(303);
  }

  beforeAll(async () => {
    // The capability joins the service's list at merge; until then the test adds it (once).
    testApp = await createTestApp({ engine, extraCapabilities: capabilities.includes(assessmentCapability) ? [] : [assessmentCapability] });
    db = testApp.database.db;
    service = new AssessmentService(db, catalogue, { evidenceLimitBytes: 1_000_000 });
    camdenId = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const barnetId = await newOrganisation(db, { kind: 'local-authority', name: 'Barnet', areaCode: barnet, laCode: barnet });
    const medwayId = await newOrganisation(db, { kind: 'local-authority', name: 'Medway', areaCode: medway, laCode: medway });
    const londonId = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: london });
    const southEastId = await newOrganisation(db, { kind: 'region', name: 'South East', areaCode: southEast });
    const cast: [string, Role, string][] = [
      ['analyst', 'analyst', camdenId],
      ['leader', 'leader', camdenId],
      ['barnet-leader', 'leader', barnetId],
      ['medway-leader', 'leader', medwayId],
      ['london-adviser', 'regional-adviser', londonId],
      ['south-east-adviser', 'regional-adviser', southEastId],
    ];
    for (const [who, role, organisationId] of cast) {
      const { userId, sessionToken } = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      people.set(who, { userId, token: sessionToken });
    }
  });
  afterAll(async () => testApp.close());

  it('sign off assessment locks it: a rating afterwards is refused and nothing stored changes', async () => {
    const id = await ratedAssessment('2021/22');
    await submitAndSignOff(id);
    const signed = (await readAssessment(db, id))!;
    expect(signed.status).toBe('signed-off');
    expect(signed.signedOffBy).toBe('leader');
    expect(signed.signedOffAt).toBeInstanceOf(Date);

    await expect(saveRating(db, { laCode: camden, assessmentId: id, statementId: fiveStatements[0]!, expectedVersion: 1 }, rating(1, 'changed'), { userId: null, label: 'x' })).rejects.toBeInstanceOf(
      AssessmentLockedError,
    );
    const outcome = await service.rate(await viewerOf('analyst'), id, fiveStatements[1]!, { level: '1', version: '1', confidence: 'low' }, '127.0.0.1');
    expect(outcome.outcome).toBe('refused');
    const after = (await readAssessment(db, id))!;
    expect(after.ratings).toEqual(signed.ratings);
    const page = await agentOf('analyst').get(`/assessments/${id}/sign-off`);
    expect(page.body).toContain('signed off and read-only');
  });

  it('sign off assessment by an analyst or another authority’s leader is refused and the status stays submitted', async () => {
    const id = await ratedAssessment('2022/23');
    expect((await agentOf('analyst').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/submit`, {})).statusCode).toBe(303);
    const token = /name="_csrf" value="([^"]*)"/;
    const analyst = agentOf('analyst');
    const csrf = token.exec((await analyst.get(`/assessments/${id}/sign-off`)).body)![1]!;
    const byAnalyst = await testApp.app.inject({
      method: 'POST',
      url: `/assessments/${id}/sign-off`,
      payload: new URLSearchParams({ _csrf: csrf, confirm: 'yes' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(analyst.cookies),
    });
    expect(byAnalyst.statusCode).toBe(403);
    const barnetLeader = agentOf('barnet-leader');
    const barnetCsrf = token.exec((await barnetLeader.get('/moderation')).body)?.[1] ?? '';
    const byPeer = await testApp.app.inject({
      method: 'POST',
      url: `/assessments/${id}/sign-off`,
      payload: new URLSearchParams({ _csrf: barnetCsrf, confirm: 'yes' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(barnetLeader.cookies),
    });
    expect(byPeer.statusCode).toBe(404);
    expect((await readAssessment(db, id))!.status).toBe('submitted');
    const audited = await db.selectFrom('audit_log').select(['action', 'outcome']).where('target', 'in', [`assessment:${id}`, `POST /assessments/:id/sign-off`]).where('outcome', '=', 'denied').execute();
    expect(audited.length).toBeGreaterThan(0);
  });

  it('return assessment without a reason is refused naming the field, with a reason reopens it', async () => {
    const id = await ratedAssessment('2018/19');
    expect((await agentOf('analyst').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/submit`, {})).statusCode).toBe(303);
    const blank = await agentOf('leader').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/return`, { reason: ' ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('href="#reason"');
    expect((await readAssessment(db, id))!.status).toBe('submitted');
    const returned = await agentOf('leader').submit(`/assessments/${id}/sign-off`, `/assessments/${id}/return`, { reason: 'Evidence for thread 2 is missing' });
    expect(returned.statusCode).toBe(303);
    expect((await readAssessment(db, id))!.status).toBe('in-progress');
    expect((await agentOf('analyst').get(`/assessments/${id}/sign-off`)).body).toContain('Evidence for thread 2 is missing');
  });

  it('invite moderator of the same organisation, another region or no account is refused naming the email field', async () => {
    const id = await ratedAssessment('2017/18');
    await submitAndSignOff(id);
    for (const email of ['analyst@example.org', 'south-east-adviser@example.org', 'nobody@example.org']) {
      const response = await agentOf('leader').submit(`/assessments/${id}/moderation`, `/assessments/${id}/moderation`, { email, sample: 'all' });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('href="#email"');
    }
    expect(await db.selectFrom('assessment_moderation').select('id').where('assessment_id', '=', id).execute()).toEqual([]);
  });

  it('moderate assessment keeps the moderator blind until they submit, on pages and in the service', async () => {
    const id = await ratedAssessment('2023/24');
    await submitAndSignOff(id);
    const invited = await agentOf('leader').submit(`/assessments/${id}/moderation`, `/assessments/${id}/moderation`, { email: 'london-adviser@example.org', sample: 'picked', picked: fiveStatements[0]! });
    expect(invited.statusCode).toBe(303);
    const moderation = await db.selectFrom('assessment_moderation').select(['id', 'sample', 'moderator_organisation']).where('assessment_id', '=', id).executeTakeFirstOrThrow();
    expect(moderation.sample).toEqual([fiveStatements[0]]);
    expect(moderation.moderator_organisation).toBe('Regional adviser, London');

    const adviser = agentOf('london-adviser');
    expect((await adviser.get('/moderation')).body).toContain(`/moderation/${moderation.id}`);
    expect((await adviser.submit(`/moderation/${moderation.id}`, `/moderation/${moderation.id}/accept`, {})).statusCode).toBe(303);
    const pages = [
      await adviser.get(`/moderation/${moderation.id}`),
      await adviser.get(`/moderation/${moderation.id}/statements/${fiveStatements[0]}`),
      await adviser.get(`/assessments/${id}/moderation`),
      await adviser.get(`/assessments/${id}/peers`),
      await adviser.get(`/assessments/${id}/sign-off`),
    ];
    for (const page of pages) {
      expect(page.body).not.toContain('SECRET-');
      expect(page.body).not.toContain('Self-rating');
    }
    expect(pages.slice(2).map((page) => page.statusCode)).toEqual([403, 403, 403]);
    const blindRead = await service.get(await viewerOf('london-adviser'), id);
    expect(isRefusal(blindRead) ? blindRead.statusCode : 200).toBe(403);
    expect(JSON.stringify(blindRead)).not.toContain('SECRET-');

    const blindJson = await adviser.get(`/api/v1/moderation/${moderation.id}`);
    expect(blindJson.statusCode).toBe(200);
    const blindBody = blindJson.json<{ statements: { statement_id: string; self: unknown; moderator: { level: number | null } }[] }>();
    expect(blindBody.statements.map((statement) => [statement.statement_id, statement.self])).toEqual([[fiveStatements[0], null]]);
    expect(blindJson.body).not.toContain('SECRET-');
    expect((await agentOf('barnet-leader').get(`/api/v1/moderation/${moderation.id}`)).statusCode).toBe(404);

    const unrated = await adviser.submit(`/moderation/${moderation.id}`, `/moderation/${moderation.id}/submit`, {});
    expect(unrated.statusCode).toBe(409);
    expect((await adviser.submit(`/moderation/${moderation.id}/statements/${fiveStatements[0]}`, `/moderation/${moderation.id}/statements/${fiveStatements[0]}`, { level: '2', comment: 'Seen in two places only' })).statusCode).toBe(303);
    expect((await adviser.submit(`/moderation/${moderation.id}`, `/moderation/${moderation.id}/submit`, {})).statusCode).toBe(303);

    const seen = await service.get(await viewerOf('london-adviser'), id);
    expect(isRefusal(seen)).toBe(false);
    const compared = await adviser.get(`/moderation/${moderation.id}`);
    expect(compared.body).toContain('Self-rating');
    expect(compared.body).toContain('Differs: −2 levels');
    const comparedJson = (await adviser.get(`/api/v1/moderation/${moderation.id}`)).json<{ statements: { self: unknown; moderator: unknown }[] }>();
    expect(comparedJson.statements).toEqual([
      { statement_id: fiveStatements[0], text: threads[0]!.text, moderator: { level: 2, level_name: 'developing', not_applicable: false }, moderator_comment: 'Seen in two places only', self: { level: 4, level_name: 'embedded', not_applicable: false }, agreed: null },
    ]);
  });

  it('moderator cannot read another assessment through an invitation', async () => {
    const invitedTo = await ratedAssessment('2015/16');
    const other = await ratedAssessment('2016/17');
    await submitAndSignOff(invitedTo);
    await submitAndSignOff(other);
    expect((await agentOf('leader').submit(`/assessments/${invitedTo}/moderation`, `/assessments/${invitedTo}/moderation`, { email: 'barnet-leader@example.org', sample: 'all' })).statusCode).toBe(303);
    const peer = agentOf('barnet-leader');
    for (const url of [`/assessments/${other}/moderation`, `/assessments/${other}/peers`, `/assessments/${other}/sign-off`, `/assessments/${invitedTo}/moderation`]) {
      expect((await peer.get(url)).statusCode).toBe(404);
    }
    const read = await service.get(await viewerOf('barnet-leader'), other);
    expect(isRefusal(read) ? read.statusCode : 200).toBe(404);
    const moderation = await db.selectFrom('assessment_moderation').select('id').where('assessment_id', '=', invitedTo).executeTakeFirstOrThrow();
    expect((await agentOf('medway-leader').get(`/moderation/${moderation.id}`)).statusCode).toBe(404);
  });

  it('agree moderated rating records who and when, marks the moderation agreed and leaves the self-rating unchanged', async () => {
    const id = await ratedAssessment('2024/25');
    await submitAndSignOff(id);
    const before = (await readAssessment(db, id))!.ratings;
    expect((await agentOf('leader').submit(`/assessments/${id}/moderation`, `/assessments/${id}/moderation`, { email: 'medway-leader@example.org', sample: 'random', size: '2' })).statusCode).toBe(303);
    const moderation = await db.selectFrom('assessment_moderation').select(['id', 'sample']).where('assessment_id', '=', id).executeTakeFirstOrThrow();
    expect(moderation.sample).toHaveLength(2);
    const [first, second] = moderation.sample!;
    const peer = agentOf('medway-leader');
    await peer.submit(`/moderation/${moderation.id}`, `/moderation/${moderation.id}/accept`, {});
    for (const statementId of [first!, second!]) {
      await peer.submit(`/moderation/${moderation.id}/statements/${statementId}`, `/moderation/${moderation.id}/statements/${statementId}`, { level: '3' });
    }
    await peer.submit(`/moderation/${moderation.id}`, `/moderation/${moderation.id}/submit`, {});

    const noComment = await peer.submit(`/moderation/${moderation.id}/statements/${first}`, `/moderation/${moderation.id}/statements/${first}`, { level: '3', version: '2' });
    expect(noComment.statusCode).toBe(422);
    expect(noComment.body).toContain('href="#comment"');
    expect((await peer.submit(`/moderation/${moderation.id}/statements/${first}`, `/moderation/${moderation.id}/statements/${first}`, { level: '3', comment: 'Agreed at the triad meeting', version: '2' })).statusCode).toBe(303);
    expect((await db.selectFrom('assessment_moderation').select('status').where('id', '=', moderation.id).executeTakeFirstOrThrow()).status).toBe('submitted');
    const byOrganisation = await agentOf('leader').submit(
      `/assessments/${id}/moderation/${moderation.id}/statements/${second}`,
      `/assessments/${id}/moderation/${moderation.id}/statements/${second}`,
      { level: 'na', comment: 'Not a service we run', version: '2' },
    );
    expect(byOrganisation.statusCode).toBe(303);

    const stored = await db.selectFrom('assessment_moderation_rating').select(['statement_id', 'agreed_level', 'agreed_not_applicable', 'agreed_by_label', 'agreed_at']).where('moderation_id', '=', moderation.id).orderBy('statement_id').execute();
    expect(stored.find((row) => row.statement_id === first)).toMatchObject({ agreed_level: 3, agreed_not_applicable: false, agreed_by_label: 'medway-leader' });
    expect(stored.find((row) => row.statement_id === second)).toMatchObject({ agreed_level: null, agreed_not_applicable: true, agreed_by_label: 'leader' });
    expect(stored.every((row) => row.agreed_at instanceof Date)).toBe(true);
    expect((await db.selectFrom('assessment_moderation').select('status').where('id', '=', moderation.id).executeTakeFirstOrThrow()).status).toBe('agreed');
    expect((await readAssessment(db, id))!.ratings).toEqual(before);

    const summary = (await moderationSummary(db, id))!;
    expect(summary.status).toBe('agreed');
    expect(summary.agreedCount).toBe(2);
    expect(summary.statements.map((entry) => entry.moderatedLevel)).toEqual([3, 3]);
    const organisationPage = await agentOf('leader').get(`/assessments/${id}/moderation`);
    expect(organisationPage.body).toContain('Agreed at the triad meeting');
  });
  it('show peers page withholds distributions under 5 authorities, says the authority is counted, and downloads as CSV and Excel', async () => {
    const id = await ratedAssessment('2014/15');
    await submitAndSignOff(id);
    const page = await agentOf('analyst').get(`/assessments/${id}/peers`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Fewer than 5 authorities: not shown');
    expect(page.body).toContain('The counts include Camden');
    expect(page.body).not.toContain('Barnet');
    const csv = await agentOf('analyst').get(`/assessments/${id}/peers.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, firstRow] = csv.body.split('\r\n');
    expect(header).toContain('Statement,Statement reference,This assessment’s rating,London: authorities contributing');
    expect(firstRow).toContain(',GT01,Embedded,1,c,c,c,c,c,c,');
    const xlsx = await agentOf('analyst').get(`/assessments/${id}/peers.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const audited = await db.selectFrom('audit_log').select('details').where('action', '=', 'assessment-peers-downloaded').where('target', '=', `assessment:${id}`).execute();
    expect(audited).toHaveLength(2);
  });
  it('seed demo moderation makes a submitted moderation with agreed ratings once, which both sides can open', async () => {
    const id = await ratedAssessment('2013/14');
    await submitAndSignOff(id);
    const moderationId = (await seedDemoModeration(db, id, { moderatorEmail: 'london-adviser@example.org', sampleSize: 6, agreed: 2 }))!;
    expect(await seedDemoModeration(db, id, { moderatorEmail: 'london-adviser@example.org' })).toBeUndefined();
    const summary = (await moderationSummary(db, id))!;
    expect(summary).toMatchObject({ moderationId, status: 'submitted', agreedCount: 2 });
    expect(summary.statements).toHaveLength(6);
    expect((await agentOf('leader').get(`/assessments/${id}/moderation`)).body).toContain('Record the agreed rating');
    expect((await agentOf('london-adviser').get(`/moderation/${moderationId}`)).body).toContain('Agreed at the regional review meeting');
  });
});
