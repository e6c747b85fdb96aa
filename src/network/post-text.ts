/**
 * Posts are written in Markdown (paragraphs, emphasis, lists, links, quotes, code) and shown as
 * HTML that cannot carry script: raw HTML in a post is shown as text, links go only to http, https
 * and mailto addresses and open with no access to the page that opened them, and images are not
 * drawn (a link is shown instead), so a post cannot load anything from elsewhere. Mentions
 * (`@name@example.org`) are marked, and are only ever text: who is told is decided elsewhere.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
markdown.disable(['image', 'table', 'heading', 'lheading', 'hr']);

const safeScheme = /^(https?:|mailto:)/i;
markdown.validateLink = (url: string) => safeScheme.test(url.trim());

const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  token.attrSet('rel', 'nofollow noopener noreferrer');
  token.attrSet('class', 'govuk-link');
  return defaultLinkOpen(tokens, index, options, env, self);
};
for (const [rule, tag, className] of [
  ['paragraph_open', 'p', 'govuk-body'],
  ['bullet_list_open', 'ul', 'govuk-list govuk-list--bullet'],
  ['ordered_list_open', 'ol', 'govuk-list govuk-list--number'],
  ['blockquote_open', 'blockquote', 'ntg-quote'],
] as const) {
  markdown.renderer.rules[rule] = (tokens, index, options, _env, self) => {
    const token = tokens[index]!;
    if (token.tag === tag) token.attrJoin('class', className);
    return self.renderToken(tokens, index, options);
  };
}

/** `@` then an email address, at the start of the text or after a space or bracket. */
const mentionPattern = /(^|[\s(])@([a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})/gi;

/** The addresses a text mentions, lower case, each once. */
export function mentionedAddresses(text: string): string[] {
  return [...new Set([...text.matchAll(mentionPattern)].map((match) => match[2]!.toLowerCase()))];
}

/** `@address` in rendered text (after a space, a bracket or a tag's end): never inside an attribute, which holds no spaces. */
const renderedMention = /(^|[\s(>])@([a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})/gi;

/** The post as safe HTML, mentions marked (as text, never links: an address is not a page). */
export function postHtml(text: string): string {
  return markdown.render(text).replace(renderedMention, (_match, before: string, address: string) => `${before}<strong class="ntg-mention">@${address}</strong>`);
}

/** The first words of a post as plain text, for a notification or a search result. */
export function postExcerpt(text: string, length = 160): string {
  const plain = text
    .replace(/[`*_>#[\]()~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length <= length ? plain : `${plain.slice(0, length - 1).trimEnd()}…`;
}
