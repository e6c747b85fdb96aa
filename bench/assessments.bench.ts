/**
 * Self-assessment benchmark (issue 14): on PostgreSQL, 150 authorities each with a signed-off
 * 2025/26 assessment of all six scopes (about 625 statements each, about 94,000 ratings), then at 20
 * concurrent users: the assessment page `GET /assessments/{id}` and the standing (heatmap) page
 * `GET /assessments/{id}/standing`, p95 under 100 ms, with `/health` in the same run for a ratio; the
 * API's `GET /api/v1/assessments/{id}`; saving one rating `PUT /api/v1/assessments/{id}/ratings/{statementId}`
 * (each user saving on top of the version it last read), p95 under 50 ms; and the peer distribution
 * of every statement of each template (England, and one region), under 200 ms. `npm run bench -- assessments`.
 *
 * The service runs in its own process (bench/assessment-service.ts) on a fresh database from
 * BENCH_DATABASE_URL (default the CI server); this process loads the data and sends requests. Each
 * virtual user sends a request, waits for the whole answer, then sends the next (a closed loop), over
 * keep-alive connections; every latency is kept, so percentiles are exact. A page not registered on
 * this build answers 404: its status codes are reported and it does not count as meeting the target.
 * BENCH_ASSESSMENT_SECONDS sets how long each phase runs (default 15).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Agent } from 'undici';
import { request } from 'undici';
import { allLocalAuthorities } from '../src/areas/areas.js';
import { peerDistributions } from '../src/assessment/peers.js';
import { statementsInScope } from '../src/assessment/scope.js';
import { createAssessment, readAssessment } from '../src/assessment/store.js';
import type { AssessmentScope } from '../src/assessment/tables.js';
import { createAccessToken } from '../src/auth/access-tokens.js';
import { sessionCookieName } from '../src/auth/gate.js';
import { membershipsOf } from '../src/auth/sessions.js';
import type { Schema } from '../src/db/schema.js';
import { demoRatingRow, generateDemoRatings } from '../src/demo/demo-assessments.js';
import { loadCatalogue } from '../src/framework/catalogue.js';
import { seedStatements } from '../src/framework/revisions.js';
import { createRandom } from '../src/stats/random.js';
import { newSignedInUser } from '../test/support/accounts.js';
import type { LoadPhase } from './load.js';
import { closedLoop, getting } from './load.js';
import { reportFigures, timeMs } from './report.js';
import type { BenchService } from './service.js';
import { openBenchDatabase, startBenchService } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_ASSESSMENT_SECONDS ?? 15);
const AUTHORITIES = 150;
const BENCH_LA = 'E08000035';
const scopes: readonly AssessmentScope[] = ['threads', 'T1', 'T2', 'T3', 'T4', 'T5'];

type Phase = LoadPhase;

/** USERS closed-loop users for `seconds`, each calling `send` (which answers the status code); latencies in milliseconds. */
function runPhase(seconds: number, send: (dispatcher: Agent, user: number) => Promise<number>): Promise<Phase> {
  return closedLoop(USERS, seconds, send);
}

/**
 * Every authority's signed-off 2025/26 assessment of each scope, written in bulk: the wording is
 * inserted once per scope and copied to the other authorities in SQL; ratings are generated as the
 * demo's are (each authority its strength, each statement its difficulty).
 */
