/**
 * Suggested priorities: the evidence an organisation already holds (its gaps, its data gaps, its
 * self-assessment and its moderation), gathered into candidates and ranked by one stated rule
 * (`rankingRule`). Pure: the evidence is read elsewhere (evidence.ts) and passed in.
 */
import type { PriorityLink } from './model.js';

/** A gap the group does worse on, from the gap matrix's ranking of curves to turn (gaps/curves.ts). */
export interface GapEvidence {
  group: string;
  groupLabel: string;
  indicator: string;
  indicatorLabel: string;
  year: string;
  /** Percentage points or the measure's units, signed as the gap matrix signs it. */
  gap: number;
  valueType: 'percentage' | 'mean';
  significant: boolean | null;
  trend: 'narrowing' | 'widening' | 'no-significant-change' | 'not-enough-data';
  /** The curve's score in the ranking of curves to turn (`curveScore`). */
  curveScore: number;
  curveRank: number;
}

/** A statement of the latest signed-off self-assessment, with the rating before it when there was one. */
export interface RatingEvidence {
  statementId: string;
  thread: string | null;
  text: string;
  level: number;
  levelLabel: string;
  previousLevel: number | null;
  previousLevelLabel: string | null;
  /** e.g. "Template 1 (local authority), 2026/27". */
  assessment: string;
  assessmentId: string;
}

/** A statement where a peer moderator's rating differed from the self-rating. */
export interface DisagreementEvidence {
  statementId: string;
  thread: string | null;
  text: string;
  selfLevelLabel: string;
  moderatedLevelLabel: string;
  assessmentId: string;
}

/** What the data cannot yet say: an indicator with no children recorded, or a group whose membership is mostly unknown. */
export interface DataGapEvidence {
  kind: 'indicator-missing' | 'group-unknown';
  /** The indicator or group id. */
  subject: string;
  label: string;
  /** Share of children whose membership is unknown, 0 to 1 (group-unknown only). */
  unknownShare?: number;
  year: string;
}

/** A turn-the-curve plan the authority already has. */
export interface CurvePlanEvidence {
  id: string;
  title: string;
  indicator: string;
  groupSpec: string;
}

/** A locality where need is high and the offer of a strand of the core offer is thin (directory/coverage.ts). */
export interface OfferGapEvidence {
  locality: string;
  strandLabel: string;
  localServices: number;
  /** Children in vulnerable groups at the locality's settings, as released to the viewer (null when withheld). */
  vulnerable: number | null;
}

export interface SuggestionEvidence {
  gaps: readonly GapEvidence[];
  /** Flagged places of the core offer's coverage, ranked; none for an organisation other than an authority. */
  offerGaps: readonly OfferGapEvidence[];
  ratings: readonly RatingEvidence[];
  disagreements: readonly DisagreementEvidence[];
  dataGaps: readonly DataGapEvidence[];
  curvePlans: readonly CurvePlanEvidence[];
  /** Thread id to its short title ("you can do it!"). */
  threadTitles: ReadonlyMap<string, string>;
  /** Where evidence lives, so a suggestion can link to it. */
  authority: string;
}

export type EvidenceKind = 'gap' | 'rating' | 'slipping' | 'moderation' | 'data-gap' | 'curve-plan' | 'offer-gap';

export interface EvidenceItem {
  kind: EvidenceKind;
  text: string;
  /** What this piece adds to the score (see `rankingRule`). */
  weight: number;
  href: string;
}

export interface Suggestion {
  /** Stable while the evidence names the same thing: `group:<id>`, `thread:<GTnn>`, `data`, `offer`. */
  key: string;
  kind: 'group' | 'thread' | 'data' | 'offer';
  title: string;
  /** One sentence: why it is here. */
  why: string;
  score: number;
  rank: number;
  /** Strongest first. */
  evidence: EvidenceItem[];
  /** What a priority made from it links to. */
  links: PriorityLink[];
}

/** The rule, as the suggestions page states it. */
export const rankingRule = [
  'Each piece of evidence has a weight. A gap the group does worse on counts if it is significant or widening, and weighs its score in the ranking of curves to turn (the size of the gap, the children behind it, whether it is significant and which way it is moving).',
  'A statement of the latest signed-off self-assessment rated “not yet in place” weighs 2, “developing” 1; a statement rated lower than at the assessment before weighs twice as much (and at least 1). A statement where a peer moderator’s rating differed weighs 1.',
  'An indicator with no children recorded, or a group whose membership is unknown for more than 10% of children, weighs 1.',
  'A locality where need is high and a strand of the core offer is thin weighs 2 when it has no local service of that strand, 1 when it has too few.',
  'Evidence about the same group becomes one suggestion; evidence about the same golden thread becomes one suggestion; data gaps become one suggestion; thin places in the core offer become one suggestion.',
  'A suggestion’s score is its heaviest piece of evidence plus a quarter of the rest, so that breadth counts without a long list outweighing one serious gap. Highest score first; equal scores in alphabetical order.',
] as const;

