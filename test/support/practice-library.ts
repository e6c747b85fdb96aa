/**
 * Practice items for the library's tests, written straight to the tables as the workflow leaves
 * them (a version, the published facets from `publishedColumns` and words from `writeSearchWords`, the public trail), so a test can
 * have dozens in a second. The workflow's own steps are tested in src/practice/workflow.test.ts.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import type { PracticeContent } from '../../src/practice/content.js';
import type { PracticeGrade, PracticeStatus } from '../../src/practice/tables.js';
import { publishedColumns, writeSearchWords } from '../../src/practice/workflow.js';
import { completeContent } from './practice.js';

export interface FixtureOptions {
  grade?: PracticeGrade;
  strength?: number;
  publishedAt?: Date;
  /** Anything but `published` leaves the item out of the library, as the workflow would. */
  status?: PracticeStatus;
}

/** An item with one submitted version, published unless `status` says otherwise; its id and reference. */
export async function practiceItem(db: Kysely<Schema>, overrides: Partial<PracticeContent> = {}, options: FixtureOptions = {}): Promise<{ id: string; reference: number }> {
  const content = completeContent(overrides);
  const status = options.status ?? 'published';
  const row = await db
    .insertInto('practice_item')
    .values({ submitter_user_id: null, submitter_label: 'Fixture submitter', draft: JSON.stringify(content), title: content.title })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  if (status !== 'draft') {
    await db.insertInto('practice_version').values({ item_id: row.id, version: 1, content: JSON.stringify(content), submitted_by_label: 'Fixture submitter' }).execute();
    await db.insertInto('practice_event').values({ item_id: row.id, kind: 'submitted', actor_label: 'Fixture submitter', detail: 'Submitted for moderation' }).execute();
  }
  if (status === 'published') {
    const columns = publishedColumns(content, options.grade ?? 'promising', options.strength ?? 3, 1);
    await db
      .updateTable('practice_item')
      .set({ ...columns, current_version: 1, submitted_at: new Date(), ...(options.publishedAt === undefined ? {} : { published_at: options.publishedAt }) })
      .where('id', '=', row.id)
      .execute();
    await writeSearchWords(db, row.id, content);
    await db.insertInto('practice_event').values({ item_id: row.id, kind: 'published', actor_label: 'Fixture panel', detail: 'Published' }).execute();
  } else if (status !== 'draft') {
    await db.updateTable('practice_item').set({ status, current_version: 1, submitted_at: new Date(), updated_at: new Date() }).where('id', '=', row.id).execute();
  }
  return row;
}

/** A document attached to an item, as the submitter would have added it. */
export async function practiceDocument(db: Kysely<Schema>, itemId: string, name: string, mediaType: string, content: Buffer): Promise<string> {
  const row = await db
    .insertInto('practice_document')
    .values({ item_id: itemId, name, media_type: mediaType, size_bytes: content.length, sha256: 'fixture', content, added_by_label: 'Fixture submitter' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
