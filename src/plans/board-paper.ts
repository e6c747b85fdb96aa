/**
 * The board paper of a plan as one view model (board-paper-model.ts), which the page, the PDF and
 * the Word file all render. Everything is worked out here, in words, from the plan, its measures'
 * readings and its described links, so the three formats cannot disagree.
 */
import { formatDate } from '../web/format.js';
import type { BoardAction, BoardPaper, BoardPriority } from './board-paper-model.js';
import { actionStatusText } from './forms.js';
import type { DescribedLink } from './links.js';
import { linkKey } from './links.js';
import { measureFigure } from './measure-figure.js';
import type { MeasureReading } from './measures.js';
import type { ImprovementAction, ImprovementPlan, Priority } from './model.js';
import { actionsOf, isSlipping, priorityProgress } from './progress.js';
import { improvementActionStatuses } from './tables.js';
import { isOverdue } from './timeline.js';

export interface BoardPaperInput {
  plan: ImprovementPlan;
  readings: readonly MeasureReading[];
  links: ReadonlyMap<string, DescribedLink>;
  /** ISO date the paper is made for. */
  today: string;
}

const directionWords: Record<MeasureReading['direction'], string> = {
  toward: 'Moving toward the target',
  away: 'Moving away from the target',
  unchanged: 'No change from the baseline',
  'no-data': 'No figure yet',
};

function figureText(value: number | null, units: MeasureReading['units']): string {
  if (value === null) return 'Not known';
  if (units === 'percent') return `${value.toFixed(1)}%`;
  const sign = value > 0 ? '+' : '';
  return `${sign}${value.toFixed(1)}${units === 'percentage points' ? ' percentage points' : ''}`;
}

function boardAction(priority: Priority, action: ImprovementAction, today: string): BoardAction {
  return {
    priority: `${priority.position}. ${priority.title}`,
    title: action.title,
    owner: action.owner.label,
    start: formatDate(action.startDate),
    due: formatDate(action.dueDate),
    status: action.status,
    statusLabel: actionStatusText[action.status],
    overdue: isOverdue(action, today),
    latestNote: action.updates.at(-1)?.note ?? '',
  };
}

function evidenceOf(priority: Priority, links: ReadonlyMap<string, DescribedLink>): { kind: string; text: string }[] {
  return priority.links.map((link) => {
    const described = links.get(linkKey(link));
    if (described === undefined) return { kind: link.kind, text: link.target };
    const rating = described.rating === undefined ? '' : ` (rated ${described.rating.levelLabel}${described.rating.previousLevelLabel === null ? '' : `; ${described.rating.previousLevelLabel} at the assessment before`})`;
    return { kind: described.kindLabel, text: `${described.text}${rating}` };
  });
}

export function buildBoardPaper(input: BoardPaperInput): BoardPaper {
  const { plan, readings, links, today } = input;
  const all = actionsOf(plan);
  const overdue = all.filter(({ action }) => isOverdue(action, today));
  const slipping = all.filter(({ action }) => isSlipping(action, today));
  const done = all.filter(({ action }) => action.status === 'done');
  const toward = readings.filter((reading) => reading.direction === 'toward');
  const away = readings.filter((reading) => reading.direction === 'away');

  const priorities: BoardPriority[] = plan.priorities.map((priority) => {
    const own = readings.filter((reading) => reading.measure.priorityId === priority.id);
    return {
      position: priority.position,
      title: priority.title,
      rationale: priority.rationale,
      evidence: evidenceOf(priority, links),
      progress: priorityProgress(priority, readings, links, today).sentence,
      measures: own.map((reading) => ({
        label: reading.label,
        baseline: `${figureText(reading.measure.baselineValue, reading.units)} (${reading.measure.baselineYear})`,
        latest: reading.latest === null ? (reading.refusal ?? 'No figure yet') : `${figureText(reading.latest.value, reading.units)} (${reading.latest.year})`,
        target: `${figureText(reading.measure.targetValue, reading.units)} by ${reading.measure.targetYear}`,
        direction: reading.direction,
        directionText: directionWords[reading.direction],
        figure: measureFigure(reading, `measure-${reading.measure.id}`),
      })),
      actions: priority.actions.map((action) => boardAction(priority, action, today)),
    };
  });

  const exceptions = [
    ...overdue.map(({ priority, action }) => ({ what: `${action.title} (${action.owner.label})`, why: `Overdue: due ${formatDate(action.dueDate)}, ${actionStatusText[action.status].toLowerCase()}; priority ${priority.position}` })),
    ...slipping.map(({ priority, action }) => ({ what: `${action.title} (${action.owner.label})`, why: `${actionStatusText[action.status]}: due ${formatDate(action.dueDate)}; priority ${priority.position}` })),
    ...away.map((reading) => ({ what: reading.label, why: `Moving away from the target: ${figureText(reading.latest?.value ?? null, reading.units)} in ${reading.latest?.year ?? '–'} against a baseline of ${figureText(reading.measure.baselineValue, reading.units)}` })),
  ];

  const summary = [
    `The plan has ${plan.priorities.length} ${plan.priorities.length === 1 ? 'priority' : 'priorities'} and ${all.length} ${all.length === 1 ? 'action' : 'actions'}, of which ${done.length} ${done.length === 1 ? 'is' : 'are'} done.`,
    overdue.length + slipping.length === 0
      ? 'No action is overdue, at risk or off track.'
      : `${overdue.length} ${overdue.length === 1 ? 'action is' : 'actions are'} overdue and ${slipping.length} more ${slipping.length === 1 ? 'is' : 'are'} at risk or off track: see the exceptions.`,
    readings.length === 0
      ? 'No success measures have been set yet.'
      : `${toward.length} of ${readings.length} success ${readings.length === 1 ? 'measure is' : 'measures are'} moving toward ${readings.length === 1 ? 'its target' : 'their targets'}${away.length > 0 ? `, ${away.length} away from ${away.length === 1 ? 'it' : 'them'}` : ''}.`,
  ];

  return {
    title: `${plan.title}: report to the board`,
    organisation: plan.organisationName,
    period: `${formatDate(plan.periodStart)} to ${formatDate(plan.periodEnd)}`,
    asOf: formatDate(today),
    vision: plan.vision,
    keyFigures: [
      { label: 'Priorities', value: String(plan.priorities.length) },
      { label: 'Actions', value: String(all.length) },
      { label: 'Done', value: String(done.length) },
      { label: 'Overdue', value: String(overdue.length) },
      { label: 'At risk or off track', value: String(slipping.length) },
      { label: 'Measures moving toward target', value: `${toward.length} of ${readings.length}` },
    ],
    summary,
    priorities,
    actionsByStatus: improvementActionStatuses.map((status) => ({
      status,
      label: actionStatusText[status],
      actions: all.filter(({ action }) => action.status === status).map(({ priority, action }) => boardAction(priority, action, today)),
    })),
    exceptions,
  };
}
