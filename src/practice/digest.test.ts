import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { skipBrowserTests } from '../../test/support/browser.js';
import { testEngines } from '../../test/support/database.js';
import { pdfPageTexts, publishItem } from '../../test/support/digest.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import { sessionCookieName } from '../auth/gate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { SectionChange } from './digest.js';
import { DigestService, inBrief, monthsText, readEdition, referenceLabel } from './digest.js';
import { contentsAnchors, digestPrintHtml, namedDestinationPages, pdfPageCount } from './digest-print.js';
import { PracticeConflictError, PracticeInputError, PracticeNotFoundError, PracticeStateError } from './workflow.js';

const catalogue = loadCatalogue();

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

function fieldsOf(error: unknown): string[] {
  if (!(error instanceof PracticeInputError)) throw error;
  return error.problems.map((problem) => problem.field);
}

describe('digest words', () => {
  it('months of progress read with their sign and the right noun', () => {
    expect([monthsText(3), monthsText(-1), monthsText(0), monthsText(1)]).toEqual(['+3 months', '−1 month', '0 months', '+1 month']);
  });

  it('an item in brief keeps whole sentences, or cuts at a word', () => {
    expect(inBrief('One. Two is longer. Three.', 20)).toBe('One. Two is longer.');
    expect(inBrief('a'.repeat(10) + ' ' + 'b'.repeat(30), 20)).toBe('aaaaaaaaaa…');
    expect(inBrief('Short enough.')).toBe('Short enough.');
  });

  it('references read as the library shows them', () => {
    expect(referenceLabel(42)).toBe('P-0042');
  });
});

