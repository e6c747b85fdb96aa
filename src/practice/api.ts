/**
 * The practice library in the JSON API: a search (`GET /api/v1/practice`, the library page's own
 * parameters) and one published item with every result (`GET /api/v1/practice/{id}`). Public, as
 * the pages are. A parameter that is not valid answers 400 naming it; an item that is not
 * published answers 404, as one that does not exist does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { designLabels } from './content.js';
import type { FacetName, LibraryItem, LibraryResults, LibraryVocabulary } from './library.js';
import { costBandValue, facetNames, gradeMeanings, libraryPageSize, libraryQueryString, librarySorts, placeOf, practiceLibrary, StampedCache, statementsCounted, strengthMeanings } from './library.js';
import { agreementWords } from './library-item.js';
import type { ItemImpact } from './impact.js';
import { practiceReference } from './reference.js';
import type { PracticeService, PublishedView } from './service.js';
import { isItemId } from './store.js';
import { PracticeNotFoundError } from './workflow.js';
import { costBand } from './cost.js';

const publicRoute = { permission: 'public' } as const;
const tags = ['Practice'];

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const labelled = { type: 'object', required: ['id', 'label'], properties: { id: { type: 'string' }, label: { type: 'string' } } } as const;
const labelledList = { type: 'array', items: labelled } as const;

const itemProperties = {
  id: { type: 'string', description: 'The item’s id (a UUID)' },
  reference: { type: 'string', description: 'How people refer to it, e.g. P-0042' },
  title: { type: 'string' },
  summary: { type: 'string' },
  grade: { type: 'string', enum: ['validated', 'promising', 'emerging'], description: 'The moderation panel’s grade (after C4EO)' },
  evidenceStrength: { type: 'integer', minimum: 1, maximum: 5, description: 'Padlocks, 1 to 5 (after the EEF toolkit)' },
  impactMonths: { ...nullableInteger, description: 'Months of additional progress (EEF conversion) of the overall effect; null when no result gives an effect size' },
  impactMonthsLower: { ...nullableInteger, description: 'Lower 95% limit, in months' },
  impactMonthsUpper: { ...nullableInteger, description: 'Upper 95% limit, in months' },
  effectSize: { ...nullableNumber, description: 'The overall effect size (standardised difference; results pooled by random effects)' },
  effectSizeLower: nullableNumber,
  effectSizeUpper: nullableNumber,
  costBand: { ...nullableString, enum: ['no-cost', 'very-low', 'low', 'moderate', 'high', 'very-high', null], description: 'EEF cost band of the cost per child per year' },
  costPerChild: { ...nullableNumber, description: 'Pounds per child per year' },
  groups: { ...labelledList, description: 'Groups of children it is for (framework ids and names)' },
  outcomes: { ...labelledList, description: 'Every Child Matters outcomes' },
  threads: { ...labelledList, description: 'Golden threads' },
  statements: { ...labelledList, description: 'Template statements' },
  tiers: { ...labelledList, description: 'Tiers of need' },
  settingTypes: { ...labelledList, description: 'Kinds of setting' },
  localAuthority: { type: ['object', 'null'], required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } }, description: 'Where it ran (GSS code), if in one authority' },
  region: { type: ['object', 'null'], required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } } },
  publishedAt: { type: 'string', format: 'date-time' },
  url: { type: 'string', description: 'Its page in the library' },
  href: { type: 'string', description: 'Its address in this API' },
} as const;

const listItemSchema = {
  type: 'object',
  required: Object.keys(itemProperties),
  properties: { ...itemProperties, snippetHtml: { type: 'string', description: 'A passage of the summary or text as HTML: escaped, with the searched words in <mark>' } },
} as const;

const facetCountSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['value', 'label', 'count', 'selected'],
    properties: { value: { type: 'string', description: 'As a query parameter takes it' }, label: { type: 'string' }, count: { type: 'integer' }, selected: { type: 'boolean' } },
  },
} as const;

const searchSchema = {
  type: 'object',
  required: ['total', 'page', 'pageSize', 'pageCount', 'sort', 'items', 'facets'],
  properties: {
    total: { type: 'integer', description: 'Items matching in all' },
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
    pageCount: { type: 'integer' },
    sort: { type: 'string', enum: [...librarySorts], description: 'The order used (relevance only when q is given)' },
    noSearchableWords: { type: 'boolean', description: 'q held only words too common to search for' },
    items: { type: 'array', items: listItemSchema },
    facets: {
      type: 'object',
      description:
        `For each filter, the count of each value among the items matching q and every other filter (so a count says how many items ticking that value would give). statement lists the chosen statements and the ${statementsCounted} others with the most items.`,
      required: [...facetNames],
      properties: Object.fromEntries(facetNames.map((name) => [name, facetCountSchema])),
    },
    next: { type: ['string', 'null'], description: 'The next page in this API, if there is one' },
  },
} as const;

const effectProperties = {
  effectSize: { type: 'number' },
  lower: nullableNumber,
  upper: nullableNumber,
  months: { type: 'integer' },
  monthsLower: nullableInteger,
  monthsUpper: nullableInteger,
} as const;

const detailSchema = {
  type: 'object',
  required: [...Object.keys(itemProperties), 'results', 'overall'],
  properties: {
    ...itemProperties,
    gradeMeaning: { type: 'string' },
    evidenceMeaning: { type: 'string' },
    problem: { type: 'string' },
    whatWasDone: { type: 'string' },
    implementation: { type: 'string' },
    whatWentWrong: { type: 'string' },
    partners: { type: 'string' },
    staffing: { type: 'string' },
    costNotes: { type: 'string' },
    durationMonths: nullableInteger,
    ageFrom: nullableInteger,
    ageTo: nullableInteger,
    design: { ...nullableString, description: 'none, before-after, comparison or randomised' },
    designLabel: nullableString,
    evaluation: { type: 'string' },
    results: {
      type: 'array',
      description: 'Each result with an effect size: its effect, 95% interval and months of progress, and for whom',
      items: {
        type: 'object',
        required: ['outcome', 'forWhom', 'method', ...Object.keys(effectProperties)],
        properties: {
          outcome: { type: 'string' },
          forWhom: { type: 'string' },
          method: { type: 'string', enum: ['hedges-g', 'logit-d', 'reported'], description: 'Hedges’ g from means, the logit-method d from counts, or the effect the submitter reported' },
          children: nullableInteger,
          ...effectProperties,
        },
      },
    },
    notComparable: {
      type: 'array',
      items: { type: 'object', required: ['outcome', 'reason'], properties: { outcome: { type: 'string' }, reason: { type: 'string' } } },
      description: 'Results that give no effect size, and why',
    },
    overall: {
      type: ['object', 'null'],
      required: [...Object.keys(effectProperties), 'pooledFrom', 'iSquared', 'impact', 'agreement'],
      properties: {
        ...effectProperties,
        pooledFrom: { type: 'integer' },
        iSquared: { ...nullableNumber, description: 'Share (0 to 1) of the results’ spread beyond chance; null for one result' },
        impact: { type: 'string', description: 'The EEF’s words for the months' },
        agreement: { type: 'string', description: 'How far the results agree, in words' },
      },
    },
    links: { type: 'array', items: { type: 'object', required: ['url', 'title'], properties: { url: { type: 'string' }, title: { type: 'string' } } } },
    contact: { type: ['object', 'null'], properties: { name: { type: 'string' }, email: { type: 'string' } }, description: 'Only when the submitter agreed to show it' },
    documents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'mediaType', 'sizeBytes', 'url'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, mediaType: { type: 'string' }, sizeBytes: { type: 'integer' }, url: { type: 'string' } },
      },
    },
    trail: { type: 'array', items: { type: 'object', required: ['at', 'what'], properties: { at: { type: 'string', format: 'date-time' }, what: { type: 'string' } } }, description: 'The moderation trail' },
    agreement: { ...nullableString, description: 'The reviewers’ agreement, as the panel recorded it' },
  },
} as const;

const problemSchema = {
  ...apiErrorSchema,
  properties: {
    ...apiErrorSchema.properties,
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } }, description: 'Each parameter that is wrong, and why' },
  },
} as const;

const list = { type: 'array', items: { type: 'string' } } as const;
const searchParameters = {
  type: 'object',
  properties: {
    q: { type: 'string', description: 'Words to search for (English stemming): "quoted words" for a phrase, or between alternatives, -word to leave one out' },
    group: { ...list, description: 'Group ids (children-in-care...); repeat the parameter or separate with commas for several (any of them)' },
    outcome: { ...list, description: 'Every Child Matters outcome ids (be-healthy, stay-safe, enjoy-and-achieve, make-a-positive-contribution, achieve-economic-well-being)' },
    thread: { ...list, description: 'Golden thread ids, GT01 to GT10' },
    template: { ...list, description: 'Templates, T1 to T5 (items serving any statement of the template)' },
    statement: { ...list, description: 'Template statement ids, e.g. T1-FRONTLINE-UNIVERSAL-01' },
    tier: { ...list, description: 'universal, targeted, complex, specialist' },
    setting: { ...list, description: 'Setting types, e.g. primary, secondary, early-years' },
    grade: { ...list, description: 'validated, promising, emerging' },
    strength: { ...list, description: 'Evidence strength, 1 to 5' },
    cost: { ...list, description: 'no-cost, very-low, low, moderate, high, very-high' },
    region: { ...list, description: 'Region E12 codes' },
    sort: { type: 'string', description: 'relevance (the default with q), impact or newest (the default without q)' },
    page: { type: 'string', description: `Page number, from 1; ${libraryPageSize} items a page` },
  },
} as const;

function labelled_(vocabulary: LibraryVocabulary, facet: FacetName, ids: readonly string[]) {
  return ids.map((id) => ({ id, label: vocabulary.facets[facet].byValue.get(id)?.label ?? id }));
}

function place(laCode: string | null) {
  const { authority, region } = placeOf(laCode);
  return { localAuthority: authority, region };
}

function overallFields(overall: ItemImpact['overall']) {
  return {
    impactMonths: overall?.months ?? null,
    impactMonthsLower: overall?.monthsLower ?? null,
    impactMonthsUpper: overall?.monthsUpper ?? null,
    effectSize: overall === null ? null : round(overall.value),
    effectSizeLower: overall?.lower === null || overall === null ? null : round(overall.lower),
    effectSizeUpper: overall?.upper === null || overall === null ? null : round(overall.upper),
  };
}

function round(value: number): number {
  return Number(value.toFixed(4));
}

function listItemJson(item: LibraryItem, vocabulary: LibraryVocabulary) {
  return {
    id: item.id,
    reference: item.referenceLabel,
    title: item.title,
    summary: item.summary,
    grade: item.grade,
    evidenceStrength: item.evidenceStrength,
    ...overallFields(item.impact),
    costBand: item.costBand === null ? null : costBandValue(item.costBand),
    costPerChild: item.costPerChild,
    groups: labelled_(vocabulary, 'group', item.groups),
    outcomes: labelled_(vocabulary, 'outcome', item.outcomes),
    threads: labelled_(vocabulary, 'thread', item.threads),
    statements: labelled_(vocabulary, 'statement', item.statements),
    tiers: labelled_(vocabulary, 'tier', item.tiers),
    settingTypes: labelled_(vocabulary, 'setting', item.settingTypes),
    ...place(item.laCode),
    publishedAt: item.publishedAt.toISOString(),
    url: `/practice/${item.id}`,
    href: `/api/v1/practice/${item.id}`,
    snippetHtml: item.snippetHtml,
  };
}

function searchJson(results: LibraryResults, vocabulary: LibraryVocabulary) {
  const next = results.page < results.pageCount ? `/api/v1/practice?${libraryQueryString(results.query, { page: results.page + 1 })}` : null;
  return {
    total: results.total,
    page: results.page,
    pageSize: results.pageSize,
    pageCount: results.pageCount,
    sort: results.sort,
    noSearchableWords: results.noSearchableWords,
    items: results.items.map((item) => listItemJson(item, vocabulary)),
    facets: Object.fromEntries(facetNames.map((name) => [name, results.facets[name].map(({ value, label, count, selected }) => ({ value, label, count, selected }))])),
    next,
  };
}

function detailJson(view: PublishedView, vocabulary: LibraryVocabulary) {
  const { content, impact } = view;
  const overall = impact.overall;
  return {
    id: view.id,
    reference: practiceReference(view.reference),
    title: content.title,
    summary: content.summary,
    grade: view.grade,
    gradeMeaning: gradeMeanings[view.grade],
    evidenceStrength: view.evidenceStrength,
    evidenceMeaning: strengthMeanings[view.evidenceStrength] ?? '',
    ...overallFields(overall),
    costBand: content.costPerChild === null ? null : costBandValue(costBand(content.costPerChild)),
    costPerChild: content.costPerChild,
    costNotes: content.costNotes,
    groups: labelled_(vocabulary, 'group', content.groups),
    outcomes: labelled_(vocabulary, 'outcome', content.outcomes),
    threads: labelled_(vocabulary, 'thread', content.threads),
    statements: labelled_(vocabulary, 'statement', content.statements),
    tiers: labelled_(vocabulary, 'tier', content.tiers),
    settingTypes: labelled_(vocabulary, 'setting', content.settingTypes),
    ...place(content.laCode),
    publishedAt: view.publishedAt.toISOString(),
    url: `/practice/${view.id}`,
    href: `/api/v1/practice/${view.id}`,
    problem: content.problem,
    whatWasDone: content.whatWasDone,
    implementation: content.implementation,
    whatWentWrong: content.whatWentWrong,
    partners: content.partners,
    staffing: content.staffing,
    durationMonths: content.durationMonths,
    ageFrom: content.ageFrom,
    ageTo: content.ageTo,
    design: content.design,
    designLabel: content.design === null ? null : designLabels[content.design],
    evaluation: content.evaluation,
    results: impact.results.map((result) => ({
      outcome: result.outcome,
      forWhom: result.forWhom,
      method: result.method,
      children: result.children,
      effectSize: round(result.value),
      lower: result.lower === null ? null : round(result.lower),
      upper: result.upper === null ? null : round(result.upper),
      months: result.months,
      monthsLower: result.monthsLower,
      monthsUpper: result.monthsUpper,
    })),
    notComparable: impact.notComparable.map((entry) => ({ outcome: entry.outcome, reason: entry.reason })),
    overall:
      overall === null
        ? null
        : {
            effectSize: round(overall.value),
            lower: overall.lower === null ? null : round(overall.lower),
            upper: overall.upper === null ? null : round(overall.upper),
            months: overall.months,
            monthsLower: overall.monthsLower,
            monthsUpper: overall.monthsUpper,
            pooledFrom: overall.pooledFrom,
            iSquared: overall.iSquared === null ? null : round(overall.iSquared),
            impact: overall.impact,
            agreement: agreementWords(overall.iSquared, overall.pooledFrom),
          },
    links: content.links,
    contact: content.contactName === '' && content.contactEmail === '' ? null : { name: content.contactName, email: content.contactEmail },
    documents: view.documents.map((document) => ({ id: document.id, name: document.name, mediaType: document.mediaType, sizeBytes: document.sizeBytes, url: `/practice/${view.id}/documents/${document.id}` })),
    trail: view.trail.map((step) => ({ at: step.at.toISOString(), what: step.what })),
    agreement: view.decision?.agreement ?? null,
  };
}

function refuse(request: FastifyRequest, reply: FastifyReply, errors: { field: string; message: string }[]) {
  return reply.code(400).send({
    statusCode: 400,
    error: 'Bad Request',
    message: `The search could not be made: ${errors.map((error) => error.message).join('; ')}`,
    requestId: request.id,
    errors,
  });
}

export function registerLibraryApi(app: FastifyInstance, practice: PracticeService, db: Kysely<Schema>): void {
  const library = practiceLibrary(db);
  // Answers to recent searches, used again while the library is unchanged (see StampedCache).
  const answers = new StampedCache<ReturnType<typeof searchJson>>(200);

  app.get<{ Querystring: Record<string, unknown> }>(
    '/api/v1/practice',
    {
      config: publicRoute,
      schema: {
        summary: 'Search the practice library',
        description:
          'Published practice items matching the words (PostgreSQL full-text search, English stemming, ranked: a title match first) and every filter (AND across filters, OR within one), with each filter’s counts. The parameters are those of the library page, /practice. A parameter that is not valid, or not one of these, answers 400 naming it.',
        tags,
        querystring: searchParameters,
        response: {
          200: { description: 'The page of results, with the counts of each filter', ...searchSchema },
          400: { ...problemSchema, description: 'A parameter is not valid: `errors` names each' },
        },
      },
    },
    async (request, reply) => {
      const { query, problems } = await library.readQuery(request.query, { refuseUnknownParameters: true });
      const vocabulary = await library.vocabulary();
      if (problems.length > 0) return refuse(request, reply, problems.map((problem) => ({ field: problem.parameter, message: problem.message })));
      const key = libraryQueryString(query);
      const kept = answers.get(key);
      if (kept !== undefined && kept.stamp === (await library.currentStamp())) return kept.value;
      const results = await library.search(query);
      const answer = searchJson(results, vocabulary);
      if (answers.worthKeeping(key)) answers.set(key, results.stamp, answer);
      return answer;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/practice/:id',
    {
      config: publicRoute,
      schema: {
        summary: 'One published practice item',
        description: 'The item as the panel published it: its grade and evidence, cost, what it is for, its text, each result’s effect with its interval and months of progress, the overall effect, its documents and links, and its moderation trail.',
        tags,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The item’s id (a UUID)' } } },
        response: { 200: { description: 'The item', ...detailSchema }, 404: { ...apiErrorSchema, description: 'No published item has this id' } },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!isItemId(id)) return reply.callNotFound();
      let view: PublishedView;
      try {
        view = await practice.publishedView(id);
      } catch (error) {
        if (error instanceof PracticeNotFoundError) return reply.callNotFound();
        throw error;
      }
      return detailJson(view, await library.vocabulary());
    },
  );
}
