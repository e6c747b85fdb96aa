/**
 * The unseen-children report as the API and `ntg children unseen` give it: the rules in words, each
 * list's counts (in all, by group, by setting) and the children with their reasons. One builder, so
 * the two always agree.
 */
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { settingNames, settingRegister, settingsInLocality } from '../auth/organisations.js';
import type { RegisteredSetting, SettingRegister } from '../auth/organisations.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { reachedSettings } from './reach.js';
import type { ChildReach } from './reach.js';
import { describeRules } from './rules.js';
import { trackingContext } from './context.js';
import type { TrackingContext } from './context.js';
import type { UnseenList } from './unseen-rules.js';
import { unseenChildren, unseenCountsFrom } from './unseen.js';
import type { UnseenChild } from './unseen.js';

export interface UnseenRequest {
  laCode: string;
  year?: number | undefined;
  settingUrn?: number | undefined;
  /** One of the authority's localities, by name: only its settings' children. */
  locality?: string | undefined;
  minGroups?: number | undefined;
  list?: UnseenList | undefined;
  onlyOutstanding?: boolean | undefined;
  reach: ChildReach;
  page: number;
  pageSize: number;
  today: string;
  /** The authority's years and rules, and its register (the reach's settings), when the caller has read them already (a page shows them too). */
  context?: TrackingContext | undefined;
  register?: SettingRegister | undefined;
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
  locality: string | null;
  min_groups: number;
  rules: { vulnerable: string; complex_needs: string; moves: string };
  lists: {
    list: UnseenList;
    title: string;
    recorded: number;
    not_recorded: number;
    by_group: { group: string; group_label: string; recorded: number; not_recorded: number }[];
    by_setting: { setting_urn: number | null; setting_name: string | null; locality: string | null; recorded: number; not_recorded: number }[];
    /** The settings' counts added up by locality (null: children on no setting's roll, or settings with no locality). */
    by_locality: { locality: string | null; recorded: number; not_recorded: number }[];
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

function childJson(child: UnseenChild, names: ReadonlyMap<number, { name: string }>): UnseenChildJson {
  return {
    child_ref: child.childRef,
    setting_urn: child.settingUrn,
    setting_name: child.settingUrn === null ? null : (names.get(child.settingUrn)?.name ?? null),
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

/**
 * The settings a request covers inside the reach: the one asked for (refused when outside), those of
 * the locality asked for, or all the reach has. Children on no setting's roll belong to no locality.
 */
function settingsCovered(request: UnseenRequest, register: SettingRegister): readonly number[] | undefined {
  const { reach, settingUrn } = request;
  let covered: readonly number[] | undefined = reachedSettings(reach);
  if (request.locality !== undefined) {
    const asked = request.locality.trim().toLowerCase();
    const { localities } = register;
    if (!localities.some((name) => name.toLowerCase() === asked)) {
      const authority = `${localAuthorityByGss(request.laCode)?.name ?? 'the authority'} (${request.laCode})`;
      throw new UnseenRequestError(
        404,
        localities.length === 0
          ? `locality: ${authority} has registered no localities for its settings.`
          : `locality: "${request.locality.slice(0, 80)}" is not one of the localities of ${authority}: ${localities.join(', ')}.`,
      );
    }
    const inLocality = settingsInLocality(register.settings, request.locality);
    covered = covered === undefined ? inLocality : covered.filter((urn) => inLocality.includes(urn));
    if (covered.length === 0) throw new UnseenRequestError(404, `There are no children of the ${request.locality.slice(0, 80)} locality that you may see.`);
  }
  if (settingUrn !== undefined) {
    if (covered !== undefined && !covered.includes(settingUrn)) {
      throw new UnseenRequestError(404, `There are no children of setting ${settingUrn} that you may see${request.locality === undefined ? '' : ' in that locality'}.`);
    }
    return [settingUrn];
  }
  return covered;
}

/** A locality's name as its settings were registered with it, for the report. */
function localityName(localities: readonly string[], asked: string | undefined): string | null {
  if (asked === undefined) return null;
  return localities.find((name) => name.toLowerCase() === asked.trim().toLowerCase()) ?? asked;
}

/** The settings' names and localities: the authority's own from its register, any other (a child at school elsewhere) looked up. */
async function namesOf(db: Kysely<Schema>, settings: readonly RegisteredSetting[], urns: readonly (number | null)[]): Promise<ReadonlyMap<number, { name: string; locality: string | null }>> {
  const names = new Map<number, { name: string; locality: string | null }>(settings.map((setting) => [setting.urn, setting]));
  const elsewhere = [...new Set(urns)].filter((urn): urn is number => urn !== null && !names.has(urn));
  for (const [urn, setting] of await settingNames(db, elsewhere)) names.set(urn, setting);
  return names;
}

/** Settings' counts added up by their locality, named localities first in order, then the rest. */
function byLocality(settings: readonly { locality: string | null; recorded: number; not_recorded: number }[], hasLocalities: boolean): { locality: string | null; recorded: number; not_recorded: number }[] {
  if (!hasLocalities) return [];
  const sums = new Map<string | null, { locality: string | null; recorded: number; not_recorded: number }>();
  for (const setting of settings) {
    const sum = sums.get(setting.locality) ?? { locality: setting.locality, recorded: 0, not_recorded: 0 };
    sum.recorded += setting.recorded;
    sum.not_recorded += setting.not_recorded;
    sums.set(setting.locality, sum);
  }
  return [...sums.values()].sort((a, b) => (a.locality === null ? 1 : b.locality === null ? -1 : a.locality.localeCompare(b.locality)));
}

export async function unseenReport(db: Kysely<Schema>, request: UnseenRequest): Promise<UnseenReportJson> {
  const [context, register] = await Promise.all([
    request.context ?? trackingContext(db, request.laCode),
    request.register ?? settingRegister(db, request.laCode, reachedSettings(request.reach)),
  ]);
  const year = request.year ?? context.years[0];
  if (year === undefined) throw new UnseenRequestError(404, `No child-level data has been loaded for ${request.laCode}.`);
  const rules = context.rules;
  const minGroups = request.minGroups ?? rules.vulnerableMinGroups;
  if (!Number.isInteger(minGroups) || minGroups < 1 || minGroups > 13) throw new UnseenRequestError(400, 'min_groups: give a whole number of framework groups from 1 to 13.');
  const { localities } = register;
  const scope = { laCode: request.laCode, year, settingUrns: settingsCovered(request, register), minGroups, rules };
  const [counts, page] = await Promise.all([
    unseenCountsFrom(db, scope, context.derivedFrom(year)),
    unseenChildren(db, request.reach, scope, { list: request.list, onlyOutstanding: request.onlyOutstanding, today: request.today, limit: request.pageSize, offset: (request.page - 1) * request.pageSize }),
  ]);
  const names = await namesOf(db, register.settings, [...counts.flatMap((entry) => entry.bySetting.map((setting) => setting.settingUrn)), ...page.children.map((child) => child.settingUrn)]);
  const words = describeRules(rules);
  return {
    la_code: request.laCode,
    year: formatAcademicYear(year),
    setting_urn: request.settingUrn ?? null,
    locality: localityName(localities, request.locality),
    min_groups: minGroups,
    rules: { vulnerable: `in at least ${minGroups} of the 13 framework groups`, complex_needs: words.complexNeeds, moves: words.moves },
    lists: counts
      .filter((entry) => request.list === undefined || entry.list === request.list)
      .map((entry) => {
        const bySetting = entry.bySetting.map((setting) => ({
          setting_urn: setting.settingUrn,
          setting_name: setting.settingUrn === null ? null : (names.get(setting.settingUrn)?.name ?? null),
          locality: setting.settingUrn === null ? null : (names.get(setting.settingUrn)?.locality ?? null),
          recorded: setting.recorded,
          not_recorded: setting.notRecorded,
        }));
        return {
          list: entry.list,
          title: entry.title,
          recorded: entry.total.recorded,
          not_recorded: entry.total.notRecorded,
          by_group: entry.byGroup.map((group) => ({ group: group.group, group_label: group.label, recorded: group.recorded, not_recorded: group.notRecorded })),
          by_setting: bySetting,
          by_locality: byLocality(bySetting, localities.length > 0),
        };
      }),
    total_children: page.total,
    outstanding: page.outstanding,
    page: request.page,
    children: page.children.map((child) => childJson(child, names)),
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
