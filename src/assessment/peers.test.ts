import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation } from '../../test/support/accounts.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { ensureAreaOrganisations } from '../auth/organisations.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import type { ModerationStatement } from './moderation.js';
import { stratifiedSample } from './moderation.js';
import type { Distribution } from './peers.js';
import { medianLevel, peerDistributions, positionOf } from './peers.js';
import { statementsInScope } from './scope.js';
import { createAssessment, readRating, saveRating } from './store.js';

const catalogue = loadCatalogue();
const threads = statementsInScope(seedStatements(catalogue), 'threads');
const author = { userId: null, label: 'Test' };

// London boroughs (region E12000007) and, outside London, Medway and Kent (South East).
const camden = 'E09000007';
const londonBoroughs = ['E09000002', 'E09000003', 'E09000004', 'E09000005', 'E09000006'];
const medway = 'E06000035';
const kent = 'E10000016';

describe.each(testEngines)('peer distributions on %s', (engine) => {
  let database: TestDatabase;

  /** A signed-off threads assessment of an organisation with GT01 (and GT02 when given) rated. */
  async function signedOff(organisationId: string, laCode: string, period: string, gt01: number | 'na', gt02?: number) {
    const id = await createAssessment(database.db, { laCode, organisationId, scope: 'threads', period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads }, author);
    for (const [statementId, answer] of [['GT01', gt01], ['GT02', gt02]] as const) {
      if (answer === undefined) continue;
      const { version } = await readRating(database.db, laCode, id, statementId);
      await saveRating(
        database.db,
        { laCode, assessmentId: id, statementId, expectedVersion: version },
        { level: answer === 'na' ? null : answer, notApplicable: answer === 'na', notApplicableReason: answer === 'na' ? 'No such service' : '', note: '', links: [], confidence: null, nextStep: '', nextStepOwner: '', nextStepDue: null },
        author,
      );
    }
    await database.db.updateTable('assessment').set({ status: 'signed-off', signed_off_at: new Date() }).where('id', '=', id).execute();
    return id;
  }

  const authority = (laCode: string) => database.db.selectFrom('organisation').select('id').where('kind', '=', 'local-authority').where('area_code', '=', laCode).executeTakeFirstOrThrow();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await ensureAreaOrganisations(database.db);
  });
  afterAll(async () => database.dispose());

  it('peer distributions hide a statement with 4 contributors and count 5 and then 6 exactly', async () => {
    // Camden's older assessment (level 1) is superseded by its latest signed-off one (level 3).
    await signedOff((await authority(camden)).id, camden, '2022/23', 1, 2);
    await signedOff((await authority(camden)).id, camden, '2023/24', 3, 2);
    // An in-progress assessment and a school's signed-off one never count.
    const inProgress = await createAssessment(database.db, { laCode: londonBoroughs[0]!, organisationId: (await authority(londonBoroughs[0]!)).id, scope: 'threads', period: '2024/25', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads }, author);
    expect(inProgress).toBeTruthy();
    const school = await newOrganisation(database.db, { kind: 'setting', name: 'A school in Camden', laCode: camden, urn: '100001' });
    await signedOff(school, camden, '2023/24', 4, 4);
    await signedOff((await authority(londonBoroughs[1]!)).id, londonBoroughs[1]!, '2023/24', 2, 2);
    await signedOff((await authority(londonBoroughs[2]!)).id, londonBoroughs[2]!, '2023/24', 3, 2);
    await signedOff((await authority(londonBoroughs[3]!)).id, londonBoroughs[3]!, '2023/24', 'na');

    const four = await peerDistributions(database.db, 'threads', camden);
    expect(four.get('GT01')!.region).toEqual({ contributors: 4, shown: false, levels: [0, 0, 0, 0], notApplicable: 0, median: null });
    expect(four.get('GT01')!.england.shown).toBe(false);
    expect(positionOf(four.get('GT01')!.region, 3, four.get('GT01')!.ownCounted)).toBeUndefined();

    await signedOff((await authority(londonBoroughs[4]!)).id, londonBoroughs[4]!, '2023/24', 4, 2);
    const five = await peerDistributions(database.db, 'threads', camden);
    // Hand count for GT01 in London: Camden 3, Barnet 2, Bexley 3, Brent N/A, Bromley 4.
    expect(five.get('GT01')!.region).toEqual({ contributors: 5, shown: true, levels: [0, 1, 2, 1], notApplicable: 1, median: 3 });
    expect(five.get('GT01')!.england).toEqual(five.get('GT01')!.region);
    expect(five.get('GT01')!.ownCounted).toEqual({ level: 3, notApplicable: false });
    // Among the other four: Barnet lower, Bexley the same, Bromley higher (Brent said N/A).
    expect(positionOf(five.get('GT01')!.region, 3, five.get('GT01')!.ownCounted)).toEqual({ higher: 1, same: 1, lower: 1 });
    // GT02: Camden, Barnet, Bexley, Bromley rated it: four contributors, withheld.
    expect(five.get('GT02')!.region.shown).toBe(false);

    await signedOff((await authority(medway)).id, medway, '2023/24', 1, 1);
    const six = await peerDistributions(database.db, 'threads', camden);
    expect(six.get('GT01')!.region.contributors).toBe(5);
    // England less London (shown to London's people) would be Medway alone: England is withheld.
    expect(six.get('GT01')!.england).toEqual({ contributors: 6, shown: false, levels: [0, 0, 0, 0], notApplicable: 0, median: null, outsideRegionTooFew: true });
    expect(six.get('GT02')!.region.shown).toBe(false);
    expect(six.get('GT02')!.england).toEqual({ contributors: 5, shown: true, levels: [1, 4, 0, 0], notApplicable: 0, median: 2 });

    // Seen from Kent (South East): Medway is its only regional peer, so the region is withheld; and
    // England is withheld from Kent too, or Kent's England less Camden's London would be Medway.
    const fromKent = await peerDistributions(database.db, 'threads', kent);
    expect(fromKent.get('GT01')!.region).toMatchObject({ contributors: 1, shown: false });
    expect(fromKent.get('GT01')!.england).toMatchObject({ contributors: 6, shown: false, outsideRegionTooFew: true });

    // Five outside London: England less London is a group of five, and England is shown to all.
    for (const la of ['E06000036', 'E06000037', 'E06000038', 'E06000039']) await signedOff((await authority(la)).id, la, '2023/24', 2, 2);
    const eleven = await peerDistributions(database.db, 'threads', kent);
    expect(eleven.get('GT01')!.england).toEqual({ contributors: 10, shown: true, levels: [1, 5, 2, 1], notApplicable: 1, median: 2 });
    expect(fromKent.get('GT01')!.ownCounted).toBeNull();
  });

  it('median level gives the lower median of the counts (R: median of 2,3,3,4 is 3; lower median of 2,3 is 2)', () => {
    expect(medianLevel([0, 1, 2, 1])).toBe(3);
    expect(medianLevel([0, 1, 1, 0])).toBe(2);
    expect(medianLevel([0, 0, 0, 0])).toBeNull();
  });

  it('position of a withheld distribution is not given', () => {
    const withheld: Distribution = { contributors: 4, shown: false, levels: [0, 0, 0, 0], notApplicable: 0, median: null };
    expect(positionOf(withheld, 2, null)).toBeUndefined();
  });
});

describe('stratified sample', () => {
  const statements: ModerationStatement[] = [
    ...Array.from({ length: 30 }, (_, index) => ({ id: `A${index}`, position: index, kind: 'matrix-statement', section: 'frontline', text: '' })),
    ...Array.from({ length: 10 }, (_, index) => ({ id: `B${index}`, position: 30 + index, kind: 'matrix-statement', section: 'governance', text: '' })),
  ];
  Object.freeze(statements);

  it('stratified sample draws each section in proportion and the same sample for the same seed', () => {
    const sample = stratifiedSample(statements, 8, 'assessment-1');
    expect(sample).toHaveLength(8);
    expect(sample.filter((id) => id.startsWith('A'))).toHaveLength(6);
    expect(sample.filter((id) => id.startsWith('B'))).toHaveLength(2);
    expect(stratifiedSample(statements, 8, 'assessment-1')).toEqual(sample);
    expect(new Set(sample).size).toBe(8);
  });

  it('stratified sample of at least every statement is every statement', () => {
    expect(stratifiedSample(statements, 40, 'x')).toHaveLength(40);
  });
});
