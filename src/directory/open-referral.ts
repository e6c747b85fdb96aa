/**
 * Open Referral UK files: import a JSON file of fully nested services (an array, or a page of the
 * standard's `/services` answer) and export the same shape. A file with any problem is refused
 * whole, with every problem named, and nothing stored changes; a valid file replaces or adds its
 * services (by id) in one transaction.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { RecordProblem } from './open-referral-validate.js';
import { recordProblemText, servicesProblems } from './open-referral-validate.js';
import { isObject } from './service-record.js';
import type { OrukService } from './service-record.js';
import { idsOwnedElsewhere, readRecords, writeServices } from './store.js';

export type ImportResult = { ok: true; added: number; replaced: number } | { ok: false; problems: string[] };

const pageFields = ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'];

/** The records of a file's text, or why the file as a whole is not an Open Referral services file. */
export function parseOpenReferral(text: string): { ok: true; records: unknown[] } | { ok: false; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problems: [`the file is not JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (Array.isArray(parsed)) return { ok: true, records: parsed };
  if (isObject(parsed) && Array.isArray(parsed.contents)) return { ok: true, records: parsed.contents };
  return { ok: false, problems: [`the file is neither a list of services nor a page of the /services answer (an object with ${pageFields.join(', ')})`] };
}

/** Every problem of these records for this authority, including ids another authority's directory holds. */
export async function openReferralProblems(db: Kysely<Schema>, laCode: string, records: readonly unknown[]): Promise<RecordProblem[]> {
  const problems = servicesProblems(records);
  const ids = records.flatMap((record) => (isObject(record) && typeof record.id === 'string' ? [record.id] : []));
  const elsewhere = await idsOwnedElsewhere(db, laCode, ids);
  records.forEach((record, index) => {
    if (!isObject(record) || typeof record.id !== 'string') return;
    const owner = elsewhere.get(record.id);
    if (owner !== undefined) problems.push({ record: index + 1, id: record.id, path: 'id', message: `belongs to a service in another authority’s directory (${owner}): ids are unique across the service` });
  });
  return problems.sort((a, b) => a.record - b.record);
}

/** Stores checked records for the authority in one transaction: services with these ids are replaced, others added. */
export async function storeServices(db: Kysely<Schema>, laCode: string, records: readonly OrukService[], byLabel: string): Promise<{ added: number; replaced: number }> {
  return db.transaction().execute(async (trx) => {
    const ids = records.map((record) => String(record.id));
    let existing = 0;
    for (let start = 0; start < ids.length; start += 1000) {
      const part = ids.slice(start, start + 1000);
      const row = await trx.selectFrom('directory_service').select((eb) => eb.fn.countAll<string>().as('count')).where('la_code', '=', laCode).where('id', 'in', part).executeTakeFirstOrThrow();
      existing += Number(row.count);
    }
    await writeServices(trx, laCode, records, byLabel);
    return { added: records.length - existing, replaced: existing };
  });
}

/** Imports an Open Referral UK file's text into the authority's directory, or refuses it with every problem. */
export async function importOpenReferral(db: Kysely<Schema>, laCode: string, text: string, byLabel: string): Promise<ImportResult> {
  const parsed = parseOpenReferral(text);
  if (!parsed.ok) return parsed;
  if (parsed.records.length === 0) return { ok: false, problems: ['the file holds no services'] };
  const problems = await openReferralProblems(db, laCode, parsed.records);
  if (problems.length > 0) return { ok: false, problems: problems.map(recordProblemText) };
  return { ok: true, ...(await storeServices(db, laCode, parsed.records as OrukService[], byLabel)) };
}

/** The authority's services (or every authority's, given null) as fully nested Open Referral UK records. */
export async function exportOpenReferral(db: Kysely<Schema>, laCode: string | null): Promise<OrukService[]> {
  return readRecords(db, laCode);
}
