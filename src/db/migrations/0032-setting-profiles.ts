import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The local offer, coverage against need (issue 19): per authority, year and setting, the children
 * in at least one vulnerable group and how deprived their home areas are (IDACI deciles), worked
 * out after each load as the other aggregates are, so coverage never reads child records. Filled
 * here from the records already loaded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table child_setting_profile (
      la_code text not null,
      academic_year smallint not null,
      setting_urn integer not null,
      children integer not null,
      in_any_group integer not null,
      idaci_known integer not null,
      idaci_most_deprived integer not null,
      primary key (la_code, academic_year, setting_urn)
    )`.execute(db);
  await sql`
    insert into child_setting_profile (la_code, academic_year, setting_urn, children, in_any_group, idaci_known, idaci_most_deprived)
    select r.la_code, r.academic_year, coalesce(r.setting_urn, -1), count(*),
           count(*) filter (where r.signature & ${sql.raw(String(anyGroupMask()))} <> 0),
           count(r.idaci_decile), count(*) filter (where r.idaci_decile <= 2)
      from child_record r
      join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
     group by 1, 2, 3`.execute(db);
}

/**
 * The bits of a signature that say "in the group" for each of the thirteen groups as they were
 * when this was written (two bits per group from bit 0, in is 01): migrations never change, so the
 * layout is written out rather than read from src/aggregates/signature.ts.
 */
function anyGroupMask(): bigint {
  let mask = 0n;
  for (let group = 0; group < 13; group++) mask |= 1n << BigInt(group * 2);
  return mask;
}