async function loadAssessments(db: Kysely<Schema>): Promise<{ laCodes: string[]; statements: number; ratings: number }> {
  const catalogue = loadCatalogue();
  const statements = seedStatements(catalogue);
  const leedsFirst = [BENCH_LA, ...allLocalAuthorities().map((la) => la.gss).filter((code) => code !== BENCH_LA)].slice(0, AUTHORITIES);
  const organisations = new Map(
    (await db.selectFrom('organisation').select(['id', 'la_code']).where('kind', '=', 'local-authority').where('area_code', 'in', leedsFirst).execute()).map((row) => [row.la_code!, row.id]),
  );
  const laCodes = leedsFirst.filter((code) => organisations.has(code));
  const strength = createRandom(150);
  let ratingCount = 0;
  for (const scope of scopes) {
    const scoped = statementsInScope(statements, scope);
    const ids = new Map<string, string>();
    const rows = laCodes.map((laCode) => ({
      la_code: laCode,
      organisation_id: organisations.get(laCode)!,
      scope,
      period: '2025/26',
      catalogue_version: catalogue.version,
      catalogue_revision: 0,
      status: 'signed-off' as const,
      previous_id: null,
      owner_user_id: null,
      owner_label: 'Benchmark',
      submitted_at: new Date('2026-06-19T09:00:00Z'),
      submitted_by_label: 'Benchmark',
      signed_off_at: new Date('2026-07-02T09:00:00Z'),
      signed_off_by_label: 'Benchmark director',
    }));
    for (const row of await db.insertInto('assessment').values(rows).returning(['id', 'la_code']).execute()) ids.set(row.la_code, row.id);
    const first = ids.get(laCodes[0]!)!;
    await db
      .insertInto('assessment_statement')
      .values(scoped.map((statement, position) => ({ la_code: laCodes[0]!, assessment_id: first, statement_id: statement.id, position, kind: statement.kind, template: statement.template, layer: statement.layer, tier: statement.tier, thread: statement.thread, parent_id: statement.parentId, text: statement.text })))
      .execute();
    // The same wording for every other authority's assessment of the scope, copied in one statement.
    await sql`
      insert into assessment_statement (la_code, assessment_id, statement_id, position, kind, template, layer, tier, thread, parent_id, text)
      select a.la_code, a.id, s.statement_id, s.position, s.kind, s.template, s.layer, s.tier, s.thread, s.parent_id, s.text
      from assessment a cross join assessment_statement s
      where a.scope = ${scope} and a.id <> ${first}::uuid and s.la_code = ${laCodes[0]!} and s.assessment_id = ${first}::uuid`.execute(db);
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length > 0) await db.insertInto('assessment_rating').values(batch as never).execute();
      batch = [];
    };
    for (const [index, laCode] of laCodes.entries()) {
      const ratings = generateDemoRatings(scoped, { seed: index * 10 + scopes.indexOf(scope), strength: strength.normal() * 0.4, slug: laCode.toLowerCase(), from: '2025-09-15' });
      for (const rating of ratings) {
        batch.push(demoRatingRow(laCode, ids.get(laCode)!, rating));
        if (batch.length === 2000) await flush();
      }
      ratingCount += ratings.length;
    }
    await flush();
  }
  await sql`analyze`.execute(db);
  const statementCount = await db.selectFrom('assessment_statement').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { laCodes, statements: Number(statementCount.n), ratings: ratingCount };
}

