import { describe, expect, it } from 'vitest';
import { completeContent } from '../../test/support/practice.js';
import { applyRowAction, contentFromForm, errorList, fieldId, formActionOf, formOf, readPracticeForm, typedNumber, withoutBlankRows } from './form-input.js';

describe('the submission form', () => {
  it('read typed number accepts the ways people write numbers and refuses words', () => {
    expect([typedNumber('1,200'), typedNumber('£150'), typedNumber('−0.2'), typedNumber(' 12 '), typedNumber(''), typedNumber('.5')]).toEqual([1200, 150, -0.2, 12, null, 0.5]);
    expect(typedNumber('12,5')).toBeNaN();
    expect(typedNumber('twelve')).toBeNaN();
  });

  it('link problem to field uses the id with hyphens for dots', () => {
    expect(fieldId('results.0.sd')).toBe('results-0-sd');
    expect(errorList([{ field: 'links.2.url', message: 'Link 3: enter a web address' }])).toEqual([{ text: 'Link 3: enter a web address', href: '#links-2-url' }]);
  });

  it('read form of saved content gives the same content back', () => {
    const content = completeContent();
    const form = formOf(content);
    const body: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(form)) {
      if (name === 'results' || name === 'links') continue;
      body[name] = typeof value === 'boolean' ? (value ? 'yes' : undefined) : value;
    }
    form.results.forEach((row, index) => {
      for (const [name, value] of Object.entries(row)) body[`results.${index}.${name}`] = value;
    });
    form.links.forEach((link, index) => Object.assign(body, { [`links.${index}.url`]: link.url, [`links.${index}.title`]: link.title }));
    expect(contentFromForm(readPracticeForm(body))).toEqual({ content, problems: [] });
  });

  it('read form with a figure that is not a number names the result and figure', () => {
    const { problems } = contentFromForm(readPracticeForm({ title: 'T', 'results.0.outcome': 'Reading', 'results.0.sd': 'lots' }));
    expect(problems).toEqual([{ field: 'results.0.sd', message: 'Result 1: the intervention group’s standard deviation must be a number, like 12 or 0.35 (you entered “lots”)' }]);
  });

  it('save form drops rows left empty, and remove takes out the row asked for', () => {
    const form = readPracticeForm({ 'results.0.outcome': 'Reading', 'results.1.measure': 'effect', 'links.0.url': '', 'links.0.title': '' });
    expect(withoutBlankRows(form).results.map((row) => row.outcome)).toEqual(['Reading']);
    expect(withoutBlankRows(form).links).toEqual([]);
    expect(applyRowAction(form, { kind: 'remove-result', index: 0 }).results).toHaveLength(1);
  });

  it('read button pressed: Enter in a field saves', () => {
    expect(formActionOf({ action: 'remove-result-3' })).toEqual({ kind: 'remove-result', index: 3 });
    expect(formActionOf({ action: 'submit' })).toEqual({ kind: 'submit' });
    expect(formActionOf({})).toEqual({ kind: 'save' });
    expect(formActionOf({ action: 'something-else' })).toEqual({ kind: 'save' });
  });
});
