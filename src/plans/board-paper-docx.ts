/**
 * The board paper as a Word document, to drop into a council's committee papers: Word's own
 * Title and Heading styles (so the navigation pane and a contents field work), the document's
 * title and author in its properties, A4 portrait with page numbers in the footer, tables whose
 * header rows are marked as headers (read as headers and repeated on each page), and each
 * measure's chart as a PNG with the figure's description as its alt text, its figures in a table
 * after it. Everything it says comes from the BoardPaper: it computes nothing.
 */
import {
  AlignmentType,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TabStopType,
  TextRun,
  WidthType,
} from 'docx';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { figurePng } from '../web/figure-downloads.js';
import type { BoardAction, BoardMeasure, BoardPaper, BoardPriority } from './board-paper-model.js';

/** A4 in twentieths of a point, with 2 cm margins. */
const page = { width: 11906, height: 16838, margin: 1134 } as const;
const contentWidth = page.width - 2 * page.margin;
/** The widest a chart is drawn, in pixels at 96 to the inch (the content is about 670 wide). */
const maxImageWidth = 620;
const font = 'Arial';
const textColour = '0B0C0C';

type Block = Paragraph | Table;

/** A table cell: text, or text in bold (a row's header), or text with a label in bold before it ("Overdue:"). */
type Cell = string | { label?: string; text: string; strong?: boolean };

function heading(text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel]): Paragraph {
  return new Paragraph({ heading: level, children: [new TextRun(text)] });
}

function paragraph(text: string, options: { bold?: string; keepNext?: boolean } = {}): Paragraph {
  return new Paragraph({
    keepNext: options.keepNext,
    children: [...(options.bold === undefined ? [] : [new TextRun({ text: `${options.bold} `, bold: true })]), new TextRun(text)],
  });
}

function cellRuns(cell: Cell, bold: boolean): TextRun[] {
  if (typeof cell === 'string') return [new TextRun({ text: cell, bold })];
  return [...(cell.label === undefined ? [] : [new TextRun({ text: `${cell.label} `, bold: true })]), new TextRun({ text: cell.text, bold: bold || cell.strong === true })];
}

/**
 * A table with its caption above it (Word's Caption style, kept with the table): the header row
 * marked as one, so Word repeats it on each page and reads it to screen readers as the header,
 * and no row split across a page. `widths` are shares of the page's width, in per cent.
 */
function table(caption: string, head: readonly string[], rows: readonly (readonly Cell[])[], widths: readonly number[], numeric: readonly boolean[] = []): Block[] {
  const total = widths.reduce((sum, width) => sum + width, 0);
  const columnWidths = widths.map((width) => Math.floor((contentWidth * width) / total));
  const cell = (content: Cell, column: number, header: boolean) =>
    new TableCell({
      width: { size: columnWidths[column] ?? 0, type: WidthType.DXA },
      shading: header ? { type: ShadingType.CLEAR, fill: 'F3F2F1', color: 'auto' } : undefined,
      margins: { top: 40, bottom: 40, left: 80, right: 80 },
      children: [new Paragraph({ keepNext: header, alignment: numeric[column] === true ? AlignmentType.RIGHT : undefined, children: cellRuns(content, header) })],
    });
  return [
    new Paragraph({ style: 'Caption', keepNext: true, children: [new TextRun(caption)] }),
    new Table({
      width: { size: contentWidth, type: WidthType.DXA },
      columnWidths,
      rows: [
        new TableRow({ tableHeader: true, cantSplit: true, children: head.map((text, column) => cell(text, column, true)) }),
        ...rows.map((row) => new TableRow({ cantSplit: true, children: row.map((content, column) => cell(content, column, false)) })),
      ],
    }),
    // Word runs two tables together when nothing is between them.
    new Paragraph({ spacing: { after: 120 }, children: [] }),
  ];
}

function bullets(items: readonly { label?: string; text: string }[]): Paragraph[] {
  return items.map(
    (item) =>
      new Paragraph({
        bullet: { level: 0 },
        children: [...(item.label === undefined ? [] : [new TextRun({ text: `${item.label}: `, bold: true })]), new TextRun(item.text)],
      }),
  );
}

