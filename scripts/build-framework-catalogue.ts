/**
 * Builds src/framework/catalogue.json from the seed pack and src/framework/catalogue-corrections.json.
 *
 *   npx tsx scripts/build-framework-catalogue.ts            # write catalogue.json
 *   npx tsx scripts/build-framework-catalogue.ts --check    # exit 1 if catalogue.json is out of date
 *
 * Options: --seeds <folder> (default: ../shared/seeds beside the repository, or $NTG_SEEDS_DIR),
 *          --out <file> (default: src/framework/catalogue.json).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCatalogue, parseCorrections, readSeedPack, serialiseCatalogue } from '../src/framework/build-catalogue.js';
import { parseCatalogue } from '../src/framework/catalogue.js';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot;

/** The seed pack folder: --seeds, $NTG_SEEDS_DIR, or ../shared/seeds beside the repository. */
export function defaultSeedsFolder(): string {
  return process.env.NTG_SEEDS_DIR ?? resolve(root, '..', 'shared', 'seeds');
}

/** Builds the catalogue text from the seed folder and the corrections file. */
export function buildCatalogueText(seedsFolder: string = defaultSeedsFolder()): string {
  if (!existsSync(seedsFolder)) throw new Error(`Seed pack not found at ${seedsFolder} (use --seeds or NTG_SEEDS_DIR)`);
  const seeds = readSeedPack(seedsFolder);
  const correctionsText = readFileSync(join(root, 'src', 'framework', 'catalogue-corrections.json'), 'utf8');
  const corrections = parseCorrections(JSON.parse(correctionsText));
  return serialiseCatalogue(buildCatalogue(seeds, corrections, correctionsText));
}

/** Item ids whose content differs between two catalogue texts, for a readable --check report. */
function differences(current: string, expected: string): string[] {
  try {
    const before = new Map(parseCatalogue(JSON.parse(current)).items.map((i) => [i.id, JSON.stringify(i)]));
    const after = new Map(parseCatalogue(JSON.parse(expected)).items.map((i) => [i.id, JSON.stringify(i)]));
    const ids = new Set([...before.keys(), ...after.keys()]);
    const changed = [...ids].filter((id) => before.get(id) !== after.get(id));
    return changed.map((id) => (before.has(id) ? (after.has(id) ? `changed ${id}` : `removed ${id}`) : `added ${id}`));
  } catch (error) {
    return [`the committed catalogue does not parse: ${(error as Error).message}`];
  }
}

function main(): number {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      seeds: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = resolve(values.out ?? join(root, 'src', 'framework', 'catalogue.json'));
  const expected = buildCatalogueText(values.seeds === undefined ? undefined : resolve(values.seeds));
  const version = (JSON.parse(expected) as { version: string }).version;
  if (values.check) {
    const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
    if (current === expected) {
      console.log(`${out} is up to date (version ${version}).`);
      return 0;
    }
    console.error(`${out} differs from what the seed and corrections produce (version ${version}).`);
    const diff = current === '' ? ['the file does not exist'] : differences(current, expected);
    for (const line of diff.slice(0, 20)) console.error(`  ${line}`);
    if (diff.length > 20) console.error(`  … and ${diff.length - 20} more`);
    if (diff.length === 0) console.error('  (items are equal: the version, sources or formatting differ)');
    console.error('Run: npx tsx scripts/build-framework-catalogue.ts');
    return 1;
  }
  writeFileSync(out, expected);
  console.log(`Wrote ${out} (version ${version}).`);
  return 0;
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
