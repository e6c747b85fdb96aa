import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Published statistics have an owner. A statistics batch (import_batch, kind 'statistics') with no
 * authority (`la_code` null) holds the national files every authority's England, region and
 * other-authority comparators read: loaded by the national team or the operator. One with an
 * authority is that authority's own file, read only where the authority chooses it.
 *
 * Until now anyone who could load data loaded national files, and an authority's forged file moved
 * every authority's England comparator. Every statistics file loaded through the web so far was
 * loaded by an authority's analyst (no other role could): each becomes the uploading authority's own
 * file, so none of them is a national figure any more. The organisation recorded with the batch names
 * the authority; failing that, the authority of the uploader's analyst role. Files loaded from the
 * command line (no account) stay national.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update import_batch b set la_code = o.la_code
    from organisation o
    where b.kind = 'statistics' and b.la_code is null and b.uploaded_by is not null
      and o.id = b.organisation_id and o.la_code is not null`.execute(db);
  await sql`
    update import_batch b set la_code = (
      select min(o.la_code) from membership m join organisation o on o.id = m.organisation_id
      where m.user_id = b.uploaded_by and m.role = 'analyst' and o.la_code is not null)
    where b.kind = 'statistics' and b.la_code is null and b.uploaded_by is not null`.execute(db);
  // Anything left (an uploader with no authority at all) is kept but taken out of the national figures.
  await sql`
    update import_batch set la_code = 'unowned'
    where kind = 'statistics' and la_code is null and uploaded_by is not null`.execute(db);
}
