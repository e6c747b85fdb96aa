import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allLocalAuthorities, localAuthorityByGss } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { grantReaches } from '../auth/grant-reach.js';
import { scopeOf } from '../auth/permissions.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { PseudonymKeyMissingError, pseudonymKey, pseudonymiser } from '../ingest/pseudonym.js';
import { queryText } from '../web/query.js';
import { BreakGlassRefused, accessesInAuthority, activeAccesses, breakGlass, breakGlassMaxHours, endBreakGlass, markAccessesSeen, mayBreakGlass } from './break-glass.js';
import { isChildRef } from './child-records.js';
import { complexNeedsFlagLabels, complexNeedsFlags, describeRules, frameworkGroupCount, trackingRulesSchema } from './rules.js';
import type { TrackingRules } from './rules.js';
import { rulesFor, setRules } from './rules-store.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;
const hidden = { hide: true } as const;

const timeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

/** The authorities where the viewer holds a grant of an action. */
function authoritiesWhere(viewer: Viewer, action: 'child-records:break-glass' | 'imports:write' | 'users:manage') {
  if (!viewer.signedIn) return [];
  return allLocalAuthorities()
    .filter((la) => viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, action), { laCode: la.gss })))
    .map((la) => ({ code: la.gss, name: la.name }));
}

interface BreakGlassBody {
  la?: string;
  child?: string;
  reason?: string;
  hours?: string;
}

/**
 * Break the glass (a practitioner's time-limited access to one child, with its reason), the
 * administrators' view of those accesses, and an authority's rules for its work lists.
 */
