/**
 * The builder refuses to guess: a seed it cannot read without a reviewed decision, or a correction
 * that no longer fits the seed, stops the build with the line to look at.
 */
import { packageRoot } from '../package-root.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSeedsFolder } from '../../scripts/build-framework-catalogue.js';
import { buildCatalogue, cleanText, endsSentence, parseCorrections, readSeedPack, serialiseCatalogue, type SeedFile } from './build-catalogue.js';

const seedsFolder = defaultSeedsFolder();
if (!existsSync(seedsFolder)) {
  throw new Error(`These tests read the seed pack, expected at ${seedsFolder}; set NTG_SEEDS_DIR to its folder.`);
}
const seeds = readSeedPack(seedsFolder);
const correctionsText = readFileSync(join(packageRoot, 'src', 'framework', 'catalogue-corrections.json'), 'utf8');
const corrections = parseCorrections(JSON.parse(correctionsText));

function withoutCorrection(id: string) {
  return { ...corrections, corrections: corrections.corrections.filter((c) => c.id !== id) };
}

function withSeedLine(prefix: string, line: number, replace: (text: string) => string): SeedFile[] {
  return seeds.map((seed) => {
    if (!seed.name.startsWith(prefix)) return seed;
    const lines = seed.text.split('\n');
    lines[line - 1] = replace(lines[line - 1] ?? '');
    return { ...seed, text: lines.join('\n') };
  });
}

describe('buildCatalogue', () => {
  it('builds the same bytes twice from the same input', () => {
    const first = serialiseCatalogue(buildCatalogue(seeds, corrections, correctionsText));
    const second = serialiseCatalogue(buildCatalogue(seeds, corrections, correctionsText));
    expect(second).toBe(first);
  });

  it('stops at a line outside a matrix table that no correction places', () => {
    expect(() => buildCatalogue(seeds, withoutCorrection('C01'), correctionsText)).toThrow(/line 202 is outside the matrix table/);
  });

  it('stops at a page break it cannot decide without a correction', () => {
    expect(() => buildCatalogue(seeds, withoutCorrection('C12'), correctionsText)).toThrow(
      /Template 5 processes\/targeted, line 715: does ".*accredited by the" continue with "Criminal Records Bureau/,
    );
  });

  it('stops at a paragraph out of place that no correction moves', () => {
    expect(() => buildCatalogue(seeds, withoutCorrection('C13'), correctionsText)).toThrow(/cannot place line 546/);
  });

  it('stops when a correction no longer matches the seed text', () => {
    const changed = withSeedLine('004_', 202, (line) => line.replace('Regular', 'Annual'));
    expect(() => buildCatalogue(changed, corrections, correctionsText)).toThrow(/Correction C01: .* line 202 no longer starts with/);
  });

  it('stops when a correction matches nothing', () => {
    const extra = {
      ...corrections,
      corrections: [
        ...corrections.corrections,
        {
          id: 'C99',
          type: 'matrix-boundary' as const,
          template: 1,
          layer: 'governance' as const,
          tier: 'specialist' as const,
          previousEndsWith: 'nothing like this',
          nextStartsWith: 'nor this',
          decision: 'join' as const,
          reason: 'A test correction that fits no boundary in the seed.',
        },
      ],
    };
    expect(() => buildCatalogue(seeds, extra, correctionsText)).toThrow('Corrections that matched nothing in the seed: C99');
  });

  it('changes the version and content hash when a statement changes', () => {
    const before = buildCatalogue(seeds, corrections, correctionsText);
    const changed = withSeedLine('004_', 202, (line) => line.replace('management committee', 'management board'));
    const after = buildCatalogue(changed, corrections, correctionsText);
    expect(after.version).not.toBe(before.version);
    expect(after.version.slice(0, 11)).toBe(`${corrections.releaseDate}+`);
  });
});

describe('parseCorrections', () => {
  it('requires every correction to give a reason', () => {
    const json = JSON.parse(correctionsText) as { corrections: Record<string, unknown>[] };
    delete json.corrections[0]?.reason;
    expect(() => parseCorrections(json)).toThrow(/corrections\.0\.reason/);
  });

  it('rejects two corrections with the same id', () => {
    const json = JSON.parse(correctionsText) as { corrections: Record<string, unknown>[] };
    json.corrections.push({ ...json.corrections[0] });
    expect(() => parseCorrections(json)).toThrow('duplicate id C01');
  });
});

describe('text helpers', () => {
  it('removes tags, emphasis and entities but keeps quotes and dashes', () => {
    expect(cleanText("<p>All staff are trained in the wider <i>Every Child Matters</i> (ECM) agenda</p>")).toBe(
      'All staff are trained in the wider Every Child Matters (ECM) agenda',
    );
    expect(cleanText("**Resources are shifted** &amp; ‘chatter matters’ – 'you can do it'")).toBe(
      "Resources are shifted & ‘chatter matters’ – 'you can do it'",
    );
  });

  it('tells a finished sentence from a broken one', () => {
    expect(endsSentence('They work together.')).toBe(true);
    expect(endsSentence("a children's commissioner for every local area (linked to 'you can do it').")).toBe(true);
    expect(endsSentence('(EYFS).')).toBe(true);
    expect(endsSentence("Children's Centres know the number")).toBe(false);
    expect(endsSentence('flexible child care,')).toBe(false);
  });
});
