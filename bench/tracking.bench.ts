/**
 * Every child seen benchmark (issue 17): on PostgreSQL, an authority with the demo generator's
 * children, BENCH_TRACKING_CHILDREN a year (default 200,000) for five years: 1,000,000 child-year
 * rows, loaded through the import an analyst uses. Then:
 * - the authority's unseen-children summary (`unseenCounts`, every list by group and setting, the
 *   latest year): median and slowest of 5, target under 500 ms;
 * - progress labels recomputed after a load (`computePairProgress` for every pair): for the latest
 *   year's cohort, and for every year, target under 10 s;
 * - a setting's work list, `GET /children/unseen` as the setting's leader, at 20 concurrent users in
 *   a closed loop from a process of their own (bench/load.ts), p95 target under 100 ms, with
 *   `/health` in the same run for a ratio; and the same list through the API for information.
 * `npm run bench -- tracking`. BENCH_TRACKING_SECONDS sets each phase's length (default 10).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { sql } from 'kysely';
import { demoAuthorityCode, registerDemoSettings } from '../src/auth/demo.js';
import { sessionCookieName } from '../src/auth/gate.js';
import { demoHeader, demoSettingsOf, generateChildRows } from '../src/demo/generate-children.js';
import { demoAuthorities, demoOptionsFor } from '../src/demo/load-demo.js';
import { importChildFile } from '../src/ingest/child-import.js';
import { progressPairs } from '../src/tracking/progress-pairs.js';
import { computePairProgress } from '../src/tracking/progress-sql.js';
import { defaultTrackingRules } from '../src/tracking/rules.js';
import { latestYear, unseenCounts } from '../src/tracking/unseen.js';
import { newOrganisation, newSignedInUser } from '../test/support/accounts.js';
import type { LoadPhase } from './load.js';
import { runLoadApart } from './load.js';
import { reportFigures, timeMs } from './report.js';
import type { BenchService } from './service.js';
import { openBenchDatabase, startBenchService } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_TRACKING_SECONDS ?? 10);
const CHILDREN = Number(process.env.BENCH_TRACKING_CHILDREN ?? 200_000);
const LA = demoAuthorityCode;
const RUNS = 5;
const round1 = (value: number) => Math.round(value * 10) / 10;

async function repeated(work: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await timeMs(work));
  runs.sort((a, b) => a - b);
  return { median: round1(runs[Math.floor(runs.length / 2)]!), max: round1(runs.at(-1)!) };
}

const bench = await openBenchDatabase('tracking');
const database = bench.database;
let service: BenchService | undefined;
try {
  const db = database.db;
  const options = demoOptionsFor(demoAuthorities[0]!, CHILDREN);
  await registerDemoSettings(db, demoSettingsOf(options));
  const path = join(bench.dataDir, 'bench-children.csv');
  const out = createWriteStream(path);
  out.write(`${demoHeader().join(',')}\n`);
  for (const row of generateChildRows(options)) if (!out.write(`${row.join(',')}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  let rows = 0;
  const loadMs = await timeMs(async () => {
    const loaded = await importChildFile(
      { path, fileName: 'bench-children.csv', laCode: LA, acceptValid: false, actor: { userId: null, organisationId: null, label: 'benchmark' } },
      { database, dataDir: bench.dataDir, pseudonymKey: 'benchmark-only-pseudonym-key-0123456789' },
    );
    if (loaded.outcome !== 'loaded') throw new Error(`the benchmark's children did not load: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
    rows = loaded.rowsLoaded;
  });
  await sql`analyze`.execute(db);
  const year = (await latestYear(db, LA))!;
  const years = (await db.selectFrom('child_year_batch').select('academic_year').where('la_code', '=', LA).execute()).map((row) => row.academic_year);

  const scope = { laCode: LA, year, minGroups: 1, rules: defaultTrackingRules };
  await unseenCounts(db, scope);
  const summary = await repeated(() => unseenCounts(db, scope));

  const progressLatest = await repeated(() => database.bulkTransaction(async (session) => {
    for (const pair of progressPairs) await computePairProgress(session, LA, pair, [year]);
  }));
  const progressAllMs = round1(await timeMs(() => database.bulkTransaction(async (session) => {
    for (const pair of progressPairs) await computePairProgress(session, LA, pair, years);
  })));
  const cohort = await db.selectFrom('child_progress').select((eb) => eb.fn.countAll<string>().as('n')).where('la_code', '=', LA).where('academic_year', '=', year).executeTakeFirstOrThrow();

  // The setting with the most children on its lists: the work list a head teacher opens.
  const busiest = await sql<{ setting_urn: number; listed: string }>`
    select r.setting_urn, count(*)::text as listed from child_record r
      join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
     where r.la_code = ${LA} and r.academic_year = ${year} and r.setting_urn is not null and r.trusted_adult is not true
     group by 1 order by 2 desc limit 1`.execute(db);
  const urn = busiest.rows[0]!.setting_urn;
  const school = await newOrganisation(db, { kind: 'setting', name: 'Benchmark School', laCode: LA, urn: String(urn) }).catch(async () => (await db.selectFrom('organisation').select('id').where('urn', '=', String(urn)).executeTakeFirstOrThrow()).id);
  const head = await newSignedInUser(db, { email: 'bench-head@example.org', role: 'setting-leader', organisationId: school });
  const settingList = await unseenCounts(db, { ...scope, settingUrns: [urn] });

  service = await startBenchService(bench);
  const base = service.base;
  const cookie = { cookie: `${sessionCookieName(false)}=${head.sessionToken}` };
  const phase = (path: string, headers: Record<string, string>, seconds = SECONDS): Promise<LoadPhase> => runLoadApart({ base, path, headers, users: USERS, seconds });
  for (const warm of ['/children/unseen', '/api/v1/children/unseen']) await phase(warm, cookie, 2);
  const health = await phase('/health', {});
  const page = await phase('/children/unseen', cookie);
  const api = await phase('/api/v1/children/unseen', cookie);

  const statusText = (statuses: Record<string, number>) => Object.entries(statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const ratio = (answer: LoadPhase) => Math.round((answer.perSecond / health.perSecond) * 1000) / 1000;
  const listed = settingList.reduce((sum, list) => sum + list.total.recorded + list.total.notRecorded, 0);
  console.log(`Every child seen on PostgreSQL: ${rows.toLocaleString('en-GB')} child-year rows (${CHILDREN.toLocaleString('en-GB')} a year, ${years.length} years), loaded with their derived indicators in ${round1(loadMs / 1000)} s.`);
  console.log(`  Unseen-children summary, whole authority, ${year}: median ${summary.median} ms, slowest ${summary.max} ms (target < 500 ms)`);
  console.log(`  Progress labels recomputed, the ${year} cohort (${Number(cohort.n).toLocaleString('en-GB')} pupil readings): median ${progressLatest.median} ms, slowest ${progressLatest.max} ms (target < 10,000 ms)`);
  console.log(`  Progress labels recomputed, every year: ${progressAllMs} ms`);
  console.log(`  /health: p50 ${health.p50} ms, p95 ${health.p95} ms, ${health.perSecond}/s ${statusText(health.statuses)}`);
  console.log(`  Setting work list GET /children/unseen (${listed} listings): p50 ${page.p50} ms, p95 ${page.p95} ms (target < 100 ms), ${page.perSecond}/s (${ratio(page)} of health) ${statusText(page.statuses)}`);
  console.log(`  Same through GET /api/v1/children/unseen: p50 ${api.p50} ms, p95 ${api.p95} ms, ${api.perSecond}/s (${ratio(api)} of health) ${statusText(api.statuses)}`);
  reportFigures('tracking', {
    rows,
    load_s: round1(loadMs / 1000),
    summary_median_ms: summary.median,
    summary_max_ms: summary.max,
    progress_latest_median_ms: progressLatest.median,
    progress_all_years_ms: progressAllMs,
    health_per_second: health.perSecond,
    work_list_p95_ms: page.p95,
    work_list_per_second: page.perSecond,
    work_list_ratio: ratio(page),
    api_p95_ms: api.p95,
    met: summary.max < 500 && progressLatest.max < 10_000 && page.p95 < 100 && (page.statuses['200'] ?? 0) === page.requests,
  });
} finally {
  service?.stop();
  await bench.close();
}
