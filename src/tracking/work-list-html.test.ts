import { describe, expect, it } from 'vitest';
import { workListRowsHtml } from './work-list-html.js';
import type { WorkListChildView } from './work-list-html.js';

const ref = 'ab'.repeat(32);
const child = (overrides: Partial<WorkListChildView> = {}): WorkListChildView => ({
  child_ref: ref,
  outstanding: true,
  setting_name: 'St <Mary> & "John"',
  ncyText: 'Year 7',
  groupText: 'Children in care; Young carers',
  reasons: [
    { list: 'trusted-adult', reason: 'No trusted adult <recorded>', follow_up: null, followUpText: null, followUpOn: null },
    { list: 'pep', reason: 'No current PEP', follow_up: { recorded_by: 'A <Head>' }, followUpText: 'Trusted adult identified', followUpOn: '3 March 2025' },
  ],
  ...overrides,
});

describe('the work list rows', () => {
  it('escapes every value and writes the GOV.UK table row the template wrote', () => {
    const html = workListRowsHtml([child()], { laCode: 'E08000035', year: '2024/25', mayAct: true }).toString();
    expect(html).toContain(`<tr class="govuk-table__row" id="child-${ref.slice(0, 12)}">`);
    expect(html).toContain(`<a class="govuk-link ntg-code" href="/children/${ref}">${ref.slice(0, 10)}<span class="govuk-visually-hidden"> (open this child’s record)</span></a>`);
    expect(html).toContain('<strong class="govuk-tag govuk-tag--orange">To do</strong>');
    expect(html).toContain('St &lt;Mary&gt; &amp; &quot;John&quot;<br><span class="govuk-body-s">Year 7</span>');
    expect(html).toContain('<li>No trusted adult &lt;recorded&gt;</li>');
    expect(html).toContain('<span class="govuk-body-s">Groups: Children in care; Young carers</span>');
    expect(html).toContain('<li>Nothing recorded<br><a class="govuk-link" href="/children/unseen/' + ref + '/follow-up?la=E08000035&amp;year=2024%2F25&amp;list=trusted-adult">');
    expect(html).toContain('Trusted adult identified (A &lt;Head&gt;); look again on 3 March 2025');
    expect(html).not.toMatch(/<(script|Mary|Head|recorded)>/);
  });

  it('offers no link to record what was done to a reader who may not act, and marks children in hand', () => {
    const html = workListRowsHtml([child({ outstanding: false, setting_name: null, groupText: '' })], { laCode: 'E08000035', year: '2024/25', mayAct: false }).toString();
    expect(html).not.toContain('Record what was done');
    expect(html).toContain('<strong class="govuk-tag govuk-tag--green">In hand</strong>');
    expect(html).toContain('No setting recorded');
    expect(html).not.toContain('Groups:');
  });

  it('writes one row for each child, in order', () => {
    const refs = ['01', '02', '03'].map((start) => start.repeat(32));
    const html = workListRowsHtml(refs.map((childRef) => child({ child_ref: childRef })), { laCode: 'E08000035', year: '2024/25', mayAct: false }).toString();
    expect([...html.matchAll(/id="child-([0-9a-f]{12})"/g)].map((match) => match[1])).toEqual(refs.map((childRef) => childRef.slice(0, 12)));
  });
});
