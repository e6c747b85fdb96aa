/**
 * Reading pupils' progress (worked out after each load into child_progress by progress-sql.ts):
 * one pupil's, or a cohort's labels, always within a child-level reach and under row-level security.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { withAuthorityScope } from '../auth/scope.js';
import type { Schema } from '../db/schema.js';
import { isChildRef } from './child-records.js';
import { progressLabelText, progressPairs } from './progress-pairs.js';
import type { ProgressLabel, ProgressPairId } from './progress-pairs.js';
import type { ChildReach } from './reach.js';

export interface ProgressReading {
  childRef: string;
  laCode: string;
  pair: ProgressPairId;
  pairLabel: string;
  /** The year of the outcome (start year). */
  year: number;
  priorYear: number | null;
  prior: number | null;
  band: string | null;
  outcome: number;
  expected: number | null;
  progress: number | null;
  unit: string;
  label: ProgressLabel;
  labelText: string;
  /** Why, in words: what the label rests on, or what data is missing. */
  why: string;
  settingUrn: number | null;
}

interface ProgressRow {
  la_code: string;
  academic_year: number;
  pair: ProgressPairId;
  child_key: string;
  setting_urn: number | null;
  prior_year: number | null;
  prior_value: number | null;
  band: number | null;
  outcome_value: number;
  expected: number | null;
  progress: number | null;
  label: ProgressLabel;
}

const round = (value: number, decimals = 1) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function explain(row: ProgressRow): string {
  const pair = progressPairs.find((entry) => entry.id === row.pair)!;
  if (row.prior_value === null) return row.prior_year === null ? 'No record of the starting point: the pupil was not on roll here then, or it was not loaded.' : 'The starting point is blank in the record.';
  if (row.expected === null) return `Fewer than ten pupils in the authority started in the same band (${pair.bands[row.band ?? 0]!.label}), so nothing is expected of it.`;
  const progress = round(row.outcome_value - row.expected);
  const direction = progress >= 0 ? `${progress} above` : `${-progress} below`;
  return `${direction} what pupils who started in the same band achieved (${round(row.expected)}), in ${pair.unit}.`;
}

function toReading(row: ProgressRow): ProgressReading {
  const pair = progressPairs.find((entry) => entry.id === row.pair)!;
  return {
    childRef: row.child_key,
    laCode: row.la_code,
    pair: row.pair,
    pairLabel: pair.label,
    year: row.academic_year,
    priorYear: row.prior_year,
    prior: row.prior_value,
    band: row.band === null ? null : pair.bands[row.band]!.label,
    outcome: row.outcome_value,
    expected: row.expected,
    progress: row.progress,
    unit: pair.unit,
    label: row.label,
    labelText: progressLabelText[row.label],
    why: explain(row),
    settingUrn: row.setting_urn,
  };
}

function scopedSettings(reach: ChildReach) {
  return reach.settingUrns === 'all' ? sql`` : sql`and setting_urn = any(${reach.settingUrns.length > 0 ? [...reach.settingUrns] : [-1]}::integer[])`;
}

/** Every progress reading of one pupil within the reach, newest first; empty when none is in reach. */
export async function childProgress(db: Kysely<Schema>, reach: readonly ChildReach[], childRef: string, extraChildKeys: readonly string[] = []): Promise<ProgressReading[]> {
  // extraChildKeys: `E08000035:<pseudonym>` pairs reached past the usual reach (a break-the-glass access).
  if (!isChildRef(childRef) || reach.length === 0) return [];
  const readings: ProgressReading[] = [];
  for (const entry of reach) {
    const rows = await withAuthorityScope(
      db,
      [entry.laCode],
      async (reader) =>
        (
          await sql<ProgressRow>`
            select la_code, academic_year, pair, child_key, setting_urn, prior_year, prior_value, band, outcome_value, expected, progress, label
              from child_progress
             where la_code = ${entry.laCode} and child_key = ${childRef}
               ${extraChildKeys.includes(`${entry.laCode}:${childRef}`) ? sql`` : scopedSettings(entry)}
             order by academic_year desc, pair`.execute(reader)
        ).rows,
      { childReach: [entry], childKeys: extraChildKeys },
    );
    readings.push(...rows.map(toReading));
  }
  return readings;
}

/** How many pupils of a cohort (a year, some settings) have each label on each pair, within the reach. */
export async function progressSummary(db: Kysely<Schema>, reach: ChildReach, query: { year: number; settingUrns?: readonly number[] | undefined }): Promise<{ pair: ProgressPairId; label: ProgressLabel; pupils: number }[]> {
  return withAuthorityScope(
    db,
    [reach.laCode],
    async (reader) =>
      (
        await sql<{ pair: ProgressPairId; label: ProgressLabel; pupils: string }>`
          select pair, label, count(*)::text as pupils
            from child_progress
           where la_code = ${reach.laCode} and academic_year = ${query.year} ${scopedSettings(reach)}
             ${query.settingUrns === undefined ? sql`` : sql`and setting_urn = any(${[...query.settingUrns]}::integer[])`}
           group by pair, label`.execute(reader)
      ).rows.map((row) => ({ pair: row.pair, label: row.label, pupils: Number(row.pupils) })),
    { childReach: [reach] },
  );
}

/** The pupils of a cohort (a year, some settings) with the labels asked for, within the reach: the furthest below expected first, at most `limit`. */
export async function cohortProgress(
  db: Kysely<Schema>,
  reach: ChildReach,
  query: { year: number; settingUrns?: readonly number[] | undefined; labels: readonly ProgressLabel[]; limit: number },
): Promise<ProgressReading[]> {
  return withAuthorityScope(
    db,
    [reach.laCode],
    async (reader) =>
      (
        await sql<ProgressRow>`
          select la_code, academic_year, pair, child_key, setting_urn, prior_year, prior_value, band, outcome_value, expected, progress, label
            from child_progress
           where la_code = ${reach.laCode} and academic_year = ${query.year} ${scopedSettings(reach)}
             ${query.settingUrns === undefined ? sql`` : sql`and setting_urn = any(${[...query.settingUrns]}::integer[])`}
             and label = any(${[...query.labels]}::text[])
           order by progress nulls last, pair, child_key
           limit ${query.limit}`.execute(reader)
      ).rows.map(toReading),
    { childReach: [reach] },
  );
}
