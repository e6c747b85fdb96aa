/**
 * Who holds an action: for a capability that hands work to people (the national team assigning a
 * practice submission's reviewers), so that it never reads the account tables itself.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Action, Role } from './permissions.js';
import { roles, scopeOf } from './permissions.js';

export interface AccountHolder {
  userId: string;
  displayName: string;
  email: string;
}

/** Active accounts holding a role that grants the action (in any scope), by name. */
export async function activeAccountsHolding(db: Kysely<Schema>, action: Action): Promise<AccountHolder[]> {
  const granting: Role[] = roles.filter((role) => scopeOf(role, action) !== undefined);
  const rows = await db
    .selectFrom('user_account')
    .select(['user_account.id', 'user_account.display_name', 'user_account.email'])
    .where('user_account.status', '=', 'active')
    .where((eb) => eb.exists(eb.selectFrom('membership').select('membership.user_id').whereRef('membership.user_id', '=', 'user_account.id').where('membership.role', 'in', granting)))
    .orderBy('user_account.display_name')
    .orderBy('user_account.email')
    .execute();
  return rows.map((row) => ({ userId: row.id, displayName: row.display_name, email: row.email }));
}