/** Share of children with unknown membership above which a group's data counts as a gap. */
export const unknownShareThreshold = 0.1;

const ratingWeights: Readonly<Record<number, number>> = { 1: 2, 2: 1 };

/** A statement's weight: its rating, doubled when it slipped (and at least 1 then). */
export function ratingWeight(level: number, previousLevel: number | null): number {
  const base = ratingWeights[level] ?? 0;
  const slipped = previousLevel !== null && level < previousLevel;
  return slipped ? Math.max(1, base * 2) : base;
}

/** The heaviest piece plus a quarter of the rest. */
export function combinedScore(weights: readonly number[]): number {
  if (weights.length === 0) return 0;
  const heaviest = Math.max(...weights);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return Math.round((heaviest + (total - heaviest) / 4) * 1000) / 1000;
}

const round1 = (value: number) => (Math.round(value * 10) / 10).toFixed(1);

function gapText(gap: GapEvidence): string {
  const units = gap.valueType === 'percentage' ? 'percentage points' : 'points';
  const trend = gap.trend === 'widening' ? ', widening' : gap.trend === 'narrowing' ? ', narrowing' : '';
  const significance = gap.significant === true ? 'significant' : 'not significant';
  return `${gap.indicatorLabel}: a gap of ${round1(gap.gap)} ${units} in ${gap.year} (${significance}${trend}; number ${gap.curveRank} of the curves to turn)`;
}

function threadOf(statementId: string, thread: string | null): string | null {
  return thread ?? /^GT(0[1-9]|10)/.exec(statementId)?.[0] ?? null;
}

interface Draft {
  kind: Suggestion['kind'];
  subject: string;
  title: string;
  evidence: EvidenceItem[];
  links: PriorityLink[];
}

function draftFor(drafts: Map<string, Draft>, key: string, make: () => Omit<Draft, 'evidence' | 'links'>): Draft {
  let draft = drafts.get(key);
  if (draft === undefined) {
    draft = { ...make(), evidence: [], links: [] };
    drafts.set(key, draft);
  }
  return draft;
}

function addLink(draft: Draft, link: PriorityLink): void {
  if (!draft.links.some((existing) => existing.kind === link.kind && existing.target === link.target)) draft.links.push(link);
}

function whyOf(draft: Draft): string {
  const counts = new Map<EvidenceKind, number>();
  for (const item of draft.evidence) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  const parts: string[] = [];
  const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  if (counts.has('gap')) parts.push(plural(counts.get('gap')!, 'significant or widening gap', 'significant or widening gaps'));
  if (counts.has('rating')) parts.push(plural(counts.get('rating')!, 'statement rated below “established”', 'statements rated below “established”'));
  if (counts.has('slipping')) parts.push(plural(counts.get('slipping')!, 'statement rated lower than before', 'statements rated lower than before'));
  if (counts.has('moderation')) parts.push(plural(counts.get('moderation')!, 'statement where moderation disagreed', 'statements where moderation disagreed'));
  if (counts.has('data-gap')) parts.push(plural(counts.get('data-gap')!, 'gap in the data', 'gaps in the data'));
  if (counts.has('offer-gap')) parts.push(plural(counts.get('offer-gap')!, 'locality where need is high and the core offer thin', 'localities and strands where need is high and the core offer thin'));
  if (counts.has('curve-plan')) parts.push(plural(counts.get('curve-plan')!, 'turn-the-curve plan already started', 'turn-the-curve plans already started'));
  const listed = parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `${listed.charAt(0).toUpperCase()}${listed.slice(1)}.`;
}

