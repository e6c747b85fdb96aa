import { access, constants } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { escapeHtml } from './html.js';

/** The PDF could not be made here: no Chromium, or it failed to start. The HTML print version still works. */
export class PdfUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfUnavailableError';
  }
}

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

// One Chromium at a time: each takes a few hundred megabytes, and board reports are printed rarely.
let queue: Promise<unknown> = Promise.resolve();

/** Prints one self-contained HTML document to PDF, with the title in each page's footer. */
export type PrintToPdf = (html: string, title: string) => Promise<Buffer>;

/**
 * Prints a self-contained HTML document (styles inline, charts as inline SVG, no scripts and no
 * network) to an A4 PDF with Chromium, the same engine people print the HTML version with. The PDF
 * is tagged (its structure tree follows the HTML's headings, lists and tables, in the document's
 * language) and has an outline of its headings, so give the document a `lang` and real headings.
 * Requests from the page are refused so a report can never fetch anything while it renders.
 */
export function htmlToPdf(html: string, options: { chromiumPath: string; title: string }): Promise<Buffer> {
  return withPdfPrinter(options, (print) => print(html, options.title));
}

/**
 * Runs `work` with one Chromium for several prints (a document printed twice to number its
 * contents pays for starting Chromium once), then closes it. Prints as `htmlToPdf` does.
 */
export function withPdfPrinter<T>(options: { chromiumPath: string }, work: (print: PrintToPdf) => Promise<T>): Promise<T> {
  const run = queue.then(() => withBrowser(options.chromiumPath, work));
  queue = run.catch(() => undefined);
  return run;
}

async function withBrowser<T>(chromiumPath: string, work: (print: PrintToPdf) => Promise<T>): Promise<T> {
  try {
    await access(chromiumPath, constants.X_OK);
  } catch {
    throw new PdfUnavailableError(`Chromium is not installed at ${chromiumPath} (set NTG_CHROMIUM_PATH)`);
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
  } catch (error) {
    throw new PdfUnavailableError(`Chromium at ${chromiumPath} did not start: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.route('**/*', (route) => route.abort());
    return await work(async (html, title) => {
      const page = await context.newPage();
      try {
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          margin: { top: '18mm', bottom: '18mm', left: '16mm', right: '16mm' },
          // Tagged: the PDF carries the document's structure (headings, lists, tables, the language) for
          // screen readers and reflow (PDF/UA, WCAG 2.2 1.3.1). Outline: its headings become bookmarks.
          tagged: true,
          outline: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: `<div style="font: 9px Arial, sans-serif; width: 100%; padding: 0 16mm; display: flex; justify-content: space-between;"><span>${escapeHtml(title)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
        });
      } finally {
        await page.close();
      }
    });
  } finally {
    await browser.close();
  }
}
