/**
 * The library's pages: the search with its filters (`/practice`), each published item
 * (`/practice/{id}`) with its documents and its results figure, and a search as CSV or Excel
 * (`/practice.csv`, `/practice.xlsx`). Public: no sign-in. Anything not published answers 404,
 * the same as an id that was never used, so nothing unpublished can be found by trying ids.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { attachmentDisposition } from '../assessment/evidence-routes.js';
import type { Schema } from '../db/schema.js';
import { regionOf } from '../areas/areas.js';
import type { DownloadColumn } from '../web/downloads.js';
import { sendTable } from '../web/downloads.js';
import { figureFile, figureOffers, isFigureFormat } from '../web/figure-downloads.js';
import type { FigureView } from '../web/figure-view.js';
import { presentFigure } from '../web/figure-view.js';
import { formatDate } from '../web/format.js';
import type { FacetName, LibraryItem, LibraryQuery, LibraryResults, LibraryVocabulary, QueryProblem } from './library.js';
import {
  costBandLabel,
  facetNames,
  gradeLabel,
  hasFilters,
  libraryExportLimit,
  libraryQueryString,
  librarySorts,
  placeName,
  practiceLibrary,
  sortLabels,
  StampedCache,
  strengthText,
} from './library.js';
import type { PanelFacet, ResultView } from './library-html.js';
import { filterPanelHtml, resultHtml, resultListHtml } from './library-html.js';
import { costText, documentTypeLabel, forestFigure, itemPage, monthsIntervalText, monthsText, sizeText } from './library-item.js';
import type { PracticeService, PublishedView } from './service.js';
import { isItemId } from './store.js';
import { PracticeNotFoundError } from './workflow.js';

const publicRoute = { permission: 'public' } as const;
const hidden = { hide: true } as const;

type Query = Record<string, unknown>;

/** Searches whose page content is kept (each some tens of kilobytes of HTML), most recently shown first. */
const pagesKept = 200;

/** Items whose results chart is kept, drawn. */
const figuresKept = 200;

/** The statements a filter panel lists at most (those with the most items first; chosen ones always). */
const statementsListed = 8;

/** A facet's values' labels, joined: "Children in care, Young carers". */
function labelsOf(vocabulary: LibraryVocabulary, facet: FacetName, values: readonly string[]): string[] {
  return values.map((value) => vocabulary.facets[facet].byValue.get(value)?.label ?? value);
}

function listText(labels: readonly string[], most = 3): string {
  if (labels.length <= most) return labels.join(', ');
  return `${labels.slice(0, most).join(', ')} and ${labels.length - most} more`;
}

/**
 * Evidence strength as five padlocks, the first `strength` closed and dark: drawn once a page for
 * each strength (in a hidden SVG), and used by every picture of that strength on it. Fixed markup,
 * no text from anyone; a picture only (`aria-hidden`), as the words beside it say the same.
 */
export const padlockSymbols = [
  '<svg class="govuk-visually-hidden" aria-hidden="true" focusable="false" width="0" height="0">',
  '<symbol id="ntg-lock-closed" viewBox="0 0 15 16"><path d="M3.5 7.5V5.5a3.5 3.5 0 0 1 7 0V7.5" fill="none" stroke="#0b0c0c" stroke-width="1.6"/><rect x="1.5" y="7.5" width="11" height="7.5" rx="1" fill="#0b0c0c"/></symbol>',
  '<symbol id="ntg-lock-open" viewBox="0 0 15 16"><path d="M3.5 7.5V5.5a3.5 3.5 0 0 1 7 0V7.5" fill="none" stroke="#6f777b" stroke-width="1.6"/><rect x="1.5" y="7.5" width="11" height="7.5" rx="1" fill="none" stroke="#6f777b" stroke-width="1.2"/></symbol>',
  ...[1, 2, 3, 4, 5].map(
    (strength) =>
      `<symbol id="ntg-padlocks-${strength}" viewBox="0 0 76 16">${[0, 1, 2, 3, 4].map((n) => `<use href="#ntg-lock-${n < strength ? 'closed' : 'open'}" x="${n * 15}" width="15" height="16"/>`).join('')}</symbol>`,
  ),
  '</svg>',
].join('');
const padlockPictures = [0, 1, 2, 3, 4, 5].map((strength) => `<svg class="ntg-padlocks" width="76" height="16" aria-hidden="true" focusable="false"><use href="#ntg-padlocks-${Math.max(1, strength)}"/></svg>`);

