import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart, renderStandaloneChart } from './charts.js';

const rising: TopLevelSpec = {
  data: { values: [{ year: '2022/23', value: 40, tip: '2022/23: 40 & "rising"' }, { year: '2023/24', value: 44, tip: '2023/24: <44>' }] },
  encoding: { x: { field: 'year', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } },
  layer: [{ mark: 'line' }, { mark: { type: 'point', aria: true }, encoding: { description: { field: 'tip' } } }],
};

describe('charts rendered on the server', () => {
  it('gives one SVG image named by its description, with no other roles inside', async () => {
    const svg = await renderChart(
      { data: { values: [{ year: '2022/23', value: 40 }, { year: '2023/24', value: 44 }] }, mark: 'line', encoding: { x: { field: 'year', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } } },
      'Values by year, "rising" & <steady>',
    );
    expect(svg.startsWith('<svg role="img" aria-label="Values by year, &quot;rising&quot; &amp; &lt;steady&gt;" focusable="false" ')).toBe(true);
    expect(svg.match(/\srole="|aria-/g)).toEqual([' role="', 'aria-']);
    expect(svg).toContain('2023/24');
  });

  it('gives each point of a described mark its text as a tooltip, escaped, and no label inside the image', async () => {
    const svg = await renderChart(rising, 'Values by year');
    const points = [...svg.matchAll(/<path data-ntg-tip="([^"]*)"[^>]*><title>([^<]*)<\/title><\/path>/g)].map((match) => [match[1], match[2]]);
    expect(points).toEqual([
      ['2022/23: 40 &amp; &quot;rising&quot;', '2022/23: 40 &amp; &quot;rising&quot;'],
      ['2023/24: &lt;44&gt;', '2023/24: &lt;44&gt;'],
    ]);
    expect(svg.match(/aria-/g)).toEqual(['aria-']);
  });

  it('measures text with Arial’s widths, so a chart is no wider than what it draws', async () => {
    const svg = await renderChart({ ...rising, width: 300, title: 'A title as wide as the chart, more or less' }, 'Values by year');
    const width = Number(/ width="(\d+)"/.exec(svg)?.[1]);
    // Vega's own guess (0.8 of the font size a character) would make the 13-pixel title 437 pixels wide.
    expect(width).toBeGreaterThan(300);
    expect(width).toBeLessThan(360);
  });

  it('writes a standalone SVG file with an XML declaration, a title and a description', async () => {
    const svg = await renderStandaloneChart(rising, { title: 'Values & years', description: 'Two <points>' });
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" [^>]*width="\d+" height="\d+"[^>]*><title>Values &amp; years<\/title><desc>Two &lt;points&gt;<\/desc>/);
    expect(svg).not.toMatch(/\srole="|aria-/);
  });
});
