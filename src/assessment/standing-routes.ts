/**
 * Seeing where we are: an assessment's standing (progress, heatmap or bars, weakest statements,
 * change since the previous assessment), each part as a table and a CSV or Excel download; the
 * board report (HTML to print, and PDF); and an organisation's standing across every scope, the
 * director's "at a glance" page. Every figure comes from standing.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { TopLevelSpec } from 'vega-lite';
import { organisationById } from '../auth/organisations.js';
import type { Viewer } from '../auth/gate.js';
import type { AppContext } from '../web/capability.js';
import { renderChart } from '../web/charts.js';
import type { DownloadColumn, DownloadTable, TableFormat } from '../web/downloads.js';
import { fileNamePart, isTableFormat, sendTable } from '../web/downloads.js';
import { sourcePath } from '../web/paths.js';
import { PdfUnavailableError, htmlToPdf } from '../web/pdf.js';
import { mayReadAssessment } from './access.js';
import { moderationForReport } from './standing-moderation.js';
import { confidenceDescriptions, levelLabel } from './scale.js';
import { scopeDescription, scopeDescriptions } from './scope.js';
import type { AssessmentService } from './service.js';
import { isRefusal } from './service.js';
import type { ChangeSummary, Distribution, Heatmap, ProgressRow, SectionBar, StatementChange, WeakStatement } from './standing.js';
import { changeKindLabels, changeKinds, changeSince, distributionText, headlineOf, heatmapOf, isMatrixScope, medianText, nextStepsOf, progressOf, sectionBarsOf, weakestOf } from './standing.js';
import type { Assessment, AssessmentSummary } from './store.js';
import { isUuid, readAssessmentSummary } from './store.js';
import type { AssessmentStatus } from './tables.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;

export const statusLabels: Record<AssessmentStatus, string> = {
  'in-progress': 'In progress',
  submitted: 'Submitted for sign-off',
  'signed-off': 'Signed off',
};

/** The parts of the standing page that download as tables. */
export const standingParts = ['progress', 'heatmap', 'threads', 'weakest', 'changes'] as const;
export type StandingPart = (typeof standingParts)[number];

function isStandingPart(value: string): value is StandingPart {
  return (standingParts as readonly string[]).includes(value);
}

/** How many of the weakest statements the page, report and download list. */
const weakestCount = 10;

/**
 * What the board report says about moderation and peers once those parts exist: the lead fills
 * these through `StandingHooks` after merging. Both are optional; the report leaves them out when absent.
 */
export interface ReportModeration {
  /** One or two sentences: who moderated, when, how many ratings differed. */
  summary: string;
  /** How many statements the moderator rated. */
  compared?: number;
  /** The statements where the moderator's rating differed from the self-rating. */
  disagreements: { statementId: string; text: string; selfRating: string; moderatorRating: string; agreedRating: string; comment: string }[];
}

export interface ReportPeers {
  /** One or two sentences: where the organisation sits among its peers. */
  summary: string;
  rows: { label: string; position: string }[];
  /** Statements compared with the median of England's authorities, and where this one sits. */
  total?: { above: number; level: number; below: number; compared: number };
}

