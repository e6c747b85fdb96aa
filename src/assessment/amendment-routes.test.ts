import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import { capabilities } from '../capabilities.js';
import { assessmentCapability } from './capability.js';
import type { Role } from '../auth/permissions.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';

const camden = 'E09000007';
const leeds = 'E08000035';
const seedText = (id: string) => seedStatements(loadCatalogue()).find((statement) => statement.id === id)!.text;

interface AmendmentsJson {
  total: number;
  revision: number;
  amendments: { id: string; la: string; change: string; statement_id: string | null; status: string; outcome: { status: string; reply: string; revision: number | null; accepted_text: string | null } }[];
}

describe.each(testEngines)('the reality check pages on %s', (engine) => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();
  const as = (who: string) => agents.get(who)!;
  const proposalIds: string[] = [];

  beforeAll(async () => {
    // Until the service lists the assessment capability (the lead wires it), the test adds it.
    testApp = await createTestApp({ engine, extraCapabilities: capabilities.includes(assessmentCapability) ? [] : [assessmentCapability] });
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const leedsOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds', areaCode: leeds, laCode: leeds });
    const england = await newOrganisation(db, { kind: 'region', name: 'National team', areaCode: 'E92000001' });
    const people: [string, Role, string][] = [
      ['camden', 'analyst', camdenOrganisation],
      ['leeds', 'leader', leedsOrganisation],
      ['moderator', 'national-moderator', england],
    ];
    for (const [who, role, organisationId] of people) {
      const { sessionToken } = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      const agent = new Agent(testApp.app);
      agent.cookies.set(sessionCookieName(false), sessionToken);
      agents.set(who, agent);
    }
  });
  afterAll(async () => testApp.close());

  const propose = (who: string, fields: Record<string, string>) => as(who).submit('/framework/amendments/new', '/framework/amendments/new', fields);

  it('show proposal form for a statement gives its current wording', async () => {
    const page = await as('camden').get('/framework/amendments/new?change=amend&statement=GT02-M1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(seedText('GT02-M1').replace(/'/g, '&#39;'));
    expect(page.body).toContain('name="proposed_text"');
    const chooser = await as('camden').get('/framework/amendments/new');
    expect(chooser.body).toContain('What would you like to propose?');
  });

  it('send proposal without a reason is refused naming the field and stores nothing', async () => {
    const response = await propose('camden', { change: 'amend', statement: 'GT02-M1', proposed_text: 'A new wording for the plan', reason: '', local_evidence: 'Our audit' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('href="#reason"');
    expect(response.body).toContain('Enter the reason for the change');
    expect(await testApp.database.db.selectFrom('framework_amendment').select('id').execute()).toEqual([]);
  });

  it('send proposals from two councils shows them together to the national team', async () => {
    for (const [who, text] of [['camden', 'Every partner shares one plan for each child, reviewed each term'], ['leeds', 'Every partner shares one plan for each child, reviewed every term']] as const) {
      const response = await propose(who, { change: 'amend', statement: 'GT02-M1', proposed_text: text, reason: 'Plans drift between reviews', local_evidence: 'Case audit of 40 plans' });
      expect(response.statusCode).toBe(303);
      const id = /^\/framework\/amendments\/([0-9a-f-]{36})\?proposed=1$/.exec(String(response.headers.location))?.[1];
      expect(id).toBeDefined();
      proposalIds.push(id!);
    }
    const list = await as('moderator').get('/framework/amendments');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('2 councils proposed changes here');
    expect(list.body).toContain('2 similar proposals from 2 councils');
    const own = await as('leeds').get('/framework/amendments');
    expect(own.body).toContain(`/framework/amendments/${proposalIds[1]}`);
    expect(own.body).not.toContain(`/framework/amendments/${proposalIds[0]}`);
    expect((await as('leeds').get(`/framework/amendments/${proposalIds[0]}`)).statusCode).toBe(404);
  });

  it('decide proposal as a council is refused with 403', async () => {
    const response = await as('camden').submit('/framework/amendments/new', `/framework/amendments/${proposalIds[0]}/decision`, { outcome: 'accept' });
    expect(response.statusCode).toBe(403);
  });

  it('reject proposal without a reply is refused naming the reply', async () => {
    const response = await as('moderator').submit(`/framework/amendments/${proposalIds[1]}`, `/framework/amendments/${proposalIds[1]}/decision`, { outcome: 'reject', reply: '' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('href="#reply"');
    const stored = await testApp.database.db.selectFrom('framework_amendment').select('status').where('id', '=', proposalIds[1]!).executeTakeFirstOrThrow();
    expect(stored.status).toBe('proposed');
  });

  it('merge then accept proposal publishes one revision the catalogue pages and both proposers see', async () => {
    const [camdenId, leedsId] = proposalIds as [string, string];
    expect((await as('moderator').submit(`/framework/amendments/${leedsId}`, `/framework/amendments/${leedsId}/decision`, { outcome: 'merge', merge_into: camdenId, reply: 'Alike' })).statusCode).toBe(303);
    const accepted = await as('moderator').submit(`/framework/amendments/${camdenId}`, `/framework/amendments/${camdenId}/decision`, { outcome: 'accept', final_text: 'Every partner shares one plan for each child, reviewed each term', reply: 'Accepted for revision 1' });
    expect(accepted.statusCode).toBe(303);

    const changes = await as('camden').get('/framework/changes');
    expect(changes.body).toContain('Revision 1');
    expect(changes.body).toContain('Every partner shares one plan for each child, reviewed each term');
    expect(changes.body).toContain(seedText('GT02-M1').replace(/'/g, '&#39;'));

    const item = await testApp.app.inject({ method: 'GET', url: '/framework/items/GT02-M1' });
    expect(item.body).toContain('Every partner shares one plan for each child, reviewed each term');
    expect(item.body).toContain('Changed in revision 1');

    const leedsList = await as('leeds').get('/framework/amendments');
    expect(leedsList.body).toContain('Accepted for revision 1');
    expect(leedsList.body).toContain('The change is in revision 1 of the framework.');

    const api = await as('leeds').get('/api/v1/framework/amendments');
    expect(api.statusCode).toBe(200);
    const body = api.json<AmendmentsJson>();
    expect(body.revision).toBe(1);
    expect(body.amendments.map((entry) => [entry.la, entry.status, entry.outcome.status, entry.outcome.revision, entry.outcome.accepted_text])).toEqual([[leeds, 'merged', 'accepted', 1, 'Every partner shares one plan for each child, reviewed each term']]);
    const all = (await as('moderator').get('/api/v1/framework/amendments?status=accepted')).json<AmendmentsJson>();
    expect(all.amendments.map((entry) => entry.id)).toEqual([camdenId]);
    expect((await as('moderator').get('/api/v1/framework/amendments?status=nonsense')).statusCode).toBe(400);
    const openapi = (await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, { get?: { responses: Record<string, unknown> } }> }>();
    expect(Object.keys(openapi.paths['/api/v1/framework/amendments']?.get?.responses ?? {})).toEqual(['200', '400']);

    const audit = await testApp.database.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', 'like', 'framework-amendment-%').orderBy('seq').execute();
    expect(audit.map((entry) => `${entry.action} ${entry.outcome}`)).toEqual([
      'framework-amendment-proposed failure',
      'framework-amendment-proposed success',
      'framework-amendment-proposed success',
      'framework-amendment-decided failure',
      'framework-amendment-decided success',
      'framework-amendment-decided success',
    ]);
  });

  it('accept retirement marks the statement retired while it stays readable by id', async () => {
    const response = await propose('camden', { change: 'retire', statement: 'GT05-M2', reason: 'Covered by the point before', local_evidence: 'Self-assessment 2025/26' });
    const id = /amendments\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1]!;
    await as('moderator').submit(`/framework/amendments/${id}`, `/framework/amendments/${id}/decision`, { outcome: 'accept', reply: '' });
    const item = await testApp.app.inject({ method: 'GET', url: '/framework/items/GT05-M2' });
    expect(item.statusCode).toBe(200);
    expect(item.body).toContain('Retired in revision 2');
    const thread = await testApp.app.inject({ method: 'GET', url: '/framework/golden-threads/5' });
    expect(thread.body).not.toContain('id="GT05-M2"');
  });

  it('accept addition shows the new statement on the template, its own page, search and the API', async () => {
    const form = await as('leeds').get('/framework/amendments/new?change=add&statement=T1-FRONTLINE-UNIVERSAL-03');
    expect(form.body).toContain('<option value="cell:1:frontline:universal" selected>');
    const response = await propose('leeds', { change: 'add', place: 'cell:1:frontline:universal', proposed_text: 'Family hubs open at weekends for working parents', reason: 'Working parents cannot come in the week', local_evidence: 'Hub survey 2025' });
    const id = /amendments\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1]!;
    expect((await as('moderator').submit(`/framework/amendments/${id}`, `/framework/amendments/${id}/decision`, { outcome: 'accept', final_text: 'Family hubs open at weekends for working parents and carers' })).statusCode).toBe(303);

    const template = await testApp.app.inject({ method: 'GET', url: '/framework/templates/1' });
    expect(template.body).toContain('<li id="T1-FRONTLINE-UNIVERSAL-X01" class="ntg-statement">');
    expect(template.body).toContain('Family hubs open at weekends for working parents and carers');
    const page = await testApp.app.inject({ method: 'GET', url: '/framework/items/T1-FRONTLINE-UNIVERSAL-X01' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Added in revision 3');
    const search = await testApp.app.inject({ method: 'GET', url: '/framework/search?q=weekends+working+parents' });
    expect(search.body).toContain('href="/framework/items/T1-FRONTLINE-UNIVERSAL-X01"');
    const retiredSearch = await testApp.app.inject({ method: 'GET', url: `/api/v1/framework/items/GT05-M2` });
    expect(retiredSearch.json()).toMatchObject({ id: 'GT05-M2', retired: true, revision: { number: 2, change: 'retire' } });
    const api = await testApp.app.inject({ method: 'GET', url: '/api/v1/framework/items/GT02-M1' });
    expect(api.json()).toMatchObject({ id: 'GT02-M1', text: 'Every partner shares one plan for each child, reviewed each term', revision: { number: 1, change: 'amend', previous_text: seedText('GT02-M1') } });
    const mine = (await as('leeds').get('/api/v1/framework/amendments?change=add')).json<AmendmentsJson>();
    expect(mine.amendments[0]!.outcome).toMatchObject({ status: 'accepted', revision: 3, accepted_text: 'Family hubs open at weekends for working parents and carers', added_statement_id: 'T1-FRONTLINE-UNIVERSAL-X01' });
  });
});
