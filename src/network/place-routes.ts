/**
 * The network's public pages of places: England (its nine regions and a hex map), each region (its
 * authorities, who takes part and what they work on) and each council's page; the council's own
 * page for saying what it works on; and the page where a person chooses to be listed as a contact.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { appendAudit } from '../auth/audit.js';
import type { Schema } from '../db/schema.js';
import { figureFile, figureOffers, isFigureFormat } from '../web/figure-downloads.js';
import { presentFigure } from '../web/figure-view.js';
import { formatDate, isoDateIn } from '../web/format.js';
import { mapChoices, mapMeasureOf, placeFigures, placeMap, takingPartText } from './place-figures.js';
import { contactListing, councilPlans, councilProfile, listContact, mayEditProfile, ProfileRefused, publishedThemes, saveProfile, unlistContact } from './profiles.js';
import { networkAuthority, networkRegion, networkRegions } from './regions.js';
import { dashboardAuthorities } from './dashboard.js';
import { readerId } from './access.js';
import { publishedGapMeasures, publishedGaps, widestPublishedGaps } from '../gaps/published-gaps.js';
import type { PublishedGap } from '../gaps/published-gaps.js';
import { queryText } from '../web/query.js';
import { searchLimits, searchNetwork } from './search.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
const signedIn = { permission: 'signed-in' } as const;

const dateText = (date: Date) => formatDate(date);


/** The authorities a person belongs to (by the organisations they are a member of), for listing them as a contact. */
function authoritiesOf(viewer: Viewer): { code: string; name: string }[] {
  if (!viewer.signedIn) return [];
  const codes = [...new Set(viewer.memberships.flatMap((membership) => (membership.laCode === null ? [] : [membership.laCode])))];
  return codes.flatMap((code) => {
    const authority = networkAuthority(code);
    return authority === undefined ? [] : [{ code: authority.code, name: authority.name }];
  });
}

/** An authority's published gaps, measure by measure in the order pages show them, the groups furthest behind first. */
function publishedGapRows(gaps: readonly PublishedGap[]) {
  const order = publishedGapMeasures().map((measure) => measure.name);
  const rows = [...gaps].sort((a, b) => order.indexOf(a.indicator) - order.indexOf(b.indicator) || b.shortfall - a.shortfall || a.groupLabel.localeCompare(b.groupLabel));
  return { widest: widestPublishedGaps(gaps, 5), rows, sources: [...new Set(rows.map((gap) => gap.source))], toAll: rows.some((gap) => gap.comparator === 'all') };
}

