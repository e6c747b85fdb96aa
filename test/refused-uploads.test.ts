import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../src/auth/gate.js';
import { findBatch } from '../src/ingest/batches.js';
import { importChildFile } from '../src/ingest/child-import.js';
import { discardRefusedImportFiles, sha256OfFile } from '../src/ingest/kept-files.js';
import { Agent } from './support/agent.js';
import { newOrganisation, newSignedInUser } from './support/accounts.js';
import { createTestApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { child, childCsv, testPseudonymKey } from './support/child-files.js';
import { testEngines } from './support/database.js';

const camden = 'E09000007';
const hackney = 'E09000012';
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

/** Every file kept in the data folder's imports, with its text. */
function keptFiles(dataDir: string): Map<string, string> {
  const folder = join(dataDir, 'imports');
  if (!existsSync(folder)) return new Map();
  return new Map(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name), 'utf8')]));
}

describe.each(testEngines)('refused uploads on %s', (engine) => {
  let testApp: TestApp;
  let dataDir: string;
  let analyst: Agent;
  let admin: Agent;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-refused-'));
    testApp = await createTestApp({ engine, environment: { NTG_DATA_DIR: dataDir, NTG_PSEUDONYM_KEY: testPseudonymKey } });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    analyst = new Agent(testApp.app);
    analyst.cookies.set(sessionCookieName(false), (await newSignedInUser(db, { email: 'analyst@example.org', role: 'analyst', organisationId: authority })).sessionToken);
    admin = new Agent(testApp.app);
    admin.cookies.set(sessionCookieName(false), (await newSignedInUser(db, { email: 'admin@example.org', role: 'authority-admin', organisationId: authority })).sessionToken);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (fileName: string, content: string | Buffer) => analyst.upload('/imports/children/new', '/imports/children', {}, [{ field: 'file', fileName, content }]);

  it('deletes the file of a refused import and keeps only its problems, which still show on the page and as CSV', async () => {
    const secretId = 'Q123456789012';
    const response = await upload('refused.csv', childCsv([child(1, { child_id: secretId, academic_year: '2018/19', ks2_reading_scaled: '121', ks2_prior_average: '79.5' })]));
    expect(String(response.headers.location)).toMatch(/^\/imports\/\d+\?outcome=rejected$/);
    const batchPath = String(response.headers.location).split('?')[0]!;
    const batch = await findBatch(testApp.database.db, 'all', batchPath.split('/')[2]!);
    expect(batch).toMatchObject({ outcome: 'rejected', storedFile: null });
    for (const [name, text] of keptFiles(dataDir)) expect({ name, holdsTheChild: text.includes(secretId) }).toEqual({ name, holdsTheChild: false });

    const page = await analyst.get(batchPath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('ks2_reading_scaled');
    const csv = await analyst.get(`${batchPath}/problems.csv`);
    expect(parse(csv.body, { bom: true })).toEqual([
      ['row', 'column', 'value', 'expected'],
      ['2', 'ks2_prior_average', '79.5', 'a number from 80 to 120, or blank'],
      ['2', 'ks2_reading_scaled', '121', 'a whole number from 80 to 120, or blank'],
    ]);
  });

  it('keeps the copy of a file loaded for one authority when the same file is refused for another', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ntg-same-file-'));
    const path = join(folder, 'shared.csv');
    writeFileSync(path, childCsv([child(5, { academic_year: '2017/18' })]));
    const context = { database: testApp.database, dataDir, pseudonymKey: testPseudonymKey };
    const loaded = await importChildFile({ path, fileName: 'shared.csv', laCode: camden, acceptValid: false, actor: operator }, context);
    expect(loaded.outcome).toBe('loaded');
    const refused = await importChildFile({ path, fileName: 'shared.csv', laCode: hackney, acceptValid: false, actor: operator }, context);
    expect(refused.outcome).toBe('rejected');
    const kept = (await findBatch(testApp.database.db, 'all', loaded.batchId))?.storedFile;
    expect(kept).toBe(`imports/${await sha256OfFile(path)}.csv`);
    expect(existsSync(join(dataDir, kept!))).toBe(true);
    rmSync(folder, { recursive: true, force: true });
  });

  it('deletes, at start-up, the files an earlier version kept of refused imports', async () => {
    const db = testApp.database.db;
    mkdirSync(join(dataDir, 'imports'), { recursive: true });
    writeFileSync(join(dataDir, 'imports', 'old-refused.csv'), 'child_id,academic_year,la_code\nOLD000000001,2016/17,E09000007\n');
    const inserted = await sql<{ id: string }>`
      insert into import_batch (kind, la_code, uploaded_by_label, file_name, sha256, stored_file, byte_size, outcome, accept_valid, started_at, details)
      values ('children', ${camden}, 'operator', 'old.csv', ${'0'.repeat(64)}, 'imports/old-refused.csv', 10, 'rejected', false, now(), '{}') returning id`.execute(db);
    const id = String(inserted.rows[0]!.id);
    await discardRefusedImportFiles(testApp.database, dataDir);
    expect(existsSync(join(dataDir, 'imports', 'old-refused.csv'))).toBe(false);
    expect(await findBatch(db, 'all', id)).toMatchObject({ outcome: 'rejected', storedFile: null });
  });

  it('never repeats the first row of a file without a header, which may be a child’s data', async () => {
    const secretId = 'H998877665544';
    const response = await upload('no-header.csv', `${secretId},2023/24,E09000007\nH998877665545,2023/24,E09000007\n`);
    const batchPath = String(response.headers.location).split('?')[0]!;
    const csv = await analyst.get(`${batchPath}/problems.csv`);
    expect(csv.body).toMatch(/header/);
    expect(csv.body).not.toContain(secretId);
    const stored = await sql<{ row: string }>`select t::text as row from import_problem t`.execute(testApp.database.db);
    expect(stored.rows.some((row) => row.row.includes(secretId))).toBe(false);
  });

  it('answers a file name with a NUL byte with a page, not an error', async () => {
    const response = await upload('pup\u0000ils.csv', childCsv([child(20, { academic_year: '2015/16' })]));
    expect(response.statusCode).toBe(303);
    expect(String(response.headers.location)).toMatch(/^\/imports\/\d+\?outcome=loaded$/);
    const page = await analyst.get(String(response.headers.location));
    expect(page.body).toContain('pupils.csv');
  });

  it('refuses a child-level file holding a NUL byte with a problem that names its row', async () => {
    const response = await upload('nul.csv', childCsv([child(30, { academic_year: '2014/15' }), child(31, { academic_year: '2014/15', ethnicity: 'WB\u0000RI' })]));
    expect(response.statusCode).toBe(303);
    expect(String(response.headers.location)).toMatch(/outcome=rejected$/);
    const csv = await analyst.get(`${String(response.headers.location).split('?')[0]}/problems.csv`);
    expect(parse(csv.body, { bom: true })).toContainEqual(['3', '(file)', '', expect.stringMatching(/NUL/) as unknown]);
  });

  it('refuses a settings file holding a NUL byte, or named with one, with a 400 and a problem, not an error', async () => {
    const settingsUpload = (fileName: string, content: string) => admin.upload('/admin/organisations', '/admin/organisations/settings', {}, [{ field: 'file', fileName, content }]);
    const inValue = await settingsUpload('settings.csv', 'urn,name,kind,la_code,phase\n100001,Ash\u0000Grove,school,E09000007,primary\n');
    expect(inValue.statusCode).toBe(400);
    expect(inValue.body).toContain('NUL');
    const inName = await settingsUpload('sett\u0000ings.csv', 'urn,name,kind,la_code,phase\n100001,Ash Grove,school,E09000007,primary\n');
    expect(inName.statusCode).toBe(200);
    expect(inName.body).toContain('settings.csv');
  });
});