function figureCellText(cell: FigureCell): string {
  if (cell === null) return '–';
  if (typeof cell === 'number') return cell.toLocaleString('en-GB', { maximumFractionDigits: 2 });
  if (typeof cell === 'boolean') return cell ? 'Yes' : 'No';
  return cell;
}

/** A PNG's size in pixels, from its header (IHDR, the first chunk). */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function chartImage(figure: ChartFigure, png: Buffer): Paragraph {
  // figurePng draws at twice the chart's size: half is its size on the page.
  const size = pngSize(png);
  const width = Math.min(maxImageWidth, Math.round(size.width / 2));
  const height = Math.round((size.height * width) / size.width);
  return new Paragraph({
    keepNext: true,
    children: [
      new ImageRun({
        type: 'png',
        data: png,
        transformation: { width, height },
        altText: { name: figure.title, title: figure.title, description: figure.description },
      }),
    ],
  });
}

/** A measure's figure: its title, its summary, the chart (or why there is none), its table and notes. */
function measureFigure(figure: ChartFigure, png: Buffer | undefined): Block[] {
  const { caption, head, rows, rowHeaders = false } = figure.table;
  return [
    heading(figure.title, HeadingLevel.HEADING_3),
    paragraph(figure.summary),
    png === undefined ? paragraph(figure.withoutChart ?? 'No chart.', { bold: 'No chart:' }) : chartImage(figure, png),
    ...table(
      caption,
      head,
      rows.map((row) => row.map((value, column) => (rowHeaders && column === 0 ? { text: figureCellText(value), strong: true } : figureCellText(value)))),
      head.map((_, column) => (column === 0 ? 2 : 1)),
      head.map((_, column) => column > 0 && rows.some((row) => typeof row[column] === 'number')),
    ),
    ...(figure.notes ?? []).map((note) => paragraph(note)),
  ];
}

function measuresTable(priority: BoardPriority): Block[] {
  if (priority.measures.length === 0) return [paragraph('This priority has no measures yet.')];
  return table(
    `Measures of success: ${priority.title}`,
    ['Measure', 'Baseline', 'Latest', 'Target', 'Direction'],
    priority.measures.map((measure: BoardMeasure) => [measure.label, measure.baseline, measure.latest, measure.target, measure.directionText]),
    [30, 15, 15, 15, 25],
  );
}

function statusCell(action: BoardAction): Cell {
  return action.overdue ? { label: 'Overdue:', text: action.statusLabel } : action.statusLabel;
}

function dueCell(action: BoardAction): Cell {
  return action.overdue ? { text: `${action.due} (overdue)` } : action.due;
}

function actionsTable(priority: BoardPriority): Block[] {
  if (priority.actions.length === 0) return [paragraph('This priority has no actions yet.')];
  return table(
    `Actions: ${priority.title}`,
    ['Action', 'Owner', 'Start', 'Due', 'Status', 'Latest note'],
    priority.actions.map((action) => [action.title, action.owner, action.start, dueCell(action), statusCell(action), action.latestNote || '–']),
    [26, 15, 12, 12, 11, 24],
  );
}

function prioritySection(priority: BoardPriority, pngs: ReadonlyMap<ChartFigure, Buffer>): Block[] {
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: true, children: [new TextRun(`${priority.position}. ${priority.title}`)] }),
    paragraph(priority.rationale),
    heading('Evidence', HeadingLevel.HEADING_2),
    ...(priority.evidence.length === 0 ? [paragraph('No evidence is linked to this priority yet.')] : bullets(priority.evidence.map((entry) => ({ label: entry.kind, text: entry.text })))),
    heading('Progress', HeadingLevel.HEADING_2),
    paragraph(priority.progress),
    ...measuresTable(priority),
    ...priority.measures.flatMap((measure) => (measure.figure === null ? [] : measureFigure(measure.figure, pngs.get(measure.figure)))),
    heading('Actions', HeadingLevel.HEADING_2),
    ...actionsTable(priority),
  ];
}

function actionsByStatus(paper: BoardPaper): Block[] {
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: true, children: [new TextRun('Actions by status')] }),
    ...paper.actionsByStatus.flatMap(({ label, actions }) => [
      heading(`${label} (${actions.length})`, HeadingLevel.HEADING_2),
      ...(actions.length === 0
        ? [paragraph(`No actions are ${label.toLowerCase()}.`)]
        : table(
            `Actions ${label.toLowerCase()}`,
            ['Action', 'Priority', 'Owner', 'Due', 'Latest note'],
            actions.map((action) => [action.title, action.priority, action.owner, dueCell(action), action.latestNote || '–']),
            [27, 22, 15, 12, 24],
          )),
    ]),
  ];
}

