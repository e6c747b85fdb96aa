import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Published indicators whose values are categories in words ("large", "medium"), which EES keeps as
 * published: the words are stored here, with status 'text' and no number.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table statistics_observation add column text_value text`.execute(db);
  // The status of 0007 with 'text' added (the column's own check, named by PostgreSQL).
  await sql`alter table statistics_observation drop constraint statistics_observation_status_check`.execute(db);
  await sql`alter table statistics_observation add constraint statistics_observation_status_check check (status in ('value', 'text', 'c', 'x', 'z', 'low', 'k', 'u', ':', '~'))`.execute(db);
  await sql`alter table statistics_observation add constraint statistics_observation_text_value_check check ((status = 'text') = (text_value is not null))`.execute(db);
}
