/**
 * Where moderation disagreed, for the board report: read from the moderation tables as the
 * moderation part writes them (see the common semantics: invited → rating → submitted → agreed).
 * Only a moderation whose blind ratings are submitted (or agreed) is shown, since before that the
 * organisation does not see the moderator's ratings either. The self-rating is never changed by
 * moderation; this only compares.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { levelLabel } from './scale.js';
import type { ReportModeration } from './standing-routes.js';
import type { Assessment } from './store.js';

function ratingText(level: number | null, notApplicable: boolean): string {
  if (notApplicable) return 'Not applicable';
  return level === null ? 'Not rated' : levelLabel(level);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** The latest submitted or agreed moderation of the assessment and where its ratings differ from the self-ratings; undefined when there is none. */
export async function moderationForReport(db: Kysely<Schema>, assessment: Assessment): Promise<ReportModeration | undefined> {
  const moderation = await db
    .selectFrom('assessment_moderation')
    .select(['id', 'moderator_label', 'moderator_organisation', 'status', 'submitted_at', 'agreed_at'])
    .where('la_code', '=', assessment.laCode)
    .where('assessment_id', '=', assessment.id)
    .where('status', 'in', ['submitted', 'agreed'])
    .orderBy('submitted_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (moderation === undefined) return undefined;
  const ratings = await db
    .selectFrom('assessment_moderation_rating')
    .select(['statement_id', 'level', 'not_applicable', 'comment', 'agreed_level', 'agreed_not_applicable', 'agreed_comment', 'agreed_at'])
    .where('la_code', '=', assessment.laCode)
    .where('moderation_id', '=', moderation.id)
    .execute();
  const selfRatings = new Map(assessment.ratings.map((rating) => [rating.statementId, rating]));
  const statements = new Map(assessment.statements.map((statement) => [statement.id, statement]));
  const moderated = ratings.filter((rating) => rating.level !== null || rating.not_applicable);
  const disagreements = moderated
    .filter((rating) => {
      const own = selfRatings.get(rating.statement_id);
      return own !== undefined && (own.level !== rating.level || own.notApplicable !== rating.not_applicable);
    })
    .map((rating) => {
      const own = selfRatings.get(rating.statement_id)!;
      const agreed = rating.agreed_at !== null;
      return {
        statementId: rating.statement_id,
        text: statements.get(rating.statement_id)?.text ?? rating.statement_id,
        position: statements.get(rating.statement_id)?.position ?? Number.MAX_SAFE_INTEGER,
        selfRating: ratingText(own.level, own.notApplicable),
        moderatorRating: ratingText(rating.level, rating.not_applicable),
        agreedRating: agreed ? ratingText(rating.agreed_level, rating.agreed_not_applicable) : 'Not agreed yet',
        comment: agreed && rating.agreed_comment !== '' ? rating.agreed_comment : rating.comment,
      };
    })
    .sort((a, b) => a.position - b.position)
    .map(({ position: _position, ...row }) => row);
  const when = moderation.agreed_at ?? moderation.submitted_at;
  const summary = [
    `Moderated by ${moderation.moderator_label} (${moderation.moderator_organisation})${when === null ? '' : `, ${moderation.status === 'agreed' ? 'ratings agreed' : 'ratings submitted'} ${dateFormat.format(when)}`}.`,
    `${disagreements.length} of the ${moderated.length} statements moderated were rated differently from the self-assessment${disagreements.length === 0 ? '.' : ':'}`,
  ].join(' ');
  return { summary, disagreements, compared: moderated.length };
}
