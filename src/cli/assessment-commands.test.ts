import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { testEngines } from '../../test/support/database.js';
import { statementsInScope } from '../assessment/scope.js';
import type { RatingFields } from '../assessment/store.js';
import { createAssessment, saveRating } from '../assessment/store.js';
import { storeEvidenceFile } from '../assessment/evidence-files.js';
import { openDatabase, openPostgres } from '../db/database.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { prepareDatabase } from '../service.js';
import { configWith } from './program.js';

const leeds = 'E08000035';
const author = { userId: null, label: 'Test lead' };

function rating(fields: Partial<RatingFields>): RatingFields {
  return { level: null, notApplicable: false, notApplicableReason: '', note: '', links: [], confidence: null, nextStep: '', nextStepOwner: '', nextStepDue: null, ...fields };
}

interface ExportJson {
  statement_id: string;
  template: number | null;
  thread: string | null;
  text: string;
  rating: string;
  confidence: string;
  evidence_count: number;
  next_step: string;
  moderated_rating: string;
  agreed_rating: string;
}

describe.each(testEngines)('ntg assessments on %s', (engine) => {
  let folder: string;
  let threadsId = '';
  let t1Id = '';
  let postgresName = '';

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-assessments-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('DATABASE_URL', '');
    if (engine === 'postgres') {
      postgresName = `ntg_test_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = await openPostgres(process.env.TEST_DATABASE_URL!, 1);
      await sql.raw(`create database ${postgresName}`).execute(admin.db);
      await admin.close();
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${postgresName}`;
      vi.stubEnv('DATABASE_URL', url.toString());
    }
    const config = configWith({});
    const database = await openDatabase(config);
    try {
      await prepareDatabase(database, config);
      const db = database.db;
      const organisation = await db.selectFrom('organisation').select('id').where('kind', '=', 'local-authority').where('area_code', '=', leeds).executeTakeFirstOrThrow();
      const catalogue = loadCatalogue();
      const statements = seedStatements(catalogue);
      const start = (scope: 'threads' | 'T1') =>
        createAssessment(db, { laCode: leeds, organisationId: organisation.id, scope, period: '2025/26', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: statementsInScope(statements, scope) }, author);
      threadsId = await start('threads');
      t1Id = await start('T1');
      const save = (statementId: string, fields: Partial<RatingFields>) => saveRating(db, { laCode: leeds, assessmentId: threadsId, statementId, expectedVersion: 0 }, rating(fields), author);
      await save('GT01', { level: 3, confidence: 'high', nextStep: 'Share the protocol with schools' });
      await save('GT02', { notApplicable: true, notApplicableReason: 'No such service here' });
      await save('GT03', { level: 1, confidence: 'low' });
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
      for (const filename of ['minutes.pdf', 'audit.pdf']) await storeEvidenceFile(db, { laCode: leeds, assessmentId: threadsId, statementId: 'GT01' }, { filename, mediaType: 'application/pdf', content: pdf }, author);
      const adviser = await db.insertInto('user_account').values({ email: 'adviser@example.org', display_name: 'Adviser', status: 'active', password_hash: null, totp_secret: null }).returning('id').executeTakeFirstOrThrow();
      // An older moderation whose moderator declined, then the one that counts: submitted, one rating agreed.
      await db.insertInto('assessment_moderation').values({ la_code: leeds, assessment_id: threadsId, moderator_user_id: adviser.id, moderator_label: 'Adviser', moderator_organisation: 'Yorkshire and The Humber', sample: null, status: 'declined', invited_by_label: 'Test lead' }).execute();
      const moderation = await db
        .insertInto('assessment_moderation')
        .values({ la_code: leeds, assessment_id: threadsId, moderator_user_id: adviser.id, moderator_label: 'Adviser', moderator_organisation: 'Yorkshire and The Humber', sample: ['GT01', 'GT03'], status: 'agreed', invited_by_label: 'Test lead', submitted_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('assessment_moderation_rating')
        .values([
          { la_code: leeds, moderation_id: moderation.id, statement_id: 'GT01', level: 2, agreed_level: 2, agreed_comment: 'Not yet in every school', agreed_by_label: 'Both', agreed_at: new Date() },
          { la_code: leeds, moderation_id: moderation.id, statement_id: 'GT03', level: 2 },
        ])
        .execute();
    } finally {
      await database.close();
    }
  }, 120_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    rmSync(folder, { recursive: true, force: true });
    if (postgresName !== '') {
      const admin = await openPostgres(process.env.TEST_DATABASE_URL!, 1);
      await sql.raw(`drop database if exists ${postgresName} with (force)`).execute(admin.db);
      await admin.close();
    }
  });

  it('list assessments as JSON gives each with id, organisation, scope, period, status, rated and total', async () => {
    const result = await runNtg('assessments', 'list', '--format', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual([
      { id: t1Id, organisation: 'Leeds', scope: 'T1', period: '2025/26', status: 'in-progress', rated: 0, total: expect.any(Number) as unknown },
      { id: threadsId, organisation: 'Leeds', scope: 'threads', period: '2025/26', status: 'in-progress', rated: 3, total: 66 },
    ]);
  });

  it('list assessments as a table prints a header and a line each, filtered as asked', async () => {
    const result = await runNtg('assessments', 'list', '--scope', 'threads', '--la', '383');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^Id\s+Organisation\s+Scope\s+Period\s+Status\s+Rated\s+Total$/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(new RegExp(`^${threadsId}\\s+Leeds\\s+threads\\s+2025/26\\s+in-progress\\s+3\\s+66$`));
    const none = await runNtg('assessments', 'list', '--status', 'signed-off');
    expect(none.out).toBe('No assessments match.');
  });

  it('export assessment as JSON gives one row per statement with ratings, evidence and the latest submitted moderation', async () => {
    const result = await runNtg('assessments', 'export', '--id', threadsId, '--format', 'json');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.out) as ExportJson[];
    expect(rows).toHaveLength(66);
    expect(rows[0]).toMatchObject({ statement_id: 'GT01', template: null, thread: 'GT01', rating: 'established', confidence: 'high', evidence_count: 2, next_step: 'Share the protocol with schools', moderated_rating: 'developing', agreed_rating: 'developing' });
    expect(rows.find((row) => row.statement_id === 'GT02')).toMatchObject({ rating: 'not-applicable', evidence_count: 0, moderated_rating: '', agreed_rating: '' });
    expect(rows.find((row) => row.statement_id === 'GT03')).toMatchObject({ rating: 'not-yet-in-place', confidence: 'low', moderated_rating: 'developing', agreed_rating: '' });
    expect(rows.find((row) => row.statement_id === 'GT04')).toMatchObject({ rating: '', confidence: '', evidence_count: 0 });
  });

  it('export assessment as CSV writes the named columns, one row per statement, to a file', async () => {
    const out = join(folder, 'threads.csv');
    const result = await runNtg('assessments', 'export', '--id', threadsId, '--format', 'csv', '--out', out);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Wrote 66 statements of Leeds’s threads assessment for 2025/26 to ${out} as CSV.`);
    const rows = parse<Record<string, string>>(readFileSync(out, 'utf8'), { bom: true, columns: true });
    expect(Object.keys(rows[0]!)).toEqual(['statement_id', 'template', 'layer', 'tier', 'thread', 'text', 'rating', 'confidence', 'evidence_count', 'next_step', 'moderated_rating', 'agreed_rating']);
    expect(rows).toHaveLength(66);
    expect(rows[0]).toMatchObject({ statement_id: 'GT01', rating: 'established', evidence_count: '2', agreed_rating: 'developing' });
    const config = configWith({});
    const database = await openDatabase(config);
    try {
      const audited = await database.db.selectFrom('audit_log').select(['target', 'la_code', 'details']).where('action', '=', 'assessment-exported').execute();
      expect(audited.map((entry) => entry.target)).toEqual([`assessment:${threadsId}`, `assessment:${threadsId}`]);
      expect(audited.every((entry) => entry.la_code === leeds)).toBe(true);
    } finally {
      await database.close();
    }
  });

  it('export assessment of an unknown id says so and exits non-zero', async () => {
    const unknown = await runNtg('assessments', 'export', '--id', '00000000-0000-0000-0000-000000000000', '--format', 'csv');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe('');
    expect(unknown.err).toBe('ntg: --id: there is no assessment 00000000-0000-0000-0000-000000000000 (see ntg assessments list)');
    const malformed = await runNtg('assessments', 'export', '--id', 'seven');
    expect(malformed.code).toBe(2);
    expect(malformed.err).toBe('ntg: --id: there is no assessment seven (see ntg assessments list)');
  });

  it('assessments help says the command acts as the operator', async () => {
    const result = await runNtg('assessments', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('as the operator');
  });
});
