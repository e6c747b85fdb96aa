import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { hidePost, reply, startDiscussion } from './discussions.js';
import { createGroup, joinGroup } from './groups.js';
import type { Person } from './groups.js';
import { parseTsquery, tsvectorWords } from '../db/text-search.js';
import type { QueryNode } from '../db/text-search.js';
import { PostIndex } from './post-index.js';
import { searchPosts } from './post-search.js';

describe('reading PostgreSQL’s text search values', () => {
  it('reads a tsquery into words, AND, OR and NOT, and gives up on phrases', () => {
    expect(parseTsquery("'trust' & 'adult' & 'handov'")).toEqual({ kind: 'and', of: ['trust', 'adult', 'handov'].map((word) => ({ kind: 'word', word })) });
    expect(parseTsquery("'attend' | 'phonic' & !'year'")).toEqual({
      kind: 'or',
      of: [
        { kind: 'word', word: 'attend' },
        { kind: 'and', of: [{ kind: 'word', word: 'phonic' }, { kind: 'not', of: { kind: 'word', word: 'year' } }] },
      ],
    });
    expect(parseTsquery("( 'a' | 'b' ) & 'c'")).toEqual({ kind: 'and', of: [{ kind: 'or', of: [{ kind: 'word', word: 'a' }, { kind: 'word', word: 'b' }] }, { kind: 'word', word: 'c' }] });
    expect(parseTsquery("'o''neil'")).toEqual({ kind: 'word', word: "o'neil" });
    expect(parseTsquery("'trust' <-> 'adult'")).toBeNull();
    expect(parseTsquery("'trust' <2> 'adult'")).toBeNull();
    expect(parseTsquery('')).toBeNull();
    // A word that only looks like an operator is still a word.
    expect(parseTsquery("'<->'")).toEqual({ kind: 'word', word: '<->' });
  });

  it('reads a tsvector’s words and how often each occurs', () => {
    expect([...tsvectorWords("'adult':5 'handov':8,12 'o''neil':3 'x'")]).toEqual([
      ['adult', 1],
      ['handov', 2],
      ["o'neil", 1],
      ['x', 1],
    ]);
  });

  it('finds exactly the posts a boolean query matches, whatever the posts and query', () => {
    const words = ['a', 'b', 'c', 'd'];
    const query = fc.letrec<{ node: QueryNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...words).map((word) => ({ kind: 'word' as const, word })),
        tie('node').map((of) => ({ kind: 'not' as const, of })),
        fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((of) => ({ kind: 'and' as const, of })),
        fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((of) => ({ kind: 'or' as const, of })),
      ),
    })).node;
    const holds = (node: QueryNode, post: ReadonlySet<string>): boolean =>
      node.kind === 'word' ? post.has(node.word) : node.kind === 'not' ? !holds(node.of, post) : node.kind === 'and' ? node.of.every((part) => holds(part, post)) : node.of.some((part) => holds(part, post));
    fc.assert(
      fc.property(fc.array(fc.subarray(words), { maxLength: 30 }), query, (posts, node) => {
        const index = new PostIndex();
        posts.forEach((held, n) => index.add({ id: `p${n}`, group_id: 'g', posted_at: new Date(n * 1000), changed_at: new Date(n * 1000), hidden: false, words: held.map((word) => `'${word}':1`).join(' ') }));
        const all = index.search(node, new Set(['g']), 1000);
        const expected = posts.flatMap((held, n) => (holds(node, new Set(held)) ? [`p${n}`] : [])).sort();
        expect(all.map((hit) => hit.id).sort()).toEqual(expected);
        // The best few are the first few of all, best first.
        expect(index.search(node, new Set(['g']), 3)).toEqual(all.slice(0, 3));
        for (let at = 1; at < all.length; at++) expect(all[at - 1]!.score).toBeGreaterThanOrEqual(all[at]!.score);
      }),
    );
  });
});

const postsFound = async (...asked: Parameters<typeof searchPosts>) => (await searchPosts(...asked)).posts;

