import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadCatalogue } from '../framework/catalogue.js';
import { runCli } from './program.js';

const catalogue = loadCatalogue();

async function ntg(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(`${parts.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(`${parts.join(' ')}\n`));
  try {
    return { code: await runCli(argv), out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    log.mockRestore();
    error.mockRestore();
  }
}

describe('ntg framework export', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-export-'));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes the whole catalogue as JSON to standard output', async () => {
    const result = await ntg('framework', 'export', '--format', 'json');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.out) as { version: string; items: unknown[] };
    expect(written.version).toBe(catalogue.version);
    expect(written.items).toEqual(catalogue.items);
  });

  it('writes one CSV row per item with the documented columns to a file', async () => {
    const file = join(folder, 'framework.csv');
    const result = await ntg('framework', 'export', '--format', 'csv', '--out', file);
    expect(result.code).toBe(0);
    expect(result.err).toContain(`Wrote ${catalogue.items.length} items`);
    const rows = parse<Record<string, string>>(readFileSync(file, 'utf8'), { bom: true, columns: true });
    expect(rows).toHaveLength(catalogue.items.length);
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'kind', 'template', 'layer', 'tier', 'thread', 'text', 'source']);
    expect(rows.map((row) => row.id)).toEqual(catalogue.items.map((item) => item.id));
    expect(rows.find((row) => row.id === 'T1-FRONTLINE-UNIVERSAL-03')).toMatchObject({
      kind: 'matrix-statement',
      template: '1',
      layer: 'frontline',
      tier: 'universal',
    });
  });

  it('refuses an unknown format with usage and exit 2', async () => {
    const result = await ntg('framework', 'export', '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.err).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are json, csv.");
  });

  it('says when the output file cannot be written and exits 1', async () => {
    const result = await ntg('framework', 'export', '--out', join(folder, 'missing', 'x.json'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: Cannot write .*missing\/x\.json: ENOENT/);
  });
});
