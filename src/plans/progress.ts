/**
 * How far each priority has got, in the three ways the board asks: actions done, measures moving
 * toward their targets, and linked statements rated higher at the latest assessment than at the
 * one before. Pure: the plan, its measures' readings and its described links are passed in.
 */
import type { DescribedLink } from './links.js';
import { linkKey } from './links.js';
import type { MeasureReading } from './measures.js';
import type { ImprovementAction, ImprovementPlan, Priority } from './model.js';
import { isOverdue } from './timeline.js';

export interface PriorityProgress {
  actionsDone: number;
  actions: number;
  overdue: number;
  /** At risk or off track, not counting those overdue. */
  slipping: number;
  measuresToward: number;
  measuresAway: number;
  measures: number;
  ratingsImproved: number;
  ratingsCompared: number;
  /** One sentence a board member reads. */
  sentence: string;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function isSlipping(action: ImprovementAction, today: string): boolean {
  return !isOverdue(action, today) && (action.status === 'at-risk' || action.status === 'off-track');
}

export function priorityProgress(priority: Priority, readings: readonly MeasureReading[], links: ReadonlyMap<string, DescribedLink>, today: string): PriorityProgress {
  const own = readings.filter((reading) => reading.measure.priorityId === priority.id);
  const rated = priority.links.flatMap((link) => {
    const rating = link.kind === 'statement' ? links.get(linkKey(link))?.rating : undefined;
    return rating !== undefined && rating.previousLevel !== null && rating.level !== null ? [rating] : [];
  });
  const progress = {
    actionsDone: priority.actions.filter((action) => action.status === 'done').length,
    actions: priority.actions.length,
    overdue: priority.actions.filter((action) => isOverdue(action, today)).length,
    slipping: priority.actions.filter((action) => isSlipping(action, today)).length,
    measuresToward: own.filter((reading) => reading.direction === 'toward').length,
    measuresAway: own.filter((reading) => reading.direction === 'away').length,
    measures: own.length,
    ratingsImproved: rated.filter((rating) => rating.improved).length,
    ratingsCompared: rated.length,
  };
  const parts = [
    progress.actions === 0 ? 'No actions yet' : `${progress.actionsDone} of ${plural(progress.actions, 'action', 'actions')} done${progress.overdue > 0 ? ` (${progress.overdue} overdue)` : ''}`,
    progress.measures === 0 ? 'no success measures yet' : `${progress.measuresToward} of ${plural(progress.measures, 'measure', 'measures')} moving toward target`,
  ];
  if (progress.ratingsCompared > 0) parts.push(`${progress.ratingsImproved} of ${plural(progress.ratingsCompared, 'linked statement', 'linked statements')} rated higher than at the assessment before`);
  return { ...progress, sentence: `${parts.join('; ')}.` };
}

/** Every action of the plan with the priority it serves, in the board's order. */
export function actionsOf(plan: ImprovementPlan): { priority: Priority; action: ImprovementAction }[] {
  return plan.priorities.flatMap((priority) => priority.actions.map((action) => ({ priority, action })));
}
