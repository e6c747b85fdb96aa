import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { appendAudit } from '../auth/audit.js';
import type { AuditEntry } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { authorityNamed, isAuthorityRefusal } from '../gaps/reach.js';
import { GapRequestError, gapsFor } from '../gaps/service.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { apiErrorSchema } from '../web/errors.js';
import { pageQuerySchema } from '../web/pagination.js';
import { coverageDefinitions } from './indicators.js';
import { childProgress } from './progress.js';
import type { ProgressReading } from './progress.js';
import { progressLabels, progressPairIds } from './progress-pairs.js';
import { childRecordReach, reachIn } from './reach.js';
import { describeRules } from './rules.js';
import { rulesFor } from './rules-store.js';
import { unseenLists } from './unseen-rules.js';
import type { UnseenList } from './unseen-rules.js';
import { UnseenRequestError, unseenReport } from './unseen-report.js';
import { isChildRef } from './child-records.js';
import { extraChildKeysFor } from './extra-reach.js';
import { isoDateIn } from '../web/format.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** The unseen-children query as sent, to the API and to the page alike. */
export interface UnseenQuerystring {
  la?: string;
  year?: string;
  setting?: string;
  locality?: string;
  min_groups?: string;
  list?: string;
  outstanding?: string;
  page?: string;
}

const apiPageSize = 100;
const nullableNumber = { type: ['number', 'null'] } as const;
const countsSchema = { recorded: { type: 'integer', description: 'Recorded as missing' }, not_recorded: { type: 'integer', description: 'Not recorded at all: a gap in the data, listed apart' } } as const;

function sendProblem(reply: FastifyReply, request: FastifyRequest, statusCode: 400 | 403 | 404, message: string) {
  const error = statusCode === 400 ? 'Bad Request' : statusCode === 403 ? 'Forbidden' : 'Not Found';
  return reply.code(statusCode).send({ statusCode, error, message, requestId: request.id });
}

/** The unseen-children query read, or the parameter that makes no sense. */
interface UnseenFilter {
  year?: number;
  setting?: number;
  locality?: string;
  minGroups?: number;
  list?: UnseenList;
  outstanding: boolean;
  page: number;
}

export function readUnseenQuery(query: UnseenQuerystring): UnseenFilter | { invalid: string } {
  const read: UnseenFilter = { outstanding: query.outstanding === 'yes', page: 1 };
  if (query.year) {
    const year = parseAcademicYear(query.year);
    if (year === undefined) return { invalid: `year: "${query.year.slice(0, 20)}" is not an academic year (write 2023/24)` };
    read.year = year;
  }
  if (query.setting) {
    if (!/^\d{6}$/.test(query.setting.trim())) return { invalid: 'setting: give the 6-digit URN of a setting' };
    read.setting = Number(query.setting.trim());
  }
  if (query.locality?.trim()) {
    if (query.locality.trim().length > 80) return { invalid: 'locality: give the name of one of the authority’s localities (at most 80 characters)' };
    read.locality = query.locality.trim();
  }
  if (query.min_groups) {
    if (!/^\d{1,2}$/.test(query.min_groups) || Number(query.min_groups) < 1 || Number(query.min_groups) > 13) return { invalid: 'min_groups: give a whole number of framework groups from 1 to 13' };
    read.minGroups = Number(query.min_groups);
  }
  if (query.list) {
    if (!(unseenLists as readonly string[]).includes(query.list)) return { invalid: `list: one of ${unseenLists.join(', ')}` };
    read.list = query.list as UnseenList;
  }
  if (query.page) {
    if (!/^\d{1,6}$/.test(query.page) || Number(query.page) < 1) return { invalid: 'page: a whole number from 1' };
    read.page = Number(query.page);
  }
  return read;
}

function progressJson(reading: ProgressReading) {
  return {
    pair: reading.pair,
    pair_label: reading.pairLabel,
    year: formatAcademicYear(reading.year),
    prior_year: reading.priorYear === null ? null : formatAcademicYear(reading.priorYear),
    prior: reading.prior,
    band: reading.band,
    outcome: reading.outcome,
    expected: reading.expected,
    progress: reading.progress === null ? null : Math.round(reading.progress * 10_000) / 10_000,
    unit: reading.unit,
    label: reading.label,
    label_text: reading.labelText,
    why: reading.why,
    setting_urn: reading.settingUrn,
  };
}