/** Ranks the candidate priorities the evidence supports (see `rankingRule`). */
export function suggestPriorities(evidence: SuggestionEvidence): Suggestion[] {
  const drafts = new Map<string, Draft>();
  const la = encodeURIComponent(evidence.authority);

  for (const gap of evidence.gaps) {
    if (gap.significant !== true && gap.trend !== 'widening') continue;
    const draft = draftFor(drafts, `group:${gap.group}`, () => ({ kind: 'group', subject: gap.group, title: `Close the gaps for ${gap.groupLabel.charAt(0).toLowerCase()}${gap.groupLabel.slice(1)}` }));
    const query = new URLSearchParams({ la: evidence.authority, indicator: gap.indicator, group: gap.group, comparator: 'all-other' }).toString();
    draft.evidence.push({ kind: 'gap', text: gapText(gap), weight: gap.curveScore, href: `/gaps/indicator?${query}` });
    addLink(draft, { kind: 'gap', target: `${gap.indicator}|${gap.group}` });
  }

  for (const plan of evidence.curvePlans) {
    const draft = drafts.get(`group:${plan.groupSpec}`);
    if (draft === undefined) continue;
    draft.evidence.push({ kind: 'curve-plan', text: `Turn-the-curve plan already started: ${plan.title}`, weight: 0, href: `/plans/${plan.id}` });
    addLink(draft, { kind: 'curve-plan', target: plan.id });
  }

  const threadDraft = (thread: string) =>
    draftFor(drafts, `thread:${thread}`, () => ({ kind: 'thread', subject: thread, title: `Strengthen golden thread ${Number(thread.slice(2))}: ${evidence.threadTitles.get(thread) ?? thread}` }));

  for (const rating of evidence.ratings) {
    const weight = ratingWeight(rating.level, rating.previousLevel);
    const thread = threadOf(rating.statementId, rating.thread);
    if (weight === 0 || thread === null) continue;
    const draft = threadDraft(thread);
    const slipped = rating.previousLevel !== null && rating.level < rating.previousLevel;
    const text = slipped
      ? `“${rating.text}” fell from ${rating.previousLevelLabel} to ${rating.levelLabel} (${rating.assessment})`
      : `“${rating.text}” rated ${rating.levelLabel} (${rating.assessment})`;
    draft.evidence.push({ kind: slipped ? 'slipping' : 'rating', text, weight, href: `/assessments/${rating.assessmentId}/statements/${encodeURIComponent(rating.statementId)}` });
    addLink(draft, { kind: 'thread', target: thread });
    addLink(draft, { kind: 'statement', target: rating.statementId });
  }

  for (const disagreement of evidence.disagreements) {
    const thread = threadOf(disagreement.statementId, disagreement.thread);
    if (thread === null) continue;
    const draft = threadDraft(thread);
    draft.evidence.push({
      kind: 'moderation',
      text: `“${disagreement.text}”: rated ${disagreement.selfLevelLabel} by the authority, ${disagreement.moderatedLevelLabel} by the peer moderator`,
      weight: 1,
      href: `/assessments/${disagreement.assessmentId}/moderation`,
    });
    addLink(draft, { kind: 'thread', target: thread });
    addLink(draft, { kind: 'statement', target: disagreement.statementId });
  }

  for (const gap of evidence.dataGaps) {
    if (gap.kind === 'group-unknown' && (gap.unknownShare ?? 0) <= unknownShareThreshold) continue;
    const draft = draftFor(drafts, 'data', () => ({ kind: 'data', subject: 'data', title: 'Fill the gaps in what our data can tell us' }));
    const text = gap.kind === 'indicator-missing'
      ? `${gap.label}: no children recorded in ${gap.year}`
      : `${gap.label}: membership unknown for ${Math.round((gap.unknownShare ?? 0) * 100)}% of children in ${gap.year}`;
    draft.evidence.push({ kind: 'data-gap', text, weight: 1, href: `/gaps/data?la=${la}` });
  }

  for (const gap of evidence.offerGaps) {
    const draft = draftFor(drafts, 'offer', () => ({ kind: 'offer', subject: 'offer', title: 'Close the gaps in the core offer where need is greatest' }));
    const children = gap.vulnerable === null ? 'a few' : gap.vulnerable.toLocaleString('en-GB');
    const services = gap.localServices === 0 ? 'no local service' : gap.localServices === 1 ? 'only one local service' : `only ${gap.localServices} local services`;
    draft.evidence.push({ kind: 'offer-gap', text: `${gap.locality}: ${services} for ${gap.strandLabel.charAt(0).toLowerCase()}${gap.strandLabel.slice(1)}, with ${children} children in vulnerable groups`, weight: gap.localServices === 0 ? 2 : 1, href: `/directory/coverage?la=${la}` });
  }

  const suggestions = [...drafts.entries()]
    .filter(([, draft]) => draft.evidence.some((item) => item.weight > 0))
    .map(([key, draft]) => {
      const evidenceItems = [...draft.evidence].sort((a, b) => b.weight - a.weight);
      return { key, kind: draft.kind, title: draft.title, why: whyOf(draft), score: combinedScore(evidenceItems.map((item) => item.weight)), rank: 0, evidence: evidenceItems, links: draft.links };
    });
  suggestions.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title, 'en-GB'));
  return suggestions.map((suggestion, index) => ({ ...suggestion, rank: index + 1 }));
}
