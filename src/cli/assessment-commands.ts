/**
 * `ntg assessments list|export`: self-assessments as the operator sees them. The command line holds
 * the database itself (directly, or through the running service's socket), so it acts as the
 * operator: every organisation's assessments, with no sign-in and no reach. An export is audited.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { levelName } from '../assessment/scale.js';
import { appendAudit } from '../auth/audit.js';
import { isAssessmentScope } from '../assessment/scope.js';
import type { Assessment, AssessmentSummary, Rating } from '../assessment/store.js';
import { isUuid, listAssessments, readAssessment } from '../assessment/store.js';
import { assessmentScopes, assessmentStatuses } from '../assessment/tables.js';
import type { AssessmentStatus } from '../assessment/tables.js';
import { openDatabase } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { toCsv } from '../export/csv.js';
import { prepareDatabase } from '../service.js';
import { ExportWriteError } from './framework-commands.js';
import { authorityCode } from './import-commands.js';
import { UsageError, configWith } from './program.js';

/** Runs work against the installation's database, closing it whatever happens. */
async function withDatabase<T>(work: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  const config = configWith({});
  const database = await openDatabase(config);
  try {
    await prepareDatabase(database, config);
    return await work(database.db);
  } finally {
    await database.close();
  }
}

export const listFields = ['id', 'organisation', 'scope', 'period', 'status', 'rated', 'total'] as const;

export const exportFields = ['statement_id', 'template', 'layer', 'tier', 'thread', 'text', 'rating', 'confidence', 'evidence_count', 'next_step', 'moderated_rating', 'agreed_rating'] as const;
type ExportRow = Record<(typeof exportFields)[number], string | number | null>;

/** A rating as one word: the level's name, `not-applicable`, or '' when not rated. */
function ratingWord(rating: { level: number | null; notApplicable: boolean } | undefined): string {
  if (rating === undefined) return '';
  if (rating.notApplicable) return 'not-applicable';
  return levelName(rating.level) ?? '';
}

export interface ModerationRatings {
  moderationId: string;
  status: string;
  moderated: Map<string, { level: number | null; notApplicable: boolean }>;
  /** Only the statements whose rating has been agreed. */
  agreed: Map<string, { level: number | null; notApplicable: boolean }>;
}

/**
 * The moderator's and agreed ratings of the assessment's latest moderation whose moderator has
 * submitted (status submitted or agreed): ratings of one still under way are not final, so they are
 * not exported. Undefined when there is none. Reads the moderation tables directly (the moderation
 * part owns them; this is a read of the shape it writes).
 */
