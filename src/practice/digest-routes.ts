/**
 * The digest's pages. For everyone: the latest published edition at /practice/digest, each edition
 * at /practice/digest/{number}, and its PDF print at /practice/digest/{number}.pdf; a draft, or a
 * number with no edition, is not found. For the national team: the list of editions, a draft's
 * editor (details, sections, items chosen from the library, each change a small form that works
 * without JavaScript), its preview and PDF proof, and publishing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { viewerMay } from '../auth/gate.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems } from '../framework/catalogue.js';
import { PdfUnavailableError } from '../web/pdf.js';
import type { DigestEdition, EditionView, SectionChange } from './digest.js';
import { DigestService, editionNumber, gradeLabels, itemHeads, latestPublishedNumber, listEditions, readEdition, referenceLabel, searchLimit, searchPublished } from './digest.js';
import { printDigest } from './digest-print.js';
import { padlockSymbols } from './library-routes.js';
import type { FieldProblem } from './content.js';
import type { Actor, SignedIn } from './workflow.js';
import { PracticeConflictError, PracticeInputError, PracticeNotFoundError, PracticeStateError } from './workflow.js';
import { Kept } from '../web/kept.js';

const hidden = { hide: true };
const everyone = { permission: 'public' } as const;
const moderate = { permission: 'practice:moderate' } as const;

type Body = Record<string, unknown>;

function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value].flat().map((entry) => text(entry).trim()).filter((entry) => entry !== '');
}

function whole(value: unknown): number {
  const number = Number(text(value));
  return Number.isInteger(number) ? number : -1;
}

function actorOf(request: FastifyRequest): Actor {
  return { viewer: request.viewer as SignedIn, ip: request.ip };
}

/** What the editor says after a change it made. */
const doneMessages: Record<string, string> = {
  created: 'Draft started. Add sections and choose items, then preview and publish.',
  details: 'Title and introduction saved.',
  'add-section': 'Section added.',
  'edit-section': 'Section saved.',
  'section-up': 'Section moved up.',
  'section-down': 'Section moved down.',
  'remove-section': 'Section removed. Its items can be chosen again.',
  'add-items': 'Items added.',
  'item-up': 'Item moved up.',
  'item-down': 'Item moved down.',
  'remove-item': 'Item removed from the edition.',
  suggest: 'Sections suggested by group.',
  'suggest-none': 'There were no published items to suggest that are not already in the edition.',
  deleted: 'The draft was deleted.',
};

/** Problems as the error summary lists them, each linked to its field. */
function errorList(problems: readonly FieldProblem[]) {
  return problems.map((problem) => ({ text: problem.message, href: `#${problem.field}` }));
}

function errorFor(problems: readonly FieldProblem[] | undefined, field: string): { text: string } | undefined {
  const found = problems?.filter((problem) => problem.field === field) ?? [];
  return found.length === 0 ? undefined : { text: found.map((problem) => problem.message).join('. ') };
}

const conflictProblem: FieldProblem = {
  field: 'sections',
  message: 'Your change was not made: someone changed this edition (perhaps in another tab) since you opened it. This page shows the latest version; make your change again if it is still needed.',
};

