/**
 * The digest's print: a self-contained HTML document (a cover, a contents page, the introduction,
 * then each section starting on a new page) printed to an A4 PDF by Chromium, with page numbers in
 * the footer and in the contents.
 *
 * Chromium cannot number a contents page by itself, so the print is made twice. The contents link
 * to each section and item; Chromium turns each link's target into a named destination that says
 * which page it landed on. The first print leaves the contents' numbers blank (their space kept, so
 * nothing moves); reading those destinations gives each heading's page; the second print fills the
 * numbers in. Should the numbers move anything (they never should), a third print settles it.
 */
import { inflateSync } from 'node:zlib';
import type nunjucks from 'nunjucks';
import { createViewEnvironment } from '../web/views.js';
import { sourcePath } from '../web/paths.js';
import { withPdfPrinter } from '../web/pdf.js';
import { padlockSymbols } from './library-routes.js';
import type { EditionView } from './digest.js';

/** Prints after the first that may be needed to settle the contents' page numbers. */
const maxPrints = 3;

let environment: nunjucks.Environment | undefined;

/** The practice views with the web layer's filters: the same `date` and numbers as the pages. */
function printEnvironment(): nunjucks.Environment {
  environment ??= createViewEnvironment([sourcePath('practice', 'views')]);
  return environment;
}

export interface PrintOptions {
  /** The service's public address, so the print's links lead back to the library. */
  publicUrl: string;
  /** Each heading's page, by its anchor; blank numbers (their space kept) when not yet known. */
  pageNumbers?: ReadonlyMap<string, number>;
  /** False for HTML read on screen, where there are no pages: the contents then have no numbers. */
  numbered?: boolean;
}

/** The print as HTML: styles inline, nothing fetched, so it prints the same in Chromium and in a browser. */
export function digestPrintHtml(view: EditionView, options: PrintOptions): string {
  const pages = options.pageNumbers;
  return printEnvironment().render('practice/digest/print.njk', {
    edition: view,
    publicUrl: options.publicUrl,
    padlockSymbols,
    numbered: options.numbered ?? true,
    pageOf: (anchor: string) => (pages === undefined ? '' : String(pages.get(anchor) ?? '')),
  });
}

/** Every anchor the contents point to: where the page numbers are read. */
export function contentsAnchors(view: EditionView): string[] {
  return ['introduction', ...view.sections.flatMap((section) => [section.anchor, ...section.entries.map((entry) => entry.anchor)])];
}

export interface DigestPrint {
  pdf: Buffer;
  pageNumbers: Map<string, number>;
  /** How many times Chromium printed it (2 unless the numbers moved something). */
  prints: number;
}

/** Prints an edition to PDF with its contents numbered. */
export async function printDigest(view: EditionView, options: { chromiumPath: string; publicUrl: string }): Promise<DigestPrint> {
  const title = `${view.title}: edition ${view.number}`;
  const anchors = contentsAnchors(view);
  return withPdfPrinter(options, async (print) => {
    let pageNumbers = new Map<string, number>();
    let pdf = await print(digestPrintHtml(view, { publicUrl: options.publicUrl }), title);
    for (let prints = 1; ; prints += 1) {
      const landed = namedDestinationPages(pdf);
      const found = new Map(anchors.flatMap((anchor) => (landed.has(anchor) ? [[anchor, landed.get(anchor)!] as const] : [])));
      const settled = prints > 1 && anchors.every((anchor) => found.get(anchor) === pageNumbers.get(anchor));
      if (settled || prints > maxPrints) return { pdf, pageNumbers: found, prints };
      pageNumbers = found;
      pdf = await print(digestPrintHtml(view, { publicUrl: options.publicUrl, pageNumbers }), title);
    }
  });
}

// ---- Reading a PDF's named destinations ---------------------------------------------------------
//
// Enough of PDF (ISO 32000-1) to find which page each named destination is on in the files
// Chromium writes: the cross-reference table (or, failing that, a scan for objects), the page tree
// in order, and the destinations, as a /Dests dictionary (7.7.2) or a /Names tree (7.7.4).
// Objects in compressed object streams (7.5.7) are read too, should a later Chromium use them.

type PdfObjects = Map<number, string>;