export interface StandingHooks {
  /** Where moderation disagreed; read from the moderation tables when not given. */
  moderationFor?: (viewer: Viewer, assessment: Assessment) => Promise<ReportModeration | undefined>;
  /** Where the organisation sits among its peers; left out of the report when not given. */
  peersFor?: (viewer: Viewer, assessment: Assessment) => Promise<ReportPeers | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Download tables (also the source of the page's tables, so page and files agree)
// ---------------------------------------------------------------------------------------------

const dimensionLabels: Record<ProgressRow['dimension'], string> = { overall: 'Overall', section: 'Section', layer: 'Layer', tier: 'Tier', thread: 'Golden thread' };

function levelCell(level: number | null, notApplicable = false): string {
  if (notApplicable) return 'Not applicable';
  return level === null ? 'Not rated' : levelLabel(level);
}

function distributionColumns<Row extends Distribution>(): DownloadColumn<Row>[] {
  return [
    { label: 'Not yet in place', value: (row) => row.levels[0], numberFormat: '0' },
    { label: 'Developing', value: (row) => row.levels[1], numberFormat: '0' },
    { label: 'Established', value: (row) => row.levels[2], numberFormat: '0' },
    { label: 'Embedded', value: (row) => row.levels[3], numberFormat: '0' },
    { label: 'Not applicable', value: (row) => row.notApplicable, numberFormat: '0' },
    { label: 'Not rated', value: (row) => row.notRated, numberFormat: '0' },
    { label: 'Statements', value: (row) => row.total, numberFormat: '0' },
    { label: 'Of which carried forward, not yet confirmed', value: (row) => row.carriedForward, numberFormat: '0' },
    { label: 'Median level (lower median, 1 to 4)', value: (row) => row.median ?? 'x', numberFormat: '0' },
    { label: 'Median', value: (row) => medianText(row) },
  ];
}

type HeatmapRow = Distribution & { layerLabel: string; layer: string; tierLabel: string; tier: string };

function heatmapRows(heatmap: Heatmap): HeatmapRow[] {
  return [
    { ...heatmap.conditions, layer: 'conditions', layerLabel: 'General conditions', tier: '', tierLabel: 'All' },
    ...heatmap.rows.flatMap((row) => row.cells.map((cell) => ({ ...cell, layerLabel: row.label, tierLabel: heatmap.tiers.find((tier) => tier.id === cell.tier)?.label ?? cell.tier }))),
  ];
}

interface StandingFigures {
  assessment: Assessment;
  previous: Assessment | undefined;
  progress: ProgressRow[];
  heatmap: Heatmap | null;
  bars: SectionBar[];
  weakest: WeakStatement[];
  change: ChangeSummary | null;
}

function figuresOf(assessment: Assessment, previous: Assessment | undefined): StandingFigures {
  return {
    assessment,
    previous,
    progress: progressOf(assessment),
    heatmap: heatmapOf(assessment),
    bars: sectionBarsOf(assessment),
    weakest: weakestOf(assessment, weakestCount),
    change: previous === undefined ? null : changeSince(assessment, previous),
  };
}

function details(assessment: AssessmentSummary) {
  return [
    { label: 'Organisation', value: assessment.organisationName },
    { label: 'What is assessed', value: scopeDescription(assessment.scope).label },
    { label: 'Period', value: assessment.period },
    { label: 'Status', value: statusLabels[assessment.status] },
  ];
}

const levelNote = 'Levels: 1 not yet in place, 2 developing, 3 established, 4 embedded. A level carried forward from the previous period counts at its level until someone rates the statement again; how many are carried forward is given.';
const medianNote = 'Median: the lower median. When it falls between two levels the lower is given, and the words say so (for example “Developing to established”).';

/** The download of one part, or undefined when the assessment has no such part (a heatmap of the golden threads). */
/** A part's table, ready to send in either format (its rows are of a type of their own, so it is kept behind `send`). */
interface PartTable {
  rowCount: number;
  send(reply: FastifyReply, format: TableFormat): Promise<FastifyReply>;
}

function partTable(part: StandingPart, figures: StandingFigures): PartTable | undefined {
  const { assessment } = figures;
  const fileName = `standing-${fileNamePart(assessment.organisationName).slice(0, 40)}-${assessment.scope}-${assessment.period.replace('/', '-')}-${part}`;
  const metadata = (title: string, notes: string[] = []) => ({ title: `${title}: ${assessment.organisationName}, ${scopeDescription(assessment.scope).label}, ${assessment.period}`, source: 'Narrowing the Gap self-assessment', details: details(assessment), notes });
  const table = <Row>(title: string, columns: DownloadColumn<Row>[], rows: readonly Row[], notes: string[] = []): PartTable => ({
    rowCount: rows.length,
    send: (reply, format) => sendTable(reply, { fileName, columns, rows, metadata: metadata(title, notes) }, format),
  });
  switch (part) {
    case 'progress':
      return table<ProgressRow>(
        'Progress',
        [
          { label: 'Grouping', value: (row) => dimensionLabels[row.dimension] },
          { label: 'Code', value: (row) => row.key },
          { label: 'Name', value: (row) => row.label },
          { label: 'Rated', value: (row) => row.rated, numberFormat: '0' },
          { label: 'Carried forward, not yet confirmed', value: (row) => row.carriedForward, numberFormat: '0' },
          { label: 'Not rated', value: (row) => row.notRated, numberFormat: '0' },
          { label: 'Statements', value: (row) => row.total, numberFormat: '0' },
          { label: 'Percentage rated', value: (row) => (row.percentRated === null ? 'x' : Number(row.percentRated.toFixed(1))), numberFormat: '0.0' },
        ],
        figures.progress,
        ['Rated: a level or “not applicable” given in this assessment. A rating carried forward from the previous period is counted apart until someone rates the statement again.'],
      );
    case 'heatmap':
      if (figures.heatmap === null) return undefined;
      return table<HeatmapRow>(
        'Heatmap',
        [{ label: 'Layer', value: (row) => row.layerLabel }, { label: 'Layer code', value: (row) => row.layer }, { label: 'Tier', value: (row) => row.tierLabel }, { label: 'Tier code', value: (row) => row.tier }, ...distributionColumns<HeatmapRow>()],
        heatmapRows(figures.heatmap),
        [levelNote, medianNote, 'The first row is the template’s general conditions, which sit outside the matrix.'],
      );
    case 'threads':
      if (figures.bars.length === 0) return undefined;
      return table<SectionBar>(
        assessment.scope === 'threads' ? 'Golden threads' : 'Principles',
        [{ label: assessment.scope === 'threads' ? 'Golden thread' : 'Principle', value: (row) => row.label }, { label: 'Code', value: (row) => row.key }, ...distributionColumns<SectionBar>()],
        figures.bars,
        [levelNote, medianNote, assessment.scope === 'threads' ? 'Each thread counts its own statement and its “this means” items.' : 'Each principle counts its own statement and its points.'],
      );
    case 'weakest':
      return table<WeakStatement & { rank: number }>(
        'Weakest statements',
        [
          { label: 'Rank', value: (row) => row.rank, numberFormat: '0' },
          { label: 'Statement reference', value: (row) => row.statement.id },
          { label: 'Statement', value: (row) => row.statement.text },
          { label: 'Level', value: (row) => levelLabel(row.level) },
          { label: 'Level (1 to 4)', value: (row) => row.level, numberFormat: '0' },
          { label: 'Confidence', value: (row) => (row.confidence === null ? 'Not given' : confidenceDescriptions[row.confidence].label) },
          { label: 'Evidence items', value: (row) => row.evidenceCount, numberFormat: '0' },
          { label: 'Carried forward', value: (row) => (row.carriedForward ? 'Yes' : 'No') },
        ],
        figures.weakest.map((entry, index) => ({ ...entry, rank: index + 1 })),
        [`The ${weakestCount} weakest statements: lowest level first, then lower confidence (none given counts as lowest), then those without evidence. Statements rated not applicable are left out.`, 'Evidence items: files, links and a written note each count as one.'],
      );
    case 'changes':
      if (figures.change === null || figures.previous === undefined) return undefined;
      return table<StatementChange>(
        'Change since the previous assessment',
        [
          { label: 'Statement reference', value: (row) => row.statementId },
          { label: 'Statement', value: (row) => row.text },
          { label: 'Change', value: (row) => changeKindLabels[row.kind] },
          { label: `Rating in ${figures.previous.period}`, value: (row) => levelCell(row.previousLevel, row.previousNotApplicable) },
          { label: `Rating in ${assessment.period}`, value: (row) => (row.kind === 'retired' ? 'Not in this assessment' : levelCell(row.currentLevel, row.currentNotApplicable)) },
        ],
        figures.change.changes,
        [`Compared with the ${figures.previous.period} assessment of the same scope (${statusLabels[figures.previous.status].toLowerCase()}).`, 'Not yet re-rated: carried forward, or not rated in this assessment. New: not in the previous assessment, or rated now with a level where it had none there.'],
      );
  }
}

// ---------------------------------------------------------------------------------------------
// The bars chart (golden threads, template three's principles)
// ---------------------------------------------------------------------------------------------

const barCategories = [
  { key: 'Not yet in place', colour: '#d4351c' },
  { key: 'Developing', colour: '#f47738' },
  { key: 'Established', colour: '#1d70b8' },
  { key: 'Embedded', colour: '#00703c' },
  { key: 'Not applicable', colour: '#b1b4b6' },
  { key: 'Not rated', colour: '#f3f2f1' },
];

function barsSpec(bars: readonly SectionBar[]): TopLevelSpec {
  const values = bars.flatMap((bar, index) =>
    [bar.levels[0], bar.levels[1], bar.levels[2], bar.levels[3], bar.notApplicable, bar.notRated].map((value, category) => ({
      section: bar.label,
      order: index,
      category: barCategories[category]!.key,
      stack: category,
      value,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 420,
    height: { step: 26 },
    data: { values: values.filter((value) => value.value > 0) },
    mark: { type: 'bar', stroke: '#0b0c0c', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'section', type: 'nominal', sort: bars.map((bar) => bar.label), title: null, axis: { labelLimit: 260 } },
      x: { field: 'value', type: 'quantitative', stack: 'zero', title: 'Statements', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'category', type: 'nominal', scale: { domain: barCategories.map((entry) => entry.key), range: barCategories.map((entry) => entry.colour) }, title: 'Rating', legend: { columns: 3 } },
      order: { field: 'stack', type: 'quantitative' },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

function heatClass(distribution: Distribution): string {
  return distribution.median === null ? 'ntg-heat--none' : `ntg-heat--level-${distribution.median}`;
}

/** The values the standing page and the board report share. */
async function standingView(figures: StandingFigures) {
  const { assessment, previous, change } = figures;
  const heatmap = figures.heatmap;
  const describe = (distribution: Distribution) => ({ ...distribution, medianText: medianText(distribution), distributionText: distributionText(distribution), heatClass: heatClass(distribution) });
  const barsTitle = assessment.scope === 'threads' ? 'Golden thread' : 'Principle';
  const barsChart =
    figures.bars.length === 0
      ? ''
      : await renderChart(
          barsSpec(figures.bars),
          `Stacked bars, one per ${barsTitle.toLowerCase()}, showing how many of its statements are at each level, not applicable or not rated. The figures are in the table below.`,
        );
  return {
    assessment,
    previous,
    scopeLabel: scopeDescription(assessment.scope).label,
    statusLabel: statusLabels[assessment.status],
    isMatrix: isMatrixScope(assessment.scope),
    progress: {
      overall: figures.progress.find((row) => row.dimension === 'overall')!,
      sections: figures.progress.filter((row) => row.dimension !== 'tier'),
      tiers: figures.progress.filter((row) => row.dimension === 'tier'),
    },
    heatmap:
      heatmap === null
        ? null
        : {
            ...heatmap,
            rows: heatmap.rows.map((row) => ({ ...row, cells: row.cells.map(describe) })),
            conditions: describe(heatmap.conditions),
            overall: describe(heatmap.overall),
          },
    bars: figures.bars.map(describe),
    barsTitle,
    barsChart,
    weakest: figures.weakest.map((entry) => ({ ...entry, levelLabel: levelLabel(entry.level), confidenceLabel: entry.confidence === null ? 'Not given' : confidenceDescriptions[entry.confidence].label })),
    weakestCount,
    change:
      change === null
        ? null
        : {
            counts: change.counts,
            rows: change.changes
              // The page lists what moved; unchanged and not yet re-rated statements are counted, and listed in the download.
              .filter((row) => row.kind !== 'unchanged' && row.kind !== 'not-yet-re-rated')
              .map((row) => ({ ...row, kindLabel: changeKindLabels[row.kind], previousText: levelCell(row.previousLevel, row.previousNotApplicable), currentText: row.kind === 'retired' ? 'Not in this assessment' : levelCell(row.currentLevel, row.currentNotApplicable) })),
          },
    changeKinds,
    changeKindLabels,
    levels: [4, 3, 2, 1].map((level) => ({ level, label: levelLabel(level) })),
    downloads: (part: StandingPart) => [
      { href: `/assessments/${assessment.id}/standing/${part}.csv`, text: 'CSV' },
      { href: `/assessments/${assessment.id}/standing/${part}.xlsx`, text: 'Excel spreadsheet' },
    ],
  };
}

/** Registers the standing pages, their downloads, the board report and an organisation's standing. */
export function registerStanding(app: FastifyInstance, service: AssessmentService, context: AppContext, hooks: StandingHooks = {}): void {
  const { db } = service;
  // Moderation's disagreements are read from its tables unless the caller gives its own reading.
  const moderationFor = hooks.moderationFor ?? ((_viewer: Viewer, assessment: Assessment) => moderationForReport(db, assessment));

  /** Audits a refusal of an assessment that exists but that the viewer may not read (one they cannot see at all is simply not found). */
  async function refuse(request: FastifyRequest, reply: FastifyReply, id: string, what: string): Promise<void> {
    const summary = await readAssessmentSummary(db, id);
    if (summary !== undefined) await service.audit(request.viewer, 'assessment-read', summary, id, request.ip, { page: what, refused: 'not in the viewer’s reach' }, 'denied');
    return reply.callNotFound();
  }

  /** The assessment and the previous one of the same scope (when the viewer may read it), or undefined after refusing. */
  async function load(request: FastifyRequest, id: string): Promise<{ assessment: Assessment; previous: Assessment | undefined } | undefined> {
    const found = await service.get(request.viewer, id);
    if (isRefusal(found)) return undefined;
    const previousFound = found.previousId === null ? undefined : await service.get(request.viewer, found.previousId);
    return { assessment: found, previous: previousFound === undefined || isRefusal(previousFound) ? undefined : previousFound };
  }

  const breadcrumbs = (assessment: Assessment) => [
    { text: 'Self-assessment', href: '/assessments' },
    { text: `${assessment.organisationName}: ${scopeDescription(assessment.scope).label}, ${assessment.period}`, href: `/assessments/${assessment.id}` },
  ];

  app.get<{ Params: { id: string } }>('/assessments/:id/standing', { schema: hidden, config: read }, async (request, reply) => {
    const loaded = await load(request, request.params.id);
    if (loaded === undefined) return refuse(request, reply, request.params.id, 'standing');
    const view = await standingView(figuresOf(loaded.assessment, loaded.previous));
    return reply.view('standing/standing.njk', {
      pageTitle: `Where we stand: ${loaded.assessment.organisationName}, ${view.scopeLabel}, ${loaded.assessment.period}`,
      breadcrumbs: breadcrumbs(loaded.assessment),
      ...view,
    });
  });

  app.get<{ Params: { id: string; part: string; format: string } }>('/assessments/:id/standing/:part.:format', { schema: hidden, config: read }, async (request, reply) => {
    const { id, part, format } = request.params;
    const loaded = await load(request, id);
    if (loaded === undefined) return refuse(request, reply, id, `standing ${part}.${format}`);
    if (!isStandingPart(part) || !isTableFormat(format)) return reply.callNotFound();
    const table = partTable(part, figuresOf(loaded.assessment, loaded.previous));
    if (table === undefined) return reply.callNotFound();
    await service.audit(request.viewer, 'assessment-standing-downloaded', loaded.assessment, id, request.ip, { part, format, rows: table.rowCount });
    return table.send(reply, format);
  });

  async function reportHtml(request: FastifyRequest, reply: FastifyReply, loaded: { assessment: Assessment; previous: Assessment | undefined }, inlineCss?: string): Promise<string> {
    const { assessment, previous } = loaded;
    const view = await standingView(figuresOf(assessment, previous));
    const headline = headlineOf(assessment, previous);
    return reply.renderView('standing/report.njk', {
      ...view,
      headline: { ...headline, medianText: medianText(headline) },
      nextSteps: nextStepsOf(assessment).map((step) => ({ ...step, levelLabel: levelLabel(step.level) })),
      // Where moderation disagreed (from the moderation tables) and, once the peers part is merged, the peer position (see StandingHooks).
      moderation: await moderationFor(request.viewer, assessment),
      peers: hooks.peersFor === undefined ? undefined : await hooks.peersFor(request.viewer, assessment),
      inlineCss,
      printedAt: new Date(),
    });
  }

  app.get<{ Params: { id: string } }>('/assessments/:id/report', { schema: hidden, config: read }, async (request, reply) => {
    const loaded = await load(request, request.params.id);
    if (loaded === undefined) return refuse(request, reply, request.params.id, 'report');
    return reply.type('text/html; charset=utf-8').send(await reportHtml(request, reply, loaded));
  });

  app.get<{ Params: { id: string } }>('/assessments/:id/report.pdf', { schema: hidden, config: read }, async (request, reply) => {
    const loaded = await load(request, request.params.id);
    if (loaded === undefined) return refuse(request, reply, request.params.id, 'report.pdf');
    const { assessment } = loaded;
    // Chromium renders a page that fetches nothing: the styles go in the document itself.
    const css = await readFile(sourcePath('web', 'public', 'report.css'), 'utf8');
    const html = await reportHtml(request, reply, loaded, css);
    const title = `Self-assessment: ${assessment.organisationName}, ${scopeDescription(assessment.scope).label}, ${assessment.period}`;
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(html, { chromiumPath: context.config.chromiumPath, title });
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      request.log.warn({ err: error }, 'PDF unavailable');
      await service.audit(request.viewer, 'assessment-report-downloaded', assessment, assessment.id, request.ip, { format: 'pdf', refused: 'PDF unavailable' }, 'failure');
      return reply.code(503).view('error.njk', {
        title: 'The PDF cannot be made on this server',
        message: `${error.message}. Open the print version and use your browser’s Print (it can save as PDF).`,
      });
    }
    await service.audit(request.viewer, 'assessment-report-downloaded', assessment, assessment.id, request.ip, { format: 'pdf', bytes: pdf.length });
    const fileName = `self-assessment-${fileNamePart(assessment.organisationName).slice(0, 40)}-${assessment.scope}-${assessment.period.replace('/', '-')}.pdf`;
    return reply.type('application/pdf').header('Content-Disposition', `attachment; filename="${fileName}"`).header('Cache-Control', 'no-store').send(pdf);
  });

  /** Where an organisation stands across every scope: its latest assessment of each, with the change since the one before. */
  async function organisationStanding(request: FastifyRequest, organisationId: string) {
    const organisation = isUuid(organisationId) ? await organisationById(db, organisationId) : undefined;
    if (organisation === undefined || organisation.laCode === null) return undefined;
    const owner = { organisationId: organisation.id, laCode: organisation.laCode };
    if (!mayReadAssessment(request.viewer, owner)) {
      await service.audit(request.viewer, 'assessment-read', owner, `organisation:${organisation.id}`, request.ip, { page: 'organisation standing', refused: 'not in the viewer’s reach' }, 'denied');
      return undefined;
    }
    const listed = await service.list(request.viewer, { organisationIds: [organisation.id] });
    const rows = [];
    for (const description of scopeDescriptions) {
      // Listed most recent period first: the first of each scope is its latest.
      const latest = listed.find((entry) => entry.scope === description.scope);
      if (latest === undefined) {
        rows.push({ scope: description.scope, scopeLabel: description.label, assessment: undefined, headline: undefined, moderationDisagreements: undefined });
        continue;
      }
      const loaded = await load(request, latest.id);
      if (loaded === undefined) continue;
      const headline = headlineOf(loaded.assessment, loaded.previous);
      // A new period is rarely moderated yet: show the latest moderation of the scope, saying which period it was.
      let moderation = await moderationForReport(db, loaded.assessment);
      let moderated = moderation === undefined ? undefined : latest;
      for (const earlier of listed.filter((entry) => entry.scope === description.scope && entry.period < latest.period)) {
        if (moderation !== undefined) break;
        const earlierLoaded = await load(request, earlier.id);
        moderation = earlierLoaded === undefined ? undefined : await moderationForReport(db, earlierLoaded.assessment);
        moderated = moderation === undefined ? undefined : earlier;
      }
      const peers = hooks.peersFor === undefined ? undefined : await hooks.peersFor(request.viewer, loaded.assessment);
      rows.push({
        scope: description.scope,
        scopeLabel: description.label,
        assessment: latest,
        statusLabel: statusLabels[latest.status],
        previousPeriod: loaded.previous?.period,
        headline: { ...headline, medianText: medianText(headline) },
        moderationDisagreements: moderation?.disagreements.length,
        moderationCompared: moderation?.compared,
        moderatedAssessment: moderated,
        peers: peers?.total,
      });
    }
    return { organisation, rows };
  }

  app.get<{ Params: { organisationId: string } }>('/assessments/organisations/:organisationId', { schema: hidden, config: read }, async (request, reply) => {
    const standing = await organisationStanding(request, request.params.organisationId);
    if (standing === undefined) return reply.callNotFound();
    return reply.view('standing/organisation.njk', {
      pageTitle: `Where ${standing.organisation.name} stands`,
      breadcrumbs: [{ text: 'Self-assessment', href: '/assessments' }],
      showPeers: standing.organisation.kind === 'local-authority' && hooks.peersFor !== undefined,
      ...standing,
    });
  });

  app.get<{ Params: { organisationId: string; format: string } }>('/assessments/organisations/:organisationId/standing.:format', { schema: hidden, config: read }, async (request, reply) => {
    const { organisationId, format } = request.params;
    const standing = await organisationStanding(request, organisationId);
    if (standing === undefined || !isTableFormat(format)) return reply.callNotFound();
    type Row = (typeof standing.rows)[number];
    const table: DownloadTable<Row> = {
      fileName: `standing-${fileNamePart(standing.organisation.name).slice(0, 40)}`,
      columns: [
        { label: 'What is assessed', value: (row) => row.scopeLabel },
        { label: 'Scope code', value: (row) => row.scope },
        { label: 'Period', value: (row) => row.assessment?.period ?? 'Not assessed yet' },
        { label: 'Status', value: (row) => (row.assessment === undefined ? '' : statusLabels[row.assessment.status]) },
        { label: 'Statements with a level', value: (row) => row.headline?.withLevel ?? 'x', numberFormat: '0' },
        { label: 'Percentage established or embedded', value: (row) => (row.headline?.percentEstablishedOrEmbedded === null || row.headline === undefined ? 'x' : Number(row.headline.percentEstablishedOrEmbedded.toFixed(1))), numberFormat: '0.0' },
        { label: 'Median level (lower median, 1 to 4)', value: (row) => row.headline?.median ?? 'x', numberFormat: '0' },
        { label: 'Median', value: (row) => row.headline?.medianText ?? '' },
        { label: 'Previous period', value: (row) => row.previousPeriod ?? '' },
        { label: 'Improved since previous', value: (row) => row.headline?.improved ?? 'x', numberFormat: '0' },
        { label: 'Slipped since previous', value: (row) => row.headline?.slipped ?? 'x', numberFormat: '0' },
        { label: 'Period moderated', value: (row) => row.moderatedAssessment?.period ?? '' },
        { label: 'Statements moderated', value: (row) => row.moderationCompared ?? 'x', numberFormat: '0' },
        { label: 'Ratings the moderator saw differently', value: (row) => row.moderationDisagreements ?? 'x', numberFormat: '0' },
        { label: 'Statements compared with England’s authorities', value: (row) => row.peers?.compared ?? 'x', numberFormat: '0' },
        { label: 'Above the England median', value: (row) => row.peers?.above ?? 'x', numberFormat: '0' },
        { label: 'Level with the England median', value: (row) => row.peers?.level ?? 'x', numberFormat: '0' },
        { label: 'Below the England median', value: (row) => row.peers?.below ?? 'x', numberFormat: '0' },
      ],
      rows: standing.rows,
      metadata: {
        title: `Where ${standing.organisation.name} stands: the latest assessment of each scope`,
        source: 'Narrowing the Gap self-assessment',
        notes: [
          levelNote,
          medianNote,
          'Moderation: the latest moderation of the scope whose ratings are submitted (it may be of an earlier period, named); x when never moderated.',
          'Peers: each statement’s level compared with the median signed-off level of England’s local authorities, where at least 5 contributed; authorities are never named; x for a setting or partner.',
        ],
      },
    };
    await service.audit(request.viewer, 'assessment-standing-downloaded', { organisationId: standing.organisation.id, laCode: standing.organisation.laCode! }, `organisation:${standing.organisation.id}`, request.ip, { part: 'organisation', format });
    return sendTable(reply, table, format);
  });
}
