/**
 * The submitter's pages: the call for evidence with their own items, the submission form (saved
 * as a draft, submitted for moderation, answered after a return), its documents, and withdrawal.
 *
 * Everything works without JavaScript: "add another result", "remove", "find statements" and
 * "add documents" are buttons of the one form, which save what was typed first and come back to
 * the same place. A person never sees an item that is not theirs: it is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { attachmentDisposition } from '../assessment/evidence-routes.js';
import { allowedTypesInWords } from '../assessment/evidence-files.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import type { UploadedFile } from '../web/app.js';
import type { FieldProblem, PracticeContent } from './content.js';
import { designLabels, emptyContent, evaluationDesigns } from './content.js';
import type { FormAction, PracticeForm } from './form-input.js';
import { applyRowAction, contentFromForm, errorFor, errorList, fieldId, formActionOf, formOf, readPracticeForm, withoutBlankRows } from './form-input.js';
import { itemImpact } from './impact.js';
import type { PracticeService, SubmitterView } from './service.js';
import { listItems } from './store.js';
import type { PracticeStatus } from './tables.js';
import { PracticeConflictError, PracticeInputError, submissionLimits } from './workflow.js';
import type { Choice, ImpactView, PracticeVocabularyLabels, StatementChoice } from './workflow-pages.js';
import {
  actorOf,
  contentSections,
  costBandText,
  documentsView,
  gradeCriteria,
  gradeLabels,
  impactView,
  padlockCriteria,
  padlocksText,
  referenceText,
  refusalPage,
  statusTag,
  timelineOf,
  vocabularyLabels,
} from './workflow-pages.js';

const hidden = { hide: true };
const submit = { permission: 'practice:submit' } as const;
type Body = Record<string, unknown>;

const editableStatuses: readonly PracticeStatus[] = ['draft', 'returned'];
const withdrawableStatuses: readonly PracticeStatus[] = ['draft', 'submitted', 'returned'];

const backToList = { href: '/practice/submit', text: 'Go back to your practice' };

function backToItem(id: string) {
  return { href: `/practice/submissions/${id}`, text: 'Go back to the submission' };
}

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'path' in value && 'filename' in value && 'size' in value;
}

function query(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function checkboxItems(choices: readonly Choice[], selected: readonly string[]) {
  return choices.map((choice) => ({ value: choice.value, text: choice.text, ...(choice.hint === undefined ? {} : { hint: { text: choice.hint } }), checked: selected.includes(choice.value) }));
}

/** Whether every word of the search is in the statement's text. */
function matches(statement: StatementChoice, words: readonly string[]): boolean {
  const text = statement.text.toLowerCase();
  return words.length > 0 && words.every((word) => text.includes(word));
}

/**
 * The template statements as the form lists them: by template, then general conditions and each
 * tier, each group in a <details> that opens when something in it is chosen. With a search, the
 * statements that match come first and open; each statement appears once, so its box means one thing.
 */
function statementPicker(labels: PracticeVocabularyLabels, selected: readonly string[], search: string) {
  const words = search
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 1);
  const item = (statement: StatementChoice, hint: string) => ({ value: statement.id, text: statement.text, hint: { text: hint }, checked: selected.includes(statement.id) });
  const results: ReturnType<typeof item>[] = [];
  const templates = labels.statementTemplates.map((template) => ({
    label: template.label,
    chosen: template.sections.reduce((sum, section) => sum + section.statements.filter((statement) => selected.includes(statement.id)).length, 0),
    sections: template.sections.map((section) => {
      const rest = section.statements.filter((statement) => {
        if (!matches(statement, words)) return true;
        results.push(item(statement, `${template.label}; ${section.label.split(':')[0]}; ${statement.where}`));
        return false;
      });
      const chosen = rest.filter((statement) => selected.includes(statement.id)).length;
      return { key: section.key, label: section.label, chosen, items: rest.map((statement) => item(statement, statement.where)) };
    }),
  }));
  return { search, searched: words.length > 0, results, templates };
}

