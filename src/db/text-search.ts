/**
 * PostgreSQL's text search as text, read back: a tsquery (as `websearch_to_tsquery` writes it) into
 * a tree, and a tsvector into its words. In-memory search indexes (network posts, the directory's
 * services) let PostgreSQL do the language (stemming, stop words) and evaluate the result themselves.
 */
/** A tsquery as `websearch_to_tsquery` writes it, read into a tree. */
export type QueryNode = { kind: 'word'; word: string } | { kind: 'not'; of: QueryNode } | { kind: 'and' | 'or'; of: QueryNode[] };

/** Reads a tsquery's text (`'trust' & ( 'adult' | !'child' )`); null for one the index cannot answer (phrases, prefixes, weights). */
export function parseTsquery(text: string): QueryNode | null {
  if (/<\d*-?>|:\*|:[A-D]/.test(text.replace(/'(?:[^']|'')*'/g, "''"))) return null;
  const tokens = text.match(/'(?:[^']|'')*'|[&|!()]/g) ?? [];
  let at = 0;
  const or = (): QueryNode => {
    const parts = [and()];
    while (tokens[at] === '|') {
      at++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', of: parts };
  };
  const and = (): QueryNode => {
    const parts = [not()];
    while (tokens[at] === '&') {
      at++;
      parts.push(not());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', of: parts };
  };
  const not = (): QueryNode => {
    if (tokens[at] === '!') {
      at++;
      return { kind: 'not', of: not() };
    }
    const token = tokens[at++];
    if (token === '(') {
      const inner = or();
      if (tokens[at++] !== ')') throw new Error(`unbalanced tsquery: ${text}`);
      return inner;
    }
    if (token === undefined || !token.startsWith("'")) throw new Error(`unexpected tsquery token ${String(token)} in ${text}`);
    return { kind: 'word', word: token.slice(1, -1).replace(/''/g, "'") };
  };
  if (tokens.length === 0) return null;
  const tree = or();
  if (at !== tokens.length) throw new Error(`unread tsquery tokens in ${text}`);
  return tree;
}

/** A tsvector's text (`'adult':5 'handov':8,12`) as each word and how often it occurs. */
export function tsvectorWords(text: string): Map<string, number> {
  const words = new Map<string, number>();
  for (const match of text.matchAll(/'((?:[^']|'')*)'(?::([\d,A-D]+))?/g)) {
    const positions = match[2] === undefined ? 1 : match[2].split(',').length;
    words.set(match[1]!.replace(/''/g, "'"), positions);
  }
  return words;
}

