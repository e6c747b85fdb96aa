/**
 * `ntg plans list|export|remind`: improvement plans from the command line.
 *
 * `list` and `export` find plans as the operator does (every organisation's, no sign-in), but the
 * figures in an export are released as the national team reads them, never with the small numbers
 * behind them: what a command writes is easily passed on (`commandLineReader`). `remind` is the
 * scheduled pass that sends due-soon, overdue and weekly-digest emails, meant for cron.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { AssessmentService } from '../assessment/service.js';
import type { Viewer } from '../auth/gate.js';
import { outboxMailer, smtpMailer } from '../auth/mail.js';
import type { Config } from '../config.js';
import { openDatabase } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { toCsv } from '../export/csv.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { boardPaperDocx } from '../plans/board-paper-docx.js';
import type { DescribedLink } from '../plans/links.js';
import { linkKey } from '../plans/links.js';
import type { MeasureReading } from '../plans/measures.js';
import type { ImprovementPlan, ImprovementPlanSummary } from '../plans/model.js';
import { assertIsoDate } from '../plans/reminder-schedule.js';
import { sendReminders } from '../plans/reminders.js';
import { ImprovementPlanService } from '../plans/service.js';
import { isoDateIn } from '../web/format.js';
import { improvementPlanOwner, listImprovementPlans, readImprovementPlan } from '../plans/store.js';
import { isOverdue } from '../plans/timeline.js';
import { prepareDatabase } from '../service.js';
import { ExportWriteError } from './framework-commands.js';
import { UsageError, configWith } from './program.js';

/** Some reminders were due but the mailer refused them; their claims were released, so the next run tries them again. */
export class RemindersNotSentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemindersNotSentError';
  }
}

const nobody = '00000000-0000-0000-0000-000000000000';

/**
 * Whom `ntg plans export` reads a plan as: a reader of the national team (the `national-moderator`
 * role, held in England, limited to reading), who may read every plan, the assessments behind its
 * links and every authority's aggregates, but no child-level records. So a measure's figures are
 * released as to any viewer without child-level access (small numbers withheld, `--suppress` in
 * `ntg gaps`): the board paper and the JSON export say what the plan's pages say to such a viewer.
 */
export const commandLineReader: Viewer = {
  signedIn: true,
  sessionIdHash: '',
  userId: nobody,
  email: 'command-line@ntg.invalid',
  displayName: 'The command line (ntg plans)',
  secondFactorDone: true,
  totpConfigured: false,
  memberships: [{ organisationId: nobody, organisationKind: 'national', organisationName: 'England', laCode: null, areaCode: null, urn: null, role: 'national-moderator' }],
  // Read-only, whatever the role grants besides.
  tokenScopes: ['assessments:read', 'aggregates:read'],
};

/** Runs work against the installation's database, closing it whatever happens. */
async function withDatabase<T>(work: (db: Kysely<Schema>, config: Config) => Promise<T>): Promise<T> {
  const config = configWith({});
  const database = await openDatabase(config);
  try {
    await prepareDatabase(database, config);
    return await work(database.db, config);
  } finally {
    await database.close();
  }
}

/** The day given with --today (checked), or today in the UK. */
function todayOption(text: string | undefined): string {
  if (text === undefined) return isoDateIn(new Date());
  try {
    assertIsoDate(text);
  } catch {
    throw new UsageError(`--today: give a date written YYYY-MM-DD, such as 2027-01-13 (got ${text.slice(0, 40)})`);
  }
  return text;
}

/** The plan's period as the list and exports write it: "2026-04-01 to 2029-03-31". */
function periodOf(plan: { periodStart: string; periodEnd: string }): string {
  return `${plan.periodStart} to ${plan.periodEnd}`;
}

export interface PlanListRow {
  id: string;
  organisation: string;
  period: string;
  priorities: number;
  actions: number;
  la_code: string;
  title: string;
  overdue: number;
}

function listRow(plan: ImprovementPlanSummary): PlanListRow {
  return { id: plan.id, organisation: plan.organisationName, period: periodOf(plan), priorities: plan.priorities, actions: plan.actions, la_code: plan.laCode, title: plan.title, overdue: plan.overdue };
}

