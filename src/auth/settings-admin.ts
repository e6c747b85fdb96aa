import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import type { SettingsCsvProblem } from '../areas/settings.js';
import { parseSettingsCsv } from '../areas/settings.js';
import type { Schema } from '../db/schema.js';
import { appendAuditForAuthorities } from './admin-audit.js';
import { appendAudit } from './audit.js';
import type { Viewer } from './gate.js';
import { scopeOf } from './permissions.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** The authorities whose settings and partners the administrator manages; 'england' for all. */
export function managedAuthorities(viewer: SignedIn): 'england' | string[] {
  if (viewer.memberships.some((membership) => scopeOf(membership.role, 'users:manage') === 'england')) return 'england';
  return [...new Set(viewer.memberships.filter((membership) => scopeOf(membership.role, 'users:manage') === 'authority').flatMap((membership) => membership.laCode ?? []))];
}

/** The authority's name for messages, or its code when it is not a current authority. */
export function authorityName(laCode: string): string {
  return localAuthorityByGss(laCode)?.name ?? laCode;
}

/** The refusal both the CSV and the move form give: a setting is its registering authority's. */
export function registeredElsewhere(urn: string | number, laCode: string): string {
  return `URN ${urn} is registered to ${authorityName(laCode)}; moving a setting needs both authorities or the platform admin`;
}

export async function listSettingsAndPartners(db: Kysely<Schema>, viewer: SignedIn) {
  const reach = managedAuthorities(viewer);
  let query = db.selectFrom('organisation').select(['id', 'kind', 'name', 'urn', 'la_code', 'setting_kind', 'phase', 'locality']).where('kind', 'in', ['setting', 'partner']);
  if (reach !== 'england') query = query.where('la_code', 'in', reach.length > 0 ? reach : ['-']);
  return query.orderBy('kind').orderBy('name').execute();
}

export type SettingsImport = { ok: true; added: number; updated: number; moved: number } | { ok: false; problems: SettingsCsvProblem[] };

/** Thrown inside the import's transaction to undo it: another authority registered a URN meanwhile. */
class RegisteredMeanwhile extends Error {
  constructor(readonly problem: SettingsCsvProblem) {
    super(problem.expected);
  }
}

/**
 * Registers the settings in a CSV file (urn, name, kind, la_code, phase, locality), all or none: any problem
 * rejects the file and nothing is stored. A URN already registered to the same authority is updated,
 * not duplicated. A URN registered to another authority is refused (an authority administrator
 * cannot take another authority's setting, and with it the roles held in it); only the platform's
 * administrators may move one this way, and each move is audited to both authorities.
 */
export async function importSettings(db: Kysely<Schema>, viewer: SignedIn, file: { name: string; bytes: Uint8Array }, ip: string): Promise<SettingsImport> {
  const reach = managedAuthorities(viewer);
  const parsed = parseSettingsCsv(file.bytes, reach !== 'england' && reach.length === 1 ? { laCode: reach[0] } : {});
  if (!parsed.ok) return parsed;
  const rowOf = (index: number) => parsed.rows[index] ?? index + 2;
  if (reach !== 'england') {
    const outside = parsed.settings.flatMap((setting, index) =>
      reach.includes(setting.laCode) ? [] : [{ row: rowOf(index), column: 'la_code', value: setting.laCode, expected: `one of the authorities you manage (${reach.join(', ')})` }],
    );
    if (outside.length > 0) return { ok: false, problems: outside };
  }
  const actor = { actorUserId: viewer.userId, actorEmail: viewer.email, ip };
  const acting = reach === 'england' ? [] : reach;
  let outcome: { problems: SettingsCsvProblem[]; owners: string[] } | { added: number; updated: number; moves: { urn: string; from: string; to: string }[] };
  try {
    outcome = await db.transaction().execute(async (transaction) => {
      const existing = new Map(
        (await transaction.selectFrom('organisation').select(['urn', 'la_code']).where('urn', 'in', parsed.settings.map((setting) => String(setting.urn))).execute()).map((row) => [row.urn, row.la_code]),
      );
      const elsewhere = parsed.settings.flatMap((setting, index) => {
        const owner = existing.get(String(setting.urn));
        return owner === undefined || owner === null || owner === setting.laCode ? [] : [{ index, owner, setting }];
      });
      if (reach !== 'england' && elsewhere.length > 0) {
        return {
          problems: elsewhere.map(({ index, owner, setting }) => ({ row: rowOf(index), column: 'urn', value: String(setting.urn), expected: registeredElsewhere(setting.urn, owner) })),
          owners: elsewhere.map((entry) => entry.owner),
        };
      }
      for (const [index, setting] of parsed.settings.entries()) {
        const stored = await transaction
          .insertInto('organisation')
          .values({ kind: 'setting', name: setting.name, urn: String(setting.urn), la_code: setting.laCode, area_code: null, setting_kind: setting.kind, phase: setting.phase ?? null, locality: setting.locality ?? null })
          .onConflict((conflict) =>
            conflict
              .column('urn')
              .doUpdateSet({ name: setting.name, la_code: setting.laCode, setting_kind: setting.kind, phase: setting.phase ?? null, locality: setting.locality ?? null })
              // An authority updates only its own settings, even one registered elsewhere since the check above.
              .$call((update) => (reach === 'england' ? update : update.where('organisation.la_code', '=', setting.laCode))),
          )
          .returning('id')
          .executeTakeFirst();
        if (stored === undefined) {
          const owner = (await transaction.selectFrom('organisation').select('la_code').where('urn', '=', String(setting.urn)).executeTakeFirst())?.la_code ?? '';
          throw new RegisteredMeanwhile({ row: rowOf(index), column: 'urn', value: String(setting.urn), expected: registeredElsewhere(setting.urn, owner) });
        }
      }
      return {
        added: parsed.settings.filter((setting) => !existing.has(String(setting.urn))).length,
        updated: parsed.settings.filter((setting) => existing.has(String(setting.urn))).length,
        moves: elsewhere.map(({ owner, setting }) => ({ urn: String(setting.urn), from: owner, to: setting.laCode })),
      };
    });
  } catch (error) {
    if (!(error instanceof RegisteredMeanwhile)) throw error;
    outcome = { problems: [error.problem], owners: [] };
  }
  if ('problems' in outcome) {
    // An attempt on another authority's setting is worth that authority's attention as well.
    await appendAuditForAuthorities(
      db,
      { action: 'settings-import-refused', outcome: 'denied', ...actor, details: { file: file.name, urns: outcome.problems.map((problem) => problem.value) } },
      [...acting, ...outcome.owners],
    );
    return { ok: false, problems: outcome.problems };
  }
  for (const move of outcome.moves) {
    await appendAuditForAuthorities(db, { action: 'setting-moved', outcome: 'success', ...actor, target: `urn:${move.urn}`, details: { from: move.from, to: move.to, file: file.name } }, [move.from, move.to]);
  }
  await appendAudit(db, {
    action: 'settings-imported',
    outcome: 'success',
    ...actor,
    laCode: reach === 'england' ? null : reach[0],
    details: { file: file.name, added: outcome.added, updated: outcome.updated, moved: outcome.moves.length },
  });
  return { ok: true, added: outcome.added, updated: outcome.updated, moved: outcome.moves.length };
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