export function registerDigestRoutes(app: FastifyInstance, context: { database: Database; config: Config; catalogue: Catalogue }): void {
  const db = context.database.db;
  const digest = new DigestService(db, context.catalogue);
  const groups = findItems(context.catalogue, { kind: 'group' }).map((group) => ({ id: group.id, name: group.name }));
  // A PDF made once per published edition: a published edition never changes, and printing takes
  // seconds. A failed print is not kept, so the next request tries again (Chromium may have been installed since).
  const printCache = new Kept<Promise<Buffer>>(8);

  async function sendPdf(request: FastifyRequest, reply: FastifyReply, view: EditionView, make: () => Promise<Buffer>) {
    let pdf: Buffer;
    try {
      pdf = await make();
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      request.log.warn({ err: error }, 'PDF unavailable');
      return reply.code(503).view('error.njk', {
        title: 'The PDF cannot be made on this server',
        message: `${error.message}. Open the edition’s page and use your browser’s Print instead (it can save as PDF).`,
      });
    }
    const fileName = `digest-edition-${view.number}${view.status === 'published' ? '' : '-draft'}.pdf`;
    return reply.type('application/pdf').header('Content-Disposition', `attachment; filename="${fileName}"`).send(pdf);
  }

  function print(view: EditionView): Promise<Buffer> {
    return printDigest(view, { chromiumPath: context.config.chromiumPath, publicUrl: context.config.publicUrl }).then((printed) => printed.pdf);
  }

  // ---- For everyone ----------------------------------------------------------------------------

  async function editionPage(request: FastifyRequest, reply: FastifyReply, edition: DigestEdition, latest = false) {
    const view = await digest.view(edition);
    return reply.view('practice/digest/edition.njk', {
      pageTitle: `${edition.title}: edition ${edition.number}`,
      pageDescription: `Edition ${edition.number} of the digest of effective practice: ${view.itemCount} graded items in ${view.sections.length} sections.`,
      breadcrumbs: [
        { text: 'What works', href: '/practice' },
        { text: 'The digest', href: '/practice/digest' },
      ],
      edition: view,
      padlockSymbols,
      editions: await listEditions(db, { status: 'published' }),
      pdfHref: `/practice/digest/${edition.number}.pdf`,
      mayCompile: viewerMay(request.viewer, 'practice:moderate'),
      preview: false,
      latest,
    });
  }

  app.get('/practice/digest', { schema: hidden, config: everyone }, async (request, reply) => {
    const latest = await latestPublishedNumber(db);
    if (latest === undefined) {
      return reply.view('practice/digest/none.njk', { pageTitle: 'The digest', breadcrumbs: [{ text: 'What works', href: '/practice' }], mayCompile: viewerMay(request.viewer, 'practice:moderate') });
    }
    return editionPage(request, reply, await digest.published(latest), true);
  });

  app.get<{ Params: { number: string } }>('/practice/digest/:number', { schema: hidden, config: everyone }, async (request, reply) => {
    const match = /^(.+?)(\.pdf)?$/.exec(request.params.number);
    const number = editionNumber(match?.[1]);
    if (number === undefined) return reply.callNotFound();
    let edition: DigestEdition;
    try {
      edition = await digest.published(number);
    } catch (error) {
      if (error instanceof PracticeNotFoundError) return reply.callNotFound();
      throw error;
    }
    if (match?.[2] === undefined) return editionPage(request, reply, edition);
    const view = await digest.view(edition);
    return sendPdf(request, reply, view, () => printCache.get(String(edition.number), () => print(view)));
  });

  // ---- For the national team ---------------------------------------------------------------------

  /** The edition for the national team, or a reply already sent (not found). */
  async function editionFor(request: FastifyRequest, reply: FastifyReply, param: string): Promise<DigestEdition | undefined> {
    const number = editionNumber(param);
    if (number !== undefined) {
      try {
        return await digest.forModerator(request.viewer, number);
      } catch (error) {
        if (!(error instanceof PracticeNotFoundError)) throw error;
      }
    }
    reply.callNotFound();
    return undefined;
  }

  app.get<{ Querystring: { done?: string } }>('/practice/digest/editions', { schema: hidden, config: moderate }, async (request, reply) => {
    const editions = await listEditions(db);
    return reply.view('practice/digest/editions.njk', {
      pageTitle: 'Digest editions',
      breadcrumbs: [
        { text: 'What works', href: '/practice' },
        { text: 'The digest', href: '/practice/digest' },
      ],
      editions,
      draft: editions.find((edition) => edition.status === 'draft'),
      done: doneMessages[text(request.query.done)],
    });
  });

  function newPage(reply: FastifyReply, extra: { problems?: FieldProblem[]; values?: Body } = {}) {
    return reply.view('practice/digest/new.njk', {
      pageTitle: 'Start the next edition',
      breadcrumbs: [
        { text: 'The digest', href: '/practice/digest' },
        { text: 'Digest editions', href: '/practice/digest/editions' },
      ],
      values: extra.values ?? {},
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
    });
  }

  app.get('/practice/digest/editions/new', { schema: hidden, config: moderate }, async (_request, reply) => {
    const draft = (await listEditions(db, { status: 'draft' }))[0];
    if (draft !== undefined) return reply.redirect(`/practice/digest/editions/${draft.number}`, 303);
    return newPage(reply);
  });

  app.post<{ Body: Body }>('/practice/digest/editions', { schema: hidden, config: moderate }, async (request, reply) => {
    const values = { title: text(request.body?.title), introduction: text(request.body?.introduction) };
    try {
      const number = await digest.createDraft(actorOf(request), values);
      return reply.redirect(`/practice/digest/editions/${number}?done=created`, 303);
    } catch (error) {
      if (error instanceof PracticeInputError) return newPage(reply.code(422), { problems: error.problems, values });
      if (error instanceof PracticeStateError) return reply.code(409).view('error.njk', { title: 'There is already a draft edition', message: error.message });
      throw error;
    }
  });

  async function editorPage(request: FastifyRequest, reply: FastifyReply, edition: DigestEdition, extra: { problems?: FieldProblem[]; values?: Body; done?: string } = {}) {
    const heads = await itemHeads(db, edition.sections.flatMap((section) => section.itemIds));
    const sections = edition.sections.map((section, index) => ({
      number: index + 1,
      heading: section.heading,
      introduction: section.introduction,
      items: section.itemIds.map((id) => {
        const head = heads.get(id);
        return {
          id,
          reference: head === undefined ? '' : referenceLabel(head.reference),
          title: head?.title ?? 'An item that no longer exists',
          grade: head?.grade === null || head?.grade === undefined ? '' : gradeLabels[head.grade],
          evidenceStrength: head?.evidenceStrength ?? null,
          published: head?.status === 'published',
        };
      }),
    }));
    const values = extra.values ?? {};
    return reply.view('practice/digest/edit.njk', {
      pageTitle: `Edition ${edition.number} (draft)`,
      breadcrumbs: [
        { text: 'The digest', href: '/practice/digest' },
        { text: 'Digest editions', href: '/practice/digest/editions' },
      ],
      edition,
      sections,
      itemCount: sections.reduce((sum, section) => sum + section.items.length, 0),
      notPublished: sections.flatMap((section) => section.items.filter((item) => !item.published)).length,
      values,
      details: values.step === 'details' ? { title: text(values.title), introduction: text(values.introduction) } : { title: edition.title, introduction: edition.introduction },
      done: extra.done === undefined ? undefined : doneMessages[extra.done],
      errors: extra.problems ? errorList(extra.problems) : undefined,
      errorSummaryShown: extra.problems !== undefined,
      errorFor: (field: string) => errorFor(extra.problems, field),
    });
  }

  app.get<{ Params: { number: string }; Querystring: { done?: string } }>('/practice/digest/editions/:number', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    // A published edition is read-only: its page is the public one.
    if (edition.status === 'published') return reply.redirect(`/practice/digest/${edition.number}`, 303);
    return editorPage(request, reply, edition, { done: text(request.query.done) || undefined });
  });

  app.get<{ Params: { number: string } }>('/practice/digest/editions/:number/preview', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    if (edition.status === 'published') return reply.redirect(`/practice/digest/${edition.number}`, 303);
    const view = await digest.view(edition);
    return reply.view('practice/digest/edition.njk', {
      pageTitle: `Preview: ${edition.title}, edition ${edition.number}`,
      breadcrumbs: [
        { text: 'Digest editions', href: '/practice/digest/editions' },
        { text: `Edition ${edition.number} (draft)`, href: `/practice/digest/editions/${edition.number}` },
      ],
      edition: view,
      padlockSymbols,
      editions: [],
      pdfHref: `/practice/digest/editions/${edition.number}/proof.pdf`,
      preview: true,
    });
  });

  app.get<{ Params: { number: string } }>('/practice/digest/editions/:number/proof.pdf', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    if (edition.status === 'published') return reply.redirect(`/practice/digest/${edition.number}.pdf`, 303);
    const view = await digest.view(edition);
    return sendPdf(request, reply, view, () => print(view));
  });

  async function addPage(request: FastifyRequest, reply: FastifyReply, edition: DigestEdition, query: { section: number; q: string; group: string }, problems?: FieldProblem[]) {
    const section = edition.sections[query.section - 1];
    if (section === undefined) return reply.redirect(`/practice/digest/editions/${edition.number}`, 303);
    const results = await searchPublished(db, { text: query.q, group: groups.some((group) => group.id === query.group) ? query.group : '' });
    const placed = new Map(edition.sections.flatMap((candidate, index) => candidate.itemIds.map((id) => [id, index + 1] as const)));
    return reply.view('practice/digest/add.njk', {
      pageTitle: `Add items to “${section.heading}”`,
      breadcrumbs: [
        { text: 'Digest editions', href: '/practice/digest/editions' },
        { text: `Edition ${edition.number} (draft)`, href: `/practice/digest/editions/${edition.number}` },
      ],
      edition,
      section: { number: query.section, heading: section.heading },
      query,
      groups,
      results: results.slice(0, searchLimit).map((item) => ({
        id: item.id,
        reference: referenceLabel(item.reference),
        title: item.title,
        grade: item.grade === null ? '' : gradeLabels[item.grade],
        evidenceStrength: item.evidenceStrength,
        groups: item.groups.map((id) => groups.find((group) => group.id === id)?.name ?? id),
        inSection: placed.get(item.id),
      })),
      more: results.length > searchLimit,
      searchLimit,
      errors: problems ? errorList(problems) : undefined,
      errorSummaryShown: problems !== undefined,
      errorFor: (field: string) => errorFor(problems, field),
    });
  }

  app.get<{ Params: { number: string }; Querystring: Record<string, string | undefined> }>('/practice/digest/editions/:number/add', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    if (edition.status === 'published') return reply.redirect(`/practice/digest/${edition.number}`, 303);
    return addPage(request, reply, edition, { section: whole(request.query.section), q: text(request.query.q).trim(), group: text(request.query.group) });
  });

  /** The change a form asks for, from its `step` and fields. */
  function changeFrom(step: string, body: Body): SectionChange | undefined {
    const section = whole(body.section);
    const itemId = text(body.item);
    switch (step) {
      case 'add-section':
        return { kind: 'add-section', heading: text(body.heading), introduction: text(body.introduction) };
      case 'edit-section':
        return { kind: 'edit-section', section, heading: text(body.heading), introduction: text(body.introduction) };
      case 'section-up':
      case 'section-down':
        return { kind: 'move-section', section, direction: step === 'section-up' ? 'up' : 'down' };
      case 'remove-section':
        return { kind: 'remove-section', section };
      case 'add-items':
        return { kind: 'add-items', section, itemIds: list(body.items) };
      case 'item-up':
      case 'item-down':
        return { kind: 'move-item', section, itemId, direction: step === 'item-up' ? 'up' : 'down' };
      case 'remove-item':
        return { kind: 'remove-item', section, itemId };
      default:
        return undefined;
    }
  }

  /** Where the editor opens after a change: at the section it touched. */
  function anchorAfter(step: string, body: Body, sectionCount: number): string {
    const section = whole(body.section);
    if (step === 'add-section') return `#section-${sectionCount + 1}`;
    if (step === 'section-up') return `#section-${section - 1}`;
    if (step === 'section-down') return `#section-${section + 1}`;
    if (step === 'remove-section' || step === 'details' || step === 'suggest') return '';
    return section > 0 ? `#section-${section}` : '';
  }

  app.post<{ Params: { number: string }; Body: Body }>('/practice/digest/editions/:number/change', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    const body = request.body ?? {};
    const step = text(body.step);
    const version = whole(body.version);
    const actor = actorOf(request);
    let done = step;
    try {
      if (step === 'details') {
        await digest.saveDetails(actor, edition.number, { title: text(body.title), introduction: text(body.introduction) }, version);
      } else if (step === 'suggest') {
        const { added } = await digest.suggestByGroup(actor, edition.number, version);
        if (added === 0) done = 'suggest-none';
      } else {
        const change = changeFrom(step, body);
        if (change === undefined) return reply.code(400).view('error.njk', { title: 'That could not be done', message: 'The form asked for a change the editor does not know. Go back to the edition and try again.' });
        await digest.changeSections(actor, edition.number, change, version);
      }
    } catch (error) {
      const latest = await readEdition(db, edition.number);
      if (latest === undefined) return reply.callNotFound();
      if (error instanceof PracticeConflictError) return editorPage(request, reply.code(409), latest, { problems: [conflictProblem] });
      if (error instanceof PracticeStateError) {
        if (latest.status === 'published') return reply.code(409).view('error.njk', { title: 'This edition is published', message: error.message });
        return editorPage(request, reply.code(409), latest, { problems: [{ field: 'sections', message: error.message }] });
      }
      if (error instanceof PracticeInputError) {
        if (step === 'add-items') return addPage(request, reply.code(422), latest, { section: whole(body.section), q: text(body.q), group: text(body.group) }, error.problems);
        return editorPage(request, reply.code(422), latest, { problems: error.problems, values: body });
      }
      throw error;
    }
    return reply.redirect(`/practice/digest/editions/${edition.number}?done=${encodeURIComponent(done)}${anchorAfter(step, body, edition.sections.length)}`, 303);
  });

  app.post<{ Params: { number: string }; Body: Body }>('/practice/digest/editions/:number/publish', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    try {
      await digest.publish(actorOf(request), edition.number, whole(request.body?.version));
    } catch (error) {
      const latest = await readEdition(db, edition.number);
      if (latest === undefined) return reply.callNotFound();
      if (error instanceof PracticeConflictError) return editorPage(request, reply.code(409), latest, { problems: [conflictProblem] });
      if (error instanceof PracticeStateError) return reply.code(409).view('error.njk', { title: 'This edition is already published', message: `${error.message} Someone may have published it while you were looking at it.` });
      if (error instanceof PracticeInputError) return editorPage(request, reply.code(422), latest, { problems: error.problems });
      throw error;
    }
    return reply.redirect(`/practice/digest/${edition.number}`, 303);
  });

  app.post<{ Params: { number: string }; Body: Body }>('/practice/digest/editions/:number/delete', { schema: hidden, config: moderate }, async (request, reply) => {
    const edition = await editionFor(request, reply, request.params.number);
    if (edition === undefined) return reply;
    try {
      await digest.deleteDraft(actorOf(request), edition.number, whole(request.body?.version));
    } catch (error) {
      const latest = await readEdition(db, edition.number);
      if (latest === undefined) return reply.callNotFound();
      if (error instanceof PracticeConflictError) return editorPage(request, reply.code(409), latest, { problems: [conflictProblem] });
      if (error instanceof PracticeStateError) return reply.code(409).view('error.njk', { title: 'A published edition stays', message: 'This edition has been published, so it cannot be deleted: earlier editions stay available.' });
      throw error;
    }
    return reply.redirect('/practice/digest/editions?done=deleted', 303);
  });
}
