/**
 * A survey's results: each closed question becomes an indicator by group, the percentage agreeing
 * with its 95% Wilson interval, for each framework group (as respondents declared it) against the
 * respondents who said they are not in it, or against all respondents, with the gap, its interval
 * and its significance. Every figure comes from the stats module; every count is released under
 * the gap matrix's disclosure control (`releaseSummary` with the installation's cell keys), so a
 * small group is withheld and no withheld figure can be worked out from those shown.
 *
 * The counts come from one aggregate query per survey (answers grouped by question, agreeing and
 * declared groups); no response is read into the service.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { cellKeysFor } from '../gaps/cell-keys.js';
import type { CellKeys } from '../gaps/cell-keys.js';
import type { GapCell } from '../gaps/matrix.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { gapAgainstWhole, proportion, proportionDifference, releaseCount, releaseSummary } from '../stats/index.js';
import type { WithheldBecause } from '../stats/index.js';
import { frameworkGroupList, isClosed } from './model.js';
import type { Question, Survey } from './store.js';
import { listSurveys, questionsOf } from './store.js';
import type { Polarity } from './tables.js';

/** Respondents who answered a question on one side, and how many of them agreed. */
export interface AgreeCounts {
  n: number;
  agreeing: number;
}

/** One closed question's counts: everyone who answered it, and per group those in, not in, and not saying. */
export interface QuestionCounts {
  all: AgreeCounts;
  groups: Map<string, { in: AgreeCounts; out: AgreeCounts; notSaid: AgreeCounts }>;
}

const none = (): AgreeCounts => ({ n: 0, agreeing: 0 });

/**
 * The counts behind every closed question of a survey, by one aggregate query: one pass over the
 * answers, grouped by question and whether the answer agrees, counting for each of the survey's
 * groups those who said they are in it and those who said they are not (bit tests on the two bit
 * sets each answer carries from its response); not said is the rest. Questions nobody answered have no entry.
 */
export async function surveyCounts(db: Kysely<Schema>, survey: Pick<Survey, 'laCode' | 'id' | 'groupIds' | 'asksGroups'>): Promise<Map<string, QuestionCounts>> {
  const positions = survey.asksGroups ? survey.groupIds.map((_, index) => index) : [];
  const bitCounts = positions.flatMap((position) => [
    sql`count(*) filter (where a.groups_in & ${sql.lit(1 << position)} <> 0)`.as(`in_${position}`),
    sql`count(*) filter (where a.groups_out & ${sql.lit(1 << position)} <> 0)`.as(`out_${position}`),
  ]);
  // Raw SQL: a filtered count per group and side, made from the survey's list of groups, reads more plainly than the builder.
  const { rows } = await sql<Record<string, string | boolean> & { question_id: string; agrees: boolean; n: string }>`
    select a.question_id, (a.value = any(q.agreeing)) as agrees, count(*) as n${sql.join(bitCounts.length === 0 ? [sql``] : [sql``, ...bitCounts], sql`, `)}
    from survey_answer a
    join survey_question q on q.la_code = a.la_code and q.survey_id = a.survey_id and q.id = a.question_id
    where a.la_code = ${survey.laCode} and a.survey_id = ${survey.id} and q.kind <> 'text'
    group by a.question_id, agrees`.execute(db);
  const counts = new Map<string, QuestionCounts>();
  for (const row of rows) {
    let entry = counts.get(row.question_id);
    if (entry === undefined) {
      entry = { all: none(), groups: new Map(positions.map((position) => [survey.groupIds[position]!, { in: none(), out: none(), notSaid: none() }])) };
      counts.set(row.question_id, entry);
    }
    const n = Number(row.n);
    const add = (target: AgreeCounts, count: number) => {
      target.n += count;
      if (row.agrees) target.agreeing += count;
    };
    add(entry.all, n);
    for (const position of positions) {
      const group = entry.groups.get(survey.groupIds[position]!)!;
      const inside = Number(row[`in_${position}`]);
      const outside = Number(row[`out_${position}`]);
      add(group.in, inside);
      add(group.out, outside);
      add(group.notSaid, n - inside - outside);
    }
  }
  return counts;
}