export function padlocksSvg(strength: number): string {
  return padlockPictures[Math.max(0, Math.min(5, Math.round(strength)))]!;
}

/** What a result shows besides its title and snippet. */
function resultView(item: LibraryItem, vocabulary: LibraryVocabulary): ResultView {
  const overall = item.impact;
  return {
    ...item,
    href: `/practice/${item.id}`,
    gradeLabel: gradeLabel(item.grade),
    strength: strengthText(item.evidenceStrength),
    padlocks: padlocksSvg(item.evidenceStrength),
    months: overall === null ? null : monthsText(overall.months),
    monthsInterval: overall === null ? '' : monthsIntervalText(overall),
    costBandLabel: item.costBand === null ? null : costBandLabel(item.costBand),
    groupsText: listText(labelsOf(vocabulary, 'group', item.groups)),
    place: placeName(item.laCode),
  };
}

/**
 * A result's HTML. An item listed without searched words is the index's own object, the same on
 * every page until the library changes, so its HTML is made once; one with words marked is new each time.
 */
const listed = new WeakMap<LibraryItem, string>();
function listedHtml(item: LibraryItem, vocabulary: LibraryVocabulary): string {
  let html = listed.get(item);
  if (html === undefined) {
    html = resultHtml(resultView(item, vocabulary));
    listed.set(item, html);
  }
  return html;
}

/** Page links: the first and last, and two either side of this one, with gaps as ellipses. */
function paginationOf(results: LibraryResults) {
  const { page, pageCount, query } = results;
  if (pageCount <= 1) return null;
  const href = (number: number) => {
    const search = libraryQueryString(query, { page: number });
    return `/practice${search === '' ? '' : `?${search}`}`;
  };
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pageCount])].filter((number) => number >= 1 && number <= pageCount).sort((a, b) => a - b);
  for (const number of shown) {
    const last = items.at(-1);
    if (last !== undefined && 'number' in last && number > last.number + 1) items.push({ ellipsis: true });
    items.push({ number, href: href(number), current: number === page });
  }
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pageCount ? { next: { href: href(page + 1) } } : {}),
  };
}

/** The filter panel: each facet's options with their counts, open when something in it is chosen. */
function filterPanel(results: LibraryResults, vocabulary: LibraryVocabulary): PanelFacet[] {
  return facetNames.map((name) => {
    const options = results.facets[name];
    const listed = name === 'statement' ? [...options.filter((option) => option.selected), ...options.filter((option) => !option.selected).slice(0, statementsListed)] : options;
    const chosen = results.query.filters[name].length;
    return {
      name,
      heading: vocabulary.facets[name].heading,
      chosen,
      // Short ids: there are a hundred checkboxes, each naming its id twice.
      options: listed.map((option, index) => ({ ...option, id: `f-${name}-${index}` })),
      more: name === 'statement' ? Math.max(0, options.length - listed.length) : 0,
    };
  });
}

/** The filters chosen, each with the address without it. */
function chosenFilters(query: LibraryQuery, vocabulary: LibraryVocabulary) {
  return facetNames.flatMap((facet) =>
    query.filters[facet].map((value) => {
      const search = libraryQueryString(query, { without: { facet, value } });
      return {
        heading: vocabulary.facets[facet].heading,
        label: vocabulary.facets[facet].byValue.get(value)?.label ?? value,
        removeHref: `/practice${search === '' ? '' : `?${search}`}`,
      };
    }),
  );
}