describe.each(testEngines)('searching the network’s posts on %s', (engine) => {
  let test: TestApp;
  let owner: Person;
  let member: Person;
  let outsider: Person;
  let open = '';
  let restricted = '';

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: 'E08000035', laCode: 'E08000035' });
    const person = async (email: string, label: string) => ({ userId: (await newSignedInUser(db, { email, role: 'analyst', organisationId: council })).userId, label });
    owner = await person('owner@example.org', 'Owner');
    member = await person('member@example.org', 'Member');
    outsider = await person('outsider@example.org', 'Outsider');
    open = await createGroup(db, owner, { name: 'Transitions', purpose: 'p', visibility: 'open' });
    restricted = await createGroup(db, owner, { name: 'Children in care', purpose: 'p', visibility: 'restricted' });
    await joinGroup(db, member, open);
    // A corpus of posts written straight into the table, as many as a test needs.
    const topics = ['attendance', 'trusted adult', 'handover at transition', 'phonics', 'the virtual school', 'early help'];
    for (const [groupId, count] of [
      [open, 120],
      [restricted, 40],
    ] as const) {
      const discussion = await startDiscussion(db, owner, groupId, { title: `Corpus of ${groupId === open ? 'open' : 'restricted'}`, body: 'The first post.' });
      await sql`
        insert into network_post (discussion_id, group_id, author_label, body, posted_at, changed_at, search_vector)
        select ${discussion.discussionId}::uuid, ${groupId}::uuid, 'Owner', body, now() - (n || ' hours')::interval, now() - (n || ' hours')::interval, to_tsvector('english', body)
          from (select n, 'Post ' || n || ' on ' || (${topics}::text[])[1 + n % 6] || ' and ' || (${topics}::text[])[1 + (n / 6) % 6] || '.' as body from generate_series(1, ${count}::int) as n) posts`.execute(db);
    }
  });
  afterAll(async () => test?.close());

  async function databaseMatches(userId: string, words: string): Promise<string[]> {
    const rows = await sql<{ id: string }>`
      select p.id from network_post p
       where p.search_vector @@ websearch_to_tsquery('english', ${words}) and p.hidden_at is null
         and (p.group_id in (select id from network_group where visibility = 'open')
              or p.group_id in (select group_id from network_membership where user_id = ${userId} and state = 'member'))`.execute(test.database.db);
    return rows.rows.map((row) => row.id).sort();
  }

  it('finds what PostgreSQL’s own search finds, for words, OR, NOT and phrases, in the groups the person may read', async () => {
    const db = test.database.db;
    for (const words of ['attendance', 'trusted adult handover', 'phonics or "early help"', 'attendance -phonics', '"virtual school"', 'transitions', 'nothing-like-this']) {
      for (const reader of [owner, member, outsider]) {
        const found = (await postsFound(db, reader.userId, words, 1000)).map((hit) => hit.id).sort();
        expect(found, `${words} as ${reader.label}`).toEqual(await databaseMatches(reader.userId, words));
      }
    }
    // Other reads share the statement, with the readable groups to hand.
    const { alongside } = await searchPosts(db, member.userId, 'attendance', 1, { groups: sql<number>`select count(*)::int from readable` });
    expect(alongside.groups).toBe(1);
    // Stop words alone look for nothing.
    expect(await postsFound(db, owner.userId, 'the and of', 10)).toEqual([]);
    // No one signed out reads inside a group.
    expect(await postsFound(db, null, 'attendance', 10)).toEqual([]);
    // The restricted group's posts only for its members.
    const restrictedHits = (await postsFound(db, owner.userId, 'attendance', 1000)).filter((hit) => hit.groupId === restricted);
    expect(restrictedHits.length).toBeGreaterThan(0);
    expect((await postsFound(db, member.userId, 'attendance', 1000)).some((hit) => hit.groupId === restricted)).toBe(false);
  });

  it('ranks posts holding more of the words, and a word more often, first', async () => {
    const db = test.database.db;
    const [best] = await postsFound(db, owner.userId, 'attendance', 5);
    // Posts on attendance and attendance hold the word twice.
    expect(best?.body).toMatch(/attendance and attendance/);
    const either = await postsFound(db, owner.userId, 'attendance or phonics', 1000);
    const both = (body: string) => /attendance/.test(body) && /phonics/.test(body);
    const lastWithBoth = either.map((hit) => both(hit.body)).lastIndexOf(true);
    const firstWithOne = either.findIndex((hit) => !both(hit.body));
    expect(lastWithBoth).toBeLessThan(firstWithOne);
  });

  it('finds a post the moment it is written, and no longer once it is hidden', async () => {
    const db = test.database.db;
    const words = 'kinship carers';
    expect(await postsFound(db, member.userId, words, 10)).toEqual([]);
    const started = await startDiscussion(db, member, open, { title: 'Kinship', body: 'Who supports kinship carers at transition?' });
    const replyId = await reply(db, owner, open, started.discussionId, { body: 'Our kinship carers group meets monthly.' });
    expect((await postsFound(db, member.userId, words, 10)).map((hit) => hit.id).sort()).toEqual([started.postId, replyId].sort());
    await hidePost(db, owner, open, replyId, 'Names a family.');
    expect((await postsFound(db, member.userId, words, 10)).map((hit) => hit.id)).toEqual([started.postId]);
  });
});
