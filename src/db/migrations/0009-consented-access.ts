import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Access that the other side has agreed to.
 *
 * - `membership_invitation`: a role offered to a person who already has an account. It grants
 *   nothing until that person, signed in as themselves, accepts it; otherwise any administrator
 *   could attach an account of another authority to their own and then manage it.
 * - `setting_move`: a request to move a setting from one authority to another, made by one of them
 *   and confirmed by the other (the platform's administrators move one at once).
 * - The child-record policy becomes pair-exact: `ntg.child_reach` lists whole authorities (`E09000007`)
 *   and single settings within an authority (`E09000007:100001`), so a record is visible only when
 *   its own authority is reached as a whole, or the setting is reached *within the record's own
 *   authority*. The earlier policy multiplied every authority by every setting, so a head teacher in
 *   one authority could be given, by row-level security alone, the pupils of that URN in another.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table membership_invitation (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references user_account (id) on delete cascade,
      organisation_id uuid not null references organisation (id) on delete cascade,
      role text not null,
      invited_by uuid references user_account (id),
      invited_at timestamptz not null default now(),
      expires_at timestamptz not null,
      decided_at timestamptz,
      outcome text check (outcome in ('accepted', 'declined', 'withdrawn')),
      check ((decided_at is null) = (outcome is null))
    )`.execute(db);
  // One offer of a role in an organisation waits at a time; asking again renews it.
  await sql`create unique index membership_invitation_pending on membership_invitation (user_id, organisation_id, role) where decided_at is null`.execute(db);

  await sql`
    create table setting_move (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      from_la_code text not null,
      to_la_code text not null check (to_la_code <> from_la_code),
      requested_by uuid references user_account (id),
      requested_by_email text not null,
      -- The side that asked; the other side confirms.
      requested_for_la_code text not null check (requested_for_la_code in (from_la_code, to_la_code)),
      requested_at timestamptz not null default now(),
      decided_by uuid references user_account (id),
      decided_at timestamptz,
      outcome text check (outcome in ('moved', 'declined', 'withdrawn')),
      check ((decided_at is null) = (outcome is null))
    )`.execute(db);
  await sql`create unique index setting_move_pending on setting_move (organisation_id) where decided_at is null`.execute(db);

  await sql`drop policy child_record_by_authority on child_record`.execute(db);
  await sql`
    create policy child_record_by_reach on child_record for select to ntg_scoped
    using (
      la_code = any (string_to_array(current_setting('ntg.la_codes', true), ','))
      and (la_code = any (string_to_array(current_setting('ntg.child_reach', true), ','))
           or la_code || ':' || setting_urn::text = any (string_to_array(current_setting('ntg.child_reach', true), ',')))
    )`.execute(db);
}
