import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardPaperOfSize, exampleBoardPaper } from '../../test/fixtures/board-paper.js';
import { chromiumPath, launchChromium, skipBrowserTests } from '../../test/support/browser.js';
import { govukFrontendDist, sourcePath } from '../web/paths.js';
import { createViewEnvironment } from '../web/views.js';
import type { BoardPaper } from './board-paper-model.js';
import { boardPaperCharts, boardPaperPdf, boardPaperPrintHtml } from './board-paper-print.js';
import type { BoardPaperCharts } from './board-paper-print.js';

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

function headings(html: string, level: number): string[] {
  return [...html.matchAll(new RegExp(`<h${level}\\b[^>]*>([\\s\\S]*?)</h${level}>`, 'g'))].map((match) => textOf(match[1]!));
}

/** Each table's caption, header cells and rows (each row its cells' text). */
function tables(html: string): { caption: string; head: string[]; rows: string[][] }[] {
  return [...html.matchAll(/<table\b[^>]*>([\s\S]*?)<\/table>/g)].map((match) => {
    const table = match[1]!;
    const head = /<thead\b[^>]*>([\s\S]*?)<\/thead>/.exec(table)?.[1] ?? '';
    const body = /<tbody\b[^>]*>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
    return {
      caption: textOf(/<caption\b[^>]*>([\s\S]*?)<\/caption>/.exec(table)?.[1] ?? ''),
      head: [...head.matchAll(/<th scope="col"[^>]*>([\s\S]*?)<\/th>/g)].map((cell) => textOf(cell[1]!)),
      rows: [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!))),
    };
  });
}

const decode = (text: string) => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

