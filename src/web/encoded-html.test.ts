import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { EncodedHtml, renderWithEncodedParts } from './encoded-html.js';

const environment = new nunjucks.Environment(null, { autoescape: true });
const render = (template: string, context: Record<string, unknown>) => environment.renderString(template, context);
const text = (page: string | Buffer) => (typeof page === 'string' ? page : page.toString('utf8'));

describe('encoded HTML parts', () => {
  it('joins each part in where the template writes it, as often as it is written', () => {
    const rows = new EncodedHtml('<tr><td>Café – naïve</td></tr>');
    const page = renderWithEncodedParts(() => render('<table>{{ rows | safe }}</table><p>{{ title }}</p><table>{{ rows | safe }}</table>', { rows, title: 'A & B' }));
    expect(Buffer.isBuffer(page)).toBe(true);
    expect(text(page)).toBe('<table><tr><td>Café – naïve</td></tr></table><p>A &amp; B</p><table><tr><td>Café – naïve</td></tr></table>');
  });

  it('gives the text as it is when no part is written', () => {
    expect(renderWithEncodedParts(() => render('<p>{{ title }}</p>', { title: 'Plain' }))).toBe('<p>Plain</p>');
  });

  it('is its text when written outside a page (a PDF’s HTML, say)', () => {
    expect(render('<div>{{ part | safe }}</div>', { part: new EncodedHtml('<b>kept</b>') })).toBe('<div><b>kept</b></div>');
  });

  it('takes no text a reader supplied for a marker', () => {
    const part = new EncodedHtml('<b>part</b>');
    // A reader's text shaped like a marker, with every nonce a guess could try.
    const forged = ['\u00000:0\u0000', '\u0000:0\u0000', '\u0000x:0\u0000'].join('');
    const page = text(renderWithEncodedParts(() => render('{{ part | safe }}<p>{{ forged }}</p>', { part, forged })));
    expect(page).toBe(`<b>part</b><p>${forged}</p>`);
  });

  it('leaves no page collecting after a template fails', () => {
    expect(() => renderWithEncodedParts(() => render('{{ part | safe }}{% if %}', { part: new EncodedHtml('<b>x</b>') }))).toThrow();
    expect(render('{{ part | safe }}', { part: new EncodedHtml('<b>after</b>') })).toBe('<b>after</b>');
  });

  it('fills each slot of kept HTML with the page’s own value, escaped', () => {
    const slot = '\u0000slot\u0000';
    const kept = EncodedHtml.slotted(`<input value="${slot}"><p>x</p><input value="${slot}">`, slot);
    const page = (value: string) => text(renderWithEncodedParts(() => render('{{ part | safe }}', { part: kept.filled(value) })));
    expect(page('abc')).toBe('<input value="abc"><p>x</p><input value="abc">');
    expect(page('"><script>')).toBe('<input value="&quot;&gt;&lt;script&gt;"><p>x</p><input value="&quot;&gt;&lt;script&gt;">');
    expect(text(renderWithEncodedParts(() => render('{{ part | safe }}', { part: EncodedHtml.slotted('<p>none</p>', slot).filled('abc') })))).toBe('<p>none</p>');
  });
});
