/**
 * The directory benchmark: on PostgreSQL, BENCH_DIRECTORY_SERVICES services (default 10,000) for
 * one authority, imported as one Open Referral UK file (target under 10 s), then at 20 concurrent
 * users in a closed loop from a process of their own (bench/load.ts), with `/health` in the same run:
 * - `GET /directory` searching words and a strand within 2 miles of a postcode (target p95 < 50 ms);
 * - `GET /directory` before any search: every service, by name, a page at a time;
 * - `GET /api/openreferral/v3/services?text=…` (the read API's search).
 * `npm run bench -- directory`. BENCH_DIRECTORY_SECONDS sets each phase's length (default 10).
 */
import { sql } from 'kysely';
import { coreOfferStrandIds } from '../src/directory/core-offer.js';
import { importOpenReferral } from '../src/directory/open-referral.js';
import { recordFromInput } from '../src/directory/record-input.js';
import { stableUuid } from '../src/directory/taxonomies.js';
import type { LoadPhase } from './load.js';
import { runLoadApart } from './load.js';
import { reportFigures, timeMs } from './report.js';
import type { BenchService } from './service.js';
import { openBenchDatabase, startBenchService } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_DIRECTORY_SECONDS ?? 10);
const SERVICES = Number(process.env.BENCH_DIRECTORY_SERVICES ?? 10_000);
const LEEDS = 'E08000035';
const round1 = (value: number) => Math.round(value * 10) / 10;

const bench = await openBenchDatabase('directory');
const database = bench.database;
let service: BenchService | undefined;
try {
  const db = database.db;
  const districts = Array.from({ length: 29 }, (_, index) => `LS${index + 1}`);
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  const postcodeOf = (n: number) => `${districts[n % districts.length]!} ${(n % 9) + 1}${letters[n % 20]}${letters[Math.floor(n / 20) % 20]}`;
  // A postcode per service, around Leeds (about 20 km across).
  const postcodes = new Map<string, { postcode: string; latitude: number; longitude: number }>();
  for (let n = 0; n < SERVICES; n += 1) postcodes.set(postcodeOf(n), { postcode: postcodeOf(n), latitude: 53.72 + ((n * 7919) % 2000) / 10_000, longitude: -1.75 + ((n * 104_729) % 4000) / 10_000 });
  postcodes.set('LS9 8AB', { postcode: 'LS9 8AB', latitude: 53.805, longitude: -1.505 });
  const rows = [...postcodes.values()];
  for (let start = 0; start < rows.length; start += 2000) await db.insertInto('directory_postcode').values(rows.slice(start, start + 2000)).onConflict((conflict) => conflict.column('postcode').doNothing()).execute();
  const words = ['stay and play', 'homework club', 'football', 'music', 'parenting course', 'speech therapy', 'youth club', 'adult learning', 'breakfast club', 'family support'];
  const records = Array.from({ length: SERVICES }, (_, n) =>
    recordFromInput(
      {
        id: stableUuid(`bench-service/${n}`),
        name: `${words[n % words.length]!.replace(/^./, (c) => c.toUpperCase())} ${n}`,
        description: `A fictional ${words[(n * 3) % words.length]!} for families, number ${n}, with sessions for children and parents.`,
        status: 'active',
        organisationName: `Bench Organisation ${n % 400}`,
        strands: [coreOfferStrandIds[n % 5]!],
        groups: n % 4 === 0 ? ['young-carers'] : [],
        tier: 'universal',
        statements: [],
        referralRoutes: ['drop-in'],
        minimumAge: n % 3 === 0 ? 0 : 5,
        maximumAge: n % 3 === 0 ? 11 : 16,
        cost: 'Free',
        openingTimes: 'Weekdays, 9am to 5pm',
        phone: '0113 496 0000',
        email: 'bench@example.org',
        website: 'https://example.org',
        locations: [{ name: `Centre ${n}`, address: `${n} Bench Road, Leeds`, postcode: postcodeOf(n) }],
        authorityWide: false,
      },
      LEEDS,
    ),
  );
  const file = JSON.stringify(records);
  let imported = { added: 0 };
  const importMs = await timeMs(async () => {
    const result = await importOpenReferral(db, LEEDS, file, 'the benchmark');
    if (!result.ok) throw new Error(result.problems.slice(0, 3).join('\n'));
    imported = result;
  });
  await sql`analyze`.execute(db);

  service = await startBenchService(bench);
  const base = service.base;
  const phase = (path: string, seconds = SECONDS): Promise<LoadPhase> => runLoadApart({ base, path, headers: {}, users: USERS, seconds });
  const pagePath = '/directory?q=club&strand=varied-activities&age=8&postcode=LS9+8AB&miles=2';
  const apiPath = '/api/openreferral/v3/services?text=football&per_page=50';
  for (const path of [pagePath, '/directory', apiPath]) await phase(path, 2);
  const health = await phase('/health');
  const page = await phase(pagePath);
  const landing = await phase('/directory');
  const api = await phase(apiPath);
  service.stop();
  service = undefined;

  const statusText = (statuses: Record<string, number>) => Object.entries(statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const ratio = (answer: LoadPhase) => Math.round((answer.perSecond / health.perSecond) * 1000) / 1000;
  const line = (label: string, answer: LoadPhase) => `  ${label}: p50 ${answer.p50} ms, p95 ${answer.p95} ms (target < 50 ms), ${answer.perSecond}/s (${ratio(answer)} of health) ${statusText(answer.statuses)}`;
  console.log(`The directory on PostgreSQL: ${SERVICES.toLocaleString('en-GB')} services imported from one Open Referral UK file (${round1(file.length / 1_048_576)} MB) in ${round1(importMs / 1000)} s (target < 10 s).`);
  console.log(`  /health: p50 ${health.p50} ms, p95 ${health.p95} ms, ${health.perSecond}/s ${statusText(health.statuses)}`);
  console.log(line('GET /directory (words, strand, age, within 2 miles of LS9 8AB)', page));
  console.log(line('GET /directory (no search yet: every service, by name)', landing));
  console.log(line('GET /api/openreferral/v3/services?text=football', api));
  const ok = (answer: LoadPhase) => answer.p95 < 50 && (answer.statuses['200'] ?? 0) === answer.requests;
  reportFigures('directory', {
    services: SERVICES,
    added: imported.added,
    import_s: round1(importMs / 1000),
    health_p95_ms: health.p95,
    health_per_second: health.perSecond,
    search_page_p95_ms: page.p95,
    search_page_ratio: ratio(page),
    landing_page_p95_ms: landing.p95,
    landing_page_ratio: ratio(landing),
    oruk_search_p95_ms: api.p95,
    oruk_search_ratio: ratio(api),
    met: ok(page) && ok(landing) && ok(api) && importMs < 10_000,
  });
} finally {
  service?.stop();
  await bench.close();
}
