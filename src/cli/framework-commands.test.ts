import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../framework/catalogue.js';
import { runNtg } from '../../test/support/cli.js';

const catalogue = loadCatalogue();

describe('ntg framework export', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-export-'));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes the whole catalogue as JSON to standard output', async () => {
    const result = await runNtg('framework', 'export', '--format', 'json');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.out) as { version: string; items: unknown[] };
    expect(written.version).toBe(catalogue.version);
    expect(written.items).toEqual(catalogue.items);
  });

  it('writes one CSV row per item with the documented columns to a file', async () => {
    const file = join(folder, 'framework.csv');
    const result = await runNtg('framework', 'export', '--format', 'csv', '--out', file);
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
    const result = await runNtg('framework', 'export', '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.err).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are json, csv.");
  });

  it('says when the output file cannot be written and exits 1', async () => {
    const result = await runNtg('framework', 'export', '--out', join(folder, 'missing', 'x.json'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: Cannot write .*missing\/x\.json: ENOENT/);
  });
});
