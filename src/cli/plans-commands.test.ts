import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { testEngines } from '../../test/support/database.js';
import { newOrganisation } from '../../test/support/accounts.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { openDatabase, openPostgres } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { mayReadImprovementPlan } from '../plans/service.js';
import { addAction, addMeasure, addPriority, createImprovementPlan, updateAction } from '../plans/store.js';
import { prepareDatabase } from '../service.js';
import type { planDocument } from './plans-commands.js';
import { commandLineReader } from './plans-commands.js';
import { configWith } from './program.js';

const leeds = 'E08000035';
const camden = 'E09000007';
const author = { userId: null, label: 'Test lead' };
// 13 January 2027 is a Wednesday.
const today = '2027-01-13';

/** The JSON export as read back. */
type PlanJson = ReturnType<typeof planDocument>;

interface ListRow {
  id: string;
  organisation: string;
  period: string;
  priorities: number;
  actions: number;
  la_code: string;
  title: string;
  overdue: number;
}

async function person(db: Kysely<Schema>, name: string, organisationId: string): Promise<{ id: string; email: string }> {
  const email = `${name.toLowerCase()}@example.org`;
  const row = await db.insertInto('user_account').values({ email, display_name: name, status: 'active', password_hash: null, totp_secret: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ user_id: row.id, organisation_id: organisationId, role: 'leader', granted_by: null }).execute();
  return { id: row.id, email };
}

