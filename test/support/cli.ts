import { format } from 'node:util';
import { expect, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

/** What one in-process run of `ntg` returned and printed. */
export interface NtgRun {
  code: number;
  /** Standard output: console.log calls and process.stdout.write chunks, in the order written. */
  out: string;
  /** Standard error: console.error calls and process.stderr.write chunks, in the order written. */
  err: string;
}

/**
 * Runs `ntg` in-process and returns its exit code and everything it printed.
 *
 * Each stream is captured as the process would print it (console.log and console.error format their
 * arguments as Node does and end the line with "\n"; direct writes are kept verbatim), and then one
 * trailing "\n" is dropped, so a one-line message compares as `toBe('ntg: ...')` and `out` parses as JSON.
 * A trailing "\r\n" is kept whole: it ends the last row of a CSV document and is part of what was written.
 */
export async function runNtg(...argv: string[]): Promise<NtgRun> {
  const out: string[] = [];
  const err: string[] = [];
  const text = (chunk: string | Uint8Array): string => (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(`${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(`${format(...parts)}\n`));
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(text(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(text(chunk)), true));
  try {
    const code = await runCli(argv);
    return { code, out: joinedOutput(out), err: joinedOutput(err) };
  } finally {
    log.mockRestore();
    error.mockRestore();
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The chunks as one string, less a single trailing line feed (but not the end of a CRLF line). */
function joinedOutput(chunks: string[]): string {
  return chunks.join('').replace(/(?<!\r)\n$/, '');
}

/** Runs `ntg stats …` expecting a refusal: exit 2, nothing on standard output, one `ntg: …` line. Returns that line. */
export async function statsRefusal(...argv: string[]): Promise<string> {
  const result = await runNtg('stats', ...argv);
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toMatch(/^ntg: [^\n]+$/);
  return result.err.trimEnd();
}

/** What JSON.stringify then JSON.parse make of a value: the command's output of a direct call. */
export function printed(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