/** Why a group's figures are withheld: its side or the comparator's, its respondents few, or few agreeing or not agreeing (which, not said). */
export type ViewsWithheld = `${'group' | 'comparator'}-${'few-children' | 'few-with-outcome'}`;

export type ViewsComparator = 'all-other' | 'all';

/** One group's figures on one question, as released. Percentages from 0 to 100; the gap in percentage points. */
export interface GroupResult {
  group: string;
  groupLabel: string;
  comparator: ViewsComparator;
  groupCount: number | null;
  groupValue: number | null;
  groupLower: number | null;
  groupUpper: number | null;
  comparatorCount: number | null;
  comparatorValue: number | null;
  comparatorLower: number | null;
  comparatorUpper: number | null;
  gap: number | null;
  gapLower: number | null;
  gapUpper: number | null;
  significant: boolean | null;
  suppressed: boolean;
  suppressedReason: ViewsWithheld | null;
  /** Respondents who answered the question but did not say whether they are in the group (released); null when withheld. */
  notSaidCount: number | null;
}

/** How figures are released: with the installation's keys (every page and the API), or exact (only for checking the arithmetic). */
export type Release = { keys: (side: string) => number } | 'exact';

function released(counts: AgreeCounts, release: Release, side: string): { side: AgreeCounts; withheld: null } | { side: null; withheld: WithheldBecause } {
  if (release === 'exact') return { side: counts, withheld: null };
  const result = releaseSummary({ n: counts.n, sum: counts.agreeing, sumsq: counts.agreeing }, 'binary', { key: release.keys(side) });
  return result.summary === null ? { side: null, withheld: result.withheld } : { side: { n: result.summary.n, agreeing: result.summary.sum }, withheld: null };
}

const reasonOf = (side: 'group' | 'comparator', because: WithheldBecause): ViewsWithheld => `${side}-${because === 'few-children' ? 'few-children' : 'few-with-outcome'}`;

/** The percentage agreeing with its Wilson interval (stats `proportion`), or nulls for nobody. */
export function agreeingShare(counts: AgreeCounts): { value: number | null; lower: number | null; upper: number | null } {
  if (counts.n === 0) return { value: null, lower: null, upper: null };
  const result = proportion(counts.agreeing, counts.n, { multiplier: 100 });
  return { value: result.value, lower: result.lower, upper: result.upper };
}

/**
 * One group against its comparator on one question: against those who said they are not in it
 * (Newcombe's interval for the difference of two independent proportions), or against all who
 * answered, the group among them (the gap against the others scaled by their share, stats
 * `gapAgainstWhole`, as the gap matrix does). Released sides are used throughout, so every figure
 * shown is made from released counts only.
 */
