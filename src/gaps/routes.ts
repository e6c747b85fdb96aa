import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { apiErrorSchema } from '../web/errors.js';
import { frameworkGroups } from './groups.js';
import { comparators, suppressedReasons } from './matrix.js';
import { authorityNamed, isAuthorityRefusal } from './reach.js';
import { curveFields, notSignificantWeight, trendWeights } from './curves.js';
import { DifferencingRefused, GapRequestError, curvesFor, dataGapsFor, gapCellFields, gapsFor } from './service.js';
import { dataGapsJson } from './data-gaps.js';
import { viewsMatrix, viewsOutcome } from './views-outcome.js';

interface GapsQuerystring {
  year?: string;
  indicator?: string;
  group?: string;
  comparator?: string;
  statistics?: string;
  outcome?: string;
}

const nullableNumber = { type: ['number', 'null'] } as const;

const gapCellSchema = {
  type: 'object',
  required: [...gapCellFields],
  properties: {
    group: { type: 'string', description: 'A framework group id, or a combination of terms joined by &' },
    group_label: { type: 'string' },
    indicator: { type: 'string', description: `An indicator (${indicators.map((measure) => measure.name).join(', ')}); for the views outcome, views:<question id> (a closed question of one of the authority’s surveys)` },
    outcome: { type: 'string', description: 'The Every Child Matters outcome of the indicator, or views (children’s and parents’ views, from surveys)' },
    year: { type: 'string', examples: ['2023/24'] },
    group_count: { ...nullableNumber, description: 'Children in the group with a value for the indicator (for views: respondents who said they are in it)' },
    group_value: { ...nullableNumber, description: 'Percentage (yes/no indicators) or mean' },
    group_lower: { ...nullableNumber, description: 'Lower 95% confidence limit of the group’s value' },
    group_upper: { ...nullableNumber, description: 'Upper 95% confidence limit of the group’s value' },
    comparator: { type: 'string', enum: [...comparators] },
    comparator_count: { ...nullableNumber, description: 'Children in the comparator with a value; for england the published count, when the file gives one' },
    comparator_value: nullableNumber,
    comparator_lower: { ...nullableNumber, description: 'Null for england: a published figure carries no interval here' },
    comparator_upper: nullableNumber,
    gap: { ...nullableNumber, description: 'The group’s value minus the comparator’s' },
    gap_lower: { ...nullableNumber, description: 'Lower 95% confidence limit of the gap' },
    gap_upper: { ...nullableNumber, description: 'Upper 95% confidence limit of the gap' },
    significant: { type: ['boolean', 'null'], description: 'The 95% interval excludes zero' },
    trend: { type: 'string', enum: ['narrowing', 'widening', 'no-significant-change', 'not-enough-data'] },
    suppressed: { type: 'boolean', description: 'Small numbers withheld: the caller may not read these children’s records' },
    unknown_count: { ...nullableNumber, description: 'Children with a value whose membership of the group is not recorded' },
    value_type: { type: 'string', enum: ['percentage', 'mean'] },
    polarity: { type: 'string', enum: ['higher-is-better', 'lower-is-better'] },
    comparator_note: { type: ['string', 'null'], description: 'For england and region: why there is no comparator value (no published equivalent of the indicator or the group, no figure loaded for the year, or the symbol published)' },
    comparator_source: {
      type: ['string', 'null'],
      description: 'For england and region: where the published figure came from (national statistics, or the authority’s own file when chosen with statistics=), the file, its batch, who loaded it and when; null for the other comparators',
    },
    suppressed_reason: {
      type: ['string', 'null'],
      enum: [...suppressedReasons, null],
      description: 'Why the cell is withheld: the side (group or comparator) and what was small (1 to 4 children, or 1 to 4 meeting or missing the outcome, or events, without saying which); null when shown',
    },
  },
} as const;

