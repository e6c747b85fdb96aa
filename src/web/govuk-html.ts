/**
 * GOV.UK Design System components (text input, select, checkboxes, button, pagination) written as
 * HTML here, for a page many people load at once: each govuk-frontend macro call costs Nunjucks
 * tens to hundreds of microseconds, and a search form of a dozen fields was most of a search page's
 * time. The markup is the macros' own, attribute for attribute (govuk-html.test.ts renders both and
 * compares them), so the styles, the error summary's links and the browser tests see no
 * difference. Every text is escaped here.
 */
import { escapeHtml } from './html.js';

export interface FieldLabel {
  text: string;
  classes?: string;
}

interface Field {
  id: string;
  name: string;
  label: FieldLabel;
  hint?: string;
  /** The field's error message, when the form was refused because of it. */
  error?: string;
  classes?: string;
}

export interface TextInputField extends Field {
  value?: string;
  inputmode?: string;
  autocomplete?: string;
}

export interface SelectItem {
  value: string;
  text: string;
  selected?: boolean;
}

export interface SelectField extends Field {
  items: readonly SelectItem[];
}

export interface CheckboxItem {
  value: string;
  text: string;
  checked?: boolean;
}

export interface CheckboxesField {
  idPrefix: string;
  name: string;
  legend: FieldLabel;
  items: readonly CheckboxItem[];
  error?: string;
  classes?: string;
}

const withClasses = (base: string, classes: string | undefined) => (classes ? `${base} ${classes}` : base);

function labelHtml(label: FieldLabel, forId: string): string {
  return `<label class="${withClasses('govuk-label', label.classes)}" for="${forId}">${escapeHtml(label.text)}</label>`;
}

function errorMessageHtml(id: string, message: string): string {
  return `<p id="${id}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(message)}</p>`;
}

/** The label, hint and error message above a field, and the ids the field is described by. */
function fieldTop(field: Field): { html: string; describedBy: string } {
  const parts = [labelHtml(field.label, field.id)];
  const describedBy: string[] = [];
  if (field.hint !== undefined) {
    parts.push(`<div id="${field.id}-hint" class="govuk-hint">${escapeHtml(field.hint)}</div>`);
    describedBy.push(`${field.id}-hint`);
  }
  if (field.error !== undefined) {
    parts.push(errorMessageHtml(`${field.id}-error`, field.error));
    describedBy.push(`${field.id}-error`);
  }
  return { html: parts.join(''), describedBy: describedBy.join(' ') };
}

function formGroup(error: string | undefined, inner: string): string {
  return `<div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">${inner}</div>`;
}

const attribute = (name: string, value: string | undefined) => (value === undefined || value === '' ? '' : ` ${name}="${escapeHtml(value)}"`);

export function textInputHtml(field: TextInputField): string {
  const top = fieldTop(field);
  const classes = withClasses(withClasses('govuk-input', field.classes), field.error === undefined ? undefined : 'govuk-input--error');
  const input = `<input class="${classes}" id="${field.id}" name="${field.name}" type="text"${attribute('value', field.value)}${attribute('aria-describedby', top.describedBy)}${attribute('autocomplete', field.autocomplete)}${attribute('inputmode', field.inputmode)}>`;
  return formGroup(field.error, top.html + input);
}

export function selectHtml(field: SelectField): string {
  const top = fieldTop(field);
  const classes = withClasses(withClasses('govuk-select', field.classes), field.error === undefined ? undefined : 'govuk-select--error');
  const options = field.items.map((item) => `<option value="${escapeHtml(item.value)}"${item.selected ? ' selected' : ''}>${escapeHtml(item.text)}</option>`).join('');
  return formGroup(field.error, `${top.html}<select class="${classes}" id="${field.id}" name="${field.name}"${attribute('aria-describedby', top.describedBy)}>${options}</select>`);
}

export function checkboxesHtml(field: CheckboxesField): string {
  const errorId = `${field.idPrefix}-error`;
  const items = field.items
    .map((item, index) => {
      // The first box's id has no number, so the error summary can link to it.
      const id = index === 0 ? field.idPrefix : `${field.idPrefix}-${index + 1}`;
      return [
        '<div class="govuk-checkboxes__item">',
        `<input class="govuk-checkboxes__input" id="${id}" name="${field.name}" type="checkbox" value="${escapeHtml(item.value)}"${item.checked ? ' checked' : ''}>`,
        `<label class="govuk-label govuk-checkboxes__label" for="${id}">${escapeHtml(item.text)}</label>`,
        '</div>',
      ].join('');
    })
    .join('');
  const legend = `<legend class="${withClasses('govuk-fieldset__legend', field.legend.classes)}">${escapeHtml(field.legend.text)}</legend>`;
  const fieldset = [
    `<fieldset class="govuk-fieldset"${field.error === undefined ? '' : ` aria-describedby="${errorId}"`}>`,
    legend,
    field.error === undefined ? '' : errorMessageHtml(errorId, field.error),
    `<div class="${withClasses('govuk-checkboxes', field.classes)}" data-module="govuk-checkboxes">${items}</div>`,
    '</fieldset>',
  ].join('');
  return formGroup(field.error, fieldset);
}

export function buttonHtml(text: string): string {
  return `<button type="submit" class="govuk-button" data-module="govuk-button">${escapeHtml(text)}</button>`;
}

export interface PaginationLinks {
  previous?: { href: string };
  next?: { href: string };
  items: readonly { number: number; href: string; current: boolean }[];
}

const arrowPrevious =
  '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z"></path></svg>';
const arrowNext =
  '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z"></path></svg>';

/** Numbered page links with previous and next, as govukPagination writes them. */
export function paginationHtml(links: PaginationLinks): string {
  const items = links.items
    .map(
      (item) =>
        `<li class="govuk-pagination__item${item.current ? ' govuk-pagination__item--current' : ''}"><a class="govuk-link govuk-pagination__link" href="${escapeHtml(item.href)}" aria-label="Page ${item.number}"${item.current ? ' aria-current="page"' : ''}>${item.number}</a></li>`,
    )
    .join('');
  return [
    '<nav class="govuk-pagination" aria-label="Pagination">',
    links.previous === undefined
      ? ''
      : `<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" href="${escapeHtml(links.previous.href)}" rel="prev">${arrowPrevious}<span class="govuk-pagination__link-title">Previous<span class="govuk-visually-hidden"> page</span></span></a></div>`,
    items === '' ? '' : `<ul class="govuk-pagination__list">${items}</ul>`,
    links.next === undefined
      ? ''
      : `<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" href="${escapeHtml(links.next.href)}" rel="next"><span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> page</span></span>${arrowNext}</a></div>`,
    '</nav>',
  ].join('');
}
