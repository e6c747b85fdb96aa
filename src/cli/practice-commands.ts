/**
 * `ntg practice digest --edition N --out digest.pdf`: a published digest edition as its PDF print
 * (a cover, numbered contents, each section on a new page, page numbers in the footer), or as the
 * same document in self-contained HTML. Read straight from the installation's database, the same
 * print the web page gives. Only published editions print: a draft is not the public's to read.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { DigestService, editionNumber, listEditions, readEdition } from '../practice/digest.js';
import type { EditionView } from '../practice/digest.js';
import { digestPrintHtml, pdfPageCount, printDigest } from '../practice/digest-print.js';
import { prepareDatabase } from '../service.js';
import { PdfUnavailableError } from '../web/pdf.js';
import { ExportWriteError } from './framework-commands.js';
import { UsageError, configWith } from './program.js';

/** Refuses a path that cannot be written before the seconds a print takes, naming why. */
async function checkWritable(out: string): Promise<void> {
  const path = resolve(out);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) throw new ExportWriteError(`Cannot write ${out}: it is a folder; give a file name, such as ${out.replace(/\/+$/, '')}/digest.pdf`);
  try {
    await access(existing === undefined ? dirname(path) : path, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${dirname(path)} does not exist` : 'permission denied';
    throw new ExportWriteError(`Cannot write ${out}: ${reason}`, { cause: error });
  }
}

export function registerPracticeCommands(program: Command): void {
  const practice = program.command('practice').description('what works: the library of effective practice and its digest');

  practice
    .command('digest')
    .description('print a published digest edition: a PDF with a cover, numbered contents and page numbers, or the same document as one self-contained HTML file')
    .requiredOption('--edition <number>', 'the edition’s number, as on /practice/digest')
    .requiredOption('--out <file>', 'the file to write')
    .addOption(new Option('--format <format>', 'what to write').choices(['pdf', 'html']).default('pdf'))
    .action(async (options: { edition: string; out: string; format: 'pdf' | 'html' }) => {
      const number = editionNumber(options.edition);
      if (number === undefined) throw new UsageError(`--edition: give the edition’s number, a whole number from 1 (got ${options.edition.slice(0, 40)})`);
      await checkWritable(options.out);
      const config = configWith({});
      const database = await openDatabase(config);
      let view: EditionView;
      try {
        await prepareDatabase(database, config);
        const edition = await readEdition(database.db, number);
        if (edition === undefined || edition.status !== 'published') {
          const published = (await listEditions(database.db, { status: 'published' })).map((entry) => entry.number).sort((a, b) => a - b);
          const which = published.length === 0 ? 'none is published yet' : `published: ${published.join(', ')}`;
          throw new UsageError(
            edition === undefined
              ? `--edition: there is no digest edition ${number} (${which})`
              : `--edition: edition ${number} is a draft, not published, so it cannot be printed (${which}); preview it on /practice/digest/editions/${number}`,
          );
        }
        view = await new DigestService(database.db, loadCatalogue()).view(edition);
      } finally {
        await database.close();
      }

      let document: Buffer;
      let pages = '';
      if (options.format === 'html') {
        document = Buffer.from(digestPrintHtml(view, { publicUrl: config.publicUrl, numbered: false }));
      } else {
        try {
          document = (await printDigest(view, { chromiumPath: config.chromiumPath, publicUrl: config.publicUrl })).pdf;
        } catch (error) {
          if (error instanceof PdfUnavailableError) throw new ExportWriteError(`Cannot make the PDF: ${error.message}. Use --format html and print that from a browser.`, { cause: error });
          throw error;
        }
        pages = `, ${pdfPageCount(document)} pages`;
      }
      try {
        await writeFile(options.out, document);
      } catch (error) {
        throw new ExportWriteError(`Cannot write ${options.out}: ${(error as Error).message}`, { cause: error });
      }
      console.error(
        `Wrote digest edition ${view.number}, “${view.title}” (${view.itemCount} item${view.itemCount === 1 ? '' : 's'} in ${view.sections.length} section${view.sections.length === 1 ? '' : 's'}${pages}), to ${options.out} as ${options.format.toUpperCase()}.`,
      );
    });
}
