import type { Kysely } from 'kysely';
import { markAggregatesRevised } from '../aggregates/derived-sums.js';
import { appendAudit } from '../auth/audit.js';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { computeDerivedIndicators } from './derived.js';
import { rulesFromStored, trackingRulesSchema } from './rules.js';
import type { TrackingRules } from './rules.js';

/** The authority's rules for its work lists and coverage indicators, or the defaults when it has set none. */
export async function rulesFor(db: Kysely<Schema>, laCode: string): Promise<TrackingRules> {
  const row = await db.selectFrom('tracking_rules').select('rules').where('la_code', '=', laCode).executeTakeFirst();
  return rulesFromStored(row?.rules);
}

/**
 * Sets an authority's rules and works its coverage and progress indicators out again for every year
 * it holds, in one transaction, so no reader sees the new rules with the old figures. Audited.
 */
export async function setRules(database: Database, laCode: string, rules: TrackingRules, author: { userId: string | null; label: string; ip?: string | null }): Promise<void> {
  const checked = trackingRulesSchema.parse(rules);
  await database.bulkTransaction(async (session) => {
    await session.query(
      `insert into tracking_rules (la_code, rules, updated_at, updated_by, updated_by_label) values ($1, $2::jsonb, now(), $3, $4)
       on conflict (la_code) do update set rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by, updated_by_label = excluded.updated_by_label`,
      [laCode, JSON.stringify(checked), author.userId, author.label],
    );
    await computeDerivedIndicators(session, laCode, 'all');
    await markAggregatesRevised(session, laCode);
  });
  await appendAudit(database.db, { action: 'tracking-rules.changed', outcome: 'success', actorUserId: author.userId, actorEmail: author.label, laCode, ip: author.ip ?? null, details: { rules: checked } });
}
