import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import { importChildFile } from '../ingest/child-import.js';
import { importStatistics } from '../ingest/statistics/service.js';

const camden = 'E09000007';
const hackney = 'E09000012';

const meta = [
  'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  'characteristic,Filter,Characteristic,,,,,',
  't_rwm_eligible_pupils,Indicator,Eligible pupils,,,0,,',
  'pt_rwm_met_expected_standard,Indicator,Expected standard in reading writing and maths,,%,0,,',
].join('\n');

/** Key stage 2 attainment in England in 2023/24, with the disadvantaged pupils' figure given. */
function keyStage2(disadvantaged: number): string {
  return [
    'time_period,time_identifier,geographic_level,country_code,country_name,characteristic,t_rwm_eligible_pupils,pt_rwm_met_expected_standard',
    '202324,Academic year,National,E92000001,England,Total,660000,61',
    `202324,Academic year,National,E92000001,England,Disadvantaged,205000,${disadvantaged}`,
  ].join('\n');
}

describe.each(testEngines)('published statistics others compare with, on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const agents = new Map<string, Agent>();
  const agent = (who: string) => agents.get(who)!;
  let forgedBatch = '';

  const gapsUrl = (la: string, extra = '') => `/api/v1/areas/${la}/gaps?year=2023/24&indicator=ks2_rwm_expected&group=poorer-socio-economic-groups&comparator=england${extra}`;
  const englandCell = async (who: string, la: string, extra = '') => {
    const response = await agent(who).get(gapsUrl(la, extra));
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ cells: { comparator_value: number | null; comparator_source: string | null }[] }>().cells[0]!;
  };
  const statisticsFiles = (data: string) => [
    { field: 'data', fileName: 'key_stage_2_forged.csv', content: data },
    { field: 'meta', fileName: 'key_stage_2_forged.meta.csv', content: meta },
  ];

  beforeAll(async () => {
    testApp = await createTestApp({ engine, environment: { NTG_PSEUDONYM_KEY: testPseudonymKey } });
    folder = mkdtempSync(join(tmpdir(), 'ntg-published-provenance-'));
    for (const la of [camden, hackney]) {
      // 40 children: 20 disadvantaged, of whom 10 reach the standard.
      const rows = Array.from({ length: 40 }, (_, index) => child(index, { la_code: la, disadvantaged: index >= 20 ? 'Y' : 'N', ks2_rwm_expected: index < 30 ? 'Y' : 'N' }));
      const path = join(folder, `${la}.csv`);
      writeFileSync(path, childCsv(rows));
      await importChildFile({ path, fileName: `${la}.csv`, laCode: la, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    }
    // The national figure, loaded by the operator: 47% of disadvantaged pupils in England.
    writeFileSync(join(folder, 'key_stage_2.csv'), keyStage2(47));
    writeFileSync(join(folder, 'key_stage_2.meta.csv'), meta);
    const national = await importStatistics(testApp.database.db, { dataPath: join(folder, 'key_stage_2.csv'), metaPath: join(folder, 'key_stage_2.meta.csv'), dataDir: folder, uploadedBy: { userId: null, label: 'operator (command line)', organisationId: null } });
    expect(national.outcome).toBe('loaded');
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    const nationalTeam = await newOrganisation(db, { kind: 'national', name: 'Department for Education' });
    const sessions = await signedInPeople(db, [
      ['camden-analyst', 'analyst', camdenOrganisation],
      ['hackney-analyst', 'analyst', hackneyOrganisation],
      ['moderator', 'national-moderator', nationalTeam],
    ]);
    for (const [who, session] of sessions) {
      const signedIn = new Agent(testApp.app);
      signedIn.cookies.set(sessionCookieName(false), session);
      agents.set(who, signedIn);
    }
    // The attack: Camden's analyst loads a forged file saying 1% of England's disadvantaged pupils reach the standard.
    const forged = await agent('camden-analyst').upload('/imports/statistics/new', '/imports/statistics', {}, statisticsFiles(keyStage2(1)));
    expect(forged.statusCode).toBe(303);
    forgedBatch = /^\/imports\/(\d+)\?outcome=loaded$/.exec(String(forged.headers.location))?.[1] ?? '';
    expect(forgedBatch).not.toBe('');
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('leaves every authority’s England comparator unchanged by an analyst’s forged file, naming the national file', async () => {
    for (const [who, la] of [['camden-analyst', camden], ['hackney-analyst', hackney], ['camden-analyst', hackney], ['moderator', camden]] as const) {
      const cell = await englandCell(who, la);
      expect(cell.comparator_value).toBe(47);
      expect(cell.comparator_source).toMatch(/^National statistics: “Key stage 2” \(key_stage_2\.csv, batch \d+\), loaded \d{4}-\d\d-\d\d \d\d:\d\d UTC by operator \(command line\)$/);
    }
  });

  it('shows the forged figure only where its own authority chooses its file, with provenance naming it', async () => {
    const cell = await englandCell('camden-analyst', camden, `&statistics=${forgedBatch}`);
    expect(cell.comparator_value).toBe(1);
    expect(cell.comparator_source).toContain(`Camden’s own file (chosen for this view): “Key stage 2 forged” (key_stage_2_forged.csv, batch ${forgedBatch})`);
    expect(cell.comparator_source).toContain('by camden-analyst@example.org');
  });

  it('refuses another authority’s own file as a source, as if it did not exist', async () => {
    for (const [who, la] of [['hackney-analyst', hackney], ['camden-analyst', hackney], ['moderator', hackney]] as const) {
      const response = await agent(who).get(gapsUrl(la, `&statistics=${forgedBatch}`));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ message: `statistics: "${forgedBatch}" is not a published statistics file of Hackney's own (leave it out for the national figures)` });
    }
    const page = await agent('hackney-analyst').get(`/gaps?la=${hackney}&comparator=england&statistics=${forgedBatch}`);
    expect(page.statusCode).toBe(400);
  });

  it('shows provenance beside the England comparator on the matrix and indicator pages', async () => {
    const matrix = await agent('hackney-analyst').get(`/gaps?la=${hackney}&comparator=england`);
    expect(matrix.statusCode).toBe(200);
    // On the page as a person reads it: the publication, when and by whom; the file and batch stay in the API's comparator_source.
    expect(matrix.body).toMatch(/National statistics: “Key stage 2”, loaded \d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d[ap]m by operator \(command line\)/);
    expect(matrix.body).not.toContain('key_stage_2_forged.csv');
    const chosen = await agent('camden-analyst').get(`/gaps?la=${camden}&comparator=england&statistics=${forgedBatch}`);
    expect(chosen.body).toContain('Camden’s own file (chosen for this view): “Key stage 2 forged”, loaded');
    const byDefault = await agent('camden-analyst').get(`/gaps?la=${camden}&comparator=england`);
    expect(byDefault.body).not.toContain('key_stage_2_forged.csv');
    // Camden is offered its own file to choose; Hackney is not.
    expect(byDefault.body).toContain(`Our own file: Key stage 2 forged (batch ${forgedBatch})`);
    expect(matrix.body).not.toContain('Our own file');

    const indicator = await agent('hackney-analyst').get(`/gaps/indicator?la=${hackney}&indicator=ks2_rwm_expected&group=poorer-socio-economic-groups&comparator=england`);
    expect(indicator.statusCode).toBe(200);
    expect(indicator.body).toContain('England’s figure: National statistics: “Key stage 2”, loaded');
    expect(indicator.body).toContain('Source of England: National statistics: “Key stage 2” (key_stage_2.csv');
    expect(indicator.body).not.toContain('forged');
    const benchmarks = await agent('camden-analyst').get(`/gaps/indicator/figures/benchmarks.csv?la=${camden}&indicator=ks2_rwm_expected&group=poorer-socio-economic-groups&comparator=england&statistics=${forgedBatch}`);
    expect(benchmarks.statusCode).toBe(200);
    expect(benchmarks.body.split('\n')[0]).toContain('England,London,England: source,London: source');
    expect(benchmarks.body).toContain(`2023/24,50,29.9,70.1,1,,"key_stage_2_forged.csv (batch ${forgedBatch}, Camden’s own)",`);
  });

  it('keeps one authority’s own statistics files out of another’s batch history', async () => {
    expect((await agent('camden-analyst').get('/imports')).body).toContain('key_stage_2_forged.csv');
    expect((await agent('hackney-analyst').get('/imports')).body).not.toContain('key_stage_2_forged.csv');
    expect((await agent('hackney-analyst').get(`/imports/${forgedBatch}`)).statusCode).toBe(404);
  });

  it('refuses an analyst’s upload to the national statistics', async () => {
    const response = await agent('camden-analyst').upload('/imports/statistics/new', '/imports/statistics/national', {}, statisticsFiles(keyStage2(2)));
    expect(response.statusCode).toBe(403);
    expect((await englandCell('hackney-analyst', hackney)).comparator_value).toBe(47);
  });

  it('lets the national team publish a file every authority then compares with, named beside it', async () => {
    // The same bytes as Camden's own file: loaded nationally all the same, not taken for a duplicate of it.
    const response = await agent('moderator').upload('/imports/statistics/national/new', '/imports/statistics/national', {}, statisticsFiles(keyStage2(1)));
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('every authority’s comparators now read it');
    for (const la of [camden, hackney]) {
      const cell = await englandCell('hackney-analyst', la);
      expect(cell.comparator_value).toBe(1);
      expect(cell.comparator_source).toMatch(/^National statistics: “Key stage 2 forged” \(key_stage_2_forged\.csv, batch \d+\), loaded [\d :-]+ UTC by moderator@example\.org$/);
    }
  });
});
