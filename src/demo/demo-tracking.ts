/**
 * The demo's second head teacher: the leader of the secondary school most of Chapel Fold Primary's
 * Year 6 went on to, so the demo shows a receiving school's handovers of vulnerable Year 7 pupils
 * as well as a primary's work list. The generated children already carry coordination flags,
 * prior attainment from year to year and moves between settings (src/demo/generate-children.ts).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { addDemoAccount, demoAuthorityCode } from '../auth/demo.js';
import type { Schema } from '../db/schema.js';
import { demoSettingUrn } from './demo-settings.js';

export const secondaryHeadEmail = 'setting-leader.secondary@demo.invalid';

export async function loadDemoSecondaryHead(db: Kysely<Schema>, log: (message: string) => void = () => undefined): Promise<void> {
  const receiving = await sql<{ setting_urn: number; pupils: string }>`
    select r.setting_urn, count(*)::text as pupils
      from child_record r
      join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
      join child_record p on p.la_code = r.la_code and p.academic_year = r.academic_year - 1 and p.child_key = r.child_key
      join child_year_batch pc on pc.la_code = p.la_code and pc.academic_year = p.academic_year and pc.batch_id = p.batch_id
     where r.la_code = ${demoAuthorityCode} and r.ncy = 7 and p.setting_urn = ${demoSettingUrn} and r.setting_urn is not null
       and r.academic_year = (select max(academic_year) from child_year_batch where la_code = ${demoAuthorityCode})
     group by r.setting_urn order by count(*) desc, r.setting_urn limit 1`.execute(db);
  const school = receiving.rows[0];
  if (school === undefined) return;
  const organisation = await db.selectFrom('organisation').select(['id', 'name']).where('kind', '=', 'setting').where('urn', '=', String(school.setting_urn)).executeTakeFirst();
  if (organisation === undefined) return;
  await addDemoAccount(db, { email: secondaryHeadEmail, displayName: 'Demo setting leader (secondary)', role: 'setting-leader', organisationId: organisation.id });
  log(`Demo mode: ${organisation.name} (where ${school.pupils} of Chapel Fold Primary School’s Year 6 went) has a demo head teacher, ${secondaryHeadEmail}.`);
}
