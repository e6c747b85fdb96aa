import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { findArea } from '../areas/areas.js';
import { demoAuthorityCode, demoRegionCode } from '../auth/demo.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { importChildFile } from '../ingest/child-import.js';
import { pseudonymKey } from '../ingest/pseudonym.js';
import { importStatistics } from '../ingest/statistics/service.js';
import { demoHeader, generateChildRows } from './generate-children.js';
import { demoStatisticsData, demoStatisticsMeta } from './published-statistics.js';

const demoYears = 5;
const lastYear = 2024;
const seed = 1;
const loader = { userId: null, organisationId: null, label: 'demo loader' };

async function writeDemoChildren(path: string, children: number): Promise<void> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  out.write(`${demoHeader().join(',')}\n`);
  for (const row of generateChildRows({ children, years: demoYears, lastYear, seed, laCode: demoAuthorityCode })) {
    if (!out.write(`${row.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(partial, path);
}

/**
 * In demo mode, fills an empty service with a synthetic authority (the demo generator's children,
 * five years) and a small published statistics file for England and the region, through the same
 * imports an analyst uses. Runs at start-up; does nothing once the demo authority has data.
 */
export async function loadDemoData(database: Database, config: Config, log: (message: string) => void = () => undefined): Promise<void> {
  if (!config.demo) return;
  const folder = join(config.dataDir, 'demo');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const loaded = await database.db
    .selectFrom('import_batch')
    .select('id')
    .where('kind', '=', 'children')
    .where('la_code', '=', demoAuthorityCode)
    .where('outcome', '=', 'loaded')
    .executeTakeFirst();
  if (loaded === undefined) {
    log(`Demo mode: loading a synthetic authority (${config.demoChildren.toLocaleString('en-GB')} children a year, ${demoYears} years); this takes a little while the first time.`);
    const path = join(folder, `demo-children-${config.demoChildren}.csv`);
    await writeDemoChildren(path, config.demoChildren);
    const result = await importChildFile(
      { path, fileName: 'demo-children.csv', laCode: demoAuthorityCode, acceptValid: false, actor: loader },
      { database, dataDir: config.dataDir, pseudonymKey: await pseudonymKey(config) },
    );
    if (result.outcome === 'rejected') throw new Error(`the demo data did not load: ${JSON.stringify(result.problems.slice(0, 3))}`);
  }
  const region = findArea(demoRegionCode);
  const dataPath = join(folder, 'demo-ks2-attainment.csv');
  const metaPath = join(folder, 'demo-ks2-attainment.meta.csv');
  const years = Array.from({ length: demoYears }, (_, index) => lastYear - demoYears + 1 + index);
  await writeFile(dataPath, demoStatisticsData(years, { code: demoRegionCode, name: region?.name ?? 'Yorkshire and The Humber' }));
  await writeFile(metaPath, `${demoStatisticsMeta}\n`);
  // National figures, as the national team would load them: every demo authority compares with them.
  const statistics = await importStatistics(database.db, { dataPath, metaPath, dataDir: config.dataDir, uploadedBy: loader, ownerLaCode: null });
  if (statistics.outcome === 'rejected') throw new Error(`the demo statistics did not load: ${JSON.stringify(statistics.problems.slice(0, 3))}`);
}
