import { Option } from 'commander';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { appendAudit } from '../auth/audit.js';
import { openDatabase } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { toCsv } from '../export/csv.js';
import { parseAcademicYear } from '../ingest/child-standard.js';
import { prepareDatabase } from '../service.js';
import { protectiveMarking } from '../tracking/marking.js';
import { unseenLists } from '../tracking/unseen-rules.js';
import type { UnseenList } from '../tracking/unseen-rules.js';
import { UnseenRequestError, unseenCsvHeader, unseenCsvRows, unseenReport } from '../tracking/unseen-report.js';
import type { UnseenReportJson } from '../tracking/unseen-report.js';
import { isoDateIn } from '../web/format.js';
import { authorityCode } from './import-commands.js';
import { UsageError, configWith } from './program.js';

interface UnseenOptions {
  la: string;
  year?: string;
  setting?: string;
  locality?: string;
  minGroups?: string;
  list?: string;
  outstanding?: boolean;
  reason?: string;
  format: 'table' | 'csv' | 'json';
}

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

function tableLines(report: UnseenReportJson): string[] {
  const lines = report.lists.map((list) => `  ${list.title}: ${list.recorded.toLocaleString('en-GB')} recorded as missing, ${list.not_recorded.toLocaleString('en-GB')} not recorded`);
  const children = report.children.flatMap((child) => child.reasons.map((reason) => `  ${child.child_ref.slice(0, 12)}…  ${child.setting_name ?? (child.setting_urn === null ? 'no setting' : `setting ${child.setting_urn}`)}  ${child.ncy === null ? '' : `year ${child.ncy}  `}${reason.reason}${child.outstanding ? '' : ' (in hand)'}`));
  return [...lines, '', `Children (${report.total_children.toLocaleString('en-GB')}, ${report.outstanding.toLocaleString('en-GB')} outstanding):`, ...children];
}

export function registerChildrenCommands(program: Command): void {
  const children = program.command('children').description('child-level work lists, as the operator: every read is audited with the reason given');
  children
    .command('unseen')
    .description('who is not yet seen in an authority: vulnerable children without a trusted adult, complex needs without coordination, children in care without a personal education plan, several moves (see docs/tracking.md)')
    .requiredOption('--la <code>', 'the authority: GSS code (E08000035) or DfE number (383)')
    .option('--year <year>', 'academic year, e.g. 2023/24 (default: the latest with data)')
    .option('--setting <urn>', 'one setting’s children only')
    .option('--locality <name>', 'only the children of one locality’s settings (the name the settings are registered with)')
    .option('--min-groups <n>', 'framework groups a child must be in to count as vulnerable, 1 to 13 (default: the authority’s rule)')
    .addOption(new Option('--list <list>', 'one list only').choices([...unseenLists]))
    .option('--outstanding', 'only children still waiting for someone to act')
    .requiredOption('--reason <text>', 'why the operator reads these children’s records: recorded in the audit')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (options: UnseenOptions) => {
      const laCode = authorityCode(options.la);
      const reason = options.reason?.trim() ?? '';
      if (reason.length < 10) throw new UsageError('--reason: say in a sentence why the records are read (at least 10 characters); it is kept in the audit');
      let year: number | undefined;
      if (options.year !== undefined) {
        year = parseAcademicYear(options.year);
        if (year === undefined) throw new UsageError(`--year: "${options.year}" is not an academic year (write 2023/24)`);
      }
      if (options.setting !== undefined && !/^\d{6}$/.test(options.setting)) throw new UsageError(`--setting: "${options.setting}" is not a 6-digit URN`);
      const minGroups = options.minGroups === undefined ? undefined : Number(options.minGroups);
      if (minGroups !== undefined && (!Number.isInteger(minGroups) || minGroups < 1 || minGroups > 13)) throw new UsageError('--min-groups: a whole number of framework groups from 1 to 13');
      await withDatabase(async (db) => {
        let report: UnseenReportJson;
        try {
          report = await unseenReport(db, {
            laCode,
            year,
            settingUrn: options.setting === undefined ? undefined : Number(options.setting),
            locality: options.locality?.trim() || undefined,
            minGroups,
            list: options.list as UnseenList | undefined,
            onlyOutstanding: options.outstanding === true,
            reach: { laCode, settingUrns: 'all' },
            page: 1,
            pageSize: Number.MAX_SAFE_INTEGER,
            today: isoDateIn(new Date()),
          });
        } catch (error) {
          if (error instanceof UnseenRequestError) throw new UsageError(error.message);
          throw error;
        }
        await appendAudit(db, {
          action: 'children-unseen.export',
          outcome: 'success',
          actorEmail: 'operator (command line)',
          laCode,
          details: { via: 'cli', reason, year: report.year, setting: options.setting ?? null, locality: options.locality ?? null, list: options.list ?? null, format: options.format, childRefs: report.children.map((child) => child.child_ref) },
        });
        if (options.format === 'json') console.log(JSON.stringify({ protective_marking: protectiveMarking, ...report }, null, 2));
        else if (options.format === 'csv') process.stdout.write(`${protectiveMarking}\n${toCsv(unseenCsvHeader, unseenCsvRows(report))}`);
        else {
          console.log(protectiveMarking);
          console.log(`Children not yet seen in ${localAuthorityByGss(laCode)?.name ?? laCode}, ${report.year}${options.setting === undefined ? '' : `, setting ${options.setting}`}${report.locality === null ? '' : `, ${report.locality} locality`}:`);
          console.log(tableLines(report).join('\n'));
        }
      });
    });
}
