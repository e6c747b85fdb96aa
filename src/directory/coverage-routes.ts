/**
 * Coverage of the core offer against need: the page for an authority's staff and advisers, its
 * chart's downloads, the API, and the page where the authority draws its localities.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { appendAudit } from '../auth/audit.js';
import { settingRegister } from '../auth/organisations.js';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { chooseAuthority, isAuthorityRefusal, refuseAuthority } from '../gaps/authority-choice.js';
import { authorityNamed } from '../gaps/reach.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { apiErrorSchema } from '../web/errors.js';
import { figureFile, figureOffers, isFigureFormat } from '../web/figure-downloads.js';
import { presentFigure } from '../web/figure-view.js';
import { formatNumber, formatPercent } from '../web/format.js';
import { coreOfferStrandLabel, coreOfferStrands } from './core-offer.js';
import { authorityCoverage, seesExactCoverage } from './coverage-data.js';
import { mayEditDirectory } from './editors.js';
import { coverageFigure, coverageStates, rateText, stateOf } from './coverage-figure.js';
import { coverageRules } from './coverage.js';
import type { OfferCoverage } from './coverage.js';
import { localitiesOf, replaceLocalities, validateLocalities } from './localities.js';
import type { LocalityProblem } from './localities.js';

const hidden = { hide: true } as const;

const countsFor = (viewer: Viewer, laCode: string): 'exact' | 'released' => (seesExactCoverage(viewer, laCode) ? 'exact' : 'released');
const countText = (value: number | null) => (value === null ? 'c' : formatNumber(value));
const shareText = (value: number | null) => (value === null ? 'c' : formatPercent(value * 100, 0));

/** The coverage as the page's tables read it. */
function coverageView(coverage: OfferCoverage) {
  const localityNeed = new Map(coverage.localities.map((locality) => [locality.locality, locality]));
  return {
    strands: coverage.strands.map((strand) => ({ ...strand, rateText: rateText(strand.perThousandVulnerable) })),
    localities: coverage.localities.map((locality) => ({
      ...locality,
      childrenText: countText(locality.children),
      vulnerableText: countText(locality.vulnerable),
      vulnerableShareText: shareText(locality.vulnerableShare),
      mostDeprivedText: shareText(locality.mostDeprivedShare),
      groups: locality.groups.map((group) => ({ ...group, childrenText: countText(group.children) })),
      cells: coverage.cells
        .filter((cell) => cell.locality === locality.locality)
        .map((cell) => ({ ...cell, state: stateOf(cell), stateLabel: coverageStates[stateOf(cell)].label, rateText: rateText(cell.perThousandVulnerable) })),
    })),
    ranked: coverage.ranked.map((cell, index) => ({
      rank: index + 1,
      ...cell,
      strandLabel: coreOfferStrandLabel(cell.strand),
      vulnerableText: countText(localityNeed.get(cell.locality)?.vulnerable ?? null),
      mostDeprivedText: shareText(localityNeed.get(cell.locality)?.mostDeprivedShare ?? null),
      rateText: rateText(cell.perThousandVulnerable),
    })),
    flagged: coverage.cells.filter((cell) => cell.flagged).length,
    authority: {
      childrenText: countText(coverage.authority.children),
      vulnerableText: countText(coverage.authority.vulnerable),
      vulnerableShareText: shareText(coverage.authority.vulnerableShare),
      mostDeprivedText: shareText(coverage.authority.mostDeprivedShare),
    },
    unplaced: { ...coverage.unplaced, childrenText: countText(coverage.unplaced.children), withoutSettingText: countText(coverage.unplaced.withoutSetting) },
  };
}

/** The coverage as the API gives it (field names in snake case, as the rest of the API). */
export function coverageJson(laCode: string, year: number | null, released: boolean, coverage: OfferCoverage) {
  return {
    area: laCode,
    year: year === null ? null : formatAcademicYear(year),
    released,
    strands: coverage.strands.map((strand) => ({
      strand: strand.strand,
      strand_label: strand.label,
      local_services: strand.localServices,
      per_thousand_vulnerable: strand.perThousandVulnerable,
      authority_wide_services: strand.authorityWide,
    })),
    localities: coverage.localities.map((locality) => ({
      locality: locality.locality,
      districts: locality.districts,
      settings: locality.settings,
      children: locality.children,
      vulnerable_children: locality.vulnerable,
      vulnerable_share: locality.vulnerableShare,
      most_deprived_share: locality.mostDeprivedShare,
      high_need: locality.highNeed,
      groups: locality.groups.map((group) => ({ group: group.group, group_label: group.label, children: group.children })),
    })),
    cells: coverage.cells.map((cell) => ({
      locality: cell.locality,
      strand: cell.strand,
      local_services: cell.services.length,
      services: cell.services,
      per_thousand_vulnerable: cell.perThousandVulnerable,
      thin: cell.thin,
      flagged: cell.flagged,
    })),
    ranked: coverage.ranked.map((cell) => ({ locality: cell.locality, strand: cell.strand, flagged: cell.flagged })),
    unplaced: {
      settings: coverage.unplaced.settings,
      children: coverage.unplaced.children,
      children_without_setting: coverage.unplaced.withoutSetting,
      services: coverage.unplaced.services,
      localities_without_districts: coverage.unplaced.localitiesWithoutDistricts,
      undrawn_localities: coverage.unplaced.undrawnLocalities,
    },
  };
}