export function groupResult(
  group: { id: string; label: string },
  counts: { in: AgreeCounts; out: AgreeCounts; notSaid: AgreeCounts; all: AgreeCounts },
  comparator: ViewsComparator,
  release: Release,
): GroupResult {
  const withheldResult = (reason: ViewsWithheld): GroupResult => ({
    group: group.id,
    groupLabel: group.label,
    comparator,
    groupCount: null,
    groupValue: null,
    groupLower: null,
    groupUpper: null,
    comparatorCount: null,
    comparatorValue: null,
    comparatorLower: null,
    comparatorUpper: null,
    gap: null,
    gapLower: null,
    gapUpper: null,
    significant: null,
    suppressed: true,
    suppressedReason: reason,
    notSaidCount: null,
  });
  const inside = released(counts.in, release, `${group.id}:in`);
  if (inside.side === null) return withheldResult(reasonOf('group', inside.withheld));
  const against = released(comparator === 'all' ? counts.all : counts.out, release, comparator === 'all' ? 'all' : `${group.id}:out`);
  if (against.side === null) return withheldResult(reasonOf('comparator', against.withheld));
  const own = agreeingShare(inside.side);
  const theirs = agreeingShare(against.side);
  let gap: { value: number | null; lower: number | null; upper: number | null } = { value: null, lower: null, upper: null };
  if (inside.side.n > 0 && against.side.n > 0) {
    if (comparator === 'all-other') {
      const difference = proportionDifference({ numerator: inside.side.agreeing, denominator: inside.side.n }, { numerator: against.side.agreeing, denominator: against.side.n }, { multiplier: 100 });
      gap = { value: difference.value, lower: difference.lower, upper: difference.upper };
    } else {
      const others = { n: against.side.n - inside.side.n, agreeing: against.side.agreeing - inside.side.agreeing };
      const direct = (own.value ?? 0) - (theirs.value ?? 0);
      // Released sides are rounded apart, so everyone less the group can come out empty or impossible: then no interval.
      if (others.n >= 1 && others.agreeing >= 0 && others.agreeing <= others.n) {
        const againstOthers = proportionDifference({ numerator: inside.side.agreeing, denominator: inside.side.n }, { numerator: others.agreeing, denominator: others.n }, { multiplier: 100 });
        const whole = gapAgainstWhole({ value: againstOthers.value, lower: againstOthers.lower, upper: againstOthers.upper }, inside.side.n, others.n);
        gap = { value: direct, lower: whole.lower, upper: whole.upper };
      } else gap = { value: direct, lower: null, upper: null };
    }
  }
  const notSaid = release === 'exact' ? counts.notSaid.n : releaseCount(counts.notSaid.n, { key: release.keys(`${group.id}:not-said`) });
  return {
    group: group.id,
    groupLabel: group.label,
    comparator,
    groupCount: inside.side.n,
    groupValue: own.value,
    groupLower: own.lower,
    groupUpper: own.upper,
    comparatorCount: against.side.n,
    comparatorValue: theirs.value,
    comparatorLower: theirs.lower,
    comparatorUpper: theirs.upper,
    gap: gap.value,
    gapLower: gap.lower,
    gapUpper: gap.upper,
    significant: gap.lower === null || gap.upper === null ? null : gap.lower > 0 || gap.upper < 0,
    suppressed: false,
    suppressedReason: null,
    notSaidCount: notSaid,
  };
}

/** One closed question's results: everyone who answered (released), and each group against the comparator. */
export interface QuestionResult {
  question: Question;
  /** All respondents to the question; null when withheld (1 to 4 of them, or agreeing or not). */
  all: { count: number; value: number | null; lower: number | null; upper: number | null } | null;
  groups: GroupResult[];
}

export interface SurveyResults {
  survey: Survey;
  comparator: ViewsComparator;
  questions: QuestionResult[];
}

/**
 * The key of a set of respondents: the same survey, group and side always get the same key, and
 * `releaseSummary` mixes in the set's own true counts, so the same respondents counted for two
 * questions get the same released count and asking again gains nothing.
 */
function keysFor(cellKeys: CellKeys, surveyId: string): (side: string) => number {
  return (side) => cellKeys.named('survey', surveyId, side);
}

const groupNames = () => new Map(frameworkGroupList().map((group) => [group.id, group.name]));

/** Every closed question's results from a survey's counts (pure: the arithmetic behind the page, the API and the gap matrix). */
export function resultsFromCounts(survey: Survey, questions: readonly Question[], counts: ReadonlyMap<string, QuestionCounts>, comparator: ViewsComparator, release: Release): QuestionResult[] {
  const names = groupNames();
  return questions
    .filter((question) => isClosed(question.kind))
    .map((question) => {
      const figures: QuestionCounts = counts.get(question.id) ?? { all: none(), groups: new Map() };
      const everyone = released(figures.all, release, 'all');
      const share = everyone.side === null ? null : agreeingShare(everyone.side);
      return {
        question,
        all: everyone.side === null || share === null ? null : { count: everyone.side.n, ...share },
        groups: survey.asksGroups
          ? survey.groupIds.map((id) => {
              const sides = figures.groups.get(id) ?? { in: none(), out: none(), notSaid: none() };
              return groupResult({ id, label: names.get(id) ?? id }, { ...sides, all: figures.all }, comparator, release);
            })
          : [],
      };
    });
}

