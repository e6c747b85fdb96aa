/**
 * Searching the network's posts: the in-memory index (post-index.ts) kept exactly up to date with
 * the database, and PostgreSQL's own search for what the index cannot answer (phrases). Only posts
 * not hidden, in groups the person may read, are ever found: open groups for anyone signed in, and
 * the groups they are a member of, read fresh for every search.
 */
import type { Kysely, RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { parseTsquery } from '../db/text-search.js';
import type { QueryNode } from '../db/text-search.js';
import { PostIndex } from './post-index.js';
import type { IndexedHit } from './post-index.js';

export interface PostHit {
  id: string;
  discussionId: string;
  groupId: string;
  body: string;
  discussionTitle: string;
  groupName: string;
}

const nobody = '00000000-0000-0000-0000-000000000000';

/** The groups whose inside the person may read: open ones when signed in, and those they are a member of. */
function readableGroupIds(db: Kysely<Schema>, userId: string | null) {
  return db
    .selectFrom('network_group as g')
    .select('g.id')
    .where((eb) =>
      eb.or([
        ...(userId === null ? [] : [eb('g.visibility', '=', 'open')]),
        eb.exists(eb.selectFrom('network_membership as m').select('m.user_id').whereRef('m.group_id', '=', 'g.id').where('m.user_id', '=', userId ?? nobody).where('m.state', '=', 'member')),
      ]),
    );
}

function postRows(db: Kysely<Schema>) {
  return db.selectFrom('network_post').select(['id', 'group_id', 'posted_at', 'changed_at', sql<boolean>`hidden_at is not null`.as('hidden'), sql<string>`search_vector::text`.as('words')]);
}

/** Posts read at a time while building an index. */
const buildBatch = 10_000;

/** The index of one database and how current it is. */
class KeptIndex {
  readonly index = new PostIndex();
  /** The stamp the last catch-up was asked for, and when (process clock) its read began. */
  private stamp = '';
  private readBegan = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private built: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Schema>) {}

  /** Every post, read once, on first use, a batch at a time so the rows read never fill memory. */
  ready(): Promise<void> {
    this.built ??= (async () => {
      this.readBegan = performance.now();
      let after: { changed: Date | string; id: string } | undefined;
      for (;;) {
        const rows = await postRows(this.db)
          .$if(after !== undefined, (query) => query.where((eb) => eb(eb.refTuple('changed_at', 'id'), '>', eb.tuple(new Date(after!.changed), after!.id))))
          .orderBy('changed_at')
          .orderBy('id')
          .limit(buildBatch)
          .execute();
        for (const row of rows) this.index.add(row);
        if (rows.length < buildBatch) break;
        const last = rows[rows.length - 1]!;
        after = { changed: last.changed_at, id: last.id };
      }
    })().catch((error: unknown) => {
      this.built = undefined;
      throw error;
    });
    return this.built;
  }

  /**
   * Up to date with a stamp read when `stampRead` (process clock) came: unchanged since the last
   * catch-up, or caught up by a read that began after the stamp was read, so it saw everything the
   * stamp counted. Searches that find it behind share one read.
   */
  async upTo(stamp: string, stampRead: number): Promise<void> {
    while (stamp !== this.stamp && this.readBegan < stampRead) {
      this.running ??= this.catchUp(stamp).finally(() => {
        this.running = undefined;
      });
      await this.running;
    }
  }

  private async catchUp(stamp: string): Promise<void> {
    const began = performance.now();
    const rows = await postRows(this.db).where('changed_at', '>', this.index.since).orderBy('changed_at').execute();
    for (const row of rows) this.index.add(row);
    this.stamp = stamp;
    this.readBegan = began;
  }
}

const kept = new WeakMap<Kysely<Schema>, KeptIndex>();

function keptIndex(db: Kysely<Schema>): KeptIndex {
  let entry = kept.get(db);
  if (entry === undefined) {
    entry = new KeptIndex(db);
    kept.set(db, entry);
  }
  return entry;
}

