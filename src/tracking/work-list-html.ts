/**
 * The rows of the work list's table of children, written as HTML here rather than in Nunjucks: a
 * setting's page shows fifty children, each with its reasons, what was done and a link to record
 * more, and Nunjucks took about 1.3 ms of the page's 2 ms of rendering to write them (measured with
 * bench/tracking.bench.ts's page). Each row is made into bytes as it is written (EncodedHtml), so
 * the page's text stays short. The markup is the GOV.UK Design System's table, tag and list, as the
 * template wrote it; every value is escaped here.
 */
import { escapeHtml } from '../web/html.js';
import { EncodedHtml } from '../web/encoded-html.js';

export interface WorkListReasonView {
  list: string;
  reason: string;
  /** Who recorded the latest follow-up for this reason, if any. */
  follow_up: { recorded_by: string } | null;
  followUpText: string | null;
  followUpOn: string | null;
}

export interface WorkListChildView {
  child_ref: string;
  outstanding: boolean;
  setting_name: string | null;
  ncyText: string;
  groupText: string;
  reasons: readonly WorkListReasonView[];
}

export interface WorkListRowsContext {
  laCode: string;
  /** The academic year as shown, `2024/25`. */
  year: string;
  /** Whether the reader may record what was done (a link under each reason). */
  mayAct: boolean;
}

function reasonsCell(child: WorkListChildView): string {
  const reasons = child.reasons.map((reason) => `<li>${escapeHtml(reason.reason)}</li>`).join('');
  const groups = child.groupText ? `<span class="govuk-body-s">Groups: ${escapeHtml(child.groupText)}</span>` : '';
  return `<td class="govuk-table__cell"><ul class="govuk-list govuk-!-margin-bottom-0">${reasons}</ul>${groups}</td>`;
}

function doneCell(child: WorkListChildView, context: WorkListRowsContext, ref: string, shortRef: string): string {
  const yearParameter = encodeURIComponent(context.year);
  const items = child.reasons.map((reason) => {
    const done =
      reason.follow_up === null
        ? 'Nothing recorded'
        : `${escapeHtml(reason.followUpText ?? '')} (${escapeHtml(reason.follow_up.recorded_by)})${reason.followUpOn ? `; look again on ${escapeHtml(reason.followUpOn)}` : ''}`;
    const record = context.mayAct
      ? `<br><a class="govuk-link" href="/children/unseen/${ref}/follow-up?la=${escapeHtml(context.laCode)}&amp;year=${yearParameter}&amp;list=${escapeHtml(reason.list)}">Record what was done<span class="govuk-visually-hidden"> about child ${shortRef}: ${escapeHtml(reason.reason)}</span></a>`
      : '';
    return `<li>${done}${record}</li>`;
  });
  return `<td class="govuk-table__cell"><ul class="govuk-list govuk-!-margin-bottom-0">${items.join('')}</ul></td>`;
}

function childRow(child: WorkListChildView, context: WorkListRowsContext): string {
  // References are pseudonyms of 64 hex digits (isChildRef), so they need no escaping; checked here all the same.
  const ref = escapeHtml(child.child_ref);
  const shortRef = ref.slice(0, 10);
  const tag = child.outstanding ? '<strong class="govuk-tag govuk-tag--orange">To do</strong>' : '<strong class="govuk-tag govuk-tag--green">In hand</strong>';
  return [
    `<tr class="govuk-table__row" id="child-${ref.slice(0, 12)}">`,
    `<td class="govuk-table__cell"><a class="govuk-link ntg-code" href="/children/${ref}">${shortRef}<span class="govuk-visually-hidden"> (open this child’s record)</span></a><br>${tag}</td>`,
    `<td class="govuk-table__cell">${child.setting_name === null || child.setting_name === '' ? 'No setting recorded' : escapeHtml(child.setting_name)}<br><span class="govuk-body-s">${escapeHtml(child.ncyText)}</span></td>`,
    reasonsCell(child),
    doneCell(child, context, ref, shortRef),
    '</tr>\n',
  ].join('');
}

/** The table's rows, one part of bytes for each child. */
export function workListRowsHtml(children: readonly WorkListChildView[], context: WorkListRowsContext): EncodedHtml {
  return new EncodedHtml(children.map((child) => Buffer.from(childRow(child, context), 'utf8')));
}
