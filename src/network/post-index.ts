/**
 * An in-memory search index of the network's posts, one per app server, so a search of 100,000
 * posts costs well under a millisecond instead of PostgreSQL fetching and ranking every matching
 * row (a few milliseconds of the database's time a search, which 20 people searching at once on two
 * cores cannot afford).
 *
 * PostgreSQL still does the language: each post's words are its stored `search_vector` (English
 * stems, as `to_tsvector('english', …)` makes them), and what a person types becomes a tsquery by
 * `websearch_to_tsquery`, read in the same statement as the freshness stamp. The index evaluates
 * that query's words, OR, AND and NOT over posting lists; a query with a phrase (`<->`) goes to
 * PostgreSQL instead (`searchPostsInDatabase`), since the index keeps no word positions.
 *
 * It is never stale (post-search.ts keeps it so). Every search reads, in one statement with the query, a stamp of the posts that
 * changed (posted or hidden) since the latest change the index saw, less a margin longer than any
 * transaction and any difference between app servers' clocks: how many there are and the latest
 * change. A change the index has not seen moves the latest change on or (a transaction that took
 * its time earlier but committed later) adds a post to the window; then the index reads the posts in
 * the window, adds those it lacks, marks the hidden ones, and answers the search. Readability (which
 * groups' posts the person may read) is read fresh for every search, never kept.
 */
import { tsvectorWords } from '../db/text-search.js';
import type { QueryNode } from '../db/text-search.js';
/** A growable list of integers, for posting lists: compact, where a JS array of numbers takes 8 bytes an entry. */
class IntList {
  data = new Int32Array(4);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** The posts holding one word: their slots, ascending, and how often each holds it. */
interface Postings {
  slots: IntList;
  counts: IntList;
}

export interface IndexedHit {
  id: string;
  score: number;
}

/** A post as the index reads it: `words` is its search vector's text. */
export interface PostRow {
  id: string;
  group_id: string;
  posted_at: Date | string;
  hidden: boolean;
  changed_at: Date | string;
  words: string;
}

/** How far the stamp looks behind the latest change seen: longer than any transaction and any clock difference between app servers. */
const stampMargin = 15 * 60_000;

export class PostIndex {
  private readonly ids: string[] = [];
  private readonly slotOf = new Map<string, number>();
  private groupSlots = new Int32Array(1024);
  private postedAt = new Float64Array(1024);
  private hidden = new Uint8Array(1024);
  private readonly groupIds: string[] = [];
  private readonly groupSlotOf = new Map<string, number>();
  private readonly postings = new Map<string, Postings>();
  /** The latest change seen; the stamp's window starts a margin before it. */
  private latest = 0;

  get size(): number {
    return this.ids.length;
  }

  get since(): Date {
    return new Date(this.latest - stampMargin);
  }

  /** Adds a post not yet indexed, or notes that one indexed is now hidden. */
  add(row: PostRow): void {
    const changed = new Date(row.changed_at).getTime();
    if (changed > this.latest) this.latest = changed;
    const known = this.slotOf.get(row.id);
    if (known !== undefined) {
      this.hidden[known] = row.hidden ? 1 : 0;
      return;
    }
    const slot = this.ids.length;
    if (slot === this.hidden.length) this.grow();
    this.ids.push(row.id);
    this.slotOf.set(row.id, slot);
    let group = this.groupSlotOf.get(row.group_id);
    if (group === undefined) {
      group = this.groupIds.length;
      this.groupIds.push(row.group_id);
      this.groupSlotOf.set(row.group_id, group);
    }
    this.groupSlots[slot] = group;
    this.postedAt[slot] = new Date(row.posted_at).getTime();
    this.hidden[slot] = row.hidden ? 1 : 0;
    for (const [word, count] of tsvectorWords(row.words)) {
      let postings = this.postings.get(word);
      if (postings === undefined) {
        postings = { slots: new IntList(), counts: new IntList() };
        this.postings.set(word, postings);
      }
      // Slots only grow, so each posting list stays in ascending order.
      postings.slots.push(slot);
      postings.counts.push(count);
    }
  }

