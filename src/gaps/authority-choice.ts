import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { authoritiesWithChildData } from '../ingest/data-summary.js';
import type { AuthorityInReach, AuthorityRefusal } from './reach.js';
import { authoritiesInReach, authorityNamed, isAuthorityRefusal } from './reach.js';

/** The authorities a gaps page offers, and the one it shows. */
export interface AuthorityChoice {
  /** Every authority in the viewer's reach, for the picker (see authoritiesInReach). */
  authorities: AuthorityInReach[];
  /** The authority shown, if it has data; undefined when it has none (or the viewer reaches none). */
  laCode: string | undefined;
  /** The authority asked for (or chosen by default), with or without data. */
  chosen: AuthorityInReach | undefined;
}

/**
 * The authority a gaps page shows: the one its address names (`la`), checked against the viewer's
 * reach, or by default their own authority with data, else the first in reach with data. An address
 * naming an unknown authority, or one out of reach, is refused in words: never another authority's
 * figures in its place.
 */
export async function chooseAuthority(db: Kysely<Schema>, viewer: Viewer, asked: unknown): Promise<AuthorityChoice | AuthorityRefusal> {
  const authorities = authoritiesInReach(viewer, await authoritiesWithChildData(db));
  if (asked !== undefined && typeof asked !== 'string') return { statusCode: 404, title: 'No such authority', message: 'The address names more than one authority: choose one.' };
  if (asked !== undefined && asked !== '') {
    const named = authorityNamed(viewer, asked);
    if (isAuthorityRefusal(named)) return named;
    const chosen = authorities.find((la) => la.code === named.laCode);
    return { authorities, chosen, laCode: chosen?.hasData ? chosen.code : undefined };
  }
  const chosen = authorities.find((la) => la.hasData) ?? authorities[0];
  return { authorities, chosen, laCode: chosen?.hasData ? chosen.code : undefined };
}

/** The refusal as a page: its status, and words saying what was wrong. */
export function refuseAuthority(reply: FastifyReply, refusal: AuthorityRefusal): FastifyReply {
  return reply.code(refusal.statusCode).view('error.njk', { pageTitle: refusal.title, title: refusal.title, message: refusal.message });
}

export { isAuthorityRefusal };