function objectsByXref(text: string): PdfObjects | undefined {
  const start = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(-2048));
  if (start === null) return undefined;
  const offset = Number(start[1]);
  if (text.slice(offset, offset + 4) !== 'xref') return undefined;
  const objects: PdfObjects = new Map();
  const table = /(\d+)\s+(\d+)\s*[\r\n]+|(\d{10})\s+(\d{5})\s+([nf])\s*/y;
  table.lastIndex = offset + 4;
  let next = 0;
  while (/\s/.test(text[table.lastIndex] ?? '')) table.lastIndex += 1;
  for (let match = table.exec(text); match !== null; match = table.exec(text)) {
    if (match[1] !== undefined) next = Number(match[1]);
    else {
      if (match[5] === 'n') objects.set(next, objectAt(text, Number(match[3])));
      next += 1;
    }
    while (/\s/.test(text[table.lastIndex] ?? '')) table.lastIndex += 1;
  }
  return objects.size > 0 ? objects : undefined;
}

/** The object's body from its offset: up to `endobj`, or to `stream` (only dictionaries are read). */
function objectAt(text: string, offset: number): string {
  const header = /\d+\s+\d+\s+obj/y;
  header.lastIndex = offset;
  if (header.exec(text) === null) return '';
  const end = text.indexOf('endobj', header.lastIndex);
  const body = text.slice(header.lastIndex, end === -1 ? undefined : end);
  const stream = body.search(/\bstream[\r\n]/);
  return (stream === -1 ? body : body.slice(0, stream)).trim();
}

function objectsByScan(text: string): PdfObjects {
  const objects: PdfObjects = new Map();
  for (const match of text.matchAll(/(?:^|[\r\n])(\d+)\s+\d+\s+obj\b/g)) objects.set(Number(match[1]), objectAt(text, match.index + match[0].indexOf(match[1]!)));
  return objects;
}

/** Objects kept in compressed object streams (/Type /ObjStm), added to those found directly. */
function addObjectStreams(bytes: Buffer, text: string, objects: PdfObjects): void {
  for (const marker of text.matchAll(/\/Type\s*\/ObjStm\b/g)) {
    // The stream's dictionary: back to its `N 0 obj` header, on to its `stream` keyword.
    const header = text.lastIndexOf(' obj', marker.index);
    const keyword = /stream\r?\n/g;
    keyword.lastIndex = marker.index;
    const found = keyword.exec(text);
    if (header === -1 || found === null) continue;
    const dictionary = text.slice(header, found.index);
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary);
    const first = /\/First\s+(\d+)/.exec(dictionary);
    const count = /\/N\s+(\d+)/.exec(dictionary);
    if (length === null || first === null || count === null || !/\/FlateDecode/.test(dictionary)) continue;
    const start = found.index + found[0].length;
    let decoded: string;
    try {
      decoded = inflateSync(bytes.subarray(start, start + Number(length[1]))).toString('latin1');
    } catch {
      continue;
    }
    const offset = Number(first[1]);
    const total = Number(count[1]);
    const pairs = decoded.slice(0, offset).trim().split(/\s+/).map(Number);
    for (let index = 0; index < total; index += 1) {
      const number = pairs[index * 2]!;
      const from = offset + pairs[index * 2 + 1]!;
      const to = index + 1 < total ? offset + pairs[index * 2 + 3]! : decoded.length;
      if (!objects.has(number)) objects.set(number, decoded.slice(from, to).trim());
    }
  }
}

function refIn(text: string, key: string): number | undefined {
  const match = new RegExp(`/${key}\\s+(\\d+)\\s+\\d+\\s+R`).exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** The dictionary or array that follows `/key`, whether written in place or by reference. */
function valueOf(objects: PdfObjects, text: string, key: string): string | undefined {
  const at = new RegExp(`/${key}\\s*`).exec(text);
  if (at === null) return undefined;
  const rest = text.slice(at.index + at[0].length);
  const indirect = /^(\d+)\s+\d+\s+R/.exec(rest);
  if (indirect !== null) return objects.get(Number(indirect[1]));
  return balanced(rest);
}

/** The balanced `<<…>>` or `[…]` at the start of the text. */
function balanced(text: string): string | undefined {
  const open = text.startsWith('<<') ? '<<' : text.startsWith('[') ? '[' : undefined;
  if (open === undefined) return undefined;
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    if (text.startsWith('<<', index) || text[index] === '[') depth += 1;
    else if (text.startsWith('>>', index) || text[index] === ']') depth -= 1;
    if (text.startsWith('<<', index) || text.startsWith('>>', index)) index += 1;
    if (depth === 0) return text.slice(0, index + 1);
  }
  return undefined;
}

function pageOrder(objects: PdfObjects, root: number): Map<number, number> {
  const pages = new Map<number, number>();
  const visit = (number: number, depth: number) => {
    const node = objects.get(number);
    if (node === undefined || depth > 64) return;
    if (/\/Type\s*\/Pages\b/.test(node)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(node)?.[1] ?? '';
      for (const kid of kids.matchAll(/(\d+)\s+\d+\s+R/g)) visit(Number(kid[1]), depth + 1);
    } else {
      pages.set(number, pages.size + 1);
    }
  };
  visit(root, 0);
  return pages;
}

