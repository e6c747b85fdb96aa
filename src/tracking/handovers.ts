/**
 * Handover at transition: a vulnerable child whose setting changed between two years (Year 6 to 7
 * above all) appears on the receiving setting's handover list with what the previous setting's record
 * said: group memberships, coordination and latest measures. The receiving leader confirms the
 * handover; one not confirmed within the authority's number of weeks is flagged as late.
 *
 * The receiving setting reads the child's previous record only through the handover: the query joins
 * each arriving child, in the reach, to that child's own previous record, never to the previous
 * setting's other pupils.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { settingNames } from '../auth/organisations.js';
import type { Schema } from '../db/schema.js';
import { coordinationCounts, coordinationFlags, measures } from '../ingest/child-standard.js';
import { groupCountSql } from './unseen-sql.js';
import { isChildRef } from './child-records.js';
import type { ChildReach } from './reach.js';
import { rulesFor } from './rules-store.js';
import { dimensions, memberIn, valueIn } from '../aggregates/signature.js';

const frameworkGroups = dimensions.filter((entry) => entry.kind === 'group');

export interface Handover {
  childRef: string;
  laCode: string;
  year: number;
  toSettingUrn: number;
  toSettingName: string | null;
  fromSettingUrn: number;
  fromSettingName: string | null;
  ncyBefore: number | null;
  ncyNow: number | null;
  /** Year 6 to Year 7: the move from primary to secondary school. */
  phaseTransfer: boolean;
  /** What the previous setting's record said. */
  groupsBefore: string[];
  coordinationBefore: Record<string, boolean | number | null>;
  measuresBefore: Record<string, number | boolean | null>;
  dueBy: string;
  late: boolean;
  confirmed: { by: string; at: Date; note: string } | null;
}

interface MoveRow {
  child_key: string;
  setting_urn: number;
  ncy: number | null;
  signature: string;
  since: Date;
}

