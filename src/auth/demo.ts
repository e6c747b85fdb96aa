import type { Kysely } from 'kysely';
import type { Setting } from '../areas/settings.js';
import type { Schema } from '../db/schema.js';
import { englandCode } from './organisations.js';
import { hashPassword } from './passwords.js';
import type { Role } from './permissions.js';
import { requiresSecondFactor, roles } from './permissions.js';
import { currentTotp } from './totp.js';

/** The authority the demo is set in (Leeds) and its region (Yorkshire and The Humber). */
export const demoAuthorityCode = 'E08000035';
export const demoRegionCode = 'E12000003';
export const demoPassword = 'demo only: narrowing the gap';
const demoSettingUrn = '999001';
/** The demo setting's name: a fictional school, as the demo authority's other settings are (src/demo/demo-settings.ts). */
export const demoSettingName = 'Chapel Fold Primary School';

/** A fixed, published secret: demo accounts are for trying the service, never for real data. */
export const demoTotpSecret = 'NTGDEMONTGDEMONTGDEMONTGDEMONTGD';

export interface DemoAccount {
  email: string;
  role: Role;
  organisation: string;
  /** The current one-time code, for accounts that need a second factor. */
  code: string | undefined;
}

function demoEmail(role: Role): string {
  return `${role}@demo.invalid`;
}

/**
 * Creates (or refreshes) one demo account per role: national roles in the national team, the
 * adviser in the demo region, the setting leader in a demo school, the rest in the demo authority.
 * Called only in demo mode.
 */
export async function seedDemoAccounts(db: Kysely<Schema>): Promise<void> {
  const setting = await db
    .insertInto('organisation')
    .values({ kind: 'setting', name: demoSettingName, urn: demoSettingUrn, la_code: demoAuthorityCode, area_code: null, setting_kind: 'school', phase: 'primary' })
    .onConflict((conflict) => conflict.column('urn').doUpdateSet({ name: demoSettingName, setting_kind: 'school', phase: 'primary' }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const organisationFor = async (role: Role): Promise<string> => {
    if (role === 'setting-leader') return setting.id;
    const [kind, code] =
      role === 'platform-admin' || role === 'national-moderator' || role === 'practice-reviewer'
        ? (['national', englandCode] as const)
        : role === 'regional-adviser'
          ? (['region', demoRegionCode] as const)
          : (['local-authority', demoAuthorityCode] as const);
    const organisation = await db.selectFrom('organisation').select('id').where('kind', '=', kind).where('area_code', '=', code).executeTakeFirstOrThrow();
    return organisation.id;
  };
  const passwordHash = await hashPassword(demoPassword);
  for (const role of roles) await addDemoAccount(db, { email: demoEmail(role), displayName: `Demo ${role.replace(/-/g, ' ')}`, role, organisationId: await organisationFor(role) }, passwordHash);
}

/**
 * One demo account holding one role in one organisation, with the demo password (and the demo's
 * second factor when the role needs one): the accounts above, and the demo's second head teacher.
 */
export async function addDemoAccount(db: Kysely<Schema>, account: { email: string; displayName: string; role: Role; organisationId: string }, passwordHash?: string): Promise<void> {
  const hash = passwordHash ?? (await hashPassword(demoPassword));
  const needsCode = requiresSecondFactor(account.role);
  const user = await db
    .insertInto('user_account')
    .values({
      email: account.email,
      display_name: account.displayName,
      status: 'active',
      password_hash: hash,
      totp_secret: needsCode ? demoTotpSecret : null,
      totp_confirmed_at: needsCode ? new Date() : null,
    })
    .onConflict((conflict) => conflict.column('email').doUpdateSet({ status: 'active', password_hash: hash }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('membership')
    .values({ user_id: user.id, organisation_id: account.organisationId, role: account.role, granted_by: null })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/**
 * Registers the demo's generated settings (fictional names, kinds and phases) as an operator would
 * from a settings file, so pages show their names. Existing registrations of the same URNs are
 * brought up to date; the demo's URNs (the 99xxxx block) belong to no real setting.
 */
export async function registerDemoSettings(db: Kysely<Schema>, settings: readonly Setting[]): Promise<void> {
  for (let start = 0; start < settings.length; start += 500) {
    const chunk = settings.slice(start, start + 500);
    await db
      .insertInto('organisation')
      .values(chunk.map((setting) => ({ kind: 'setting' as const, name: setting.name, urn: String(setting.urn), la_code: setting.laCode, area_code: null, setting_kind: setting.kind, phase: setting.phase ?? null, locality: setting.locality ?? null })))
      .onConflict((conflict) =>
        conflict.column('urn').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), la_code: eb.ref('excluded.la_code'), setting_kind: eb.ref('excluded.setting_kind'), phase: eb.ref('excluded.phase'), locality: eb.ref('excluded.locality') })),
      )
      .execute();
  }
}

/** The demo accounts as the sign-in page lists them, with each one's current code. */
export async function demoAccounts(db: Kysely<Schema>): Promise<DemoAccount[]> {
  const rows = await db
    .selectFrom('user_account')
    .innerJoin('membership', 'membership.user_id', 'user_account.id')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['user_account.email', 'user_account.totp_secret', 'membership.role', 'organisation.name'])
    .where('user_account.email', 'like', '%@demo.invalid')
    // Only accounts one can sign in with (the demo's fictional second practice reviewer has no password).
    .where('user_account.password_hash', 'is not', null)
    .execute();
  const order = new Map(roles.map((role, index) => [role as string, index]));
  return rows
    .sort((a, b) => (order.get(a.role) ?? 99) - (order.get(b.role) ?? 99))
    .map((row) => ({ email: row.email, role: row.role as Role, organisation: row.name, code: row.totp_secret ? currentTotp(row.totp_secret) : undefined }));
}
