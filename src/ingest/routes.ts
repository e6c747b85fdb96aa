import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { toCsv } from '../export/csv.js';
import type { UploadedFile } from '../web/app.js';
import { BatchNotRestorableError, batchProblems, findBatch, listBatches, restoreBatch } from './batches.js';
import type { BatchProblem } from './batches.js';
import type { ChildImportResult, ImportProgress } from './child-import.js';
import { importChildFile } from './child-import.js';
import { formatAcademicYear, standardColumns } from './child-standard.js';
import { MappingError, parseMapping } from './mapping.js';
import type { LocalColumn } from './mapping.js';
import { PseudonymKeyMissingError, pseudonymKey } from './pseudonym.js';
import { formatProblem } from './statistics/problems.js';
import { importStatistics } from './statistics/service.js';
import { leftOutNotes } from './statistics/summary.js';
import { formatDateTime } from '../web/format.js';
import { childDataLoaded } from './loaded.js';

const writeImports = { permission: 'imports:write' } as const;
const publishStatistics = { permission: 'statistics:publish' } as const;
const shownProblems = 500;

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** The authorities whose data the viewer may load (and whose batches they see). */
export function importReach(viewer: Viewer): string[] {
  if (!viewer.signedIn) return [];
  return [
    ...new Set(viewer.memberships.filter((membership) => scopeOf(membership.role, 'imports:write') !== undefined).flatMap((membership) => membership.laCode ?? [])),
  ];
}

interface ChildUploadBody {
  file?: UploadedFile | string;
  mapping?: UploadedFile | string;
  la?: string;
  accept_valid?: string;
  upload_id?: string;
}

function uploaded(value: UploadedFile | string | undefined): UploadedFile | undefined {
  return value === undefined || typeof value === 'string' || value.size === 0 ? undefined : value;
}

/** Progress of the loads running now, for the upload page's progress display. Keyed by account and upload id. */
const running = new Map<string, ImportProgress & { phase: 'checking' | 'finished' }>();

function progressKey(viewer: SignedIn, uploadId: string | undefined): string | undefined {
  return uploadId !== undefined && /^[A-Za-z0-9-]{8,64}$/.test(uploadId) ? `${viewer.userId}:${uploadId}` : undefined;
}

function outcomeText(result: ChildImportResult): string {
  if (result.outcome === 'duplicate') return 'This file was already loaded: nothing was changed.';
  if (result.outcome === 'rejected') return 'The file was refused: nothing was loaded.';
  return `${result.rowsLoaded.toLocaleString('en-GB')} records loaded.`;
}