  private grow(): void {
    const size = this.hidden.length * 2;
    const groups = new Int32Array(size);
    groups.set(this.groupSlots);
    this.groupSlots = groups;
    const posted = new Float64Array(size);
    posted.set(this.postedAt);
    this.postedAt = posted;
    const hidden = new Uint8Array(size);
    hidden.set(this.hidden);
    this.hidden = hidden;
  }

  /** The posts matching the query, as sorted slots. */
  private matching(node: QueryNode): Int32Array {
    switch (node.kind) {
      case 'word':
        return this.postings.get(node.word)?.slots.view() ?? new Int32Array(0);
      case 'or':
        return node.of.map((part) => this.matching(part)).reduce(union);
      case 'and': {
        const positive = node.of.filter((part) => part.kind !== 'not');
        const negative = node.of.filter((part): part is Extract<QueryNode, { kind: 'not' }> => part.kind === 'not');
        // Intersect the shortest lists first; take away what the NOTs name.
        let found = positive.length === 0 ? this.everySlot() : positive.map((part) => this.matching(part)).sort((a, b) => a.length - b.length).reduce(intersection);
        for (const part of negative) found = difference(found, this.matching(part.of));
        return found;
      }
      case 'not':
        return difference(this.everySlot(), this.matching(node.of));
    }
  }

  private everySlot(): Int32Array {
    return Int32Array.from({ length: this.ids.length }, (_, index) => index);
  }

  /**
   * The best `limit` visible posts of the readable groups matching the query: scored by the words
   * searched for that each holds, each counting 1 + ln(times it occurs) times its rarity
   * (ln of posts ÷ posts holding it); the newest first among equals.
   */
  search(query: QueryNode, readableGroups: ReadonlySet<string>, limit: number): IndexedHit[] {
    if (limit <= 0) return [];
    const readable = new Uint8Array(this.groupIds.length);
    this.groupIds.forEach((id, slot) => {
      if (readableGroups.has(id)) readable[slot] = 1;
    });
    const words = [...new Set(positiveWords(query))];
    const weights = words.map((word) => {
      const postings = this.postings.get(word);
      return { postings, rarity: postings === undefined ? 0 : Math.log(1 + this.ids.length / postings.slots.length) };
    });
    // The matching slots ascend, as does each word's posting list: one cursor a word scores every hit in one pass.
    const cursors = new Int32Array(weights.length);
    // The best hits so far, best first; a hit enters only if it beats the last (allocating nothing for the rest).
    const best: { slot: number; score: number }[] = [];
    const beats = (score: number, slot: number, other: { slot: number; score: number }) => score > other.score || (score === other.score && this.postedAt[slot]! > this.postedAt[other.slot]!);
    for (const slot of this.matching(query)) {
      if (this.hidden[slot] === 1 || readable[this.groupSlots[slot]!] !== 1) continue;
      let score = 0;
      for (let word = 0; word < weights.length; word++) {
        const { postings, rarity } = weights[word]!;
        if (postings === undefined) continue;
        const slots = postings.slots.data;
        const length = postings.slots.length;
        let at = cursors[word]!;
        while (at < length && slots[at]! < slot) at++;
        cursors[word] = at;
        if (at < length && slots[at] === slot) score += (1 + Math.log(postings.counts.data[at]!)) * rarity;
      }
      if (best.length === limit && !beats(score, slot, best[limit - 1]!)) continue;
      let at = best.length === limit ? limit - 1 : best.length;
      while (at > 0 && beats(score, slot, best[at - 1]!)) at--;
      best.splice(at, 0, { slot, score });
      if (best.length > limit) best.pop();
    }
    return best.map((hit) => ({ id: this.ids[hit.slot]!, score: hit.score }));
  }
}

function positiveWords(node: QueryNode): string[] {
  switch (node.kind) {
    case 'word':
      return [node.word];
    case 'not':
      return [];
    default:
      return node.of.flatMap(positiveWords);
  }
}

function intersection(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out[n++] = a[i++]!;
    else if (i >= a.length || b[j]! < a[i]!) out[n++] = b[j++]!;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

function difference(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length);
  let j = 0;
  let n = 0;
  for (const value of a) {
    while (j < b.length && b[j]! < value) j++;
    if (j < b.length && b[j] === value) continue;
    out[n++] = value;
  }
  return out.subarray(0, n);
}