describe('the board paper’s print version', () => {
  let paper: BoardPaper;
  let html: string;

  beforeAll(async () => {
    paper = exampleBoardPaper();
    html = await boardPaperPrintHtml(paper);
  });

  it('is a self-contained document in British English: styles inline, no scripts, nothing fetched', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\s*<html lang="en-GB">/);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//);
    expect(html).not.toMatch(/\bsrc="\//);
    expect(decode(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '')).toBe(`${paper.title} – ${paper.organisation}`);
  });

  it('has real headings: the title, the summary, each priority, the actions by status and the exceptions', () => {
    expect(headings(html, 1)).toEqual([paper.title]);
    expect(headings(html, 2)).toEqual([
      'Contents',
      'Summary',
      ...paper.priorities.map((priority) => `${priority.position}. ${priority.title}`),
      'Actions by status',
      'Exceptions',
    ]);
    const h3 = headings(html, 3);
    expect(h3).toEqual(expect.arrayContaining(['Evidence', 'Progress', 'Actions', ...paper.actionsByStatus.map((group) => `${group.label} (${group.actions.length})`)]));
    expect(headings(html, 4)).toContain(paper.priorities[0]!.measures[0]!.figure!.title);
    for (const priority of paper.priorities) expect(html).toContain(`href="#priority-${priority.position}"`);
  });

  it('gives every table a caption and column headers, and puts each in the scrolling box', () => {
    const found = tables(html);
    expect(found.length).toBeGreaterThan(paper.priorities.length * 2);
    for (const table of found) {
      expect(table.caption).not.toBe('');
      expect(table.head.length).toBeGreaterThan(0);
    }
    expect(html.split('<table').length - 1).toBe(html.split('<div class="ntg-scroll" tabindex="0" role="region" aria-label="').length - 1);
    const captions = found.map((table) => table.caption);
    expect(captions).toEqual(expect.arrayContaining(['Key figures', 'Measures of success for priority 1', `Actions for priority 1: ${paper.priorities[0]!.title}`, 'Actions on track']));
  });

  it('shows the key figures, a measure’s row, and overdue actions in words', () => {
    const found = tables(html);
    const keyFigures = found.find((table) => table.caption === 'Key figures')!;
    expect(keyFigures.head).toEqual(['Figure', 'Value']);
    expect(keyFigures.rows).toEqual(paper.keyFigures.map((figure) => [figure.label, figure.value]));
    const measure = paper.priorities[1]!.measures[0]!;
    const measures = found.find((table) => table.caption === 'Measures of success for priority 2')!;
    expect(measures.head).toEqual(['Measure', 'Baseline', 'Latest', 'Target', 'Direction']);
    expect(measures.rows).toContainEqual([measure.label, measure.baseline, measure.latest, measure.target, measure.directionText]);
    const rows = found.flatMap((table) => table.rows);
    for (const action of paper.priorities.flatMap((priority) => priority.actions).filter((entry) => entry.overdue)) {
      // In its priority's table and in its status's table, its status and "Overdue" in words, not colour alone.
      expect(rows).toContainEqual([action.title, action.owner, action.start, action.due, `${action.statusLabel} Overdue`, action.latestNote]);
      expect(rows).toContainEqual([action.title, action.priority, action.owner, action.start, action.due, `${action.statusLabel} Overdue`, action.latestNote]);
    }
    const exceptions = found.find((table) => table.head.join() === 'What,Why')!;
    expect(exceptions.rows).toEqual(paper.exceptions.map((entry) => [entry.what, entry.why]));
  });

  it('draws each chart inline, named by its description, with its table after it', () => {
    const figures = paper.priorities.flatMap((priority) => priority.measures).flatMap((measure) => (measure.figure ? [measure.figure] : []));
    const svgs = [...html.matchAll(/<svg role="img" aria-label="([^"]*)"/g)].map((match) => decode(match[1]!));
    expect(svgs).toEqual(figures.filter((figure) => figure.withoutChart === undefined).map((figure) => figure.description));
    for (const figure of figures) {
      const section = new RegExp(`<section class="ntg-figure[^"]*" id="figure-${figure.id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
      expect(section).not.toBe('');
      if (figure.withoutChart === undefined) expect(section.indexOf('<svg')).toBeLessThan(section.indexOf('<table'));
      else expect(textOf(section)).toContain(`No chart: ${figure.withoutChart}`);
      expect(tables(section)[0]?.caption).toBe(figure.table.caption);
    }
  });

  it('uses the charts it is given', async () => {
    const charts: BoardPaperCharts = await boardPaperCharts(paper);
    expect(Object.keys(charts)).toEqual(['measure-1-1', 'measure-1-2', 'measure-2-1', 'measure-3-1', 'measure-3-2', 'measure-5-1', 'measure-6-1']);
    const given = await boardPaperPrintHtml(paper, { ...charts, 'measure-2-1': '<svg role="img" aria-label="Given">a given chart</svg>' });
    expect(given).toContain('a given chart');
    // A chart left out leaves its figure's table, and says there is no chart.
    const { ['measure-1-1']: _left, ...rest } = charts;
    const without = await boardPaperPrintHtml(paper, rest);
    expect(without.split('<svg').length).toBe(html.split('<svg').length - 1);
  });

  it('works inside the service’s page layout, under the page’s own h1', () => {
    const environment = createViewEnvironment([sourcePath('plans', 'views')]);
    const page = environment.renderString(
      '{% extends "layout.njk" %}{% block content %}<h1 class="govuk-heading-xl">{{ paper.title }}</h1>{% include "plans/improvement/_board-paper-body.njk" %}{% endblock %}',
      { paper, charts: {}, serviceName: 'Narrowing the Gap', navigation: [] },
    );
    expect(headings(page, 1)).toEqual([paper.title]);
    expect(headings(page, 2)).toContain('Actions by status');
    expect(page).toContain('class="govuk-table__caption');
    // With headingLevel 3 the body sits one level further down.
    const nested = environment.renderString('{% include "plans/improvement/_board-paper-body.njk" %}', { paper, charts: {}, headingLevel: 3 });
    expect(headings(nested, 2)).toEqual([]);
    expect(headings(nested, 3)).toContain('Exceptions');
    expect(headings(nested, 4)).toContain('Evidence');
  });

  describe.skipIf(skipBrowserTests)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function widthAt390(content: string): Promise<number> {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
      try {
        await page.route('**/*', (route) => route.abort());
        await page.setContent(content, { waitUntil: 'load' });
        return await page.evaluate<number>('document.documentElement.scrollWidth');
      } finally {
        await page.close();
      }
    }

    it('does not scroll sideways at 390 pixels, as the print version or inside the page layout', async () => {
      expect(await widthAt390(html)).toBe(390);
      const environment = createViewEnvironment([sourcePath('plans', 'views')]);
      const styles = [join(govukFrontendDist, 'govuk', 'govuk-frontend.min.css'), sourcePath('web', 'public', 'ntg.css'), sourcePath('web', 'public', 'figures.css')]
        .map((file) => `<style>${readFileSync(file, 'utf8')}</style>`)
        .join('');
      const page = environment
        .renderString('{% extends "layout.njk" %}{% block content %}<h1 class="govuk-heading-xl">{{ paper.title }}</h1>{% include "plans/improvement/_board-paper-body.njk" %}{% endblock %}', {
          paper,
          charts: await boardPaperCharts(paper),
          serviceName: 'Narrowing the Gap',
          navigation: [],
        })
        .replace(/<link rel="stylesheet"[^>]*>/g, '')
        .replace('</head>', `${styles}</head>`);
      expect(await widthAt390(page)).toBe(390);
    });

    it('prints to a PDF', async () => {
      const pdf = await boardPaperPdf(paper, { chromiumPath });
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-')).toBe(true);
      // Tagged, in the document's language, its headings as bookmarks.
      expect(text).toContain('/Lang (en-GB)');
      expect(text).toMatch(/\/Outlines \d+ 0 R/);
    }, 60_000);

    it('prints a 10-priority, 200-action paper', async () => {
      const large = boardPaperOfSize(10, 200);
      const pdf = await boardPaperPdf(large, { chromiumPath });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }, 120_000);
  });
});
