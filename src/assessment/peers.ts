/**
 * Peer distributions: for each statement of a scope, how the local authorities rated it in their
 * latest signed-off assessment of that scope, in the region of a given authority and in England.
 *
 * Disclosure: a distribution is shown only when at least `peerThreshold` authorities contribute to
 * that statement (a level or "not applicable"); authorities are never named. The asking authority's
 * own latest signed-off assessment is one of the contributors. With exactly five contributors, the
 * asking authority knows its own rating, so it learns the other four as a group (never which
 * authority gave which rating): see docs/self-assessment.md.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { allLocalAuthorities, regionOf } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { AssessmentScope } from './tables.js';

/** The fewest contributing authorities for which a statement's distribution is shown. */
export const peerThreshold = 5;

/** Counts of authorities by answer: levels 1 to 4 and "not applicable". */
export interface Distribution {
  /** Authorities contributing (a level or "not applicable"). */
  contributors: number;
  /** Whether the distribution may be shown (at least `peerThreshold` contributors). */
  shown: boolean;
  /** By level 1..4 (index 0 is level 1); all zero when not shown. */
  levels: [number, number, number, number];
  notApplicable: number;
  /** Median level of those who gave a level (lower median for an even count), null when not shown or none. */
  median: number | null;
  /**
   * England's distribution withheld although it has enough contributors: taken with the regions'
   * (each shown to its own people, all to the national team), the difference would show the
   * answers of 1 to 4 authorities.
   */
  outsideRegionTooFew?: true;
}

/** Where the asking authority sits among the others who gave a level (shown only with the distribution). */
export interface Position {
  higher: number;
  same: number;
  lower: number;
}

export interface PeerRow {
  statementId: string;
  region: Distribution;
  england: Distribution;
  /** The asking authority's own contribution to the counts (its latest signed-off assessment), if any. */
  ownCounted: { level: number | null; notApplicable: boolean } | null;
}

interface Counts {
  levels: [number, number, number, number];
  notApplicable: number;
}

function emptyCounts(): Counts {
  return { levels: [0, 0, 0, 0], notApplicable: 0 };
}

function distributionOf(counts: Counts | undefined): Distribution {
  const value = counts ?? emptyCounts();
  const contributors = value.levels.reduce((sum, count) => sum + count, 0) + value.notApplicable;
  if (contributors < peerThreshold) return { contributors, shown: false, levels: [0, 0, 0, 0], notApplicable: 0, median: null };
  return { contributors, shown: true, levels: [...value.levels], notApplicable: value.notApplicable, median: medianLevel(value.levels) };
}

/** The lower median of levels given as counts per level (1..4), or null when there are none. */
export function medianLevel(levels: readonly number[]): number | null {
  const total = levels.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const middle = Math.ceil(total / 2);
  let seen = 0;
  for (let index = 0; index < levels.length; index += 1) {
    seen += levels[index] ?? 0;
    if (seen >= middle) return index + 1;
  }
  return null;
}

/**
 * Where a level sits among the other contributors to a shown distribution (the asking authority's
 * own counted rating taken out first), or undefined when the distribution is withheld or there is no level.
 */
export function positionOf(distribution: Distribution, level: number | null, ownCounted: PeerRow['ownCounted']): Position | undefined {
  if (!distribution.shown || level === null) return undefined;
  const others = [...distribution.levels];
  if (ownCounted !== null && ownCounted.level !== null) others[ownCounted.level - 1] = Math.max(0, (others[ownCounted.level - 1] ?? 0) - 1);
  return {
    higher: others.slice(level).reduce((sum, count) => sum + count, 0),
    same: others[level - 1] ?? 0,
    lower: others.slice(0, level - 1).reduce((sum, count) => sum + count, 0),
  };
}

/**
 * Peer distributions for every statement of a scope, for the region of `laCode` and for England, in
 * one query: each local authority's latest signed-off assessment of the scope (latest period, then
 * latest sign-off), its ratings grouped by statement, answer and region: summed for England, and
 * for the region of `laCode`. Statements with no contributor anywhere are absent from the map.
 */
