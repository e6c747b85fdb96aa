/**
 * The unseen-children report as the API and `ntg children unseen` give it: the rules in words, each
 * list's counts (in all, by group, by setting) and the children with their reasons. One builder, so
 * the two always agree.
 */
import type { Kysely } from 'kysely';
import { settingNames } from '../auth/organisations.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import type { ChildReach } from './reach.js';
import { describeRules } from './rules.js';
import { rulesFor } from './rules-store.js';
import type { UnseenList } from './unseen-rules.js';
import { latestYear, unseenChildren, unseenCounts } from './unseen.js';
import type { UnseenChild } from './unseen.js';

export interface UnseenRequest {
  laCode: string;
  year?: number | undefined;
  settingUrn?: number | undefined;
  minGroups?: number | undefined;
  list?: UnseenList | undefined;
  onlyOutstanding?: boolean | undefined;
  reach: ChildReach;
  page: number;
  pageSize: number;
  today: string;
}

export class UnseenRequestError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'UnseenRequestError';
  }
}

export interface UnseenReportJson {
  la_code: string;
  year: string;
  setting_urn: number | null;
  min_groups: number;
  rules: { vulnerable: string; complex_needs: string; moves: string };
  lists: {
    list: UnseenList;
    title: string;
    recorded: number;
    not_recorded: number;
    by_group: { group: string; group_label: string; recorded: number; not_recorded: number }[];
    by_setting: { setting_urn: number | null; setting_name: string | null; recorded: number; not_recorded: number }[];
  }[];
  total_children: number;
  outstanding: number;
  page: number;
  children: UnseenChildJson[];
}

export interface UnseenChildJson {
  child_ref: string;
  setting_urn: number | null;
  setting_name: string | null;
  ncy: number | null;
  groups: string[];
  outstanding: boolean;
  reasons: { list: UnseenList; finding: 'recorded' | 'not-recorded'; reason: string; follow_up: { action: string; note: string; follow_up_on: string | null; recorded_at: string; recorded_by: string } | null }[];
}

function childJson(child: UnseenChild): UnseenChildJson {
  return {
    child_ref: child.childRef,
    setting_urn: child.settingUrn,
    setting_name: child.settingName,
    ncy: child.ncy,
    groups: child.groups,
    outstanding: child.outstanding,
    reasons: child.reasons.map((reason) => {
      const followUp = child.followUps[reason.list];
      return {
        list: reason.list,
        finding: reason.finding,
        reason: reason.text,
        follow_up: followUp === undefined ? null : { action: followUp.action, note: followUp.note, follow_up_on: followUp.followUpOn, recorded_at: followUp.recordedAt.toISOString(), recorded_by: followUp.recordedBy },
      };
    }),
  };
}

/** The settings a request covers inside the reach: the one asked for (refused when outside), or all the reach has. */
function settingsCovered(request: UnseenRequest): readonly number[] | undefined {
  const { reach, settingUrn } = request;
  if (settingUrn !== undefined) {
    if (reach.settingUrns !== 'all' && !reach.settingUrns.includes(settingUrn)) throw new UnseenRequestError(404, `There are no children of setting ${settingUrn} that you may see.`);
    return [settingUrn];
  }
  return reach.settingUrns === 'all' ? undefined : reach.settingUrns;
}

export async function unseenReport(db: Kysely<Schema>, request: UnseenRequest): Promise<UnseenReportJson> {
  const year = request.year ?? (await latestYear(db, request.laCode));
  if (year === undefined) throw new UnseenRequestError(404, `No child-level data has been loaded for ${request.laCode}.`);
  const rules = await rulesFor(db, request.laCode);
  const minGroups = request.minGroups ?? rules.vulnerableMinGroups;
  if (!Number.isInteger(minGroups) || minGroups < 1 || minGroups > 13) throw new UnseenRequestError(400, 'min_groups: give a whole number of framework groups from 1 to 13.');
  const scope = { laCode: request.laCode, year, settingUrns: settingsCovered(request), minGroups, rules };
  const [counts, page] = await Promise.all([
    unseenCounts(db, scope),
    unseenChildren(db, request.reach, scope, { list: request.list, onlyOutstanding: request.onlyOutstanding, today: request.today, limit: request.pageSize, offset: (request.page - 1) * request.pageSize }),
  ]);
  const names = await settingNames(db, [...new Set(counts.flatMap((entry) => entry.bySetting.flatMap((setting) => (setting.settingUrn === null ? [] : [setting.settingUrn]))))]);
  const words = describeRules(rules);
  return {
    la_code: request.laCode,
    year: formatAcademicYear(year),
    setting_urn: request.settingUrn ?? null,
    min_groups: minGroups,
    rules: { vulnerable: `in at least ${minGroups} of the 13 framework groups`, complex_needs: words.complexNeeds, moves: words.moves },
    lists: counts
      .filter((entry) => request.list === undefined || entry.list === request.list)
      .map((entry) => ({
        list: entry.list,
        title: entry.title,
        recorded: entry.total.recorded,
        not_recorded: entry.total.notRecorded,
        by_group: entry.byGroup.map((group) => ({ group: group.group, group_label: group.label, recorded: group.recorded, not_recorded: group.notRecorded })),
        by_setting: entry.bySetting.map((setting) => ({
          setting_urn: setting.settingUrn,
          setting_name: setting.settingUrn === null ? null : (names.get(setting.settingUrn)?.name ?? null),
          recorded: setting.recorded,
          not_recorded: setting.notRecorded,
        })),
      })),
    total_children: page.total,
    outstanding: page.outstanding,
    page: request.page,
    children: page.children.map(childJson),
  };
}

export const unseenCsvHeader = ['child_ref', 'academic_year', 'setting_urn', 'setting_name', 'ncy', 'groups', 'list', 'finding', 'reason', 'outstanding', 'follow_up_action', 'follow_up_on'];

/** One row per child per list they are on. */
export function unseenCsvRows(report: UnseenReportJson): (string | number | null)[][] {
  return report.children.flatMap((child) =>
    child.reasons.map((reason) => [
      child.child_ref,
      report.year,
      child.setting_urn,
      child.setting_name,
      child.ncy,
      child.groups.join(' '),
      reason.list,
      reason.finding,
      reason.reason,
      child.outstanding ? 'Y' : 'N',
      reason.follow_up?.action ?? null,
      reason.follow_up?.follow_up_on ?? null,
    ]),
  );
}
