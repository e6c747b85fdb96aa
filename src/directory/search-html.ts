/**
 * The search page's form and list of services, written as HTML here rather than in Nunjucks: twenty
 * summary lists through the govuk-frontend macro took several milliseconds a page, and the form's
 * dozen fields most of the rest, time which twenty families searching at once cannot share. The
 * markup is the GOV.UK Design System's (the summary list without borders, the form fields), as the
 * macros write it; every text is escaped here.
 */
import { buttonHtml, checkboxesHtml, selectHtml, textInputHtml } from '../web/govuk-html.js';
import type { CheckboxItem, SelectItem } from '../web/govuk-html.js';
import { escapeHtml } from '../web/html.js';
import type { FinderProblem, FinderQuery } from './finder.js';
import type { ServiceView } from './service-view.js';

function row(key: string, value: string): string {
  return `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${key}</dt><dd class="govuk-summary-list__value">${escapeHtml(value)}</dd></div>`;
}

/** One service as the results list shows it: its name (a link to its page), who runs it, and what, for whom, cost, times, how to get in and distance. */
export function serviceResultHtml(service: ServiceView): string {
  const rows = [
    row('What it offers', service.strandsText),
    row('Who it is for', service.forWhom),
    row('Cost', service.cost),
    row('When it is open', service.openingTimes === '' ? 'Contact the service' : service.openingTimes),
    row('How to get in', service.howToGetIn),
    service.distanceText ? row('Distance', service.distanceText) : '',
  ].join('');
  return [
    '<li class="govuk-!-margin-bottom-6">',
    `<h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="/directory/services/${encodeURIComponent(service.id)}">${escapeHtml(service.name)}</a></h3>`,
    service.organisation ? `<p class="govuk-body-s govuk-!-margin-bottom-1">Run by ${escapeHtml(service.organisation)}</p>` : '',
    `<dl class="govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-2">${rows}</dl>`,
    '</li>',
  ].join('');
}

export function serviceResultsHtml(services: readonly ServiceView[]): string {
  return services.map(serviceResultHtml).join('');
}

export interface SearchFormValues {
  query: FinderQuery;
  /** Messages by field, when the search was refused. */
  errorFor: Partial<Record<FinderProblem['field'], string>>;
  strandItems: CheckboxItem[];
  groupItems: SelectItem[];
  areaItems: SelectItem[];
  localityItems: SelectItem[];
  milesItems: SelectItem[];
  searched: boolean;
}

const small = 'govuk-label--s';

/** The search form, as the GOV.UK macros would write it (see web/govuk-html.ts for why it is written here). */
export function searchFormHtml(form: SearchFormValues): string {
  const { query, errorFor } = form;
  return [
    '<form method="get" action="/directory" novalidate>',
    '<h2 class="govuk-heading-m">Search</h2>',
    textInputHtml({ id: 'q', name: 'q', value: query.q, label: { text: 'What are you looking for?', classes: small }, hint: 'For example, stay and play, speech therapy, homework club' }),
    checkboxesHtml({ idPrefix: 'strand', name: 'strand', classes: 'govuk-checkboxes--small', legend: { text: 'What the family needs', classes: 'govuk-fieldset__legend--s' }, items: form.strandItems, error: errorFor.strand }),
    textInputHtml({ id: 'age', name: 'age', value: query.age, inputmode: 'numeric', classes: 'govuk-input--width-3', label: { text: 'Child’s age in years', classes: small }, error: errorFor.age }),
    selectHtml({ id: 'group', name: 'group', label: { text: 'The child is', classes: small }, items: form.groupItems, classes: 'govuk-!-width-full', error: errorFor.group }),
    selectHtml({ id: 'la', name: 'la', label: { text: 'Council area', classes: small }, items: form.areaItems, classes: 'govuk-!-width-full', error: errorFor.la }),
    selectHtml({ id: 'locality', name: 'locality', label: { text: 'Locality', classes: small }, items: form.localityItems, classes: 'govuk-!-width-full', error: errorFor.locality }),
    textInputHtml({ id: 'postcode', name: 'postcode', value: query.postcode, autocomplete: 'postal-code', classes: 'govuk-input--width-10', label: { text: 'Near postcode', classes: small }, hint: 'For example, LS9 8AB', error: errorFor.postcode }),
    selectHtml({ id: 'miles', name: 'miles', label: { text: 'Distance', classes: small }, items: form.milesItems, error: errorFor.miles }),
    buttonHtml('Search'),
    form.searched ? '<p class="govuk-body"><a class="govuk-link" href="/directory">Clear the search</a></p>' : '',
    '</form>',
  ].join('\n');
}
