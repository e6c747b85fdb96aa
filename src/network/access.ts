/**
 * Who may see and do what in a community of interest: pure rules on the group's visibility and the
 * person's standing in it, so every page, the API and search ask the same questions.
 *
 * - Open: anyone signed in reads it and joins at once.
 * - Restricted: anyone sees that it exists and what it is for, and asks to join; only members read it.
 * - Hidden: only members, and people invited, know it exists; to anyone else it is not there at all
 *   (a 404, never a 403, so its existence does not leak).
 * Signed out, one sees the names and purposes of open and restricted groups, nothing inside.
 */
import type { Viewer } from '../auth/gate.js';
import { secondFactorOutstanding } from '../auth/gate.js';
import type { GroupVisibility, MemberRole, MemberState } from './tables.js';

export interface Standing {
  state: MemberState | null;
  role: MemberRole | null;
}

export interface GroupAccessInput {
  visibility: GroupVisibility;
}

export function isMember(standing: Standing): boolean {
  return standing.state === 'member';
}

/** Whether the group exists for this person at all. */
export function maySeeGroup(group: GroupAccessInput, standing: Standing): boolean {
  return group.visibility !== 'hidden' || standing.state !== null;
}

/** Whether they may read its discussions, documents, events and members. */
export function mayReadGroup(group: GroupAccessInput, standing: Standing, signedIn: boolean): boolean {
  if (isMember(standing)) return true;
  return group.visibility === 'open' && signedIn;
}

/** Posting, sharing documents, adding events and signing up: members only. */
export function mayTakePart(standing: Standing): boolean {
  return isMember(standing);
}

/** Hiding posts, deciding requests, inviting: the group's owners and moderators. */
export function mayModerate(standing: Standing): boolean {
  return isMember(standing) && (standing.role === 'owner' || standing.role === 'moderator');
}

/** What joining does for someone not yet a member: join at once, ask, accept an invitation, or nothing. */
export function joinOutcome(group: GroupAccessInput, standing: Standing): 'join' | 'request' | 'accept' | 'already' | 'pending' | 'refused' {
  if (standing.state === 'member') return 'already';
  if (standing.state === 'invited') return 'accept';
  if (standing.state === 'requested') return 'pending';
  if (group.visibility === 'open') return 'join';
  if (group.visibility === 'restricted') return 'request';
  return 'refused';
}

/**
 * Whose standing a public page reads: a signed-in person who has passed any second factor they
 * owe. Someone halfway through signing in reads the network as anyone signed out does.
 */
export function readerId(viewer: Viewer): string | null {
  return viewer.signedIn && !secondFactorOutstanding(viewer) ? viewer.userId : null;
}
