import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * When each network post last changed (posted, or hidden by a moderator), so that an app server's
 * in-memory search index of posts can tell cheaply, on every search, whether it has missed a change
 * (src/network/post-index.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table network_post add column changed_at timestamptz not null default now()`.execute(db);
  await sql`update network_post set changed_at = coalesce(hidden_at, posted_at)`.execute(db);
  await sql`create index network_post_by_change on network_post (changed_at)`.execute(db);
}