/** The search's words and filters in words, for a download's notes. */
function searchDetails(query: LibraryQuery, vocabulary: LibraryVocabulary, sort: string): { label: string; value: string }[] {
  return [
    ...(query.q === '' ? [] : [{ label: 'Search words', value: query.q }]),
    ...facetNames.filter((facet) => query.filters[facet].length > 0).map((facet) => ({ label: vocabulary.facets[facet].heading, value: labelsOf(vocabulary, facet, query.filters[facet]).join('; ') })),
    { label: 'Order', value: sortLabels[sort as keyof typeof sortLabels] ?? sort },
  ];
}

function exportColumns(vocabulary: LibraryVocabulary, origin: string): DownloadColumn<LibraryItem>[] {
  const labels = (facet: FacetName, values: readonly string[]) => labelsOf(vocabulary, facet, values).join('; ');
  return [
    { label: 'Reference', value: (item) => item.referenceLabel },
    { label: 'Title', value: (item) => item.title },
    { label: 'Summary', value: (item) => item.summary },
    { label: 'Grade', value: (item) => gradeLabel(item.grade) },
    { label: 'Evidence strength (padlocks of 5)', value: (item) => item.evidenceStrength, numberFormat: '0' },
    { label: 'Months of additional progress', value: (item) => item.impact?.months ?? 'x', numberFormat: '+0;-0;0' },
    { label: 'Months: lower 95% limit', value: (item) => item.impact?.monthsLower ?? 'x', numberFormat: '+0;-0;0' },
    { label: 'Months: upper 95% limit', value: (item) => item.impact?.monthsUpper ?? 'x', numberFormat: '+0;-0;0' },
    { label: 'Effect size', value: (item) => (item.impact === null ? 'x' : Number(item.impact.value.toFixed(4))), numberFormat: '0.00' },
    { label: 'Effect size: lower 95% limit', value: (item) => (item.impact?.lower === null || item.impact === null ? 'x' : Number(item.impact.lower.toFixed(4))), numberFormat: '0.00' },
    { label: 'Effect size: upper 95% limit', value: (item) => (item.impact?.upper === null || item.impact === null ? 'x' : Number(item.impact.upper.toFixed(4))), numberFormat: '0.00' },
    { label: 'Cost band', value: (item) => (item.costBand === null ? '' : costBandLabel(item.costBand)) },
    { label: 'Cost per child per year (£)', value: (item) => item.costPerChild ?? 'x', numberFormat: '#,##0' },
    { label: 'Who it is for', value: (item) => labels('group', item.groups) },
    { label: 'Every Child Matters outcomes', value: (item) => labels('outcome', item.outcomes) },
    { label: 'Golden threads', value: (item) => labels('thread', item.threads) },
    { label: 'Template statements', value: (item) => item.statements.join('; ') },
    { label: 'Tiers of need', value: (item) => labels('tier', item.tiers) },
    { label: 'Settings', value: (item) => labels('setting', item.settingTypes) },
    { label: 'Local authority code', value: (item) => item.laCode ?? '' },
    { label: 'Where it ran', value: (item) => placeName(item.laCode) ?? '' },
    { label: 'Region', value: (item) => (item.regionCode === null ? '' : (vocabulary.facets.region.byValue.get(item.regionCode)?.label ?? (item.laCode === null ? '' : (regionOf(item.laCode)?.name ?? '')))) },
    { label: 'Published', value: (item) => item.publishedAt.toISOString().slice(0, 10) },
    { label: 'Web page', value: (item) => `${origin}/practice/${item.id}` },
  ];
}

/** The address the service was reached at, for links in a download. */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function problemsMessage(problems: readonly QueryProblem[]): string {
  return problems.map((problem) => problem.message).join('; ');
}

