/**
 * Fidelity of the catalogue to the seed pack. The seed is read here independently of the parser
 * (a few regular expressions), so a parser bug cannot hide itself.
 */
import { packageRoot } from '../package-root.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalogueText, defaultSeedsFolder } from '../../scripts/build-framework-catalogue.js';
import { LAYER_CODES, TIER_CODES, cataloguePath, findItems, loadCatalogue, type CatalogueItem } from './catalogue.js';

const catalogue = loadCatalogue();
const items = catalogue.items;
const seedsFolder = defaultSeedsFolder();
if (!existsSync(seedsFolder)) {
  throw new Error(`These tests read the seed pack, expected at ${seedsFolder}; set NTG_SEEDS_DIR to its folder.`);
}

function seed(prefix: string): { name: string; text: string } {
  const source = catalogue.sources.find((s) => s.file.startsWith(prefix));
  if (source === undefined) throw new Error(`no seed ${prefix}`);
  return { name: source.file, text: readFileSync(join(seedsFolder, source.file), 'utf8') };
}

const seeds = ['000_', '001_', '002_', '003_', '004_'].map(seed);
const templatesSeed = seeds[4] ?? seed('004_');

/** Seed text without tags, emphasis, list or heading marks, bullets, with whitespace collapsed. */
function normalise(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\*+/g, '')
    .replace(/^[ \t]*-[ \t]+/gm, ' ')
    .replace(/^#+[ \t]*/gm, ' ')
    .replace(/•/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const normalisedSeed = new Map(seeds.map((s) => [s.name, normalise(s.text)]));

/** Every string an item shows to people (not its source reference or data definition rule). */
function shownStrings(item: CatalogueItem): string[] {
  const strings = [item.text];
  for (const key of ['textAfterPoints', 'subtitle', 'shortTitle', 'name', 'overviewText', 'note', 'group', 'conditionsHeading', 'subject'] as const) {
    const value = (item as Partial<Record<typeof key, unknown>>)[key];
    if (typeof value === 'string') strings.push(value);
  }
  return strings;
}

/** The pieces the item's text was taken from: its fragments, or its text. */
function pieces(item: CatalogueItem): string[] {
  return item.source.fragments ?? [item.text];
}

const STATEMENT_KINDS = new Set([
  'matrix-statement',
  'general-condition',
  'thread-narrative',
  'principle-narrative',
  'template-introduction',
  'summary-introduction',
  'summary-headline',
  'summary-note',
]);

/**
 * Matrix statements that end without a full stop in the seed itself (checked by reading file 004):
 * "… an understanding of the whole child" (line 261), "… vocational training and/or paid
 * employment" (line 267), "… the health contribution to extended schools" (line 286). Template one
 * has the same statements with their full stops.
 */
const UNPUNCTUATED_IN_SEED = ['T2-FRONTLINE-TARGETED-04', 'T2-FRONTLINE-TARGETED-14', 'T2-STRATEGY-UNIVERSAL-07'];

describe('item text', () => {
  it('strips HTML, markdown, table markup and entities from every item', () => {
    const offending = items.flatMap((item) =>
      shownStrings(item)
        .filter((s) => /[<>|#*\t•]|&[#a-z0-9]+;|---/i.test(s))
        .map((s) => `${item.id}: ${s.slice(0, 60)}`),
    );
    expect(offending).toEqual([]);
  });

  it('collapses whitespace in every item to single spaces and blank-line paragraph breaks', () => {
    const offending = items.flatMap((item) =>
      shownStrings(item)
        .filter((s) => s !== s.trim() || / {2}|\n| ¶|¶ |¶¶/.test(s.replace(/\n\n/g, '¶')))
        .map((s) => `${item.id}: ${JSON.stringify(s.slice(0, 60))}`),
    );
    expect(offending).toEqual([]);
  });

  it('leaves no page-break artefact (running header, page number, table separator) in any item', () => {
    // The running titles of the seed files (their bold opening lines) and bare numbers standing
    // between sentences, as page numbers would.
    const headers = [/building blocks' – what makes/i, /what seems to 'make the difference'/i, /an introduction$/i, /narrowing the gap – an overview/i];
    const offending = items.filter((item) => {
      const text = item.text;
      if (headers.some((h) => h.test(text))) return true;
      if (item.kind === 'reference') return false; // references end with years and report numbers
      return /(^|[.!?:] )\d{1,3}( |$)/.test(text) || /\s\d{1,3}$/.test(text);
    });
    expect(offending.map((i) => i.id)).toEqual([]);
  });

  it('keeps typographic quotes as the seed has them', () => {
    // File 003 thread 5 uses ‘…’, thread 1 uses '…'; file 004 template one general condition 1 ‘pro-social’.
    expect(findItems(catalogue, { thread: 5, kind: 'thread-means' })[0]?.text).toContain('‘chatter matters’');
    expect(findItems(catalogue, { thread: 1, kind: 'thread-means' })[0]?.text).toBe("public campaign 'you can do it'");
    expect(findItems(catalogue, { kind: 'general-condition', template: 1 })[0]?.text).toContain('‘pro-social’');
  });

  it('starts every statement with a capital, as the seed does', () => {
    const offending = items.filter((i) => STATEMENT_KINDS.has(i.kind) && !/^['‘"(]?[A-Z0-9]/.test(i.text));
    expect(offending.map((i) => `${i.id}: ${i.text.slice(0, 40)}`)).toEqual([]);
  });

  it('ends every statement with a full stop or a lead-in colon, except three the seed leaves open', () => {
    const open = items.filter((i) => STATEMENT_KINDS.has(i.kind) && !/([.!?]['’")]*|:)$/.test(i.text)).map((i) => i.id);
    expect(open).toEqual(UNPUNCTUATED_IN_SEED);
  });

  it('leaves no item starting or ending with a dangling word or comma', () => {
    const danglingEnd = / (and|or|but|the|of|to|a|an|with|for|by|in|from|that|which|their|its)$|[,;–-]$/;
    const danglingStart = /^(and|or|but|of|to|with|by|that|which|than)\b/;
    const offending = items.filter((i) => danglingEnd.test(i.text) || danglingStart.test(i.text));
    expect(offending.map((i) => `${i.id}: ${i.text.slice(0, 30)} … ${i.text.slice(-30)}`)).toEqual([]);
  });

  it('finds every item in its seed file, piece by piece, as exactly those pieces joined', () => {
    const offending: string[] = [];
    for (const item of items) {
      const haystack = normalisedSeed.get(item.source.file) ?? '';
      for (const piece of pieces(item)) {
        if (!haystack.includes(normalise(piece))) offending.push(`${item.id}: "${piece.slice(0, 50)}" not in ${item.source.file}`);
      }
      const fragments = item.source.fragments;
      if (fragments !== undefined && normalise(fragments.join(' ')) !== normalise(item.text)) {
        offending.push(`${item.id}: text is not its fragments joined`);
      }
      if (item.kind === 'theme' && !(normalisedSeed.get(seeds[1]?.name ?? '') ?? '').includes(item.overviewText)) {
        offending.push(`${item.id}: overview text not in file 001`);
      }
      if (item.kind === 'matrix-statement' && item.textAfterPoints !== undefined && !haystack.includes(item.textAfterPoints)) {
        offending.push(`${item.id}: words after the points not in the seed`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('records a join only where the first piece stops mid-sentence', () => {
    // A join is a repair of a page break (or of a paragraph moved away, C13); pieces that are
    // paragraphs of one numbered condition or one reference are not joins and may end a sentence.
    const joinedStatements = items.filter(
      (i) => (i.kind === 'matrix-statement' || i.kind === 'summary-headline') && i.source.fragments !== undefined,
    );
    const offending = joinedStatements.filter((i) => (i.source.fragments ?? []).slice(0, -1).some((f) => /[.!?]$/.test(f)));
    expect(offending.map((i) => i.id)).toEqual([]);
    expect(joinedStatements.length).toBeGreaterThan(0);
  });

  it("repairs the README's example: a statement split between two table blocks", () => {
    const item = items.find((i) => i.text.startsWith("Children's Centres know the number"));
    expect(item?.id).toBe('T1-STRATEGY-TARGETED-08');
    expect(item?.text).toBe(
      "Children's Centres know the number of disabled children locally and plan accordingly, using needs analysis to assist it in identifying which specific services are needed to support children with learning or physical disabilities.",
    );
    expect(item?.source.fragments).toEqual([
      "Children's Centres know the number",
      'of disabled children locally and plan accordingly, using needs analysis to assist it in identifying which specific services are needed to support children with learning or physical disabilities.',
    ]);
    expect(item?.source.lines).toEqual([192, 195]);
  });
});

describe('matrix statements', () => {
  /** `<p>` paragraphs and lines left outside the tables, per template, from file 004 by regular expression. */
  function seedMatrixPieces(): Map<number, string[]> {
    const words = ['one', 'two', 'three', 'four', 'five'];
    const layerLabels = new Set(['integrated frontline delivery', 'integrated processes', 'integrated strategy', 'integrated governance']);
    const perTemplate = new Map<number, string[]>();
    let template = 0;
    let inMatrix = false;
    for (const line of templatesSeed.text.split('\n')) {
      const title = /^\**template (one|two|three|four|five) –/.exec(line);
      if (title?.[1] !== undefined) {
        template = words.indexOf(title[1]) + 1;
        inMatrix = false;
        continue;
      }
      if (line.startsWith('all children (universal services)\t')) {
        inMatrix = true;
        continue;
      }
      if (/^references:?$/.test(line.trim())) inMatrix = false;
      if (!inMatrix || line.trim() === '' || /^[-\t ]+$/.test(line)) continue;
      const list = perTemplate.get(template) ?? [];
      perTemplate.set(template, list);
      if (!line.includes('\t')) {
        list.push(normalise(line)); // a line the conversion left outside the table
        continue;
      }
      for (const match of line.matchAll(/<p>(.*?)<\/p>/g)) {
        const text = normalise(match[1] ?? '');
        if (text !== '' && !layerLabels.has(text)) list.push(text);
      }
    }
    return perTemplate;
  }

  it('uses every paragraph of every matrix exactly once, never merging or cutting one', () => {
    // Each statement is made of whole seed paragraphs (one, or two joined at a page break), so the
    // multiset of statement pieces equals the multiset of the seed's paragraphs, template by template.
    const seedPieces = seedMatrixPieces();
    for (const template of [1, 2, 4, 5]) {
      const statements = findItems(catalogue, { kind: 'matrix-statement', template });
      const used = statements.flatMap((s) => [...pieces(s), ...(s.textAfterPoints === undefined ? [] : [s.textAfterPoints])]);
      expect([...used].map(normalise).sort(), `template ${template}`).toEqual([...(seedPieces.get(template) ?? [])].sort());
    }
  });

  it('gives every statement and point a layer and a tier', () => {
    const offending = findItems(catalogue, { kind: ['matrix-statement', 'matrix-point'] }).filter(
      (i) => !['frontline', 'processes', 'strategy', 'governance'].includes(i.layer) || !['universal', 'targeted', 'complex', 'specialist'].includes(i.tier),
    );
    expect(offending).toEqual([]);
  });

  it('takes the bullet points of template five from the seed in order', () => {
    const line = templatesSeed.text.split('\n')[722] ?? '';
    const bullets = [...line.matchAll(/• ([^•<]+)/g)].map((m) => (m[1] ?? '').trim());
    const points = findItems(catalogue, { kind: 'matrix-point' }).map((p) => p.text);
    expect(points).toEqual(bullets);
  });
});

describe('lists outside the matrices', () => {
  it('takes every "this means" bullet of file 003 as its own item, in order', () => {
    const text = seeds[3]?.text ?? '';
    const bullets: string[] = [];
    let inMeans = false;
    for (const line of text.split('\n')) {
      if (/^#+ this means/.test(line)) inMeans = true;
      else if (/^#+ /.test(line)) inMeans = false;
      else if (inMeans && line.startsWith('- ')) bullets.push(normalise(line));
    }
    expect(findItems(catalogue, { kind: 'thread-means' }).map((i) => normalise(i.text))).toEqual(bullets);
  });

  it("takes every bullet and sub-bullet of template three as its own item, in order", () => {
    // Lines 379–525 of file 004; "- 1 children …" is principle 1's heading, not a bullet; two
    // bullets are continued across page breaks by unbulleted lines.
    const lines = templatesSeed.text.split('\n').slice(378, 525);
    const bullets = lines.filter((l) => /^ ?- /.test(l) && !/^- 1 /.test(l)).map(normalise);
    const listItems = findItems(catalogue, { kind: ['success-factor', 'principle-point', 'principle-subpoint'], template: 3 });
    expect(listItems.map((i) => normalise(pieces(i)[0] ?? ''))).toEqual(bullets);
  });
});

describe('ids', () => {
  /** The id each item should have under the documented scheme (docs/framework-catalogue.md). */
  function expectedId(item: CatalogueItem): string {
    const two = (n: number) => String(n).padStart(2, '0');
    switch (item.kind) {
      case 'theme':
        return `THEME-${item.number}`;
      case 'output':
        return `OUTPUT-${item.number}`;
      case 'golden-thread':
        return `GT${two(item.number)}`;
      case 'thread-headline':
        return `${item.thread}-H`;
      case 'thread-narrative':
        return `${item.thread}-N${item.number}`;
      case 'thread-means':
        return `${item.thread}-M${item.number}`;
      case 'thread-note':
        return `${item.thread}-NOTE`;
      case 'template':
        return `T${item.number}`;
      case 'template-introduction':
        return `T${item.template}-INTRO-${item.number}`;
      case 'general-condition':
        return `T${item.template}-GC-${two(item.number)}`;
      case 'matrix-statement':
        return `T${item.template}-${LAYER_CODES[item.layer]}-${TIER_CODES[item.tier]}-${two(item.number)}`;
      case 'matrix-point':
        return `${item.parentId}-P${item.number}`;
      case 'success-factor':
        return `T3-F${item.number}`;
      case 'principle':
        return `T3-P${item.number}`;
      case 'principle-narrative':
        return `T3-P${item.principle}-N${item.number}`;
      case 'principle-point':
        return `T3-P${item.principle}-B${two(item.number)}`;
      case 'principle-subpoint':
        return `${item.parentId}-S${two(item.number)}`;
      case 'summary-introduction':
        return 'SUM-INTRO';
      case 'summary-note':
        return `SUM-${LAYER_CODES[item.layer]}-NOTE`;
      case 'summary-headline':
        return `SUM-${LAYER_CODES[item.layer]}-${two(item.number)}`;
      case 'reference':
        return `T${item.template}-REF-${two(item.number)}`;
      case 'outcome':
      case 'group':
      case 'layer':
      case 'tier':
        return item.id; // short slugs, checked below
    }
  }

  it('gives every item a unique id', () => {
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('derives every id from the documented scheme', () => {
    const offending = items.filter((i) => expectedId(i) !== i.id).map((i) => `${i.id} ≠ ${expectedId(i)}`);
    expect(offending).toEqual([]);
  });

  it('gives groups and outcomes short lower-case slugs', () => {
    const slugs = findItems(catalogue, { kind: ['group', 'outcome'] }).map((i) => i.id);
    expect(slugs.every((s) => /^[a-z]+(-[a-z]+)*$/.test(s))).toBe(true);
    expect(slugs).toContain('children-in-care');
    expect(findItems(catalogue, { kind: 'outcome' }).map((o) => o.id)).toEqual([
      'be-healthy',
      'stay-safe',
      'enjoy-and-achieve',
      'make-a-positive-contribution',
      'achieve-economic-well-being',
    ]);
  });

  it('keeps pinned ids on the same text', () => {
    // Spot checks against the seed: later capabilities store these ids, so they must not move.
    const text = (id: string) => items.find((i) => i.id === id)?.text;
    expect(text('T1-FRONTLINE-UNIVERSAL-01')).toMatch(/^Children's Centres and other early years settings provide a range/);
    expect(text('T1-FRONTLINE-UNIVERSAL-03')).toMatch(/^Children's Centres and early years settings work closely with children's mental health/);
    expect(text('T2-GOVERNANCE-SPECIALIST-03')).toMatch(/^Children with multiple disabilities receive the support and advocacy/);
    expect(text('T4-GOVERNANCE-SPECIALIST-02')).toBe('There is effective member scrutiny of the quality of service provision for children in care.');
    expect(text('T5-PROCESSES-SPECIALIST-06')).toBe('Specialist training in communication with children who find this very difficult is provided for relevant staff.');
    expect(text('GT04-M2')).toBe("lead professionals, rigorously 'hold the ring' on services for children and families with significant needs");
    expect(text('T3-P2-B13-S04')).toBe('using resources effectively, such as ICT and extra support staff');
    expect(text('T5-GC-15')).toMatch(/^The CYP Plan is used and owned by all the children's workforce/);
  });
});

describe('identical text', () => {
  it('repeats no text within a template or among items outside templates', () => {
    const seen = new Map<string, string>();
    const repeats: string[] = [];
    for (const item of items) {
      const key = `${'template' in item ? item.template : item.kind}|${item.text}`;
      const other = seen.get(key);
      if (other !== undefined) repeats.push(`${other} = ${item.id}`);
      seen.set(key, item.id);
    }
    expect(repeats).toEqual([]);
  });

  it('repeats across templates only where the seed repeats a statement word for word', () => {
    // Read template two's cells against template one's: template two was adapted from template
    // one and keeps these sixteen statements unchanged; template four repeats one of template one's.
    // (Templates one and two also share fifteen references.)
    const byText = new Map<string, string[]>();
    for (const item of findItems(catalogue, { kind: 'matrix-statement' })) byText.set(item.text, [...(byText.get(item.text) ?? []), item.id]);
    const repeated = [...byText.values()].filter((ids) => ids.length > 1).map((ids) => ids.join(' = '));
    expect(repeated).toEqual([
      'T1-FRONTLINE-UNIVERSAL-04 = T2-FRONTLINE-UNIVERSAL-04',
      'T1-FRONTLINE-TARGETED-08 = T2-FRONTLINE-TARGETED-12',
      'T1-FRONTLINE-SPECIALIST-03 = T2-FRONTLINE-SPECIALIST-04',
      'T1-PROCESSES-UNIVERSAL-08 = T2-PROCESSES-UNIVERSAL-09',
      'T1-PROCESSES-UNIVERSAL-09 = T2-PROCESSES-UNIVERSAL-10',
      'T1-PROCESSES-UNIVERSAL-14 = T2-PROCESSES-UNIVERSAL-12',
      'T1-PROCESSES-TARGETED-08 = T2-PROCESSES-TARGETED-07',
      'T1-PROCESSES-COMPLEX-01 = T2-PROCESSES-COMPLEX-01',
      'T1-PROCESSES-COMPLEX-04 = T2-PROCESSES-COMPLEX-03',
      'T1-PROCESSES-SPECIALIST-03 = T2-PROCESSES-SPECIALIST-05',
      'T1-PROCESSES-SPECIALIST-06 = T2-PROCESSES-SPECIALIST-08',
      'T1-STRATEGY-UNIVERSAL-05 = T2-STRATEGY-UNIVERSAL-09',
      'T1-STRATEGY-UNIVERSAL-08 = T2-STRATEGY-UNIVERSAL-11',
      'T1-STRATEGY-TARGETED-03 = T4-STRATEGY-TARGETED-02',
      'T1-STRATEGY-TARGETED-04 = T2-STRATEGY-TARGETED-07',
      'T1-GOVERNANCE-UNIVERSAL-05 = T2-GOVERNANCE-UNIVERSAL-06',
      'T1-GOVERNANCE-TARGETED-02 = T2-GOVERNANCE-TARGETED-03',
    ]);
  });
});

describe('the committed catalogue', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ntg-catalogue-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function runCheck(out: string): { status: number | null; stderr: string; stdout: string } {
    const root = packageRoot;
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-framework-catalogue.ts'), '--check', '--out', out], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NTG_SEEDS_DIR: seedsFolder },
    });
    return { status: result.status, stderr: result.stderr, stdout: result.stdout };
  }

  it('matches the committed catalogue to what the script produces from the seed and corrections now', () => {
    expect(readFileSync(cataloguePath(), 'utf8')).toBe(buildCatalogueText(seedsFolder));
  });

  it('passes the committed catalogue through --check and fails a changed copy, naming the changed item', () => {
    expect(runCheck(cataloguePath()).status).toBe(0);
    const changed = join(scratch, 'catalogue.json');
    writeFileSync(changed, readFileSync(cataloguePath(), 'utf8').replace('Children\'s Centres know the number of disabled', 'Children\'s Centres know the count of disabled'));
    const result = runCheck(changed);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('changed T1-STRATEGY-TARGETED-08');
  }, 60_000);

  it('gives the catalogue a date-based version carrying its content hash', () => {
    expect(catalogue.version).toMatch(/^\d{4}-\d{2}-\d{2}\+[0-9a-f]{12}$/);
    expect(catalogue.contentHash.slice('sha256:'.length, 'sha256:'.length + 12)).toBe(catalogue.version.split('+')[1]);
  });
});
