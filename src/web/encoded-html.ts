import { randomBytes } from 'node:crypto';
import { escapeHtml } from './html.js';

/**
 * HTML already encoded as UTF-8 bytes, for a large part of a page that is kept and sent again and
 * again (the rows of a plan's 200 actions, say). A page written with `reply.view` takes such a part
 * as it is: the template writes a marker where it goes, and the bytes are joined in after the
 * template is done, so the part is neither copied into the page's text nor encoded again for every
 * reader. Written anywhere else (`renderView`, for a PDF), it is its text.
 */
export class EncodedHtml {
  private readonly parts: readonly Buffer[];

  constructor(html: string | readonly Buffer[]) {
    this.parts = typeof html === 'string' ? [Buffer.from(html, 'utf8')] : html;
  }

  /**
   * Kept HTML with a slot, a text standing wherever a value of each page goes (a form's CSRF token,
   * which is the reader's own): `filled` gives the HTML with this page's value there.
   */
  static slotted(html: string, slot: string): SlottedHtml {
    return new SlottedHtml(html.split(slot).map((piece) => Buffer.from(piece, 'utf8')));
  }

  toString(): string {
    if (collecting === undefined) return this.parts.map((part) => part.toString('utf8')).join('');
    let markers = '';
    for (const part of this.parts) {
      collecting.parts.push(part);
      markers += `\u0000${collecting.nonce}:${collecting.parts.length - 1}\u0000`;
    }
    return markers;
  }
}

export class SlottedHtml {
  constructor(private readonly pieces: readonly Buffer[]) {}

  /** The HTML with `value` (text, escaped here) in each slot. */
  filled(value: string): EncodedHtml {
    if (this.pieces.length === 1) return new EncodedHtml(this.pieces);
    const fill = Buffer.from(escapeHtml(value), 'utf8');
    return new EncodedHtml(this.pieces.flatMap((piece, index) => (index === 0 ? [piece] : [fill, piece])));
  }
}

/** The parts written while a page renders: rendering is synchronous, so one page at a time. */
let collecting: { nonce: string; parts: Buffer[] } | undefined;
/**
 * Markers carry a secret made when the process starts and a page number, so no text a reader
 * supplied (a search echoed back, say) can stand for one: the secret never leaves the process,
 * as every marker is replaced before a page is sent.
 */
const secret = randomBytes(12).toString('base64url');
let pagesRendered = 0;

/** Renders with `render` and gives the page as bytes with the encoded parts joined in. */
export function renderWithEncodedParts(render: () => string): string | Buffer {
  const page = { nonce: `${secret}${(pagesRendered++).toString(36)}`, parts: [] as Buffer[] };
  const outer = collecting;
  collecting = page;
  let html: string;
  try {
    html = render();
  } finally {
    collecting = outer;
  }
  if (page.parts.length === 0) return html;
  const opening = `\u0000${page.nonce}:`;
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = html.indexOf(opening); at !== -1; at = html.indexOf(opening, from)) {
    const end = html.indexOf('\u0000', at + opening.length);
    pieces.push(Buffer.from(html.slice(from, at), 'utf8'), page.parts[Number(html.slice(at + opening.length, end))]!);
    from = end + 1;
  }
  pieces.push(Buffer.from(html.slice(from), 'utf8'));
  return Buffer.concat(pieces);
}