describe.each(testEngines)('the digest on %s', (engine) => {
  let testApp: TestApp;
  let digest: DigestService;
  let people: PracticePeople;
  const items: { id: string; reference: number; title: string }[] = [];

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    digest = new DigestService(db, catalogue);
    people = await practicePeople(db);
    const specs = [
      { title: 'Reading buddies for children in care', groups: ['children-in-care'], grade: 'validated', strength: 4 },
      { title: 'Homework club in the children’s home', groups: ['children-in-care', 'poor-attendance'], grade: 'promising', strength: 3 },
      { title: 'Attendance mentors for Year 7', groups: ['poor-attendance'], grade: 'emerging', strength: 2 },
      { title: 'Young carers’ lunchtime group', groups: ['young-carers'], grade: 'promising', strength: 2 },
    ] as const;
    for (const spec of specs) {
      const item = await publishItem(db, completeContent({ title: spec.title, groups: [...spec.groups] }), { grade: spec.grade, strength: spec.strength, submitterUserId: people.submitter.viewer.userId });
      items.push({ ...item, title: spec.title });
    }
  });
  afterAll(async () => testApp.close());

  const versionOf = async (number: number) => (await readEdition(testApp.database.db, number))!.version;
  const change = async (number: number, step: SectionChange) => digest.changeSections(people.moderator, number, step, await versionOf(number));

  /** A published edition with the given sections, each a heading and the indexes of its items. */
  async function publishedEdition(title: string, sections: [string, number[]][]): Promise<number> {
    const number = await digest.createDraft(people.moderator, { title, introduction: `About ${title}.\n\nA second paragraph.` });
    for (const [index, [heading, chosen]] of sections.entries()) {
      await change(number, { kind: 'add-section', heading, introduction: `Why ${heading} matters.` });
      await change(number, { kind: 'add-items', section: index + 1, itemIds: chosen.map((item) => items[item]!.id) });
    }
    await digest.publish(people.moderator, number, await versionOf(number));
    return number;
  }

  const anonymous = () => new Agent(testApp.app);
  function signedIn(who: keyof Omit<PracticePeople, 'tokens'>): Agent {
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), people.tokens.get(who)!);
    return agent;
  }

  it('compile then publish freezes the items: the public edition shows them as they were, even after an item changes', async () => {
    const number = await publishedEdition('What works for children in care', [
      ['Children in care', [0, 1]],
      ['Attendance', [2]],
    ]);
    // The item is later republished with a new title and a lower grade.
    await publishItem(testApp.database.db, completeContent({ title: 'Reading buddies, renamed later', groups: ['children-in-care'] }), { grade: 'emerging', strength: 1, itemId: items[0]!.id });

    const page = await anonymous().get(`/practice/digest/${number}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Reading buddies for children in care');
    expect(page.body).not.toContain('Reading buddies, renamed later');
    expect(page.body).toMatch(/govuk-tag--green">Validated</);
    expect(page.body).toContain('4 of 5<span class="govuk-visually-hidden"> padlocks for the strength of the evidence</span>');
    expect(page.body).toContain(`href="/practice/${items[0]!.id}"`);
    expect(page.body).toContain('+4 months of additional progress (moderate impact); 95% confidence interval');
    expect(page.body).toContain('Low: £80 to £170 per child per year');
    expect(page.body).toContain('Children in care, aged 8 to 11');
    expect(page.body).toContain('href="#section-2"');

    const events = await testApp.database.db.selectFrom('practice_event').select('detail').where('item_id', '=', items[1]!.id).where('kind', '=', 'digest-included').execute();
    expect(events.map((event) => event.detail)).toEqual([`Included in digest edition ${number}: What works for children in care`]);
    const audit = await testApp.database.db.selectFrom('audit_log').select(['action', 'details']).where('target', '=', `practice-digest:${number}`).orderBy('seq').execute();
    expect(audit.map((entry) => entry.action)).toEqual(['practice.digest.create', 'practice.digest.publish']);
  });

  it('an item goes in one section only, and a change from a stale version is refused', async () => {
    const number = await digest.createDraft(people.moderator, { title: 'Draft with a duplicate', introduction: '' });
    await change(number, { kind: 'add-section', heading: 'First', introduction: '' });
    await change(number, { kind: 'add-section', heading: 'Second', introduction: '' });
    await change(number, { kind: 'add-items', section: 1, itemIds: [items[0]!.id] });
    const twice = await refusal(change(number, { kind: 'add-items', section: 2, itemIds: [items[0]!.id] }));
    expect(fieldsOf(twice)).toEqual(['items']);
    expect((twice as PracticeInputError).problems[0]!.message).toContain('is already in section 1, “First”: an item appears in one section only');
    const stale = (await versionOf(number)) - 1;
    await expect(digest.changeSections(people.moderator, number, { kind: 'remove-section', section: 2 }, stale)).rejects.toBeInstanceOf(PracticeConflictError);
    expect((await readEdition(testApp.database.db, number))!.sections.map((section) => section.heading)).toEqual(['First', 'Second']);
    await digest.deleteDraft(people.moderator, number, await versionOf(number));
  });

  it('publishing needs an introduction, items and no empty section; a published edition is read-only', async () => {
    const number = await digest.createDraft(people.moderator, { title: 'Not ready', introduction: '' });
    await change(number, { kind: 'add-section', heading: 'Empty', introduction: '' });
    expect(fieldsOf(await refusal(digest.publish(people.moderator, number, await versionOf(number))))).toEqual(['introduction', 'sections']);
    await digest.saveDetails(people.moderator, number, { title: 'Ready now', introduction: 'Now with words.' }, await versionOf(number));
    await change(number, { kind: 'add-section', heading: 'Young carers', introduction: '' });
    await change(number, { kind: 'add-items', section: 2, itemIds: [items[3]!.id] });
    expect(fieldsOf(await refusal(digest.publish(people.moderator, number, await versionOf(number))))).toEqual(['section-1']);
    await change(number, { kind: 'remove-section', section: 1 });
    await digest.publish(people.moderator, number, await versionOf(number));
    const version = await versionOf(number);
    await expect(digest.saveDetails(people.moderator, number, { title: 'Changed', introduction: 'x' }, version)).rejects.toBeInstanceOf(PracticeStateError);
    await expect(digest.changeSections(people.moderator, number, { kind: 'remove-section', section: 1 }, version)).rejects.toBeInstanceOf(PracticeStateError);
    await expect(digest.deleteDraft(people.moderator, number, version)).rejects.toBeInstanceOf(PracticeStateError);
    await expect(digest.createDraft(people.submitter, { title: 'Mine', introduction: '' })).rejects.toBeInstanceOf(PracticeNotFoundError);
  });

  it('two publishes at once: one publishes, the other is told it already was', async () => {
    const number = await digest.createDraft(people.moderator, { title: 'Raced', introduction: 'Two moderators press publish.' });
    await change(number, { kind: 'add-section', heading: 'Attendance', introduction: '' });
    await change(number, { kind: 'add-items', section: 1, itemIds: [items[2]!.id] });
    const version = await versionOf(number);
    const outcomes = await Promise.allSettled([digest.publish(people.moderator, number, version), digest.publish(people.moderator, number, version)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(PracticeStateError);
    const events = await testApp.database.db.selectFrom('practice_event').select('detail').where('item_id', '=', items[2]!.id).where('detail', 'like', `Included in digest edition ${number}:%`).execute();
    expect(events).toHaveLength(1);
  });

  it('one draft at a time, numbered after the last edition', async () => {
    const number = await digest.createDraft(people.moderator, { title: 'Next', introduction: '' });
    await expect(digest.createDraft(people.moderator, { title: 'Another', introduction: '' })).rejects.toBeInstanceOf(PracticeStateError);
    const latest = await testApp.database.db.selectFrom('practice_digest_edition').select('number').where('status', '=', 'published').orderBy('number', 'desc').executeTakeFirstOrThrow();
    expect(number).toBe(latest.number + 1);
    await digest.deleteDraft(people.moderator, number, await versionOf(number));
  });

  it('earlier editions stay available; drafts are not found by the public and refused to non-moderators', async () => {
    const first = await publishedEdition('First look', [['Young carers', [3]]]);
    const second = await publishedEdition('Second look', [['Attendance', [1]]]);
    const draft = await digest.createDraft(people.moderator, { title: 'Secret draft title', introduction: '' });
    const visitor = anonymous();

    const latest = await visitor.get('/practice/digest');
    expect(latest.statusCode).toBe(200);
    expect(latest.body).toContain('Second look');
    expect(latest.body).toContain(`href="/practice/digest/${first}"`);
    expect(latest.body).not.toContain('Secret draft title');
    expect((await visitor.get(`/practice/digest/${first}`)).body).toContain('First look');
    expect((await visitor.get(`/practice/digest/${second}`)).statusCode).toBe(200);
    for (const path of [`/practice/digest/${draft}`, `/practice/digest/${draft}.pdf`, '/practice/digest/999', '/practice/digest/abc', '/practice/digest/0', '/practice/digest/1.pdfx']) {
      expect((await visitor.get(path)).statusCode, path).toBe(404);
    }
    const editor = `/practice/digest/editions/${draft}`;
    const submitter = signedIn('submitter');
    for (const path of ['/practice/digest/editions', editor, `${editor}/preview`, `${editor}/proof.pdf`, `${editor}/add?section=1`]) {
      expect((await submitter.get(path)).statusCode, path).toBe(403);
      expect((await visitor.get(path)).headers.location, path).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
    }
    const moderator = signedIn('moderator');
    expect((await moderator.get(editor)).body).toContain('Secret draft title');
    expect((await moderator.get('/practice/digest/editions/999')).statusCode).toBe(404);
    expect((await moderator.get('/practice/digest/editions/GT01-H')).statusCode).toBe(404);
    expect((await moderator.get(`/practice/digest/editions/${first}`)).headers.location).toBe(`/practice/digest/${first}`);
    await digest.deleteDraft(people.moderator, draft, await versionOf(draft));
  });

  it('the editor works without JavaScript: details, sections, items found by search, moved and removed, then preview and publish', async () => {
    const moderator = signedIn('moderator');
    const created = await moderator.submit('/practice/digest/editions/new', '/practice/digest/editions', { title: '', introduction: '' });
    expect(created.statusCode).toBe(422);
    expect(created.body).toContain('Enter a title for the edition');
    expect(created.body).toContain('href="#title"');
    const made = await moderator.submit('/practice/digest/editions/new', '/practice/digest/editions', { title: 'Made in the browser', introduction: 'Hello <script>alert(1)</script>' });
    expect(made.statusCode).toBe(303);
    const editor = made.headers.location!.split('?')[0]!;
    const number = Number(editor.split('/').at(-1));
    const post = (fields: Record<string, string>) => moderator.get(editor).then(async (page) => {
      const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
      return moderator.submit(editor, `${editor}/change`, { version, ...fields });
    });

    expect((await post({ step: 'add-section', heading: '', introduction: '' })).body).toContain('href="#new-section-heading"');
    expect((await post({ step: 'add-section', heading: 'Children in care', introduction: 'Placements and school.' })).statusCode).toBe(303);
    expect((await post({ step: 'add-section', heading: 'Attendance', introduction: '' })).statusCode).toBe(303);

    const search = await moderator.get(`${editor}/add?section=1&q=children`);
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('Homework club in the children’s home');
    expect(search.body).not.toContain('Attendance mentors for Year 7');
    const byGroup = await moderator.get(`${editor}/add?section=2&group=poor-attendance`);
    expect(byGroup.body).toContain('Attendance mentors for Year 7');
    expect(byGroup.body).not.toContain('Young carers’ lunchtime group');
    const byReference = await moderator.get(`${editor}/add?section=2&q=${referenceLabel(items[3]!.reference)}`);
    expect(byReference.body).toContain('Young carers’ lunchtime group');

    expect((await post({ step: 'add-items', section: '1', items: items[0]!.id })).statusCode).toBe(303);
    const both = new URLSearchParams([['step', 'add-items'], ['section', '1'], ['items', items[1]!.id], ['items', items[2]!.id]]);
    const page = await moderator.get(editor);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    both.set('version', version);
    both.set('_csrf', token);
    const added = await testApp.app.inject({ method: 'POST', url: `${editor}/change`, payload: both.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: Object.fromEntries(moderator.cookies) });
    expect(added.statusCode).toBe(303);
    const again = await post({ step: 'add-items', section: '2', items: items[0]!.id });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('is already in section 1');

    await post({ step: 'item-down', section: '1', item: items[0]!.id });
    await post({ step: 'remove-item', section: '1', item: items[2]!.id });
    await post({ step: 'add-items', section: '2', items: items[2]!.id });
    await post({ step: 'section-down', section: '1' });
    await post({ step: 'edit-section', section: '1', heading: 'Going to school', introduction: '' });
    await post({ step: 'details', title: 'Made in the browser', introduction: 'Hello <script>alert(1)</script>' });
    const edition = (await readEdition(testApp.database.db, number))!;
    expect(edition.sections.map((section) => [section.heading, section.itemIds])).toEqual([
      ['Going to school', [items[2]!.id]],
      ['Children in care', [items[1]!.id, items[0]!.id]],
    ]);

    const stale = await moderator.submit(editor, `${editor}/change`, { version: '1', step: 'remove-section', section: '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('someone changed this edition');

    const preview = await moderator.get(`${editor}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('This is a preview of a draft');
    expect(preview.body).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(preview.body).not.toContain('<script>alert(1)');

    const current = /name="version" value="(\d+)"/.exec((await moderator.get(editor)).body)![1]!;
    const published = await moderator.submit(editor, `${editor}/publish`, { version: current });
    expect(published.headers.location).toBe(`/practice/digest/${number}`);
    expect((await anonymous().get(`/practice/digest/${number}`)).body).toContain('Going to school');
    const late = await moderator.submit(`/practice/digest/${number}`, `${editor}/change`, { version: current, step: 'remove-section', section: '1' });
    expect(late.statusCode).toBe(409);
  });

  it('suggest sections by group fills a section per group with the best graded items not yet chosen', async () => {
    const number = await digest.createDraft(people.moderator, { title: 'Suggested', introduction: 'By group.' });
    await change(number, { kind: 'add-section', heading: 'Chosen by hand', introduction: '' });
    await change(number, { kind: 'add-items', section: 1, itemIds: [items[3]!.id] });
    const { added } = await digest.suggestByGroup(people.moderator, number, await versionOf(number));
    expect(added).toBe(3);
    const edition = (await readEdition(testApp.database.db, number))!;
    expect(edition.sections.map((section) => [section.heading, section.itemIds])).toEqual([
      ['Chosen by hand', [items[3]!.id]],
      // Promising with 3 padlocks before the first item, republished by now as emerging with 1.
      ['Children in care', [items[1]!.id, items[0]!.id]],
      ['Children with poor attendance at school', [items[2]!.id]],
    ]);
    expect((await digest.suggestByGroup(people.moderator, number, edition.version)).added).toBe(0);
    await digest.deleteDraft(people.moderator, number, await versionOf(number));
  });

  it.skipIf(skipBrowserTests)(
    'the PDF starts with %PDF, and its contents page gives the page each section and item starts on',
    async () => {
      const number = await publishedEdition('Printed edition', [
        ['Children in care', [0, 1]],
        ['Attendance', [2]],
        ['Young carers', [3]],
      ]);
      const response = await anonymous().get(`/practice/digest/${number}.pdf`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="digest-edition-${number}.pdf"`);
      const pdf = response.rawPayload;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const landed = namedDestinationPages(pdf);
      const view = await digest.view(await digest.published(number));
      for (const anchor of contentsAnchors(view)) expect(landed.get(anchor), anchor).toBeGreaterThan(2);
      // Each section starts on a page of its own, in order, after the cover, the contents and the introduction.
      expect(landed.get('introduction')).toBe(3);
      const sectionPages = view.sections.map((section) => landed.get(section.anchor)!);
      expect(sectionPages[0]).toBe(4);
      expect(sectionPages).toEqual([...sectionPages].sort((a, b) => a - b));
      expect(new Set(sectionPages).size).toBe(3);

      // Chromium shows some words glyph by glyph, so the text is compared with its spaces taken out.
      const squash = (text: string) => text.replace(/\s+/g, '');
      const pages = pdfPageTexts(pdf).map(squash);
      expect(pages).toHaveLength(pdfPageCount(pdf));
      expect(pages[0]).toContain(squash('Printed edition'));
      const contents = pages[1]!;
      expect(contents).toMatch(new RegExp(`^Contents${squash('Introduction')}3`));
      view.sections.forEach((section, index) => {
        expect(contents).toContain(`${squash(`${section.number}. ${section.heading}`)}${sectionPages[index]}`);
        expect(pages[sectionPages[index]! - 1]).toContain(squash(`${section.number}. ${section.heading}`));
        for (const entry of section.entries) {
          expect(contents).toContain(`${squash(entry.title)}${landed.get(entry.anchor)}`);
          expect(pages[landed.get(entry.anchor)! - 1]).toContain(squash(entry.title));
        }
      });
      expect(pages.at(-1)).toContain(`Page${pages.length}of${pages.length}`);
      // The print's HTML numbers its contents from the same pages.
      expect(digestPrintHtml(view, { publicUrl: 'https://example.org', pageNumbers: landed })).toContain(`<span class="toc__page">${sectionPages[2]}</span>`);
    },
    120_000,
  );
});
