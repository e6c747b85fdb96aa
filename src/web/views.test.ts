import { describe, expect, it } from 'vitest';
import { renderWithEncodedParts } from './encoded-html.js';
import { createViewEnvironment } from './views.js';

const environment = createViewEnvironment([]);
const rowsTemplate = '<table>{% for rows in children | batch(2) %}{% filter encoded %}{% for child in rows %}<tr><td>{{ child }}</td></tr>{% endfor %}{% endfilter %}{% endfor %}</table>';
const plainTemplate = '<table>{% for child in children %}<tr><td>{{ child }}</td></tr>{% endfor %}</table>';
const children = ['Amélie & Co', '<script>', 'Zoë', 'O’Brien', 'last'];

describe('the encoded filter of the page templates', () => {
  it('sends the rows it wraps as bytes joined into the page, the same page as without it, escaped once', () => {
    const page = renderWithEncodedParts(() => environment.renderString(rowsTemplate, { children }));
    expect(Buffer.isBuffer(page)).toBe(true);
    expect(page.toString()).toBe(environment.renderString(plainTemplate, { children }));
    expect(page.toString()).toContain('<td>Amélie &amp; Co</td>');
    expect(page.toString()).toContain('&lt;script&gt;');
  });

  it('is the same text, escaped once, where a page is rendered without joining parts (a PDF’s HTML)', () => {
    expect(environment.renderString(rowsTemplate, { children })).toBe(environment.renderString(plainTemplate, { children }));
  });
});
