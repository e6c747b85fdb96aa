import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { multipartBody } from '../../test/support/agent.js';
import { testEngines } from '../../test/support/database.js';
import { completeContent, meansResult, practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import type { FormFields } from '../../test/support/practice-pages.js';
import { agentOf, csrfTokenIn, errorSummaryLinks, formFieldsOf, postForm } from '../../test/support/practice-pages.js';
import type { Schema } from '../db/schema.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { PracticeContent } from './content.js';
import { formOf } from './form-input.js';
import { PracticeService } from './service.js';
import { readItem } from './store.js';
import { submissionLimits } from './workflow.js';

/** The fields a browser sends for content typed into the form. */
function fieldsFor(content: PracticeContent, extra: FormFields = []): FormFields {
  const form = formOf(content);
  const fields: FormFields = [];
  for (const [name, value] of Object.entries(form)) {
    if (name === 'results' || name === 'links' || name === 'statementSearch' || name === 'responseToFeedback') continue;
    if (Array.isArray(value)) for (const entry of value as string[]) fields.push([name, entry]);
    else if (typeof value === 'boolean') {
      if (value) fields.push([name, 'yes']);
    } else fields.push([name, value as string]);
  }
  form.results.forEach((row, index) => {
    for (const [name, value] of Object.entries(row)) fields.push([`results.${index}.${name}`, value]);
  });
  form.links.forEach((link, index) => {
    fields.push([`links.${index}.url`, link.url], [`links.${index}.title`, link.title]);
  });
  return [...fields, ...extra];
}

/** Every kind of result and two links, so a round trip passes through every field of the form. */
const everyField = completeContent({
  threads: ['GT03', 'GT07'],
  // In the form's order (general conditions before the matrix), so the form as shown sends them back the same.
  statements: ['T1-GC-01', 'T1-FRONTLINE-UNIVERSAL-01'],
  groups: ['children-in-care', 'young-carers'],
  outcomes: ['be-healthy', 'enjoy-and-achieve'],
  tiers: ['targeted', 'complex'],
  settingTypes: ['primary', 'voluntary-community'],
  results: [
    meansResult(),
    meansResult({ outcome: 'Fixed-term exclusions', forWhom: 'Year 6', measure: 'counts', higherIsBetter: false, mean: null, sd: null, comparatorMean: null, comparatorSd: null, events: 4, n: 60, comparatorEvents: 12, comparatorN: 65 }),
    meansResult({ outcome: 'Wellbeing', forWhom: 'Everyone', measure: 'effect', mean: null, sd: null, comparatorMean: null, comparatorSd: null, comparatorN: null, effectSize: 0.31, lower: 0.05, upper: 0.57, n: 120 }),
  ],
  links: [
    { url: 'https://example.org/report', title: 'Evaluation report' },
    { url: 'https://example.org/toolkit?a=1&b=2', title: 'Toolkit & guide' },
  ],
  costPerChild: 1250.5,
  whatWentWrong: 'Placement moves broke some pairings.\n\nWe now plan for them.',
});

describe.each(testEngines)('the submitter’s pages on %s', (engine) => {
  let testApp: TestApp;
  let db: Kysely<Schema>;
  let people: PracticePeople;
  let practice: PracticeService;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    db = testApp.database.db;
    people = await practicePeople(db);
    practice = new PracticeService(db, loadCatalogue(), { bytes: 1_048_576, perItem: 5 });
  });
  afterAll(async () => testApp.close());
  // Every request here comes from one address: each test starts with the day's allowance.
  beforeEach(async () => {
    await db.deleteFrom('practice_submission_attempt').execute();
  });

  const submitter = () => agentOf(testApp.app, people, 'submitter');

  async function created(content: PracticeContent = everyField): Promise<string> {
    const response = await postForm(submitter(), testApp.app, '/practice/submissions/new', '/practice/submissions', fieldsFor(content, [['action', 'save']]));
    expect(response.statusCode).toBe(303);
    const id = /\/practice\/submissions\/([0-9a-f-]{36})\?done=started$/.exec(String(response.headers.location))?.[1];
    expect(id).toBeDefined();
    return id!;
  }

  it('save submission form keeps every field, and the form as shown saves back unchanged', async () => {
    const id = await created();
    const stored = (await readItem(db, id))!;
    expect(stored.draft).toEqual(everyField);

    const agent = submitter();
    const page = await agent.get(`/practice/submissions/${id}`);
    expect(page.statusCode).toBe(200);
    const shown = formFieldsOf(page.body, `/practice/submissions/${id}`);
    const resave = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...shown, ['action', 'save']]);
    expect(resave.statusCode).toBe(303);
    expect(resave.headers.location).toBe(`/practice/submissions/${id}?done=saved`);
    const again = (await readItem(db, id))!;
    expect(again.draft).toEqual(everyField);
    expect(again.version).toBe(stored.version + 1);
  });

  it('show saved submission with each result’s effect, interval and months, and the cost band', async () => {
    const id = await created();
    const page = await submitter().get(`/practice/submissions/${id}`);
    expect(page.body).toContain('What reviewers will see:</strong> effect size +0.28 (95% interval −0.08 to +0.63), +4 months (−1 month to +8 months) of additional progress, 125 children.');
    expect(page.body).toContain('effect size +0.31 (95% interval +0.05 to +0.57), +4 months (+1 month to +7 months) of additional progress, 120 children.');
    expect(page.body).toContain('very high (over £1,200 per child per year)');
    expect(page.body).toContain('Children in care');
    expect(page.body).toContain('Golden thread 3: through the eyes of the child');
    // The history, and the service's own version in the footer, untouched by the item's.
    expect(page.body).toMatch(/<strong>Draft started<\/strong>/);
    expect(page.body).toMatch(/Narrowing the Gap version [^<]*\d/);
    expect(page.body).not.toContain('version [object Object]');
  });

  it('submit incomplete submission lists each problem linked to its field', async () => {
    const id = await created(completeContent({ summary: '', groups: [], consent: false, results: [meansResult({ sd: null })] }));
    const agent = submitter();
    const shown = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const response = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...shown, ['action', 'submit']]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<title>Error: ');
    const links = errorSummaryLinks(response.body);
    expect(links.map((link) => link.href)).toEqual(expect.arrayContaining(['#summary', '#groups', '#consent', '#results-0-sd']));
    expect(links.find((link) => link.href === '#results-0-sd')?.text).toBe('Result 1: give the intervention group’s standard deviation');
    expect(links.filter((link) => !link.targetExists)).toEqual([]);
    expect((await readItem(db, id))!.status).toBe('draft');
  });

  it('save submission with a figure that is not a number names the field and keeps what was typed', async () => {
    const id = await created(completeContent());
    const fields = fieldsFor(completeContent(), [['action', 'save'], ['version', String((await readItem(db, id))!.version)]]).map(([name, value]): [string, string] =>
      name === 'results.0.sd' ? [name, 'twelve'] : name === 'costPerChild' ? [name, '£1,50'] : [name, value],
    );
    const response = await postForm(submitter(), testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, fields);
    expect(response.statusCode).toBe(400);
    const links = errorSummaryLinks(response.body);
    expect(links.map((link) => [link.href, link.text])).toEqual([
      ['#results-0-sd', 'Result 1: the intervention group’s standard deviation must be a number, like 12 or 0.35 (you entered “twelve”)'],
      ['#costPerChild', 'Cost per child per year must be a number, like 12 or 0.35 (you entered “£1,50”)'],
    ]);
    expect(response.body).toContain('value="twelve"');
  });

  it('add another result without script saves and adds a row; remove takes it away', async () => {
    const id = await created(completeContent());
    const agent = submitter();
    const shown = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const changed = shown.map(([name, value]): [string, string] => (name === 'title' ? [name, 'Renamed while adding'] : [name, value]));
    const added = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...changed, ['action', 'add-result']]);
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`/practice/submissions/${id}?done=saved&add=result#result-2`);
    expect((await readItem(db, id))!.draft.title).toBe('Renamed while adding');
    const page = await agent.get(String(added.headers.location));
    expect(page.body).toContain('id="result-2"');
    expect(page.body).toContain('Remove result 2');

    const withRow = formFieldsOf(page.body, `/practice/submissions/${id}`).map(([name, value]): [string, string] => (name === 'results.1.outcome' ? [name, 'Attendance'] : [name, value]));
    await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...withRow, ['action', 'save']]);
    expect((await readItem(db, id))!.draft.results.map((result) => result.outcome)).toEqual(['Reading age (months)', 'Attendance']);

    const again = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const removed = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...again, ['action', 'remove-result-0']]);
    expect(removed.statusCode).toBe(303);
    expect((await readItem(db, id))!.draft.results.map((result) => result.outcome)).toEqual(['Attendance']);
  });

  it('add a link and find statements save the draft first and come back to the same place', async () => {
    const id = await created(completeContent({ links: [] }));
    const agent = submitter();
    const shown = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const link = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...shown, ['action', 'add-link']]);
    expect([link.statusCode, errorSummaryLinks(link.body)]).toEqual([303, []]);
    expect(link.headers.location).toBe(`/practice/submissions/${id}?done=saved&add=link#links-0-url`);
    expect((await agent.get(String(link.headers.location))).body).toContain('id="links-0-url"');
    expect((await readItem(db, id))!.draft.links).toEqual([]);

    const current = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const find = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...current.filter(([name]) => name !== 'statementSearch'), ['statementSearch', 'drop-in'], ['action', 'find-statements']]);
    expect(find.headers.location).toBe(`/practice/submissions/${id}?find=drop-in#statements-heading`);
    const found = await agent.get(String(find.headers.location));
    expect(found.body).toMatch(/\d+ statements? contains? “drop-in”/);
    expect(found.body).toContain('id="statements-found"');
  });

  it('save submission changed elsewhere keeps what was typed with a clear message', async () => {
    const id = await created(completeContent());
    const agent = submitter();
    const stale = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const item = (await readItem(db, id))!;
    await practice.workflow.saveDraft(people.submitter, id, completeContent({ title: 'Saved in another tab' }), item.version);
    const typed = stale.map(([name, value]): [string, string] => (name === 'title' ? [name, 'What I typed here'] : [name, value]));
    const response = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...typed, ['action', 'save']]);
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('This draft was saved somewhere else while you were editing');
    expect(response.body).toContain('value="What I typed here"');
    expect((await readItem(db, id))!.draft.title).toBe('Saved in another tab');
    // Saving again from that page replaces the other version, on purpose.
    const resend = formFieldsOf(response.body, `/practice/submissions/${id}`);
    await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...resend, ['action', 'save']]);
    expect((await readItem(db, id))!.draft.title).toBe('What I typed here');
  });

  it('submit, then returned: the feedback shows and an answer is needed to submit again', async () => {
    const id = await created(completeContent());
    const agent = submitter();
    const shown = formFieldsOf((await agent.get(`/practice/submissions/${id}`)).body, `/practice/submissions/${id}`);
    const sent = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...shown, ['action', 'submit']]);
    expect(sent.headers.location).toBe(`/practice/submissions/${id}?done=submitted`);
    const submittedPage = await agent.get(`/practice/submissions/${id}?done=submitted`);
    expect(submittedPage.body).toContain('Waiting to be screened');
    expect(submittedPage.body).toContain('Submitted for moderation. The national team will screen it');

    await practice.workflow.screen(people.moderator, id, { decision: 'return', reviewerIds: [], feedback: 'Please give the <b>comparison</b> group’s size.', personalDataChecked: false });
    const list = await agent.get('/practice/submit');
    expect(list.body).toContain('Feedback waiting for your answer');
    const returned = await agent.get(`/practice/submissions/${id}`);
    expect(returned.body).toContain('The national team has returned this to you with feedback');
    expect(returned.body).toContain('Please give the &lt;b&gt;comparison&lt;/b&gt; group’s size.');
    const fields = formFieldsOf(returned.body, `/practice/submissions/${id}`);
    const unanswered = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...fields, ['action', 'submit']]);
    expect(unanswered.statusCode).toBe(400);
    expect(errorSummaryLinks(unanswered.body)).toEqual([{ href: '#responseToFeedback', text: 'Say how you have answered the feedback before you resubmit', targetExists: true }]);
    const answered = formFieldsOf(unanswered.body, `/practice/submissions/${id}`).map(([name, value]): [string, string] => (name === 'responseToFeedback' ? [name, 'Added the size: 65.'] : [name, value]));
    const resubmitted = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...answered, ['action', 'submit']]);
    expect(resubmitted.statusCode).toBe(303);
    const item = (await readItem(db, id))!;
    expect([item.status, item.currentVersion]).toEqual(['submitted', 2]);
  });

  it('withdraw submission asks first, then withdraws it', async () => {
    const id = await created(completeContent());
    const agent = submitter();
    const confirm = await agent.get(`/practice/submissions/${id}/withdraw`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('You cannot undo this');
    const response = await postForm(agent, testApp.app, `/practice/submissions/${id}/withdraw`, `/practice/submissions/${id}/withdraw`, []);
    expect(response.statusCode).toBe(303);
    expect((await readItem(db, id))!.status).toBe('withdrawn');
    const again = await postForm(agent, testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}/withdraw`, []);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('You cannot withdraw it');
    expect(again.body).toContain(`href="/practice/submissions/${id}"`);
  });

  it('open submission as anyone else: signed out is asked to sign in, another submitter and the national team get not found', async () => {
    const id = await created(completeContent());
    const anonymous = await testApp.app.inject({ method: 'GET', url: `/practice/submissions/${id}` });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/sign-in?next=${encodeURIComponent(`/practice/submissions/${id}`)}`);
    expect((await agentOf(testApp.app, people, 'other').get(`/practice/submissions/${id}`)).statusCode).toBe(404);
    expect((await agentOf(testApp.app, people, 'other').get(`/practice/submissions/${id}/documents`)).statusCode).toBe(404);
    // A draft is its submitter's alone, even to the national team.
    expect((await agentOf(testApp.app, people, 'moderator').get(`/practice/moderation/${id}`)).statusCode).toBe(404);
    const other = agentOf(testApp.app, people, 'other');
    const token = csrfTokenIn((await other.get('/practice/submit')).body);
    const change = await testApp.app.inject({
      method: 'POST',
      url: `/practice/submissions/${id}`,
      payload: new URLSearchParams([['_csrf', token], ...fieldsFor(completeContent({ title: 'Hijacked' })), ['action', 'save']]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(other.cookies),
    });
    expect(change.statusCode).toBe(404);
    expect((await readItem(db, id))!.draft.title).toBe(completeContent().title);
    expect((await submitter().get('/practice/submissions/GT01-H')).statusCode).toBe(404);
  });

  it('save submission without the form’s CSRF token is refused and nothing changes', async () => {
    const id = await created(completeContent());
    const item = (await readItem(db, id))!;
    const response = await postForm(submitter(), testApp.app, `/practice/submissions/${id}`, `/practice/submissions/${id}`, [...fieldsFor(completeContent({ title: 'Forged' })), ['version', String(item.version)]], { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await readItem(db, id))!.draft.title).toBe(completeContent().title);
  });

  it('show submission with HTML in its text escapes it', async () => {
    const id = await created(completeContent({ title: '<script>alert("title")</script>', summary: '<img src=x onerror=alert(1)>', links: [{ url: 'https://example.org/"><script>', title: '<i>report</i>' }] }));
    const agent = submitter();
    const page = await agent.get(`/practice/submissions/${id}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    await practice.workflow.submit(people.submitter, id);
    const readOnly = await agent.get(`/practice/submissions/${id}`);
    expect(readOnly.body).not.toContain('<script>alert');
    expect(readOnly.body).not.toContain('<i>report</i>');
    expect(readOnly.body).toContain('&lt;i&gt;report&lt;/i&gt;');
  });

  it('add document of a wrong type is refused naming the file; a PDF is added and downloads', async () => {
    const id = await created(completeContent());
    const agent = submitter();
    const page = await agent.get(`/practice/submissions/${id}/documents`);
    const upload = async (fileName: string, content: Buffer | string) => {
      const { payload, contentType } = multipartBody({ _csrf: csrfTokenIn(page.body) }, [{ field: 'document', fileName, content }]);
      return testApp.app.inject({ method: 'POST', url: `/practice/submissions/${id}/documents`, payload, headers: { 'content-type': contentType }, cookies: Object.fromEntries(agent.cookies) });
    };
    const refused = await upload('notes.exe', Buffer.from('MZ\x90\x00 not a document'));
    expect(refused.statusCode).toBe(400);
    const links = errorSummaryLinks(refused.body);
    expect(links).toHaveLength(1);
    expect(links[0]!.href).toBe('#document');
    expect(links[0]!.text).toContain('notes.exe');
    expect(links[0]!.text).toContain('PDF, Word, Excel, CSV, PNG or JPEG');
    expect(links[0]!.targetExists).toBe(true);

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const added = await upload('evaluation report.pdf', pdf);
    expect(added.statusCode).toBe(303);
    const listed = await agent.get(`/practice/submissions/${id}/documents?added=1`);
    expect(listed.body).toContain('evaluation report.pdf');
    const documentId = /\/documents\/([0-9a-f-]{36})" download/.exec(listed.body)?.[1];
    const download = await agent.get(`/practice/submissions/${id}/documents/${documentId}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect((await agentOf(testApp.app, people, 'other').get(`/practice/submissions/${id}/documents/${documentId}`)).statusCode).toBe(404);
  });

  it('start submission past the day’s limit answers 429 with the reason', async () => {
    const other = agentOf(testApp.app, people, 'other');
    await db
      .insertInto('practice_submission_attempt')
      .values(Array.from({ length: submissionLimits.itemsPerAccount }, () => ({ key: `item:account:${people.other.viewer.userId}` })))
      .execute();
    const response = await postForm(other, testApp.app, '/practice/submissions/new', '/practice/submissions', fieldsFor(completeContent(), [['action', 'save']]));
    expect(response.statusCode).toBe(429);
    expect(response.body).toContain(`You have started ${submissionLimits.itemsPerAccount} practice items in the last 24 hours`);
  });

  it('list your practice shows each item’s status, reference and last change', async () => {
    const id = await created(completeContent({ title: 'Listed item' }));
    const page = await submitter().get('/practice/submit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Start a new submission');
    expect(page.body).toContain(`href="/practice/submissions/${id}">Listed item</a>`);
    const reference = (await readItem(db, id))!.reference;
    expect(page.body).toContain(`P-${String(reference).padStart(4, '0')}`);
    expect(page.body).toContain('Validated');
    expect((await agentOf(testApp.app, people, 'other').get('/practice/submit')).body).not.toContain('Listed item');
  });
});
