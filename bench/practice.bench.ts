/**
 * Practice library benchmark (issue 15): on PostgreSQL, 20,000 published practice items (varied
 * facets, and a few hundred words of realistic text each, so text search has work to do), then at
 * 20 concurrent users: the library's front page `GET /practice`, and faceted searches in several
 * mixes: a new combination of filters every request, 50 popular searches (words and a filter)
 * asked again and again, new words every request, and the API's search with new filters every
 * request; and an item's page. Targets: a faceted search and the front page, p95 under 50 ms, with
 * `/health` in the same run for a ratio.
 * `npm run bench -- practice`.
 *
 * As in bench/assessments.bench.ts: the service runs in its own process on a fresh database from
 * BENCH_DATABASE_URL; each virtual user sends a request, waits for the whole answer, then sends the
 * next (a closed loop) over keep-alive connections; every latency is kept, so percentiles are exact.
 * BENCH_PRACTICE_SECONDS sets how long each phase runs (default 15); BENCH_PRACTICE_ITEMS the number
 * of items (default 20,000).
 */
import { OUTCOME_IDS, TIER_IDS } from '../src/framework/catalogue.js';
import { settingTypes } from '../src/practice/content.js';
import { costBands } from '../src/practice/cost.js';
import { costBandValue } from '../src/practice/library.js';
import { practiceGrades } from '../src/practice/tables.js';
import { createRandom } from '../src/stats/random.js';
import { activities, groups, loadPracticeItems, regions, searchWords, threads } from './practice-items.js';
import type { LoadPhase } from './load.js';
import { closedLoop, getting } from './load.js';
import { reportFigures } from './report.js';
import type { BenchService } from './service.js';
import { openBenchDatabase, startBenchService } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_PRACTICE_SECONDS ?? 15);
const ITEMS = Number(process.env.BENCH_PRACTICE_ITEMS ?? 20_000);
const TARGET_MS = 50;

const random = createRandom(150);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random.uniform() * values.length)]!;
function some<T>(values: readonly T[], most: number, least = 1): T[] {
  const count = least + Math.floor(random.uniform() * (most - least + 1));
  return [...new Set(Array.from({ length: count }, () => pick(values)))];
}

type Phase = LoadPhase;

/** USERS closed-loop users for `seconds`, each asking for the path `next` gives; latencies in milliseconds. */
function runPhase(base: string, seconds: number, next: (user: number) => string): Promise<Phase> {
  return closedLoop(USERS, seconds, getting(base, next));
}

// The searches: each a query string, drawn from a list so that the mix is the same every run.
const facetChoices: (() => string)[] = [
  () => `group=${pick(groups)}`,
  () => `outcome=${pick(OUTCOME_IDS)}`,
  () => `thread=${pick(threads)}`,
  () => `template=T${1 + Math.floor(random.uniform() * 5)}`,
  () => `tier=${pick(TIER_IDS)}`,
  () => `setting=${pick(settingTypes)}`,
  () => `grade=${pick(practiceGrades)}`,
  () => `strength=${1 + Math.floor(random.uniform() * 5)}&strength=${1 + Math.floor(random.uniform() * 5)}`,
  () => `cost=${costBandValue(pick(costBands))}`,
  () => `region=${pick(regions)}`,
  () => `group=${pick(groups)}&group=${pick(groups)}`,
  () => 'sort=impact',
];
function filters(most: number): string {
  return some(facetChoices, most).map((choice) => choice()).join('&');
}
function words(): string {
  return encodeURIComponent(random.uniform() < 0.3 ? `"${pick(activities)}"` : some(searchWords, 2).join(' '));
}
// Popular searches: a few dozen, searched again and again (kept results are used while the library is unchanged).
const popularMix = Array.from({ length: 50 }, () => `/practice?q=${words()}&${filters(1)}`);
const cycle = (paths: readonly string[]) => {
  let at = 0;
  return () => paths[at++ % paths.length]!;
};