/**
 * The API of every child seen: who is not yet seen (counts and children, within a child-level reach),
 * one pupil's progress, and an authority's coverage indicators by group. Every read of a child, or of
 * a list naming children, is audited with their pseudonymous references.
 */
export function registerTrackingApi(app: FastifyInstance, db: Kysely<Schema>): void {
  const audit = (request: FastifyRequest, entry: Omit<AuditEntry, 'actorUserId' | 'actorEmail' | 'ip'>) => {
    const viewer = request.viewer as SignedIn;
    return appendAudit(db, { ...entry, actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip });
  };

  app.get<{ Querystring: UnseenQuerystring }>(
    '/api/v1/children/unseen',
    {
      config: { permission: 'child-records:read' },
      schema: {
        summary: 'Children not yet seen',
        description:
          'For one authority and academic year (default the latest): the vulnerable children without a trusted adult, children with complex needs without a lead professional, early help assessment or team around the child, children in care without a current personal education plan, and children with several school or placement moves. Each list’s counts in all, by framework group and by setting, then the children themselves (100 a page, outstanding first) with the reason each is listed and what was last done. Only within the caller’s child-level reach (a setting: its own pupils); every call is audited with the references shown.',
        tags: ['Children'],
        querystring: {
          type: 'object',
          properties: {
            la: { type: 'string', description: 'GSS code of the authority (default the caller’s own)' },
            year: { type: 'string', description: 'Academic year, e.g. 2023/24' },
            setting: { type: 'string', description: 'URN of one setting' },
            locality: { type: 'string', description: 'One of the authority’s localities, by the name its settings are registered with: only the children on the roll of its settings' },
            min_groups: { type: 'string', description: 'Framework groups a child must be in to count as vulnerable, 1 to 13 (default the authority’s rule)' },
            list: { type: 'string', enum: [...unseenLists] },
            outstanding: { type: 'string', enum: ['yes'], description: 'Only children still waiting for someone to act' },
            page: pageQuerySchema,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              la_code: { type: 'string' },
              year: { type: 'string' },
              setting_urn: { type: ['integer', 'null'] },
              locality: { type: ['string', 'null'] },
              min_groups: { type: 'integer' },
              rules: { type: 'object', properties: { vulnerable: { type: 'string' }, complex_needs: { type: 'string' }, moves: { type: 'string' } } },
              lists: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    list: { type: 'string', enum: [...unseenLists] },
                    title: { type: 'string' },
                    ...countsSchema,
                    by_group: { type: 'array', items: { type: 'object', properties: { group: { type: 'string' }, group_label: { type: 'string' }, ...countsSchema } } },
                    by_setting: { type: 'array', items: { type: 'object', properties: { setting_urn: { type: ['integer', 'null'] }, setting_name: { type: ['string', 'null'] }, locality: { type: ['string', 'null'] }, ...countsSchema } } },
                    by_locality: {
                      type: 'array',
                      description: 'The settings’ counts added up by locality; empty when the authority has registered no localities',
                      items: { type: 'object', properties: { locality: { type: ['string', 'null'], description: 'null: children on no setting’s roll, or settings without a locality' }, ...countsSchema } },
                    },
                  },
                },
              },
              total_children: { type: 'integer', description: 'Children on the lists asked for' },
              outstanding: { type: 'integer', description: 'Of them, those with nothing recorded or a follow-up date that has come' },
              page: { type: 'integer' },
              children: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    child_ref: { type: 'string' },
                    setting_urn: { type: ['integer', 'null'] },
                    setting_name: { type: ['string', 'null'] },
                    ncy: { type: ['integer', 'null'] },
                    groups: { type: 'array', items: { type: 'string' } },
                    outstanding: { type: 'boolean' },
                    reasons: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          list: { type: 'string', enum: [...unseenLists] },
                          finding: { type: 'string', enum: ['recorded', 'not-recorded'] },
                          reason: { type: 'string' },
                          follow_up: {
                            type: ['object', 'null'],
                            properties: { action: { type: 'string' }, note: { type: 'string' }, follow_up_on: { type: ['string', 'null'] }, recorded_at: { type: 'string' }, recorded_by: { type: 'string' } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          400: { ...apiErrorSchema, description: 'A parameter makes no sense' },
          404: { ...apiErrorSchema, description: 'No such authority or setting in the caller’s reach, or no data for it' },
        },
      },
    },
    async (request, reply) => {
      const read = readUnseenQuery(request.query);
      if ('invalid' in read) return sendProblem(reply, request, 400, read.invalid);
      const reach = childRecordReach(request.viewer);
      const laCode = request.query.la?.trim().toUpperCase() || reach[0]?.laCode;
      const inReach = laCode === undefined ? undefined : reachIn(reach, laCode);
      if (laCode === undefined || inReach === undefined) {
        await audit(request, { action: 'children-unseen.read', outcome: 'denied', laCode: laCode ?? null, details: { reason: 'authority out of reach', query: request.query } });
        return sendProblem(reply, request, 404, `There are no children of ${laCode ?? 'that authority'} that you may see.`);
      }
      try {
        const report = await unseenReport(db, {
          laCode,
          year: read.year,
          settingUrn: read.setting,
          locality: read.locality,
          minGroups: read.minGroups,
          list: read.list,
          onlyOutstanding: read.outstanding,
          reach: inReach,
          page: read.page,
          pageSize: apiPageSize,
          today: isoDateIn(new Date()),
        });
        await audit(request, { action: 'children-unseen.read', outcome: 'success', laCode, details: { via: 'api', query: request.query, childRefs: report.children.map((child) => child.child_ref) } });
        return report;
      } catch (error) {
        if (!(error instanceof UnseenRequestError)) throw error;
        await audit(request, { action: 'children-unseen.read', outcome: error.statusCode === 404 ? 'denied' : 'failure', laCode, details: { reason: error.message, query: request.query } });
        return sendProblem(reply, request, error.statusCode, error.message);
      }
    },
  );

  app.get<{ Params: { ref: string } }>(
    '/api/v1/children/:ref/progress',
    {
      config: { permission: 'child-records:read' },
      schema: {
        summary: 'One pupil’s progress',
        description:
          'Each measure of progress the pupil has: from the end of Reception to the Year 1 phonics check, from key stage 2 to Attainment 8, and attendance against the year before. For each, the starting point and its band, the outcome, what pupils in the authority who started in the same band achieved (expected), the difference (progress) and the label: stuck, coasting, underperforming, as expected or better, or not enough data. Audited. A pupil out of reach answers 404, as an unknown one does.',
        tags: ['Children'],
        params: { type: 'object', properties: { ref: { type: 'string', description: 'The child’s pseudonym (64 hexadecimal characters)' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              child_ref: { type: 'string' },
              progress: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    pair: { type: 'string', enum: [...progressPairIds] },
                    pair_label: { type: 'string' },
                    year: { type: 'string', description: 'The year of the outcome' },
                    prior_year: { type: ['string', 'null'] },
                    prior: nullableNumber,
                    band: { type: ['string', 'null'] },
                    outcome: { type: 'number' },
                    expected: nullableNumber,
                    progress: nullableNumber,
                    unit: { type: 'string' },
                    label: { type: 'string', enum: [...progressLabels] },
                    label_text: { type: 'string' },
                    why: { type: 'string' },
                    setting_urn: { type: ['integer', 'null'] },
                  },
                },
              },
            },
          },
          404: { ...apiErrorSchema, description: 'No such pupil in reach' },
        },
      },
    },
    async (request, reply) => {
      const reach = childRecordReach(request.viewer);
      const childRef = request.params.ref;
      const extra = await extraChildKeysFor(db, request.viewer);
      const readings = await childProgress(db, [...reach, ...extra.reach.filter((entry) => reachIn(reach, entry.laCode) === undefined)], childRef, extra.childKeys);
      const known = isChildRef(childRef) ? await db.selectFrom('child_record').select('la_code').where('child_key', '=', childRef).limit(1).executeTakeFirst() : undefined;
      const inReach = known !== undefined && (reach.some((entry) => entry.laCode === known.la_code && entry.settingUrns === 'all') || readings.length > 0 || extra.childKeys.includes(`${known.la_code}:${childRef}`));
      if (!inReach) {
        await audit(request, { action: 'child-progress.read', outcome: known === undefined ? 'failure' : 'denied', laCode: known?.la_code ?? null, target: isChildRef(childRef) ? `child:${childRef}` : 'child:(malformed reference)', details: { reason: known === undefined ? 'no such child' : 'child out of reach' } });
        return sendProblem(reply, request, 404, 'There is no such child that you may see.');
      }
      await audit(request, { action: 'child-progress.read', outcome: 'success', laCode: known.la_code, target: `child:${childRef}`, details: { via: 'api', readings: readings.length } });
      return { child_ref: childRef, progress: readings.map(progressJson) };
    },
  );

  app.get<{ Params: { code: string }; Querystring: { year?: string } }>(
    '/api/v1/areas/:code/coverage',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'Coverage of an authority’s vulnerable children, by group',
        description:
          'The coverage indicators (coverage_trusted_adult, coverage_lead_professional, coverage_early_help, coverage_pep) for one academic year (default the latest): each the share of the children it applies to who have it (a blank record is unknown, not “no”), for all of them and for each framework group against the rest, with 95% intervals, significance and the direction of travel. The same figures as the gap matrix. Small numbers are suppressed unless the caller may read the authority’s child-level records.',
        tags: ['Gaps'],
        params: { type: 'object', properties: { code: { type: 'string', description: 'GSS code (or DfE number) of a local authority' } } },
        querystring: { type: 'object', properties: { year: { type: 'string', description: 'Academic year, e.g. 2023/24' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              la_code: { type: 'string' },
              year: { type: ['string', 'null'] },
              suppressed: { type: 'boolean' },
              rules: { type: 'object', properties: { vulnerable: { type: 'string' }, complex_needs: { type: 'string' } } },
              indicators: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    indicator: { type: 'string', enum: coverageDefinitions.map((definition) => definition.name) },
                    label: { type: 'string' },
                    applies_to: { type: 'string' },
                    count: { ...nullableNumber, description: 'Children it applies to whose record says yes or no' },
                    value: { ...nullableNumber, description: 'Percentage who have it' },
                    lower: nullableNumber,
                    upper: nullableNumber,
                    groups: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'A gap-matrix cell (see /areas/{code}/gaps)' } },
                  },
                },
              },
            },
          },
          400: { ...apiErrorSchema, description: 'The year is not an academic year' },
          403: { ...apiErrorSchema, description: 'The authority is outside the caller’s reach' },
          404: { ...apiErrorSchema, description: 'No such authority' },
        },
      },
    },
    async (request, reply) => {
      const named = authorityNamed(request.viewer, request.params.code);
      if (isAuthorityRefusal(named)) return sendProblem(reply, request, named.statusCode, named.message);
      let year: number | undefined;
      if (request.query.year !== undefined) {
        year = parseAcademicYear(request.query.year);
        if (year === undefined) return sendProblem(reply, request, 400, `year: "${request.query.year.slice(0, 20)}" is not an academic year (write 2023/24)`);
      }
      const suppress = !seesSmallNumbers(request.viewer, { laCode: named.laCode });
      try {
        const answers = await Promise.all(
          coverageDefinitions.map(async (definition) => ({ definition, all: await gapsFor(db, { laCode: named.laCode, year, indicator: definition.name, comparator: 'all', suppress }), groups: await gapsFor(db, { laCode: named.laCode, year, indicator: definition.name, suppress }) })),
        );
        const rules = describeRules(await rulesFor(db, named.laCode));
        const shownYear = answers[0]?.groups.year ?? null;
        return {
          la_code: named.laCode,
          year: shownYear === null ? null : formatAcademicYear(shownYear),
          suppressed: suppress,
          rules: { vulnerable: rules.vulnerable, complex_needs: rules.complexNeeds },
          indicators: answers.map(({ definition, all, groups }) => {
            // Against "all children", every group's comparator is the whole of the children the indicator applies to.
            const everyone = all.cells[0];
            return {
              indicator: definition.name,
              label: definition.label,
              applies_to: definition.cohort,
              count: everyone?.comparator_count ?? null,
              value: everyone?.comparator_value ?? null,
              lower: everyone?.comparator_lower ?? null,
              upper: everyone?.comparator_upper ?? null,
              groups: groups.cells,
            };
          }),
        };
      } catch (error) {
        if (error instanceof GapRequestError) return sendProblem(reply, request, 400, error.message);
        throw error;
      }
    },
  );
}