export async function peerDistributions(db: Kysely<Schema>, scope: AssessmentScope, laCode: string): Promise<Map<string, PeerRow>> {
  const region = regionOf(laCode)?.code ?? null;
  // Every authority's region, so the counts come by region: England's may then be checked against
  // every region's (see englandBesideRegions), whoever is asking.
  const regions = allLocalAuthorities().flatMap((la) => {
    const code = regionOf(la.gss)?.code;
    return code === undefined ? [] : [sql`(${la.gss}, ${code})`];
  });
  // `distinct on` picks each authority's latest signed-off assessment in one pass over the
  // assessment_by_scope index; the asking authority is counted apart from the same rows.
  const result = await sql<{ statement_id: string; level: number | null; not_applicable: boolean; region: string | null; authorities: string; own: string }>`
    with latest as (
      select distinct on (a.la_code) a.la_code, a.id
      from assessment a
      join organisation o on o.id = a.organisation_id and o.kind = 'local-authority'
      where a.scope = ${scope} and a.status = 'signed-off'
      order by a.la_code, a.period desc, a.signed_off_at desc nulls last
    )
    select r.statement_id, r.level, r.not_applicable, m.region,
      count(*) as authorities,
      count(*) filter (where l.la_code = ${laCode}) as own
    from latest l
    join assessment_rating r on r.la_code = l.la_code and r.assessment_id = l.id
    left join (values ${sql.join(regions)}) as m (la_code, region) on m.la_code = l.la_code
    where r.level is not null or r.not_applicable
    group by r.statement_id, r.level, r.not_applicable, m.region`.execute(db);
  const england = new Map<string, Counts>();
  const regional = new Map<string, Counts>();
  /** Contributors by statement and region, for the check on England. */
  const byRegion = new Map<string, Map<string | null, number>>();
  const own = new Map<string, PeerRow['ownCounted']>();
  const add = (map: Map<string, Counts>, statementId: string, level: number | null, notApplicable: boolean, count: number) => {
    if (count === 0) return;
    const counts = map.get(statementId) ?? emptyCounts();
    if (notApplicable) counts.notApplicable += count;
    else if (level !== null && level >= 1 && level <= 4) counts.levels[level - 1] = (counts.levels[level - 1] ?? 0) + count;
    map.set(statementId, counts);
  };
  for (const row of result.rows) {
    const count = Number(row.authorities);
    add(england, row.statement_id, row.level, row.not_applicable, count);
    if (region !== null && row.region === region) add(regional, row.statement_id, row.level, row.not_applicable, count);
    const counts = byRegion.get(row.statement_id) ?? new Map<string | null, number>();
    counts.set(row.region, (counts.get(row.region) ?? 0) + count);
    byRegion.set(row.statement_id, counts);
    if (Number(row.own) > 0) own.set(row.statement_id, { level: row.level, notApplicable: row.not_applicable });
  }
  return new Map(
    [...england.keys()].map((statementId) => [
      statementId,
      {
        statementId,
        region: distributionOf(regional.get(statementId)),
        england: englandBesideRegions(distributionOf(england.get(statementId)), [...(byRegion.get(statementId)?.values() ?? [])]),
        ownCounted: own.get(statementId) ?? null,
      },
    ]),
  );
}

/**
 * England's distribution as it may stand beside the regions' (each shown to the people of its
 * region, and all of them to the national team): England less every region that is shown is the rest
 * of the country, so when that rest is 1 to 4 authorities England is withheld, or their ratings
 * would be the difference. Less any subset of the shown regions leaves the rest plus whole shown
 * regions of at least `peerThreshold` each, so this one check covers every difference.
 */
function englandBesideRegions(england: Distribution, regionContributors: readonly number[]): Distribution {
  if (!england.shown) return england;
  const rest = england.contributors - regionContributors.filter((count) => count >= peerThreshold).reduce((sum, count) => sum + count, 0);
  if (rest === 0 || rest >= peerThreshold) return england;
  return { contributors: england.contributors, shown: false, levels: [0, 0, 0, 0], notApplicable: 0, median: null, outsideRegionTooFew: true };
}

/** A statement nobody has rated: both distributions withheld. */
export function noPeers(statementId: string): PeerRow {
  return { statementId, region: distributionOf(undefined), england: distributionOf(undefined), ownCounted: null };
}
