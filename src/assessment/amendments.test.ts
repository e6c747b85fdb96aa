import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation } from '../../test/support/accounts.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { findCatalogueItems, syncCatalogue } from '../framework/repository.js';
import { listRevisions, statementsAt } from '../framework/revisions.js';
import type { Amendment, Proposer } from './amendments.js';
import {
  DecisionRefusedError,
  decideAmendment,
  groupAmendments,
  listAmendments,
  nextStatementId,
  parseDecision,
  parseProposal,
  placePrefix,
  readAmendment,
  similarSets,
  storeProposal,
  wordingSimilarity,
} from './amendments.js';
import { statementsInScope } from './scope.js';
import { createAssessment, readAssessment } from './store.js';

const camden = 'E09000007';
const leeds = 'E08000035';
const bradford = 'E08000032';
const catalogue = loadCatalogue();
const reviewer = { label: 'National moderator' };

describe('amendment ids and similarity', () => {
  it('next statement id of a place follows the highest X number ever given', () => {
    expect(nextStatementId({ kind: 'cell', template: 1, layer: 'frontline', tier: 'universal' }, ['T1-FRONTLINE-UNIVERSAL-03'])).toBe('T1-FRONTLINE-UNIVERSAL-X01');
    expect(nextStatementId({ kind: 'thread', thread: 'GT04' }, ['GT04-M1', 'GT04-X01', 'GT04-X03', 'GT05-X07'])).toBe('GT04-X04');
    expect(nextStatementId({ kind: 'conditions', template: 1 }, [])).toBe('T1-GC-X01');
    expect(nextStatementId({ kind: 'principle', principle: 'T3-P2' }, ['T3-P2-B01', 'T3-P2-X09'])).toBe('T3-P2-X10');
  });

  it('place prefix of every kind of place matches the catalogue id pattern', () => {
    const prefixes = [placePrefix({ kind: 'thread', thread: 'GT10' }), placePrefix({ kind: 'conditions', template: 5 }), placePrefix({ kind: 'cell', template: 2, layer: 'governance', tier: 'specialist' }), placePrefix({ kind: 'principle', principle: 'T3-P7' })];
    expect(prefixes).toEqual(['GT10', 'T5-GC', 'T2-GOVERNANCE-SPECIALIST', 'T3-P7']);
    for (const prefix of prefixes) expect(`${prefix}-X01`).toMatch(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/);
  });

  it('wording similarity scores shared words from 0 to 1', () => {
    expect(wordingSimilarity('Parents are involved in planning', 'parents are INVOLVED in planning.')).toBe(1);
    expect(wordingSimilarity('Parents are involved in planning', 'Budgets pooled across agencies')).toBe(0);
    // {parents, involved, planning} against {parents, involved, planning, reviews}: 3 shared of 4.
    expect(wordingSimilarity('Parents are involved in planning', 'Parents are involved in planning and reviews')).toBe(0.75);
  });

  it('similar sets put alike wordings and every retirement of a statement together', () => {
    const sets = similarSets([
      { change: 'amend', proposedText: 'Parents are involved in planning services' },
      { change: 'retire', proposedText: '' },
      { change: 'amend', proposedText: 'Budgets are pooled' },
      { change: 'amend', proposedText: 'Parents are involved in planning local services' },
      { change: 'retire', proposedText: '' },
    ]);
    expect(sets.map((set) => set.map((entry) => entry.proposedText || entry.change))).toEqual([
      ['Budgets are pooled'],
      ['Parents are involved in planning services', 'Parents are involved in planning local services'],
      ['retire', 'retire'],
    ]);
  });

  it('parse decision refuses a rejection without a reply, naming the field', () => {
    expect(parseDecision({ outcome: 'reject', reply: '  ' }, { change: 'amend', proposedText: 'x' })).toEqual({ ok: false, errors: [{ field: 'reply', text: 'Enter a reply telling the council why the proposal is not accepted' }] });
    expect(parseDecision({ outcome: 'accept' }, { change: 'amend', proposedText: 'New words' })).toEqual({ ok: true, value: { outcome: 'accept', reply: '', finalText: 'New words' } });
    expect(parseDecision({ outcome: 'maybe' }, { change: 'amend', proposedText: 'x' })).toMatchObject({ ok: false, errors: [{ field: 'outcome' }] });
  });
});

