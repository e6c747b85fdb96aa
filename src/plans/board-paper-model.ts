import type { ChartFigure } from '../web/chart-figure.js';
import type { ImprovementActionStatus } from './tables.js';

/**
 * The board paper as every format renders it (HTML, PDF, Word): words and figures already
 * written out, so the three say the same and no renderer computes anything.
 */
export interface BoardPaper {
  /** e.g. "Improvement plan: report to the Children’s Trust board". */
  title: string;
  organisation: string;
  /** e.g. "1 April 2026 to 31 March 2029". */
  period: string;
  /** The day the paper was made, e.g. "4 December 2026". */
  asOf: string;
  vision: string;
  /** The key figures, in order: "Priorities" 6, "Actions" 24, "Done" 5, "Overdue" 2, ... */
  keyFigures: { label: string; value: string }[];
  /** Two to four sentences a chair reads first. */
  summary: string[];
  priorities: BoardPriority[];
  /** Every status, in the order of `improvementActionStatuses`, with its actions (possibly none). */
  actionsByStatus: { status: ImprovementActionStatus; label: string; actions: BoardAction[] }[];
  /** Overdue, off-track and at-risk actions, and measures moving away from target: what the board must hear about. */
  exceptions: { what: string; why: string }[];
}

export interface BoardPriority {
  position: number;
  title: string;
  rationale: string;
  /** Why it is a priority: each a kind ("Self-assessment", "Gap", "Data gap", "Moderation", "Turn-the-curve plan", "Practice") and a sentence. */
  evidence: { kind: string; text: string }[];
  /** One sentence: actions done of all, measures moving toward target of all. */
  progress: string;
  measures: BoardMeasure[];
  actions: BoardAction[];
}

export interface BoardMeasure {
  /** e.g. "Gap in good level of development: children in care against all other children". */
  label: string;
  baseline: string;
  latest: string;
  target: string;
  direction: 'toward' | 'away' | 'unchanged' | 'no-data';
  /** e.g. "Moving toward the target: 2.1 points closer than the baseline". */
  directionText: string;
  /** The measure's series with its baseline and target; null when there are no figures to draw. */
  figure: ChartFigure | null;
}

export interface BoardAction {
  priority: string;
  title: string;
  owner: string;
  /** Dates written out: "1 September 2026". */
  start: string;
  due: string;
  status: ImprovementActionStatus;
  statusLabel: string;
  overdue: boolean;
  /** The latest note in its log, or "". */
  latestNote: string;
}
