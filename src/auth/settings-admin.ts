import type { Kysely } from 'kysely';
import type { SettingsCsvProblem } from '../areas/settings.js';
import { parseSettingsCsv } from '../areas/settings.js';
import type { Schema } from '../db/schema.js';
import { appendAudit } from './audit.js';
import type { Viewer } from './gate.js';
import { scopeOf } from './permissions.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** The authorities whose settings and partners the administrator manages; 'england' for all. */
export function managedAuthorities(viewer: SignedIn): 'england' | string[] {
  if (viewer.memberships.some((membership) => scopeOf(membership.role, 'users:manage') === 'england')) return 'england';
  return [...new Set(viewer.memberships.filter((membership) => scopeOf(membership.role, 'users:manage') === 'authority').flatMap((membership) => membership.laCode ?? []))];
}

export async function listSettingsAndPartners(db: Kysely<Schema>, viewer: SignedIn) {
  const reach = managedAuthorities(viewer);
  let query = db.selectFrom('organisation').select(['id', 'kind', 'name', 'urn', 'la_code', 'setting_kind', 'phase']).where('kind', 'in', ['setting', 'partner']);
  if (reach !== 'england') query = query.where('la_code', 'in', reach.length > 0 ? reach : ['-']);
  return query.orderBy('kind').orderBy('name').execute();
}

export type SettingsImport = { ok: true; added: number; updated: number } | { ok: false; problems: SettingsCsvProblem[] };

/**
 * Registers the settings in a CSV file (urn, name, kind, la_code, phase), all or none: any problem
 * rejects the file and nothing is stored. A URN already registered is updated, not duplicated.
 */
export async function importSettings(db: Kysely<Schema>, viewer: SignedIn, file: { name: string; bytes: Uint8Array }, ip: string): Promise<SettingsImport> {
  const reach = managedAuthorities(viewer);
  const parsed = parseSettingsCsv(file.bytes, reach !== 'england' && reach.length === 1 ? { laCode: reach[0] } : {});
  if (!parsed.ok) return parsed;
  if (reach !== 'england') {
    const outside = parsed.settings.flatMap((setting, index) =>
      reach.includes(setting.laCode) ? [] : [{ row: index + 2, column: 'la_code', value: setting.laCode, expected: `one of the authorities you manage (${reach.join(', ')})` }],
    );
    if (outside.length > 0) return { ok: false, problems: outside };
  }
  const result = await db.transaction().execute(async (transaction) => {
    const existing = new Set(
      (await transaction.selectFrom('organisation').select('urn').where('urn', 'in', parsed.settings.map((setting) => String(setting.urn))).execute()).map((row) => row.urn),
    );
    for (const setting of parsed.settings) {
      await transaction
        .insertInto('organisation')
        .values({ kind: 'setting', name: setting.name, urn: String(setting.urn), la_code: setting.laCode, area_code: null, setting_kind: setting.kind, phase: setting.phase ?? null })
        .onConflict((conflict) => conflict.column('urn').doUpdateSet({ name: setting.name, la_code: setting.laCode, setting_kind: setting.kind, phase: setting.phase ?? null }))
        .execute();
    }
    return { added: parsed.settings.filter((setting) => !existing.has(String(setting.urn))).length, updated: parsed.settings.filter((setting) => existing.has(String(setting.urn))).length };
  });
  await appendAudit(db, {
    action: 'settings-imported',
    outcome: 'success',
    actorUserId: viewer.userId,
    actorEmail: viewer.email,
    laCode: reach === 'england' ? null : reach[0],
    ip,
    details: { file: file.name, ...result },
  });
  return { ok: true, ...result };
}

export async function addPartner(db: Kysely<Schema>, viewer: SignedIn, partner: { name: string; laCode: string }, ip: string): Promise<string | undefined> {
  const reach = managedAuthorities(viewer);
  const name = partner.name.trim();
  if (name === '' || name.length > 200) return 'Enter the partner’s name';
  if (!/^E(06|08|09|10)\d{6}$/.test(partner.laCode) || (reach !== 'england' && !reach.includes(partner.laCode))) return 'Choose an authority you manage';
  await db.insertInto('organisation').values({ kind: 'partner', name, la_code: partner.laCode, area_code: null, urn: null }).execute();
  await appendAudit(db, { action: 'partner-added', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: partner.laCode, ip, details: { name } });
  return undefined;
}
