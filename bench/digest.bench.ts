/**
 * Digest print benchmark (issue 15): a published edition of 60 items in 6 sections printed to PDF,
 * numbered contents and all (Chromium prints it twice: once to find where each heading lands, once
 * with the numbers), target under 10 s; the median of 3 prints. `npm run bench -- digest`.
 *
 * The print reads only the edition (its items frozen at publication), so the database is the
 * embedded PGlite: the figure is Chromium's, whichever database the service runs on. The items are
 * published directly (the columns the panel's decision sets) with realistic lengths of text.
 * Needs Chromium (NTG_CHROMIUM_PATH, default /usr/bin/chromium).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openPGlite } from '../src/db/database.js';
import { loadCatalogue } from '../src/framework/catalogue.js';
import { DigestService, freezeItems, readEdition } from '../src/practice/digest.js';
import { pdfPageCount, printDigest } from '../src/practice/digest-print.js';
import { prepareDatabase } from '../src/service.js';
import { createRandom } from '../src/stats/random.js';
import { publishItem } from '../test/support/digest.js';
import { completeContent, meansResult } from '../test/support/practice.js';
import { reportFigures, timeMs } from './report.js';

const ITEMS = 60;
const SECTIONS = 6;
const RUNS = 3;
const TARGET_MS = 10_000;

const folder = mkdtempSync(join(tmpdir(), 'ntg-bench-digest-'));
const config = loadConfig({ NTG_DATA_DIR: folder, NTG_CHROMIUM_PATH: process.env.NTG_CHROMIUM_PATH });
const database = await openPGlite(null);
const random = createRandom(20_261_203);

const groups = ['children-in-care', 'poor-attendance', 'young-carers', 'children-with-sen', 'not-fluent-in-english', 'poorer-socio-economic-groups'];
const headings = ['Children in care', 'Attendance', 'Young carers', 'Special educational needs', 'English as an additional language', 'Poverty and disadvantage'];
const grades = ['validated', 'promising', 'emerging'] as const;
const sentence = 'Staff met weekly to plan the sessions, checked each child’s progress every half term and changed the groups when a child moved on or needed more support.';

try {
  await prepareDatabase(database, config);
  const db = database.db;
  const ids: string[][] = groups.map(() => []);
  for (let index = 0; index < ITEMS; index += 1) {
    const section = index % SECTIONS;
    const content = completeContent({
      title: `${headings[section]}: practice example ${index + 1} with a title of ordinary length`,
      summary: `${sentence} `.repeat(3).trim(),
      whatWasDone: `${sentence} `.repeat(8).trim(),
      groups: [groups[section]!],
      costPerChild: Math.round(random.uniform() * 1500),
      results: [meansResult({ mean: 92 + random.uniform() * 12, comparatorMean: 92 }), meansResult({ outcome: 'Attendance (per cent)', mean: 90 + random.uniform() * 6, sd: 8, comparatorMean: 91, comparatorSd: 8 })],
    });
    const item = await publishItem(db, content, { grade: grades[index % 3]!, strength: 1 + (index % 5) });
    ids[section]!.push(item.id);
  }
  const sections = headings.map((heading, index) => ({ heading, introduction: `Why ${heading.toLowerCase()} matters, and what the items in this section have in common.`, itemIds: ids[index]! }));
  const frozen = await freezeItems(db, ids.flat());
  await db
    .insertInto('practice_digest_edition')
    .values({
      number: 1,
      title: 'What works: the benchmark edition',
      introduction: `${sentence}\n\n${sentence}`,
      sections: JSON.stringify(sections),
      status: 'published',
      items: JSON.stringify(Object.fromEntries(frozen)),
      created_by_label: 'Benchmark',
      published_at: new Date(),
      published_by_label: 'Benchmark',
    })
    .execute();
  const view = await new DigestService(db, loadCatalogue()).view((await readEdition(db, 1))!);

  const timings: number[] = [];
  let pages = 0;
  let prints = 0;
  for (let run = 0; run < RUNS; run += 1) {
    timings.push(
      await timeMs(async () => {
        const printed = await printDigest(view, { chromiumPath: config.chromiumPath, publicUrl: 'https://ntg.example.org' });
        pages = pdfPageCount(printed.pdf);
        prints = printed.prints;
      }),
    );
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  reportFigures('digest-pdf', {
    items: view.itemCount,
    sections: view.sections.length,
    pages,
    chromium_prints_per_pdf: prints,
    runs: RUNS,
    median_ms: Math.round(median),
    min_ms: Math.round(sorted[0]!),
    max_ms: Math.round(sorted.at(-1)!),
    target_ms: TARGET_MS,
    meets_target: median < TARGET_MS,
  });
} finally {
  await database.close();
  rmSync(folder, { recursive: true, force: true });
}