const bench = await openBenchDatabase('practice');
const database = bench.database;
let service: BenchService | undefined;
try {
  const loadStarted = performance.now();
  const items = await loadPracticeItems(database.db, ITEMS);
  const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
  const sample = await database.db.selectFrom('practice_item').select('id').where('status', '=', 'published').orderBy('reference').limit(200).execute();

  service = await startBenchService(bench);
  const base = service.base;

  // Warm up: templates compile, pools fill, the facet index is built.
  const firstPage = performance.now();
  await fetch(`${base}/practice`);
  const indexBuildMs = Math.round(performance.now() - firstPage);
  await runPhase(base, 3, () => `/practice?${filters(3)}`);
  // Popular searches are ones people have asked before: each is asked twice first (the library keeps
  // a search's page from its second asking), so the phase measures them as they are once popular.
  for (let asking = 0; asking < 2; asking++) await Promise.all(popularMix.map(async (path) => (await fetch(`${base}${path}`)).arrayBuffer()));

  const health = await runPhase(base, SECONDS, () => '/health');
  const home = await runPhase(base, SECONDS, () => '/practice');
  // Each request a new combination of one to three filters: almost never one searched before.
  const filtersOnly = await runPhase(base, SECONDS, () => `/practice?${filters(3)}`);
  const wordsPopular = await runPhase(base, SECONDS, cycle(popularMix));
  const wordsNew = await runPhase(base, SECONDS, () => `/practice?q=${words()}&${filters(1)}`);
  const api = await runPhase(base, SECONDS, () => `/api/v1/practice?${filters(3)}`);
  const item = await runPhase(base, SECONDS, cycle(sample.map((row) => `/practice/${row.id}`)));

  const ok = (phase: Phase) => (phase.statuses['200'] ?? 0) === phase.requests;
  const statusText = (phase: Phase) => Object.entries(phase.statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const ratio = (phase: Phase) => Math.round((phase.perSecond / health.perSecond) * 1000) / 1000;
  const phases: [string, Phase, string][] = [
    ['GET /health', health, '–'],
    ['GET /practice (library front page)', home, `< ${TARGET_MS}`],
    ['faceted search, new filters every request', filtersOnly, `< ${TARGET_MS}`],
    ['faceted search, 50 popular searches (words + filter)', wordsPopular, `< ${TARGET_MS}`],
    ['faceted search, new words + filter every request', wordsNew, '–'],
    ['GET /api/v1/practice, new filters every request', api, `< ${TARGET_MS}`],
    ['GET /practice/{id} (item page)', item, '–'],
  ];
  const lines = phases.map(([label, phase, target]) => [label, `${phase.p50}`, `${phase.p95}`, target, `${phase.perSecond}/s (${ratio(phase)} of health)`, statusText(phase)]);
  const headings = ['Measure', 'p50 ms', 'p95 ms', 'Target ms', 'Throughput', 'Status codes'];
  const widths = headings.map((heading, column) => Math.max(heading.length, ...lines.map((line) => line[column]!.length)));
  const row = (cells: readonly string[]) => cells.map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ');
  console.log(`Practice library at ${USERS} concurrent users: ${items.toLocaleString('en-GB')} published items (loaded in ${loadSeconds} s; facet index built on first search in ${indexBuildMs} ms), ${SECONDS} s a phase`);
  console.log(row(headings));
  for (const line of lines) console.log(row(line));
  const searches = [filtersOnly, wordsPopular, api];
  reportFigures('practice library search and pages at 20 concurrent users (20,000 published items, PostgreSQL)', {
    items,
    load_s: loadSeconds,
    index_build_ms: indexBuildMs,
    users: USERS,
    seconds_per_phase: SECONDS,
    health_per_s: health.perSecond,
    health_p50_ms: health.p50,
    health_p95_ms: health.p95,
    home_p50_ms: home.p50,
    home_p95_ms: home.p95,
    home_per_s: home.perSecond,
    home_ratio_to_health: ratio(home),
    filters_p50_ms: filtersOnly.p50,
    filters_p95_ms: filtersOnly.p95,
    filters_per_s: filtersOnly.perSecond,
    filters_ratio_to_health: ratio(filtersOnly),
    words_popular_p50_ms: wordsPopular.p50,
    words_popular_p95_ms: wordsPopular.p95,
    words_popular_per_s: wordsPopular.perSecond,
    words_new_p50_ms: wordsNew.p50,
    words_new_p95_ms: wordsNew.p95,
    words_new_per_s: wordsNew.perSecond,
    api_p50_ms: api.p50,
    api_p95_ms: api.p95,
    api_per_s: api.perSecond,
    item_p50_ms: item.p50,
    item_p95_ms: item.p95,
    all_ok: [health, home, filtersOnly, wordsPopular, wordsNew, api, item].every(ok),
    target_home_met: ok(home) && home.p95 < TARGET_MS,
    target_search_met: searches.every((phase) => ok(phase) && phase.p95 < TARGET_MS),
  });
} finally {
  service?.stop();
  await bench.close();
}