const curveSchema = {
  type: 'object',
  required: [...curveFields],
  properties: {
    rank: { type: 'integer', minimum: 1, description: '1 is the curve to turn first' },
    group: { type: 'string', description: 'A framework group id' },
    indicator: { type: 'string', enum: indicators.map((measure) => measure.name) },
    year: { type: 'string', examples: ['2023/24'] },
    gap: { type: 'number', description: 'The group’s value minus that of the children known not to be in it: percentage points, or the measure’s units' },
    gap_lower: { ...nullableNumber, description: 'Lower 95% confidence limit of the gap' },
    gap_upper: { ...nullableNumber, description: 'Upper 95% confidence limit of the gap' },
    significant: { type: ['boolean', 'null'], description: 'The 95% interval excludes zero' },
    trend: { type: 'string', enum: ['narrowing', 'widening', 'no-significant-change', 'not-enough-data'] },
    standardised_gap: { type: 'number', description: 'The gap on a scale shared by every indicator: Cohen’s h for percentages, Hedges’ g for averages and counts; the sign of the gap' },
    children_to_close: { type: 'integer', minimum: 0, description: 'Children in the group who would need a different outcome for the gap to close (for averages and counts, under a normal approximation)' },
    score: { type: 'number', description: `What the list is ordered by: |standardised_gap| × log10(children_to_close + 10), × ${notSignificantWeight} when not significant, × ${trendWeights.widening} widening or ${trendWeights.narrowing} narrowing` },
    group_label: { type: 'string' },
    indicator_label: { type: 'string' },
    outcome: { type: 'string', description: 'The Every Child Matters outcome of the indicator' },
    value_type: { type: 'string', enum: ['percentage', 'mean'] },
    group_count: { ...nullableNumber, description: 'Children in the group with a value for the indicator' },
    group_value: nullableNumber,
    comparator_value: { ...nullableNumber, description: 'The value of the children known not to be in the group' },
  },
} as const;

/** A comparator named in the address (already checked against the schema's enum), default all other children. */
const comparatorNamedOrDefault = (name: string | undefined) => (comparators.includes(name as (typeof comparators)[number]) ? (name as (typeof comparators)[number]) : 'all-other');

/** The refusals of an area API call that takes only a year (see `areaAndYear`). */
const areaYearProblems = {
  400: { ...apiErrorSchema, description: 'The year is not an academic year' },
  403: { ...apiErrorSchema, description: 'The area is outside the caller’s reach' },
  404: { ...apiErrorSchema, description: 'No such authority, or no data for it or for the year' },
} as const;

/** The authority and year an area API call names, or the refusal to send: unknown (404), out of reach (403), not a year (400). */
function areaAndYear(viewer: Viewer, code: string, yearText: string | undefined): { laCode: string; year: number | undefined } | { statusCode: 400 | 403 | 404; error: string; message: string } {
  const named = authorityNamed(viewer, code);
  if (isAuthorityRefusal(named)) return { statusCode: named.statusCode, error: named.statusCode === 404 ? 'Not Found' : 'Forbidden', message: named.message };
  if (yearText === undefined) return { laCode: named.laCode, year: undefined };
  const year = parseAcademicYear(yearText);
  if (year === undefined) return { statusCode: 400, error: 'Bad Request', message: `year: "${yearText}" is not an academic year (write 2023/24)` };
  return { laCode: named.laCode, year };
}

