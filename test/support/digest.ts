/**
 * For the digest's tests and benchmark: published practice items made directly (the columns the
 * panel's decision sets, from `publishedColumns`, and the frozen version), far faster than taking
 * each through moderation, and the text of a PDF's pages as a reader would copy it.
 */
import { inflateSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import type { PracticeContent } from '../../src/practice/content.js';
import type { PracticeGrade } from '../../src/practice/tables.js';
import { publishedColumns } from '../../src/practice/workflow.js';

/** Publishes content as a new item's version 1 (or, given `itemId`, as that item's next version); returns the item's id and reference. */
export async function publishItem(
  db: Kysely<Schema>,
  content: PracticeContent,
  options: { grade: PracticeGrade; strength: number; submitterUserId?: string | null; itemId?: string },
): Promise<{ id: string; reference: number }> {
  let item: { id: string; reference: number; current_version: number };
  if (options.itemId === undefined) {
    item = await db
      .insertInto('practice_item')
      .values({ submitter_user_id: options.submitterUserId ?? null, submitter_label: 'A practitioner', draft: JSON.stringify(content), title: content.title })
      .returning(['id', 'reference', 'current_version'])
      .executeTakeFirstOrThrow();
  } else {
    item = await db.selectFrom('practice_item').select(['id', 'reference', 'current_version']).where('id', '=', options.itemId).executeTakeFirstOrThrow();
  }
  const version = item.current_version + 1;
  await db.insertInto('practice_version').values({ item_id: item.id, version, content: JSON.stringify(content), submitted_by_label: 'A practitioner' }).execute();
  await db
    .updateTable('practice_item')
    .set({ ...publishedColumns(content, options.grade, options.strength, version), current_version: version, draft: JSON.stringify(content), submitted_at: new Date() })
    .where('id', '=', item.id)
    .execute();
  return { id: item.id, reference: item.reference };
}

// ---- A PDF's text, page by page ----------------------------------------------------------------
//
// Enough of PDF to read the files Chromium writes: each page's content streams (Flate), its fonts'
// ToUnicode maps (bfchar and bfrange), and the hex glyph strings shown with Tj and TJ.

function objectSource(text: string, number: number): { dictionary: string; streamStart: number } | undefined {
  const match = new RegExp(`(?:^|[\\r\\n])${number}\\s+0\\s+obj\\b`).exec(text);
  if (match === null) return undefined;
  const start = match.index + match[0].length;
  const end = text.indexOf('endobj', start);
  const body = text.slice(start, end);
  const stream = /\bstream\r?\n/.exec(body);
  return { dictionary: stream === null ? body : body.slice(0, stream.index), streamStart: stream === null ? -1 : start + stream.index + stream[0].length };
}

function streamOf(bytes: Buffer, text: string, number: number): string {
  const source = objectSource(text, number);
  if (source === undefined || source.streamStart === -1) return '';
  const length = Number(/\/Length\s+(\d+)/.exec(source.dictionary)?.[1] ?? 0);
  const raw = bytes.subarray(source.streamStart, source.streamStart + length);
  return (/\/FlateDecode/.test(source.dictionary) ? inflateSync(raw) : raw).toString('latin1');
}

function unicodeMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const fromHex = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const pair of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(pair[1]!, 16), fromHex(pair[2]!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const range of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const first = parseInt(range[1]!, 16);
      const base = parseInt(range[3]!, 16);
      for (let code = first; code <= parseInt(range[2]!, 16); code += 1) map.set(code, String.fromCodePoint(base + code - first));
    }
  }
  return map;
}

/** The text of each page, in order: each shown string, separated by a space. */
export function pdfPageTexts(pdf: Uint8Array): string[] {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = bytes.toString('latin1');
  const root = Number(/\/Root\s+(\d+)\s+0\s+R/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
  const pagesRoot = Number(/\/Pages\s+(\d+)\s+0\s+R/.exec(objectSource(text, root)?.dictionary ?? '')?.[1]);
  const pages: number[] = [];
  const visit = (number: number) => {
    const dictionary = objectSource(text, number)?.dictionary ?? '';
    if (/\/Type\s*\/Pages\b/.test(dictionary)) for (const kid of (/\/Kids\s*\[([^\]]*)\]/.exec(dictionary)?.[1] ?? '').matchAll(/(\d+)\s+0\s+R/g)) visit(Number(kid[1]));
    else pages.push(number);
  };
  visit(pagesRoot);
  const maps = new Map<number, Map<number, string>>();
  const mapOfFont = (fontObject: number) => {
    let map = maps.get(fontObject);
    if (map === undefined) {
      const toUnicode = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(objectSource(text, fontObject)?.dictionary ?? '');
      map = toUnicode === null ? new Map() : unicodeMap(streamOf(bytes, text, Number(toUnicode[1])));
      maps.set(fontObject, map);
    }
    return map;
  };
  return pages.map((page) => {
    const dictionary = objectSource(text, page)?.dictionary ?? '';
    const fonts = new Map<string, number>();
    for (const font of (/\/Font\s*<<([^>]*)>>/.exec(dictionary)?.[1] ?? '').matchAll(/\/(\S+?)\s+(\d+)\s+0\s+R/g)) fonts.set(font[1]!, Number(font[2]));
    const contents = /\/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)/.exec(dictionary)?.[1] ?? '';
    const program = [...contents.matchAll(/(\d+)\s+0\s+R/g)].map((content) => streamOf(bytes, text, Number(content[1]))).join('\n');
    const shown: string[] = [];
    let map = new Map<number, string>();
    for (const token of program.matchAll(/\/(\S+)\s+[\d.]+\s+Tf|(<[0-9A-Fa-f\s]*>)\s*Tj|\[((?:[^\]\\]|\\.)*)\]\s*TJ/g)) {
      if (token[1] !== undefined) {
        map = mapOfFont(fonts.get(token[1]) ?? -1);
        continue;
      }
      const strings = token[2] !== undefined ? [token[2]] : [...token[3]!.matchAll(/<[0-9A-Fa-f\s]*>/g)].map((part) => part[0]);
      const decoded = strings
        .map((hex) => {
          const digits = hex.slice(1, -1).replace(/\s/g, '');
          let out = '';
          for (let index = 0; index + 4 <= digits.length; index += 4) out += map.get(parseInt(digits.slice(index, index + 4), 16)) ?? '';
          return out;
        })
        .join('');
      shown.push(decoded);
    }
    return shown.join(' ').replace(/\s+/g, ' ').trim();
  });
}
