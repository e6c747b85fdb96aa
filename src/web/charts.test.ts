import { describe, expect, it } from 'vitest';
import { renderChart } from './charts.js';

describe('charts rendered on the server', () => {
  it('gives one SVG image named by its description, with no other roles inside', async () => {
    const svg = await renderChart(
      { data: { values: [{ year: '2022/23', value: 40 }, { year: '2023/24', value: 44 }] }, mark: 'line', encoding: { x: { field: 'year', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } } },
      'Values by year, "rising" & <steady>',
    );
    expect(svg.startsWith('<svg role="img" aria-label="Values by year, &quot;rising&quot; &amp; &lt;steady>" focusable="false" ')).toBe(true);
    expect(svg.slice(10)).not.toMatch(/\srole="|aria-roledescription/);
    expect(svg).toContain('2023/24');
  });
});
