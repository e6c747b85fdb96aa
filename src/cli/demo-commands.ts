import type { Command } from 'commander';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { findLocalAuthority, isPredecessorMatch } from '../areas/areas.js';
import { demoAuthorityCode } from '../auth/demo.js';
import { demoHeader, demoLimits, generateChildRows } from '../demo/generate-children.js';
import type { DemoOptions } from '../demo/generate-children.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { ExportWriteError } from './framework-commands.js';
import { UsageError } from './program.js';

interface GenerateOptions {
  children: string;
  years: string;
  seed: string;
  lastYear: string;
  la: string;
  out?: string;
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('synthetic data for trying the service: never real children');

  demo
    .command('generate')
    .description('write synthetic child-level records for one authority, in the child-level data standard, as CSV (docs/demo-data.md)')
    .option('--children <count>', 'children on roll in each year, Reception to Year 13', '60000')
    .option('--years <count>', 'how many consecutive academic years', '5')
    .option('--seed <number>', 'random seed: the same options and seed give the same file', '1')
    .option('--last-year <year>', 'the last academic year, such as 2024/25', '2024/25')
    .option('--la <code>', 'the authority: an ONS GSS code or a 3-digit DfE number', demoAuthorityCode)
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (options: GenerateOptions) => {
      const { demoOptions, authorityName } = readOptions(options);
      const lines = csvChunks(demoHeader(), generateChildRows(demoOptions));
      if (options.out === undefined) {
        await writeToStandardOutput(lines);
        return;
      }
      await writeToFile(options.out, lines);
      const first = formatAcademicYear(demoOptions.lastYear - demoOptions.years + 1);
      const last = formatAcademicYear(demoOptions.lastYear);
      const span = demoOptions.years === 1 ? last : `${first} to ${last}`;
      console.error(
        `Wrote ${(demoOptions.children * demoOptions.years).toLocaleString('en-GB')} rows (${demoOptions.children.toLocaleString('en-GB')} children a year, ${span}, ${authorityName} ${demoOptions.laCode}, seed ${demoOptions.seed}) to ${options.out}.`,
      );
    });
}

function readOptions(options: GenerateOptions): { demoOptions: DemoOptions; authorityName: string } {
  const children = wholeNumber('--children', options.children, demoLimits.minChildren, demoLimits.maxChildren);
  const years = wholeNumber('--years', options.years, 1, demoLimits.maxYears);
  const seed = wholeNumber('--seed', options.seed, 0, 2 ** 32 - 1);
  const lastYear = parseAcademicYear(options.lastYear);
  if (lastYear === undefined || lastYear > demoLimits.lastYear)
    throw new UsageError(`--last-year must be an academic year such as 2024/25 (got ${JSON.stringify(options.lastYear)})`);
  if (lastYear - years + 1 < demoLimits.firstYear)
    throw new UsageError(`--years: ${years} years ending ${formatAcademicYear(lastYear)} would start before ${formatAcademicYear(demoLimits.firstYear)}`);
  const authority = currentAuthority(options.la);
  return { demoOptions: { children, years, seed, lastYear, laCode: authority.gss }, authorityName: authority.name };
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  return value;
}

/** The authority named by a GSS code or DfE number, which must be in force today. */
function currentAuthority(code: string): { gss: string; name: string } {
  const trimmed = code.trim();
  const found = /^[Ee]\d{8}$|^\d{3}$/.test(trimmed) ? findLocalAuthority(trimmed) : undefined;
  if (found === undefined)
    throw new UsageError(`--la must be the GSS code or 3-digit DfE number of an English local authority, such as E08000035 or 383 (got ${JSON.stringify(code)})`);
  if (isPredecessorMatch(found)) {
    const successors = found.successors.map((la) => `${la.gss} (${la.name})`).join(' and ');
    throw new UsageError(`--la: ${found.predecessor.gss} (${found.predecessor.name}) is no longer an authority; its area is now ${successors}`);
  }
  return { gss: found.gss, name: found.name };
}

/** RFC 4180: a value is quoted only when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The header and rows as CSV text (CRLF line ends) in chunks of about 64 KB, so writes are few. */
function* csvChunks(header: readonly string[], rows: Iterable<readonly string[]>): Generator<string, void, undefined> {
  const chunkSize = 1 << 16;
  let chunk = `${header.map(csvField).join(',')}\r\n`;
  for (const row of rows) {
    chunk += `${row.map(csvField).join(',')}\r\n`;
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Writes every chunk, waiting for the stream to drain whenever its buffer is full, so memory stays
 * flat however many rows there are. Returns the stream's error, if it had one, instead of throwing.
 */
async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<NodeJS.ErrnoException | undefined> {
  let failure: NodeJS.ErrnoException | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    failure ??= error;
  };
  stream.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failure !== undefined) break;
      if (!stream.write(chunk)) await once(stream, 'drain').catch(onError);
    }
  } finally {
    stream.off('error', onError);
  }
  return failure;
}

async function writeToFile(path: string, chunks: Iterable<string>): Promise<void> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
    const failure = await writeChunks(stream, chunks);
    if (failure !== undefined) throw failure;
    stream.end();
    await finished(stream);
  } catch (error) {
    stream.destroy();
    throw new ExportWriteError(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** A reader that stops early (`ntg demo generate | head`) closes the pipe: that ends the run quietly. */
async function writeToStandardOutput(chunks: Iterable<string>): Promise<void> {
  const failure = await writeChunks(process.stdout, chunks);
  if (failure !== undefined && failure.code !== 'EPIPE') throw failure;
}
