/**
 * Practice for a council's own gaps: published items ranked by how well they serve the gaps the
 * council most needs to close and the parts of its self-assessment it rated weakest, each match
 * with its reason in words. Pure: the gaps and ratings are read by their own capabilities.
 *
 * A gap counts when the group does worse and the gap is significant or widening (the curves to
 * turn). An item serving that group on that outcome matches strongly; serving the group on another
 * outcome matches weakly. A statement or golden thread the council rated "not yet in place" or
 * "developing" matches when the item says it serves it. Better-evidenced items come first among
 * equal matches.
 */
import type { PracticeGrade } from './tables.js';

export interface GapToClose {
  group: string;
  groupLabel: string;
  outcome: string;
  indicatorLabel: string;
  /** Its place in the council's curves to turn (1 is the most urgent). */
  rank: number;
  trend: 'widening' | 'narrowing' | 'no-significant-change' | 'not-enough-data';
  significant: boolean | null;
}

export interface WeakRating {
  /** A template statement or golden-thread statement id. */
  statementId: string;
  /** The golden thread it belongs to, for thread statements (GT03 for GT03-M2). */
  thread: string | null;
  /** The statement's words, as the assessment rated them. */
  text: string;
  level: 1 | 2;
  levelLabel: string;
  /** What was assessed, e.g. "Template one, 2025/26". */
  assessment: string;
}

export interface CandidateItem {
  id: string;
  reference: number;
  title: string;
  grade: PracticeGrade;
  evidenceStrength: number;
  impactMonths: number | null;
  groups: readonly string[];
  outcomes: readonly string[];
  threads: readonly string[];
  statements: readonly string[];
}

export interface MatchReason {
  kind: 'gap' | 'group' | 'rating';
  text: string;
}

export interface PracticeMatch {
  item: CandidateItem;
  score: number;
  reasons: MatchReason[];
}

const gradeWeight: Record<PracticeGrade, number> = { validated: 1.3, promising: 1.15, emerging: 1 };

/** How much a gap weighs: the most urgent most, widening gaps more than others. */
function gapWeight(gap: GapToClose): number {
  return (1 / Math.sqrt(gap.rank)) * (gap.trend === 'widening' ? 1.5 : 1);
}

function shortened(text: string, limit = 110): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), limit - 20))}…`;
}

function outcomeWords(outcome: string): string {
  return outcome.replace(/-/g, ' ');
}

function gapText(gap: GapToClose, exact: boolean): string {
  const trend = gap.trend === 'widening' ? ', widening' : '';
  const where = `your gap for ${gap.groupLabel.charAt(0).toLowerCase()}${gap.groupLabel.slice(1)} on ${gap.indicatorLabel} (number ${gap.rank} of your curves to turn${trend})`;
  return exact ? `Serves this group on “${outcomeWords(gap.outcome)}”: ${where}` : `Serves this group, though on other outcomes: ${where}`;
}

/**
 * Items ranked by their match, best first; items that match nothing are left out. At most `limit`.
 */
export function matchPractice(items: readonly CandidateItem[], gaps: readonly GapToClose[], weak: readonly WeakRating[], limit = 20): PracticeMatch[] {
  const matches: PracticeMatch[] = [];
  for (const item of items) {
    const reasons: MatchReason[] = [];
    let score = 0;
    for (const gap of gaps) {
      if (!item.groups.includes(gap.group)) continue;
      const exact = item.outcomes.includes(gap.outcome);
      score += gapWeight(gap) * (exact ? 2 : 0.5);
      reasons.push({ kind: exact ? 'gap' : 'group', text: gapText(gap, exact) });
    }
    for (const rating of weak) {
      const direct = item.statements.includes(rating.statementId);
      const byThread = !direct && rating.thread !== null && item.threads.includes(rating.thread);
      if (!direct && !byThread) continue;
      score += (rating.level === 1 ? 1.5 : 1) * (direct ? 1 : 0.6);
      reasons.push({
        kind: 'rating',
        text: `${direct ? 'Serves' : 'Serves the golden thread of'} “${shortened(rating.text)}”, which your self-assessment (${rating.assessment}) rated “${rating.levelLabel}”`,
      });
    }
    if (score === 0) continue;
    // Only the strongest few reasons are shown; the score counts them all.
    const ordered = [...reasons.filter((reason) => reason.kind === 'gap'), ...reasons.filter((reason) => reason.kind === 'rating'), ...reasons.filter((reason) => reason.kind === 'group')];
    matches.push({ item, score: score * gradeWeight[item.grade] * (1 + item.evidenceStrength / 10), reasons: ordered });
  }
  return matches.sort((a, b) => b.score - a.score || (b.item.impactMonths ?? -99) - (a.item.impactMonths ?? -99) || a.item.reference - b.item.reference).slice(0, limit);
}