/** The found posts with their discussions' and groups' names, best first; a post hidden meanwhile is left out. */
async function postDetails(db: Kysely<Schema>, hits: readonly IndexedHit[]): Promise<PostHit[]> {
  if (hits.length === 0) return [];
  const rows = await db
    .selectFrom('network_post as p')
    .innerJoin('network_discussion as d', 'd.id', 'p.discussion_id')
    .innerJoin('network_group as g', 'g.id', 'p.group_id')
    .select(['p.id', 'p.discussion_id', 'p.group_id', 'p.body', 'd.title', 'g.name'])
    .where(
      'p.id',
      'in',
      hits.map((hit) => hit.id),
    )
    .where('p.hidden_at', 'is', null)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return hits.flatMap((hit) => {
    const row = byId.get(hit.id);
    return row === undefined ? [] : [{ id: row.id, discussionId: row.discussion_id, groupId: row.group_id, body: row.body, discussionTitle: row.title, groupName: row.name }];
  });
}

/** PostgreSQL's own search: for phrases, which the index cannot answer. The best posts first, then their names. */
async function searchPostsInDatabase(db: Kysely<Schema>, userId: string | null, words: string, limit: number): Promise<PostHit[]> {
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('network_post as p')
        .select(['p.id', 'p.discussion_id', 'p.group_id', 'p.body', 'p.posted_at', sql<number>`ts_rank(p.search_vector, websearch_to_tsquery('english', ${words}))`.as('rank')])
        .where(sql<boolean>`p.search_vector @@ websearch_to_tsquery('english', ${words})`)
        .where('p.hidden_at', 'is', null)
        .where('p.group_id', 'in', readableGroupIds(db, userId))
        .orderBy('rank', 'desc')
        .orderBy('p.posted_at', 'desc')
        .limit(limit)
        .as('hit'),
    )
    .innerJoin('network_discussion as d', 'd.id', 'hit.discussion_id')
    .innerJoin('network_group as g', 'g.id', 'hit.group_id')
    .select(['hit.id', 'hit.discussion_id', 'hit.group_id', 'hit.body', 'd.title', 'g.name'])
    .orderBy('hit.rank', 'desc')
    .orderBy('hit.posted_at', 'desc')
    .execute();
  return rows.map((row) => ({ id: row.id, discussionId: row.discussion_id, groupId: row.group_id, body: row.body, discussionTitle: row.title, groupName: row.name }));
}

/**
 * The best `limit` posts the person may read matching the words, best first. One statement reads
 * the words as a tsquery, the index's stamp, the groups the person may read, and any other reads
 * the caller adds (`alongside`: each a subquery giving one value, which may use the readable groups
 * as the table `readable`); the index, brought up to that stamp, finds the posts; a second statement
 * reads their text and names.
 */
export async function searchPosts<Extra extends Record<string, unknown> = Record<string, never>>(
  db: Kysely<Schema>,
  userId: string | null,
  words: string,
  limit: number,
  alongside: { [Name in keyof Extra]: RawBuilder<Extra[Name]> } = {} as { [Name in keyof Extra]: RawBuilder<Extra[Name]> },
): Promise<{ posts: PostHit[]; alongside: Extra }> {
  const entry = keptIndex(db);
  await entry.ready();
  const since = entry.index.since;
  const extras = Object.entries(alongside as Record<string, RawBuilder<unknown>>).map(([name, read]) => sql`, (${read}) as ${sql.id(name)}`);
  const row = (
    await sql<{ query: string; stamp_count: number; stamp_latest: Date | string | null; readable: string | null } & Extra>`
      with readable as materialized (${readableGroupIds(db, userId)})
      select websearch_to_tsquery('english', ${words})::text as query,
             (select count(*)::int from network_post where changed_at > ${since}) as stamp_count,
             (select max(changed_at) from network_post where changed_at > ${since}) as stamp_latest,
             (select string_agg(id::text, ',') from readable) as readable
             ${sql.join(extras, sql``)}`.execute(db)
  ).rows[0]!;
  const stampRead = performance.now();
  const found = { alongside: Object.fromEntries(Object.keys(alongside).map((name) => [name, row[name]])) as Extra };
  let query: QueryNode | null;
  try {
    query = parseTsquery(row.query);
  } catch {
    query = null;
  }
  // Nothing to look for (only stop words), or a phrase: PostgreSQL answers.
  if (row.query.trim() === '') return { ...found, posts: [] };
  if (query === null) return { ...found, posts: await searchPostsInDatabase(db, userId, words, limit) };
  await entry.upTo(`${since.getTime()}|${row.stamp_count}@${row.stamp_latest === null ? '' : new Date(row.stamp_latest).toISOString()}`, stampRead);
  // The ids are uuids: their text holds no comma.
  const readable = new Set(row.readable === null ? [] : row.readable.split(','));
  return { ...found, posts: await postDetails(db, entry.index.search(query, readable, limit)) };
}