const nullableNumber = { type: ['number', 'null'] } as const;
const serviceRef = { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } } as const;
const strandIds = coreOfferStrands.map((strand) => strand.id);

const coverageResponse = {
  description: 'Coverage of the core offer, locality by strand',
  type: 'object',
  required: ['area', 'year', 'released', 'strands', 'localities', 'cells', 'ranked', 'unplaced'],
  properties: {
    area: { type: 'string' },
    year: { type: ['string', 'null'], description: 'The academic year children are counted in; null when no child-level data is loaded' },
    released: { type: 'boolean', description: 'Counts are released: 1 to 4 withheld as null, the rest adjusted slightly and rounded to 5 (the caller may not read the children’s records)' },
    strands: {
      type: 'array',
      items: {
        type: 'object',
        required: ['strand', 'strand_label', 'local_services', 'per_thousand_vulnerable', 'authority_wide_services'],
        properties: {
          strand: { type: 'string', enum: strandIds },
          strand_label: { type: 'string' },
          local_services: { type: 'integer', description: 'Services delivering the strand at a location in one of the localities' },
          per_thousand_vulnerable: { ...nullableNumber, description: 'Local services per 1,000 vulnerable children across the localities' },
          authority_wide_services: { type: 'array', items: serviceRef, description: 'Services offered across the whole authority (not counted as local)' },
        },
      },
    },
    localities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['locality', 'districts', 'settings', 'children', 'vulnerable_children', 'vulnerable_share', 'most_deprived_share', 'high_need', 'groups'],
        properties: {
          locality: { type: 'string' },
          districts: { type: 'array', items: { type: 'string' }, description: 'Postcode districts the locality is drawn with' },
          settings: { type: 'integer' },
          children: { ...nullableNumber, description: 'Children at the locality’s settings' },
          vulnerable_children: { ...nullableNumber, description: 'Of them, in at least one of the 13 groups' },
          vulnerable_share: { ...nullableNumber, description: '0 to 1' },
          most_deprived_share: { ...nullableNumber, description: 'Share (0 to 1) of children with a recorded IDACI decile in deciles 1 and 2' },
          high_need: { type: 'boolean' },
          groups: {
            type: 'array',
            items: { type: 'object', required: ['group', 'group_label', 'children'], properties: { group: { type: 'string' }, group_label: { type: 'string' }, children: nullableNumber } },
          },
        },
      },
    },
    cells: {
      type: 'array',
      items: {
        type: 'object',
        required: ['locality', 'strand', 'local_services', 'services', 'per_thousand_vulnerable', 'thin', 'flagged'],
        properties: {
          locality: { type: 'string' },
          strand: { type: 'string', enum: strandIds },
          local_services: { type: 'integer' },
          services: { type: 'array', items: serviceRef },
          per_thousand_vulnerable: nullableNumber,
          thin: { type: 'boolean', description: 'No local service, or fewer than half the authority’s local services per 1,000 vulnerable children' },
          flagged: { type: 'boolean', description: 'Thin where need is high' },
        },
      },
    },
    ranked: {
      type: 'array',
      description: 'Thin localities and strands, flagged first, then by vulnerable children, then by fewest services',
      items: { type: 'object', required: ['locality', 'strand', 'flagged'], properties: { locality: { type: 'string' }, strand: { type: 'string' }, flagged: { type: 'boolean' } } },
    },
    unplaced: {
      type: 'object',
      required: ['settings', 'children', 'children_without_setting', 'services', 'localities_without_districts', 'undrawn_localities'],
      properties: {
        settings: { type: 'integer', description: 'Settings in no drawn locality' },
        children: { ...nullableNumber, description: 'Children at those settings' },
        children_without_setting: { ...nullableNumber, description: 'Children recorded without a setting, who cannot be placed' },
        services: { type: 'array', items: { type: 'object', required: ['id', 'name', 'districts'], properties: { id: { type: 'string' }, name: { type: 'string' }, districts: { type: 'array', items: { type: 'string' } } } } },
        localities_without_districts: { type: 'array', items: { type: 'string' } },
        undrawn_localities: { type: 'array', items: { type: 'string' }, description: 'Locality names settings carry that have no districts drawn' },
      },
    },
  },
} as const;