/** Columns padded to their widest entry; the numeric ones (by index) to the right. */
function aligned(header: readonly string[], rows: readonly string[][], numeric: ReadonlySet<number>): string[] {
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((text, column) => (numeric.has(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ').trimEnd());
}

export const exportFormats = ['csv', 'json', 'docx'] as const;
type ExportFormat = (typeof exportFormats)[number];

export const csvFields = ['priority', 'action', 'owner', 'start_date', 'due_date', 'status', 'overdue', 'latest_update'] as const;

/** One row per action, priorities in the board's order and each one's actions soonest due first. */
export function actionRows(plan: ImprovementPlan, today: string): (string | number)[][] {
  return plan.priorities.flatMap((priority) =>
    priority.actions.map((action) => [priority.title, action.title, action.owner.label, action.startDate, action.dueDate, action.status, isOverdue(action, today) ? 'true' : 'false', action.updates.at(-1)?.note ?? '']),
  );
}

/** The whole plan as `ntg plans export --format json` writes it, figures as released to `commandLineReader`. */
export function planDocument(plan: ImprovementPlan, details: { readings: readonly MeasureReading[]; links: ReadonlyMap<string, DescribedLink> }, today: string) {
  const readings = new Map(details.readings.map((reading) => [reading.measure.id, reading]));
  return {
    id: plan.id,
    la_code: plan.laCode,
    organisation: plan.organisationName,
    organisation_id: plan.organisationId,
    organisation_kind: plan.organisationKind,
    title: plan.title,
    vision: plan.vision,
    period: periodOf(plan),
    period_start: plan.periodStart,
    period_end: plan.periodEnd,
    owner: plan.ownerLabel,
    revision: plan.revision,
    updated_by: plan.updatedBy,
    updated_at: plan.updatedAt,
    as_of: today,
    figures: 'released as to a viewer without child-level access: small numbers withheld',
    priorities: plan.priorities.map((priority) => ({
      id: priority.id,
      position: priority.position,
      title: priority.title,
      rationale: priority.rationale,
      source: priority.source,
      links: priority.links.map((link) => {
        const described = details.links.get(linkKey(link));
        return { kind: link.kind, target: link.target, label: described?.kindLabel ?? link.kind, text: described?.text ?? link.target };
      }),
      measures: priority.measures.map((measure) => {
        const reading = readings.get(measure.id);
        return {
          id: measure.id,
          label: reading?.label ?? `${measure.indicator} for ${measure.groupSpec}`,
          indicator: measure.indicator,
          group: measure.groupSpec,
          comparator: measure.comparator,
          figure: measure.figure,
          units: reading?.units ?? null,
          baseline: { year: measure.baselineYear, value: measure.baselineValue },
          target: { year: measure.targetYear, value: measure.targetValue },
          latest: reading?.latest ?? null,
          direction: reading?.direction ?? 'no-data',
          note: reading?.refusal ?? null,
          series: reading?.series ?? [],
        };
      }),
      actions: priority.actions.map((action) => ({
        id: action.id,
        title: action.title,
        owner: action.owner.label,
        owner_kind: action.owner.kind,
        start_date: action.startDate,
        due_date: action.dueDate,
        status: action.status,
        overdue: isOverdue(action, today),
        updates: action.updates.map((update) => ({ written_by: update.writtenBy, written_at: update.writtenAt, status: update.status, note: update.note })),
      })),
    })),
  };
}

async function writeOut(out: string, document: string | Buffer): Promise<void> {
  try {
    await writeFile(out, document);
  } catch (error) {
    throw new ExportWriteError(`Cannot write ${out}: ${(error as Error).message}`, { cause: error });
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function registerPlansCommands(program: Command): void {
  const plans = program.command('plans').description('improvement plans: list them, export one (CSV, JSON or the board paper in Word), send the reminder emails');

  plans
    .command('list')
    .description('every organisation’s improvement plans, the latest period first: id, organisation, period, priorities, actions (and la_code, title, overdue actions)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--today <date>', 'count overdue actions as of this day, YYYY-MM-DD (default: today in the UK)')
    .action(async (options: { format: 'table' | 'json'; today?: string }) => {
      const today = todayOption(options.today);
      const rows = await withDatabase(async (db) => (await listImprovementPlans(db, { today })).map(listRow));
      if (options.format === 'json') {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('No improvement plans yet.');
        return;
      }
      const header = ['Id', 'Organisation', 'Period', 'Priorities', 'Actions', 'Overdue', 'Title'];
      console.log(aligned(header, rows.map((row) => [row.id, row.organisation, row.period, String(row.priorities), String(row.actions), String(row.overdue), row.title]), new Set([3, 4, 5])).join('\n'));
    });

  plans
    .command('export')
    .description(
      'one improvement plan: csv, one row per action (priority, action, owner, start_date, due_date, status, overdue, latest_update); json, the whole plan with its links, measures and action logs; docx, the board paper as a Word document. Figures as released to a viewer without child-level access.',
    )
    .requiredOption('--id <id>', 'the plan’s id (from `ntg plans list`)')
    .addOption(new Option('--format <format>', 'what to write').choices([...exportFormats]).default('csv'))
    .option('--out <file>', 'write to this file instead of standard output (needed for docx when standard output is a terminal)')
    .option('--today <date>', 'the day the export is as of, YYYY-MM-DD, for overdue actions and the board paper’s date (default: today in the UK)')
    .action(async (options: { id: string; format: ExportFormat; out?: string; today?: string }) => {
      const today = todayOption(options.today);
      if (options.format === 'docx' && options.out === undefined && process.stdout.isTTY === true) {
        throw new UsageError('--out: a Word document is binary and is not written to a terminal; give --out FILE (or redirect standard output to a file)');
      }
      const id = options.id.trim();
      const found = await withDatabase(async (db, config) => {
        const owner = await improvementPlanOwner(db, id);
        const plan = owner === undefined ? undefined : await readImprovementPlan(db, owner.laCode, id);
        if (plan === undefined) return undefined;
        const catalogue = loadCatalogue();
        // Noon UTC is the same calendar day in the UK, summer or winter.
        const service = new ImprovementPlanService(db, new AssessmentService(db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue, () => new Date(`${today}T12:00:00Z`));
        let document: string | Buffer;
        if (options.format === 'csv') document = toCsv(csvFields, actionRows(plan, today));
        else if (options.format === 'json') document = `${JSON.stringify(planDocument(plan, await service.details(commandLineReader, plan), today), null, 2)}\n`;
        else document = await boardPaperDocx(await service.boardPaper(commandLineReader, plan));
        return { plan, document };
      });
      if (found === undefined) throw new UsageError(`--id: there is no improvement plan ${id.slice(0, 60) || '(empty)'} (see ntg plans list for the ids)`);
      const { plan, document } = found;
      if (options.out === undefined) {
        process.stdout.write(document);
        return;
      }
      await writeOut(options.out, document);
      const actions = plan.priorities.reduce((sum, priority) => sum + priority.actions.length, 0);
      const what = options.format === 'docx' ? 'the board paper of' : '';
      console.error(
        `Wrote ${what ? `${what} ` : ''}${plan.organisationName}’s improvement plan “${plan.title}” (${plural(plan.priorities.length, 'priority', 'priorities')}, ${plural(actions, 'action')}) to ${options.out} as ${options.format.toUpperCase()}.`,
      );
    });

  plans
    .command('remind')
    .description('send the day’s reminder emails: due soon (within 7 days) and overdue actions to their owners, and each plan owner’s weekly digest; each is sent once, so run it daily (e.g. from cron)')
    .option('--today <date>', 'the day to remind for, YYYY-MM-DD (default: today in the UK)')
    .action(async (options: { today?: string }) => {
      const today = todayOption(options.today);
      const { counts, outbox } = await withDatabase(async (db, config) => {
        // outboxMailer only tells its log that a message was kept; the summary below counts them instead.
        const quiet = { info: () => undefined } as unknown as FastifyBaseLogger;
        const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(db, quiet);
        const warnings: string[] = [];
        const sent = await sendReminders(db, mailer, { today, baseUrl: config.publicUrl, log: { warn: (details, message) => void warnings.push(`${message}: ${String((details as { err?: unknown }).err)}`) } });
        for (const warning of [...new Set(warnings)]) console.error(`ntg: ${warning}`);
        return { counts: sent, outbox: mailer.keepsOutbox };
      });
      const total = counts.dueSoon + counts.overdue + counts.digests;
      const where = total === 0 ? '' : outbox ? ', kept in the mail outbox (no SMTP server is configured: NTG_SMTP_URL)' : ', sent by SMTP';
      const unsent = counts.failed === 0 ? '' : `; ${counts.failed} not sent`;
      console.log(`Reminders for ${today}: ${counts.dueSoon} due soon, ${counts.overdue} overdue, ${plural(counts.digests, 'weekly digest')}; ${total} in all${where}${unsent}.`);
      if (counts.failed > 0) {
        throw new RemindersNotSentError(`${plural(counts.failed, 'reminder')} could not be sent; the next run tries ${counts.failed === 1 ? 'it' : 'them'} again`);
      }
    });
}
