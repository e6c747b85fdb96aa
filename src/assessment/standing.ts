/**
 * Where an organisation stands: progress, the heatmap of a template, bars per golden thread (or
 * template three's principles), the weakest statements and the change since the previous
 * assessment of the same scope. Pure functions over an assessment as `readAssessment` gives it: no
 * I/O, so pages, downloads, the board report and the "at a glance" page compute every figure here.
 *
 * Two counts are kept apart on purpose:
 * - **rated** (progress): a statement with a level or "not applicable" that someone rated in this
 *   assessment. A rating carried forward from the previous period is counted separately as
 *   "carried forward, not yet confirmed" until someone rates the statement again.
 * - **level in force** (heatmap, bars, weakest, headline): the level the statement has now, whether
 *   rated this period or carried forward, because a carried level is still the best knowledge of
 *   where the organisation stands. How many of them are carried forward is always said beside it.
 *
 * Medians: the median of an even number of levels can fall between two levels (2 and 3). The
 * service then shows the **lower median** (the lower of the two middle levels) and says it lies
 * between them ("Developing to established"), so a figure never claims a level that half of the
 * statements have not reached.
 */
import type { AssessmentStatementRow } from './store.js';
import type { AssessmentScope, Confidence } from './tables.js';

/** The parts of an assessment these figures need (an `Assessment` from store.ts has them all). */
export type StandingStatement = AssessmentStatementRow;

export interface StandingRating {
  statementId: string;
  level: number | null;
  notApplicable: boolean;
  confidence: Confidence | null;
  carriedForward: boolean;
  note: string;
  links: readonly unknown[];
  nextStep: string;
  nextStepOwner: string;
  nextStepDue: string | null;
}

export interface StandingAssessment {
  scope: AssessmentScope;
  statements: readonly StandingStatement[];
  ratings: readonly StandingRating[];
  evidence: readonly { statementId: string }[];
}

export const layerIds = ['frontline', 'processes', 'strategy', 'governance'] as const;
export const tierIds = ['universal', 'targeted', 'complex', 'specialist'] as const;

/** The matrix's rows and columns as the pack names them (rows as the section pages name them too). */
export const layerLabels: Record<string, string> = {
  frontline: 'Integrated frontline delivery',
  processes: 'Integrated processes',
  strategy: 'Integrated strategy',
  governance: 'Integrated governance',
};
export const tierLabels: Record<string, string> = {
  universal: 'Universal',
  targeted: 'Targeted',
  complex: 'Complex, multiple needs',
  specialist: 'Specialist, acute',
};

/** Level labels as a sentence uses them (the scale's labels, in lower case; "not yet" for level 1 in a distribution). */
const levelWords: Record<number, string> = { 1: 'not yet in place', 2: 'developing', 3: 'established', 4: 'embedded' };
const levelTitles: Record<number, string> = { 1: 'Not yet in place', 2: 'Developing', 3: 'Established', 4: 'Embedded' };

export function isMatrixScope(scope: AssessmentScope): boolean {
  return scope === 'T1' || scope === 'T2' || scope === 'T4' || scope === 'T5';
}

/** A statement's rating: the assessment's ratings in the same order as its statements, matched by id to be safe. */
function ratingsById(assessment: StandingAssessment): Map<string, StandingRating> {
  return new Map(assessment.ratings.map((rating) => [rating.statementId, rating]));
}

type State = 'rated' | 'carried' | 'not-rated';

