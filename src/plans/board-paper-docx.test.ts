import { inflateRawSync } from 'node:zlib';
import mammoth from 'mammoth';
import { beforeAll, describe, expect, it } from 'vitest';
import { boardPaperOfSize, exampleBoardPaper } from '../../test/fixtures/board-paper.js';
import type { BoardPaper } from './board-paper-model.js';
import { boardPaperDocx } from './board-paper-docx.js';

/** The files of a zip archive, by name, read from its central directory (enough of APPNOTE for a .docx). */
function zipEntries(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end === -1) throw new Error('No end of central directory record: not a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`Bad central directory entry ${index}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The text of an HTML fragment, tags removed and entities of the kind mammoth writes decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .trim();
}

function all(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => textOf(match[1]!));
}

/** The rows of every table, each row its cells' text, with whether each row's cells are header cells. */
function tableRows(html: string): { header: boolean; cells: string[] }[] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((match) => ({
    header: /<th\b/.test(match[1]!),
    cells: [...match[1]!.matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!)),
  }));
}

const styleMap = ["p[style-name='Title'] => h1.title:fresh", "p[style-name='caption'] => p.caption:fresh"];

describe('the board paper as a Word document', () => {
  let paper: BoardPaper;
  let docx: Buffer;
  let html: string;

  beforeAll(async () => {
    paper = exampleBoardPaper();
    docx = await boardPaperDocx(paper);
    html = (await mammoth.convertToHtml({ buffer: docx }, { styleMap })).value;
  });

  it('is a zip holding word/document.xml, A4 portrait, in British English, with a page number in the footer', () => {
    expect(docx.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    const entries = zipEntries(docx);
    const document = entries.get('word/document.xml')?.toString('utf8') ?? '';
    expect(document).toContain('<w:body>');
    expect(document).toMatch(/<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"\/>/);
    const footers = [...entries].filter(([name]) => /^word\/footer\d*\.xml$/.test(name)).map(([, content]) => content.toString('utf8'));
    expect(footers.join('')).toMatch(/PAGE/);
    expect(footers.join('')).toMatch(/NUMPAGES/);
    expect(entries.get('word/styles.xml')?.toString('utf8')).toContain('<w:lang w:val="en-GB"/>');
  });

  it('has the title and author in its properties', () => {
    const core = zipEntries(docx).get('docProps/core.xml')?.toString('utf8') ?? '';
    expect(core).toContain(`<dc:title>${paper.title}</dc:title>`);
    expect(core).toContain('<dc:creator>Narrowing the Gap</dc:creator>');
  });

  it('uses Word’s Title and heading styles: the title, each priority, the actions by status and the exceptions', () => {
    expect(all(html, 'h1')).toEqual([
      paper.title,
      'Summary',
      ...paper.priorities.map((priority) => `${priority.position}. ${priority.title}`),
      'Actions by status',
      'Exceptions',
    ]);
    expect(html).toContain(`<h1 class="title">${paper.title}</h1>`);
    const h2 = all(html, 'h2');
    expect(h2).toEqual(expect.arrayContaining(['Evidence', 'Progress', 'Actions', ...paper.actionsByStatus.map((group) => `${group.label} (${group.actions.length})`)]));
    // Each figure has its own heading under its priority.
    expect(all(html, 'h3')).toContain(paper.priorities[0]!.measures[0]!.figure!.title);
  });

  it('writes the rationale, the evidence as a list and the progress sentence of each priority', () => {
    const priority = paper.priorities[1]!;
    expect(html).toContain(priority.rationale);
    expect(html).toContain(priority.progress);
    const items = all(html, 'li');
    for (const entry of priority.evidence) expect(items).toContain(`${entry.kind}: ${entry.text}`);
  });

  it('marks each table’s first row as its header row, repeated on each page', () => {
    const rows = tableRows(html);
    const headers = rows.filter((row) => row.header).map((row) => row.cells);
    expect(headers).toContainEqual(['Figure', 'Value']);
    expect(headers).toContainEqual(['Measure', 'Baseline', 'Latest', 'Target', 'Direction']);
    expect(headers).toContainEqual(['Action', 'Owner', 'Start', 'Due', 'Status', 'Latest note']);
    expect(headers).toContainEqual(['Action', 'Priority', 'Owner', 'Due', 'Latest note']);
    expect(headers).toContainEqual(['What', 'Why']);
    const document = zipEntries(docx).get('word/document.xml')!.toString('utf8');
    const tables = document.split('<w:tbl>').length - 1;
    expect(tables).toBeGreaterThan(paper.priorities.length * 2);
    // Every table's first row (and only it) repeats as a header.
    expect(document.split('<w:tblHeader/>').length - 1).toBe(tables);
  });

  it('shows a measure’s row and an overdue action’s row', () => {
    const rows = tableRows(html).map((row) => row.cells);
    const measure = paper.priorities[1]!.measures[0]!;
    expect(rows).toContainEqual([measure.label, measure.baseline, measure.latest, measure.target, measure.directionText]);
    const overdue = paper.priorities.flatMap((priority) => priority.actions).filter((action) => action.overdue);
    expect(overdue).toHaveLength(2);
    for (const action of overdue) {
      expect(rows).toContainEqual([action.title, action.owner, action.start, `${action.due} (overdue)`, `Overdue: ${action.statusLabel}`, action.latestNote]);
    }
    const exception = paper.exceptions[0]!;
    expect(rows).toContainEqual([exception.what, exception.why]);
    expect(rows).toContainEqual(['Overdue', '2']);
  });

  it('embeds a PNG chart, with the figure’s description as its alt text, for each measure with a chart and no other', () => {
    const charted = paper.priorities.flatMap((priority) => priority.measures).flatMap((measure) => (measure.figure && measure.figure.withoutChart === undefined ? [measure.figure] : []));
    expect(charted).toHaveLength(7);
    const images = [...html.matchAll(/<img ([^>]*)\/?>/g)].map((match) => match[1]!);
    expect(images).toHaveLength(charted.length);
    for (const [index, figure] of charted.entries()) {
      expect(images[index]).toContain('src="data:image/png;base64,');
      expect(textOf(/alt="([^"]*)"/.exec(images[index]!)?.[1] ?? '')).toBe(figure.description);
    }
    const media = [...zipEntries(docx).keys()].filter((name) => name.startsWith('word/media/'));
    expect(media).toHaveLength(charted.length);
    // The measure with a single figure says why it has no chart, and gives its table.
    const single = paper.priorities[3]!.measures[1]!.figure!;
    expect(textOf(html)).toContain(`No chart: ${single.withoutChart}`);
    expect(tableRows(html).map((row) => row.cells)).toContainEqual(['2025/26', 'Baseline', '46']);
  });

  // Its speed is measured by `npm run bench -- plans`, never by a timed test.
  it('makes a 10-priority, 200-action paper holding every action', async () => {
    const large = boardPaperOfSize(10, 200);
    const bytes = await boardPaperDocx(large);
    expect(bytes.length).toBeGreaterThan(10_000);
    const text = (await mammoth.extractRawText({ buffer: bytes })).value;
    expect(text).toContain(large.priorities[9]!.actions.at(-1)!.title);
  }, 60_000);
});