export function registerPlaceRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  const notFound = (reply: FastifyReply) => reply.callNotFound();

  app.get<{ Querystring: { map?: string; measure?: string; group?: string } }>('/network', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const [figures, themes] = await Promise.all([placeFigures(db), publishedThemes(db)]);
    const measure = mapMeasureOf(figures, request.query);
    const regions = networkRegions().map((region) => {
      const taking = region.authorities.filter((la) => figures.taking.has(la.code));
      return {
        code: region.code,
        name: region.name,
        authorities: region.authorities.length,
        takingPart: taking.length,
        councils: region.authorities.filter((la) => takingPartText(figures.taking.get(la.code)) === 'The council takes part').length,
        publishing: region.authorities.filter((la) => themes.has(la.code)).length,
        practice: region.authorities.reduce((sum, la) => sum + (figures.practice.get(la.code) ?? 0), 0),
      };
    });
    const supported = networkRegions().filter((region) => dashboardAuthorities(request.viewer, [region]).length > 1);
    const viewer = request.viewer;
    const ownAuthority = viewer.signedIn ? viewer.memberships.find((membership) => membership.laCode !== null)?.laCode : undefined;
    return reply.view('network/england.njk', {
      pageTitle: 'The network',
      regions,
      ownAuthority: ownAuthority === undefined || ownAuthority === null ? undefined : networkAuthority(ownAuthority),
      dashboard: supported.length === 9 ? { href: '/network/dashboard', text: 'England’s nine regions: gaps, assessments, plans and practice' } : supported.length > 0 ? { href: `/network/regions/${supported[0]!.code}/dashboard`, text: `${supported[0]!.name}: dashboard of gaps, assessments, plans and practice` } : undefined,
      mapChoices: mapChoices(figures, measure),
      figure: await presentFigure(placeMap(figures, measure), { downloadPath: '/network/figures', query: `map=${measure}` }),
    });
  });

  app.get<{ Querystring: { q?: string } }>('/network/search', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const asked = typeof request.query.q === 'string' ? request.query.q : '';
    const tooLong = asked.length > searchLimits.words;
    const results = await searchNetwork(db, readerId(request.viewer), asked);
    const sections = [
      { id: 'councils', title: 'Councils', hits: results.councils },
      { id: 'groups', title: 'Communities of interest', hits: results.groups },
      { id: 'discussions', title: 'Discussions', hits: results.discussions },
      { id: 'documents', title: 'Documents', hits: results.documents },
      { id: 'practice', title: 'Published practice', hits: results.practice, more: results.practiceTotal > results.practice.length ? { href: `/practice?q=${encodeURIComponent(results.words)}`, text: `See all ${results.practiceTotal} practice items in the library` } : undefined },
    ];
    return reply.view('network/search.njk', {
      pageTitle: results.words === '' ? 'Search the network' : `${results.words}: search the network`,
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      words: results.words,
      tooLong,
      sections,
      found: sections.reduce((sum, section) => sum + section.hits.length, 0),
    });
  });

  app.get<{ Params: { figure: string; format: string }; Querystring: { map?: string; region?: string } }>('/network/figures/:figure.:format', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const { figure: figureId, format } = request.params;
    const askedRegion = queryText(request.query.region);
    const region = askedRegion === undefined ? undefined : networkRegion(askedRegion);
    const figures = await placeFigures(db);
    const measure = mapMeasureOf(figures, request.query);
    if (!isFigureFormat(format) || figureId !== `map-${measure}` || (askedRegion !== undefined && region === undefined)) return notFound(reply);
    const figure = placeMap(figures, measure, region);
    if (!figureOffers(figure, format)) return reply.code(404).view('error.njk', { title: 'There is no map to download', message: `${figure.withoutChart} The figures are in the CSV and Excel downloads.` });
    const file = await figureFile(figure, format);
    return reply.type(file.contentType).header('Content-Disposition', `attachment; filename="network-${region?.code ?? 'england'}-${measure}.${format}"`).send(file.body);
  });

  app.get<{ Params: { code: string }; Querystring: { map?: string; measure?: string; group?: string } }>('/network/regions/:code', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const region = networkRegion(request.params.code);
    if (region === undefined) return notFound(reply);
    const [figures, themes] = await Promise.all([placeFigures(db), publishedThemes(db)]);
    const measure = mapMeasureOf(figures, request.query);
    const authorities = region.authorities.map((la) => ({
      code: la.code,
      name: la.name,
      takingPart: takingPartText(figures.taking.get(la.code)),
      people: figures.taking.get(la.code)?.people ?? 0,
      practice: figures.practice.get(la.code) ?? 0,
      groups: themes.get(la.code)?.groups ?? [],
      threads: themes.get(la.code)?.threads ?? [],
    }));
    return reply.view('network/region.njk', {
      pageTitle: region.name,
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      region,
      authorities,
      mayOpenDashboard: dashboardAuthorities(request.viewer, [region]).length > 1,
      mapChoices: mapChoices(figures, measure),
      figure: await presentFigure(placeMap(figures, measure, region), { downloadPath: '/network/figures', query: `map=${measure}&region=${region.code}` }),
    });
  });

  app.get<{ Params: { code: string }; Querystring: { saved?: string } }>('/network/authorities/:code', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const profile = await councilProfile(db, request.params.code);
    if (profile === undefined) return notFound(reply);
    const gaps = await publishedGaps(db, [profile.authority.code]);
    return reply.view('network/authority.njk', {
      pageTitle: profile.authority.name,
      breadcrumbs: [
        { text: 'The network', href: '/network' },
        { text: profile.authority.region.name, href: `/network/regions/${profile.authority.region.code}` },
      ],
      profile,
      updatedText: profile.updatedAt === null ? null : dateText(profile.updatedAt),
      practice: profile.practice.map((item) => ({ ...item, publishedText: dateText(item.publishedAt) })),
      publishedGaps: publishedGapRows(gaps),
      mayEdit: mayEditProfile(request.viewer, profile.authority.code),
      notice: request.query.saved === undefined ? undefined : 'The council’s page is saved.',
    });
  });

  async function profileForm(reply: FastifyReply, laCode: string, values: { statement: string; planId: string | null }, errors: { text: string; href: string }[] = []) {
    const authority = networkAuthority(laCode)!;
    const plans = await councilPlans(db, authority.code, isoDateIn(new Date()));
    return reply.code(errors.length > 0 ? 400 : 200).view('network/profile-form.njk', {
      pageTitle: `What ${authority.name} works on`,
      breadcrumbs: [
        { text: 'The network', href: '/network' },
        { text: authority.name, href: `/network/authorities/${authority.code}` },
      ],
      authority,
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      planItems: [
        { value: '', text: 'None: do not publish a plan', checked: values.planId === null },
        ...plans.map((plan) => ({ value: plan.id, text: plan.title, hint: { text: `${plan.periodStart} to ${plan.periodEnd}` }, checked: values.planId === plan.id })),
      ],
    });
  }

  app.get<{ Params: { code: string } }>('/network/authorities/:code/profile', { schema: hidden, config: signedIn }, async (request, reply) => {
    const authority = networkAuthority(request.params.code);
    if (authority === undefined) return notFound(reply);
    if (!mayEditProfile(request.viewer, authority.code)) return reply.code(403).view('error.njk', { pageTitle: 'You cannot change this page', title: 'You cannot change this page', message: `Only members of ${authority.name} council who write its plans change what its page says.` });
    const profile = await councilProfile(db, authority.code);
    return profileForm(reply, authority.code, { statement: profile?.statement ?? '', planId: profile?.publishedPlan?.id ?? null });
  });

  app.post<{ Params: { code: string }; Body: { statement?: string; plan?: string } | undefined }>('/network/authorities/:code/profile', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer;
    const authority = networkAuthority(request.params.code);
    if (authority === undefined || !viewer.signedIn) return notFound(reply);
    if (!mayEditProfile(viewer, authority.code)) {
      await appendAudit(db, { action: 'network-profile.save', outcome: 'denied', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: authority.code, ip: request.ip });
      return reply.code(403).view('error.njk', { pageTitle: 'You cannot change this page', title: 'You cannot change this page', message: `Only members of ${authority.name} council who write its plans change what its page says.` });
    }
    const values = { statement: String(request.body?.statement ?? ''), planId: request.body?.plan ? String(request.body.plan) : null };
    try {
      await saveProfile(db, authority.code, values, viewer.displayName || viewer.email, isoDateIn(new Date()));
    } catch (error) {
      if (!(error instanceof ProfileRefused)) throw error;
      const href = error.message.startsWith('Write the statement') ? '#statement' : '#plan';
      return profileForm(reply, authority.code, values, [{ text: error.message, href }]);
    }
    await appendAudit(db, { action: 'network-profile.save', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: authority.code, ip: request.ip, details: { publishedPlanId: values.planId } });
    return reply.redirect(`/network/authorities/${authority.code}?saved=1`, 303);
  });

  async function contactForm(reply: FastifyReply, viewer: Viewer, values: { authority: string; jobTitle: string }, errors: { text: string; href: string }[] = [], notice?: string) {
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    const listing = await contactListing(db, viewer.userId);
    return reply.code(errors.length > 0 ? 400 : 200).view('network/contact.njk', {
      pageTitle: 'Be listed as a contact',
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      listing: listing === undefined ? undefined : { ...listing, authorityName: networkAuthority(listing.laCode)?.name ?? listing.laCode },
      authorities: authoritiesOf(viewer),
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      notice,
    });
  }

  app.get<{ Querystring: { saved?: string } }>('/network/contact', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer;
    const listing = viewer.signedIn ? await contactListing(db, viewer.userId) : undefined;
    const notice = request.query.saved === 'listed' ? 'You are listed as a contact.' : request.query.saved === 'removed' ? 'You are no longer listed as a contact.' : undefined;
    return contactForm(reply, viewer, { authority: listing?.laCode ?? authoritiesOf(viewer)[0]?.code ?? '', jobTitle: listing?.jobTitle ?? '' }, [], notice);
  });

  app.post<{ Body: { authority?: string; jobTitle?: string; remove?: string } | undefined }>('/network/contact', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer.signedIn) return reply.redirect('/sign-in', 303);
    if (request.body?.remove !== undefined) {
      await unlistContact(db, viewer.userId);
      return reply.redirect('/network/contact?saved=removed', 303);
    }
    const values = { authority: String(request.body?.authority ?? ''), jobTitle: String(request.body?.jobTitle ?? '') };
    if (!authoritiesOf(viewer).some((authority) => authority.code === values.authority)) {
      return contactForm(reply, viewer, values, [{ text: 'Choose the authority you work in or with.', href: '#authority' }]);
    }
    try {
      await listContact(db, viewer.userId, values.authority, values.jobTitle);
    } catch (error) {
      if (!(error instanceof ProfileRefused)) throw error;
      return contactForm(reply, viewer, values, [{ text: error.message, href: '#jobTitle' }]);
    }
    return reply.redirect('/network/contact?saved=listed', 303);
  });
}