function resultRows(form: PracticeForm, problems: readonly FieldProblem[] | undefined, impact: ImpactView | undefined) {
  return form.results.map((row, index) => {
    const name = (field: string) => `results.${index}.${field}`;
    return {
      index,
      number: index + 1,
      values: row,
      name,
      id: (field: string) => fieldId(name(field)),
      error: (field: string) => errorFor(problems, name(field)),
      measureItems: [
        { value: 'effect', text: 'An effect size, with its interval if you have one', checked: row.measure === 'effect' },
        { value: 'means', text: 'The average (mean) and standard deviation of each group', checked: row.measure === 'means' },
        { value: 'counts', text: 'How many in each group had the outcome', checked: row.measure === 'counts' },
      ],
      higherItems: [
        { value: 'yes', text: 'Higher is better (for example a reading score)', checked: row.higherIsBetter !== 'no' },
        { value: 'no', text: 'Lower is better (for example exclusions)', checked: row.higherIsBetter === 'no' },
      ],
      impact: impact?.byIndex.get(index),
    };
  });
}

/** The latest feedback from the national team, and whether it asks for changes. */
function latestFeedback(view: SubmitterView): { kind: 'returned' | 'rejected' | 'published'; text: string; at: Date } | undefined {
  if (view.item.status === 'returned' || view.item.status === 'rejected') {
    const event = view.events.filter((entry) => entry.kind === view.item.status).at(-1);
    if (event !== undefined) return { kind: view.item.status, text: event.detail, at: event.at };
  }
  if (view.item.status === 'published') {
    const decision = view.decisions.filter((entry) => entry.outcome === 'publish').at(-1);
    if (decision !== undefined) return { kind: 'published', text: decision.feedback, at: decision.decidedAt };
  }
  return undefined;
}

interface FormState {
  view?: SubmitterView;
  form: PracticeForm;
  problems?: FieldProblem[];
  /** The version the next save is made against. */
  version?: number;
  conflict?: boolean;
  notice?: string;
  /** Saved content, when the page shows what is saved (so figures worked out from it are true). */
  saved?: PracticeContent;
}