export async function latestModerationRatings(db: Kysely<Schema>, laCode: string, assessmentId: string): Promise<ModerationRatings | undefined> {
  const moderation = await db
    .selectFrom('assessment_moderation')
    .select(['id', 'status'])
    .where('la_code', '=', laCode)
    .where('assessment_id', '=', assessmentId)
    .where('status', 'in', ['submitted', 'agreed'])
    .orderBy('submitted_at', 'desc')
    .orderBy('invited_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (moderation === undefined) return undefined;
  const rows = await db
    .selectFrom('assessment_moderation_rating')
    .select(['statement_id', 'level', 'not_applicable', 'agreed_level', 'agreed_not_applicable', 'agreed_at'])
    .where('la_code', '=', laCode)
    .where('moderation_id', '=', moderation.id)
    .execute();
  return {
    moderationId: moderation.id,
    status: moderation.status,
    moderated: new Map(rows.map((row) => [row.statement_id, { level: row.level, notApplicable: row.not_applicable }])),
    agreed: new Map(rows.filter((row) => row.agreed_at !== null).map((row) => [row.statement_id, { level: row.agreed_level, notApplicable: row.agreed_not_applicable }])),
  };
}

/** One row per statement of the assessment, in its order. */
export function exportRows(assessment: Assessment, moderation: ModerationRatings | undefined): ExportRow[] {
  const evidenceCounts = new Map<string, number>();
  for (const file of assessment.evidence) evidenceCounts.set(file.statementId, (evidenceCounts.get(file.statementId) ?? 0) + 1);
  return assessment.statements.map((statement, index) => {
    const rating: Rating = assessment.ratings[index]!;
    return {
      statement_id: statement.id,
      template: statement.template,
      layer: statement.layer,
      tier: statement.tier,
      thread: statement.thread,
      text: statement.text,
      rating: rating.version === 0 ? '' : ratingWord(rating),
      confidence: rating.confidence ?? '',
      evidence_count: evidenceCounts.get(statement.id) ?? 0,
      next_step: rating.nextStep,
      moderated_rating: ratingWord(moderation?.moderated.get(statement.id)),
      agreed_rating: ratingWord(moderation?.agreed.get(statement.id)),
    };
  });
}

function listRow(assessment: AssessmentSummary) {
  return { id: assessment.id, organisation: assessment.organisationName, scope: assessment.scope, period: assessment.period, status: assessment.status, rated: assessment.rated, total: assessment.total };
}

/** Columns padded to their widest entry; the numeric ones (by index) to the right. */
function aligned(header: readonly string[], rows: readonly string[][], numeric: ReadonlySet<number>): string[] {
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((text, column) => (numeric.has(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ').trimEnd());
}

async function output(document: string, out: string | undefined, summary: string): Promise<void> {
  if (out === undefined) {
    process.stdout.write(document);
    return;
  }
  try {
    await writeFile(out, document);
  } catch (error) {
    throw new ExportWriteError(`Cannot write ${out}: ${(error as Error).message}`, { cause: error });
  }
  console.error(summary);
}

export function registerAssessmentCommands(program: Command): void {
  const assessments = program
    .command('assessments')
    .description('self-assessments against the framework, as the operator: every organisation’s, read straight from the database (no sign-in, no reach)');

  assessments
    .command('list')
    .description('every assessment, the latest period first: id, organisation, scope, period, status, statements rated and in total')
    .option('--la <code>', 'only this authority’s (and its settings’ and partners’): GSS code or DfE number')
    .addOption(new Option('--scope <scope>', 'only this scope').choices([...assessmentScopes]))
    .option('--period <period>', 'only this period, e.g. 2025/26')
    .addOption(new Option('--status <status>', 'only this status').choices([...assessmentStatuses]))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options: { la?: string; scope?: string; period?: string; status?: string; format: 'table' | 'json' }) => {
      const laCode = options.la === undefined ? undefined : authorityCode(options.la);
      const rows = await withDatabase(async (db) =>
        (
          await listAssessments(db, {
            ...(laCode === undefined ? {} : { laCodes: [laCode] }),
            ...(options.scope !== undefined && isAssessmentScope(options.scope) ? { scope: options.scope } : {}),
            ...(options.period === undefined ? {} : { period: options.period }),
            ...(options.status === undefined ? {} : { status: options.status as AssessmentStatus }),
          })
        ).map(listRow),
      );
      if (options.format === 'json') {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('No assessments match.');
        return;
      }
      const header = ['Id', 'Organisation', 'Scope', 'Period', 'Status', 'Rated', 'Total'];
      console.log(aligned(header, rows.map((row) => [row.id, row.organisation, row.scope, row.period, row.status, String(row.rated), String(row.total)]), new Set([5, 6])).join('\n'));
    });

  assessments
    .command('export')
    .description(
      'one assessment, one row per statement: statement_id, template, layer, tier, thread, text (the wording it rated), rating (level name, not-applicable or empty), confidence, evidence_count, next_step, and from its latest submitted moderation moderated_rating and agreed_rating',
    )
    .requiredOption('--id <id>', 'the assessment’s id (from `ntg assessments list`)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: { id: string; format: 'csv' | 'json'; out?: string }) => {
      const id = options.id.trim();
      const found = await withDatabase(async (db) => {
        const assessment = isUuid(id) ? await readAssessment(db, id) : undefined;
        if (assessment === undefined) return undefined;
        const rows = exportRows(assessment, await latestModerationRatings(db, assessment.laCode, assessment.id));
        // The operator's export is a download of the organisation's assessment: audited as one.
        await appendAudit(db, {
          action: 'assessment-exported',
          outcome: 'success',
          organisationId: assessment.organisationId,
          laCode: assessment.laCode,
          target: `assessment:${assessment.id}`,
          details: { by: 'the operator (ntg assessments export)', format: options.format, statements: rows.length, ...(options.out === undefined ? {} : { file: options.out }) },
        });
        return { assessment, rows };
      });
      if (found === undefined) throw new UsageError(`--id: there is no assessment ${id.slice(0, 60)} (see ntg assessments list)`);
      const { assessment, rows } = found;
      const document = options.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : toCsv(exportFields, rows.map((row) => exportFields.map((field) => row[field])));
      await output(document, options.out, `Wrote ${rows.length} statements of ${assessment.organisationName}’s ${assessment.scope} assessment for ${assessment.period} to ${options.out} as ${options.format.toUpperCase()}.`);
    });
}