export function registerCoverageRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: { la?: string } }>('/directory/coverage', { schema: hidden, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const choice = await chooseAuthority(db, request.viewer, request.query.la);
    if (isAuthorityRefusal(choice)) return refuseAuthority(reply, choice);
    const laCode = choice.chosen?.code;
    if (laCode === undefined) return reply.view('directory/coverage.njk', { pageTitle: 'Coverage of the core offer', authorities: choice.authorities });
    const name = localAuthorityByGss(laCode)?.name ?? laCode;
    const { year, released, coverage } = await authorityCoverage(db, laCode, countsFor(request.viewer, laCode));
    return reply.view('directory/coverage.njk', {
      pageTitle: `Coverage of the core offer: ${name}`,
      authorities: choice.authorities,
      laCode,
      authorityName: name,
      yearText: year === null ? null : formatAcademicYear(year),
      released,
      view: coverageView(coverage),
      rules: coverageRules,
      mayEdit: mayEditDirectory(request.viewer, laCode),
      hasLocalities: coverage.localities.length > 0,
      figure: coverage.localities.length === 0 ? undefined : await presentFigure(coverageFigure(coverage, name), { downloadPath: '/directory/coverage/figures', query: `la=${laCode}` }),
    });
  });

  app.get<{ Params: { figure: string; format: string }; Querystring: { la?: string } }>('/directory/coverage/figures/:figure.:format', { schema: hidden, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const named = authorityNamed(request.viewer, String(request.query.la ?? ''));
    if (isAuthorityRefusal(named)) return refuseAuthority(reply, named);
    const { figure: figureId, format } = request.params;
    if (figureId !== 'coverage' || !isFigureFormat(format)) return reply.callNotFound();
    const { coverage } = await authorityCoverage(db, named.laCode, countsFor(request.viewer, named.laCode));
    if (coverage.localities.length === 0) return reply.callNotFound();
    const figure = coverageFigure(coverage, localAuthorityByGss(named.laCode)?.name ?? named.laCode);
    if (!figureOffers(figure, format)) return reply.callNotFound();
    const file = await figureFile(figure, format);
    return reply.type(file.contentType).header('Content-Disposition', `attachment; filename="core-offer-coverage-${named.laCode}.${format}"`).send(file.body);
  });

  app.get<{ Params: { code: string } }>(
    '/api/v1/areas/:code/coverage/offer',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        summary: 'Coverage of the core offer against need',
        description:
          'For each of the authority’s localities and each strand of the extended-services core offer: the services at locations there, the children at the locality’s settings, those in at least one vulnerable group and the share in the most deprived neighbourhoods; whether the offer is thin and need high (flagged); and a ranked list of thin places. Counts are released (1 to 4 withheld as null, the rest adjusted slightly and rounded to 5) unless the caller may read the authority’s child-level records. The rules are in docs/directory.md.',
        tags: ['Directory'],
        params: { type: 'object', properties: { code: { type: 'string', description: 'GSS code (or DfE number) of a local authority' } } },
        response: {
          200: coverageResponse,
          403: { ...apiErrorSchema, description: 'The area is outside the caller’s reach' },
          404: { ...apiErrorSchema, description: 'No such authority' },
        },
      },
    },
    async (request, reply) => {
      const named = authorityNamed(request.viewer, request.params.code);
      if (isAuthorityRefusal(named)) {
        return reply.code(named.statusCode).send({ statusCode: named.statusCode, error: named.statusCode === 404 ? 'Not Found' : 'Forbidden', message: named.message, requestId: request.id });
      }
      const { year, released, coverage } = await authorityCoverage(db, named.laCode, countsFor(request.viewer, named.laCode));
      return coverageJson(named.laCode, year, released, coverage);
    },
  );

  async function localitiesForm(reply: FastifyReply, laCode: string, rows: { name: string; districts: string }[], problems: LocalityProblem[] = [], saved = false) {
    const name = localAuthorityByGss(laCode)?.name ?? laCode;
    const register = await settingRegister(db, laCode);
    const drawn = new Set(rows.map((row) => row.name.trim().toLowerCase()));
    const fieldId = (problem: LocalityProblem) => `locality-${problem.row}-${problem.field === 'name' ? 'name' : 'districts'}`;
    const errors = problems.map((problem) => ({ text: `Locality ${problem.row}: ${problem.field === 'name' ? 'name' : 'postcode districts'}: ${problem.value === '' ? 'nothing given' : `“${problem.value}”`} is not ${problem.expected}`, href: `#${fieldId(problem)}` }));
    return reply.code(problems.length > 0 ? 400 : 200).view('directory/localities.njk', {
      pageTitle: `Localities: ${name}`,
      breadcrumbs: [{ text: 'Coverage of the core offer', href: `/directory/coverage?la=${laCode}` }],
      laCode,
      authorityName: name,
      rows: [...rows, { name: '', districts: '' }].map((row, index) => ({
        ...row,
        number: index + 1,
        nameError: errors.find((_, at) => problems[at]!.row === index + 1 && problems[at]!.field === 'name')?.text,
        districtsError: errors.find((_, at) => problems[at]!.row === index + 1 && problems[at]!.field === 'districts')?.text,
      })),
      settingLocalities: register.localities.filter((locality) => !drawn.has(locality.toLowerCase())),
      errors,
      errorSummaryShown: errors.length > 0,
      notice: saved ? 'The localities are saved.' : undefined,
    });
  }

  const refused = (reply: FastifyReply) =>
    reply.code(403).view('error.njk', { pageTitle: 'You cannot change these localities', title: 'You cannot change these localities', message: 'Only the authority’s own staff who look after its directory of services draw its localities.' });

  app.get<{ Querystring: { la?: string; saved?: string } }>('/directory/localities', { schema: hidden, config: { permission: 'directory:write' } }, async (request, reply) => {
    const named = authorityNamed(request.viewer, String(request.query.la ?? ownAuthority(request.viewer) ?? ''), mayEditDirectory);
    if (isAuthorityRefusal(named)) return named.statusCode === 403 ? refused(reply) : refuseAuthority(reply, named);
    const localities = await localitiesOf(db, named.laCode);
    return localitiesForm(reply, named.laCode, localities.map((locality) => ({ name: locality.name, districts: locality.districts.join(', ') })), [], request.query.saved !== undefined);
  });

  app.post<{ Querystring: { la?: string }; Body: Record<string, string | string[] | undefined> | undefined }>('/directory/localities', { schema: hidden, config: { permission: 'directory:write' } }, async (request, reply) => {
    const viewer = request.viewer;
    const named = authorityNamed(viewer, String(request.query.la ?? ''), mayEditDirectory);
    if (isAuthorityRefusal(named) || !viewer.signedIn) {
      if (viewer.signedIn) await appendAudit(db, { action: 'directory-localities.save', outcome: 'denied', actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip, details: { asked: String(request.query.la ?? '') } });
      return isAuthorityRefusal(named) && named.statusCode === 404 ? refuseAuthority(reply, named) : refused(reply);
    }
    const rows = formRows(request.body ?? {});
    const checked = validateLocalities(rows.map((row) => ({ name: row.name, districts: row.districts.split(/[\s,;]+/) })));
    if (!checked.ok) return localitiesForm(reply, named.laCode, rows, checked.problems);
    await replaceLocalities(db, named.laCode, checked.localities, viewer.displayName || viewer.email);
    await appendAudit(db, { action: 'directory-localities.save', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: named.laCode, ip: request.ip, details: { localities: checked.localities.length } });
    return reply.redirect(`/directory/localities?la=${named.laCode}&saved=1`, 303);
  });
}

/** The viewer's own authority, for a page that is about one. */
function ownAuthority(viewer: Viewer): string | undefined {
  return viewer.signedIn ? (viewer.memberships.find((membership) => membership.laCode !== null)?.laCode ?? undefined) : undefined;
}

/** The form's rows (`name-1`, `districts-1`, ...), the blank ones left out. */
function formRows(body: Record<string, string | string[] | undefined>): { name: string; districts: string }[] {
  const rows: { name: string; districts: string }[] = [];
  const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(' ') : (value ?? ''));
  for (let number = 1; number <= 200; number++) {
    const name = single(body[`name-${number}`]);
    const districts = single(body[`districts-${number}`]);
    if (body[`name-${number}`] === undefined && body[`districts-${number}`] === undefined) continue;
    if (name.trim() === '' && districts.trim() === '') continue;
    rows.push({ name, districts });
  }
  return rows;
}
