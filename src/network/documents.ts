/**
 * A group's shared documents: each a title and its versions, every version's bytes kept. The same
 * rules as evidence files: PDF, Word, Excel, CSV, PNG or JPEG, told by the content as well as the
 * name, no larger than the evidence limit, never empty. Members add documents and new versions;
 * anyone who may read the group downloads them.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { evidenceTypeOf } from '../assessment/evidence-files.js';
import type { Schema } from '../db/schema.js';
import { mayTakePart } from './access.js';
import { readableGroup } from './discussions.js';
import { isUuid, NetworkRefused, readGroup, touchGroup } from './groups.js';
import type { GroupSummary, Person } from './groups.js';

/** Most documents one group keeps. */
export const documentsPerGroup = 200;

export interface DocumentVersion {
  version: number;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  note: string;
  uploadedBy: string;
  uploadedAt: Date;
}

export interface SharedDocument {
  id: string;
  title: string;
  addedAt: Date;
  versions: DocumentVersion[];
}

/** A name safe to store and to send back in a download header. */
function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\/\x00-\x1f]/g, '_').slice(0, 200) || 'document';
}

async function checkedFile(fileName: string, content: Buffer, limitBytes: number): Promise<{ name: string; mediaType: string }> {
  const name = cleanName(fileName);
  if (content.length === 0) throw new NetworkRefused(`${name} is empty.`, 400, 'file');
  if (content.length > limitBytes) throw new NetworkRefused(`${name} is larger than the ${Math.round(limitBytes / 1_048_576)} MB a document may be.`, 400, 'file');
  const type = await evidenceTypeOf(name, content);
  if (!type.ok) throw new NetworkRefused(type.message, 400, 'file');
  return { name, mediaType: type.mediaType };
}

/** Adds a document (its first version), or a new version of one already shared. */
export async function shareDocument(
  db: Kysely<Schema>,
  member: Person,
  groupId: string,
  upload: { title: string; fileName: string; content: Buffer; note?: string; documentId?: string | undefined },
  limitBytes: number,
): Promise<{ documentId: string; version: number }> {
  const group = await readGroup(db, member.userId, groupId);
  if (!mayTakePart(group.standing)) throw new NetworkRefused('Only members share documents in this group: join it first.', 403);
  const note = (upload.note ?? '').trim();
  if (note.length > 500) throw new NetworkRefused('Write the note in 500 characters or fewer.', 400, 'note');
  const title = upload.title.trim().replace(/\s+/g, ' ');
  if (upload.documentId === undefined && title.length === 0) throw new NetworkRefused('Give the document a title.', 400, 'title');
  if (title.length > 200) throw new NetworkRefused('Write the title in 200 characters or fewer.', 400, 'title');
  const file = await checkedFile(upload.fileName, upload.content, limitBytes);
  const sha256 = createHash('sha256').update(upload.content).digest('hex');
  const result = await db.transaction().execute(async (transaction) => {
    let documentId = upload.documentId;
    if (documentId === undefined) {
      const count = await transaction.selectFrom('network_document').select(sql<number>`count(*)::int`.as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
      if (count.n >= documentsPerGroup) throw new NetworkRefused(`A group keeps at most ${documentsPerGroup} documents.`, 409, 'file');
      documentId = (await transaction.insertInto('network_document').values({ group_id: groupId, title, added_by: member.userId, search_vector: sql<string>`to_tsvector('english', ${`${title}\n${file.name}`})` }).returning('id').executeTakeFirstOrThrow()).id;
    } else {
      const found = isUuid(documentId) ? await transaction.selectFrom('network_document').select('id').where('id', '=', documentId).where('group_id', '=', groupId).forUpdate().executeTakeFirst() : undefined;
      if (found === undefined) throw new NetworkRefused('There is no such document in this group.', 404);
    }
    const last = await transaction.selectFrom('network_document_version').select(sql<number>`coalesce(max(version), 0)::int`.as('n')).where('document_id', '=', documentId).executeTakeFirstOrThrow();
    const version = last.n + 1;
    await transaction
      .insertInto('network_document_version')
      .values({ document_id: documentId, version, file_name: file.name, media_type: file.mediaType, size_bytes: upload.content.length, sha256, content: upload.content, note, uploaded_by_label: member.label })
      .execute();
    return { documentId, version };
  });
  await touchGroup(db, groupId);
  return result;
}

/** The group's documents, newest first, each with its versions (newest first), without their bytes. */
export async function listDocuments(db: Kysely<Schema>, userId: string | null, groupOrId: string | GroupSummary): Promise<SharedDocument[]> {
  const groupId = (await readableGroup(db, userId, groupOrId)).id;
  const rows = await db
    .selectFrom('network_document as d')
    .innerJoin('network_document_version as v', 'v.document_id', 'd.id')
    .select(['d.id', 'd.title', 'd.added_at', 'v.version', 'v.file_name', 'v.media_type', 'v.size_bytes', 'v.note', 'v.uploaded_by_label', 'v.uploaded_at'])
    .where('d.group_id', '=', groupId)
    .orderBy('d.added_at', 'desc')
    .orderBy('v.version', 'desc')
    .execute();
  const documents = new Map<string, SharedDocument>();
  for (const row of rows) {
    const document = documents.get(row.id) ?? { id: row.id, title: row.title, addedAt: row.added_at, versions: [] };
    document.versions.push({ version: row.version, fileName: row.file_name, mediaType: row.media_type, sizeBytes: row.size_bytes, note: row.note, uploadedBy: row.uploaded_by_label, uploadedAt: row.uploaded_at });
    documents.set(row.id, document);
  }
  return [...documents.values()];
}

/** One version's bytes (the latest when no version is named), for someone who may read the group. */
export async function readDocumentVersion(db: Kysely<Schema>, userId: string | null, groupId: string, documentId: string, version?: number): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
  await readableGroup(db, userId, groupId);
  if (!isUuid(documentId)) throw new NetworkRefused('There is no such document in this group.', 404);
  let query = db
    .selectFrom('network_document_version as v')
    .innerJoin('network_document as d', 'd.id', 'v.document_id')
    .select(['v.file_name', 'v.media_type', 'v.content'])
    .where('d.id', '=', documentId)
    .where('d.group_id', '=', groupId);
  query = version === undefined ? query.orderBy('v.version', 'desc').limit(1) : query.where('v.version', '=', version);
  const row = await query.executeTakeFirst();
  if (row === undefined) throw new NetworkRefused('There is no such document in this group.', 404);
  return { fileName: row.file_name, mediaType: row.media_type, content: row.content };
}
