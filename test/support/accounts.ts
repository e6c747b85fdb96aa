import type { Kysely } from 'kysely';
import type { Role } from '../../src/auth/permissions.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession, recordSecondFactor } from '../../src/auth/sessions.js';
import { tokenHash } from '../../src/auth/secrets.js';
import type { OrganisationKind } from '../../src/auth/tables.js';
import type { Schema } from '../../src/db/schema.js';

/** Fixtures that read like the story of a test: an authority, a person in it with a role, signed in. */
export async function newOrganisation(
  db: Kysely<Schema>,
  organisation: { kind: OrganisationKind; name: string; areaCode?: string; laCode?: string; urn?: string },
): Promise<string> {
  const row = await db
    .insertInto('organisation')
    .values({
      kind: organisation.kind,
      name: organisation.name,
      area_code: organisation.areaCode ?? null,
      la_code: organisation.laCode ?? null,
      urn: organisation.urn ?? null,
    })
    // The service already holds an organisation for each region and authority: reuse it.
    .onConflict((conflict) => conflict.columns(['kind', 'area_code']).doUpdateSet({ name: organisation.name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function newSignedInUser(
  db: Kysely<Schema>,
  person: { email: string; role: Role; organisationId: string; secondFactorDone?: boolean },
): Promise<{ userId: string; sessionToken: string }> {
  const user = await db
    .insertInto('user_account')
    .values({ email: person.email, display_name: person.email.split('@')[0] ?? person.email, status: 'active', password_hash: null, totp_secret: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ user_id: user.id, organisation_id: person.organisationId, role: person.role, granted_by: null }).execute();
  const sessionToken = await createSession(db, user.id, { ip: '127.0.0.1', userAgent: 'test' });
  if (person.secondFactorDone ?? true) await recordSecondFactor(db, tokenHash(sessionToken));
  return { userId: user.id, sessionToken };
}

/** An active account with a password, holding one role; no session yet. */
export async function newAccount(
  db: Kysely<Schema>,
  person: { email: string; password: string; role: Role; organisationId: string; totpSecret?: string },
): Promise<string> {
  const user = await db
    .insertInto('user_account')
    .values({
      email: person.email,
      display_name: person.email.split('@')[0] ?? person.email,
      status: 'active',
      password_hash: await hashPassword(person.password),
      totp_secret: person.totpSecret ?? null,
      totp_confirmed_at: person.totpSecret ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ user_id: user.id, organisation_id: person.organisationId, role: person.role, granted_by: null }).execute();
  return user.id;
}

/** Signs each person in with one role (`who@example.org`), second factor given; their session tokens by name. */
export async function signedInPeople(db: Kysely<Schema>, people: readonly (readonly [who: string, role: Role, organisationId: string])[]): Promise<Map<string, string>> {
  const sessions = new Map<string, string>();
  for (const [who, role, organisationId] of people) sessions.set(who, (await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId })).sessionToken);
  return sessions;
}
