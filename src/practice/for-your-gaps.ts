/**
 * Reading what "practice for your gaps" matches against: the authority's curves to turn (from
 * gaps/), its weakest self-assessment ratings (from assessment/), and the published items that
 * could serve either (practice's own table).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { levelLabel } from '../assessment/scale.js';
import type { AssessmentService } from '../assessment/service.js';
import { scopeDescription } from '../assessment/scope.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { curvesFor } from '../gaps/service.js';
import type { CandidateItem, GapToClose, WeakRating } from './matching.js';
import type { PracticeGrade } from './tables.js';

/** How many of the authority's curves to turn are matched: the most urgent, not the whole list. */
export const gapsMatched = 10;

/** The most urgent gaps the group does worse on, significant or widening. */
export async function gapsToClose(db: Kysely<Schema>, viewer: Viewer, laCode: string): Promise<{ year: string | null; gaps: GapToClose[] }> {
  const answer = await curvesFor(db, { laCode, suppress: !seesSmallNumbers(viewer, { laCode }) });
  // Ranked curves are already only the gaps where the group does worse (see rankCurves).
  const urgent = answer.curves.filter((curve) => curve.significant === true || curve.trend === 'widening').slice(0, gapsMatched);
  return {
    year: answer.curves[0]?.year ?? null,
    gaps: urgent.map((curve) => ({
      group: curve.group,
      groupLabel: curve.group_label,
      outcome: curve.outcome,
      indicatorLabel: curve.indicator_label,
      rank: curve.rank,
      trend: curve.trend,
      significant: curve.significant,
    })),
  };
}

/** Statements the authority's own latest assessments rated "not yet in place" or "developing". */
export async function weakestRatings(assessments: AssessmentService, viewer: Viewer, laCode: string): Promise<WeakRating[]> {
  const summaries = (await assessments.list(viewer)).filter((summary) => summary.laCode === laCode && summary.organisationKind === 'local-authority');
  const latestByScope = new Map<string, (typeof summaries)[number]>();
  for (const summary of summaries) if (!latestByScope.has(summary.scope)) latestByScope.set(summary.scope, summary);
  const weak: WeakRating[] = [];
  for (const summary of latestByScope.values()) {
    const assessment = await assessments.get(viewer, summary.id);
    if (!('ratings' in assessment)) continue;
    const texts = new Map(assessment.statements.map((statement) => [statement.id, statement.text]));
    for (const rating of assessment.ratings) {
      if (rating.level !== 1 && rating.level !== 2) continue;
      const thread = /^GT\d{2}/.exec(rating.statementId)?.[0] ?? null;
      weak.push({ statementId: rating.statementId, thread, text: texts.get(rating.statementId) ?? rating.statementId, level: rating.level, levelLabel: levelLabel(rating.level), assessment: `${scopeDescription(summary.scope).label}, ${summary.period}` });
    }
  }
  return weak;
}

/** Published items that serve any of the groups, statements or threads: the only ones that can match. */
export async function candidateItems(db: Kysely<Schema>, groups: readonly string[], statements: readonly string[], threads: readonly string[]): Promise<CandidateItem[]> {
  if (groups.length === 0 && statements.length === 0 && threads.length === 0) return [];
  const textArray = (values: readonly string[]) => sql<string[]>`${[...values]}::text[]`;
  const rows = await db
    .selectFrom('practice_item')
    .select(['id', 'reference', 'title', 'grade', 'evidence_strength', 'impact_months', 'groups', 'outcomes', 'threads', 'statements'])
    .where('status', '=', 'published')
    .where((eb) =>
      eb.or([
        eb(sql.ref('groups'), '&&', textArray(groups)),
        eb(sql.ref('statements'), '&&', textArray(statements)),
        eb(sql.ref('threads'), '&&', textArray(threads)),
      ]),
    )
    .limit(2_000)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    title: row.title,
    grade: row.grade as PracticeGrade,
    evidenceStrength: row.evidence_strength ?? 1,
    impactMonths: row.impact_months === null ? null : Number(row.impact_months),
    groups: row.groups,
    outcomes: row.outcomes,
    threads: row.threads,
    statements: row.statements,
  }));
}
