import fc from 'fast-check';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { buttonHtml, checkboxesHtml, paginationHtml, selectHtml, textInputHtml } from './govuk-html.js';
import type { CheckboxesField, SelectField, TextInputField } from './govuk-html.js';
import { govukFrontendDist } from './paths.js';

const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(govukFrontendDist), { autoescape: true });
const macro = (component: string, name: string, params: unknown) =>
  environment.renderString(`{% from "govuk/components/${component}/macro.njk" import ${name} %}{{ ${name}(params) }}`, { params });

/** Whitespace between and around tags is the templates' layout, not markup: both sides lose it alike. */
const normalised = (html: string) => html.replace(/\s+/g, ' ').replace(/\s*(<|>)\s*/g, '$1').trim();

const macroInput = (field: TextInputField) =>
  macro('input', 'govukInput', {
    id: field.id,
    name: field.name,
    value: field.value,
    inputmode: field.inputmode,
    autocomplete: field.autocomplete,
    classes: field.classes,
    label: field.label,
    hint: field.hint === undefined ? undefined : { text: field.hint },
    errorMessage: field.error === undefined ? undefined : { text: field.error },
  });
const macroSelect = (field: SelectField) =>
  macro('select', 'govukSelect', {
    id: field.id,
    name: field.name,
    classes: field.classes,
    label: field.label,
    hint: field.hint === undefined ? undefined : { text: field.hint },
    items: field.items,
    errorMessage: field.error === undefined ? undefined : { text: field.error },
  });
const macroCheckboxes = (field: CheckboxesField) =>
  macro('checkboxes', 'govukCheckboxes', {
    idPrefix: field.idPrefix,
    name: field.name,
    classes: field.classes,
    fieldset: { legend: field.legend },
    items: field.items,
    errorMessage: field.error === undefined ? undefined : { text: field.error },
  });

const text = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom('a', 'Z', ' ', '&', '<', '>', '"', "'", '’', '1') }).filter((value) => value.trim() === value && value !== '');
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

describe('GOV.UK form fields written in TypeScript', () => {
  it('write a text input as govukInput does, with and without hint, error, value and attributes', () => {
    fc.assert(
      fc.property(optional(text), optional(text), optional(text), fc.boolean(), fc.boolean(), (value, hint, error, numeric, classed) => {
        const field: TextInputField = {
          id: 'age',
          name: 'age',
          label: { text: 'Child’s age in years', classes: 'govuk-label--s' },
          ...(value === undefined ? {} : { value }),
          ...(hint === undefined ? {} : { hint }),
          ...(error === undefined ? {} : { error }),
          ...(numeric ? { inputmode: 'numeric', autocomplete: 'postal-code' } : {}),
          ...(classed ? { classes: 'govuk-input--width-3' } : {}),
        };
        expect(normalised(textInputHtml(field))).toBe(normalised(macroInput(field)));
      }),
      { numRuns: 60 },
    );
  });

  it('write a select as govukSelect does, with the chosen option selected', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: text, text, selected: fc.boolean() }), { minLength: 1, maxLength: 5 }), optional(text), (items, error) => {
        const field: SelectField = { id: 'group', name: 'group', label: { text: 'The child is' }, classes: 'govuk-!-width-full', items, ...(error === undefined ? {} : { error }) };
        expect(normalised(selectHtml(field))).toBe(normalised(macroSelect(field)));
      }),
      { numRuns: 60 },
    );
  });

  it('write checkboxes as govukCheckboxes does: the first id bare, the rest numbered, an error linked to the fieldset', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: text, text, checked: fc.boolean() }), { minLength: 1, maxLength: 6 }), optional(text), (items, error) => {
        const field: CheckboxesField = { idPrefix: 'strand', name: 'strand', legend: { text: 'What the family needs', classes: 'govuk-fieldset__legend--s' }, classes: 'govuk-checkboxes--small', items, ...(error === undefined ? {} : { error }) };
        expect(normalised(checkboxesHtml(field))).toBe(normalised(macroCheckboxes(field)));
      }),
      { numRuns: 60 },
    );
  });

  it('write a submit button as govukButton does', () => {
    expect(normalised(buttonHtml('Search & find'))).toBe(normalised(macro('button', 'govukButton', { text: 'Search & find' })));
  });

  it('write page links as govukPagination does, first, middle and last page', () => {
    for (const [current, pages] of [[1, 9], [5, 9], [9, 9], [1, 2]] as const) {
      const numbers = Array.from({ length: pages }, (_, index) => index + 1).filter((page) => page === 1 || page === pages || Math.abs(page - current) <= 2);
      const links = {
        ...(current > 1 ? { previous: { href: `/directory?q=a&b&page=${current - 1}` } } : {}),
        ...(current < pages ? { next: { href: `/directory?q=a&b&page=${current + 1}` } } : {}),
        items: numbers.map((number) => ({ number, href: `/directory?q=a&b&page=${number}`, current: number === current })),
      };
      expect(normalised(paginationHtml(links))).toBe(normalised(macro('pagination', 'govukPagination', links)));
    }
  });

  it('escape what a person typed, so a value cannot break out of its attribute', () => {
    const html = textInputHtml({ id: 'q', name: 'q', label: { text: 'Words' }, value: '"><script>alert(1)</script>' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});