function decodeName(name: string): string {
  return name.replace(/#([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function decodeString(literal: string): string {
  if (literal.startsWith('<')) {
    const hex = literal.slice(1, -1).replace(/\s/g, '');
    const bytes = Buffer.from(hex.length % 2 === 0 ? hex : `${hex}0`, 'hex');
    return bytes[0] === 0xfe && bytes[1] === 0xff ? bytes.subarray(2).swap16().toString('utf16le') : bytes.toString('latin1');
  }
  return literal.slice(1, -1).replace(/\\([()\\])/g, '$1');
}

/** The page object a destination points at: `[page /XYZ …]`, a reference to one, or `<< /D […] >>`. */
function destinationPage(objects: PdfObjects, value: string): number | undefined {
  let text = value.trim();
  const indirect = /^(\d+)\s+\d+\s+R/.exec(text);
  if (indirect !== null) text = objects.get(Number(indirect[1])) ?? '';
  if (text.startsWith('<<')) text = valueOf(objects, text, 'D') ?? '';
  const page = /^\[\s*(\d+)\s+\d+\s+R/.exec(text.trim());
  return page === null ? undefined : Number(page[1]);
}

function destinationsInDictionary(objects: PdfObjects, dictionary: string, into: Map<string, number>): void {
  const body = dictionary.replace(/^<<|>>$/g, '');
  const entry = /\/([^\s/[\]<>()]+)\s*/g;
  for (let match = entry.exec(body); match !== null; match = entry.exec(body)) {
    const rest = body.slice(entry.lastIndex);
    const value = /^\d+\s+\d+\s+R/.exec(rest)?.[0] ?? balanced(rest);
    if (value === undefined) continue;
    const page = destinationPage(objects, value);
    if (page !== undefined) into.set(decodeName(match[1]!), page);
    entry.lastIndex += value.length;
  }
}

function destinationsInNameTree(objects: PdfObjects, node: string, into: Map<string, number>, depth = 0): void {
  if (depth > 32) return;
  const names = valueOf(objects, node, 'Names');
  if (names !== undefined) {
    const body = names.slice(1, -1);
    const pair = /(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)\s*/g;
    for (let match = pair.exec(body); match !== null; match = pair.exec(body)) {
      const rest = body.slice(pair.lastIndex);
      const value = /^\d+\s+\d+\s+R/.exec(rest)?.[0] ?? balanced(rest);
      if (value === undefined) continue;
      const page = destinationPage(objects, value);
      if (page !== undefined) into.set(decodeString(match[1]!), page);
      pair.lastIndex += value.length;
    }
  }
  const kids = valueOf(objects, node, 'Kids');
  for (const kid of kids?.matchAll(/(\d+)\s+\d+\s+R/g) ?? []) {
    const child = objects.get(Number(kid[1]));
    if (child !== undefined) destinationsInNameTree(objects, child, into, depth + 1);
  }
}

/**
 * The page (from 1) of each named destination in a PDF, by name. Empty when the file has none or
 * cannot be read this simply; never throws on a malformed file.
 */
export function namedDestinationPages(pdf: Uint8Array): Map<string, number> {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = bytes.toString('latin1');
  const objects = objectsByXref(text) ?? objectsByScan(text);
  addObjectStreams(bytes, text, objects);
  const trailer = text.lastIndexOf('trailer');
  const rootNumber = refIn(trailer === -1 ? '' : text.slice(trailer), 'Root') ?? [...objects].find(([, body]) => /\/Type\s*\/Catalog\b/.test(body))?.[0];
  const catalog = rootNumber === undefined ? undefined : objects.get(rootNumber);
  if (catalog === undefined) return new Map();
  const pagesRoot = refIn(catalog, 'Pages');
  const pages = pagesRoot === undefined ? new Map<number, number>() : pageOrder(objects, pagesRoot);
  const byObject = new Map<string, number>();
  const dests = valueOf(objects, catalog, 'Dests');
  if (dests !== undefined) destinationsInDictionary(objects, dests, byObject);
  const names = valueOf(objects, catalog, 'Names');
  const tree = names === undefined ? undefined : valueOf(objects, names, 'Dests');
  if (tree !== undefined) destinationsInNameTree(objects, tree, byObject);
  const result = new Map<string, number>();
  for (const [name, pageObject] of byObject) {
    const page = pages.get(pageObject);
    if (page !== undefined) result.set(name, page);
  }
  return result;
}

/** How many pages a PDF has, from its page tree. */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((match) => Number(match[1] ?? match[2]));
  return counts.length === 0 ? 0 : Math.max(...counts);
}