export function registerSubmitRoutes(app: FastifyInstance, practice: PracticeService, options: { db: Kysely<Schema>; catalogue: Catalogue }): void {
  const { db, catalogue } = options;

  async function showForm(reply: FastifyReply, state: FormState) {
    const labels = await vocabularyLabels(db, catalogue);
    const { view, form, problems } = state;
    const impact = state.saved === undefined ? undefined : impactView(itemImpact(state.saved));
    const item = view?.item;
    const feedback = view === undefined ? undefined : latestFeedback(view);
    return reply.view('practice/submit/form.njk', {
      pageTitle: item === undefined ? 'New submission: share practice' : `${item.draft.title || 'Untitled'}: your submission`,
      breadcrumbs: [{ text: 'Share practice', href: '/practice/submit' }],
      item: item === undefined ? undefined : { ...item, referenceText: referenceText(item.reference), tag: statusTag(item.status) },
      action: item === undefined ? '/practice/submissions' : `/practice/submissions/${item.id}`,
      draftVersion: state.version ?? item?.version,
      form,
      errors: problems === undefined ? undefined : errorList(problems),
      errorSummaryShown: problems !== undefined && problems.length > 0,
      errorFor: (field: string) => errorFor(problems, field),
      conflict: state.conflict === true,
      notice: state.notice,
      returned: item?.status === 'returned',
      feedback,
      groupItems: checkboxItems(labels.groups, form.groups),
      outcomeItems: checkboxItems(labels.outcomes, form.outcomes),
      threadItems: checkboxItems(labels.threads, form.threads),
      tierItems: checkboxItems(labels.tiers, form.tiers),
      settingItems: checkboxItems(labels.settingTypes, form.settingTypes),
      statementPicker: statementPicker(labels, form.statements, form.statementSearch),
      statementsChosen: form.statements.length,
      laItems: [
        { value: '', text: 'Not one local authority (national, regional or several)', selected: form.laCode === '' },
        ...labels.localAuthorities.map((la) => ({ value: la.value, text: la.text, selected: la.value === form.laCode })),
      ],
      designItems: evaluationDesigns.map((design) => ({ value: design, text: designLabels[design], checked: form.design === design })),
      resultRows: resultRows(form, problems, impact),
      linkRows: form.links.map((link, index) => ({ ...link, index, number: index + 1 })),
      costBand: state.saved === undefined ? null : costBandText(state.saved),
      impact,
      documents: view === undefined ? [] : documentsView(view.documents),
      history: view === undefined ? [] : timelineOf(view.events),
      mayWithdraw: item !== undefined && withdrawableStatuses.includes(item.status),
      limits: submissionLimits,
    });
  }

  async function showReadOnly(reply: FastifyReply, view: SubmitterView, notice?: string) {
    const labels = await vocabularyLabels(db, catalogue);
    const { item } = view;
    const decision = view.decisions.filter((entry) => entry.outcome === 'publish').at(-1);
    return reply.view('practice/submit/show.njk', {
      pageTitle: `${item.draft.title || 'Untitled'}: your submission`,
      breadcrumbs: [{ text: 'Share practice', href: '/practice/submit' }],
      item: { ...item, referenceText: referenceText(item.reference), tag: statusTag(item.status) },
      notice,
      feedback: latestFeedback(view),
      published: decision === undefined ? undefined : { grade: decision.grade === null ? '' : gradeLabels[decision.grade], padlocks: padlocksText(decision.evidenceStrength) },
      flagged: item.status === 'submitted' && item.personalDataFindings.length > 0,
      sections: contentSections(item.draft, labels),
      impact: impactView(itemImpact(item.draft)),
      documents: documentsView(view.documents),
      history: timelineOf(view.events),
      mayWithdraw: withdrawableStatuses.includes(item.status),
    });
  }

  const notices: Record<string, string> = {
    saved: 'Your draft has been saved.',
    started: 'Your draft has been saved. You can come back to it at any time from “Share practice”.',
    submitted: 'Submitted for moderation. The national team will screen it and tell you what happens next.',
    documents: 'Your draft has been saved.',
  };

  async function showItem(request: FastifyRequest, reply: FastifyReply, id: string) {
    const view = await practice.submitterView(request.viewer, id);
    const notice = notices[query(request, 'done')];
    if (!editableStatuses.includes(view.item.status)) return showReadOnly(reply, view, notice);
    const add = query(request, 'add');
    const form = formOf(view.item.draft, { statementSearch: query(request, 'find').slice(0, 100) });
    // "Add another" saved what was typed and came back here: the new, empty row is shown, not stored.
    const withRow = add === 'result' ? applyRowAction(form, { kind: 'add-result' }) : add === 'link' ? applyRowAction(form, { kind: 'add-link' }) : form;
    return showForm(reply, { view, form: withRow, saved: view.item.draft, notice });
  }

  // ---- The call for evidence and "your practice" ----------------------------------------------

  app.get('/practice/submit', { schema: hidden, config: submit }, async (request, reply) => {
    const actor = actorOf(request);
    const items = await listItems(db, { submitterUserId: actor.viewer.userId });
    return reply.view('practice/submit/list.njk', {
      pageTitle: 'Share practice: the call for evidence',
      items: items.map((item) => ({
        id: item.id,
        title: item.title || 'Untitled draft',
        referenceText: referenceText(item.reference),
        tag: statusTag(item.status),
        updatedAt: item.updatedAt,
        feedbackWaiting: item.status === 'returned',
      })),
      gradeCriteria,
      padlockCriteria,
      limits: submissionLimits,
    });
  });

  // ---- A new submission ------------------------------------------------------------------------

  app.get('/practice/submissions/new', { schema: hidden, config: submit }, async (_request, reply) => showForm(reply, { form: formOf(emptyContent()) }));

  /**
   * The form to save after the button pressed: a row removed, and empty rows dropped. An added row
   * is never saved empty (an empty link is not a link): the page shows it after the save.
   */
  function formAfter(body: Body | undefined, action: FormAction): PracticeForm {
    const typed = readPracticeForm(body);
    return withoutBlankRows(action.kind === 'remove-result' || action.kind === 'remove-link' ? applyRowAction(typed, action) : typed);
  }

  /** Where the page goes after a save, to the place the button was. */
  function afterSave(id: string, action: FormAction, form: PracticeForm, done = 'saved'): string {
    const page = `/practice/submissions/${id}`;
    switch (action.kind) {
      case 'add-result':
        return `${page}?done=${done}&add=result#result-${form.results.length + 1}`;
      case 'remove-result':
        return `${page}?done=${done}#results-heading`;
      case 'add-link':
        return `${page}?done=${done}&add=link#links-${form.links.length}-url`;
      case 'remove-link':
        return `${page}?done=${done}#links-heading`;
      case 'find-statements':
        return `${page}?find=${encodeURIComponent(form.statementSearch)}#statements-heading`;
      case 'documents':
        return `${page}/documents`;
      default:
        return `${page}?done=${done}`;
    }
  }

  app.post<{ Body: Body }>('/practice/submissions', { schema: hidden, config: submit }, async (request, reply) => {
    const actor = actorOf(request);
    const action = formActionOf(request.body);
    const form = formAfter(request.body, action);
    const { content, problems } = contentFromForm(form);
    if (problems.length > 0) return showForm(reply.code(400), { form, problems });
    let id: string;
    try {
      id = await practice.workflow.createDraft(actor, content);
    } catch (error) {
      if (error instanceof PracticeInputError) return showForm(reply.code(400), { form, problems: error.problems });
      return refusalPage(reply, error, backToList);
    }
    if (action.kind === 'submit') return submitSaved(request, reply, id, form, undefined);
    return reply.redirect(afterSave(id, action, form, 'started'), 303);
  });

  /** Submits a saved draft; a problem shows the form again, as typed, with the draft saved. */
  async function submitSaved(request: FastifyRequest, reply: FastifyReply, id: string, form: PracticeForm, expectedVersion: number | undefined) {
    const actor = actorOf(request);
    try {
      await practice.workflow.submit(actor, id, { ...(expectedVersion === undefined ? {} : { expectedVersion }), responseToFeedback: form.responseToFeedback });
    } catch (error) {
      if (error instanceof PracticeInputError) {
        const view = await practice.submitterView(request.viewer, id);
        return showForm(reply.code(400), { view, form, problems: error.problems, version: view.item.version, notice: 'Your draft has been saved, but it cannot be submitted yet.' });
      }
      return refusalPage(reply, error, backToItem(id));
    }
    return reply.redirect(`/practice/submissions/${id}?done=submitted`, 303);
  }

  // ---- An item: the form, or where it stands ---------------------------------------------------

  app.get<{ Params: { id: string } }>('/practice/submissions/:id', { schema: hidden, config: submit }, async (request, reply) => {
    try {
      return await showItem(request, reply, request.params.id);
    } catch (error) {
      return refusalPage(reply, error, backToList);
    }
  });

  app.post<{ Params: { id: string }; Body: Body }>('/practice/submissions/:id', { schema: hidden, config: submit }, async (request, reply) => {
    const { id } = request.params;
    const actor = actorOf(request);
    let view: SubmitterView;
    try {
      view = await practice.submitterView(request.viewer, id);
    } catch (error) {
      return refusalPage(reply, error, backToList);
    }
    const action = formActionOf(request.body);
    const form = formAfter(request.body, action);
    const expected = Number(typeof request.body?.version === 'string' ? request.body.version : Number.NaN);
    const { content, problems } = contentFromForm(form);
    if (problems.length > 0) return showForm(reply.code(400), { view, form, problems, version: Number.isInteger(expected) ? expected : view.item.version });
    let saved: number;
    try {
      saved = await practice.workflow.saveDraft(actor, id, content, Number.isInteger(expected) ? expected : -1);
    } catch (error) {
      if (error instanceof PracticeInputError) return showForm(reply.code(400), { view, form, problems: error.problems, version: expected });
      if (error instanceof PracticeConflictError) {
        // What they typed stays on the page; saving again (against the newer version) replaces the other one.
        const latest = await practice.submitterView(request.viewer, id);
        return showForm(reply.code(409), { view: latest, form, conflict: true, version: error.current });
      }
      return refusalPage(reply, error, backToItem(id));
    }
    if (action.kind === 'submit') return submitSaved(request, reply, id, form, saved);
    return reply.redirect(afterSave(id, action, form), 303);
  });

  // ---- Withdrawing -----------------------------------------------------------------------------

  app.get<{ Params: { id: string } }>('/practice/submissions/:id/withdraw', { schema: hidden, config: submit }, async (request, reply) => {
    try {
      const view = await practice.submitterView(request.viewer, request.params.id);
      if (!withdrawableStatuses.includes(view.item.status)) return reply.redirect(`/practice/submissions/${view.item.id}`, 303);
      return reply.view('practice/submit/withdraw.njk', {
        pageTitle: 'Withdraw this submission',
        breadcrumbs: [
          { text: 'Share practice', href: '/practice/submit' },
          { text: view.item.draft.title || 'Untitled', href: `/practice/submissions/${view.item.id}` },
        ],
        item: { ...view.item, referenceText: referenceText(view.item.reference) },
      });
    } catch (error) {
      return refusalPage(reply, error, backToList);
    }
  });

  app.post<{ Params: { id: string } }>('/practice/submissions/:id/withdraw', { schema: hidden, config: submit }, async (request, reply) => {
    const { id } = request.params;
    try {
      await practice.workflow.withdraw(actorOf(request), id);
    } catch (error) {
      return refusalPage(reply, error, backToItem(id));
    }
    return reply.redirect(`/practice/submissions/${id}`, 303);
  });

  // ---- Documents -------------------------------------------------------------------------------

  async function showDocuments(reply: FastifyReply, view: SubmitterView, problems?: FieldProblem[], notice?: string) {
    return reply.view('practice/submit/documents.njk', {
      pageTitle: `Documents: ${view.item.draft.title || 'Untitled'}`,
      breadcrumbs: [
        { text: 'Share practice', href: '/practice/submit' },
        { text: view.item.draft.title || 'Untitled', href: `/practice/submissions/${view.item.id}` },
      ],
      item: { ...view.item, referenceText: referenceText(view.item.reference) },
      editable: editableStatuses.includes(view.item.status),
      documents: documentsView(view.documents),
      allowedTypes: allowedTypesInWords,
      notice,
      errors: problems === undefined ? undefined : errorList(problems),
      errorSummaryShown: problems !== undefined,
      errorFor: (field: string) => errorFor(problems, field),
    });
  }

  app.get<{ Params: { id: string } }>('/practice/submissions/:id/documents', { schema: hidden, config: submit }, async (request, reply) => {
    try {
      const added = query(request, 'added') === '1' ? 'The document has been added.' : query(request, 'removed') === '1' ? 'The document has been removed.' : undefined;
      return await showDocuments(reply, await practice.submitterView(request.viewer, request.params.id), undefined, added);
    } catch (error) {
      return refusalPage(reply, error, backToList);
    }
  });

  app.post<{ Params: { id: string }; Body: Body }>('/practice/submissions/:id/documents', { schema: hidden, config: submit }, async (request, reply) => {
    const { id } = request.params;
    const file = request.body?.document;
    // A form sent with no file chosen still carries an empty part.
    const upload = isUploadedFile(file) && !(file.size === 0 && file.filename === '') ? file : undefined;
    try {
      const view = await practice.submitterView(request.viewer, id);
      if (upload === undefined) return showDocuments(reply.code(400), view, [{ field: 'document', message: 'Choose a file to add' }]);
      try {
        await practice.addDocument(actorOf(request), id, upload.filename, await readFile(upload.path));
      } catch (error) {
        if (error instanceof PracticeInputError) return showDocuments(reply.code(400), view, error.problems);
        throw error;
      }
      return reply.redirect(`/practice/submissions/${id}/documents?added=1`, 303);
    } catch (error) {
      return refusalPage(reply, error, backToItem(id));
    }
  });

  app.post<{ Params: { id: string; documentId: string } }>('/practice/submissions/:id/documents/:documentId/remove', { schema: hidden, config: submit }, async (request, reply) => {
    const { id, documentId } = request.params;
    try {
      await practice.removeDocument(actorOf(request), id, documentId);
    } catch (error) {
      return refusalPage(reply, error, backToItem(id));
    }
    return reply.redirect(`/practice/submissions/${id}/documents?removed=1`, 303);
  });

  // The submitter, the national team and the item's reviewers download through the same address; the service decides who may.
  app.get<{ Params: { id: string; documentId: string } }>('/practice/submissions/:id/documents/:documentId', { schema: hidden, config: { permission: 'signed-in' } }, async (request, reply) => {
    try {
      const document = await practice.document(request.viewer, request.params.id, request.params.documentId);
      return reply
        .header('Content-Type', document.mediaType)
        .header('Content-Disposition', attachmentDisposition(document.name))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .send(document.content);
    } catch (error) {
      return refusalPage(reply, error, backToList);
    }
  });
}
