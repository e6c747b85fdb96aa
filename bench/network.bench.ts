/**
 * The network benchmark (issue 18): on PostgreSQL, every current authority (about 150) with its
 * council's members, BENCH_NETWORK_GROUPS groups (default 500) and BENCH_NETWORK_POSTS posts
 * (default 100,000) in their discussions, and BENCH_NETWORK_MEMBERS people (default 10,000) in
 * groups with notices waiting. Then, at 20 concurrent users in a closed loop from a process of their
 * own (bench/load.ts), with `/health` in the same run for a ratio:
 * - a busy group's page, as one of its members (target p95 under 100 ms);
 * - a region's dashboard, as its adviser (target p95 under 100 ms);
 * - a network search, as a member (target p95 under 100 ms);
 * and the weekly digest for every member with notices, written to the mail outbox (target under 60 s).
 * `npm run bench -- network`. BENCH_NETWORK_SECONDS sets each phase's length (default 10).
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { allLocalAuthorities } from '../src/areas/areas.js';
import { sessionCookieName } from '../src/auth/gate.js';
import { outboxMailer } from '../src/auth/mail.js';
import { sendDigests } from '../src/network/digest.js';
import { newOrganisation, newSignedInUser } from '../test/support/accounts.js';
import type { LoadPhase } from './load.js';
import { runLoadApart } from './load.js';
import { reportFigures, timeMs } from './report.js';
import type { BenchService } from './service.js';
import { openBenchDatabase, startBenchService } from './service.js';

const USERS = 20;
const SECONDS = Number(process.env.BENCH_NETWORK_SECONDS ?? 10);
const GROUPS = Number(process.env.BENCH_NETWORK_GROUPS ?? 500);
const POSTS = Number(process.env.BENCH_NETWORK_POSTS ?? 100_000);
const MEMBERS = Number(process.env.BENCH_NETWORK_MEMBERS ?? 10_000);
const REGION = 'E12000003';
const round1 = (value: number) => Math.round(value * 10) / 10;

const bench = await openBenchDatabase('network');
const database = bench.database;
let service: BenchService | undefined;
try {
  const db = database.db;
  const authorities = allLocalAuthorities().map((la) => la.gss);

  const buildMs = await timeMs(async () => {
    // People: MEMBERS accounts spread over the councils, each a member of three groups.
    await sql`
      insert into user_account (email, display_name, status)
      select 'member' || n || '@bench.invalid', 'Member ' || n, 'active' from generate_series(1, ${MEMBERS}::int) as n`.execute(db);
    await sql`
      insert into membership (user_id, organisation_id, role)
      select u.id, o.id, 'analyst'
        from (select id, row_number() over (order by email) as n from user_account where email like '%@bench.invalid') u
        join (select id, row_number() over (order by area_code) - 1 as k, count(*) over () as total from organisation where kind = 'local-authority') o on o.k = u.n % o.total`.execute(db);
    const themes = ['THEME-1', 'THEME-2', 'THEME-3', 'THEME-4', 'THEME-5'];
    await sql`
      insert into network_group (name, purpose, visibility, theme, threads, created_at, last_activity_at)
      select 'Bench group ' || n, 'A community about attendance, transitions and early years, number ' || n,
             (array['open', 'open', 'restricted', 'hidden'])[1 + n % 4], (${themes}::text[])[1 + n % 5], array['GT0' || (1 + n % 9)], now(), now() - (n || ' minutes')::interval
        from generate_series(1, ${GROUPS}::int) as n`.execute(db);
    await sql`
      insert into network_membership (group_id, user_id, role, state)
      select g.id, u.id, 'member', 'member'
        from (select id, row_number() over (order by email) as n from user_account where email like '%@bench.invalid') u
        join (select id, row_number() over (order by name) - 1 as k from network_group) g on g.k in (u.n % ${GROUPS}::int, (u.n * 7) % ${GROUPS}::int, (u.n * 13) % ${GROUPS}::int)
      on conflict do nothing`.execute(db);
    await sql`insert into network_watch (user_id, group_id) select user_id, group_id from network_membership`.execute(db);
    const discussionsPerGroup = 10;
    await sql`
      insert into network_discussion (group_id, title, started_at, last_post_at, posts)
      select g.id, 'Discussion ' || d || ' of ' || g.name, now() - interval '30 days', now() - (d || ' hours')::interval, 0
        from network_group g cross join generate_series(1, ${discussionsPerGroup}::int) as d`.execute(db);
    const perDiscussion = Math.floor(POSTS / (GROUPS * discussionsPerGroup));
    const words = ['attendance', 'transition', 'handover', 'parents', 'outreach', 'phonics', 'exclusion', 'children in care', 'trusted adult', 'early help', 'virtual school', 'two-year-olds'];
    await sql`
      insert into network_post (discussion_id, group_id, author_id, author_label, body, posted_at, changed_at, search_vector)
      select d.id, d.group_id, null, 'Member ' || p, body, now() - ((p % 720) || ' hours')::interval, now() - ((p % 720) || ' hours')::interval, to_tsvector('english', body)
        from (select id, group_id, row_number() over (order by id) - 1 as k from network_discussion) d
        join lateral (
          select p, 'Post ' || p || ' about ' || (${words}::text[])[1 + p % 12] || ' and ' || (${words}::text[])[1 + (p / 12) % 12] || '. What has worked for you? We tried a new approach this term and would like to compare notes.' as body
            from generate_series(d.k * ${perDiscussion}::int + 1, (d.k + 1) * ${perDiscussion}::int) as p) posts on true`.execute(db);
    await sql`update network_discussion d set posts = (select count(*) from network_post p where p.discussion_id = d.id)`.execute(db);
    // Notices waiting for the digest: the five latest posts of each member's first group.
    await sql`
      insert into network_notification (user_id, group_id, discussion_id, post_id, kind, summary)
      select m.user_id, m.group_id, p.discussion_id, p.id, 'reply', 'Someone replied in a discussion'
        from (select distinct on (user_id) user_id, group_id from network_membership order by user_id, group_id) m
        join lateral (select id, discussion_id from network_post where group_id = m.group_id order by posted_at desc limit 5) p on true`.execute(db);
    await sql`analyze`.execute(db);
  });

  const posts = Number((await sql<{ n: string }>`select count(*)::text as n from network_post`.execute(db)).rows[0]!.n);
  const notices = Number((await sql<{ n: string }>`select count(*)::text as n from network_notification`.execute(db)).rows[0]!.n);
  const busiest = (await sql<{ group_id: string; user_id: string }>`
    select m.group_id, m.user_id from network_membership m join network_group g on g.id = m.group_id
     where g.visibility = 'restricted' order by (select count(*) from network_membership x where x.group_id = m.group_id) desc, m.user_id limit 1`.execute(db)).rows[0]!;
  const memberEmail = (await db.selectFrom('user_account').select('email').where('id', '=', busiest.user_id).executeTakeFirstOrThrow()).email;
  const member = await db.selectFrom('user_account').select('id').where('email', '=', memberEmail).executeTakeFirstOrThrow();
  const memberSession = (await newSignedInUser(db, { email: 'bench-reader@example.org', role: 'analyst', organisationId: (await db.selectFrom('membership').select('organisation_id').where('user_id', '=', member.id).executeTakeFirstOrThrow()).organisation_id })).sessionToken;
  const reader = await db.selectFrom('user_account').select('id').where('email', '=', 'bench-reader@example.org').executeTakeFirstOrThrow();
  await db.insertInto('network_membership').values({ group_id: busiest.group_id, user_id: reader.id, state: 'member' }).execute();
  const region = await newOrganisation(db, { kind: 'region', name: 'Yorkshire and The Humber', areaCode: REGION });
  const adviserSession = (await newSignedInUser(db, { email: 'bench-adviser@example.org', role: 'regional-adviser', organisationId: region })).sessionToken;

  service = await startBenchService(bench);
  const base = service.base;
  const cookie = (token: string) => ({ cookie: `${sessionCookieName(false)}=${token}` });
  const phase = (path: string, headers: Record<string, string>, seconds = SECONDS): Promise<LoadPhase> => runLoadApart({ base, path, headers, users: USERS, seconds });
  const groupPath = `/network/groups/${busiest.group_id}`;
  const dashboardPath = `/network/regions/${REGION}/dashboard`;
  const searchPath = '/network/search?q=trusted%20adult%20handover';
  for (const [path, token] of [[groupPath, memberSession], [dashboardPath, adviserSession], [searchPath, memberSession]] as const) await phase(path, cookie(token), 2);
  const health = await phase('/health', {});
  const group = await phase(groupPath, cookie(memberSession));
  const dashboard = await phase(dashboardPath, cookie(adviserSession));
  const search = await phase(searchPath, cookie(memberSession));
  service.stop();
  service = undefined;

  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger;
  let digest = { people: 0, notices: 0, failed: 0 };
  const digestMs = await timeMs(async () => {
    digest = await sendDigests(db, outboxMailer(db, logger), { baseUrl: 'https://ntg.example.org' });
  });

  const statusText = (statuses: Record<string, number>) => Object.entries(statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const ratio = (answer: LoadPhase) => Math.round((answer.perSecond / health.perSecond) * 1000) / 1000;
  const line = (label: string, answer: LoadPhase) => `  ${label}: p50 ${answer.p50} ms, p95 ${answer.p95} ms (target < 100 ms), ${answer.perSecond}/s (${ratio(answer)} of health) ${statusText(answer.statuses)}`;
  console.log(`The network on PostgreSQL: ${authorities.length} authorities, ${GROUPS} groups, ${posts.toLocaleString('en-GB')} posts, ${MEMBERS.toLocaleString('en-GB')} members, ${notices.toLocaleString('en-GB')} notices waiting; built in ${round1(buildMs / 1000)} s.`);
  console.log(`  /health: p50 ${health.p50} ms, p95 ${health.p95} ms, ${health.perSecond}/s ${statusText(health.statuses)}`);
  console.log(line(`A group's page (${GROUPS > 0 ? 'the busiest restricted group' : ''})`, group));
  console.log(line('A region’s dashboard (Yorkshire and The Humber, as its adviser)', dashboard));
  console.log(line('Network search ("trusted adult handover")', search));
  console.log(`  Weekly digest: ${digest.people.toLocaleString('en-GB')} emails (${digest.notices.toLocaleString('en-GB')} notices) written to the outbox in ${round1(digestMs / 1000)} s (target < 60 s)`);
  const ok = (answer: LoadPhase) => answer.p95 < 100 && (answer.statuses['200'] ?? 0) === answer.requests;
  reportFigures('network', {
    authorities: authorities.length,
    groups: GROUPS,
    posts,
    members: MEMBERS,
    health_per_second: health.perSecond,
    group_page_p95_ms: group.p95,
    group_page_ratio: ratio(group),
    dashboard_p95_ms: dashboard.p95,
    dashboard_ratio: ratio(dashboard),
    search_p95_ms: search.p95,
    search_ratio: ratio(search),
    digest_people: digest.people,
    digest_s: round1(digestMs / 1000),
    met: ok(group) && ok(dashboard) && ok(search) && digestMs < 60_000,
  });
} finally {
  service?.stop();
  await bench.close();
}