function stateOf(rating: StandingRating | undefined): State {
  if (rating === undefined || (rating.level === null && !rating.notApplicable)) return 'not-rated';
  return rating.carriedForward ? 'carried' : 'rated';
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

export interface ProgressCount {
  /** Rated in this assessment (a level or "not applicable"), not merely carried forward. */
  rated: number;
  /** Carried forward from the previous period and not yet rated again. */
  carriedForward: number;
  /** Neither. */
  notRated: number;
  total: number;
  /** rated / total, 0 to 100; null when there are no statements. */
  percentRated: number | null;
}

export type ProgressDimension = 'overall' | 'section' | 'layer' | 'tier' | 'thread';

export interface ProgressRow extends ProgressCount {
  dimension: ProgressDimension;
  /** The section id as the section pages name it (`GT01`, `conditions`, `frontline`, `T3-P1`), a tier id, or `all`. */
  key: string;
  label: string;
}

function countOf(statements: readonly StandingStatement[], ratings: Map<string, StandingRating>): ProgressCount {
  let rated = 0;
  let carriedForward = 0;
  for (const statement of statements) {
    const state = stateOf(ratings.get(statement.id));
    if (state === 'rated') rated += 1;
    else if (state === 'carried') carriedForward += 1;
  }
  const total = statements.length;
  return { rated, carriedForward, notRated: total - rated - carriedForward, total, percentRated: total === 0 ? null : (100 * rated) / total };
}

export interface Section {
  /** As the section pages name it: a thread id, `conditions`, a layer id, or a principle id. */
  key: string;
  label: string;
  statements: StandingStatement[];
}

/** The principle a template-three statement belongs to. */
function principleOf(statement: StandingStatement): string | null {
  if (statement.kind === 'principle') return statement.id;
  if (statement.kind === 'principle-point') return statement.parentId;
  return null;
}

function principleNumber(id: string): string {
  return /-P(\d+)$/.exec(id)?.[1] ?? id;
}

/** A golden thread's label: its statement's wording (the thread's title), else its id. */
function threadLabel(statements: readonly StandingStatement[], thread: string): string {
  const own = statements.find((statement) => statement.kind === 'golden-thread' && statement.id === thread);
  const number = /^GT0?(\d+)$/.exec(thread)?.[1];
  const title = own?.text ?? thread;
  return number === undefined ? title : `${number}. ${title.charAt(0).toUpperCase()}${title.slice(1)}`;
}

function groupInOrder<T>(items: readonly T[], keyOf: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return groups;
}

/**
 * The sections of an assessment in the order the statements come: each golden thread; a template's
 * general conditions, then its layers; template three's principles.
 */
export function sectionsOf(assessment: StandingAssessment): Section[] {
  const { statements } = assessment;
  if (assessment.scope === 'threads') {
    return [...groupInOrder(statements, (statement) => statement.thread)].map(([key, members]) => ({ key, label: threadLabel(statements, key), statements: members }));
  }
  if (assessment.scope === 'T3') {
    return [...groupInOrder(statements, principleOf)].map(([key, members]) => {
      const wording = members.find((statement) => statement.id === key)?.text;
      const label = `Principle ${principleNumber(key)}`;
      return { key, label: wording === undefined ? label : `${label}: ${wording.charAt(0).toUpperCase()}${wording.slice(1)}`, statements: members };
    });
  }
  const conditions = statements.filter((statement) => statement.kind === 'general-condition');
  const layers = layerIds
    .map((layer) => ({ key: layer, label: layerLabels[layer]!, statements: statements.filter((statement) => statement.kind === 'matrix-statement' && statement.layer === layer) }))
    .filter((section) => section.statements.length > 0);
  return [...(conditions.length > 0 ? [{ key: 'conditions', label: 'General conditions', statements: conditions }] : []), ...layers];
}

/**
 * Progress: rated / total overall, by section, and for a matrix template by layer and by tier, for
 * the golden threads by thread. Sections and layers coincide for a matrix template's matrix; tiers
 * cut across them.
 */
export function progressOf(assessment: StandingAssessment): ProgressRow[] {
  const ratings = ratingsById(assessment);
  const rows: ProgressRow[] = [{ dimension: 'overall', key: 'all', label: 'All statements', ...countOf(assessment.statements, ratings) }];
  const sections = sectionsOf(assessment);
  const sectionDimension: ProgressDimension = assessment.scope === 'threads' ? 'thread' : 'section';
  for (const section of sections) {
    rows.push({ dimension: layerIds.includes(section.key as (typeof layerIds)[number]) ? 'layer' : sectionDimension, key: section.key, label: section.label, ...countOf(section.statements, ratings) });
  }
  if (isMatrixScope(assessment.scope)) {
    for (const tier of tierIds) {
      const members = assessment.statements.filter((statement) => statement.kind === 'matrix-statement' && statement.tier === tier);
      if (members.length > 0) rows.push({ dimension: 'tier', key: tier, label: tierLabels[tier]!, ...countOf(members, ratings) });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Distributions and medians
// ---------------------------------------------------------------------------------------------

export interface Distribution {
  /** Statements at each level 1 to 4 (index 0 is level 1), counting levels in force. */
  levels: [number, number, number, number];
  notApplicable: number;
  notRated: number;
  /** Of the statements with a level or "not applicable", those carried forward and not yet confirmed. */
  carriedForward: number;
  total: number;
  /** The lower median of the levels in force; null when no statement has a level. */
  median: number | null;
  /** True when the median falls between two levels: `median` is then the lower of the two, `medianUpper` the higher. */
  medianBetween: boolean;
  /** The upper of the two middle levels when the median falls between two levels, else equal to `median`. */
  medianUpper: number | null;
}

/**
 * The lower median of levels: for an odd count the middle level; for an even count the lower of the
 * two middle levels. Example: [1, 2, 3, 4] → lower 2, upper 3; [3, 3, 4] → 3. Null for none.
 */
export function lowerMedian(levels: readonly number[]): { lower: number; upper: number } | null {
  if (levels.length === 0) return null;
  const sorted = [...levels].sort((a, b) => a - b);
  const middle = Math.floor((sorted.length - 1) / 2);
  const lower = sorted[middle]!;
  const upper = sorted.length % 2 === 0 ? sorted[middle + 1]! : lower;
  return { lower, upper };
}

export function distributionOf(statements: readonly StandingStatement[], ratings: Map<string, StandingRating>): Distribution {
  const levels: [number, number, number, number] = [0, 0, 0, 0];
  let notApplicable = 0;
  let carriedForward = 0;
  const found: number[] = [];
  for (const statement of statements) {
    const rating = ratings.get(statement.id);
    const state = stateOf(rating);
    if (state === 'not-rated' || rating === undefined) continue;
    if (state === 'carried') carriedForward += 1;
    if (rating.notApplicable) notApplicable += 1;
    else if (rating.level !== null && rating.level >= 1 && rating.level <= 4) {
      levels[rating.level - 1] = (levels[rating.level - 1] ?? 0) + 1;
      found.push(rating.level);
    }
  }
  const median = lowerMedian(found);
  const withLevel = levels[0] + levels[1] + levels[2] + levels[3];
  return {
    levels,
    notApplicable,
    notRated: statements.length - withLevel - notApplicable,
    carriedForward,
    total: statements.length,
    median: median?.lower ?? null,
    medianBetween: median !== null && median.lower !== median.upper,
    medianUpper: median?.upper ?? null,
  };
}

/** The median as a person reads it: "Established", or "Developing to established" when it falls between two levels; "No levels yet". */
export function medianText(distribution: Pick<Distribution, 'median' | 'medianUpper' | 'medianBetween'>): string {
  if (distribution.median === null) return 'No levels yet';
  if (!distribution.medianBetween || distribution.medianUpper === null) return levelTitles[distribution.median]!;
  return `${levelTitles[distribution.median]!} to ${levelWords[distribution.medianUpper]!}`;
}

/** The distribution in words, highest level first: "3 embedded, 5 established, 2 developing, 1 not yet in place, 1 not applicable, 4 not rated". */
export function distributionText(distribution: Distribution): string {
  const parts: string[] = [];
  for (const level of [4, 3, 2, 1]) {
    const count = distribution.levels[level - 1]!;
    if (count > 0) parts.push(`${count} ${levelWords[level]!}`);
  }
  if (distribution.notApplicable > 0) parts.push(`${distribution.notApplicable} not applicable`);
  if (distribution.notRated > 0) parts.push(`${distribution.notRated} not rated`);
  return parts.length === 0 ? 'No statements' : parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Heatmap (matrix templates)
// ---------------------------------------------------------------------------------------------

export interface HeatmapCell extends Distribution {
  layer: string;
  tier: string;
  /** The section page the cell opens (the layer's). */
  section: string;
}

export interface Heatmap {
  layers: { id: string; label: string }[];
  tiers: { id: string; label: string }[];
  /** One row per layer, one cell per tier, in the pack's order. */
  rows: { layer: string; label: string; cells: HeatmapCell[] }[];
  /** The template's general conditions, summarised as a row of their own. */
  conditions: Distribution;
  /** Every matrix statement together. */
  overall: Distribution;
}

/** The heatmap of a matrix template: layers as rows, tiers as columns; null for the threads and template three. */
export function heatmapOf(assessment: StandingAssessment): Heatmap | null {
  if (!isMatrixScope(assessment.scope)) return null;
  const ratings = ratingsById(assessment);
  const matrix = assessment.statements.filter((statement) => statement.kind === 'matrix-statement');
  const layers = layerIds.filter((layer) => matrix.some((statement) => statement.layer === layer));
  const tiers = tierIds.filter((tier) => matrix.some((statement) => statement.tier === tier));
  return {
    layers: layers.map((id) => ({ id, label: layerLabels[id]! })),
    tiers: tiers.map((id) => ({ id, label: tierLabels[id]! })),
    rows: layers.map((layer) => ({
      layer,
      label: layerLabels[layer]!,
      cells: tiers.map((tier) => ({
        layer,
        tier,
        section: layer,
        ...distributionOf(
          matrix.filter((statement) => statement.layer === layer && statement.tier === tier),
          ratings,
        ),
      })),
    })),
    conditions: distributionOf(
      assessment.statements.filter((statement) => statement.kind === 'general-condition'),
      ratings,
    ),
    overall: distributionOf(matrix, ratings),
  };
}

// ---------------------------------------------------------------------------------------------
// Bars per golden thread (and per principle of template three)
// ---------------------------------------------------------------------------------------------

export interface SectionBar extends Distribution {
  key: string;
  label: string;
}

/**
 * The distribution of levels per golden thread (the thread's own statement and its "this means"
 * items) for the threads scope, or per principle (with its points) for template three; empty for
 * a matrix template, which has the heatmap instead.
 */
export function sectionBarsOf(assessment: StandingAssessment): SectionBar[] {
  if (isMatrixScope(assessment.scope)) return [];
  const ratings = ratingsById(assessment);
  return sectionsOf(assessment).map((section) => ({ key: section.key, label: section.label, ...distributionOf(section.statements, ratings) }));
}

// ---------------------------------------------------------------------------------------------
// Weakest statements
// ---------------------------------------------------------------------------------------------

export interface WeakStatement {
  statement: StandingStatement;
  level: number;
  confidence: Confidence | null;
  /** Files, links, and a written note each count as evidence. */
  evidenceCount: number;
  carriedForward: boolean;
  /** The section page the statement is in. */
  section: string | null;
}

const confidenceRank: Record<string, number> = { low: 1, medium: 2, high: 3 };

/**
 * The weakest statements: lowest level first, then lower confidence (none given counts as lowest),
 * then no evidence before some, then catalogue order. Statements rated "not applicable" or not rated
 * are left out. At most `limit`.
 */
export function weakestOf(assessment: StandingAssessment, limit = 10): WeakStatement[] {
  const ratings = ratingsById(assessment);
  const files = new Map<string, number>();
  for (const file of assessment.evidence) files.set(file.statementId, (files.get(file.statementId) ?? 0) + 1);
  const sectionOfStatement = new Map<string, string>();
  for (const section of sectionsOf(assessment)) for (const statement of section.statements) sectionOfStatement.set(statement.id, section.key);
  const candidates: WeakStatement[] = [];
  for (const statement of assessment.statements) {
    const rating = ratings.get(statement.id);
    if (rating === undefined || rating.notApplicable || rating.level === null) continue;
    candidates.push({
      statement,
      level: rating.level,
      confidence: rating.confidence,
      evidenceCount: (files.get(statement.id) ?? 0) + rating.links.length + (rating.note.trim() === '' ? 0 : 1),
      carriedForward: rating.carriedForward,
      section: sectionOfStatement.get(statement.id) ?? null,
    });
  }
  candidates.sort(
    (a, b) =>
      a.level - b.level ||
      (a.confidence === null ? 0 : confidenceRank[a.confidence]!) - (b.confidence === null ? 0 : confidenceRank[b.confidence]!) ||
      Number(a.evidenceCount > 0) - Number(b.evidenceCount > 0) ||
      a.statement.position - b.statement.position,
  );
  return candidates.slice(0, Math.max(0, limit));
}

// ---------------------------------------------------------------------------------------------
// Change since the previous assessment
// ---------------------------------------------------------------------------------------------

export const changeKinds = ['improved', 'slipped', 'unchanged', 'new', 'not-applicable', 'not-yet-re-rated', 'retired'] as const;
export type ChangeKind = (typeof changeKinds)[number];

export const changeKindLabels: Record<ChangeKind, string> = {
  improved: 'Improved',
  slipped: 'Slipped',
  unchanged: 'Unchanged',
  new: 'New',
  'not-applicable': 'Now not applicable',
  'not-yet-re-rated': 'Not yet re-rated',
  retired: 'No longer in the framework',
};

export interface StatementChange {
  statementId: string;
  text: string;
  position: number;
  kind: ChangeKind;
  previousLevel: number | null;
  previousNotApplicable: boolean;
  currentLevel: number | null;
  currentNotApplicable: boolean;
}

export interface ChangeSummary {
  counts: Record<ChangeKind, number>;
  /** Every statement of either assessment: the current one's in order, then the retired ones. */
  changes: StatementChange[];
}

/**
 * What changed since the previous assessment of the same scope, statement by statement:
 * - improved / slipped / unchanged: rated in this assessment with a level, and with a level before;
 * - new: not in the previous assessment at all, or rated now with a level where the previous had none;
 * - not applicable: rated "not applicable" now (unchanged if it was so before too);
 * - not yet re-rated: carried forward, or not rated in this assessment (whether or not rated before);
 * - retired: in the previous assessment but not in this one.
 */
export function changeSince(current: StandingAssessment, previous: StandingAssessment): ChangeSummary {
  const now = ratingsById(current);
  const before = ratingsById(previous);
  const previousIds = new Set(previous.statements.map((statement) => statement.id));
  const currentIds = new Set(current.statements.map((statement) => statement.id));
  const changes: StatementChange[] = [];
  for (const statement of current.statements) {
    const rating = now.get(statement.id);
    const old = previousIds.has(statement.id) ? before.get(statement.id) : undefined;
    const currentLevel = rating?.level ?? null;
    const currentNotApplicable = rating?.notApplicable ?? false;
    const previousLevel = old?.level ?? null;
    const previousNotApplicable = old?.notApplicable ?? false;
    let kind: ChangeKind;
    if (!previousIds.has(statement.id)) kind = 'new';
    else if (stateOf(rating) !== 'rated') kind = 'not-yet-re-rated';
    else if (currentNotApplicable) kind = previousNotApplicable ? 'unchanged' : 'not-applicable';
    else if (currentLevel === null || previousLevel === null) kind = 'new';
    else kind = currentLevel > previousLevel ? 'improved' : currentLevel < previousLevel ? 'slipped' : 'unchanged';
    changes.push({ statementId: statement.id, text: statement.text, position: statement.position, kind, previousLevel, previousNotApplicable, currentLevel, currentNotApplicable });
  }
  for (const statement of previous.statements) {
    if (currentIds.has(statement.id)) continue;
    const old = before.get(statement.id);
    changes.push({
      statementId: statement.id,
      text: statement.text,
      position: statement.position,
      kind: 'retired',
      previousLevel: old?.level ?? null,
      previousNotApplicable: old?.notApplicable ?? false,
      currentLevel: null,
      currentNotApplicable: false,
    });
  }
  const counts = Object.fromEntries(changeKinds.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  for (const change of changes) counts[change.kind] += 1;
  return { counts, changes };
}

// ---------------------------------------------------------------------------------------------
// Headline (the "at a glance" page)
// ---------------------------------------------------------------------------------------------

export interface Headline {
  /** Statements with a level in force. */
  withLevel: number;
  /** Of those, established or embedded. */
  establishedOrEmbedded: number;
  /** establishedOrEmbedded / withLevel, 0 to 100; null when none has a level. */
  percentEstablishedOrEmbedded: number | null;
  median: Distribution['median'];
  medianUpper: Distribution['medianUpper'];
  medianBetween: boolean;
  overall: Distribution;
  /** Improved and slipped since the previous assessment, when there is one. */
  improved: number | null;
  slipped: number | null;
}

/** One line of where an assessment stands, with the change since the previous one if given. */
export function headlineOf(assessment: StandingAssessment, previous?: StandingAssessment): Headline {
  const overall = distributionOf(assessment.statements, ratingsById(assessment));
  const withLevel = overall.levels[0] + overall.levels[1] + overall.levels[2] + overall.levels[3];
  const establishedOrEmbedded = overall.levels[2] + overall.levels[3];
  const change = previous === undefined ? undefined : changeSince(assessment, previous);
  return {
    withLevel,
    establishedOrEmbedded,
    percentEstablishedOrEmbedded: withLevel === 0 ? null : (100 * establishedOrEmbedded) / withLevel,
    median: overall.median,
    medianUpper: overall.medianUpper,
    medianBetween: overall.medianBetween,
    overall,
    improved: change?.counts.improved ?? null,
    slipped: change?.counts.slipped ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Next steps (the board report)
// ---------------------------------------------------------------------------------------------

export interface NextStep {
  statement: StandingStatement;
  level: number | null;
  step: string;
  owner: string;
  due: string | null;
}

/** Every next step written against a statement: dated ones first, soonest first, then undated in catalogue order. */
export function nextStepsOf(assessment: StandingAssessment): NextStep[] {
  const ratings = ratingsById(assessment);
  const steps: NextStep[] = [];
  for (const statement of assessment.statements) {
    const rating = ratings.get(statement.id);
    if (rating === undefined || rating.nextStep.trim() === '') continue;
    steps.push({ statement, level: rating.level, step: rating.nextStep, owner: rating.nextStepOwner, due: rating.nextStepDue });
  }
  return steps.sort((a, b) => {
    if (a.due !== null && b.due !== null && a.due !== b.due) return a.due < b.due ? -1 : 1;
    if ((a.due === null) !== (b.due === null)) return a.due === null ? 1 : -1;
    return a.statement.position - b.statement.position;
  });
}

export { levelTitles, levelWords };
