import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapsOverview } from '../gaps/overview.js';
import { publishedGaps, widestPublishedGap } from '../gaps/published-gaps.js';
import { loadPublishedKs2 } from '../../test/support/published-ks2.js';
import { bradford, camden, leeds, regionalFixture, wakefield, yorkshire } from '../../test/support/regional-fixture.js';
import type { RegionalFixture } from '../../test/support/regional-fixture.js';
import { testEngines } from '../../test/support/database.js';
import { headlineOf } from '../assessment/standing.js';
import { statementsInScope } from '../assessment/scope.js';
import { createAssessment, readAssessment, readRating, saveRating } from '../assessment/store.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';

describe.each(testEngines)('the regional and national dashboards on %s', (engine) => {
  let fixture: RegionalFixture;
  beforeAll(async () => {
    fixture = await regionalFixture(engine);
    // Wakefield has loaded no records of its own: its published figures stand in. Leeds's own figures win over its published ones.
    const wakefieldLa = { code: wakefield, name: 'Wakefield', oldCode: '384' };
    const leedsLa = { code: leeds, name: 'Leeds', oldCode: '383' };
    await loadPublishedKs2(fixture.testApp.database.db, [
      { period: '202324', la: wakefieldLa, topic: 'Total', breakdown: 'Total', pupils: '1000', percent: '60' },
      { period: '202324', la: wakefieldLa, topic: 'Disadvantage status', breakdown: 'Disadvantaged', pupils: '300', percent: '40' },
      { period: '202324', la: leedsLa, topic: 'Total', breakdown: 'Total', pupils: '9000', percent: '61' },
      { period: '202324', la: leedsLa, topic: 'Disadvantage status', breakdown: 'Disadvantaged', pupils: '2800', percent: '45' },
    ]);
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
    expect(page.body).not.toContain('Camden');
    // Wakefield, with no records loaded, shows the widest gap of its published statistics, and says so.
    const published = widestPublishedGap(await publishedGaps(db, [wakefield]))!;
    expect(published.gapText).toBe('−28.6 percentage points');
    const wakefieldRow = page.body.slice(page.body.indexOf('>Wakefield<'), page.body.indexOf('</tr>', page.body.indexOf('>Wakefield<')));
    expect(wakefieldRow).toContain(`${published.groupLabel}: ${published.indicatorLabel}`);
    expect(wakefieldRow).toContain('−28.6 percentage points in 2023/24');
    expect(wakefieldRow).toContain('Published statistics');
    expect(wakefieldRow).toContain(`/network/authorities/${wakefield}#published-gaps`);
    const leedsRow = page.body.slice(page.body.indexOf('>Leeds<'), page.body.indexOf('</tr>', page.body.indexOf('>Leeds<')));
    expect(leedsRow).not.toContain('Published statistics');
    const csv = await fixture.get('regional-adviser', `/network/regions/${yorkshire}/dashboard.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Leeds');
    expect(csv.body).toContain('Published statistics, 2023/24');
    expect(csv.body.split('\n').filter((line) => line.includes(',E0')).length).toBe(15);
  });

  it('shows any reader a council’s gaps in the published statistics, and colours the map by one', async () => {
    const council = await fixture.get('anonymous', `/network/authorities/${wakefield}`);
    expect(council.statusCode).toBe(200);
    expect(council.body).toContain('id="published-gaps"');
    expect(council.body).toContain('40.0% against 68.6% for all other pupils, 2023/24');
    const map = await fixture.get('anonymous', `/network/regions/${yorkshire}?map=gap-ks2_rwm_expected-poorer-socio-economic-groups`);
    expect(map.statusCode).toBe(200);
    expect(map.body).toContain('<option value="gap" selected>');
    expect(map.body).toContain('Children from poorer socio-economic groups against all other pupils: reached the expected standard in reading, writing and maths at key stage 2 in Yorkshire and The Humber’s authorities, 2023/24');
    expect(map.body).toMatch(/Wakefield<\/th>\s*<td[^>]*>Yorkshire and The Humber<\/td>\s*<td[^>]*>28\.6</);
    const csv = await fixture.get('anonymous', `/network/figures/map-gap-ks2_rwm_expected-poorer-socio-economic-groups.csv?map=gap-ks2_rwm_expected-poorer-socio-economic-groups&region=${yorkshire}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Wakefield');
    // The form asks by measure and group; a pair no file holds falls back to the measure's other group.
    const chosen = await fixture.get('anonymous', `/network?map=gap&measure=ks2_rwm_expected&group=poorer-socio-economic-groups`);
    expect(chosen.body).toContain('<option value="gap" selected>');
    expect(chosen.body).toContain('<option value="ks2_rwm_expected" selected>');
    expect((await fixture.get('anonymous', `/network?map=gap&measure=ks2_rwm_expected&group=children-in-care`)).body).toContain('<option value="poorer-socio-economic-groups" selected>');
    // A figure no file holds falls back to who takes part.
    expect((await fixture.get('anonymous', `/network/regions/${yorkshire}?map=gap-nonsense`)).body).toContain('Who takes part in Yorkshire');
  });

  it('shows where the council stands in its latest signed-off assessment, as the assessment module gives it, and nothing of one not signed off', async () => {
    const db = fixture.testApp.database.db;
    const catalogue = loadCatalogue();
    const threads = statementsInScope(seedStatements(catalogue), 'threads');
    const council = await db.selectFrom('organisation').select('id').where('kind', '=', 'local-authority').where('la_code', '=', leeds).executeTakeFirstOrThrow();
    const author = { userId: null, label: 'Test' };
    const assess = async (period: string, levels: Record<string, number>, signOff: boolean) => {
      const id = await createAssessment(db, { laCode: leeds, organisationId: council.id, scope: 'threads', period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads }, author);
      for (const [statementId, level] of Object.entries(levels)) {
        const { version } = await readRating(db, leeds, id, statementId);
        await saveRating(
          db,
          { laCode: leeds, assessmentId: id, statementId, expectedVersion: version },
          { level, notApplicable: false, notApplicableReason: '', note: '', links: [], confidence: null, nextStep: '', nextStepOwner: '', nextStepDue: null },
          author,
        );
      }
      if (signOff) await db.updateTable('assessment').set({ status: 'signed-off', signed_off_at: new Date() }).where('id', '=', id).execute();
      return id;
    };
    const signedOff = await assess('2024/25', { GT01: 3, GT02: 4, GT03: 1 }, true);
    // A later assessment still in progress is not shown.
    await assess('2025/26', { GT01: 1 }, false);
    const expected = headlineOf((await readAssessment(db, signedOff))!).percentEstablishedOrEmbedded!;
    expect(expected).toBeGreaterThan(0);
    const page = await fixture.get('regional-adviser', `/network/regions/${yorkshire}/dashboard`);
    const leedsRow = page.body.slice(page.body.indexOf('>Leeds<'), page.body.indexOf('</tr>', page.body.indexOf('>Leeds<')));
    expect(leedsRow).toContain(`${Math.round(expected)}%`);
    expect(leedsRow).toContain('2024/25');
    expect(leedsRow).not.toContain('2025/26');
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