/** The gap matrix through the API: the same figures as `ntg gaps`, suppressed for viewers without child-level access. */
export function registerGapsApi(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Params: { code: string }; Querystring: GapsQuerystring }>(
    '/api/v1/areas/:code/gaps',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'The gap matrix of an authority',
        description:
          'For every group (the 13 framework groups, or the one asked for) and indicator (all, or the one asked for) in one academic year (default the latest): the group’s value and count, the comparator’s, the gap with its 95% confidence interval, significance and the direction of travel over the years. Small numbers are suppressed unless the caller may read the authority’s child-level records.',
        tags: ['Gaps'],
        params: { type: 'object', properties: { code: { type: 'string', description: 'GSS code (or DfE number) of a local authority' } } },
        querystring: {
          type: 'object',
          properties: {
            year: { type: 'string', description: 'Academic year, e.g. 2023/24' },
            indicator: { type: 'string', description: 'One indicator, e.g. ks2_rwm_expected' },
            group: { type: 'string', description: `A group id (${frameworkGroups.map((group) => group.id).join(', ')}) or a combination such as poorer-socio-economic-groups&sex:M` },
            comparator: {
              type: 'string',
              enum: [...comparators],
              default: 'all-other',
              description:
                'all-other: children known not to be in the group; all: every child; england: the same group in England from loaded published statistics, taken as fixed (the gap’s interval is the group’s own, shifted); region: the same group in the authority’s region, from the same statistics and in the same way',
            },
            statistics: {
              type: 'string',
              description:
                'With england: the batch number of a published statistics file this authority loaded for itself, read instead of the national statistics (which are read when it is left out). Another authority’s file is refused.',
            },
            outcome: {
              type: 'string',
              enum: [viewsOutcome.id],
              description: `views: the sixth outcome, “${viewsOutcome.name}”: a cell per framework group and closed question of the authority’s open and closed surveys (the figures of the survey’s results, released for everyone; comparator all-other or all). Left out: the five outcomes from child-level data.`,
            },
          },
        },
        response: {
          200: { description: 'One cell per group and indicator', type: 'object', properties: { area: { type: 'string' }, year: { type: ['string', 'null'] }, cells: { type: 'array', items: gapCellSchema } } },
          400: { ...apiErrorSchema, description: 'A parameter names nothing that exists' },
          403: { ...apiErrorSchema, description: 'The area is outside the caller’s reach, or the question would let a withheld figure be worked out by subtraction (the message says why)' },
          404: { ...apiErrorSchema, description: 'No such authority, or no data for it' },
        },
      },
    },
    async (request, reply) => {
      const problem = (statusCode: 400 | 403 | 404, error: string, message: string) => reply.code(statusCode).send({ statusCode, error, message, requestId: request.id });
      const asked = areaAndYear(request.viewer, request.params.code, request.query.year);
      if ('statusCode' in asked) return problem(asked.statusCode, asked.error, asked.message);
      const { laCode, year } = asked;
      if (request.query.outcome === viewsOutcome.id) {
        const views = await viewsMatrix(db, laCode, comparatorNamedOrDefault(request.query.comparator));
        return { area: laCode, year: views.cells[0]?.year ?? null, cells: views.cells };
      }
      try {
        const answer = await gapsFor(db, {
          laCode,
          year,
          indicator: request.query.indicator,
          group: request.query.group,
          comparator: request.query.comparator,
          statistics: request.query.statistics,
          suppress: !seesSmallNumbers(request.viewer, { laCode }),
        });
        if (answer.year === null) return problem(404, 'Not Found', `No child-level data has been loaded for ${laCode}.`);
        if (answer.cells.length === 0) return problem(404, 'Not Found', `${laCode} has no data for ${request.query.year ?? 'that year'}.`);
        return { area: laCode, year: answer.cells[0]!.year, cells: answer.cells };
      } catch (error) {
        if (error instanceof DifferencingRefused) return problem(403, 'Forbidden', error.message);
        if (error instanceof GapRequestError) return problem(400, 'Bad Request', error.message);
        throw error;
      }
    },
  );
  app.get<{ Params: { code: string }; Querystring: { year?: string } }>(
    '/api/v1/areas/:code/curves',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'Which curves to turn: the authority’s gaps, ranked',
        description:
          'Every gap where one of the 13 framework groups does worse than the children known not to be in it, in one academic year (default the latest), ranked by score: the size of the gap on a shared scale (Cohen’s h for percentages, Hedges’ g for averages and counts), the children who would need a different outcome to close it, its significance and its direction of travel. Pairs where the group is defined by the indicator (poor attendance on attendance, excluded children on suspensions) are left out. Small numbers are suppressed, and withheld gaps left out, unless the caller may read the authority’s child-level records.',
        tags: ['Gaps'],
        params: { type: 'object', properties: { code: { type: 'string', description: 'GSS code (or DfE number) of a local authority' } } },
        querystring: { type: 'object', properties: { year: { type: 'string', description: 'Academic year, e.g. 2023/24' } } },
        response: {
          200: { description: 'The ranked curves, first to turn first', type: 'object', properties: { area: { type: 'string' }, year: { type: 'string' }, curves: { type: 'array', items: curveSchema } } },
          ...areaYearProblems,
        },
      },
    },
    async (request, reply) => {
      const problem = (statusCode: 400 | 403 | 404, error: string, message: string) => reply.code(statusCode).send({ statusCode, error, message, requestId: request.id });
      const asked = areaAndYear(request.viewer, request.params.code, request.query.year);
      if ('statusCode' in asked) return problem(asked.statusCode, asked.error, asked.message);
      const { laCode, year } = asked;
      const answer = await curvesFor(db, { laCode, year, suppress: !seesSmallNumbers(request.viewer, { laCode }) });
      if (answer.year === null) return problem(404, 'Not Found', `No child-level data has been loaded for ${laCode}.`);
      if (!answer.years.includes(answer.year)) return problem(404, 'Not Found', `${laCode} has no data for ${request.query.year ?? 'that year'}.`);
      return { area: laCode, year: formatAcademicYear(answer.year), curves: answer.curves };
    },
  );
}

