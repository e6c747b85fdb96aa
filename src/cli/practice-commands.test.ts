import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { skipBrowserTests } from '../../test/support/browser.js';
import { testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { testEngines } from '../../test/support/database.js';
import { publishItem } from '../../test/support/digest.js';
import { completeContent } from '../../test/support/practice.js';
import { openDatabase, openPostgres } from '../db/database.js';
import { freezeItems } from '../practice/digest.js';
import { namedDestinationPages } from '../practice/digest-print.js';
import { prepareDatabase } from '../service.js';
import { configWith } from './program.js';

describe.each(testEngines)('ntg practice digest on %s', (engine) => {
  let folder: string;
  let postgresName = '';

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-digest-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('NTG_PUBLIC_URL', 'https://ntg.example.org');
    vi.stubEnv('DATABASE_URL', '');
    if (engine === 'postgres') {
      postgresName = `ntg_test_digest_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
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
      const first = await publishItem(db, completeContent({ title: 'Reading buddies for children in care' }), { grade: 'validated', strength: 4 });
      const second = await publishItem(db, completeContent({ title: 'Attendance mentors for Year 7', groups: ['poor-attendance'] }), { grade: 'emerging', strength: 2 });
      const sections = [
        { heading: 'Children in care', introduction: '', itemIds: [first.id] },
        { heading: 'Attendance', introduction: '', itemIds: [second.id] },
      ];
      const items = Object.fromEntries(await freezeItems(db, [first.id, second.id]));
      await db
        .insertInto('practice_digest_edition')
        .values([
          { number: 1, title: 'What works: first edition', introduction: 'Practice that narrows the gap.', sections: JSON.stringify(sections), status: 'published', items: JSON.stringify(items), created_by_label: 'National team', published_at: new Date(), published_by_label: 'National team' },
          { number: 2, title: 'Not yet out', introduction: '', sections: JSON.stringify([]), created_by_label: 'National team' },
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

  it.skipIf(skipBrowserTests)(
    'digest writes a published edition as a PDF with numbered contents',
    async () => {
      const out = join(folder, 'digest.pdf');
      const result = await runNtg('practice', 'digest', '--edition', '1', '--out', out);
      expect(result.err).toMatch(/^Wrote digest edition 1, “What works: first edition” \(2 items in 2 sections, 5 pages\), to .*digest\.pdf as PDF\.$/);
      expect(result.code).toBe(0);
      const pdf = readFileSync(out);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(Object.fromEntries(namedDestinationPages(pdf))).toMatchObject({ introduction: 3, 'section-1': 4, 'section-2': 5 });
    },
    120_000,
  );

  it('digest --format html writes the print as one self-contained HTML file', async () => {
    const out = join(folder, 'digest.html');
    const result = await runNtg('practice', 'digest', '--edition', '1', '--out', out, '--format', 'html');
    expect(result.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/m);
    expect(html).toContain('<h1>What works: first edition</h1>');
    expect(html).toContain('Reading buddies for children in care');
    expect(html).toContain('https://ntg.example.org/practice/digest/1');
    expect(html).not.toMatch(/<link|<script/);
  });

  it('digest refuses an edition that is missing or not published, naming those that are', async () => {
    const missing = await runNtg('practice', 'digest', '--edition', '7', '--out', join(folder, 'x.pdf'));
    expect(missing).toEqual({ code: 2, out: '', err: 'ntg: --edition: there is no digest edition 7 (published: 1)' });
    const draft = await runNtg('practice', 'digest', '--edition', '2', '--out', join(folder, 'x.pdf'));
    expect(draft.code).toBe(2);
    expect(draft.err).toBe('ntg: --edition: edition 2 is a draft, not published, so it cannot be printed (published: 1); preview it on /practice/digest/editions/2');
    const word = await runNtg('practice', 'digest', '--edition', 'latest', '--out', join(folder, 'x.pdf'));
    expect(word.err).toBe('ntg: --edition: give the edition’s number, a whole number from 1 (got latest)');
  });

  it('digest refuses a path it cannot write before printing', async () => {
    const nowhere = join(folder, 'no-such-folder', 'digest.pdf');
    const result = await runNtg('practice', 'digest', '--edition', '1', '--out', nowhere);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`ntg: Cannot write ${nowhere}: the folder ${join(folder, 'no-such-folder')} does not exist`);
    const toFolder = await runNtg('practice', 'digest', '--edition', '1', '--out', folder);
    expect(toFolder.err).toBe(`ntg: Cannot write ${folder}: it is a folder; give a file name, such as ${folder}/digest.pdf`);
  });
});
