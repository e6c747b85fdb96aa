/**
 * Who is not yet seen: the children an authority's rules put on a work list, for one year, across
 * the authority or in some of its settings. Counts by list, group and setting for anyone who may
 * read the authority's figures; the children themselves only inside a child-level reach, read under
 * row-level security for that reach.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { dimensions, memberIn, valueIn } from '../aggregates/signature.js';
import { dimensionValues } from '../aggregates/dimension-values.js';
import { settingNames } from '../auth/organisations.js';
import { withAuthorityScope } from '../auth/scope.js';
import type { Schema } from '../db/schema.js';
import type { ChildReach } from './reach.js';
import type { TrackingRules } from './rules.js';
import { unseenListTitles, unseenLists, unseenReasons } from './unseen-rules.js';
import type { Finding, UnseenList, UnseenReason } from './unseen-rules.js';
import { factsOf, recordFieldNames } from './child-facts.js';
import type { RecordFields } from './child-facts.js';
import { listFindingSql } from './unseen-sql.js';

const frameworkGroups = dimensions.filter((entry) => entry.kind === 'group');

export interface UnseenScope {
  laCode: string;
  year: number;
  /** Only these settings' children; undefined for the whole authority. */
  settingUrns?: readonly number[] | undefined;
  /** Framework groups a child must be in to count as vulnerable (the rule's number when not asked). */
  minGroups: number;
  rules: TrackingRules;
}

export interface ListCounts {
  recorded: number;
  notRecorded: number;
}

export interface UnseenCounts {
  list: UnseenList;
  title: string;
  total: ListCounts;
  byGroup: ({ group: string; label: string } & ListCounts)[];
  bySetting: ({ settingUrn: number | null } & ListCounts)[];
}

function findingColumns(scope: UnseenScope, alias: string): string {
  const findings = listFindingSql(alias, scope.rules, scope.minGroups);
  return unseenLists.map((list) => `${findings[list]} as "${list}"`).join(', ');
}

function settingFilter(scope: UnseenScope) {
  return scope.settingUrns === undefined ? sql`` : sql`and r.setting_urn = any(${[...scope.settingUrns]}::integer[])`;
}

/** The latest year the authority has records for, or undefined. */
export async function latestYear(db: Kysely<Schema>, laCode: string): Promise<number | undefined> {
  const row = await db.selectFrom('child_year_batch').select((eb) => eb.fn.max('academic_year').as('year')).where('la_code', '=', laCode).executeTakeFirst();
  return row?.year ?? undefined;
}

/** The years the authority has records for, newest first. */
export async function yearsHeld(db: Kysely<Schema>, laCode: string): Promise<number[]> {
  const rows = await db.selectFrom('child_year_batch').select('academic_year').where('la_code', '=', laCode).orderBy('academic_year', 'desc').execute();
  return rows.map((row) => row.academic_year);
}

