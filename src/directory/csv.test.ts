import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { csvColumns, csvTemplate, servicesFromCsv, servicesToCsv } from './csv.js';
import { importDirectoryFile } from './imports.js';
import { offerReach } from './offer.js';
import { exportOpenReferral } from './open-referral.js';

const leeds = 'E08000035';
const header = csvColumns.join(',');
const rowsOf = (text: string): string[][] => {
  const parsed: unknown = parse(text, { bom: true });
  return parsed as string[][];
};

describe('the directory CSV', () => {
  it('offers a template with every column and an example row that imports', () => {
    const rows = rowsOf(csvTemplate());
    expect(rows[0]).toEqual([...csvColumns]);
    expect(rows).toHaveLength(2);
    const parsed = servicesFromCsv(csvTemplate(), leeds);
    expect(parsed.ok).toBe(true);
  });

  it('refuses bad rows naming the row and column of each problem', () => {
    const csv = [
      header,
      ',Toy Library,Leeds Toy Trust,,childcare;holiday-clubs,,universal,0,5,Free,,,,,,,,,Toy shed,1 Road,LS9 8AB',
      ',,Nobody,,,,,,,,,,,,,,,,,,',
      ',Youth Club,,,varied-activities,young carers please,somewhere,16,11,,,,not-an-email,www.example.org,phone us,,maybe,open,,,LS1 XYZ',
    ].join('\n');
    const parsed = servicesFromCsv(csv, leeds);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((problem) => `row ${problem.row}, ${String(problem.column)}: ${problem.message}`)).toEqual([
      'row 2, strands: "holiday-clubs" is not a core-offer strand (childcare, varied-activities, parenting-support, swift-access, community-access, or their names)',
      'row 3, service name: is empty: every row needs the service’s name',
      'row 4, groups: "young carers please" is not one of the framework’s groups of children',
      'row 4, tier: "somewhere" is not one tier of need (universal, targeted or specialist)',
      'row 4, referral route: "phone us" is not a referral route (self-referral, professional-referral, drop-in, booking)',
      'row 4, maximum age: 11 is below the minimum age 16',
      'row 4, email: "not-an-email" is not an email address',
      'row 4, website: "www.example.org" is not a web address (http:// or https://)',
      'row 4, status: "open" is not a status (active, inactive, defunct, temporarily closed)',
      'row 4, whole authority: "maybe" is not yes or no',
      'row 4, postcode: "LS1 XYZ" is not a postcode',
    ]);
  });

  it('reads labels as well as ids, and joins rows of one service into its locations', () => {
    const csv = [header, ',Stay and Play,Harehills Centre,Play,Parenting and family support; childcare,Young carers,Targeted,0,4,£2 per session,Mondays 9 to 11,0113 496 0000,a@example.org,https://example.org,drop-in,,no,,Harehills,1 Road,ls9 8ab', ',Stay and Play,Harehills Centre,,,,,,,,,,,,,,,,Gipton,2 Road,LS14 1AA'].join('\r\n');
    const parsed = servicesFromCsv(csv, leeds);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.records).toHaveLength(1);
    const [record] = parsed.records;
    expect(record).toMatchObject({ name: 'Stay and Play', minimum_age: 0, maximum_age: 4, cost_options: [{ option: '£2 per session', amount: 2, currency: 'GBP' }] });
    expect((record!.service_at_locations as unknown[]).length).toBe(2);
  });
});

describe.each(testEngines)('directory CSV import and export on %s', (engine) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp({ engine });
  });
  afterAll(async () => test?.close());

  it('imports a CSV, exports it as the same rows, and a second import of the export changes nothing', async () => {
    const csv = [
      header,
      ',Stay and Play,Harehills Centre,Play sessions,parenting-support;childcare,young-carers,targeted,0,4,£2 per session,Mondays 9 to 11,0113 496 0000,a@example.org,https://example.org,drop-in,T2-FRONTLINE-UNIVERSAL-01,,active,Harehills,1 Road,LS9 8AB',
      ',Family Line,Leeds Council,Advice by phone,swift-access,,universal,,,Free,Weekdays,0113 496 0001,,,self-referral,,yes,active,,,',
    ].join('\n');
    expect(await importDirectoryFile(test.database.db, leeds, csv, 'csv', 'tester')).toEqual({ ok: true, added: 2, replaced: 0 });
    const exported = servicesToCsv(await exportOpenReferral(test.database.db, leeds), leeds);
    const rows = rowsOf(exported);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual([
      ['Family Line', 'Leeds Council', 'Advice by phone', 'Swift and easy access to specialist services', '', 'universal', '', '', 'Free', 'Weekdays', '0113 496 0001', '', '', 'self-referral', '', 'yes', 'active', '', '', ''],
      ['Stay and Play', 'Harehills Centre', 'Play sessions', 'Parenting and family support; Childcare 8am to 6pm', 'Young carers', 'targeted', '0', '4', '£2 per session', 'Mondays 9 to 11', '0113 496 0000', 'a@example.org', 'https://example.org', 'drop-in', 'T2-FRONTLINE-UNIVERSAL-01', '', 'active', 'Harehills', '1 Road', 'LS9 8AB'],
    ]);
    const before = JSON.stringify(await exportOpenReferral(test.database.db, leeds));
    expect(await importDirectoryFile(test.database.db, leeds, exported, 'csv', 'tester')).toEqual({ ok: true, added: 0, replaced: 2 });
    expect(JSON.stringify(await exportOpenReferral(test.database.db, leeds))).toBe(before);
    const reach = await offerReach(test.database.db, leeds);
    expect(reach.map((service) => [service.name, service.authorityWide, service.districts, service.tier])).toEqual([
      ['Family Line', true, [], 'universal'],
      ['Stay and Play', false, ['LS9'], 'targeted'],
    ]);
  });

  it('refuses a bad CSV and changes nothing', async () => {
    const before = JSON.stringify(await exportOpenReferral(test.database.db, leeds));
    const result = await importDirectoryFile(test.database.db, leeds, [header, ',Good,,,,,,,,,,,,,,,,,,,', ',Bad,,,,,,,,,,,,,,,,,,,LS1 XYZ'].join('\n'), 'csv', 'tester');
    expect(result).toEqual({ ok: false, problems: ['row 3, column "postcode": "LS1 XYZ" is not a postcode'] });
    expect(JSON.stringify(await exportOpenReferral(test.database.db, leeds))).toBe(before);
  });
});
