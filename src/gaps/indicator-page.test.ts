import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { importChildFile } from '../ingest/child-import.js';

const camden = 'E09000007';
const query = `la=${camden}&indicator=ks2_rwm_expected&group=young-carers`;

/** The rows of the workbook's sheets one after another: the figures (header first), then the notes. */
async function readSheet(body: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  const rows: unknown[][] = [];
  for (const sheet of workbook.worksheets) sheet.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe.each(testEngines)('the indicator page’s figures and their downloads on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-indicator-page-'));
    // Two years: 3 young carers (1 reaches the standard) and 40 others (30 do), then 20 and 40.
    const rows = [
      ...Array.from({ length: 3 }, (_, index) => child(index, { academic_year: '2022/23', young_carer: 'Y', ks2_rwm_expected: index === 0 ? 'Y' : 'N' })),
      ...Array.from({ length: 40 }, (_, index) => child(100 + index, { academic_year: '2022/23', young_carer: 'N', ks2_rwm_expected: index < 30 ? 'Y' : 'N' })),
      ...Array.from({ length: 20 }, (_, index) => child(200 + index, { young_carer: 'Y', ks2_rwm_expected: index < 10 ? 'Y' : 'N' })),
      ...Array.from({ length: 40 }, (_, index) => child(300 + index, { young_carer: 'N', ks2_rwm_expected: index < 30 ? 'Y' : 'N' })),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const northWest = await newOrganisation(db, { kind: 'region', name: 'North West', areaCode: 'E12000002' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', authority],
      ['adviser', 'regional-adviser', london],
      ['other-adviser', 'regional-adviser', northWest],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows each figure with its chart, table, notes and four downloads', async () => {
    const response = await get('analyst', `/gaps/indicator?${query}`);
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain('<h2 class="govuk-heading-m" id="figure-values-title">Young carers and all other children</h2>');
    expect(html).toContain('id="figure-gap-title">The gap between young carers and all other children</h2>');
    expect(html.match(/<figure class="ntg-chart" data-ntg-chart><svg role="img" aria-label="/g)).toHaveLength(2);
    // 1 in 3 young carers in 2022/23: 33.3%, shown in the table and in the point's tooltip.
    expect(html).toContain('<th scope="row" class="govuk-table__header">2022/23</th>');
    expect(html).toContain('<td class="govuk-table__cell govuk-table__cell--numeric">33.3</td>');
    expect(html).toMatch(/data-ntg-tip="Young carers, 2022\/23: 33\.3% \(95% interval [\d.]+ to [\d.]+\), 3 children"/);
    for (const format of ['png', 'svg', 'csv', 'xlsx']) expect(html).toContain(`href="/gaps/indicator/figures/values.${format}?la=${camden}&amp;indicator=ks2_rwm_expected&amp;group=young-carers&amp;comparator=all-other"`);
    expect(html).toContain('<script type="module" src="/assets/figures.js"></script>');
  });

  it('downloads a figure as CSV, XLSX, SVG and PNG with a file name that says what it is', async () => {
    const csv = await get('analyst', `/gaps/indicator/figures/values.csv?${query}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="gap-${camden}-ks2_rwm_expected-young-carers-values.csv"`);
    expect(csv.body.split('\r\n').slice(0, 3)).toEqual([
      '\uFEFFYear,Group,Per cent,Lower 95% limit,Upper 95% limit,Number of children',
      expect.stringMatching(/^2022\/23,Young carers,33\.3,[\d.]+,[\d.]+,3$/) as unknown,
      expect.stringMatching(/^2022\/23,All other children,75,[\d.]+,[\d.]+,40$/) as unknown,
    ]);

    const xlsx = await get('analyst', `/gaps/indicator/figures/gap.xlsx?${query}`);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toBe(`attachment; filename="gap-${camden}-ks2_rwm_expected-young-carers-gap.xlsx"`);
    const sheet = await readSheet(xlsx.rawPayload);
    expect(sheet[0]).toEqual(['Year', 'Gap (percentage points)', 'Lower 95% limit', 'Upper 95% limit', 'Significant', 'Trend to this year']);
    expect(sheet[1]).toEqual(['2022/23', -41.7, expect.any(Number), expect.any(Number), expect.stringMatching(/^(Yes|No)$/), 'not enough data']);

    const svg = await get('analyst', `/gaps/indicator/figures/gap.svg?${query}`);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg [^>]*><title>The gap between young carers and all other children<\/title>/);

    const png = await get('analyst', `/gaps/indicator/figures/values.png?${query}`);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toBe(`attachment; filename="gap-${camden}-ks2_rwm_expected-young-carers-values.png"`);
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('withholds small numbers in the downloads of a viewer without child-level access', async () => {
    const csv = await get('adviser', `/gaps/indicator/figures/values.csv?${query}`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.split('\r\n');
    expect(lines[1]).toBe('2022/23,Young carers,c,c,c,c');
    expect(lines[2]).toBe('2022/23,All other children,c,c,c,c');
    // Released figures: a percentage of perturbed counts rounded to 5, the count itself a multiple of 5.
    expect(lines[3]).toMatch(/^2023\/24,Young carers,[\d.]+,[\d.]+,[\d.]+,\d*[05]$/);
    expect(csv.body).not.toContain('33.3');
    const sheet = await readSheet((await get('adviser', `/gaps/indicator/figures/gap.xlsx?${query}`)).rawPayload);
    expect(sheet[1]).toEqual(['2022/23', 'c', 'c', 'c', 'c', 'not enough data']);
    expect(sheet.flat()).toContain('c: withheld because fewer than 5 children are behind the figure, or fewer than 5 of them meet or miss the outcome (small numbers).');
    expect(sheet.flat()).toContain('Counts are adjusted slightly and rounded to the nearest 5, and every figure is made from those counts, so that no child can be picked out: you do not have access to these children’s records.');
    const svg = (await get('adviser', `/gaps/indicator/figures/values.svg?${query}`)).body;
    expect(svg).not.toContain('2022/23: ');
    expect(svg).toMatch(/Young carers, 2023\/24: [\d.]+%/);
  });

  it('refuses an authority outside the viewer’s reach in words, and answers not found for an unknown figure or format', async () => {
    expect((await get('other-adviser', `/gaps/indicator/figures/values.png?${query}`)).statusCode).toBe(403);
    const refused = await get('other-adviser', `/gaps/indicator?${query}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Camden (E09000007) is outside the authorities you may see');
    expect((await get('analyst', `/gaps/indicator/figures/funnel.png?${query}`)).statusCode).toBe(404);
    expect((await get('analyst', `/gaps/indicator/figures/values.pdf?${query}`)).statusCode).toBe(404);
    expect((await get('analyst', `/gaps/indicator/figures/values.csv?la=${camden}&indicator=happiness&group=young-carers`)).statusCode).toBe(400);
  });

  it('carries parameters of the page’s own into the download links, and takes a repeated one as not found', async () => {
    const html = (await get('analyst', `/gaps/indicator?${query}&compare=E09000001&compare=E09000033`)).body;
    expect(html).toContain(`href="/gaps/indicator/figures/gap.csv?la=${camden}&amp;indicator=ks2_rwm_expected&amp;group=young-carers&amp;comparator=all-other&amp;compare=E09000001&amp;compare=E09000033"`);
    expect((await get('analyst', `/gaps/indicator/figures/gap.csv?${query}&la=${camden}`)).statusCode).toBe(404);
  });

  it('says which authority to compare with it does not know, and offers a plan for the gap to those who may write one', async () => {
    const unknown = await get('analyst', `/gaps/indicator?${query}&compare=E09000001,E99999999`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('compare: &quot;E99999999&quot; is not the GSS code of a local authority in England');
    const many = ['E09000001', 'E09000002', 'E09000003', 'E09000004', 'E09000005', 'E09000006'].join(',');
    expect((await get('analyst', `/gaps/indicator?${query}&compare=${many}`)).statusCode).toBe(400);
    expect((await get('analyst', `/gaps/indicator?${query}`)).body).toContain('Start a turn-the-curve plan for this gap');
    expect((await get('adviser', `/gaps/indicator?${query}`)).body).not.toContain('Start a turn-the-curve plan for this gap');
  });

  it('says in words why there is no gap chart when the comparator has no figure, with no image to download', async () => {
    const england = `la=${camden}&indicator=ks2_rwm_expected&group=young-carers&comparator=england`;
    const response = await get('analyst', `/gaps/indicator?${england}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<strong>No chart:</strong> There is no gap to draw in any year: published statistics do not give this group as defined here.');
    expect(response.body).not.toContain('0.000000');
    // The group's own figures still have a chart, and the headline gives the group's value rather than "no figures".
    expect(response.body.match(/<figure class="ntg-chart" data-ntg-chart>/g)).toHaveLength(1);
    expect(response.body).toContain('50.0% for young carers; the same group in England (published) has no figure to compare with (published statistics do not give this group as defined here).');
    expect(response.body).not.toContain(`href="/gaps/indicator/figures/gap.svg?`);
    const svg = await get('analyst', `/gaps/indicator/figures/gap.svg?${england}`);
    expect(svg.statusCode).toBe(404);
    expect(svg.body).toContain('There is no chart to download');
    expect((await get('analyst', `/gaps/indicator/figures/gap.csv?${england}`)).statusCode).toBe(200);
  });

  it('gives the reason once, without a year, when no year has a published figure to compare with', async () => {
    const response = await get('analyst', `/gaps/indicator?la=${camden}&indicator=ks2_rwm_expected&group=poorer-socio-economic-groups&comparator=england`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<strong>No chart:</strong> There is no gap to draw in any year: no published figure for this group in England has been loaded for any year.');
  });

  it('still gives the whole series as CSV', async () => {
    const response = await get('analyst', `/gaps/indicator.csv?${query}`);
    expect(response.statusCode).toBe(200);
    expect(response.body.split('\r\n')).toHaveLength(4);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="gap-${camden}-ks2_rwm_expected.csv"`);
  });
});