/** The upload page, the batch history, one batch with its problems, and restoring an earlier batch. */
export function registerIngestRoutes(app: FastifyInstance, context: { config: Config; database: Database }): void {
  const { config, database } = context;
  const db = database.db;
  const viewerOf = (request: FastifyRequest) => request.viewer as SignedIn;
  const authoritiesOf = (viewer: SignedIn) => importReach(viewer).map((code) => ({ code, name: localAuthorityByGss(code)?.name ?? code }));
  const limitMegabytes = Math.round(config.uploadLimitBytes / 1_048_576);

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    return reply.view('ingest/upload-children.njk', {
      pageTitle: 'Load a child-level file',
      breadcrumbs: [{ text: 'Data', href: '/imports' }],
      authorities: authoritiesOf(viewerOf(request)),
      limitMegabytes,
      uploadId: randomUUID(),
      ...extra,
    });
  }

  app.get('/imports', { schema: { hide: true }, config: writeImports }, async (request, reply) => {
    const batches = (await listBatches(db, importReach(request.viewer), {})).map((batch) => ({
      ...batch,
      years: batch.academicYears.map(formatAcademicYear).join(', '),
      when: formatDateTime(batch.finishedAt),
      authority: batch.laCode ? (localAuthorityByGss(batch.laCode)?.name ?? batch.laCode) : null,
    }));
    // Refused files are listed apart, each with why: they loaded nothing, so they are not among the files loaded.
    const refused = await Promise.all(
      batches
        .filter((batch) => batch.outcome === 'rejected')
        .map(async (batch) => ({ ...batch, reason: refusalReason(batch.problemCount, (await batchProblems(db, batch.id, { limit: 1, offset: 0 }))[0]) })),
    );
    return reply.view('ingest/imports.njk', {
      pageTitle: 'Data',
      batches: batches.filter((batch) => batch.outcome !== 'rejected'),
      refused,
      nothingYet: batches.length === 0,
    });
  });

  app.get('/imports/children/new', { schema: { hide: true }, config: writeImports }, (request, reply) => uploadPage(request, reply));

  app.post<{ Body: ChildUploadBody }>('/imports/children', { schema: { hide: true }, config: writeImports }, async (request, reply) => {
    const viewer = viewerOf(request);
    const wantsJson = (request.headers.accept ?? '').includes('application/json');
    const authorities = importReach(viewer);
    const file = uploaded(request.body.file);
    const mappingFile = uploaded(request.body.mapping);
    const laCode = authorities.length === 1 ? authorities[0]! : (request.body.la ?? '');
    const errors: { text: string; href: string }[] = [];
    if (file === undefined) errors.push({ text: 'Choose a CSV or XLSX file of child-level records', href: '#file' });
    else if (!/\.(csv|xlsx)$/i.test(file.filename)) errors.push({ text: `${file.filename} is not a CSV or XLSX file`, href: '#file' });
    if (!authorities.includes(laCode)) errors.push({ text: 'Choose the authority the file belongs to', href: '#la' });
    let localColumns: LocalColumn[] | undefined;
    if (mappingFile !== undefined) {
      try {
        localColumns = parseMapping(await readFile(mappingFile.path), mappingFile.filename);
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        errors.push({ text: `The mapping file ${error.message}`, href: '#mapping' });
      }
    }
    let key: string | undefined;
    try {
      key = await pseudonymKey(config);
    } catch (error) {
      if (!(error instanceof PseudonymKeyMissingError)) throw error;
      errors.push({ text: 'The service has no pseudonymisation key (NTG_PSEUDONYM_KEY), so it cannot load child-level records. Ask the operator to set one.', href: '#file' });
    }
    if (errors.length > 0 || file === undefined || key === undefined) {
      if (wantsJson) return reply.code(400).send({ errors });
      return uploadPage(request, reply.code(400), { errors, errorSummaryShown: true, values: request.body });
    }
    const progress = progressKey(viewer, request.body.upload_id);
    const result = await importChildFile(
      {
        path: file.path,
        fileName: file.filename,
        laCode,
        acceptValid: request.body.accept_valid === 'yes',
        localColumns,
        actor: { userId: viewer.userId, organisationId: viewer.memberships.find((membership) => membership.laCode === laCode)?.organisationId ?? null, label: viewer.email, ip: request.ip },
      },
      {
        database,
        dataDir: config.dataDir,
        pseudonymKey: key,
        readLimits: config.readLimits,
        onProgress: (update) => {
          if (progress !== undefined) running.set(progress, { ...update, phase: 'checking' });
        },
      },
    ).finally(() => {
      if (progress !== undefined) setTimeout(() => running.delete(progress), 60_000).unref();
      if (progress !== undefined) running.set(progress, { ...(running.get(progress) ?? { rows: 0, bytesRead: 0, totalBytes: 0 }), phase: 'finished' });
    });
    if (result.outcome === 'loaded') await childDataLoaded(database.db, laCode);
    const location = `/imports/${result.batchId}?outcome=${result.outcome}`;
    if (wantsJson) return reply.send({ location, outcome: result.outcome, message: outcomeText(result) });
    return reply.redirect(location, 303);
  });

  /**
   * Published statistics come in two kinds. National files, loaded by the national team, are what
   * every authority's England, region and other-authority comparators read. An authority's analyst
   * may load a file too, but it is kept as that authority's own: read only where the authority
   * chooses it (`statistics=` on the gap pages), never by anyone else's comparators or its own default.
   */
  async function statisticsPage(request: FastifyRequest, reply: FastifyReply, national: boolean, extra: Record<string, unknown> = {}) {
    return reply.view('ingest/upload-statistics.njk', {
      pageTitle: national ? 'Publish national statistics' : 'Load published statistics',
      breadcrumbs: national ? [] : [{ text: 'Data', href: '/imports' }],
      national,
      action: national ? '/imports/statistics/national' : '/imports/statistics',
      authorities: national ? [] : authoritiesOf(viewerOf(request)),
      limitMegabytes,
      ...extra,
    });
  }

  type StatisticsBody = { data?: UploadedFile | string; meta?: UploadedFile | string; accept_valid?: string; la?: string };

  async function loadStatistics(request: FastifyRequest<{ Body: StatisticsBody }>, reply: FastifyReply, national: boolean) {
    const viewer = viewerOf(request);
    const data = uploaded(request.body.data);
    const meta = uploaded(request.body.meta);
    const authorities = importReach(viewer);
    const laCode = authorities.length === 1 ? authorities[0]! : (request.body.la ?? '');
    const errors: { text: string; href: string }[] = [];
    if (data === undefined) errors.push({ text: 'Choose the data file (CSV)', href: '#data' });
    else if (!/\.csv$/i.test(data.filename)) errors.push({ text: `${data.filename} is not a CSV file`, href: '#data' });
    if (meta === undefined) errors.push({ text: 'Choose the metadata file (CSV) that goes with the data file', href: '#meta' });
    else if (!/\.csv$/i.test(meta.filename)) errors.push({ text: `${meta.filename} is not a CSV file`, href: '#meta' });
    if (!national && !authorities.includes(laCode)) errors.push({ text: 'Choose the authority whose file it is', href: '#la' });
    if (errors.length > 0 || data === undefined || meta === undefined) return statisticsPage(request, reply.code(400), national, { errors, errorSummaryShown: true });
    const owner = national ? null : laCode;
    const result = await importStatistics(db, {
      dataPath: data.path,
      metaPath: meta.path,
      fileNames: { data: data.filename, meta: meta.filename },
      dataDir: config.dataDir,
      acceptValid: request.body.accept_valid === 'yes',
      ownerLaCode: owner,
      uploadedBy: {
        userId: viewer.userId,
        label: viewer.email,
        organisationId: (owner === null ? viewer.memberships[0] : viewer.memberships.find((membership) => membership.laCode === owner))?.organisationId ?? null,
      },
    });
    // The national team has no batch pages (they belong to authorities' data): the outcome is shown here.
    if (national) {
      return statisticsPage(request, reply.code(result.outcome === 'rejected' ? 400 : 200), true, {
        result: { ...result, problems: result.problems.slice(0, 50).map((problem) => formatProblem(problem)), notes: result.outcome === 'rejected' ? [] : leftOutNotes(result.dataset) },
      });
    }
    return reply.redirect(`/imports/${result.batchId}?outcome=${result.outcome}`, 303);
  }

  app.get('/imports/statistics/new', { schema: { hide: true }, config: writeImports }, (request, reply) => statisticsPage(request, reply, false));
  app.post<{ Body: StatisticsBody }>('/imports/statistics', { schema: { hide: true }, config: writeImports }, (request, reply) => loadStatistics(request, reply, false));
  app.get('/imports/statistics/national/new', { schema: { hide: true }, config: publishStatistics }, (request, reply) => statisticsPage(request, reply, true));
  app.post<{ Body: StatisticsBody }>('/imports/statistics/national', { schema: { hide: true }, config: publishStatistics }, (request, reply) => loadStatistics(request, reply, true));

  app.get<{ Params: { uploadId: string } }>('/imports/progress/:uploadId', { schema: { hide: true }, config: writeImports }, (request) => {
    const key = progressKey(viewerOf(request), request.params.uploadId);
    return (key !== undefined ? running.get(key) : undefined) ?? { phase: 'waiting', rows: 0, bytesRead: 0, totalBytes: 0 };
  });

  app.get<{ Params: { id: string }; Querystring: { outcome?: string; restored?: string } }>('/imports/:id', { schema: { hide: true }, config: writeImports }, async (request, reply) => {
    const batch = await findBatch(db, importReach(request.viewer), request.params.id);
    if (batch === undefined) return reply.code(404).view('404.njk');
    const problems = await batchProblems(db, batch.id, { limit: shownProblems, offset: 0 });
    return reply.view('ingest/batch.njk', {
      pageTitle: `Batch ${batch.id}`,
      breadcrumbs: [{ text: 'Data', href: '/imports' }],
      batch: {
        ...batch,
        // A statistics file's periods as it publishes them (a calendar year is not an academic year).
        ...(batch.statisticsSummary !== null && batch.statisticsSummary.periods.length > 0
          ? { yearsLabel: 'Time periods', years: `${batch.statisticsSummary.periods.map((period) => (period.length === 6 ? `${period.slice(0, 4)}/${period.slice(4)}` : period)).join(', ')} (${batch.statisticsSummary.timeIdentifiers.join(', ')})` }
          : { yearsLabel: 'Academic years', years: batch.academicYears.map(formatAcademicYear).join(', ') }),
        when: formatDateTime(batch.finishedAt),
        authority: batch.laCode ? (localAuthorityByGss(batch.laCode)?.name ?? batch.laCode) : null,
        notes: batch.kind === 'statistics' && batch.outcome === 'loaded' && batch.statisticsSummary !== null ? leftOutNotes(batch.statisticsSummary) : [],
      },
      problems,
      shownProblems,
      justLoaded: request.query.outcome,
      restored: request.query.restored === 'yes',
    });
  });

  app.get<{ Params: { id: string } }>('/imports/:id/problems.csv', { schema: { hide: true }, config: writeImports }, async (request, reply) => {
    const batch = await findBatch(db, importReach(request.viewer), request.params.id);
    if (batch === undefined) return reply.code(404).view('404.njk');
    const problems = await batchProblems(db, batch.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="batch-${batch.id}-problems.csv"`)
      .send(
        problems.some((problem) => problem.file !== null)
          ? toCsv(['file', 'row', 'column', 'value', 'expected'], problems.map((problem) => [problem.file, problem.row, problem.column, problem.value, problem.expected]))
          : toCsv(['row', 'column', 'value', 'expected'], problems.map((problem) => [problem.row, problem.column, problem.value, problem.expected])),
      );
  });

  app.post<{ Params: { id: string } }>('/imports/:id/restore', { schema: { hide: true }, config: writeImports }, async (request, reply) => {
    const viewer = viewerOf(request);
    try {
      const { batch } = await restoreBatch(database, importReach(viewer), request.params.id, { userId: viewer.userId, organisationId: null, label: viewer.email, ip: request.ip });
      if (batch.laCode !== null) await childDataLoaded(database.db, batch.laCode);
    } catch (error) {
      if (error instanceof BatchNotRestorableError) return reply.code(400).view('error.njk', { title: 'This batch cannot be restored', message: error.message });
      return reply.code(404).view('404.njk');
    }
    return reply.redirect(`/imports/${request.params.id}?restored=yes`, 303);
  });

  app.get('/imports/templates/children.csv', { schema: { hide: true }, config: { permission: 'public' } }, (_request, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="child-level-template.csv"')
      .send(toCsv(standardColumns, [])),
  );

  app.get('/imports/templates/mapping.csv', { schema: { hide: true }, config: { permission: 'public' } }, (_request, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="mapping-template.csv"')
      .send(
        toCsv(
          ['column', 'kind', 'label', 'type', 'min', 'max', 'polarity', 'outcome'],
          [
            ['traveller_family', 'group', 'Children of Gypsy, Roma and Traveller families (local record)', '', '', '', '', ''],
            ['reading_age_gap', 'measure', 'Months between reading age and chronological age', 'continuous', '-60', '60', 'higher-is-better', 'enjoy-and-achieve'],
          ],
        ),
      ),
  );
}

/** Why a file was refused, in a line: its first problem, and how many more there are. */
function refusalReason(problemCount: number, first: BatchProblem | undefined): string {
  if (first === undefined) return 'Refused as a whole: open it for the reason';
  const where = [first.file, first.row === null ? null : `row ${first.row.toLocaleString('en-GB')}`, first.column === '' ? null : `column ${first.column}`].filter((part) => part !== null).join(', ');
  const value = first.value === '' ? '' : ` “${first.value}”`;
  const more = problemCount > 1 ? ` (and ${(problemCount - 1).toLocaleString('en-GB')} more problem${problemCount === 2 ? '' : 's'})` : '';
  return `${where === '' ? '' : `${where}:`}${value} expected ${first.expected}${more}`.trim();
}