describe.each(testEngines)('the reality check on %s', (engine) => {
  let database: TestDatabase;
  const proposers = new Map<string, Proposer>();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await syncCatalogue(database.db, catalogue);
    for (const [name, laCode] of [['Camden', camden], ['Leeds', leeds], ['Bradford', bradford]] as const) {
      const organisationId = await newOrganisation(database.db, { kind: 'local-authority', name, areaCode: laCode, laCode });
      proposers.set(name, { userId: null, label: `${name} analyst`, organisations: [{ organisationId, organisationName: name, laCode }] });
    }
  });
  afterAll(async () => database.dispose());

  async function propose(who: string, body: Record<string, unknown>): Promise<string> {
    const proposer = proposers.get(who)!;
    const parsed = await parseProposal(database.db, catalogue, { reason: 'Our families told us so', local_evidence: 'Parent forum, March', ...body }, proposer);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return storeProposal(database.db, parsed.value, proposer);
  }

  async function startAssessment(who: string, scope: 'threads' | 'T1' | 'T3', period: string): Promise<string> {
    const organisation = proposers.get(who)!.organisations[0]!;
    const { revision, statements } = await statementsAt(database.db, catalogue);
    return createAssessment(database.db, { laCode: organisation.laCode, organisationId: organisation.organisationId, scope, period, catalogueVersion: catalogue.version, catalogueRevision: revision, statements: statementsInScope(statements, scope) }, { userId: null, label: 'test' });
  }

  it('parse proposal refuses an unknown statement, the same wording and missing reasons, naming each field', async () => {
    const proposer = proposers.get('Camden')!;
    const unknown = await parseProposal(database.db, catalogue, { change: 'amend', statement: 'T1-NOWHERE-01', proposed_text: 'x', reason: 'r', local_evidence: 'e' }, proposer);
    expect(unknown).toMatchObject({ ok: false, errors: [{ field: 'statement' }] });
    const current = (await statementsAt(database.db, catalogue)).statements.find((statement) => statement.id === 'GT01-M1')!;
    const same = await parseProposal(database.db, catalogue, { change: 'amend', statement: 'GT01-M1', proposed_text: ` ${current.text.toUpperCase()} `, reason: '', local_evidence: '' }, proposer);
    expect(same.ok ? [] : same.errors.map((error) => error.field)).toEqual(['proposed_text', 'reason', 'local_evidence']);
    const nowhere = await parseProposal(database.db, catalogue, { change: 'add', place: 'cell:9:frontline:universal', proposed_text: 'x', reason: 'r', local_evidence: 'e' }, proposer);
    expect(nowhere).toMatchObject({ ok: false, errors: [{ field: 'place' }] });
    const notStatement = await parseProposal(database.db, catalogue, { change: 'retire', statement: 'GT01-H', reason: 'r', local_evidence: 'e' }, proposer);
    expect(notStatement).toEqual({ ok: false, errors: [{ field: 'statement', text: 'GT01-H is part of the pack’s text, not a statement that is rated: choose a statement' }] });
    const lowerCase = await parseProposal(database.db, catalogue, { change: 'retire', statement: 'gt01-m1', reason: 'r', local_evidence: 'e' }, proposer);
    expect(lowerCase).toMatchObject({ ok: true, value: { statementId: 'GT01-M1', change: 'retire', proposedText: '' } });
    expect(await database.db.selectFrom('framework_amendment').select('id').execute()).toEqual([]);
  });

  it('accept amendment publishes a revision while an assessment started before keeps its wording', async () => {
    const before = await startAssessment('Camden', 'threads', '2024/25');
    const oldText = (await statementsAt(database.db, catalogue)).statements.find((statement) => statement.id === 'GT02-M1')!.text;
    const id = await propose('Camden', { change: 'amend', statement: 'GT02-M1', proposed_text: 'Every partner shares one plan for each vulnerable child, reviewed termly' });
    const result = await decideAmendment(database.db, catalogue, id, { outcome: 'accept', reply: 'Thank you', finalText: 'Every partner shares one plan for each vulnerable child, reviewed each term' }, reviewer);
    expect(result).toMatchObject({ status: 'accepted', revision: 1 });

    const latest = await statementsAt(database.db, catalogue);
    expect(latest.revision).toBe(1);
    expect(latest.statements.find((statement) => statement.id === 'GT02-M1')).toMatchObject({ text: 'Every partner shares one plan for each vulnerable child, reviewed each term', origin: 'amended', revision: 1 });
    const old = (await readAssessment(database.db, before))!;
    expect(old.statements.find((statement) => statement.id === 'GT02-M1')?.text).toBe(oldText);

    const after = await startAssessment('Camden', 'threads', '2025/26');
    const fresh = (await readAssessment(database.db, after))!;
    expect(fresh.statements.find((statement) => statement.id === 'GT02-M1')?.text).toBe('Every partner shares one plan for each vulnerable child, reviewed each term');

    const revisions = await listRevisions(database.db);
    expect(revisions[0]!.changes).toEqual([expect.objectContaining({ statementId: 'GT02-M1', change: 'amend', previousText: oldText, reason: 'Our families told us so' })]);
    const found = await findCatalogueItems(database.db, { q: '"reviewed each term"', limit: 10, offset: 0 });
    expect(found.items.map((entry) => entry.item.id)).toEqual(['GT02-M1']);

    const proposal = (await readAmendment(database.db, catalogue, id))!;
    expect(proposal.outcome).toMatchObject({ status: 'accepted', revision: 1, reply: 'Thank you' });
    expect(proposal.acceptedText).toBe('Every partner shares one plan for each vulnerable child, reviewed each term');
  });

  it('accept addition puts the new statement in the scope of new assessments only', async () => {
    const before = await startAssessment('Leeds', 'T1', '2024/25');
    const id = await propose('Leeds', { change: 'add', place: 'cell:1:frontline:universal', proposed_text: 'Family hubs open at weekends for working parents' });
    const result = await decideAmendment(database.db, catalogue, id, { outcome: 'accept', reply: '', finalText: 'Family hubs open at weekends for working parents' }, reviewer);
    expect(result.addedStatementId).toBe('T1-FRONTLINE-UNIVERSAL-X01');

    const old = (await readAssessment(database.db, before))!;
    expect(old.statements.some((statement) => statement.id === 'T1-FRONTLINE-UNIVERSAL-X01')).toBe(false);
    const after = (await readAssessment(database.db, await startAssessment('Leeds', 'T1', '2025/26')))!;
    expect(after.statements.find((statement) => statement.id === 'T1-FRONTLINE-UNIVERSAL-X01')).toMatchObject({ text: 'Family hubs open at weekends for working parents', layer: 'frontline', tier: 'universal' });
    expect(after.total).toBe(old.total + 1);

    const second = await propose('Bradford', { change: 'add', place: 'cell:1:frontline:universal', proposed_text: 'Health visitors meet every family at a hub' });
    expect((await decideAmendment(database.db, catalogue, second, { outcome: 'accept', reply: '', finalText: 'Health visitors meet every family at a hub' }, reviewer)).addedStatementId).toBe('T1-FRONTLINE-UNIVERSAL-X02');
    const found = await findCatalogueItems(database.db, { q: 'weekends working parents', limit: 10, offset: 0 });
    expect(found.items.map((entry) => entry.item.id)).toContain('T1-FRONTLINE-UNIVERSAL-X01');

    const principle = await propose('Bradford', { change: 'add', place: 'principle:T3-P2', proposed_text: 'Pupils help plan the extended day' });
    expect((await decideAmendment(database.db, catalogue, principle, { outcome: 'accept', reply: '', finalText: 'Pupils help plan the extended day' }, reviewer)).addedStatementId).toBe('T3-P2-X01');
    const school = (await readAssessment(database.db, await startAssessment('Bradford', 'T3', '2025/26')))!;
    expect(school.statements.find((statement) => statement.id === 'T3-P2-X01')).toMatchObject({ kind: 'principle-point', parentId: 'T3-P2' });
  });

  it('accept retirement leaves the statement out of new assessments only', async () => {
    const before = await startAssessment('Bradford', 'threads', '2024/25');
    const id = await propose('Bradford', { change: 'retire', statement: 'GT05-M2' });
    await decideAmendment(database.db, catalogue, id, { outcome: 'accept', reply: 'Covered by GT05-M1', finalText: '' }, reviewer);
    expect((await readAssessment(database.db, before))!.statements.some((statement) => statement.id === 'GT05-M2')).toBe(true);
    const after = (await readAssessment(database.db, await startAssessment('Bradford', 'threads', '2025/26')))!;
    expect(after.statements.some((statement) => statement.id === 'GT05-M2')).toBe(false);
    const again = await parseProposal(database.db, catalogue, { change: 'amend', statement: 'GT05-M2', proposed_text: 'x', reason: 'r', local_evidence: 'e' }, proposers.get('Camden')!);
    expect(again).toMatchObject({ ok: false, errors: [{ field: 'statement' }] });
    const row = await database.db.selectFrom('framework_item').select('item').where('id', '=', 'GT05-M2').executeTakeFirstOrThrow();
    expect(row.item).toMatchObject({ retired: true });
  });

  it('reject proposal records the reply and publishes nothing', async () => {
    const revisionsBefore = (await listRevisions(database.db)).length;
    const id = await propose('Leeds', { change: 'amend', statement: 'GT03-M1', proposed_text: 'Something else entirely' });
    await decideAmendment(database.db, catalogue, id, { outcome: 'reject', reply: 'The pack’s wording already covers this' }, reviewer);
    expect((await listRevisions(database.db)).length).toBe(revisionsBefore);
    const mine = await listAmendments(database.db, catalogue, { laCodes: [leeds], status: 'rejected' });
    expect(mine.map((amendment) => [amendment.id, amendment.outcome.status, amendment.outcome.reply])).toEqual([[id, 'rejected', 'The pack’s wording already covers this']]);
    await expect(decideAmendment(database.db, catalogue, id, { outcome: 'accept', reply: '', finalText: 'x' }, reviewer)).rejects.toBeInstanceOf(DecisionRefusedError);
  });

  it('merge proposals then accept the target makes one change the merged one follows', async () => {
    const revisionsBefore = (await listRevisions(database.db)).length;
    const first = await propose('Camden', { change: 'amend', statement: 'GT06-M1', proposed_text: 'Schools and health share data about vulnerable children every month' });
    const second = await propose('Leeds', { change: 'amend', statement: 'GT06-M1', proposed_text: 'Schools and health share data about vulnerable children monthly' });
    const third = await propose('Bradford', { change: 'amend', statement: 'GT06-M1', proposed_text: 'Schools share data about vulnerable children with health every month' });
    const elsewhere = await propose('Bradford', { change: 'amend', statement: 'GT07-M1', proposed_text: 'Another statement entirely' });

    await expect(decideAmendment(database.db, catalogue, second, { outcome: 'merge', reply: '', mergeInto: elsewhere }, reviewer)).rejects.toMatchObject({ errors: [{ field: 'merge_into' }] });
    await decideAmendment(database.db, catalogue, third, { outcome: 'merge', reply: '', mergeInto: second }, reviewer);
    await decideAmendment(database.db, catalogue, second, { outcome: 'merge', reply: 'Alike', mergeInto: first }, reviewer);

    const group = groupAmendments(await listAmendments(database.db, catalogue, { statementId: 'GT06-M1' }))[0]!;
    expect(group).toMatchObject({ statementId: 'GT06-M1', councils: 3, waiting: 1 });
    expect(group.similar[0]!.councils).toBe(3);

    const result = await decideAmendment(database.db, catalogue, first, { outcome: 'accept', reply: 'Agreed by the national team', finalText: 'Schools and health share data about vulnerable children every month' }, reviewer);
    expect(result.followers.sort()).toEqual([second, third].sort());
    const revisions = await listRevisions(database.db);
    expect(revisions.length).toBe(revisionsBefore + 1);
    expect(revisions[0]!.changes).toHaveLength(1);
    expect(revisions[0]!.summary).toContain('3 councils');

    const followers: Amendment[] = await listAmendments(database.db, catalogue, { ids: [second, third] });
    for (const follower of followers) {
      expect(follower.status).toBe('merged');
      expect(follower.mergedInto).toBe(first);
      expect(follower.outcome).toMatchObject({ status: 'accepted', revision: result.revision, reply: 'Agreed by the national team', via: first });
      expect(follower.acceptedText).toBe('Schools and health share data about vulnerable children every month');
    }
  });
});
