import { Option } from 'commander';
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { loadCatalogue } from '../framework/catalogue.js';
import { catalogueToCsv, catalogueToJson } from '../framework/export.js';

/** Could not write the export; the message says where and why. */
export class ExportWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExportWriteError';
  }
}

export function registerFrameworkCommands(program: Command): void {
  const framework = program.command('framework').description('the Narrowing the Gap framework catalogue');

  framework
    .command('export')
    .description('write the whole catalogue: every theme, group, outcome, golden thread and template item')
    .addOption(new Option('--format <format>', 'json, or csv with one row per item').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: { format: 'json' | 'csv'; out?: string }) => {
      const catalogue = loadCatalogue();
      const document = options.format === 'csv' ? catalogueToCsv(catalogue) : catalogueToJson(catalogue);
      if (options.out === undefined) {
        process.stdout.write(document);
        return;
      }
      try {
        await writeFile(options.out, document);
      } catch (error) {
        throw new ExportWriteError(`Cannot write ${options.out}: ${(error as Error).message}`, { cause: error });
      }
      console.error(`Wrote ${catalogue.items.length} items (catalogue ${catalogue.version}) to ${options.out} as ${options.format.toUpperCase()}.`);
    });
}
