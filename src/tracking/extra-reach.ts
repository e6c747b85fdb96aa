import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { ChildReach } from './reach.js';

/**
 * Children the viewer may read past their usual reach: each through a break-the-glass access still
 * running. As reach entries naming no setting (so nothing else in the authority is reached) and as
 * `E08000035:<pseudonym>` pairs for row-level security.
 */
export async function extraChildKeysFor(db: Kysely<Schema>, viewer: Viewer): Promise<{ reach: ChildReach[]; childKeys: string[] }> {
  if (!viewer.signedIn) return { reach: [], childKeys: [] };
  const rows = await db
    .selectFrom('break_glass_access')
    .select(['la_code', 'child_key'])
    .where('user_id', '=', viewer.userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', new Date())
    .execute();
  const laCodes = [...new Set(rows.map((row) => row.la_code))];
  return { reach: laCodes.map((laCode) => ({ laCode, settingUrns: [] })), childKeys: rows.map((row) => `${row.la_code}:${row.child_key}`) };
}