/** Exact counts of each list, by framework group and by setting. Pass them through `releaseUnseenCounts` for anyone who may not see small numbers. */
export async function unseenCounts(db: Kysely<Schema>, scope: UnseenScope): Promise<UnseenCounts[]> {
  const values = unseenLists.map((list) => `('${list}', x."${list}")`).join(', ');
  const result = await sql<{ list: UnseenList; finding: Finding; setting_urn: number | null; dimension: string | null; scope_level: string; children: string }>`
    with listed as (
      select r.setting_urn, r.signature, ${sql.raw(findingColumns(scope, 'r'))}
        from child_record r
        join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
       where r.la_code = ${scope.laCode} and r.academic_year = ${scope.year} ${settingFilter(scope)}
    ),
    findings as (
      select l.list, l.finding, x.setting_urn, x.signature
        from listed x cross join lateral (values ${sql.raw(values)}) as l (list, finding)
       where l.finding is not null
    )
    select list, finding, setting_urn, null as dimension, case when grouping(setting_urn) = 1 then 'total' else 'setting' end as scope_level, count(*)::text as children
      from findings group by grouping sets ((list, finding), (list, finding, setting_urn))
    union all
    select f.list, f.finding, null, d.id, 'group', count(*)::text
      from findings f cross join (values ${sql.raw(dimensionValues)}) as d (id, shift)
     where d.shift >= 0 and ((f.signature >> d.shift) & 3) = 1
     group by 1, 2, 4`.execute(db);
  const empty = (): ListCounts => ({ recorded: 0, notRecorded: 0 });
  const add = (counts: ListCounts, finding: Finding, children: number) => {
    if (finding === 'recorded') counts.recorded += children;
    else counts.notRecorded += children;
  };
  return unseenLists.map((list) => {
    const rows = result.rows.filter((row) => row.list === list);
    const total = empty();
    const byGroup = new Map(frameworkGroups.map((group) => [group.id, empty()]));
    const bySetting = new Map<number | null, ListCounts>();
    for (const row of rows) {
      const children = Number(row.children);
      if (row.scope_level === 'total') add(total, row.finding, children);
      else if (row.scope_level === 'group') add(byGroup.get(row.dimension!)!, row.finding, children);
      else {
        const counts = bySetting.get(row.setting_urn) ?? empty();
        add(counts, row.finding, children);
        bySetting.set(row.setting_urn, counts);
      }
    }
    return {
      list,
      title: unseenListTitles[list],
      total,
      byGroup: frameworkGroups.map((group) => ({ group: group.id, label: group.label, ...byGroup.get(group.id)! })),
      bySetting: [...bySetting].map(([settingUrn, counts]) => ({ settingUrn, ...counts })).sort((a, b) => b.recorded + b.notRecorded - (a.recorded + a.notRecorded) || (a.settingUrn ?? 0) - (b.settingUrn ?? 0)),
    };
  });
}

/** What was last done about a listed child, and whether they still wait for someone to act. */
export interface FollowUpState {
  action: string;
  note: string;
  followUpOn: string | null;
  recordedAt: Date;
  recordedBy: string;
}

export interface UnseenChild {
  childRef: string;
  settingUrn: number | null;
  settingName: string | null;
  ncy: number | null;
  groups: string[];
  reasons: UnseenReason[];
  /** The latest follow-up recorded for each list the child is on. */
  followUps: Partial<Record<UnseenList, FollowUpState>>;
  /** On some list with nothing recorded, or with a follow-up date that has come. */
  outstanding: boolean;
}

export interface UnseenChildrenPage {
  total: number;
  outstanding: number;
  children: UnseenChild[];
}

type ListedRow = RecordFields & { child_key: string; setting_urn: number | null; ncy: number | null; outstanding: boolean; total: string; outstanding_total: string };

/**
 * The children on the lists (one list, or all), within a child-level reach, with their reasons and
 * follow-ups; outstanding children first (nothing recorded for a list they are on, or a follow-up
 * date that has come), then by setting and year group. The database orders and pages them, so a
 * page costs the same however long the list; the reasons come from the same rules as the counts
 * (unseen-rules.ts), applied to each child's record on the page.
 */
