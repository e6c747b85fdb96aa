import { describe, expect, it } from 'vitest';
import { chromiumPath, skipBrowserTests } from '../../test/support/browser.js';
import { htmlToPdf } from './pdf.js';

/** The literal strings of the outline's entries: Chromium writes each heading as a `/Title (…)` of a bookmark. */
function outlineTitles(pdf: string): string[] {
  return [...pdf.matchAll(/\/Title \(([^)]*)\)/g)].map((match) => match[1]!);
}

describe('a PDF printed by Chromium', () => {
  it.skipIf(skipBrowserTests)('is tagged, in the document’s language, with an outline of its headings', async () => {
    const html =
      '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Board report</title></head><body>' +
      '<h1>Reading at key stage 2</h1><p>The plan.</p><h2>1. Baseline</h2><table><tr><th>Year</th><th>Per cent</th></tr><tr><td>2023/24</td><td>33.3</td></tr></table>' +
      '<h2>2. The story behind the baseline</h2><ul><li>One</li></ul></body></html>';
    const bytes = await htmlToPdf(html, { chromiumPath, title: 'Board report' });
    // Chromium (Skia) writes the catalogue and structure uncompressed, so they can be read as text.
    const pdf = bytes.toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/MarkInfo <<\/Type \/MarkInfo\s*\/Marked true/);
    expect(pdf).toContain('/StructTreeRoot');
    expect(pdf).toContain('/Lang (en-GB)');
    expect(pdf).toMatch(/\/Outlines \d+ 0 R/);
    expect(outlineTitles(pdf)).toEqual(expect.arrayContaining(['Reading at key stage 2', '1. Baseline', '2. The story behind the baseline']));
    // The structure tree names the table and its header cells.
    expect(pdf).toMatch(/\/S \/Table\b/);
    expect(pdf).toMatch(/\/S \/TH\b/);
  }, 60_000);
});
