import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { demoAuthorityCode } from '../auth/demo.js';
import { localitiesOf, localityByDistrict } from '../directory/localities.js';
import { offerReach } from '../directory/offer.js';
import { servicesProblems } from '../directory/open-referral-validate.js';
import { recordFromInput } from '../directory/record-input.js';
import { demoServices, loadDemoDirectory } from './demo-directory.js';
import { loadDemoLocalities } from './demo-localities.js';

describe('the demo directory', () => {
  it('is about a hundred valid fictional services', () => {
    const services = demoServices();
    expect(services.length).toBeGreaterThanOrEqual(80);
    expect(services.length).toBeLessThanOrEqual(120);
    expect(servicesProblems(services.map((service) => recordFromInput(service.input, service.laCode)))).toEqual([]);
  });
});

describe.each(testEngines)('the demo directory loaded on %s', (engine) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp({ engine });
    await loadDemoLocalities(test.database.db, () => undefined);
    await loadDemoDirectory(test.database.db);
  });
  afterAll(async () => test?.close());

  it('has the deliberate gaps: East without childcare and with one parenting service, South without community access, North with every strand', async () => {
    const db = test.database.db;
    const place = localityByDistrict(await localitiesOf(db, demoAuthorityCode));
    const reach = await offerReach(db, demoAuthorityCode);
    const count = (locality: string, strand: string) => reach.filter((service) => service.strands.includes(strand as never) && (service.authorityWide || service.districts.some((district) => place.get(district) === locality))).length;
    expect(count('East', 'childcare')).toBe(0);
    expect(count('East', 'parenting-support')).toBe(1);
    expect(count('South', 'community-access')).toBe(0);
    for (const strand of ['childcare', 'varied-activities', 'parenting-support', 'swift-access', 'community-access']) expect(count('North', strand), strand).toBeGreaterThanOrEqual(4);
    expect(reach.filter((service) => service.authorityWide)).toHaveLength(4);
    // Every demo location is placed by the demo postcode extract.
    const unplaced = await db.selectFrom('directory_location').leftJoin('directory_postcode', 'directory_postcode.postcode', 'directory_location.postcode').select('directory_location.postcode').where('directory_postcode.postcode', 'is', null).execute();
    expect(unplaced).toEqual([]);
  });
});
