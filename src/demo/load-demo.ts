import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { localAuthorityByGss } from '../areas/areas.js';
import { demoAuthorityCode, demoRegionCode, registerDemoSettings } from '../auth/demo.js';
import type { Config } from '../config.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymKey } from '../ingest/pseudonym.js';
import { importStatistics } from '../ingest/statistics/service.js';
import { prepareGapFigures } from '../gaps/service.js';
import { loadDemoAssessments } from './demo-assessments.js';
import { loadDemoPlans } from './demo-plans.js';
import { loadDemoLocalities } from './demo-localities.js';
import { loadDemoNetwork } from './demo-network.js';
import { loadDemoDirectory } from './demo-directory.js';
import { loadDemoVoices } from './demo-voices.js';
import { loadDemoPractice } from './demo-practice.js';
import { loadDemoSecondaryHead } from './demo-tracking.js';
import { demoHeader, demoSettingsOf, generateChildRows } from './generate-children.js';
import type { DemoOptions } from './generate-children.js';
import { demoPublicationData, demoPublicationMeta, demoPublications } from './published-statistics.js';

const demoYears = 5;
const lastYear = 2024;
const loader = { userId: null, organisationId: null, label: 'the demo loader (fictional demo data)' };

/** A demo authority: its code, its share of the configured children, its seed and its settings' first URN. */
export interface DemoAuthority {
  laCode: string;
  /** Children a year as a share of NTG_DEMO_CHILDREN: the main authority 1, the others smaller. */
  scale: number;
  seed: number;
  firstUrn: number;
}

/**
 * The demo's authorities, all in Yorkshire and The Humber so a regional adviser has several to move
 * between: Leeds at full size, Bradford and Wakefield smaller (and quicker to load). Their settings'
 * URNs are in separate blocks of the unused 9xxxxx range (Leeds 999001 down, Bradford 990001 down,
 * Wakefield 985001 down), far enough apart that the blocks never meet at the largest demo size.
 */
export const demoAuthorities: readonly DemoAuthority[] = [
  { laCode: demoAuthorityCode, scale: 1, seed: 1, firstUrn: 999001 },
  { laCode: 'E08000032', scale: 0.2, seed: 2, firstUrn: 990001 },
  { laCode: 'E08000036', scale: 0.12, seed: 3, firstUrn: 985001 },
];

/** The generator's options for a demo authority at the configured size (at least the generator's 100 children). */
export function demoOptionsFor(authority: DemoAuthority, demoChildren: number): DemoOptions {
  return { children: Math.max(100, Math.round(demoChildren * authority.scale)), years: demoYears, lastYear, seed: authority.seed, laCode: authority.laCode, firstUrn: authority.firstUrn };
}

/** The academic years (start years) the demo covers. */
export const demoYearList: readonly number[] = Array.from({ length: demoYears }, (_, index) => lastYear - demoYears + 1 + index);

async function writeDemoChildren(path: string, options: DemoOptions): Promise<void> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  out.write(`${demoHeader().join(',')}\n`);
  for (const row of generateChildRows(options)) {
    if (!out.write(`${row.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(partial, path);
}

/**
 * Writes the demo's published-shaped statistics (src/demo/published-statistics.ts) and loads each
 * file through the same import an analyst's file goes through, as national statistics (no owner):
 * every demo authority compares with them. A file already loaded is recognised and not loaded twice.
 */
export async function loadDemoStatistics(db: Kysely<Schema>, dataDir: string, folder: string): Promise<void> {
  for (const publication of demoPublications) {
    const base = publication.fileName.replace(/\.csv$/, '');
    const dataPath = join(folder, `${base}.csv`);
    const metaPath = join(folder, `${base}.meta.csv`);
    await writeFile(dataPath, demoPublicationData(publication, demoYearList, demoRegionCode));
    await writeFile(metaPath, demoPublicationMeta(publication));
    const statistics = await importStatistics(db, { dataPath, metaPath, dataDir, uploadedBy: loader, ownerLaCode: null });
    if (statistics.outcome === 'rejected') throw new Error(`the demo statistics file “${publication.fileName}” did not load: ${JSON.stringify(statistics.problems.slice(0, 3))}`);
  }
}

/**
 * In demo mode, fills an empty service with synthetic authorities (the demo generator's children,
 * five years: Leeds and two smaller neighbours), registers their settings, and loads fictional
 * published statistics for England, the region and its authorities, through the same imports an
 * analyst uses, and the demo's self-assessments (src/demo/demo-assessments.ts). Runs at start-up;
 * an authority that already has data is left as it is.
 */
export async function loadDemoData(database: Database, config: Config, log: (message: string) => void = () => undefined): Promise<void> {
  if (!config.demo) return;
  const folder = join(config.dataDir, 'demo');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  for (const authority of demoAuthorities) {
    const options = demoOptionsFor(authority, config.demoChildren);
    await registerDemoSettings(database.db, demoSettingsOf(options));
    const loaded = await database.db
      .selectFrom('import_batch')
      .select('id')
      .where('kind', '=', 'children')
      .where('la_code', '=', authority.laCode)
      .where('outcome', '=', 'loaded')
      .executeTakeFirst();
    if (loaded !== undefined) continue;
    const name = localAuthorityByGss(authority.laCode)?.name ?? authority.laCode;
    const started = Date.now();
    log(`Demo mode: loading a synthetic ${name} (${options.children.toLocaleString('en-GB')} children a year, ${demoYears} years); this takes a little while the first time.`);
    const path = join(folder, `demo-children-${authority.laCode}-${options.children}.csv`);
    await writeDemoChildren(path, options);
    const result = await importChildFile(
      { path, fileName: `demo-children-${name.toLowerCase().replace(/[^a-z]+/g, '-')}.csv`, laCode: authority.laCode, acceptValid: false, actor: loader },
      { database, dataDir: config.dataDir, pseudonymKey: await pseudonymKey(config) },
    );
    if (result.outcome === 'rejected') throw new Error(`the demo data for ${name} did not load: ${JSON.stringify(result.problems.slice(0, 3))}`);
    log(`Demo mode: ${name} loaded in ${Math.round((Date.now() - started) / 1000)} seconds.`);
  }
  await loadDemoAssessments(database.db, log);
  await loadDemoPractice(database.db, log);
  await loadDemoStatistics(database.db, config.dataDir, folder);
  await loadDemoPlans(database.db, log);
  await loadDemoSecondaryHead(database.db, log);
  await loadDemoNetwork(database.db, log);
  await loadDemoLocalities(database.db, log);
  await loadDemoDirectory(database.db, log);
  await loadDemoVoices(database.db, log);
  // Ready before the first page is asked for (on later starts, read back from the database).
  for (const authority of demoAuthorities) {
    await prepareGapFigures(database.db, authority.laCode).catch((error: unknown) => log(`Demo mode: the gap figures were not computed now (${error instanceof Error ? error.message : String(error)}); they will be when first read.`));
  }
}
