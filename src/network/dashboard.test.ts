import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapsOverview } from '../gaps/overview.js';
import { bradford, camden, leeds, regionalFixture, yorkshire } from '../../test/support/regional-fixture.js';
import type { RegionalFixture } from '../../test/support/regional-fixture.js';
import { testEngines } from '../../test/support/database.js';

describe.each(testEngines)('the regional and national dashboards on %s', (engine) => {
  let fixture: RegionalFixture;
  beforeAll(async () => {
    fixture = await regionalFixture(engine);
  });
  afterAll(async () => fixture?.close());

  it('shows each authority of the adviser’s region with the widest gap the gaps module gives, small numbers withheld', async () => {
    const page = await fixture.get('regional-adviser', `/network/regions/${yorkshire}/dashboard`);
    expect(page.statusCode).toBe(200);
    const db = fixture.testApp.database.db;
    for (const laCode of [leeds, bradford]) {
      const overview = await gapsOverview(db, laCode, { suppress: true });
      const widest = overview.widest[0]!;
      expect(page.body).toContain(`${widest.groupLabel}: ${widest.indicatorLabel}`);
      expect(page.body).toContain(widest.gapText);
    }
    expect(page.body).toContain('Wakefield');
    expect(page.body).not.toContain('Camden');
    const csv = await fixture.get('regional-adviser', `/network/regions/${yorkshire}/dashboard.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Leeds');
    expect(csv.body.split('\n').filter((line) => line.includes(',E0')).length).toBe(15);
  });

  it('refuses another region’s dashboard to the adviser, and shows the national team all nine regions', async () => {
    expect((await fixture.get('regional-adviser', '/network/regions/E12000007/dashboard')).statusCode).toBe(403);
    expect((await fixture.get('contributor', `/network/regions/${yorkshire}/dashboard`)).statusCode).toBe(403);
    const national = await fixture.get('national-moderator', '/network/dashboard');
    expect(national.statusCode).toBe(200);
    expect(national.body).toContain('England’s nine regions');
    expect((national.body.match(/\/network\/regions\/E12\d{6}\/dashboard/g) ?? []).length).toBe(9);
    const london = await fixture.get('national-moderator', '/network/regions/E12000007/dashboard');
    expect(london.body).toContain(`/network/authorities/${camden}`);
  });
});
