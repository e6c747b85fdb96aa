import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { appendAudit } from '../auth/audit.js';
import type { AuditEntry } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { dimensions } from '../aggregates/signature.js';
import { coordinationCounts, coordinationFlags, formatAcademicYear, measures, parseAcademicYear } from '../ingest/child-standard.js';
import { toCsv } from '../export/csv.js';
import { apiErrorSchema } from '../web/errors.js';
import { pageProblem, pageQuerySchema, readPage } from '../web/pagination.js';
import { queryTexts } from '../web/query.js';
import type { ChildRecordFilter, ChildRecordView } from './child-records.js';
import { childHistory, isChildRef, listChildRecords, yearsInReach } from './child-records.js';
import type { ChildReach } from './reach.js';
import { childRecordReach, reachIn } from './reach.js';
import { extraChildKeysFor } from './extra-reach.js';
import { followUpActionText, followUpHistory } from './follow-ups.js';
import { childProgress } from './progress.js';
import { unseenListTitles } from './unseen-rules.js';
import { settingNames } from '../auth/organisations.js';

const readChildren = { permission: 'child-records:read' } as const;
const pageSize = 50;
const exportLimit = 200_000;
const groupOptions = dimensions.filter((entry) => entry.kind === 'group').map((entry) => ({ id: entry.id, label: entry.label }));

const childQueryFields = ['la', 'year', 'setting', 'group', 'page'] as const;

interface ChildQuery {
  la?: string;
  year?: string;
  setting?: string;
  group?: string;
  page?: string | number;
}

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** The query as a filter, or the name of the parameter that makes no sense. */
function readFilter(query: ChildQuery): { filter: ChildRecordFilter } | { invalid: string } {
  const filter: ChildRecordFilter = {};
  if (query.la) filter.laCode = query.la.trim().toUpperCase();
  if (query.year) {
    const year = parseAcademicYear(query.year);
    if (year === undefined) return { invalid: 'year (an academic year such as 2023/24)' };
    filter.academicYear = year;
  }
  if (query.setting) {
    if (!/^\d{6}$/.test(query.setting.trim())) return { invalid: 'setting (a 6-digit URN)' };
    filter.settingUrn = Number(query.setting.trim());
  }
  if (query.group) {
    if (!groupOptions.some((option) => option.id === query.group)) return { invalid: `group (one of ${groupOptions.map((option) => option.id).join(', ')})` };
    filter.group = query.group;
  }
  return { filter };
}

function recordAsJson(record: ChildRecordView) {
  return { ...record, academicYear: formatAcademicYear(record.academicYear) };
}

const csvHeader = [
  'child_ref',
  'academic_year',
  'la_code',
  'setting_urn',
  'ncy',
  'sex',
  'idaci_decile',
  'sen_provision',
  'ethnicity',
  'english_proficiency',
  'groups',
  ...coordinationFlags,
  ...coordinationCounts,
  ...measures.map((measure) => measure.name),
];

function recordAsCsvRow(record: ChildRecordView) {
  return [
    record.childRef,
    formatAcademicYear(record.academicYear),
    record.laCode,
    record.settingUrn,
    record.ncy,
    record.sex,
    record.idaciDecile,
    record.senProvision,
    record.ethnicity,
    record.englishProficiency,
    record.groups.join(' '),
    ...[...coordinationFlags, ...coordinationCounts].map((name) => yesNo(record.coordination[name])),
    ...measures.map((measure) => yesNo(record.measures[measure.name])),
  ];
}

function yesNo(value: number | boolean | null | undefined): string | number | null {
  if (value === true) return 'Y';
  if (value === false) return 'N';
  return value ?? null;
}

/**
 * Child-level records: a list with filters, one child's history, a CSV export and the same through
 * the API. Only for roles with `child-records:read`, only within their reach; another authority's
 * records are "not found", and every read, export and refused attempt is in the audit log.
 */