type BeforeRow = Record<string, unknown> & { child_key: string; setting_urn: number | null; ncy: number | null; signature: string };

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The handovers into the settings of a reach (a whole authority's when the reach is all of it) for a
 * year: vulnerable children (in at least the rule's number of framework groups, in either year) whose
 * previous year's record in the authority names another setting.
 */
export async function handoversInto(db: Kysely<Schema>, reach: ChildReach, query: { year: number; settingUrns?: readonly number[] | undefined; today: string }): Promise<Handover[]> {
  const rules = await rulesFor(db, reach.laCode);
  const settingsFilter = (alias: string) => {
    const parts = [
      ...(reach.settingUrns === 'all' ? [] : [sql`${sql.ref(`${alias}.setting_urn`)} = any(${reach.settingUrns.length > 0 ? [...reach.settingUrns] : [-1]}::integer[])`]),
      ...(query.settingUrns === undefined ? [] : [sql`${sql.ref(`${alias}.setting_urn`)} = any(${[...query.settingUrns]}::integer[])`]),
    ];
    return parts.length === 0 ? sql`` : sql.join(parts.map((part) => sql`and ${part}`), sql` `);
  };
  // One join of the two years. The arriving side is limited to the reach; the previous side is the
  // one record of each arriving child the handover shows, read for that child only.
  const rows = (
    await sql<MoveRow & BeforeRow & { before_setting_urn: number; before_ncy: number | null; before_signature: string }>`
      select r.child_key, r.setting_urn, r.ncy, r.signature, c.since,
             p.setting_urn as before_setting_urn, p.ncy as before_ncy, p.signature as before_signature,
             ${sql.raw([...coordinationFlags, ...coordinationCounts, ...measures.map((measure) => measure.name)].map((name) => `p.${name}`).join(', '))}
        from child_record r
        join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
        join child_record p on p.la_code = r.la_code and p.academic_year = r.academic_year - 1 and p.child_key = r.child_key
        join child_year_batch pc on pc.la_code = p.la_code and pc.academic_year = p.academic_year and pc.batch_id = p.batch_id
       where r.la_code = ${reach.laCode} and r.academic_year = ${query.year} and r.setting_urn is not null ${settingsFilter('r')}
         and p.setting_urn is not null and p.setting_urn <> r.setting_urn
         and greatest(${sql.raw(groupCountSql('r'))}, ${sql.raw(groupCountSql('p'))}) >= ${rules.vulnerableMinGroups}`.execute(db)
  ).rows;
  const moves = rows.map((row) => {
    const then: BeforeRow & { setting_urn: number } = { ...row, setting_urn: row.before_setting_urn, ncy: row.before_ncy, signature: row.before_signature };
    return { now: row, then };
  });
  if (moves.length === 0) return [];
  const confirmations = await db
    .selectFrom('child_handover')
    .select(['child_key', 'to_setting_urn', 'confirmed_by_label', 'confirmed_at', 'note'])
    .where('la_code', '=', reach.laCode)
    .where('academic_year', '=', query.year)
    .where('child_key', 'in', moves.map((move) => move.now.child_key))
    .execute();
  const names = await settingNames(db, [...new Set(moves.flatMap((move) => [move.now.setting_urn, move.then.setting_urn]))]);
  const startOfYear = `${query.year}-09-01`;
  return moves
    .map(({ now, then }): Handover => {
      const loaded = now.since.toISOString().slice(0, 10);
      const dueBy = addDays(loaded > startOfYear ? loaded : startOfYear, rules.handoverWeeks * 7);
      const confirmation = confirmations.find((row) => row.child_key === now.child_key && row.to_setting_urn === now.setting_urn);
      const signature = Number(then.signature);
      return {
        childRef: now.child_key,
        laCode: reach.laCode,
        year: query.year,
        toSettingUrn: now.setting_urn,
        toSettingName: names.get(now.setting_urn)?.name ?? null,
        fromSettingUrn: then.setting_urn,
        fromSettingName: names.get(then.setting_urn)?.name ?? null,
        ncyBefore: then.ncy,
        ncyNow: now.ncy,
        phaseTransfer: then.ncy === 6 && now.ncy === 7,
        groupsBefore: frameworkGroups.filter((group) => valueIn(signature, group) === memberIn).map((group) => group.id),
        coordinationBefore: Object.fromEntries([...coordinationFlags, ...coordinationCounts].map((name) => [name, (then[name] ?? null) as boolean | number | null])),
        measuresBefore: Object.fromEntries(measures.flatMap((measure) => (then[measure.name] === null || then[measure.name] === undefined ? [] : [[measure.name, then[measure.name] as number | boolean]]))),
        dueBy,
        late: confirmation === undefined && query.today > dueBy,
        confirmed: confirmation === undefined ? null : { by: confirmation.confirmed_by_label, at: confirmation.confirmed_at, note: confirmation.note },
      };
    })
    .sort((a, b) => Number(a.confirmed !== null) - Number(b.confirmed !== null) || Number(b.late) - Number(a.late) || Number(b.phaseTransfer) - Number(a.phaseTransfer) || (a.toSettingName ?? '').localeCompare(b.toSettingName ?? '') || a.childRef.localeCompare(b.childRef));
}

export class HandoverRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoverRefused';
  }
}

/**
 * The receiving setting confirms it has the child's information. Refused, and audited as denied,
 * when the child is not on a handover list the viewer may see.
 */
export async function confirmHandover(
  db: Kysely<Schema>,
  viewer: Extract<Viewer, { signedIn: true }>,
  reach: ChildReach | undefined,
  input: { laCode: string; childRef: string; year: number; note: string },
  context: { today: string; ip: string },
): Promise<Handover> {
  const audit = (outcome: 'success' | 'denied', details: Record<string, unknown>) =>
    appendAudit(db, {
      action: 'child-handover.confirmed',
      outcome,
      actorUserId: viewer.userId,
      actorEmail: viewer.email,
      laCode: input.laCode,
      target: isChildRef(input.childRef) ? `child:${input.childRef}` : 'child:(malformed reference)',
      ip: context.ip,
      details,
    });
  const handover = reach === undefined || !isChildRef(input.childRef) ? undefined : (await handoversInto(db, reach, { year: input.year, today: context.today })).find((entry) => entry.childRef === input.childRef);
  if (handover === undefined) {
    await audit('denied', { reason: 'not on a handover list in reach', year: input.year });
    throw new HandoverRefused('There is no such child on your handover list.');
  }
  const note = input.note.trim().slice(0, 2000);
  await db
    .insertInto('child_handover')
    .values({ la_code: input.laCode, child_key: input.childRef, academic_year: input.year, to_setting_urn: handover.toSettingUrn, from_setting_urn: handover.fromSettingUrn, confirmed_by: viewer.userId, confirmed_by_label: viewer.displayName || viewer.email, note })
    .onConflict((conflict) => conflict.columns(['la_code', 'child_key', 'academic_year', 'to_setting_urn']).doNothing())
    .execute();
  await audit('success', { year: input.year, from: handover.fromSettingUrn, to: handover.toSettingUrn });
  return handover;
}
