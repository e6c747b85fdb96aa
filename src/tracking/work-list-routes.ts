import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { appendAudit } from '../auth/audit.js';
import type { AuditEntry } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { settingNames, settingRegister } from '../auth/organisations.js';
import type { RegisteredSetting } from '../auth/organisations.js';
import type { Schema } from '../db/schema.js';
import { dimensions } from '../aggregates/signature.js';
import { toCsv } from '../export/csv.js';
import { formatAcademicYear, measures, parseAcademicYear } from '../ingest/child-standard.js';
import { isoDateIn } from '../web/format.js';
import { queryText } from '../web/query.js';
import { readUnseenQuery } from './api.js';
import type { UnseenQuerystring } from './api.js';
import { isChildRef } from './child-records.js';
import { FollowUpRefused, followUpActionText, followUpActions, recordFollowUp } from './follow-ups.js';
import { HandoverRefused, confirmHandover, handoversInto } from './handovers.js';
import { protectiveMarking } from './marking.js';
import { cohortProgress, progressSummary } from './progress.js';
import { progressLabelText, progressLabels, progressPairs } from './progress-pairs.js';
import type { ProgressLabel } from './progress-pairs.js';
import { childRecordReach, reachIn, reachedSettings } from './reach.js';
import type { ChildReach } from './reach.js';
import { describeRules } from './rules.js';
import { rulesFor } from './rules-store.js';
import { unseenListTitles, unseenLists } from './unseen-rules.js';
import type { UnseenList } from './unseen-rules.js';
import { UnseenRequestError, unseenCsvHeader, unseenCsvRows, unseenReport } from './unseen-report.js';
import { yearsHeld } from './unseen.js';
import { trackingContext } from './context.js';
import { workListRowsHtml } from './work-list-html.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;
const pageSize = 50;
const groupLabels = new Map(dimensions.filter((entry) => entry.kind === 'group').map((entry) => [entry.id, entry.label]));
const read = { permission: 'child-records:read' } as const;
const act = { permission: 'child-records:act' } as const;
const hidden = { hide: true } as const;

/** The authority a page is about: the one asked for, when in reach, or the first the viewer reaches. */
function authorityFor(viewer: Viewer, asked: unknown): { laCode: string; reach: ChildReach } | undefined {
  const reach = childRecordReach(viewer);
  const laCode = queryText(asked)?.trim().toUpperCase() || reach[0]?.laCode;
  const entry = laCode === undefined ? undefined : reachIn(reach, laCode);
  return laCode === undefined || entry === undefined ? undefined : { laCode, reach: entry };
}

function ncyText(ncy: number | null): string {
  if (ncy === null) return 'Not recorded';
  if (ncy === 0) return 'Reception';
  if (ncy < 0) return 'Nursery';
  return `Year ${ncy}`;
}

type ListCountsJson = { recorded: number; not_recorded: number };

/**
 * One table of several lists' counts: a row for each setting (or locality) found on any list, a cell
 * for each list (zero where the list has none there). Each list sorts its own rows, so they are
 * matched by key, never by position.
 */
function acrossLists<Row extends ListCountsJson>(lists: readonly { by: readonly Row[] }[], keyOf: (row: Row) => string): { row: Row; cells: ListCountsJson[]; total: number }[] {
  const rows = new Map<string, { row: Row; cells: ListCountsJson[]; total: number }>();
  lists.forEach((list, index) => {
    for (const row of list.by) {
      const key = keyOf(row);
      const entry = rows.get(key) ?? { row, cells: lists.map(() => ({ recorded: 0, not_recorded: 0 })), total: 0 };
      entry.cells[index] = { recorded: row.recorded, not_recorded: row.not_recorded };
      entry.total += row.recorded + row.not_recorded;
      rows.set(key, entry);
    }
  });
  return [...rows.values()];
}

/** The settings a reader may choose among: the authority's, or those of their reach. */
function choicesIn(reach: ChildReach, registered: readonly RegisteredSetting[]): { urn: number; name: string }[] {
  if (reach.settingUrns === 'all') return registered.map((setting) => ({ urn: setting.urn, name: setting.name }));
  const names = new Map(registered.map((setting) => [setting.urn, setting.name]));
  return reach.settingUrns.map((urn) => ({ urn, name: names.get(urn) ?? `Setting ${urn}` }));
}

function dateText(iso: string | null): string | null {
  if (iso === null) return null;
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
}

