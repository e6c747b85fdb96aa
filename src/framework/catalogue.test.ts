import { packageRoot } from '../package-root.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CatalogueValidationError,
  cataloguePath,
  childrenOf,
  findItems,
  fullText,
  itemById,
  loadCatalogue,
  matrixStatements,
  parseCatalogue,
  requireItem,
} from './catalogue.js';

const scratch = mkdtempSync(join(tmpdir(), 'ntg-catalogue-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const committed = JSON.parse(readFileSync(cataloguePath(), 'utf8')) as { items: Record<string, unknown>[] };

/** A copy of the committed catalogue JSON with one change made to it. */
function changed(change: (json: { items: Record<string, unknown>[] }) => void): unknown {
  const copy = structuredClone(committed);
  change(copy);
  return copy;
}

function problemOf(json: unknown): string {
  try {
    parseCatalogue(json);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the catalogue to be rejected');
}

describe('loadCatalogue', () => {
  it('loads and validates the committed catalogue once', () => {
    const catalogue = loadCatalogue();
    expect(catalogue.items.length).toBeGreaterThan(900);
    expect(loadCatalogue()).toBe(catalogue);
  });

  it('finds catalogue.json beside the module when running from src', () => {
    expect(cataloguePath()).toBe(join(packageRoot, 'src', 'framework', 'catalogue.json'));
  });

  it('falls back to src/framework/catalogue.json under the package root for a compiled module', () => {
    // As from dist/framework/catalogue.js, where the build copies no JSON.
    const root = mkdtempSync(join(scratch, 'package-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'framework'), { recursive: true });
    mkdirSync(join(root, 'src', 'framework'), { recursive: true });
    writeFileSync(join(root, 'src', 'framework', 'catalogue.json'), '{}');
    const compiled = pathToFileURL(join(root, 'dist', 'framework', 'catalogue.js'));
    expect(cataloguePath(compiled)).toBe(join(root, 'src', 'framework', 'catalogue.json'));
  });

  it('says where it looked when there is no catalogue', () => {
    const root = mkdtempSync(join(scratch, 'empty-'));
    writeFileSync(join(root, 'package.json'), '{}');
    expect(() => cataloguePath(pathToFileURL(join(root, 'dist', 'catalogue.js')))).toThrow(/not found: looked for/);
  });

  it('rejects an invalid file at start-up, naming the file, the item and the field', () => {
    const path = join(scratch, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify(
        changed((json) => {
          const item = json.items.find((i) => i.id === 'T1-FRONTLINE-UNIVERSAL-03');
          if (item !== undefined) item.layer = 'onion';
        }),
      ),
    );
    expect(() => loadCatalogue(path)).toThrow(CatalogueValidationError);
    expect(() => loadCatalogue(path)).toThrow(/bad\.json[\s\S]*item T1-FRONTLINE-UNIVERSAL-03 \(items\[\d+\]\): field layer/);
  });

  it('says when the file is not JSON', () => {
    const path = join(scratch, 'not-json.json');
    writeFileSync(path, '{ "items": [');
    expect(() => loadCatalogue(path)).toThrow(/Cannot read the framework catalogue at .*not-json\.json/);
  });
});

describe('parseCatalogue', () => {
  it('rejects a missing text, naming the item and field', () => {
    const message = problemOf(changed((json) => delete json.items.find((i) => i.id === 'GT04-M2')?.text));
    expect(message).toMatch(/item GT04-M2 \(items\[\d+\]\): field text/);
  });

  it('rejects a duplicate id, naming it', () => {
    const message = problemOf(
      changed((json) => {
        const item = json.items.find((i) => i.id === 'T1-GC-02');
        if (item !== undefined) item.id = 'T1-GC-01';
      }),
    );
    expect(message).toContain('item T1-GC-01: field id: duplicate id');
  });

  it('rejects identical text within a template, naming both items', () => {
    const message = problemOf(
      changed((json) => {
        const first = json.items.find((i) => i.id === 'T4-GC-01');
        const second = json.items.find((i) => i.id === 'T4-GC-02');
        if (first !== undefined && second !== undefined) second.text = first.text;
      }),
    );
    expect(message).toContain('item T4-GC-02: field text: same text as item T4-GC-01');
  });

  it('rejects a point whose parent does not exist', () => {
    const message = problemOf(
      changed((json) => {
        const item = json.items.find((i) => i.id === 'T3-F1');
        if (item !== undefined) item.parentId = 'T3-INTRO-9';
      }),
    );
    expect(message).toContain('item T3-F1: field parentId: no item T3-INTRO-9');
  });

  it('rejects an unknown field, a bad id and a bad version', () => {
    expect(problemOf(changed((json) => Object.assign(json.items[0] ?? {}, { colour: 'red' })))).toMatch(/item THEME-1 .*colour|item THEME-1[\s\S]*Unrecognized/);
    expect(problemOf(changed((json) => Object.assign(json.items[0] ?? {}, { id: 'Theme 1' })))).toMatch(/field id: not a valid catalogue id/);
    expect(problemOf(changed((json) => Object.assign(json, { version: 'latest' })))).toMatch(/field version/);
  });
});

describe('lookups', () => {
  const catalogue = loadCatalogue();

  it('finds an item by id and says which id is missing', () => {
    expect(itemById(catalogue, 'children-in-care')?.kind).toBe('group');
    expect(itemById(catalogue, 'T9-NOPE')).toBeUndefined();
    expect(() => requireItem(catalogue, 'T9-NOPE')).toThrow('No framework catalogue item with id T9-NOPE');
  });

  it('filters items by template, layer, tier and kind, in seed order', () => {
    const cell = findItems(catalogue, { template: 'T1', layer: 'strategy', tier: 'targeted', kind: 'matrix-statement' });
    expect(cell.map((i) => i.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(matrixStatements(catalogue, 1, 'strategy', 'targeted')).toEqual(cell);
    expect(findItems(catalogue, { template: 2, kind: 'template' }).map((i) => i.id)).toEqual(['T2']);
    expect(findItems(catalogue, { layer: 'governance', kind: ['summary-headline', 'summary-note'] })).toHaveLength(10);
  });

  it('filters items by golden thread number or id', () => {
    expect(findItems(catalogue, { thread: 4, kind: 'thread-means' }).map((i) => i.id)).toEqual([
      'GT04-M1',
      'GT04-M2',
      'GT04-M3',
      'GT04-M4',
      'GT04-M5',
    ]);
    expect(findItems(catalogue, { thread: 'GT02' }).map((i) => i.kind)).toEqual([
      'golden-thread',
      'thread-headline',
      'thread-narrative',
      'thread-means',
      'thread-means',
      'thread-means',
      'thread-means',
      'thread-means',
      'thread-note',
    ]);
  });

  it('narrows the item type by kind', () => {
    const sen = findItems(catalogue, { kind: 'group' }).find((g) => g.id === 'children-with-sen');
    expect(sen?.definition.rule).toEqual({ kind: 'codes', field: 'sen_provision', codes: ['K', 'E'] });
    const ethnicity = findItems(catalogue, { kind: 'group' }).find((g) => g.id === 'ethnic-minority-backgrounds');
    expect(ethnicity?.definition.rule).toEqual({ kind: 'codes-except', field: 'ethnicity', except: ['WBRI'], unknown: ['REFU', 'NOBT'] });
    const attendance = findItems(catalogue, { kind: 'group' }).find((g) => g.id === 'poor-attendance');
    expect(attendance?.definition.rule).toEqual({ kind: 'below', field: 'attendance_pct', threshold: 90 });
  });

  it('lists children and joins a statement with its points for plain text', () => {
    const statement = requireItem(catalogue, 'T5-STRATEGY-TARGETED-03');
    expect(childrenOf(catalogue, statement.id).map((c) => c.text)).toEqual([
      'individual commissioning',
      'local commissioning',
      'strategic commissioning',
    ]);
    expect(fullText(catalogue, statement)).toBe(
      'The CYP Plan describes: individual commissioning; local commissioning; strategic commissioning and has mechanisms in place to collect information to better inform planning.',
    );
    expect(fullText(catalogue, requireItem(catalogue, 'GT04-M2'))).toBe(requireItem(catalogue, 'GT04-M2').text);
  });
});