describe.each(testEngines)('ntg plans on %s', (engine) => {
  let folder: string;
  let postgresName = '';
  let leedsPlanId = '';
  let camdenPlanId = '';
  let leedsOwner = { laCode: leeds, organisationId: '' };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-plans-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('NTG_PUBLIC_URL', 'https://ntg.example.org');
    vi.stubEnv('NTG_SMTP_URL', '');
    vi.stubEnv('DATABASE_URL', '');
    if (engine === 'postgres') {
      postgresName = `ntg_test_plans_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
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
      const leedsId = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds', areaCode: leeds, laCode: leeds });
      const camdenId = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
      const partnerId = await newOrganisation(db, { kind: 'partner', name: 'Leeds Reading Trust', laCode: leeds });
      leedsOwner = { laCode: leeds, organisationId: leedsId };
      const ann = await person(db, 'Ann', leedsId);
      const bob = await person(db, 'Bob', leedsId);

      const plan = await createImprovementPlan(db, leedsOwner, { title: 'Leeds improvement plan', vision: 'Every child reads well by 11.', periodStart: '2026-04-01', periodEnd: '2029-03-31', ownerUserId: ann.id }, author);
      leedsPlanId = plan.id;
      const reading = await addPriority(db, leeds, plan.id, { title: 'Early reading for children in care', rationale: 'The widest gap.', links: [{ kind: 'thread', target: 'GT01' }], source: 'written', suggestionKey: null }, author);
      const attendance = await addPriority(db, leeds, plan.id, { title: 'Attendance in Year 7', rationale: 'Attendance falls at transfer.', links: [], source: 'written', suggestionKey: null }, author);
      await addMeasure(
        db,
        leeds,
        plan.id,
        reading.priorityId,
        { indicator: 'ks2_rwm_expected', groupSpec: 'children-in-care', comparator: 'all-other', figure: 'gap', baselineYear: '2024/25', baselineValue: -30, targetYear: '2027/28', targetValue: -20 },
        author,
      );
      const buddies = await addAction(db, leeds, plan.id, reading.priorityId, { title: 'Train reading buddies', owner: { kind: 'member', userId: bob.id }, startDate: '2026-05-01', dueDate: '2027-01-10', status: 'on-track', note: '' }, author);
      const version = buddies.plan.priorities[0]!.actions.find((action) => action.id === buddies.actionId)!.version;
      await updateAction(db, leeds, plan.id, buddies.actionId, version, { title: 'Train reading buddies', owner: { kind: 'member', userId: bob.id }, startDate: '2026-05-01', dueDate: '2027-01-10', status: 'on-track', note: 'Twelve buddies trained, =SUM(A1) checked' }, author);
      await addAction(db, leeds, plan.id, reading.priorityId, { title: 'Buy books for every child', owner: { kind: 'partner', organisationId: partnerId }, startDate: '2026-06-01', dueDate: '2027-06-30', status: 'not-started', note: '' }, author);
      await addAction(db, leeds, plan.id, attendance.priorityId, { title: 'Attendance mentors', owner: { kind: 'member', userId: bob.id }, startDate: '2026-09-01', dueDate: '2027-01-18', status: 'at-risk', note: 'Two mentors recruited' }, author);
      await addAction(db, leeds, plan.id, attendance.priorityId, { title: 'Agree the transfer protocol', owner: { kind: 'member', userId: ann.id }, startDate: '2026-04-01', dueDate: '2026-12-01', status: 'done', note: 'Signed by every head' }, author);

      camdenPlanId = (await createImprovementPlan(db, { laCode: camden, organisationId: camdenId }, { title: 'Camden plan', vision: '', periodStart: '2025-09-01', periodEnd: '2026-08-31', ownerUserId: null }, author)).id;
    } finally {
      await database.close();
    }
    // Three children in care in Leeds (one reaches the KS2 standard) and twenty others: too few in care to show their figures to everyone.
    const rows = [
      ...Array.from({ length: 3 }, (_, index) => child(index, { la_code: leeds, child_in_care: 'Y', ks2_rwm_expected: index < 1 ? 'Y' : 'N', ncy: '6' })),
      ...Array.from({ length: 20 }, (_, index) => child(100 + index, { la_code: leeds, child_in_care: 'N', ks2_rwm_expected: index < 14 ? 'Y' : 'N', ncy: '6' })),
    ];
    const path = join(folder, 'leeds.csv');
    writeFileSync(path, childCsv(rows));
    expect((await runNtg('import', 'children', path, '--la', leeds)).code).toBe(0);
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

  it('reads plans as a viewer who may read every plan but never sees small numbers', async () => {
    expect(mayReadImprovementPlan(commandLineReader, leedsOwner)).toBe(true);
    expect(seesSmallNumbers(commandLineReader, { laCode: leeds })).toBe(false);
    // The operator's own gaps command shows the gap the plan's measure follows; the export withholds it.
    const operator = JSON.parse((await runNtg('gaps', '--la', leeds, '--indicator', 'ks2_rwm_expected', '--group', 'children-in-care', '--format', 'json')).out) as { gap: number | null }[];
    expect(operator[0]!.gap).not.toBeNull();
    const plan = JSON.parse((await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'json', '--today', today)).out) as PlanJson;
    expect(plan.priorities[0]!.measures[0]).toMatchObject({ latest: null, direction: 'no-data', series: [{ year: '2023/24', value: null, note: 'Withheld: fewer than 5 children behind a figure' }] });
  });

  it('list --format json gives every plan with its organisation, period and counts', async () => {
    const result = await runNtg('plans', 'list', '--format', 'json', '--today', today);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.out) as ListRow[];
    expect(rows).toEqual([
      { id: leedsPlanId, organisation: 'Leeds', period: '2026-04-01 to 2029-03-31', priorities: 2, actions: 4, la_code: leeds, title: 'Leeds improvement plan', overdue: 1 },
      { id: camdenPlanId, organisation: 'Camden', period: '2025-09-01 to 2026-08-31', priorities: 0, actions: 0, la_code: camden, title: 'Camden plan', overdue: 0 },
    ]);
    for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(['id', 'organisation', 'period', 'priorities', 'actions']));
  });

  it('list prints an aligned table with a header row by default', async () => {
    const result = await runNtg('plans', 'list', '--today', today);
    expect(result.code).toBe(0);
    const line = (cells: string[]) =>
      [cells[0]!.padEnd(36), cells[1]!.padEnd(12), cells[2]!.padEnd(24), cells[3]!.padStart(10), cells[4]!.padStart(7), cells[5]!.padStart(7), cells[6]!].join('  ');
    expect(result.out.split('\n')).toEqual([
      line(['Id', 'Organisation', 'Period', 'Priorities', 'Actions', 'Overdue', 'Title']),
      line([leedsPlanId, 'Leeds', '2026-04-01 to 2029-03-31', '2', '4', '1', 'Leeds improvement plan']),
      line([camdenPlanId, 'Camden', '2025-09-01 to 2026-08-31', '0', '0', '0', 'Camden plan']),
    ]);
  });

  it('export --format csv writes one row per action with whether it is overdue and its latest update', async () => {
    const result = await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'csv', '--today', today);
    expect(result.code).toBe(0);
    expect(result.out.startsWith('\uFEFFpriority,action,owner,start_date,due_date,status,overdue,latest_update\r\n')).toBe(true);
    const rows = parse<Record<string, string>>(result.out, { bom: true, columns: true });
    expect(rows).toEqual([
      { priority: 'Early reading for children in care', action: 'Train reading buddies', owner: 'Bob', start_date: '2026-05-01', due_date: '2027-01-10', status: 'on-track', overdue: 'true', latest_update: 'Twelve buddies trained, =SUM(A1) checked' },
      { priority: 'Early reading for children in care', action: 'Buy books for every child', owner: 'Leeds Reading Trust', start_date: '2026-06-01', due_date: '2027-06-30', status: 'not-started', overdue: 'false', latest_update: 'Action added' },
      { priority: 'Attendance in Year 7', action: 'Agree the transfer protocol', owner: 'Ann', start_date: '2026-04-01', due_date: '2026-12-01', status: 'done', overdue: 'false', latest_update: 'Signed by every head' },
      { priority: 'Attendance in Year 7', action: 'Attendance mentors', owner: 'Bob', start_date: '2026-09-01', due_date: '2027-01-18', status: 'at-risk', overdue: 'false', latest_update: 'Two mentors recruited' },
    ]);
    // A day after the mentors were due, they are overdue too.
    const later = parse<Record<string, string>>((await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'csv', '--today', '2027-01-19')).out, { bom: true, columns: true });
    expect(later.map((row) => row.overdue)).toEqual(['true', 'false', 'false', 'true']);
  });

  it('export --format json writes the whole plan: links, measures with baseline, target, latest and direction, actions with their updates', async () => {
    const out = join(folder, 'plan.json');
    const result = await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'json', '--out', out, '--today', today);
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe(`Wrote Leeds’s improvement plan “Leeds improvement plan” (2 priorities, 4 actions) to ${out} as JSON.`);
    const plan = JSON.parse(readFileSync(out, 'utf8')) as PlanJson;
    expect(plan).toMatchObject({ id: leedsPlanId, la_code: leeds, organisation: 'Leeds', title: 'Leeds improvement plan', period: '2026-04-01 to 2029-03-31', owner: 'Ann', as_of: today });
    expect(plan.priorities.map((priority) => priority.title)).toEqual(['Early reading for children in care', 'Attendance in Year 7']);
    const [reading, attendance] = plan.priorities as [PlanJson['priorities'][number], PlanJson['priorities'][number]];
    expect(reading.links).toMatchObject([{ kind: 'thread', target: 'GT01', label: 'Golden thread 1' }]);
    // The thread's title, in words.
    expect(reading.links[0]!.text).not.toBe('GT01');
    expect(reading.measures).toEqual([
      expect.objectContaining({
        indicator: 'ks2_rwm_expected',
        group: 'children-in-care',
        comparator: 'all-other',
        baseline: { year: '2024/25', value: -30 },
        target: { year: '2027/28', value: -20 },
        latest: null,
        direction: 'no-data',
      }),
    ]);
    expect(reading.actions[0]).toMatchObject({ title: 'Train reading buddies', owner: 'Bob', due_date: '2027-01-10', status: 'on-track', overdue: true });
    expect(reading.actions[0]!.updates.map((update) => update.note)).toEqual(['Action added', 'Twelve buddies trained, =SUM(A1) checked']);
    expect(attendance.actions.map((action) => action.overdue)).toEqual([false, false]);
  });

  it('export --format docx writes the board paper, the priorities as its headings', async () => {
    const out = join(folder, 'board-paper.docx');
    const result = await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'docx', '--out', out, '--today', today);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Wrote the board paper of Leeds’s improvement plan “Leeds improvement plan” (2 priorities, 4 actions) to ${out} as DOCX.`);
    const html = (await mammoth.convertToHtml({ buffer: readFileSync(out) })).value;
    const headings = [...html.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((match) => match[1]);
    expect(headings).toEqual(expect.arrayContaining(['1. Early reading for children in care', '2. Attendance in Year 7']));
    expect(html).toContain('Train reading buddies');
  }, 60_000);

  it('export --format docx refuses to write to a terminal, and writes to standard output otherwise', async () => {
    const before = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      expect(await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'docx')).toEqual({
        code: 2,
        out: '',
        err: 'ntg: --out: a Word document is binary and is not written to a terminal; give --out FILE (or redirect standard output to a file)',
      });
    } finally {
      process.stdout.isTTY = before;
    }
    process.stdout.isTTY = false;
    try {
      const piped = await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'docx');
      expect(piped.code).toBe(0);
      expect(piped.out.startsWith('PK\u0003\u0004')).toBe(true);
    } finally {
      process.stdout.isTTY = before;
    }
  }, 60_000);

  it('export refuses an unknown or missing id, naming --id', async () => {
    const unknown = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    expect(await runNtg('plans', 'export', '--id', unknown, '--format', 'json')).toEqual({ code: 2, out: '', err: `ntg: --id: there is no improvement plan ${unknown} (see ntg plans list for the ids)` });
    expect((await runNtg('plans', 'export', '--id', 'plan-7', '--format', 'csv')).err).toBe('ntg: --id: there is no improvement plan plan-7 (see ntg plans list for the ids)');
    const missing = await runNtg('plans', 'export', '--format', 'csv');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("required option '--id <id>' not specified");
  });

  it('export refuses a format it does not write, listing those it does', async () => {
    const result = await runNtg('plans', 'export', '--id', leedsPlanId, '--format', 'xlsx');
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain("option '--format <format>' argument 'xlsx' is invalid. Allowed choices are csv, json, docx.");
    const listed = await runNtg('plans', 'list', '--format', 'csv');
    expect(listed.code).toBe(2);
    expect(listed.err).toContain('Allowed choices are table, json.');
    expect(await runNtg('plans', 'list', '--today', '13/01/2027')).toEqual({ code: 2, out: '', err: 'ntg: --today: give a date written YYYY-MM-DD, such as 2027-01-13 (got 13/01/2027)' });
  });

  it('remind sends the day’s reminders to the outbox, and a second run sends nothing', async () => {
    const outbox = async () => {
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        return await database.db.selectFrom('mail_outbox').select(['to_address', 'subject']).orderBy('to_address').orderBy('subject').execute();
      } finally {
        await database.close();
      }
    };
    const before = (await outbox()).length;
    const first = await runNtg('plans', 'remind', '--today', today);
    expect(first).toEqual({
      code: 0,
      out: `Reminders for ${today}: 1 due soon, 1 overdue, 1 weekly digest; 3 in all, kept in the mail outbox (no SMTP server is configured: NTG_SMTP_URL).`,
      err: '',
    });
    const kept = await outbox();
    expect(kept).toHaveLength(before + 3);
    expect(kept.map((message) => message.to_address)).toEqual(expect.arrayContaining(['ann@example.org', 'bob@example.org']));
    expect(kept.filter((message) => message.to_address === 'bob@example.org').map((message) => message.subject)).toEqual(expect.arrayContaining([expect.stringContaining('Attendance mentors'), expect.stringContaining('Train reading buddies')]));

    const second = await runNtg('plans', 'remind', '--today', today);
    expect(second).toEqual({ code: 0, out: `Reminders for ${today}: 0 due soon, 0 overdue, 0 weekly digests; 0 in all.`, err: '' });
    expect(await outbox()).toHaveLength(before + 3);
  });

  it('remind exits 1 when the mailer refuses, and the next run sends what it could not', async () => {
    // The next Tuesday: a new week's digest for Ann, and the mentors are now overdue for Bob.
    vi.stubEnv('NTG_SMTP_URL', 'smtp://127.0.0.1:1');
    let failed;
    try {
      failed = await runNtg('plans', 'remind', '--today', '2027-01-19');
    } finally {
      vi.stubEnv('NTG_SMTP_URL', '');
    }
    expect(failed.code).toBe(1);
    expect(failed.out).toBe('Reminders for 2027-01-19: 0 due soon, 0 overdue, 0 weekly digests; 0 in all; 2 not sent.');
    expect(failed.err.split('\n').at(-1)).toBe('ntg: 2 reminders could not be sent; the next run tries them again');
    const retried = await runNtg('plans', 'remind', '--today', '2027-01-19');
    expect(retried).toEqual({ code: 0, out: 'Reminders for 2027-01-19: 0 due soon, 1 overdue, 1 weekly digest; 2 in all, kept in the mail outbox (no SMTP server is configured: NTG_SMTP_URL).', err: '' });
  }, 60_000);
});
