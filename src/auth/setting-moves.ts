import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { appendAuditForAuthorities } from './admin-audit.js';
import type { Viewer } from './gate.js';
import { authorityName, managedAuthorities } from './settings-admin.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/**
 * Moving a setting from one authority to another. A setting belongs to the authority that registered
 * it: the roles held in it, and so who its staff are, are that authority's to manage. A move therefore
 * needs both authorities: one asks, the other confirms. The platform's administrators (and someone
 * who administers both authorities) move a setting at once. Every step is audited to both.
 */
export class SettingMoveError extends Error {
  constructor(
    readonly field: 'urn' | 'la_code' | 'move',
    message: string,
    /** 404 for a move the viewer may not see, 403 for one they see but may not decide. */
    readonly status: 400 | 403 | 404 = 400,
  ) {
    super(message);
    this.name = 'SettingMoveError';
  }
}

const manages = (reach: 'england' | string[], laCode: string) => reach === 'england' || reach.includes(laCode);

async function moveNow(db: Kysely<Schema>, organisationId: string, from: string, to: string): Promise<boolean> {
  const moved = await db.updateTable('organisation').set({ la_code: to }).where('id', '=', organisationId).where('la_code', '=', from).where('kind', '=', 'setting').executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/**
 * Asks to move the setting with this URN to another authority, or moves it at once when the viewer
 * may act for both sides. Returns whether it moved now.
 */
export async function requestSettingMove(db: Kysely<Schema>, viewer: SignedIn, request: { urn: string; laCode: string }, ip: string): Promise<{ moved: boolean }> {
  const urn = request.urn.trim();
  const to = request.laCode.trim().toUpperCase();
  if (!/^\d{6}$/.test(urn)) throw new SettingMoveError('urn', 'Enter the setting’s six-digit URN');
  if (!/^E(06|08|09|10)\d{6}$/.test(to) || localAuthorityByGss(to)?.validTo !== null) throw new SettingMoveError('la_code', 'Choose the authority the setting moves to');
  const reach = managedAuthorities(viewer);
  const setting = await db.selectFrom('organisation').select(['id', 'name', 'la_code']).where('kind', '=', 'setting').where('urn', '=', urn).executeTakeFirst();
  const from = setting?.la_code ?? null;
  // A setting neither side of which the viewer manages is answered as unknown, like any other authority's record.
  if (setting === undefined || from === null || (!manages(reach, from) && !manages(reach, to))) throw new SettingMoveError('urn', `No setting you may move has URN ${urn}`);
  if (from === to) throw new SettingMoveError('la_code', `URN ${urn} is already registered to ${authorityName(to)}`);
  const actor = { actorUserId: viewer.userId, actorEmail: viewer.email, ip, organisationId: setting.id, target: `urn:${urn}` };
  if (manages(reach, from) && manages(reach, to)) {
    if (!(await moveNow(db, setting.id, from, to))) throw new SettingMoveError('urn', `URN ${urn} changed while you were moving it: try again`);
    await db.updateTable('setting_move').set({ decided_at: new Date(), decided_by: viewer.userId, outcome: 'withdrawn' }).where('organisation_id', '=', setting.id).where('decided_at', 'is', null).execute();
    await appendAuditForAuthorities(db, { action: 'setting-moved', outcome: 'success', ...actor, details: { from, to, name: setting.name } }, [from, to]);
    return { moved: true };
  }
  const side = manages(reach, from) ? from : to;
  const inserted = await db
    .insertInto('setting_move')
    .values({ organisation_id: setting.id, from_la_code: from, to_la_code: to, requested_by: viewer.userId, requested_by_email: viewer.email, requested_for_la_code: side })
    .onConflict((conflict) => conflict.column('organisation_id').where('decided_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) throw new SettingMoveError('urn', `A move of URN ${urn} is already waiting for confirmation`);
  await appendAuditForAuthorities(db, { action: 'setting-move-requested', outcome: 'success', ...actor, details: { from, to, name: setting.name, move: inserted.id } }, [from, to]);
  return { moved: false };
}

export interface PendingSettingMove {
  id: string;
  urn: string | null;
  name: string;
  from: string;
  fromName: string;
  to: string;
  toName: string;
  requestedByEmail: string;
  requestedAt: Date;
  /** What this viewer may do with it: confirm or decline (the other side), or withdraw (the side that asked). */
  mayConfirm: boolean;
  mayWithdraw: boolean;
}

/** Moves waiting for a decision that concern an authority the viewer manages. */
export async function pendingSettingMoves(db: Kysely<Schema>, viewer: SignedIn): Promise<PendingSettingMove[]> {
  const reach = managedAuthorities(viewer);
  if (reach !== 'england' && reach.length === 0) return [];
  const rows = await db
    .selectFrom('setting_move')
    .innerJoin('organisation', 'organisation.id', 'setting_move.organisation_id')
    .select(['setting_move.id', 'organisation.urn', 'organisation.name', 'from_la_code', 'to_la_code', 'requested_by_email', 'requested_at', 'requested_for_la_code'])
    .where('setting_move.decided_at', 'is', null)
    .$if(reach !== 'england', (query) => query.where((eb) => eb.or([eb('from_la_code', 'in', reach as string[]), eb('to_la_code', 'in', reach as string[])])))
    .orderBy('requested_at')
    .execute();
  return rows.map((row) => {
    const otherSide = row.requested_for_la_code === row.from_la_code ? row.to_la_code : row.from_la_code;
    return {
      id: row.id,
      urn: row.urn,
      name: row.name,
      from: row.from_la_code,
      fromName: authorityName(row.from_la_code),
      to: row.to_la_code,
      toName: authorityName(row.to_la_code),
      requestedByEmail: row.requested_by_email,
      requestedAt: row.requested_at,
      mayConfirm: manages(reach, otherSide),
      mayWithdraw: manages(reach, row.requested_for_la_code),
    };
  });
}

/** Confirms or declines a move (the other side, or the platform's administrators), or withdraws it (the side that asked). */
export async function decideSettingMove(db: Kysely<Schema>, viewer: SignedIn, moveId: string, decision: string, ip: string): Promise<'moved' | 'declined' | 'withdrawn'> {
  const move = /^[0-9a-f-]{36}$/.test(moveId) ? (await pendingSettingMoves(db, viewer)).find((candidate) => candidate.id === moveId) : undefined;
  if (move === undefined) throw new SettingMoveError('move', 'There is no such move waiting for you', 404);
  const outcome = decision === 'confirm' ? 'moved' : decision === 'decline' ? 'declined' : decision === 'withdraw' ? 'withdrawn' : undefined;
  if (outcome === undefined) throw new SettingMoveError('move', 'Choose to confirm, decline or withdraw the move');
  if ((outcome === 'withdrawn' && !move.mayWithdraw) || (outcome !== 'withdrawn' && !move.mayConfirm)) {
    const reason = outcome === 'withdrawn' ? 'Only the authority that asked can withdraw a move' : 'Only an administrator of the other authority, or the platform admin, can confirm or decline this move';
    throw new SettingMoveError('move', reason, 403);
  }
  await db.transaction().execute(async (transaction) => {
    const decided = await transaction
      .updateTable('setting_move')
      .set({ decided_at: new Date(), decided_by: viewer.userId, outcome })
      .where('id', '=', move.id)
      .where('decided_at', 'is', null)
      .executeTakeFirst();
    if (Number(decided.numUpdatedRows) !== 1) throw new SettingMoveError('move', 'This move has already been decided');
    const organisation = await transaction.selectFrom('setting_move').select('organisation_id').where('id', '=', move.id).executeTakeFirstOrThrow();
    if (outcome === 'moved' && !(await moveNow(transaction, organisation.organisation_id, move.from, move.to))) {
      throw new SettingMoveError('move', `URN ${move.urn ?? ''} is no longer registered to ${move.fromName}: the move cannot go ahead`);
    }
  });
  const action = outcome === 'moved' ? 'setting-moved' : outcome === 'declined' ? 'setting-move-declined' : 'setting-move-withdrawn';
  await appendAuditForAuthorities(
    db,
    { action, outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, ip, target: `urn:${move.urn ?? ''}`, details: { from: move.from, to: move.to, name: move.name, move: move.id, requestedBy: move.requestedByEmail } },
    [move.from, move.to],
  );
  return outcome;
}