export function registerAccessRoutes(app: FastifyInstance, database: Database, config: Config): void {
  const db = database.db;

  async function breakGlassForm(request: FastifyRequest, reply: FastifyReply, values: BreakGlassBody, errors?: { field: string; text: string }[]) {
    const viewer = request.viewer as SignedIn;
    const accesses = await activeAccesses(db, viewer.userId);
    return reply.code(errors === undefined ? 200 : 400).view('tracking/break-glass.njk', {
      pageTitle: 'Emergency access to a child’s records',
      breadcrumbs: [{ text: 'Children’s records', href: '/children' }],
      authorities: authoritiesWhere(request.viewer, 'child-records:break-glass'),
      values,
      maxHours: breakGlassMaxHours,
      accesses: accesses.map((access) => ({ ...access, authorityName: localAuthorityByGss(access.laCode)?.name ?? access.laCode, expiresText: timeFormat.format(access.expiresAt) })),
      errors: errors?.map((error) => ({ text: error.text, href: `#${error.field}` })),
      errorSummaryShown: errors !== undefined,
      errorFor: (field: string) => {
        const found = errors?.find((error) => error.field === field);
        return found === undefined ? undefined : { text: found.text };
      },
    });
  }

  app.get('/children/break-glass', { schema: hidden, config: { permission: 'child-records:break-glass' } }, (request, reply) => breakGlassForm(request, reply, { hours: '4' }));

  app.post<{ Body: BreakGlassBody }>('/children/break-glass', { schema: hidden, config: { permission: 'child-records:break-glass' } }, async (request, reply) => {
    const body = request.body ?? {};
    const laCode = (body.la ?? '').trim().toUpperCase();
    if (!mayBreakGlass(request.viewer, laCode)) return breakGlassForm(request, reply, body, [{ field: 'la', text: 'Choose an authority you may reach in an emergency.' }]);
    const given = (body.child ?? '').trim();
    if (given === '') return breakGlassForm(request, reply, body, [{ field: 'child', text: 'Enter the child’s pupil identifier (such as the UPN) or their reference in this service.' }]);
    // A reference from this service is used as it is; anything else is an identifier, pseudonymised as the import does.
    let childRef = given.toLowerCase();
    if (!isChildRef(childRef)) {
      try {
        childRef = pseudonymiser(await pseudonymKey(config))(given);
      } catch (error) {
        if (!(error instanceof PseudonymKeyMissingError)) throw error;
        return breakGlassForm(request, reply, body, [{ field: 'child', text: 'This service has no pseudonymisation key, so it cannot look a child up by identifier: enter the child’s reference instead.' }]);
      }
    }
    try {
      const access = await breakGlass(db, request.viewer as SignedIn, { laCode, childRef, reason: body.reason ?? '', hours: Number(body.hours ?? '') }, { ip: request.ip });
      return await reply.redirect(`/children/${access.childRef}`, 303);
    } catch (error) {
      if (!(error instanceof BreakGlassRefused)) throw error;
      return breakGlassForm(request, reply, body, [{ field: error.field, text: error.message }]);
    }
  });

  app.post<{ Params: { id: string } }>('/children/break-glass/:id/end', { schema: hidden, config: { permission: 'child-records:break-glass' } }, async (request, reply) => {
    await endBreakGlass(db, request.viewer as SignedIn, request.params.id, request.ip);
    return reply.redirect('/children/break-glass', 303);
  });

  app.get<{ Querystring: { la?: string } }>('/admin/break-glass', { schema: hidden, config: { permission: 'users:manage' } }, async (request, reply) => {
    const authorities = authoritiesWhere(request.viewer, 'users:manage');
    const laCode = queryText(request.query.la)?.trim().toUpperCase() || authorities[0]?.code;
    if (laCode === undefined || !authorities.some((authority) => authority.code === laCode)) return reply.code(404).view('404.njk');
    const accesses = await accessesInAuthority(db, laCode);
    return reply.view('tracking/break-glass-review.njk', {
      pageTitle: 'Emergency access to children’s records',
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      laCode,
      authorities,
      accesses: accesses.map((access) => ({ ...access, grantedText: timeFormat.format(access.grantedAt), expiresText: timeFormat.format(access.expiresAt) })),
      unseen: accesses.filter((access) => !access.seenByAdmin).length,
    });
  });

  app.post<{ Body: { la?: string } }>('/admin/break-glass/seen', { schema: hidden, config: { permission: 'users:manage' } }, async (request, reply) => {
    const laCode = (request.body?.la ?? '').trim().toUpperCase();
    if (!authoritiesWhere(request.viewer, 'users:manage').some((authority) => authority.code === laCode)) return reply.code(404).view('404.njk');
    await markAccessesSeen(db, request.viewer as SignedIn, laCode, request.ip);
    return reply.redirect(`/admin/break-glass?la=${laCode}`, 303);
  });

  interface RulesBody {
    la?: string;
    vulnerable_min_groups?: string;
    complex_flags?: string | string[];
    complex_min_groups?: string;
    moves_at_least?: string;
    handover_weeks?: string;
  }

  async function rulesForm(request: FastifyRequest, reply: FastifyReply, laCode: string, rules: TrackingRules, options: { errors?: { field: string; text: string }[]; saved?: boolean } = {}) {
    return reply.code(options.errors === undefined ? 200 : 400).view('tracking/rules.njk', {
      pageTitle: 'Rules for the work lists',
      breadcrumbs: [{ text: 'Children not yet seen', href: `/children/unseen?la=${laCode}` }],
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      laCode,
      rules,
      words: describeRules(rules),
      flags: complexNeedsFlags.map((flag) => ({ value: flag, text: `Is ${complexNeedsFlagLabels[flag]}`, checked: rules.complexNeeds.flags.includes(flag) })),
      groupCount: frameworkGroupCount,
      saved: options.saved === true,
      errors: options.errors?.map((error) => ({ text: error.text, href: `#${error.field}` })),
      errorSummaryShown: options.errors !== undefined,
      errorFor: (field: string) => {
        const found = options.errors?.find((error) => error.field === field);
        return found === undefined ? undefined : { text: found.text };
      },
    });
  }

  app.get<{ Querystring: { la?: string; saved?: string } }>('/children/rules', { schema: hidden, config: { permission: 'imports:write' } }, async (request, reply) => {
    const authorities = authoritiesWhere(request.viewer, 'imports:write');
    const laCode = queryText(request.query.la)?.trim().toUpperCase() || authorities[0]?.code;
    if (laCode === undefined || !authorities.some((authority) => authority.code === laCode)) return reply.code(404).view('404.njk');
    return rulesForm(request, reply, laCode, await rulesFor(db, laCode), { saved: request.query.saved === '1' });
  });

  app.post<{ Body: RulesBody }>('/children/rules', { schema: hidden, config: { permission: 'imports:write' } }, async (request, reply) => {
    const body = request.body ?? {};
    const laCode = (body.la ?? '').trim().toUpperCase();
    if (!authoritiesWhere(request.viewer, 'imports:write').some((authority) => authority.code === laCode)) return reply.code(404).view('404.njk');
    const flags = Array.isArray(body.complex_flags) ? body.complex_flags : body.complex_flags === undefined || body.complex_flags === '' ? [] : [body.complex_flags];
    const asked = {
      vulnerableMinGroups: Number(body.vulnerable_min_groups),
      complexNeeds: { flags, minGroups: Number(body.complex_min_groups) },
      movesAtLeast: Number(body.moves_at_least),
      handoverWeeks: Number(body.handover_weeks),
    };
    const parsed = trackingRulesSchema.safeParse(asked);
    if (!parsed.success) {
      const fieldOf: Record<string, [string, string]> = {
        vulnerableMinGroups: ['vulnerable_min_groups', `Give the number of framework groups that makes a child vulnerable, from 1 to ${frameworkGroupCount}.`],
        complexNeeds: ['complex_min_groups', `Give the number of groups that makes needs complex, from 0 (group count alone never does) to ${frameworkGroupCount}.`],
        movesAtLeast: ['moves_at_least', 'Give the number of moves, from 1 to 20.'],
        handoverWeeks: ['handover_weeks', 'Give the number of weeks, from 1 to 26.'],
      };
      const errors = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].map((name) => ({ field: fieldOf[name]![0], text: fieldOf[name]![1] }));
      return rulesForm(request, reply, laCode, { ...(await rulesFor(db, laCode)), ...asked } as TrackingRules, { errors });
    }
    const viewer = request.viewer as SignedIn;
    await setRules(database, laCode, parsed.data, { userId: viewer.userId, label: viewer.email, ip: request.ip });
    return reply.redirect(`/children/rules?la=${laCode}&saved=1`, 303);
  });
}