export function registerLibraryRoutes(app: FastifyInstance, practice: PracticeService, db: Kysely<Schema>): void {
  const library = practiceLibrary(db);

  /** The page's content for each search recently shown, with the library's stamp it was made at. */
  const pages = new StampedCache<Record<string, unknown>>(pagesKept);

  /** What the page shows for a search: worked out afresh unless the library is as it was when it was last shown. */
  const pageContent = async (query: LibraryQuery, vocabulary: LibraryVocabulary): Promise<Record<string, unknown>> => {
    const key = libraryQueryString(query);
    const kept = pages.get(key);
    if (kept !== undefined && kept.stamp === (await library.currentStamp())) return kept.value;
    const results = await library.search(query);
    const content = {
      results,
      filtered: hasFilters(query),
      resultsHtml: resultListHtml(results.items.map((item) => listedHtml(item, vocabulary))),
      panelHtml: filterPanelHtml(filterPanel(results, vocabulary)),
      chosen: chosenFilters(query, vocabulary),
      sorts: librarySorts.filter((sort) => sort !== 'relevance' || query.q !== '').map((sort) => ({ value: sort, text: sortLabels[sort], selected: sort === results.sort })),
      pagination: paginationOf(results),
      firstShown: results.total === 0 ? 0 : (results.page - 1) * results.pageSize + 1,
      lastShown: Math.min(results.page * results.pageSize, results.total),
      downloadQuery: libraryQueryString(query, { page: 1 }),
    };
    if (pages.worthKeeping(key)) pages.set(key, results.stamp, content);
    return content;
  };

  app.get<{ Querystring: Query }>('/practice', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const { query, problems } = await library.readQuery(request.query, { refuseUnknownParameters: false });
    const vocabulary = await library.vocabulary();
    const content = await pageContent(query, vocabulary);
    // A hand-edited address that is partly wrong still gets a page: the search without the wrong parts, and what was wrong.
    if (problems.length > 0) reply.code(400);
    return reply.view('practice/library/search.njk', {
      pageTitle: query.q === '' ? 'Practice library' : `Practice library: “${query.q}”`,
      pageDescription: 'Search published examples of effective practice in narrowing the gap for vulnerable children, graded by a national moderation panel.',
      query,
      problems,
      errorSummaryShown: problems.length > 0,
      ...content,
      exportLimit: libraryExportLimit,
      padlockSymbols,
    });
  });

  const sendExport = async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply, format: 'csv' | 'xlsx') => {
    const { query, problems } = await library.readQuery(request.query, { refuseUnknownParameters: false });
    const vocabulary = await library.vocabulary();
    if (problems.length > 0) return reply.code(400).view('error.njk', { title: 'The download could not be made', message: `Check the address: ${problemsMessage(problems)}.` });
    const results = await library.search({ ...query, page: 1 }, { pageSize: libraryExportLimit, snippets: false });
    return sendTable(
      reply,
      {
        fileName: `practice-library-${new Date().toISOString().slice(0, 10)}`,
        sheetName: 'Practice',
        columns: exportColumns(vocabulary, originOf(request)),
        rows: results.items,
        metadata: {
          title: 'Practice library: search results',
          source: 'Narrowing the Gap practice library: examples of practice published after moderation (two independent reviews and a panel decision).',
          details: [
            ...searchDetails(query, vocabulary, results.sort),
            { label: 'Items', value: results.total > results.items.length ? `The first ${results.items.length.toLocaleString('en-GB')} of ${results.total.toLocaleString('en-GB')} matching` : `${results.total.toLocaleString('en-GB')} matching` },
          ],
          notes: [
            'Months of additional progress use the Education Endowment Foundation’s conversion of an effect size; where an item has several results they are pooled (random effects). x: the item gives no effect size.',
            'Grades: validated, promising or emerging (after C4EO). Evidence strength: 1 to 5 padlocks, in the manner of the EEF toolkit.',
          ],
        },
      },
      format,
    );
  };
  app.get<{ Querystring: Query }>('/practice.csv', { schema: hidden, config: publicRoute }, (request, reply) => sendExport(request, reply, 'csv'));
  app.get<{ Querystring: Query }>('/practice.xlsx', { schema: hidden, config: publicRoute }, (request, reply) => sendExport(request, reply, 'xlsx'));

  /** The published item, or undefined (not published, or no such id). */
  const published = async (id: string): Promise<PublishedView | undefined> => {
    if (!isItemId(id)) return undefined;
    try {
      return await practice.publishedView(id);
    } catch (error) {
      if (error instanceof PracticeNotFoundError) return undefined;
      throw error;
    }
  };

  // Drawing a chart takes longer than the rest of the page: each item's is kept while it stays as published.
  const figures = new StampedCache<FigureView>(figuresKept);
  const resultsFigure = async (view: PublishedView): Promise<FigureView> => {
    const stamp = view.publishedAt.toISOString();
    const kept = figures.get(view.id);
    if (kept !== undefined && kept.stamp === stamp) return kept.value;
    const figure = await presentFigure(forestFigure(view.impact, view.content.title), { downloadPath: `/practice/${view.id}/figures`, query: '' });
    figures.set(view.id, stamp, figure);
    return figure;
  };

  app.get<{ Params: { id: string } }>('/practice/:id', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const view = await published(request.params.id);
    if (view === undefined) return reply.callNotFound();
    const vocabulary = await library.vocabulary();
    const page = itemPage(view, library.catalogue, vocabulary);
    const figure = view.impact.results.length === 0 ? null : await resultsFigure(view);
    return reply.view('practice/library/item.njk', {
      pageTitle: `${page.referenceLabel}: ${view.content.title}`,
      pageDescription: view.content.summary.slice(0, 300),
      breadcrumbs: [{ text: 'Practice library', href: '/practice' }],
      view,
      page,
      figure,
      documents: view.documents.map((document) => ({
        name: document.name,
        href: `/practice/${view.id}/documents/${document.id}`,
        type: documentTypeLabel(document.mediaType),
        size: sizeText(document.sizeBytes),
      })),
      trail: view.trail.map((step) => ({ date: formatDate(step.at), what: step.what })),
      costFigure: costText(view.content.costPerChild),
      padlocks: padlocksSvg(view.evidenceStrength),
      padlockSymbols,
    });
  });

  app.get<{ Params: { id: string; figure: string; format: string } }>('/practice/:id/figures/:figure.:format', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const { figure: figureId, format } = request.params;
    const view = await published(request.params.id);
    if (view === undefined || figureId !== 'results' || !isFigureFormat(format) || view.impact.results.length === 0) return reply.callNotFound();
    const figure = forestFigure(view.impact, view.content.title);
    if (!figureOffers(figure, format)) return reply.code(404).view('error.njk', { title: 'There is no chart to download', message: `${figure.withoutChart} The figures are in the CSV and Excel downloads.` });
    const file = await figureFile(figure, format);
    return reply
      .type(file.contentType)
      .header('Content-Disposition', `attachment; filename="practice-${view.reference}-results.${format}"`)
      .send(file.body);
  });

  app.get<{ Params: { id: string; documentId: string } }>('/practice/:id/documents/:documentId', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const { id, documentId } = request.params;
    // Only a published item's documents are public, whoever asks: a submitter or moderator opens theirs from their own pages.
    if ((await published(id)) === undefined || !isItemId(documentId)) return reply.callNotFound();
    let document: { name: string; mediaType: string; content: Buffer };
    try {
      document = await practice.document({ signedIn: false }, id, documentId);
    } catch (error) {
      if (error instanceof PracticeNotFoundError) return reply.callNotFound();
      throw error;
    }
    return reply
      .header('Content-Type', document.mediaType)
      .header('Content-Disposition', attachmentDisposition(document.name))
      .header('X-Content-Type-Options', 'nosniff')
      .send(Buffer.from(document.content));
  });
}
