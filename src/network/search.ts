/**
 * One search over the network: councils (by name and what their pages say), communities of
 * interest (name and purpose), discussions (their posts' words), shared documents (title and file
 * name) and published practice (the library's own search). Each kind is searched only where the
 * person may read: a hidden group, its posts and its documents never appear to anyone outside it;
 * a restricted group's posts and documents only to its members; hidden posts to no one.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { escapeHtml } from '../web/html.js';
import { facetNames, searchLibrary } from '../practice/library.js';
import type { FacetName } from '../practice/library.js';
import { groupsMatching } from './groups.js';
import type { GroupVisibility } from './tables.js';
import { searchPosts } from './post-search.js';
import { networkRegions } from './regions.js';

export const searchLimits = { words: 200, perKind: 10 } as const;

export interface SearchHit {
  kind: 'council' | 'group' | 'discussion' | 'document' | 'practice';
  title: string;
  href: string;
  /** A line of context, as HTML: escaped, the words searched for in <mark>. */
  snippetHtml: string;
  /** Where it is: the region, or the group. */
  where: string;
}

export interface NetworkSearchResults {
  words: string;
  councils: SearchHit[];
  groups: SearchHit[];
  discussions: SearchHit[];
  documents: SearchHit[];
  practice: SearchHit[];
  practiceTotal: number;
}

/** Marks each of the words (whole or as a prefix) in already escaped text. */
function marked(text: string, words: readonly string[]): string {
  const escaped = escapeHtml(text);
  if (words.length === 0) return escaped;
  const pattern = new RegExp(`(${words.map((word) => escapeHtml(word).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return escaped.replace(pattern, '<mark>$1</mark>');
}

export async function searchNetwork(db: Kysely<Schema>, userId: string | null, asked: string): Promise<NetworkSearchResults> {
  const words = asked.trim().replace(/\s+/g, ' ').slice(0, searchLimits.words);
  const empty: NetworkSearchResults = { words, councils: [], groups: [], discussions: [], documents: [], practice: [], practiceTotal: 0 };
  if (words.length === 0) return empty;
  const terms = words.split(' ').filter((term) => term.length > 1);
  const lowered = words.toLowerCase();
  const pattern = `%${lowered.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

  const regionOf = new Map(networkRegions().flatMap((region) => region.authorities.map((la) => [la.code, region.name] as const)));
  const nameOf = new Map(networkRegions().flatMap((region) => region.authorities.map((la) => [la.code, la.name] as const)));
  const byName = [...nameOf].filter(([, name]) => name.toLowerCase().includes(lowered));

  const documentsFound = sql<{ id: string; group_id: string; title: string; name: string }[]>`
    select coalesce(json_agg(found), '[]') from (
      select doc.id, doc.group_id, doc.title, g.name
        from network_document doc join network_group g on g.id = doc.group_id
       where doc.search_vector @@ websearch_to_tsquery('english', ${words}) and doc.group_id in (select id from readable)
       order by doc.added_at desc limit ${searchLimits.perKind}) found`;
  const statementsFound = sql<{ la_code: string; statement: string }[]>`
    select coalesce(json_agg(found), '[]') from (select la_code, statement from network_profile where lower(statement) like ${pattern} limit ${searchLimits.perKind}) found`;
  const groupsFound = sql<{ id: string; name: string; purpose: string; visibility: GroupVisibility }[]>`
    select coalesce(json_agg(found), '[]') from (${groupsMatching(db, userId, words, searchLimits.perKind)}) found`;
  const [found, practice] = await Promise.all([
    // Groups, documents and councils' statements read in the same statement as the posts' stamp: one round trip, not four.
    searchPosts(db, userId, words, searchLimits.perKind * 3, { documents: documentsFound, statements: statementsFound, groups: groupsFound }),
    searchLibrary(db, { q: words, filters: Object.fromEntries(facetNames.map((facet) => [facet, []])) as unknown as Record<FacetName, string[]>, sort: 'relevance', page: 1 }, { pageSize: searchLimits.perKind }),
  ]);
  const { posts, alongside } = found;
  const { documents, statements, groups } = alongside;

  const councils = new Map<string, SearchHit>();
  for (const [code, name] of byName) councils.set(code, { kind: 'council', title: name, href: `/network/authorities/${code}`, snippetHtml: marked(name, [words]), where: regionOf.get(code) ?? '' });
  for (const row of statements) {
    if (councils.has(row.la_code) || !nameOf.has(row.la_code)) continue;
    councils.set(row.la_code, { kind: 'council', title: nameOf.get(row.la_code)!, href: `/network/authorities/${row.la_code}`, snippetHtml: marked(row.statement.slice(0, 300), terms), where: regionOf.get(row.la_code) ?? '' });
  }

  // One hit per discussion: its best post.
  const discussions = new Map<string, SearchHit>();
  for (const post of posts) {
    if (discussions.has(post.discussionId) || discussions.size >= searchLimits.perKind) continue;
    discussions.set(post.discussionId, { kind: 'discussion', title: post.discussionTitle, href: `/network/groups/${post.groupId}/discussions/${post.discussionId}#post-${post.id}`, snippetHtml: marked(excerptAround(post.body, terms), terms), where: post.groupName });
  }

  return {
    words,
    councils: [...councils.values()].slice(0, searchLimits.perKind),
    groups: groups.map((group) => ({ kind: 'group', title: group.name, href: `/network/groups/${group.id}`, snippetHtml: marked(group.purpose.slice(0, 300), terms), where: group.visibility === 'open' ? 'Open group' : group.visibility === 'restricted' ? 'Restricted group' : 'Hidden group' })),
    discussions: [...discussions.values()],
    documents: documents.map((row) => ({ kind: 'document', title: row.title, href: `/network/groups/${row.group_id}#documents`, snippetHtml: marked(row.title, terms), where: row.name })),
    practice: practice.items.map((item) => ({ kind: 'practice', title: item.title, href: `/practice/${item.id}`, snippetHtml: item.snippetHtml, where: item.referenceLabel })),
    practiceTotal: practice.total,
  };
}

/** About 240 characters of the text around the first word found, on word boundaries. */
function excerptAround(text: string, terms: readonly string[]): string {
  const plain = text.replace(/[`*_>#[\]()~]/g, '').replace(/\s+/g, ' ').trim();
  const lower = plain.toLowerCase();
  const found = terms.map((term) => lower.indexOf(term.toLowerCase())).filter((index) => index >= 0);
  const at = found.length === 0 ? 0 : Math.min(...found);
  const start = Math.max(0, plain.lastIndexOf(' ', Math.max(0, at - 80)) + 1);
  const excerpt = plain.slice(start, start + 240);
  return `${start > 0 ? '…' : ''}${excerpt}${start + 240 < plain.length ? '…' : ''}`;
}