export async function unseenChildren(
  db: Kysely<Schema>,
  reach: ChildReach,
  scope: UnseenScope,
  options: { list?: UnseenList | undefined; onlyOutstanding?: boolean; today: string; limit: number; offset: number },
): Promise<UnseenChildrenPage> {
  const lists = options.list === undefined ? unseenLists : [options.list];
  const findings = listFindingSql('r', scope.rules, scope.minGroups);
  const onList = lists.map((list) => `(${findings[list]}) is not null`).join(' or ');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error(`not an ISO date: ${options.today}`);
  // Waiting: on a list with nothing recorded for it, or with a follow-up date that has come.
  const waiting = lists
    .map((list) => `((${findings[list]}) is not null and not exists (select 1 from latest f where f.child_key = r.child_key and f.list = '${list}' and (f.follow_up_on is null or f.follow_up_on > date '${options.today}')))`)
    .join(' or ');
  const limit = Math.min(options.limit, 1_000_000);
  const rows = await withAuthorityScope(
    db,
    [scope.laCode],
    async (reader) =>
      (
        await sql<ListedRow>`
          with latest as (
            select distinct on (child_key, list) child_key, list, follow_up_on
              from child_follow_up
             where la_code = ${scope.laCode} and academic_year = ${scope.year}
             order by child_key, list, recorded_at desc, id desc
          ),
          listed as (
            select r.child_key, r.setting_urn, r.ncy, ${sql.raw(recordFieldNames.map((name) => `r.${name}`).join(', '))},
                   (${sql.raw(waiting)}) as outstanding
              from child_record r
              join child_year_batch c on c.la_code = r.la_code and c.academic_year = r.academic_year and c.batch_id = r.batch_id
             where r.la_code = ${scope.laCode} and r.academic_year = ${scope.year} ${settingFilter(scope)}
               ${reach.settingUrns === 'all' ? sql`` : sql`and r.setting_urn = any(${reach.settingUrns.length > 0 ? [...reach.settingUrns] : [-1]}::integer[])`}
               and (${sql.raw(onList)})
          )
          select *, count(*) over () as total, count(*) filter (where outstanding) over () as outstanding_total
            from listed
           ${options.onlyOutstanding === true ? sql`where outstanding` : sql``}
           order by outstanding desc, setting_urn nulls last, ncy nulls last, child_key
           limit ${limit} offset ${options.offset}`.execute(reader)
      ).rows,
    { childReach: [reach] },
  );
  const followUps = await latestFollowUps(db, scope.laCode, scope.year, rows.map((row) => row.child_key));
  const names = await settingNames(db, [...new Set(rows.flatMap((row) => (row.setting_urn === null ? [] : [row.setting_urn])))]);
  const children = rows.map((row): UnseenChild => {
    const signature = Number(row.signature);
    return {
      childRef: row.child_key,
      settingUrn: row.setting_urn,
      settingName: row.setting_urn === null ? null : (names.get(row.setting_urn)?.name ?? null),
      ncy: row.ncy,
      groups: frameworkGroups.filter((group) => valueIn(signature, group) === memberIn).map((group) => group.id),
      reasons: unseenReasons(factsOf(row), scope.rules, scope.minGroups).filter((reason) => lists.includes(reason.list)),
      followUps: followUps.get(row.child_key) ?? {},
      outstanding: row.outstanding,
    };
  });
  const total = Number(rows[0]?.total ?? 0);
  const outstanding = Number(rows[0]?.outstanding_total ?? 0);
  // A page past the end has no rows to carry the totals: count again without paging (rare).
  if (rows.length === 0 && options.offset > 0) return { ...(await unseenChildren(db, reach, scope, { ...options, offset: 0, limit: 1 })), children: [] };
  return { total, outstanding: options.onlyOutstanding === true ? total : outstanding, children };
}

/** The latest follow-up of each listed child, per list, in a year. */
async function latestFollowUps(db: Kysely<Schema>, laCode: string, year: number, childKeys: readonly string[]): Promise<Map<string, Partial<Record<UnseenList, FollowUpState>>>> {
  const found = new Map<string, Partial<Record<UnseenList, FollowUpState>>>();
  if (childKeys.length === 0) return found;
  const rows = await db
    .selectFrom('child_follow_up')
    .select(['child_key', 'list', 'action', 'note', sql<string | null>`follow_up_on::text`.as('follow_up_on'), 'recorded_at', 'recorded_by_label'])
    .distinctOn(['child_key', 'list'])
    .where('la_code', '=', laCode)
    .where('academic_year', '=', year)
    .where('child_key', 'in', [...childKeys])
    .orderBy('child_key')
    .orderBy('list')
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) {
    const mine = found.get(row.child_key) ?? {};
    mine[row.list as UnseenList] = { action: row.action, note: row.note, followUpOn: row.follow_up_on, recordedAt: row.recorded_at, recordedBy: row.recorded_by_label };
    found.set(row.child_key, mine);
  }
  return found;
}