function exceptions(paper: BoardPaper): Block[] {
  return [
    heading('Exceptions', HeadingLevel.HEADING_1),
    paragraph('Overdue, off-track and at-risk actions, and measures moving away from their targets: what the board needs to hear about.'),
    ...(paper.exceptions.length === 0
      ? [paragraph('There are no exceptions to report.')]
      : table(
          'Exceptions for the board',
          ['What', 'Why'],
          paper.exceptions.map((entry) => [entry.what, entry.why]),
          [45, 55],
        )),
  ];
}

function summary(paper: BoardPaper): Block[] {
  return [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(paper.title)] }),
    paragraph(paper.organisation, { bold: 'Organisation:' }),
    paragraph(paper.period, { bold: 'Plan period:' }),
    paragraph(paper.asOf, { bold: 'Report date:' }),
    paragraph(paper.vision, { bold: 'Vision:' }),
    heading('Summary', HeadingLevel.HEADING_1),
    ...paper.summary.map((text) => paragraph(text)),
    ...table(
      'Key figures',
      ['Figure', 'Value'],
      paper.keyFigures.map((figure) => [figure.label, figure.value]),
      [70, 30],
      [false, true],
    ),
  ];
}

const headingStyle = (size: number, before: number) => ({
  run: { font, size, bold: true, color: textColour },
  paragraph: { spacing: { before, after: 120 }, keepNext: true, keepLines: true },
});

/** The charts of every measure with one, drawn at once (each PNG is independent). */
async function chartPngs(paper: BoardPaper): Promise<Map<ChartFigure, Buffer>> {
  const figures = paper.priorities.flatMap((priority) => priority.measures.flatMap((measure) => (measure.figure !== null && measure.figure.withoutChart === undefined ? [measure.figure] : [])));
  const pngs = await Promise.all(figures.map((figure) => figurePng(figure)));
  return new Map(figures.map((figure, index) => [figure, pngs[index]!]));
}

/** The board paper as a .docx file. */
export async function boardPaperDocx(paper: BoardPaper): Promise<Buffer> {
  const pngs = await chartPngs(paper);
  const document = new Document({
    title: paper.title,
    subject: `${paper.organisation}: ${paper.period}`,
    description: `${paper.title}, ${paper.organisation}, ${paper.asOf}.`,
    creator: 'Narrowing the Gap',
    lastModifiedBy: 'Narrowing the Gap',
    styles: {
      default: {
        document: { run: { font, size: 22, color: textColour, language: { value: 'en-GB' } }, paragraph: { spacing: { after: 120 } } },
        title: headingStyle(40, 0),
        heading1: { ...headingStyle(32, 240), paragraph: { ...headingStyle(32, 240).paragraph, outlineLevel: 0 } },
        heading2: { ...headingStyle(26, 200), paragraph: { ...headingStyle(26, 200).paragraph, outlineLevel: 1 } },
        heading3: { ...headingStyle(22, 160), paragraph: { ...headingStyle(22, 160).paragraph, outlineLevel: 2 } },
        caption: { run: { font, size: 20, bold: true, color: textColour }, paragraph: { spacing: { before: 120, after: 60 }, keepNext: true } },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: page.width, height: page.height, orientation: PageOrientation.PORTRAIT },
            margin: { top: page.margin, bottom: page.margin, left: page.margin, right: page.margin, header: 567, footer: 567 },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                tabStops: [{ type: TabStopType.RIGHT, position: contentWidth }],
                alignment: AlignmentType.LEFT,
                children: [
                  new TextRun({ text: `${paper.title} · ${paper.organisation}`, size: 18 }),
                  new TextRun({ children: ['\tPage ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], size: 18 }),
                ],
              }),
            ],
          }),
        },
        children: [...summary(paper), ...paper.priorities.flatMap((priority) => prioritySection(priority, pngs)), ...actionsByStatus(paper), ...exceptions(paper)],
      },
    ],
  });
  return Packer.toBuffer(document);
}
