/**
 * Work lists that get worked: what a practitioner or setting leader did about a listed child, and when
 * to look again. Nothing here edits the loaded records, which stay the record of the source systems;
 * the next load shows whether the gap closed.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { withAuthorityScope } from '../auth/scope.js';
import type { Schema } from '../db/schema.js';
import { factsOf, recordFieldNames } from './child-facts.js';
import type { RecordFields } from './child-facts.js';
import { isChildRef } from './child-records.js';
import type { ChildReach } from './reach.js';
import { rulesFor } from './rules-store.js';
import { unseenLists, unseenReasons } from './unseen-rules.js';
import type { UnseenList } from './unseen-rules.js';

export const followUpActions = [
  'trusted-adult-identified',
  'lead-professional-assigned',
  'early-help-referral',
  'team-around-child-convened',
  'pep-requested',
  'handover-meeting-held',
  'record-corrected-at-source',
  'reviewed-no-action',
  'other',
] as const;
export type FollowUpAction = (typeof followUpActions)[number];

export const followUpActionText: Readonly<Record<FollowUpAction, string>> = {
  'trusted-adult-identified': 'Trusted adult identified',
  'lead-professional-assigned': 'Lead professional assigned',
  'early-help-referral': 'Referred to early help',
  'team-around-child-convened': 'Team around the child convened',
  'pep-requested': 'Personal education plan requested from the virtual school',
  'handover-meeting-held': 'Handover meeting held',
  'record-corrected-at-source': 'Record wrong: being corrected in the source system',
  'reviewed-no-action': 'Reviewed: no further action needed',
  other: 'Something else (said in the note)',
};

export interface FollowUpInput {
  laCode: string;
  childRef: string;
  year: number;
  list: string;
  action: string;
  note: string;
  /** ISO date to look at the child again, or empty. */
  followUpOn: string;
}

/** A follow-up refused: the field at fault (for the form's error summary) and why, in words. */
export class FollowUpRefused extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    readonly field: 'list' | 'action' | 'note' | 'followUpOn' | 'child',
    message: string,
  ) {
    super(message);
    this.name = 'FollowUpRefused';
  }
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function checkInput(input: FollowUpInput, today: string): { list: UnseenList; action: FollowUpAction; note: string; followUpOn: string | null } {
  if (!(unseenLists as readonly string[]).includes(input.list)) throw new FollowUpRefused(400, 'list', 'Choose the list the child is on.');
  if (!(followUpActions as readonly string[]).includes(input.action)) throw new FollowUpRefused(400, 'action', 'Choose what was done.');
  const note = input.note.trim();
  if (note.length > 2000) throw new FollowUpRefused(400, 'note', 'The note must be 2,000 characters or fewer.');
  if (input.action === 'other' && note === '') throw new FollowUpRefused(400, 'note', 'Say in the note what was done.');
  const followUpOn = input.followUpOn.trim();
  if (followUpOn === '') return { list: input.list as UnseenList, action: input.action as FollowUpAction, note, followUpOn: null };
  if (!isoDate.test(followUpOn) || Number.isNaN(Date.parse(`${followUpOn}T00:00:00Z`)) || new Date(`${followUpOn}T00:00:00Z`).toISOString().slice(0, 10) !== followUpOn) {
    throw new FollowUpRefused(400, 'followUpOn', 'Enter the follow-up date as a real date, for example 2025-03-14.');
  }
  if (followUpOn < today) throw new FollowUpRefused(400, 'followUpOn', 'The follow-up date must be today or later.');
  return { list: input.list as UnseenList, action: input.action as FollowUpAction, note, followUpOn };
}

/** The child's record for the year, read within the reach (row-level security included), or undefined. */
export async function recordInReach(db: Kysely<Schema>, reach: ChildReach, childRef: string, year: number): Promise<(RecordFields & { setting_urn: number | null }) | undefined> {
  if (!isChildRef(childRef)) return undefined;
  return withAuthorityScope(
    db,
    [reach.laCode],
    async (reader) =>
      (
        await sql<RecordFields & { setting_urn: number | null }>`
          select r.setting_urn, ${sql.raw(recordFieldNames.map((name) => `r.${name}`).join(', '))}
            from child_record r
            join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
           where r.la_code = ${reach.laCode} and r.academic_year = ${year} and r.child_key = ${childRef}
             ${reach.settingUrns === 'all' ? sql`` : sql`and r.setting_urn = any(${reach.settingUrns.length > 0 ? [...reach.settingUrns] : [-1]}::integer[])`}`.execute(reader)
      ).rows[0],
    { childReach: [reach] },
  );
}

/**
 * Records what was done about a child on a list. Refused (and audited as denied) for a child out of
 * reach or not on that list; refused for a form that makes no sense.
 */
export async function recordFollowUp(db: Kysely<Schema>, viewer: Extract<Viewer, { signedIn: true }>, reach: ChildReach | undefined, input: FollowUpInput, context: { today: string; ip: string }): Promise<void> {
  const deny = async (reason: string) => {
    await appendAudit(db, {
      action: 'child-follow-up.recorded',
      outcome: 'denied',
      actorUserId: viewer.userId,
      actorEmail: viewer.email,
      laCode: input.laCode,
      target: isChildRef(input.childRef) ? `child:${input.childRef}` : 'child:(malformed reference)',
      ip: context.ip,
      details: { reason, list: input.list, year: input.year },
    });
    return new FollowUpRefused(404, 'child', 'There is no such child on your lists.');
  };
  const record = reach === undefined ? undefined : await recordInReach(db, reach, input.childRef, input.year);
  if (record === undefined || reach === undefined) throw await deny('child out of reach');
  const checked = checkInput(input, context.today);
  const rules = await rulesFor(db, input.laCode);
  const onList = unseenReasons(factsOf(record), rules, 1).some((reason) => reason.list === checked.list);
  if (!onList) throw await deny('child not on the list');
  await db
    .insertInto('child_follow_up')
    .values({
      la_code: input.laCode,
      child_key: input.childRef,
      academic_year: input.year,
      list: checked.list,
      action: checked.action,
      note: checked.note,
      follow_up_on: checked.followUpOn,
      recorded_by: viewer.userId,
      recorded_by_label: viewer.displayName || viewer.email,
      setting_urn: record.setting_urn,
    })
    .execute();
  await appendAudit(db, {
    action: 'child-follow-up.recorded',
    outcome: 'success',
    actorUserId: viewer.userId,
    actorEmail: viewer.email,
    laCode: input.laCode,
    target: `child:${input.childRef}`,
    ip: context.ip,
    details: { list: checked.list, action: checked.action, year: input.year, followUpOn: checked.followUpOn },
  });
}

export interface FollowUpHistoryEntry {
  year: number;
  list: UnseenList;
  action: FollowUpAction;
  note: string;
  followUpOn: string | null;
  recordedAt: Date;
  recordedBy: string;
}

/** Everything recorded about a child in an authority, newest first. */
export async function followUpHistory(db: Kysely<Schema>, laCode: string, childRef: string): Promise<FollowUpHistoryEntry[]> {
  const rows = await db
    .selectFrom('child_follow_up')
    .select(['academic_year', 'list', 'action', 'note', sql<string | null>`follow_up_on::text`.as('follow_up_on'), 'recorded_at', 'recorded_by_label'])
    .where('la_code', '=', laCode)
    .where('child_key', '=', childRef)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({ year: row.academic_year, list: row.list as UnseenList, action: row.action as FollowUpAction, note: row.note, followUpOn: row.follow_up_on, recordedAt: row.recorded_at, recordedBy: row.recorded_by_label }));
}