/**
 * The pages of every child seen: the work lists with what was done about each child, recording a
 * follow-up, the progress of a setting's pupils and the handovers into it. Every page that names
 * children is audited with their references; every refusal too.
 */
export function registerWorkListRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  const audit = (request: FastifyRequest, entry: Omit<AuditEntry, 'actorUserId' | 'actorEmail' | 'ip'>) => {
    const viewer = request.viewer as SignedIn;
    return appendAudit(db, { ...entry, actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip });
  };
  const today = () => isoDateIn(new Date());

  async function outOfReach(request: FastifyRequest, reply: FastifyReply, action: string, laCode: string | undefined) {
    await audit(request, { action, outcome: 'denied', laCode: laCode ?? null, details: { reason: 'authority out of reach', query: request.query } });
    return reply.code(404).view('error.njk', { pageTitle: 'No children to show', title: 'No children to show', message: 'There are no children of that authority that you may see.' });
  }

  /** An authority with nothing loaded yet: said plainly, not refused. */
  async function noDataYet(reply: FastifyReply, laCode: string, pageTitle: string) {
    const name = localAuthorityByGss(laCode)?.name ?? laCode;
    return reply.view('error.njk', { pageTitle, title: pageTitle, message: `No child-level records of ${name} have been loaded yet. Once an analyst loads a file, the children appear here.` });
  }

  async function settingChoices(reach: ChildReach, laCode: string) {
    return choicesIn(reach, (await settingRegister(db, laCode, reachedSettings(reach))).settings);
  }

  app.get<{ Querystring: UnseenQuerystring }>('/children/unseen', { schema: hidden, config: read }, async (request, reply) => {
    const authority = authorityFor(request.viewer, request.query.la);
    if (authority === undefined) return outOfReach(request, reply, 'children-unseen.read', request.query.la);
    const parsed = readUnseenQuery(request.query);
    if ('invalid' in parsed) return reply.code(400).view('error.njk', { pageTitle: 'Check the filter', title: 'Check the filter', message: `Check the ${parsed.invalid}.` });
    const wholeReach = authority.reach.settingUrns === 'all';
    const [context, register] = await Promise.all([trackingContext(db, authority.laCode), settingRegister(db, authority.laCode, reachedSettings(authority.reach))]);
    if (context.years.length === 0) return noDataYet(reply, authority.laCode, 'Children not yet seen');
    try {
      const report = await unseenReport(db, { laCode: authority.laCode, year: parsed.year, settingUrn: parsed.setting, locality: parsed.locality, minGroups: parsed.minGroups, list: parsed.list, onlyOutstanding: parsed.outstanding, reach: authority.reach, page: parsed.page, pageSize, today: today(), context, register });
      await audit(request, { action: 'children-unseen.read', outcome: 'success', laCode: authority.laCode, details: { query: request.query, childRefs: report.children.map((child) => child.child_ref) } });
      const query = new URLSearchParams(Object.entries(request.query).filter(([name, value]) => name !== 'page' && value !== undefined && value !== '') as [string, string][]).toString();
      const wholeAuthority = wholeReach && parsed.setting === undefined && parsed.locality === undefined;
      const mayAct = viewerMay(request.viewer, 'child-records:act');
      return reply.view('tracking/unseen.njk', {
        pageTitle: 'Children not yet seen',
        breadcrumbs: [{ text: 'Children’s records', href: '/children' }],
        authorityName: localAuthorityByGss(authority.laCode)?.name ?? authority.laCode,
        report,
        rules: describeRules(context.rules),
        wholeAuthority,
        localities: wholeReach ? register.localities : [],
        bySetting:
          wholeReach && parsed.setting === undefined
            ? acrossLists(report.lists.map((list) => ({ by: list.by_setting })), (row) => String(row.setting_urn)).sort((a, b) => b.total - a.total)
            : [],
        byLocality: wholeAuthority ? acrossLists(report.lists.map((list) => ({ by: list.by_locality })), (row) => String(row.locality)) : [],
        years: context.years.map(formatAcademicYear),
        settings: choicesIn(authority.reach, register.settings),
        lists: unseenLists.map((list) => ({ id: list, title: unseenListTitles[list] })),
        filter: request.query,
        childRows: workListRowsHtml(
          report.children.map((child) => ({
            ...child,
            ncyText: ncyText(child.ncy),
            groupText: child.groups.map((group) => groupLabels.get(group) ?? group).join('; '),
            reasons: child.reasons.map((reason) => ({ ...reason, followUpText: reason.follow_up === null ? null : followUpActionText[reason.follow_up.action as keyof typeof followUpActionText], followUpOn: dateText(reason.follow_up?.follow_up_on ?? null) })),
          })),
          { laCode: report.la_code, year: report.year, mayAct },
        ),
        page: parsed.page,
        pages: Math.max(1, Math.ceil(report.total_children / pageSize)),
        query,
        csvQuery: query,
      });
    } catch (error) {
      if (error instanceof UnseenRequestError) return reply.code(error.statusCode).view('error.njk', { pageTitle: 'No children to show', title: 'No children to show', message: error.message });
      throw error;
    }
  });

  app.get<{ Querystring: UnseenQuerystring }>('/children/unseen.csv', { schema: hidden, config: read }, async (request, reply) => {
    const authority = authorityFor(request.viewer, request.query.la);
    if (authority === undefined) return outOfReach(request, reply, 'children-unseen.export', request.query.la);
    const parsed = readUnseenQuery(request.query);
    if ('invalid' in parsed) return reply.code(400).view('error.njk', { pageTitle: 'Check the filter', title: 'Check the filter', message: `Check the ${parsed.invalid}.` });
    try {
      const report = await unseenReport(db, { laCode: authority.laCode, year: parsed.year, settingUrn: parsed.setting, locality: parsed.locality, minGroups: parsed.minGroups, list: parsed.list, onlyOutstanding: parsed.outstanding, reach: authority.reach, page: 1, pageSize: Number.MAX_SAFE_INTEGER, today: today() });
      await audit(request, { action: 'children-unseen.export', outcome: 'success', laCode: authority.laCode, details: { query: request.query, childRefs: report.children.map((child) => child.child_ref) } });
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="children-not-yet-seen-${report.year.replace('/', '-')}.csv"`)
        .header('Cache-Control', 'no-store')
        .send(`${protectiveMarking}\n${toCsv(unseenCsvHeader, unseenCsvRows(report))}`);
    } catch (error) {
      if (error instanceof UnseenRequestError) return reply.code(error.statusCode).view('error.njk', { pageTitle: 'No children to show', title: 'No children to show', message: error.message });
      throw error;
    }
  });

  interface FollowUpQuery {
    la?: string;
    year?: string;
    list?: string;
  }
  type FollowUpBody = { la?: string; year?: string; list?: string; action?: string; note?: string; follow_up_on?: string };

  async function followUpForm(request: FastifyRequest, reply: FastifyReply, childRef: string, values: FollowUpBody, errors?: { field: string; text: string }[]) {
    const list = values.list as UnseenList | undefined;
    return reply.code(errors === undefined ? 200 : 400).view('tracking/follow-up.njk', {
      pageTitle: 'Record what was done',
      breadcrumbs: [{ text: 'Children not yet seen', href: `/children/unseen${values.la ? `?la=${encodeURIComponent(values.la)}` : ''}` }],
      childRef,
      listTitle: list !== undefined && (unseenLists as readonly string[]).includes(list) ? unseenListTitles[list] : null,
      values,
      actions: followUpActions.map((action) => ({ value: action, text: followUpActionText[action], checked: values.action === action })),
      errors: errors?.map((error) => ({ text: error.text, href: `#${error.field === 'action' ? 'action' : error.field === 'followUpOn' ? 'follow_up_on' : error.field}` })),
      errorSummaryShown: errors !== undefined,
      errorFor: (field: string) => errors?.find((error) => error.field === field) && { text: errors.find((error) => error.field === field)!.text },
    });
  }

  app.get<{ Params: { ref: string }; Querystring: FollowUpQuery }>('/children/unseen/:ref/follow-up', { schema: hidden, config: act }, async (request, reply) => {
    if (!isChildRef(request.params.ref)) return reply.code(404).view('404.njk');
    return followUpForm(request, reply, request.params.ref, { la: request.query.la, year: request.query.year, list: request.query.list });
  });

  app.post<{ Params: { ref: string }; Body: FollowUpBody }>('/children/unseen/:ref/follow-up', { schema: hidden, config: act }, async (request, reply) => {
    const body = request.body ?? {};
    const authority = authorityFor(request.viewer, body.la);
    const year = parseAcademicYear(body.year ?? '');
    if (year === undefined) return followUpForm(request, reply, request.params.ref, body, [{ field: 'year', text: 'The academic year is missing: open the form from the work list again.' }]);
    try {
      await recordFollowUp(
        db,
        request.viewer as SignedIn,
        authority?.reach,
        { laCode: authority?.laCode ?? (body.la ?? '').toUpperCase(), childRef: request.params.ref, year, list: body.list ?? '', action: body.action ?? '', note: body.note ?? '', followUpOn: body.follow_up_on ?? '' },
        { today: today(), ip: request.ip },
      );
    } catch (error) {
      if (!(error instanceof FollowUpRefused)) throw error;
      if (error.statusCode === 404) return reply.code(404).view('error.njk', { pageTitle: 'No such child', title: 'No such child', message: error.message });
      return followUpForm(request, reply, request.params.ref, body, [{ field: error.field, text: error.message }]);
    }
    const back = new URLSearchParams({ la: authority!.laCode, year: body.year ?? '', recorded: '1' });
    return reply.redirect(`/children/unseen?${back.toString()}#child-${request.params.ref.slice(0, 12)}`, 303);
  });

  app.get<{ Querystring: { la?: string; year?: string; setting?: string; label?: string } }>('/children/progress', { schema: hidden, config: read }, async (request, reply) => {
    const authority = authorityFor(request.viewer, request.query.la);
    if (authority === undefined) return outOfReach(request, reply, 'child-progress.read', request.query.la);
    const years = await yearsHeld(db, authority.laCode);
    if (years.length === 0) return noDataYet(reply, authority.laCode, 'Pupils’ progress');
    const year = request.query.year ? parseAcademicYear(request.query.year) : years[0];
    if (year === undefined) return reply.code(400).view('error.njk', { pageTitle: 'Check the year', title: 'Check the year', message: 'Check the year (an academic year such as 2023/24).' });
    const setting = request.query.setting && /^\d{6}$/.test(request.query.setting) ? Number(request.query.setting) : undefined;
    if (setting !== undefined && authority.reach.settingUrns !== 'all' && !authority.reach.settingUrns.includes(setting)) return outOfReach(request, reply, 'child-progress.read', authority.laCode);
    const concern: ProgressLabel[] = ['stuck', 'coasting', 'underperforming'];
    const label = concern.find((entry) => entry === request.query.label);
    const settingUrns = setting === undefined ? undefined : [setting];
    const shownLimit = 500;
    const [counts, listed] = await Promise.all([
      progressSummary(db, authority.reach, { year, settingUrns }),
      cohortProgress(db, authority.reach, { year, settingUrns, labels: label === undefined ? concern : [label], limit: shownLimit }),
    ]);
    await audit(request, { action: 'child-progress.read', outcome: 'success', laCode: authority.laCode, details: { query: request.query, childRefs: listed.map((reading) => reading.childRef) } });
    const names = await settingNames(db, [...new Set(listed.flatMap((reading) => (reading.settingUrn === null ? [] : [reading.settingUrn])))]);
    const countOf = (pair: string, entry: ProgressLabel) => counts.find((row) => row.pair === pair && row.label === entry)?.pupils ?? 0;
    const summary = progressPairs.map((pair) => ({ label: pair.label, counts: Object.fromEntries(progressLabels.map((entry) => [entry, countOf(pair.id, entry)])) }));
    const listedCount = counts.filter((row) => (label === undefined ? concern.includes(row.label) : row.label === label)).reduce((sum, row) => sum + row.pupils, 0);
    return reply.view('tracking/progress.njk', {
      pageTitle: 'Pupils’ progress',
      breadcrumbs: [{ text: 'Children’s records', href: '/children' }],
      authorityName: localAuthorityByGss(authority.laCode)?.name ?? authority.laCode,
      year: formatAcademicYear(year),
      years: years.map(formatAcademicYear),
      settings: await settingChoices(authority.reach, authority.laCode),
      filter: request.query,
      summary,
      labelText: progressLabelText,
      pairs: progressPairs,
      pupils: listed.map((reading) => ({ ...reading, settingName: reading.settingUrn === null ? 'No setting' : (names.get(reading.settingUrn)?.name ?? `Setting ${reading.settingUrn}`) })),
      shownAll: listedCount <= shownLimit,
      listedCount,
    });
  });

  app.get<{ Querystring: { la?: string; year?: string; setting?: string; confirmed?: string } }>('/children/handovers', { schema: hidden, config: read }, async (request, reply) => {
    const authority = authorityFor(request.viewer, request.query.la);
    if (authority === undefined) return outOfReach(request, reply, 'child-handover.read', request.query.la);
    const years = await yearsHeld(db, authority.laCode);
    if (years.length === 0) return noDataYet(reply, authority.laCode, 'Handovers');
    const year = request.query.year ? parseAcademicYear(request.query.year) : years[0];
    if (year === undefined) return reply.code(400).view('error.njk', { pageTitle: 'Check the year', title: 'Check the year', message: 'Check the year (an academic year such as 2023/24).' });
    const setting = request.query.setting && /^\d{6}$/.test(request.query.setting) ? Number(request.query.setting) : undefined;
    const handovers = await handoversInto(db, authority.reach, { year, settingUrns: setting === undefined ? undefined : [setting], today: today() });
    const wholeAuthority = authority.reach.settingUrns === 'all' && setting === undefined;
    await audit(request, { action: 'child-handover.read', outcome: 'success', laCode: authority.laCode, details: { query: request.query, childRefs: wholeAuthority ? [] : handovers.map((handover) => handover.childRef), counted: handovers.length } });
    const rules = await rulesFor(db, authority.laCode);
    // Across a whole authority, one line per receiving setting: its cards are one choice away.
    const bySetting = authority.reach.settingUrns === 'all' && setting === undefined;
    const settingsSummary = bySetting
      ? [...Map.groupBy(handovers, (handover) => handover.toSettingUrn)].map(([urn, list]) => ({
          urn,
          name: list[0]!.toSettingName ?? `Setting ${urn} (not registered)`,
          total: list.length,
          confirmed: list.filter((handover) => handover.confirmed !== null).length,
          late: list.filter((handover) => handover.late).length,
          phaseTransfers: list.filter((handover) => handover.phaseTransfer).length,
        })).sort((a, b) => b.late - a.late || b.total - b.confirmed - (a.total - a.confirmed) || a.name.localeCompare(b.name))
      : [];
    return reply.view('tracking/handovers.njk', {
      bySetting,
      settingsSummary,
      pageTitle: 'Handovers',
      breadcrumbs: [{ text: 'Children’s records', href: '/children' }],
      authorityName: localAuthorityByGss(authority.laCode)?.name ?? authority.laCode,
      laCode: authority.laCode,
      year: formatAcademicYear(year),
      years: years.map(formatAcademicYear),
      settings: await settingChoices(authority.reach, authority.laCode),
      filter: request.query,
      weeks: rules.handoverWeeks,
      mayAct: viewerMay(request.viewer, 'child-records:act'),
      justConfirmed: request.query.confirmed ?? null,
      total: handovers.length,
      handovers: (bySetting ? [] : handovers).map((handover) => ({
        ...handover,
        ncyBeforeText: ncyText(handover.ncyBefore),
        ncyNowText: ncyText(handover.ncyNow),
        groupText: handover.groupsBefore.map((group) => groupLabels.get(group) ?? group).join('; ') || 'None recorded',
        dueByText: dateText(handover.dueBy),
        measureRows: Object.entries(handover.measuresBefore).map(([name, value]) => ({ label: measures.find((measure) => measure.name === name)?.label ?? name, value: value === true ? 'Yes' : value === false ? 'No' : String(value) })),
      })),
    });
  });

  app.post<{ Params: { ref: string }; Body: { la?: string; year?: string; note?: string } }>('/children/handovers/:ref/confirm', { schema: hidden, config: act }, async (request, reply) => {
    const body = request.body ?? {};
    const authority = authorityFor(request.viewer, body.la);
    const year = parseAcademicYear(body.year ?? '');
    if (year === undefined) return reply.code(400).view('error.njk', { pageTitle: 'Check the year', title: 'Check the year', message: 'The academic year is missing: open the handover list again.' });
    try {
      await confirmHandover(db, request.viewer as SignedIn, authority?.reach, { laCode: authority?.laCode ?? (body.la ?? '').toUpperCase(), childRef: request.params.ref, year, note: body.note ?? '' }, { today: today(), ip: request.ip });
    } catch (error) {
      if (error instanceof HandoverRefused) return reply.code(404).view('error.njk', { pageTitle: 'No such handover', title: 'No such handover', message: error.message });
      throw error;
    }
    const back = new URLSearchParams({ la: authority!.laCode, year: body.year ?? '', confirmed: request.params.ref.slice(0, 12) });
    return reply.redirect(`/children/handovers?${back.toString()}`, 303);
  });
}
