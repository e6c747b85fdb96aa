/** Loading a directory file of either format into an authority's directory, all or nothing. */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { csvProblemText, servicesFromCsv } from './csv.js';
import type { ImportResult } from './open-referral.js';
import { importOpenReferral, openReferralProblems, storeServices } from './open-referral.js';
import { recordProblemText } from './open-referral-validate.js';

export const directoryFormats = ['openreferral', 'csv'] as const;
export type DirectoryFormat = (typeof directoryFormats)[number];

export async function importDirectoryFile(db: Kysely<Schema>, laCode: string, text: string, format: DirectoryFormat, byLabel: string): Promise<ImportResult> {
  if (format === 'openreferral') return importOpenReferral(db, laCode, text, byLabel);
  const parsed = servicesFromCsv(text, laCode);
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map(csvProblemText) };
  // The rows are checked; what is left to check is what only the database knows (ids held elsewhere).
  const problems = await openReferralProblems(db, laCode, parsed.records);
  if (problems.length > 0) return { ok: false, problems: problems.map((problem) => `service “${String(parsed.records[problem.record - 1]?.name)}”: ${recordProblemText(problem)}`) };
  return { ok: true, ...(await storeServices(db, laCode, parsed.records, byLabel)) };
}
