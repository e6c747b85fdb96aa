/**
 * The list of services on the search page, written as HTML here rather than in Nunjucks: twenty
 * summary lists through the govuk-frontend macro took several milliseconds a page, most of a
 * search's time, which twenty families searching at once cannot share. The markup is the GOV.UK
 * Design System's summary list (no borders), as the macro writes it; every text is escaped here.
 */
import { escapeHtml } from '../web/html.js';
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
