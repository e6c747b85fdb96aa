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
import { withAuthorityScope } from '../auth/scope.js';
import type { Schema } from '../db/schema.js';
import type { ChildReach } from './reach.js';
import type { TrackingRules } from './rules.js';
import { unseenListTitles, unseenLists, unseenReasons } from './unseen-rules.js';
import type { Finding, UnseenList, UnseenReason } from './unseen-rules.js';
import { factsOf, recordFieldNames } from './child-facts.js';
import type { RecordFields } from './child-facts.js';

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

/** The listed children of the scope: its year and settings, and for the trusted-adult list only those in enough groups. */
function listedWhere(scope: UnseenScope, alias: string) {
  if (!Number.isInteger(scope.minGroups)) throw new Error(`not a whole number: ${scope.minGroups}`);
  return sql`${sql.ref(`${alias}.la_code`)} = ${scope.laCode} and ${sql.ref(`${alias}.academic_year`)} = ${scope.year}
    and (${sql.ref(`${alias}.list`)} <> 'trusted-adult' or ${sql.ref(`${alias}.group_count`)} >= ${scope.minGroups})
    ${scope.settingUrns === undefined ? sql`` : sql`and ${sql.ref(`${alias}.setting_urn`)} = any(${[...scope.settingUrns]}::integer[])`}`;
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
  const result = await sql<{ list: UnseenList; finding: Finding; setting_urn: number | null; dimension: string | null; scope_level: string; children: string }>`
    with findings as materialized (
      select l.list, l.finding, l.setting_urn, l.signature from child_listing l where ${listedWhere(scope, 'l')}
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

/** Counts already worked out, by what they were worked out from and their scope; the least recently read go first. */
const keptCounts = new Map<string, readonly UnseenCounts[]>();
const keptCountsLimit = 500;

/**
 * `unseenCounts`, kept while the figures they come from stand: `derivedFrom` names the load and the
 * rules the listings were worked out from (TrackingContext), and only a load, a restore or new rules
 * change those, so many people opening the same list do not count it again. Without it, counted afresh.
 * The counts are exact: release them as `unseenCounts` says.
 */
export async function unseenCountsFrom(db: Kysely<Schema>, scope: UnseenScope, derivedFrom: string | undefined): Promise<readonly UnseenCounts[]> {
  if (derivedFrom === undefined) return unseenCounts(db, scope);
  const settings = scope.settingUrns === undefined ? null : [...new Set(scope.settingUrns)].sort((a, b) => a - b);
  const key = JSON.stringify([derivedFrom, scope.laCode, scope.year, scope.minGroups, settings]);
  const kept = keptCounts.get(key);
  if (kept !== undefined) {
    keptCounts.delete(key);
    keptCounts.set(key, kept);
    return kept;
  }
  const counted = await unseenCounts(db, scope);
  keptCounts.set(key, counted);
  if (keptCounts.size > keptCountsLimit) keptCounts.delete(keptCounts.keys().next().value!);
  return counted;
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

type StoredFollowUp = { action: string; note: string; follow_up_on: string | null; recorded_at: string; recorded_by: string };
type ListedRow = RecordFields & { child_key: string; setting_urn: number | null; ncy: number | null; outstanding: boolean; total: string; outstanding_total: string; follow_ups: Record<string, StoredFollowUp> | null };

/**
 * The children on the lists (one list, or all), within a child-level reach, with their reasons and
 * follow-ups; outstanding children first (nothing recorded for a list they are on, or a follow-up
 * date that has come), then by setting and year group. The database orders and pages them, so a
 * page costs the same however long the list; the reasons come from the same rules as the counts
 * (unseen-rules.ts), applied to each child's record on the page. One statement under the reach's
 * row-level security, so a page is a single round trip inside its transaction.
 */
export async function unseenChildren(
  db: Kysely<Schema>,
  reach: ChildReach,
  scope: UnseenScope,
  options: { list?: UnseenList | undefined; onlyOutstanding?: boolean; today: string; limit: number; offset: number },
): Promise<UnseenChildrenPage> {
  const lists = options.list === undefined ? unseenLists : [options.list];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error(`not an ISO date: ${options.today}`);
  const limit = Math.min(options.limit, 1_000_000);
  const rows = await withAuthorityScope(
    db,
    [scope.laCode],
    async (reader) =>
      (
        await sql<ListedRow>`
          with latest as (
            select distinct on (child_key, list) child_key, list, action, note, follow_up_on, recorded_at, recorded_by_label
              from child_follow_up
             where la_code = ${scope.laCode} and academic_year = ${scope.year}
             order by child_key, list, recorded_at desc, id desc
          ),
          listed as (
            -- Waiting: on a list with nothing recorded for it, or with a follow-up date that has come.
            select l.child_key, l.setting_urn, l.ncy,
                   bool_or(not exists (select 1 from latest f where f.child_key = l.child_key and f.list = l.list and (f.follow_up_on is null or f.follow_up_on > ${options.today}::date))) as outstanding
              from child_listing l
             where ${listedWhere(scope, 'l')} and l.list = any(${[...lists]}::text[])
               ${reach.settingUrns === 'all' ? sql`` : sql`and l.setting_urn = any(${reach.settingUrns.length > 0 ? [...reach.settingUrns] : [-1]}::integer[])`}
             group by l.child_key, l.setting_urn, l.ncy
          ),
          paged as (
            select *, count(*) over () as total, count(*) filter (where outstanding) over () as outstanding_total
              from listed
             ${options.onlyOutstanding === true ? sql`where outstanding` : sql``}
             order by outstanding desc, setting_urn nulls last, ncy nulls last, child_key
             limit ${limit} offset ${options.offset}
          )
          select p.*, ${sql.raw(recordFieldNames.map((name) => `r.${name}`).join(', '))},
                 (select jsonb_object_agg(f.list, jsonb_build_object('action', f.action, 'note', f.note, 'follow_up_on', f.follow_up_on::text, 'recorded_at', f.recorded_at, 'recorded_by', f.recorded_by_label))
                    from latest f where f.child_key = p.child_key) as follow_ups
            from paged p
            join child_year_batch c on c.la_code = ${scope.laCode} and c.academic_year = ${scope.year}
            join child_record r on r.la_code = c.la_code and r.academic_year = c.academic_year and r.batch_id = c.batch_id and r.child_key = p.child_key
           order by p.outstanding desc, p.setting_urn nulls last, p.ncy nulls last, p.child_key`.execute(reader)
      ).rows,
    // Planned once per connection: a page's plan (its setting's listings, then each child's record by key) is the same for any values.
    { childReach: [reach], genericPlans: true },
  );
  const children = rows.map((row): UnseenChild => {
    const signature = Number(row.signature);
    return {
      childRef: row.child_key,
      settingUrn: row.setting_urn,
      ncy: row.ncy,
      groups: frameworkGroups.filter((group) => valueIn(signature, group) === memberIn).map((group) => group.id),
      reasons: unseenReasons(factsOf(row), scope.rules, scope.minGroups).filter((reason) => lists.includes(reason.list)),
      followUps: followUpsOf(row.follow_ups),
      outstanding: row.outstanding,
    };
  });
  const total = Number(rows[0]?.total ?? 0);
  const outstanding = Number(rows[0]?.outstanding_total ?? 0);
  // A page past the end has no rows to carry the totals: count again without paging (rare).
  if (rows.length === 0 && options.offset > 0) return { ...(await unseenChildren(db, reach, scope, { ...options, offset: 0, limit: 1 })), children: [] };
  return { total, outstanding: options.onlyOutstanding === true ? total : outstanding, children };
}

/** The latest follow-up for each list, as the page's statement gathered them. */
function followUpsOf(stored: Record<string, StoredFollowUp> | null): Partial<Record<UnseenList, FollowUpState>> {
  const found: Partial<Record<UnseenList, FollowUpState>> = {};
  for (const [list, entry] of Object.entries(stored ?? {})) {
    found[list as UnseenList] = { action: entry.action, note: entry.note, followUpOn: entry.follow_up_on, recordedAt: new Date(entry.recorded_at), recordedBy: entry.recorded_by };
  }
  return found;
}