/** A survey's results as everyone sees them: released under disclosure control with the installation's cell keys. */
export async function surveyResults(db: Kysely<Schema>, survey: Survey, comparator: ViewsComparator = 'all-other'): Promise<SurveyResults> {
  const [questions, counts, cellKeys] = await Promise.all([questionsOf(db, survey), surveyCounts(db, survey), cellKeysFor(db)]);
  return { survey, comparator, questions: resultsFromCounts(survey, questions, counts, comparator, { keys: keysFor(cellKeys, survey.id) }) };
}

/** A question as an indicator of the gap matrix's "views" outcome. */
export interface ViewsIndicator {
  /** `views:<question id>`: unique, stable and safe in an address. */
  name: string;
  /** The question, and the survey it is from. */
  label: string;
  surveyId: string;
  surveyTitle: string;
  polarity: Polarity;
}

/** The gap matrix's sixth outcome. */
export const viewsOutcome = { id: 'views', name: 'Children’s and parents’ views' } as const;

/** The academic year a survey belongs to: the one its opening day falls in (September to August). */
function academicYearOf(date: string | null): string {
  const day = date ?? new Date().toISOString().slice(0, 10);
  const [year, month] = day.split('-').map(Number) as [number, number];
  return formatAcademicYear(month >= 9 ? year : year - 1);
}

/**
 * The "views" outcome of an authority's gap matrix: one indicator per closed question of its open
 * and closed surveys that ask about groups, and one cell per group and question, the same figures
 * as the survey's results page (released, whoever asks). Called by the gaps capability, which never
 * reads the surveys' tables.
 */
export async function viewsGapCells(db: Kysely<Schema>, laCode: string, comparator: ViewsComparator): Promise<{ indicators: ViewsIndicator[]; cells: GapCell[] }> {
  const surveys = (await listSurveys(db, [laCode], ['open', 'closed'])).filter((survey) => survey.asksGroups);
  const indicators: ViewsIndicator[] = [];
  const cells: GapCell[] = [];
  for (const survey of surveys) {
    const results = await surveyResults(db, survey, comparator);
    const year = academicYearOf(survey.opensOn);
    for (const result of results.questions) {
      const name = `views:${result.question.id}`;
      indicators.push({ name, label: `${result.question.text} (${survey.title})`, surveyId: survey.id, surveyTitle: survey.title, polarity: result.question.polarity });
      for (const group of result.groups) cells.push(gapCellOf(group, name, year, result.question.polarity));
    }
  }
  return { indicators, cells };
}

function gapCellOf(group: GroupResult, indicator: string, year: string, polarity: Polarity): GapCell {
  return {
    group: group.group,
    group_label: group.groupLabel,
    indicator,
    outcome: viewsOutcome.id,
    year,
    group_count: group.groupCount,
    group_value: oneDecimal(group.groupValue),
    group_lower: oneDecimal(group.groupLower),
    group_upper: oneDecimal(group.groupUpper),
    comparator: group.comparator,
    comparator_count: group.comparatorCount,
    comparator_value: oneDecimal(group.comparatorValue),
    comparator_lower: oneDecimal(group.comparatorLower),
    comparator_upper: oneDecimal(group.comparatorUpper),
    gap: oneDecimal(group.gap),
    gap_lower: oneDecimal(group.gapLower),
    gap_upper: oneDecimal(group.gapUpper),
    significant: group.significant,
    // One survey is one point in time: no direction of travel.
    trend: 'not-enough-data',
    suppressed: group.suppressed,
    unknown_count: group.notSaidCount,
    value_type: 'percentage',
    polarity,
    comparator_note: null,
    comparator_source: null,
    suppressed_reason: group.suppressedReason,
  };
}

/** Released figures are shown to one decimal place, as the gap matrix shows them to suppressed viewers. */
export function oneDecimal(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}
