/**
 * Where an authority's assessment sits among its peers, in the few lines a board report has room
 * for: per section, on how many statements its level is above, level with or below the median of
 * the authorities in England whose distribution may be shown (at least five contributors).
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { organisationById } from '../auth/organisations.js';
import { peerDistributions, peerThreshold } from './peers.js';
import { sectionsOf } from './standing.js';
import type { ReportPeers } from './standing-routes.js';
import type { Assessment } from './store.js';

interface Tally {
  above: number;
  level: number;
  below: number;
  compared: number;
}

function tallyText(tally: Tally): string {
  if (tally.compared === 0) return 'No statement with enough peers to compare';
  return `Above the median on ${tally.above}, level with it on ${tally.level}, below it on ${tally.below} (of ${tally.compared} compared)`;
}

/** The report's peer section for a local authority's assessment; undefined for a setting's or a partner's. */
export async function peersForReport(db: Kysely<Schema>, assessment: Assessment): Promise<ReportPeers | undefined> {
  const organisation = await organisationById(db, assessment.organisationId);
  if (organisation?.kind !== 'local-authority') return undefined;
  const peers = await peerDistributions(db, assessment.scope, assessment.laCode);
  const levels = new Map(assessment.ratings.map((rating) => [rating.statementId, rating.notApplicable ? null : rating.level]));
  const total: Tally = { above: 0, level: 0, below: 0, compared: 0 };
  const rows = sectionsOf(assessment).map((section) => {
    const tally: Tally = { above: 0, level: 0, below: 0, compared: 0 };
    for (const statement of section.statements) {
      const own = levels.get(statement.id) ?? null;
      const median = peers.get(statement.id)?.england.median ?? null;
      if (own === null || median === null) continue;
      tally.compared += 1;
      if (own > median) tally.above += 1;
      else if (own < median) tally.below += 1;
      else tally.level += 1;
    }
    total.above += tally.above;
    total.level += tally.level;
    total.below += tally.below;
    total.compared += tally.compared;
    return { label: section.label, position: tallyText(tally) };
  });
  const contributors = Math.max(0, ...[...peers.values()].map((row) => row.england.contributors));
  const summary =
    total.compared === 0
      ? `Fewer than ${peerThreshold} authorities in England have signed off this assessment, so no comparison is shown.`
      : `Compared with the median signed-off rating of up to ${contributors} authorities in England (latest signed-off assessment of each; statements with fewer than ${peerThreshold} authorities are left out; authorities are never named): above the median on ${total.above} statements, level with it on ${total.level}, below it on ${total.below}.`;
  return { summary, rows, total };
}
