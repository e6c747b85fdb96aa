import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { sentWithNextStatement } from '../db/pipelining-client.js';
import type { Schema } from '../db/schema.js';

const gssCode = /^E\d{8}$/;
/** One child within an authority, `E08000035:<pseudonym>`: a handover or a break-the-glass access reaching past the usual reach. */
const childKeyPair = /^E\d{8}:[0-9a-f]{64}$/;

/** Child-level reach in one authority: all its children, or only the pupils of some of its settings. */
export interface ScopedChildReach {
  laCode: string;
  settingUrns: readonly number[] | 'all';
}

/**
 * The `ntg.child_reach` setting the child-record policy reads: `E09000007` for a whole authority,
 * `E09000007:100001` for one setting's pupils *whose records belong to that authority*. Pairs, not
 * a list of authorities times a list of settings, so a setting grant never reaches a record owned
 * by another authority whatever URN it carries.
 */
function childReachSetting(laCodes: readonly string[], options: { settingUrns?: readonly number[]; childReach?: readonly ScopedChildReach[] }): string {
  const urnsOf = (urns: readonly number[]) => urns.filter((urn) => Number.isInteger(urn));
  const reach: readonly ScopedChildReach[] =
    options.childReach ?? laCodes.map((laCode) => ({ laCode, settingUrns: options.settingUrns !== undefined && options.settingUrns.length > 0 ? options.settingUrns : 'all' }));
  return reach
    .filter((entry) => gssCode.test(entry.laCode) && laCodes.includes(entry.laCode))
    .flatMap((entry) => (entry.settingUrns === 'all' ? [entry.laCode] : urnsOf(entry.settingUrns).map((urn) => `${entry.laCode}:${urn}`)))
    .join(',');
}

/**
 * Runs `work` in a transaction that PostgreSQL itself limits to the given authorities: the role
 * switches to `ntg_scoped`, whose row-level security policies return only rows whose `la_code` is
 * one of `laCodes`. For child records the reach can be narrower: `childReach` names, per authority,
 * all of it or some of its settings (`settingUrns` is the older shorthand: those settings in every
 * one of `laCodes`). `childKeys` adds single children (`E08000035:<pseudonym>`) in those authorities,
 * reached by a handover or a break-the-glass access. The switches are `local`, so they end with the transaction.
 * `genericPlans` has a statement prepared on the connection planned once for any values, not on every
 * run: for a statement read very often whose best plan does not depend on its values.
 */
export async function withAuthorityScope<T>(
  db: Kysely<Schema>,
  laCodes: readonly string[],
  work: (scoped: Transaction<Schema>) => Promise<T>,
  options: { settingUrns?: readonly number[]; childReach?: readonly ScopedChildReach[]; childKeys?: readonly string[]; genericPlans?: boolean } = {},
): Promise<T> {
  const codes = laCodes.filter((code) => gssCode.test(code));
  const childReach = childReachSetting(codes, options);
  const childKeys = (options.childKeys ?? []).filter((entry) => childKeyPair.test(entry) && codes.includes(entry.slice(0, 9))).join(',');
  return db.transaction().execute(async (transaction) => {
    // One statement for the role and the settings (set_config('role', …, true) is `set local role`),
    // written to PostgreSQL with `begin` and the first statement of `work` (src/db/pipelining-client.ts).
    await sql`${sql.raw(sentWithNextStatement)}select set_config('role', 'ntg_scoped', true), set_config('ntg.la_codes', ${codes.join(',')}, true), set_config('ntg.child_reach', ${childReach}, true), set_config('ntg.child_keys', ${childKeys}, true),
                     set_config('plan_cache_mode', ${options.genericPlans === true ? 'force_generic_plan' : 'auto'}, true)`.execute(transaction);
    return work(transaction);
  });
}