export function registerTrackingRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  const audit = (request: FastifyRequest, entry: Omit<AuditEntry, 'actorUserId' | 'actorEmail' | 'ip'>) => {
    const viewer = request.viewer as SignedIn;
    return appendAudit(db, { ...entry, actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip });
  };

  /** Resolves the filter against the viewer's reach; answers 400/404 itself and returns undefined when it did. */
  async function prepare(request: FastifyRequest<{ Querystring: ChildQuery }>, reply: FastifyReply, asJson: boolean) {
    const reach = childRecordReach(request.viewer);
    const parsed = readFilter(queryTexts(request.query, childQueryFields));
    if ('invalid' in parsed) {
      const message = `Check the ${parsed.invalid}.`;
      if (asJson) return void (await reply.code(400).send({ statusCode: 400, error: 'Bad Request', message, requestId: request.id }));
      return void (await reply.code(400).view('error.njk', { title: 'Check the filter', message }));
    }
    const { filter } = parsed;
    if (filter.laCode !== undefined && reachIn(reach, filter.laCode) === undefined) {
      await audit(request, { action: 'child-records.list', outcome: 'denied', laCode: filter.laCode, details: { reason: 'authority out of reach', filter: request.query } });
      const name = localAuthorityByGss(filter.laCode)?.name;
      const message = name === undefined ? `“${filter.laCode.slice(0, 40)}” is not the code of a local authority in England.` : `There are no records of ${name} (${filter.laCode}) that you may see.`;
      return void (await notFound(request, reply, asJson, message));
    }
    return { reach, filter };
  }

  async function notFound(request: FastifyRequest, reply: FastifyReply, asJson: boolean, message?: string) {
    if (asJson) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: message ?? 'There are no such records.', requestId: request.id });
    if (message !== undefined) return reply.code(404).view('error.njk', { pageTitle: 'No records to show', title: 'No records to show', message });
    return reply.code(404).view('404.njk');
  }

  /** An unknown child, or one outside the reach: both are "not found"; an attempt on another authority's child is audited as denied. */
  async function childNotFound(request: FastifyRequest, reply: FastifyReply, childRef: string, asJson: boolean) {
    const elsewhere = isChildRef(childRef) ? await db.selectFrom('child_record').select('la_code').where('child_key', '=', childRef).limit(1).executeTakeFirst() : undefined;
    await audit(request, {
      action: 'child-records.read',
      outcome: elsewhere === undefined ? 'failure' : 'denied',
      laCode: elsewhere?.la_code ?? null,
      target: isChildRef(childRef) ? `child:${childRef}` : 'child:(malformed reference)',
      details: { reason: elsewhere === undefined ? 'no such child' : 'child out of reach' },
    });
    return notFound(request, reply, asJson);
  }

  const firstLa = (reach: readonly ChildReach[], filter: ChildRecordFilter) => filter.laCode ?? reach[0]?.laCode ?? null;

  app.get<{ Querystring: ChildQuery }>('/children', { schema: { hide: true }, config: readChildren }, async (request, reply) => {
    const prepared = await prepare(request, reply, false);
    if (prepared === undefined) return reply;
    const { reach, filter } = prepared;
    const page = readPage(request.query.page);
    if (page === undefined) return reply.code(400).view('error.njk', { title: 'Check the page number', message: pageProblem });
    const found = await listChildRecords(db, reach, filter, { limit: pageSize, offset: (page - 1) * pageSize });
    await audit(request, { action: 'child-records.list', outcome: 'success', laCode: firstLa(reach, filter), details: { filter: request.query, shown: found.records.length, total: found.total } });
    const query = new URLSearchParams(Object.entries(request.query).filter(([name, value]) => name !== 'page' && value !== undefined && value !== '') as [string, string][]).toString();
    return reply.view('tracking/children.njk', {
      pageTitle: 'Children’s records',
      ...found,
      records: found.records.map((record) => ({ ...record, year: formatAcademicYear(record.academicYear), groupLabels: labelsOf(record.groups) })),
      filter: request.query,
      years: (await yearsInReach(db, reach)).map(formatAcademicYear),
      groups: groupOptions,
      authorities: reach.map((entry) => ({ code: entry.laCode, name: localAuthorityByGss(entry.laCode)?.name ?? entry.laCode, settings: entry.settingUrns })),
      page,
      pages: Math.ceil(found.total / pageSize),
      query,
    });
  });

  app.get<{ Querystring: ChildQuery }>('/children.csv', { schema: { hide: true }, config: readChildren }, async (request, reply) => {
    const prepared = await prepare(request, reply, false);
    if (prepared === undefined) return reply;
    const { reach, filter } = prepared;
    const found = await listChildRecords(db, reach, filter, { limit: exportLimit, offset: 0 });
    await audit(request, { action: 'child-records.export', outcome: 'success', laCode: firstLa(reach, filter), details: { filter: request.query, rows: found.records.length, total: found.total } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="children.csv"')
      .header('Cache-Control', 'no-store')
      .send(toCsv(csvHeader, found.records.map(recordAsCsvRow)));
  });

  app.get<{ Params: { ref: string } }>('/children/:ref', { schema: { hide: true }, config: readChildren }, async (request, reply) => {
    const reach = childRecordReach(request.viewer);
    const extra = await extraChildKeysFor(db, request.viewer);
    const history = await childHistory(db, reach, request.params.ref, extra.childKeys);
    if (history.length === 0) return childNotFound(request, reply, request.params.ref, false);
    const laCode = history[0]!.laCode;
    const throughBreakGlass = reachIn(reach, laCode) === undefined || (reachIn(reach, laCode)!.settingUrns !== 'all' && !history.some((record) => record.settingUrn !== null && (reachIn(reach, laCode)!.settingUrns as number[]).includes(record.settingUrn)));
    await audit(request, { action: 'child-records.read', outcome: 'success', laCode, target: `child:${request.params.ref}`, details: { years: history.length, ...(throughBreakGlass ? { breakGlass: true } : {}) } });
    const progress = await childProgress(db, [...reach, ...extra.reach.filter((entry) => reachIn(reach, entry.laCode) === undefined)], request.params.ref, extra.childKeys);
    const followUps = await followUpHistory(db, laCode, request.params.ref);
    const names = await settingNames(db, [...new Set(history.flatMap((record) => (record.settingUrn === null ? [] : [record.settingUrn])))]);
    return reply.view('tracking/child.njk', {
      pageTitle: 'A child’s record',
      breadcrumbs: [{ text: 'Children’s records', href: '/children' }],
      childRef: request.params.ref,
      throughBreakGlass,
      history: history.map((record) => ({
        ...record,
        year: formatAcademicYear(record.academicYear),
        groupLabels: labelsOf(record.groups),
        authorityName: localAuthorityByGss(record.laCode)?.name ?? record.laCode,
        settingName: record.settingUrn === null ? null : (names.get(record.settingUrn)?.name ?? `Setting ${record.settingUrn} (not registered)`),
      })),
      progress: progress.map((reading) => ({ ...reading, yearText: formatAcademicYear(reading.year), priorYearText: reading.priorYear === null ? null : formatAcademicYear(reading.priorYear) })),
      followUps: followUps.map((entry) => ({ ...entry, yearText: formatAcademicYear(entry.year), listTitle: unseenListTitles[entry.list], actionText: followUpActionText[entry.action] ?? entry.action, recordedText: entry.recordedAt.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) })),
      coordinationNames: [...coordinationFlags, ...coordinationCounts],
      coordinationLabels,
      measures,
    });
  });

  const childRecordSchema = {
    type: 'object',
    properties: {
      childRef: { type: 'string', description: 'The child’s pseudonym: HMAC-SHA256 of the identifier under the service’s key' },
      laCode: { type: 'string' },
      academicYear: { type: 'string', examples: ['2023/24'] },
      settingUrn: { type: ['integer', 'null'] },
      ncy: { type: ['integer', 'null'] },
      sex: { type: ['string', 'null'] },
      idaciDecile: { type: ['integer', 'null'] },
      senProvision: { type: ['string', 'null'] },
      ethnicity: { type: ['string', 'null'] },
      englishProficiency: { type: ['string', 'null'] },
      groups: { type: 'array', items: { type: 'string' }, description: 'Framework groups the child is in' },
      coordination: { type: 'object', additionalProperties: true },
      measures: { type: 'object', additionalProperties: true },
    },
  } as const;

  app.get<{ Querystring: ChildQuery }>(
    '/api/v1/children',
    {
      config: readChildren,
      schema: {
        summary: 'Child-level records in reach',
        description:
          'Current records of the children the caller may read (their authority; a setting: its own pupils), newest year first, 100 a page. Every call is audited. An authority out of reach answers 404.',
        tags: ['Children'],
        querystring: {
          type: 'object',
          properties: {
            la: { type: 'string', description: 'GSS code of the authority' },
            year: { type: 'string', description: 'Academic year, e.g. 2023/24' },
            setting: { type: 'string', description: 'URN of a setting' },
            group: { type: 'string', enum: groupOptions.map((option) => option.id) },
            page: pageQuerySchema,
          },
        },
        response: {
          200: {
            description: 'A page of records',
            type: 'object',
            properties: { total: { type: 'integer' }, page: { type: 'integer' }, records: { type: 'array', items: childRecordSchema } },
          },
          400: { ...apiErrorSchema, description: 'A filter or the page number makes no sense' },
          404: { ...apiErrorSchema, description: 'The authority is out of reach' },
        },
      },
    },
    async (request, reply) => {
      const prepared = await prepare(request, reply, true);
      if (prepared === undefined) return reply;
      const { reach, filter } = prepared;
      const page = Number(request.query.page ?? 1);
      const found = await listChildRecords(db, reach, filter, { limit: 100, offset: (page - 1) * 100 });
      await audit(request, { action: 'child-records.list', outcome: 'success', laCode: firstLa(reach, filter), details: { filter: request.query, shown: found.records.length, total: found.total, via: 'api' } });
      return { total: found.total, page, records: found.records.map(recordAsJson) };
    },
  );

  app.get<{ Params: { ref: string } }>(
    '/api/v1/children/:ref',
    {
      config: readChildren,
      schema: {
        summary: 'One child’s records',
        description: 'Every current record of one child, newest year first. Audited. A child out of reach answers 404, as an unknown one does.',
        tags: ['Children'],
        params: { type: 'object', properties: { ref: { type: 'string', description: 'The child’s pseudonym (64 hexadecimal characters)' } } },
        response: {
          200: { description: 'The records', type: 'object', properties: { childRef: { type: 'string' }, records: { type: 'array', items: childRecordSchema } } },
          404: { ...apiErrorSchema, description: 'No such child in reach' },
        },
      },
    },
    async (request, reply) => {
      const extra = await extraChildKeysFor(db, request.viewer);
      const history = await childHistory(db, childRecordReach(request.viewer), request.params.ref, extra.childKeys);
      if (history.length === 0) return childNotFound(request, reply, request.params.ref, true);
      await audit(request, { action: 'child-records.read', outcome: 'success', laCode: history[0]!.laCode, target: `child:${request.params.ref}`, details: { years: history.length, via: 'api' } });
      return { childRef: request.params.ref, records: history.map(recordAsJson) };
    },
  );
}

const coordinationLabels: Readonly<Record<string, string>> = {
  trusted_adult: 'Trusted adult',
  lead_professional: 'Lead professional',
  early_help_assessment: 'Early help assessment open',
  team_around_child: 'Team around the child meets',
  personal_education_plan: 'Current personal education plan',
  placement_moves: 'Placement moves in the year',
  school_moves: 'School moves in the year',
};

function labelsOf(groups: readonly string[]): string[] {
  return groups.map((id) => groupOptions.find((option) => option.id === id)?.label ?? id);
}
