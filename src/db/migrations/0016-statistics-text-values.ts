import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Published indicators whose values are categories in words ("large", "medium"), which EES keeps as
 * published: the words are stored here, with status 'text' and no number.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table statistics_observation add column text_value text`.execute(db);
  await sql`alter table statistics_observation add constraint statistics_observation_text_value_check check ((status = 'text') = (text_value is not null))`.execute(db);
}
