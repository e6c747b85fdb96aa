/**
 * `ntg directory import|export|postcodes`: the directory of services from and to Open Referral UK
 * JSON or the CSV template, and the postcode lookup that places services for distances.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { localAuthorityByGss } from '../areas/areas.js';
import { openDatabase } from '../db/database.js';
import type { Database } from '../db/database.js';
import { servicesToCsv } from '../directory/csv.js';
import { importDirectoryFile } from '../directory/imports.js';
import type { DirectoryFormat } from '../directory/imports.js';
import { exportOpenReferral } from '../directory/open-referral.js';
import { loadPostcodeFile, PostcodeFileError } from '../directory/postcodes.js';
import { prepareDatabase } from '../service.js';
import { ImportFileError, ImportRefusedError } from './import-commands.js';
import { UsageError, configWith } from './program.js';

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = configWith({});
  const database = await openDatabase(config);
  try {
    await prepareDatabase(database, config);
    return await work(database);
  } finally {
    await database.close();
  }
}

function authority(code: string): string {
  if (localAuthorityByGss(code) === undefined) throw new UsageError(`--la: ${code.slice(0, 20)} is not a current local authority’s GSS code (such as E08000035)`);
  return code;
}

const formatOption = () => new Option('--format <format>', 'openreferral (Open Referral UK JSON) or csv (the directory template)').choices(['openreferral', 'csv']).makeOptionMandatory();

export function registerDirectoryCommands(program: Command): void {
  const directory = program.command('directory').description('the directory of services (the local offer): import, export, postcodes');

  directory
    .command('import')
    .description('replace or add an authority’s services from a file; a file with any problem is refused whole, every problem listed')
    .argument('<file>', 'the file to load')
    .addOption(formatOption())
    .requiredOption('--la <code>', 'the authority whose directory it is (GSS code)')
    .action(async (file: string, options: { format: DirectoryFormat; la: string }) => {
      const laCode = authority(options.la);
      const text = await readFile(file, 'utf8').catch((error: unknown) => {
        throw new ImportFileError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
      });
      const result = await withDatabase((database) => importDirectoryFile(database.db, laCode, text, options.format, 'the command line (ntg directory import)'));
      if (!result.ok) throw new ImportRefusedError([`${file} was not loaded (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing changed):`, ...result.problems.map((problem) => `  ${problem}`)].join('\n'));
      console.log(`${file}: ${result.added} services added, ${result.replaced} replaced.`);
    });

  directory
    .command('export')
    .description('write the directory (one authority’s, or every one’s) as Open Referral UK JSON or the CSV template')
    .addOption(formatOption())
    .option('--out <file>', 'the file to write (standard output when not given)')
    .option('--la <code>', 'only this authority’s services (GSS code)')
    .action(async (options: { format: DirectoryFormat; out?: string; la?: string }) => {
      const laCode = options.la === undefined ? null : authority(options.la);
      if (options.format === 'csv' && laCode === null) throw new UsageError('--la: the CSV export is of one authority’s directory; name it with --la');
      const records = await withDatabase((database) => exportOpenReferral(database.db, laCode));
      const text = options.format === 'csv' ? servicesToCsv(records, laCode!) : `${JSON.stringify(records, null, 2)}\n`;
      if (options.out === undefined) process.stdout.write(text);
      else {
        await writeFile(options.out, text);
        console.log(`${options.out}: ${records.length} services.`);
      }
    });

  directory
    .command('postcodes')
    .description('load a postcode lookup (an ONS Postcode Directory extract: columns pcds or pcd, lat, long), replacing the one held')
    .argument('<file>', 'the CSV file')
    .action(async (file: string) => {
      const counts = await withDatabase((database) =>
        loadPostcodeFile(database.db, file).catch((error: unknown) => {
          if (error instanceof PostcodeFileError) throw new ImportFileError(error.message);
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ImportFileError(`Cannot read ${file}: no such file`);
          throw error;
        }),
      );
      console.log(`${file}: ${counts.loaded.toLocaleString('en-GB')} postcodes loaded; ${counts.skippedWithoutCoordinates.toLocaleString('en-GB')} skipped without coordinates; ${counts.skippedNotPostcodes.toLocaleString('en-GB')} skipped as not postcodes.`);
    });
}
