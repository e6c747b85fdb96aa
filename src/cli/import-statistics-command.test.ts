import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runNtg } from '../../test/support/cli.js';
import type { NtgRun } from '../../test/support/cli.js';
import { temporaryFiles } from '../../test/support/files.js';
import { ImportFileError, ImportRefusedError } from './import-commands.js';
import { addStatisticsImportCommand } from './import-statistics-command.js';
import { UsageError, buildProgram } from './program.js';

const samples = '../shared/data/ees-samples';
const file = temporaryFiles('ntg-import-statistics-cli-');

/**
 * `ntg import statistics …`: through the real program once `import` is wired into it (src/cli/
 * import-commands.ts), until then through a program holding only this command, whose error handling
 * follows runCli's: UsageError exit 2; ImportFileError and ImportRefusedError printed as one line, exit 1.
 */
const wired = buildProgram()
  .commands.find((command) => command.name() === 'import')
  ?.commands.some((command) => command.name() === 'statistics');

async function ntgImport(...argv: string[]): Promise<NtgRun> {
  return wired === true ? runNtg('import', ...argv) : runAlone(argv);
}

async function runAlone(argv: string[]): Promise<NtgRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(`${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(`${format(...parts)}\n`));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  const program = new Command('ntg').exitOverride();
  const group = program.command('import').exitOverride();
  addStatisticsImportCommand(group);
  group.commands.forEach((command) => command.exitOverride());
  let code = 0;
  try {
    await program.parseAsync(['import', ...argv], { from: 'user' });
  } catch (caught) {
    if (caught instanceof UsageError || caught instanceof ImportFileError || caught instanceof ImportRefusedError) {
      console.error(`ntg: ${caught.message}`);
      code = caught instanceof UsageError ? 2 : 1;
    } else if (caught instanceof CommanderError) code = caught.exitCode === 0 ? 0 : 2;
    else throw caught;
  } finally {
    log.mockRestore();
    error.mockRestore();
    stderr.mockRestore();
  }
  return { code, out: out.join('').replace(/\n$/, ''), err: err.join('').replace(/\n$/, '') };
}

describe('ntg import statistics', { timeout: 120_000 }, () => {
  let dataDir: string;
  const saved = process.env.NTG_DATA_DIR;
  const savedUrl = process.env.DATABASE_URL;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-import-statistics-'));
    process.env.NTG_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.NTG_DATA_DIR;
    else process.env.NTG_DATA_DIR = saved;
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the school-level sample and prints what it holds, then says so when given it again', async () => {
    const args = [join(samples, 'absence_school.csv'), '--meta', join(samples, 'absence_school.meta.csv')];
    const first = await ntgImport('statistics', ...args);
    expect(first).toEqual({
      code: 0,
      err: '',
      out: [
        'Loaded "Absence school" as batch 1.',
        'Rows: 187 loaded.',
        'Values: 935, of which 935 numbers.',
        'Geographic levels: National (24 rows), Regional (48 rows), Local authority (114 rows), Ward (1 row).',
        'Time periods: 3 (Academic year), 202021 to 202223.',
        'Indicators: 5. Filters: 3.',
        'Framework groups matched: none.',
        'Ignored 12 rows at School level: EES loads School, Provider, Institution and Planning area rows only from a file of that level alone.',
      ].join('\n'),
    });

    const again = await ntgImport('statistics', ...args);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^Already loaded: these files are batch 1 \("Absence school"\), loaded \d{4}-\d\d-\d\d \d\d:\d\d UTC by operator \(command line\)\. Nothing was loaded again\.$/);
  });

  it('refuses the invalid sample, listing the first 20 problems and the total, and exits 1', async () => {
    const result = await ntgImport('statistics', join(samples, 'invalid-data-set.csv'), '--meta', join(samples, 'invalid-data-set.meta.csv'));
    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^Refused "Invalid data set" \(batch \d+ records the attempt\)\. (\d+) problems:$/);
    expect(lines[1]).toBe('  invalid-data-set.meta.csv:2 indicator_unit: NA — a value, or blank where there is none: NA is how R writes a missing value (write the file with na = "")');
    expect(lines[3]).toBe(
      '  invalid-data-set.meta.csv:3 (row): NA,NA,NA,NA,NA,NA,NA,NA — a row describing one column of the data file: this row is all NA (how R writes a missing value); delete it',
    );
    const total = Number(/(\d+) problems:$/.exec(lines[0]!)![1]);
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe(`  … and ${total - 20} more (${total} problems in all).`);
    expect(result.err).toBe(`ntg: Refused: ${total} problems; nothing was loaded. Correct the files and import them again.`);
  });

  it('with --accept-valid loads the valid rows and lists the rows set aside', async () => {
    const data = file(
      'partly.csv',
      [
        'time_period,time_identifier,geographic_level,country_code,country_name,characteristic,pupils',
        '202223,Academic year,National,E92000001,England,Disadvantaged,177000',
        '202223,Academic year,National,E92000001,England,Looked after,NA',
      ].join('\n'),
    );
    const meta = file(
      'partly.meta.csv',
      ['col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column', 'characteristic,Filter,Characteristic,,,,,', 'pupils,Indicator,Pupils,,,0,,'].join('\n'),
    );
    const refused = await ntgImport('statistics', data, '--meta', meta);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('ntg: Refused: 1 problem; nothing was loaded. Correct the files and import them again, or use --accept-valid to load the valid rows and set the others aside.');

    const loaded = await ntgImport('statistics', data, '--meta', meta, '--accept-valid');
    expect(loaded.code).toBe(0);
    expect(loaded.out).toContain('Rows: 1 loaded; 1 row with problems set aside (listed below).');
    expect(loaded.out).toContain('Framework groups matched: poorer-socio-economic-groups (characteristic "Disadvantaged", 1 row).');
    expect(loaded.out).toContain('\n  partly.csv:3 pupils: NA — a value: NA is how software writes a missing value, which the standard does not allow; use x (not available), z (not applicable) or c (suppressed)');
  });

  it('needs --meta, suggesting the file beside the data file', async () => {
    const result = await ntgImport('statistics', join(samples, 'absence_school.csv'));
    expect(result).toEqual({
      code: 2,
      out: '',
      err: `ntg: --meta is needed: the metadata file published with ${join(samples, 'absence_school.csv')} (perhaps --meta ${join(samples, 'absence_school.meta.csv')})`,
    });
  });

  it('refuses a data file that does not exist or is a folder with exit 2', async () => {
    expect(await ntgImport('statistics', 'no-such-file.csv', '--meta', join(samples, 'absence_school.meta.csv'))).toEqual({
      code: 2,
      out: '',
      err: 'ntg: the data file: there is no file no-such-file.csv',
    });
    expect((await ntgImport('statistics', join(samples, 'absence_school.csv'), '--meta', samples)).err).toBe(`ntg: --meta: ${samples} is a folder, not a CSV file`);
  });

  it('stops with exit 1 when a file cannot be read', async () => {
    const loop = join(dataDir, 'loop.csv');
    symlinkSync(loop, loop);
    const result = await ntgImport('statistics', loop, '--meta', join(samples, 'absence_school.meta.csv'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: Cannot read .*loop\.csv: .*ELOOP/);
  });
});
