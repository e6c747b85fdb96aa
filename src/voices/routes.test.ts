import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { todayInEngland } from './store.js';

const leeds = 'E08000035';
const bradford = 'E08000032';

describe.each(testEngines)('surveys through the web on %s', (engine) => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();
  let surveyId = '';
  let answerPath = '';

  async function person(name: string, role: Role, laCode: string, authorityName: string): Promise<Agent> {
    const organisationId = await newOrganisation(testApp.database.db, { kind: 'local-authority', name: authorityName, areaCode: laCode, laCode });
    const { sessionToken } = await newSignedInUser(testApp.database.db, { email: `${name}@example.org`, role, organisationId });
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), sessionToken);
    agents.set(name, agent);
    return agent;
  }

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    await person('analyst', 'analyst', leeds, 'Leeds');
    await person('practitioner', 'practitioner', leeds, 'Leeds');
    await person('bradford', 'analyst', bradford, 'Bradford');
    const analyst = agents.get('analyst')!;
    const created = await analyst.submit('/surveys/manage/new', '/surveys/manage/new', {
      laCode: leeds,
      title: 'Feeling safe',
      audience: 'children',
      childVersion: 'yes',
      childTitle: 'How do you feel?',
      emojiScale: 'yes',
      asksGroups: 'yes',
      groupsReason: 'So we can see whether children in care feel as safe as others.',
    });
    expect(created.statusCode).toBe(303);
    surveyId = String(created.headers.location).split('/').pop()!;
    const page = `/surveys/manage/${surveyId}`;
    for (const [kind, text] of [['likert', 'I feel safe at school'], ['yes-no', 'There is an adult I can talk to'], ['text', 'Anything else?']] as const) {
      const added = await analyst.submit(`${page}/questions/new`, `${page}/questions/new`, { kind, text, polarity: 'higher-is-better' });
      expect(added.statusCode).toBe(303);
    }
    const [year, month, day] = todayInEngland().split('-');
    const opened = await analyst.submit(page, `${page}/open`, { 'opensOn-day': day!, 'opensOn-month': month!, 'opensOn-year': year!, 'closesOn-day': day!, 'closesOn-month': month!, 'closesOn-year': String(Number(year) + 1) });
    expect(opened.statusCode).toBe(303);
    const shown = await analyst.get(page);
    answerPath = /href="(\/surveys\/answer\/[^"]+)"/.exec(shown.body)![1]!;
  });
  afterAll(async () => {
    await testApp.close();
  });

  async function questionIds(): Promise<string[]> {
    const rows = await testApp.database.db.selectFrom('survey_question').select('id').where('survey_id', '=', surveyId).orderBy('position').execute();
    return rows.map((row) => row.id);
  }

  it('shows a question’s form, and previews both versions without a button to send', async () => {
    const [likert] = await questionIds();
    const analyst = agents.get('analyst')!;
    const form = await analyst.get(`/surveys/manage/${surveyId}/questions/${likert}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('I feel safe at school');
    const adults = await analyst.get(`/surveys/manage/${surveyId}/preview`);
    expect(adults.body).toContain('Strongly agree');
    expect(adults.body).not.toContain('Send the answers');
    const children = await analyst.get(`/surveys/manage/${surveyId}/preview?version=children`);
    expect(children.body).toContain('How do you feel?');
    expect(children.body).toContain('Yes, a lot');
  });

  it('takes an answer from a device once, and refuses it a second time from the same device', async () => {
    const [likert, yesNo, free] = await questionIds();
    const child = new Agent(testApp.app);
    const page = await child.get(answerPath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How do you feel?');
    // The emoji is decorative; the label is the radio's accessible name.
    expect(page.body).toMatch(/<span class="ntg-emoji" aria-hidden="true">😀<\/span> Yes, a lot/);
    const sent = await child.submit(answerPath, answerPath, { [`q-${likert}`]: '5', [`q-${yesNo}`]: 'yes', [`q-${free}`]: '<script>alert("x")</script> I like my teacher', 'group-children-in-care': 'yes' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`${answerPath}/thanks`);
    const again = await child.get(answerPath);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('You have already answered this survey');
    const stored = await testApp.database.db.selectFrom('survey_answer').select('value').where('question_id', '=', free!).executeTakeFirstOrThrow();
    expect(stored.value).toBe('<script>alert("x")</script> I like my teacher');
  });

  it('refuses an answer outside the allowed values, naming the question', async () => {
    const [likert] = await questionIds();
    const child = new Agent(testApp.app);
    const refused = await child.submit(answerPath, answerPath, { [`q-${likert}`]: '7' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Question 1 (I feel safe at school): the answer “7” is not one of the answers allowed');
    expect(refused.body).toContain(`href="#q-${likert}"`);
    const bad = await child.submit(answerPath, answerPath, { [`q-${likert}`]: '4', 'group-young-carers': 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Young carers: “maybe” is not yes, no or blank');
  });

  it('refuses an answer without the form’s CSRF token', async () => {
    const [likert] = await questionIds();
    const refused = await new Agent(testApp.app).submit(answerPath, answerPath, { [`q-${likert}`]: '4' }, { csrf: false });
    expect(refused.statusCode).toBe(403);
  });

  it('shows free text escaped, and only to staff who may read answers', async () => {
    const analyst = agents.get('analyst')!;
    const answers = await analyst.get(`/surveys/manage/${surveyId}/answers`);
    expect(answers.statusCode).toBe(200);
    expect(answers.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; I like my teacher');
    expect(answers.body).not.toContain('<script>alert("x")</script>');
    const practitioner = await agents.get('practitioner')!.get(`/surveys/manage/${surveyId}/answers`);
    expect(practitioner.statusCode).toBe(403);
    const results = await agents.get('practitioner')!.get(`/surveys/${surveyId}/results`);
    expect(results.statusCode).toBe(200);
    expect(results.body).not.toContain('I like my teacher');
    const api = await agents.get('analyst')!.get(`/api/v1/surveys/${surveyId}/results`);
    expect(api.statusCode).toBe(200);
    expect(api.body).not.toContain('I like my teacher');
    expect(api.json<{ questions: { kind: string }[] }>().questions.map((question) => question.kind)).toEqual(['likert', 'yes-no']);
  });

  it('refuses to publish a quotation the personal-data check flags, and publishes it once edited', async () => {
    const [, , free] = await questionIds();
    const db = testApp.database.db;
    const answer = await db.selectFrom('survey_answer').select(['response_id']).where('question_id', '=', free!).executeTakeFirstOrThrow();
    const analyst = agents.get('analyst')!;
    const page = `/surveys/manage/${surveyId}/answers`;
    const flagged = await analyst.submit(page, `${page}/publish`, { responseId: answer.response_id, questionId: free!, quotation: 'Call my mum on 07700 900123, she knows' });
    expect(flagged.statusCode).toBe(400);
    expect(flagged.body).toContain('The quotation may identify someone');
    const edited = await analyst.submit(page, `${page}/publish`, { responseId: answer.response_id, questionId: free!, quotation: 'I like my teacher' });
    expect(edited.statusCode).toBe(303);
    const results = await agents.get('practitioner')!.get(`/surveys/${surveyId}/results`);
    expect(results.body).toContain('“I like my teacher”');
  });

  it('answers another authority’s survey id with 404 on every page and in the API', async () => {
    const other = agents.get('bradford')!;
    for (const url of [`/surveys/manage/${surveyId}`, `/surveys/manage/${surveyId}/answers`, `/surveys/manage/${surveyId}/import`]) expect((await other.get(url)).statusCode).toBe(404);
    // Bradford's analyst reads aggregates across England, so Leeds's results are theirs to read, released as for anyone.
    expect((await other.get(`/surveys/${surveyId}/results`)).statusCode).toBe(200);
    const practitionerElsewhere = await person('bradford-practitioner', 'practitioner', bradford, 'Bradford');
    expect((await practitionerElsewhere.get(`/surveys/${surveyId}/results`)).statusCode).toBe(404);
    expect((await practitionerElsewhere.get(`/api/v1/surveys/${surveyId}/results`)).statusCode).toBe(404);
    const listed = await practitionerElsewhere.get('/api/v1/surveys');
    expect(listed.json()).toEqual([]);
  });

  it('refuses to change the questions of a survey with answers, but moves its closing date', async () => {
    const [likert] = await questionIds();
    const analyst = agents.get('analyst')!;
    const page = `/surveys/manage/${surveyId}`;
    const refused = await analyst.submit(page, `${page}/questions/${likert}/remove`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('so it can no longer be changed');
    const [year, month, day] = todayInEngland().split('-');
    const moved = await analyst.submit(page, `${page}/closing-date`, { 'closesOn-day': day!, 'closesOn-month': month!, 'closesOn-year': String(Number(year) + 2) });
    expect(moved.statusCode).toBe(303);
  });

  it('imports a CSV all or nothing, naming each bad row and column', async () => {
    const analyst = agents.get('analyst')!;
    const page = `/surveys/manage/${surveyId}/import`;
    const before = await testApp.database.db.selectFrom('survey_response').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const bad = await analyst.upload(page, page, {}, [{ field: 'file', fileName: 'paper.csv', content: 'Q1,Q2,Children in care\n4,yes,yes\n9,yes,no\n3,perhaps,\n' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">Q1<\/td>/);
    expect(bad.body).toMatch(/<td class="govuk-table__cell">4<\/td><td class="govuk-table__cell">Q2<\/td>/);
    const unchanged = await testApp.database.db.selectFrom('survey_response').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(unchanged.n).toBe(before.n);
    const good = await analyst.upload(page, page, {}, [{ field: 'file', fileName: 'paper.csv', content: 'Q1,There is an adult I can talk to,Children in care\n4,yes,yes\nStrongly disagree,no,no\n3,,\n' }]);
    expect(good.statusCode).toBe(303);
    const after = await testApp.database.db.selectFrom('survey_response').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(3);
  });

  it('refuses answers once the survey is closed', async () => {
    const analyst = agents.get('analyst')!;
    const page = `/surveys/manage/${surveyId}`;
    expect((await analyst.submit(page, `${page}/close`, {})).statusCode).toBe(303);
    const child = new Agent(testApp.app);
    const closed = await child.get(answerPath);
    expect(closed.statusCode).toBe(409);
    expect(closed.body).toContain('The survey has closed');
  });
});
