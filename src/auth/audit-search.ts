import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Viewer } from './gate.js';
import { scopeOf } from './permissions.js';
import { withAuthorityScope } from './scope.js';

export interface AuditFilter {
  action?: string | undefined;
  outcome?: string | undefined;
  /** Part of the actor's email address. */
  actor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditRow {
  seq: string;
  at: Date;
  actor_email: string | null;
  la_code: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
}

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** Where the viewer may read the log: everywhere, or the authorities they hold `audit:read` in. */
export function auditReach(viewer: SignedIn): 'england' | string[] {
  const scopes = viewer.memberships.map((membership) => ({ scope: scopeOf(membership.role, 'audit:read'), laCode: membership.laCode }));
  if (scopes.some((entry) => entry.scope === 'england')) return 'england';
  return scopes.filter((entry) => entry.scope === 'authority').flatMap((entry) => entry.laCode ?? []);
}

/**
 * The audit entries the viewer may read, newest first. An authority administrator's search runs
 * under row-level security for their authorities, as well as filtering by them itself.
 */
export async function searchAudit(db: Kysely<Schema>, viewer: SignedIn, filter: AuditFilter, page: { limit: number; offset: number }): Promise<{ total: number; rows: AuditRow[] }> {
  const reach = auditReach(viewer);
  const run = async (reader: Kysely<Schema>) => {
    let query = reader.selectFrom('audit_log');
    if (reach !== 'england') query = query.where('la_code', 'in', reach.length > 0 ? reach : ['-']);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.actor) query = query.where('actor_email', 'like', `%${filter.actor.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<', filter.to);
    const { total } = await query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
    const rows = await query
      .select(['seq', 'at', 'actor_email', 'la_code', 'action', 'target', 'outcome', 'ip', 'details'])
      .orderBy('seq', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return { total: Number(total), rows };
  };
  return reach === 'england' ? run(db) : withAuthorityScope(db, reach, run);
}