const bench = await openBenchDatabase('assessments');
const database = bench.database;
let service: BenchService | undefined;
try {
  const loadStarted = performance.now();
  const loaded = await loadAssessments(database.db);
  const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;

  const authority = await database.db.selectFrom('organisation').select('id').where('la_code', '=', BENCH_LA).where('kind', '=', 'local-authority').executeTakeFirstOrThrow();
  const leader = await newSignedInUser(database.db, { email: 'bench-leader@example.org', role: 'leader', organisationId: authority.id });
  const token = await createAccessToken(
    database.db,
    { userId: leader.userId, email: 'bench-leader@example.org', memberships: await membershipsOf(database.db, leader.userId) },
    { name: 'benchmark', days: 30, scopes: ['assessments:read', 'assessments:write'] },
    '127.0.0.1',
  );
  const signedOff = await database.db.selectFrom('assessment').select('id').where('la_code', '=', BENCH_LA).where('scope', '=', 'T1').executeTakeFirstOrThrow();
  // An assessment in progress to save ratings into: 2026/27 of template 1, carried forward from 2025/26.
  const catalogue = loadCatalogue();
  const open = await createAssessment(
    database.db,
    { laCode: BENCH_LA, organisationId: authority.id, scope: 'T1', period: '2026/27', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: statementsInScope(seedStatements(catalogue), 'T1') },
    { userId: leader.userId, label: 'Benchmark' },
  );
  const versions = new Map((await readAssessment(database.db, open))!.ratings.map((rating) => [rating.statementId, rating.version]));
  const statementIds = [...versions.keys()];

  service = await startBenchService(bench);
  const base = service.base;

  const cookie = { cookie: `${sessionCookieName(false)}=${leader.sessionToken}` };
  const bearer = { authorization: `Bearer ${token}` };
  // Warm up: templates compile, pools fill.
  await runPhase(2, getting(base, `/assessments/${signedOff.id}`, cookie));
  await runPhase(2, getting(base, `/api/v1/assessments/${signedOff.id}`, bearer));
  const health = await runPhase(SECONDS, getting(base, '/health', {}));
  const page = await runPhase(SECONDS, getting(base, `/assessments/${signedOff.id}`, cookie));
  const standing = await runPhase(SECONDS, getting(base, `/assessments/${signedOff.id}/standing`, cookie));
  const apiRead = await runPhase(SECONDS, getting(base, `/api/v1/assessments/${signedOff.id}`, bearer));
  // Each user saves its own statements in turn, always naming the version it last read.
  const turns = new Array<number>(USERS).fill(0);
  const levels = createRandom(20);
  const save = await runPhase(SECONDS, async (dispatcher, user) => {
    const mine = statementIds.filter((_, index) => index % USERS === user);
    const turn = turns[user] ?? 0;
    turns[user] = turn + 1;
    const statementId = mine[turn % mine.length]!;
    const response = await request(`${base}/api/v1/assessments/${open}/ratings/${statementId}`, {
      dispatcher,
      method: 'PUT',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ version: versions.get(statementId), level: 1 + Math.floor(levels.uniform() * 4), note: 'Benchmark save', confidence: 'medium' }),
    });
    const body = (await response.body.json()) as { version?: number; current?: { version: number } };
    const version = body.version ?? body.current?.version;
    if (version !== undefined) versions.set(statementId, version);
    return response.statusCode;
  });

  // One query gives a statement's distribution for England and for the authority's region.
  const peerTimes: Record<string, number> = {};
  for (const scope of scopes) {
    await peerDistributions(database.db, scope, BENCH_LA);
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) runs.push(await timeMs(() => peerDistributions(database.db, scope, BENCH_LA)));
    runs.sort((a, b) => a - b);
    peerTimes[scope] = Math.round(runs[2]! * 10) / 10;
  }
  const slowestPeers = Math.max(...Object.values(peerTimes));

  const ok = (phase: Phase) => (phase.statuses['200'] ?? 0) === phase.requests;
  const statusText = (phase: Phase) => Object.entries(phase.statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const lines: [string, string, string, string, string][] = [
    ['GET /health', `${health.p95}`, '–', `${health.perSecond}/s`, statusText(health)],
    ['GET /assessments/{id}', `${page.p95}`, '< 100', `${page.perSecond}/s (${Math.round((page.perSecond / health.perSecond) * 1000) / 1000} of health)`, statusText(page)],
    ['GET /assessments/{id}/standing', `${standing.p95}`, '< 100', `${standing.perSecond}/s (${Math.round((standing.perSecond / health.perSecond) * 1000) / 1000} of health)`, statusText(standing)],
    ['GET /api/v1/assessments/{id}', `${apiRead.p95}`, '–', `${apiRead.perSecond}/s`, statusText(apiRead)],
    ['PUT /api/v1/.../ratings/{statementId}', `${save.p95}`, '< 50', `${save.perSecond}/s`, statusText(save)],
    ['peer distributions (England and region), slowest scope', `${slowestPeers}`, '< 200', 'median of 5', ''],
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...lines.map((line) => line[column]!.length), ['Measure', 'p95 ms', 'Target ms', 'Throughput'][column]!.length));
  const row = (cells: readonly string[]) => cells.map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell)).join('  ');
  console.log(`Assessments at ${USERS} concurrent users: ${loaded.laCodes.length} authorities, ${loaded.statements.toLocaleString('en-GB')} statements, ${loaded.ratings.toLocaleString('en-GB')} ratings (loaded in ${loadSeconds} s), ${SECONDS} s a phase`);
  console.log(row(['Measure', 'p95 ms', 'Target ms', 'Throughput', 'Status codes']));
  for (const line of lines) console.log(row(line));
  reportFigures('self-assessment pages, saves and peer distributions at 20 concurrent users (150 authorities, PostgreSQL)', {
    authorities: loaded.laCodes.length,
    statements: loaded.statements,
    ratings: loaded.ratings,
    load_s: loadSeconds,
    users: USERS,
    seconds_per_phase: SECONDS,
    health_per_s: health.perSecond,
    health_p95_ms: health.p95,
    page_p95_ms: page.p95,
    page_per_s: page.perSecond,
    page_ok: ok(page),
    page_statuses: statusText(page),
    standing_p95_ms: standing.p95,
    standing_per_s: standing.perSecond,
    standing_ok: ok(standing),
    standing_statuses: statusText(standing),
    api_read_p95_ms: apiRead.p95,
    api_read_ok: ok(apiRead),
    save_p95_ms: save.p95,
    save_p50_ms: save.p50,
    save_per_s: save.perSecond,
    save_statuses: statusText(save),
    ...Object.fromEntries(Object.entries(peerTimes).map(([key, value]) => [`peers_${key}_ms`, value])),
    peers_slowest_ms: slowestPeers,
    target_pages_met: ok(page) && ok(standing) && page.p95 < 100 && standing.p95 < 100,
    target_save_met: (save.statuses['200'] ?? 0) === save.requests && save.p95 < 50,
    target_peers_met: slowestPeers < 200,
  });
} finally {
  service?.stop();
  await bench.close();
}
