/**
 * Evidence files attached to a rating: what types are allowed and how a file's type is told from
 * its content (never from its name or the browser's say-so), and keeping them in the database so
 * that backups, restores and several app servers need nothing more, and only someone who may read
 * the assessment can ever fetch one.
 */
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Author } from './store.js';
import { lockOpenAssessment } from './store.js';

type Db = Kysely<Schema> | Transaction<Schema>;

export interface AllowedType {
  mediaType: string;
  label: string;
  extensions: readonly string[];
}

export const allowedEvidenceTypes: readonly AllowedType[] = [
  { mediaType: 'application/pdf', label: 'PDF', extensions: ['pdf'] },
  { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word', extensions: ['docx'] },
  { mediaType: 'application/msword', label: 'Word 97–2003', extensions: ['doc'] },
  { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel', extensions: ['xlsx'] },
  { mediaType: 'application/vnd.ms-excel', label: 'Excel 97–2003', extensions: ['xls'] },
  { mediaType: 'text/csv', label: 'CSV', extensions: ['csv'] },
  { mediaType: 'image/png', label: 'PNG', extensions: ['png'] },
  { mediaType: 'image/jpeg', label: 'JPEG', extensions: ['jpg', 'jpeg'] },
];

export const allowedTypesInWords = 'PDF, Word, Excel, CSV, PNG or JPEG';

function extensionOf(filename: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(filename);
  return match === null ? '' : match[1]!.toLowerCase();
}

/** Text a spreadsheet could read as CSV: valid UTF-8 with no control bytes other than tab and line ends. */
function looksLikeCsv(content: Buffer): boolean {
  if (content.length === 0) return false;
  const sample = content.subarray(0, 65_536);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(sample.toString('latin1'))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content.length > 65_536 ? content.subarray(0, 65_536 - 4) : content);
    return true;
  } catch {
    return false;
  }
}

export type TypeCheck = { ok: true; mediaType: string } | { ok: false; message: string };

/**
 * The media type of a file, judged by its content: the file's bytes must be one of the allowed
 * types, and its name's extension must agree (a PDF renamed .docx is refused, as is an executable
 * renamed .pdf). Old Office files share one container format, so their extension tells Word from Excel.
 */
export async function evidenceTypeOf(filename: string, content: Buffer): Promise<TypeCheck> {
  const extension = extensionOf(filename);
  const detected = await fileTypeFromBuffer(content);
  const refuse = (what: string): TypeCheck => ({ ok: false, message: `${filename} ${what}. Attach a ${allowedTypesInWords} file.` });
  if (detected === undefined) {
    if (extension === 'csv' && looksLikeCsv(content)) return { ok: true, mediaType: 'text/csv' };
    return refuse(extension === 'csv' ? 'is not a text file that a spreadsheet could read as CSV' : 'is not a type of file that can be attached');
  }
  if (detected.ext === 'cfb') {
    if (extension === 'doc') return { ok: true, mediaType: 'application/msword' };
    if (extension === 'xls') return { ok: true, mediaType: 'application/vnd.ms-excel' };
    return refuse('is an old Office file whose name does not end .doc or .xls');
  }
  const allowed = allowedEvidenceTypes.find((type) => type.mediaType === detected.mime);
  if (allowed === undefined) return refuse(`is a ${detected.ext.toUpperCase()} file, which cannot be attached`);
  if (!allowed.extensions.includes(extension)) return refuse(`holds a ${allowed.label} file but its name ends “.${extension || '(nothing)'}”; rename it to end .${allowed.extensions[0]}`);
  return { ok: true, mediaType: allowed.mediaType };
}

export interface StoredEvidence {
  id: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
}

/** Stores a file against a statement of an assessment that is still in progress. */
export async function storeEvidenceFile(
  db: Kysely<Schema>,
  target: { laCode: string; assessmentId: string; statementId: string },
  file: { filename: string; mediaType: string; content: Buffer },
  author: Author,
): Promise<StoredEvidence> {
  return db.transaction().execute(async (transaction) => {
    await lockOpenAssessment(transaction, target.laCode, target.assessmentId);
    const { id } = await transaction
      .insertInto('assessment_evidence_file')
      .values({
        la_code: target.laCode,
        assessment_id: target.assessmentId,
        statement_id: target.statementId,
        filename: file.filename,
        media_type: file.mediaType,
        size_bytes: file.content.length,
        sha256: createHash('sha256').update(file.content).digest('hex'),
        content: file.content,
        carried_from: null,
        uploaded_by: author.userId,
        uploaded_by_label: author.label,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, filename: file.filename, mediaType: file.mediaType, sizeBytes: file.content.length };
  });
}

/** A file's bytes and description, or undefined when the assessment holds no such file. */
export async function readEvidenceFile(db: Db, laCode: string, assessmentId: string, fileId: string) {
  return db
    .selectFrom('assessment_evidence_file')
    .select(['id', 'statement_id', 'filename', 'media_type', 'size_bytes', 'sha256', 'content'])
    .where('la_code', '=', laCode)
    .where('assessment_id', '=', assessmentId)
    .where('id', '=', fileId)
    .executeTakeFirst();
}

/** Removes a file from an assessment still in progress; false when there was no such file. */
export async function removeEvidenceFile(db: Kysely<Schema>, laCode: string, assessmentId: string, fileId: string): Promise<{ statementId: string; filename: string } | undefined> {
  return db.transaction().execute(async (transaction) => {
    await lockOpenAssessment(transaction, laCode, assessmentId);
    return transaction
      .deleteFrom('assessment_evidence_file')
      .where('la_code', '=', laCode)
      .where('assessment_id', '=', assessmentId)
      .where('id', '=', fileId)
      .returning(['statement_id as statementId', 'filename'])
      .executeTakeFirst();
  });
}