const dataGapsCellSchema = {
  type: 'object',
  required: ['indicator', 'status', 'group_count', 'unknown_count'],
  properties: {
    indicator: { type: 'string', enum: indicators.map((measure) => measure.name) },
    status: {
      type: 'string',
      enum: ['shown', 'withheld', 'no-children', 'no-data'],
      description: 'shown: the gap can be shown; withheld: small numbers (as in the gap matrix); no-children: no child in the group has a value; no-data: the indicator has no data',
    },
    group_count: { ...nullableNumber, description: 'Children in the group with a value; null when 1 to 4 and withheld' },
    unknown_count: { ...nullableNumber, description: 'Children with a value whose membership of the group is not recorded; null when withheld' },
  },
} as const;

/** The data-gap audit through the API: the same figures as the page and its downloads. */
export function registerDataGapsApi(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Params: { code: string }; Querystring: { year?: string } }>(
    '/api/v1/areas/:code/data-gaps',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'Gaps in the data of an authority',
        description:
          'For one academic year (default the latest): how many children each indicator covers; for each of the 13 framework groups, how many children are in it and the share whose membership is not recorded; and for each group and indicator whether the gap can be shown, is withheld for small numbers, or has no data. Counts are released as the gap matrix releases them (adjusted, rounded to 5, 1 to 4 withheld as null) unless the caller may read the authority’s child-level records.',
        tags: ['Gaps'],
        params: { type: 'object', properties: { code: { type: 'string', description: 'GSS code (or DfE number) of a local authority' } } },
        querystring: { type: 'object', properties: { year: { type: 'string', description: 'Academic year, e.g. 2023/24' } } },
        response: {
          200: {
            description: 'The audit of one year',
            type: 'object',
            required: ['area', 'year', 'indicators', 'groups'],
            properties: {
              area: { type: 'string' },
              year: { type: 'string' },
              indicators: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['indicator', 'indicator_label', 'outcome', 'children'],
                  properties: {
                    indicator: { type: 'string' },
                    indicator_label: { type: 'string' },
                    outcome: { type: 'string', description: 'The Every Child Matters outcome of the indicator' },
                    children: { ...nullableNumber, description: 'Children with a value for the indicator; null when withheld' },
                  },
                },
              },
              groups: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['group', 'group_label', 'children', 'in_group', 'unknown_share', 'cells'],
                  properties: {
                    group: { type: 'string' },
                    group_label: { type: 'string' },
                    children: { ...nullableNumber, description: 'All children in the year' },
                    in_group: { ...nullableNumber, description: 'Children in the group; null when withheld' },
                    unknown_share: { ...nullableNumber, description: 'Share (0 to 1) of all children whose membership of the group is not recorded; null when withheld' },
                    cells: { type: 'array', items: dataGapsCellSchema },
                  },
                },
              },
            },
          },
          ...areaYearProblems,
        },
      },
    },
    async (request, reply) => {
      const problem = (statusCode: 400 | 403 | 404, error: string, message: string) => reply.code(statusCode).send({ statusCode, error, message, requestId: request.id });
      const asked = areaAndYear(request.viewer, request.params.code, request.query.year);
      if ('statusCode' in asked) return problem(asked.statusCode, asked.error, asked.message);
      const { laCode, year } = asked;
      const answer = await dataGapsFor(db, { laCode, year, suppress: !seesSmallNumbers(request.viewer, { laCode }) });
      if (answer.year === null) return problem(404, 'Not Found', `No child-level data has been loaded for ${laCode}.`);
      if (answer.audit === null) return problem(404, 'Not Found', `${laCode} has no data for ${request.query.year ?? 'that year'}.`);
      return dataGapsJson(answer.laCode, answer.year, answer.audit);
    },
  );
}
