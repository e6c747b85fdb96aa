import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { englandCode } from '../../src/auth/organisations.js';
import { sessionCookieName } from '../../src/auth/gate.js';
import type { Role } from '../../src/auth/permissions.js';
import type { Engine } from '../../src/db/database.js';
import { addAction, createPlan } from '../../src/plans/curve/store.js';
import { importChildFile } from '../../src/ingest/child-import.js';
import { newOrganisation, signedInPeople } from './accounts.js';
import { createTestApp } from './app.js';
import type { TestApp } from './app.js';
import { child, childCsv, testPseudonymKey } from './child-files.js';

/** Authorities of Yorkshire and The Humber (E12000003), and one in London, by GSS code. */
export const leeds = 'E08000035';
export const bradford = 'E08000032';
export const wakefield = 'E08000036';
export const camden = 'E09000007';
export const yorkshire = 'E12000003';

/** One person per role, each in the organisation their role is held in. */
export const peopleByRole = [
  'leader',
  'analyst',
  'regional-adviser',
  'contributor',
  'authority-admin',
  'practitioner',
  'setting-leader',
  'platform-admin',
  'national-moderator',
] as const satisfies readonly Role[];

export interface RegionalFixture {
  testApp: TestApp;
  get(who: string, url: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Children of one authority: `size` disadvantaged (`reaching` of them reach the key stage 2 standard)
 * and `size` others (`othersReaching` do), so disadvantaged children are significantly behind.
 */
function authorityRows(laCode: string, offset: number, size: number, reaching: number, othersReaching: number) {
  return [
    ...Array.from({ length: size }, (_, index) => child(offset + index, { la_code: laCode, disadvantaged: 'Y', ks2_rwm_expected: index < reaching ? 'Y' : 'N' })),
    ...Array.from({ length: size }, (_, index) => child(offset + 100 + index, { la_code: laCode, disadvantaged: 'N', ks2_rwm_expected: index < othersReaching ? 'Y' : 'N' })),
  ];
}

/**
 * A test service with data for Leeds, Bradford (the same region) and Camden (London), none for
 * Wakefield (the same region); a plan under way in Leeds; a Leeds file loaded with a row set aside
 * and one refused; and a signed-in person for each role (Leeds's, the region's, the national team's).
 */
export async function regionalFixture(engine: Engine = 'pglite'): Promise<RegionalFixture> {
  const testApp = await createTestApp({ engine });
  const folder = mkdtempSync(join(tmpdir(), 'ntg-regional-'));
  const database = testApp.database;
  const load = async (laCode: string, name: string, rows: ReturnType<typeof authorityRows>, acceptValid = false) => {
    const path = join(folder, name);
    writeFileSync(path, childCsv(rows));
    return importChildFile({ path, fileName: name, laCode, acceptValid, actor: { userId: null, organisationId: null, label: 'test' } }, { database, dataDir: folder, pseudonymKey: testPseudonymKey });
  };
  const badRow = child(999, { la_code: leeds, disadvantaged: 'Y', ks2_rwm_expected: 'perhaps' });
  // A file with one bad row is refused whole; with "load the valid rows" the row is set aside.
  if ((await load(leeds, 'leeds-first-try.csv', [...authorityRows(leeds, 0, 40, 12, 32), badRow])).outcome !== 'rejected') throw new Error('expected a refusal');
  if ((await load(leeds, 'leeds.csv', [...authorityRows(leeds, 0, 40, 12, 32), badRow], true)).outcome !== 'loaded') throw new Error('expected Leeds to load');
  if ((await load(bradford, 'bradford.csv', authorityRows(bradford, 1000, 60, 15, 45))).outcome !== 'loaded') throw new Error('expected Bradford to load');
  if ((await load(camden, 'camden.csv', authorityRows(camden, 2000, 20, 2, 15))).outcome !== 'loaded') throw new Error('expected Camden to load');

  const db = database.db;
  const leedsOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: leeds, laCode: leeds });
  const region = await newOrganisation(db, { kind: 'region', name: 'Yorkshire and The Humber', areaCode: yorkshire });
  const national = await newOrganisation(db, { kind: 'national', name: 'National team (England)', areaCode: englandCode });
  const school = await newOrganisation(db, { kind: 'setting', name: 'Leeds Test Primary', laCode: leeds, urn: '999101' });
  const organisationOf: Record<(typeof peopleByRole)[number], string> = {
    leader: leedsOrganisation,
    analyst: leedsOrganisation,
    'regional-adviser': region,
    contributor: leedsOrganisation,
    'authority-admin': leedsOrganisation,
    practitioner: leedsOrganisation,
    'setting-leader': school,
    'platform-admin': national,
    'national-moderator': national,
  };
  const sessions = await signedInPeople(
    db,
    peopleByRole.map((role) => [role, role, organisationOf[role]] as const),
  );
  const author = { userId: null, label: 'leader@example.org' };
  const plan = await createPlan(db, { laCode: leeds, indicator: 'ks2_rwm_expected', groupSpec: 'poorer-socio-economic-groups', comparator: 'all-other', title: 'Disadvantaged pupils reach the standard at 11' }, author);
  await addAction(db, leeds, plan.id, { description: 'Reading recovery in every primary', owner: 'School improvement', dueDate: '2020-09-01', status: 'in-progress' }, author);
  await addAction(db, leeds, plan.id, { description: 'Tutoring for pupils behind in maths', owner: 'Virtual school', dueDate: null, status: 'done' }, author);

  return {
    testApp,
    get: (who, url) => testApp.app.inject({ method: 'GET', url, cookies: who === 'anonymous' ? {} : { [sessionCookieName(false)]: sessions.get(who)! } }),
    close: async () => {
      await testApp.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
