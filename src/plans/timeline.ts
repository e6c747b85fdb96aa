import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { formatDate } from '../web/format.js';
import type { ImprovementAction, ImprovementPlan, Priority } from './model.js';
import { improvementActionStatuses } from './tables.js';
import type { ImprovementActionStatus } from './tables.js';

/** An action's status as people read it. */
export const actionStatusWords: Readonly<Record<ImprovementActionStatus, string>> = {
  'not-started': 'Not started',
  'on-track': 'On track',
  'at-risk': 'At risk',
  'off-track': 'Off track',
  done: 'Done',
};

/**
 * GOV.UK colours for the statuses: dark grey, green, orange, red and blue. Every bar also has a
 * thin black outline, so the lighter ones stand out from the white background.
 */
const statusColours: Readonly<Record<ImprovementActionStatus, string>> = {
  'not-started': chartColours.neutral,
  'on-track': '#00703c',
  'at-risk': chartColours.comparator,
  'off-track': '#d4351c',
  done: chartColours.group,
};

/** GOV.UK red, for the word "Overdue" beside an overdue bar (4.5:1 against white). */
const overdueColour = '#d4351c';

/** A row of the chart: the height of the bars grows with the number of rows. */
const rowHeight = 22;
/** Titles longer than this many characters end in an ellipsis on the chart; the table keeps them whole. */
const longestLabel = 40;
const day = 24 * 60 * 60 * 1000;

/** True when the action's due date (yyyy-mm-dd) is before `today` (yyyy-mm-dd) and it is not done. */
export function isOverdue(action: Pick<ImprovementAction, 'dueDate' | 'status'>, today: string): boolean {
  // ISO calendar dates compare as text in date order.
  return action.status !== 'done' && action.dueDate < today;
}

/** The status as the table writes it: the words, and "(overdue)" when it is. */
function statusCell(action: ImprovementAction, today: string): string {
  const words = actionStatusWords[action.status];
  return isOverdue(action, today) ? `${words} (overdue)` : words;
}

/** Milliseconds since 1970 at the start of a calendar date (yyyy-mm-dd) in UTC, so no time zone shifts it. */
function utcDay(iso: string): number {
  const [year = 1970, month = 1, date = 1] = iso.split('-').map(Number);
  return Date.UTC(year, month - 1, date);
}

/** A label short enough for the chart's axis: cut to `longestLabel` characters with an ellipsis. */
function shortLabel(text: string): string {
  const characters = Array.from(text.trim());
  return characters.length <= longestLabel ? characters.join('') : `${characters.slice(0, longestLabel - 1).join('').trimEnd()}…`;
}

/** The plan's priorities in the board's order, each with its actions by due date (then start date, then title). */
function orderedPriorities(plan: ImprovementPlan): { priority: Priority; number: number; actions: ImprovementAction[] }[] {
  return plan.priorities
    .map((priority, index) => ({ priority, index }))
    .sort((a, b) => a.priority.position - b.priority.position || a.index - b.index)
    .map(({ priority }, index) => ({
      priority,
      number: index + 1,
      actions: [...priority.actions].sort((a, b) => compareText(a.dueDate, b.dueDate) || compareText(a.startDate, b.startDate) || compareText(a.title, b.title)),
    }));
}

const earliest = (dates: readonly string[]) => dates.reduce((a, b) => (b < a ? b : a));
const latest = (dates: readonly string[]) => dates.reduce((a, b) => (b > a ? b : a));

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A value written into a Vega expression: JSON, with every character outside printable ASCII as a
 * \u escape, since Vega's expression parser refuses line separators (U+2028, U+2029) inside strings,
 * and every full stop too, so no title can read as the `datum.label` Vega-Lite rewrites in a label expression.
 */
function expressionLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x2d\x2f-\x7e]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

/**
 * The plan's actions as a Gantt chart with its table: a row per action under its priority, a bar
 * from its start to its due date coloured by status, overdue actions outlined thickly and labelled
 * "Overdue", and a vertical line for today. `today` is an ISO date (yyyy-mm-dd).
 */
export function timelineFigure(plan: ImprovementPlan, today: string): ChartFigure {
  const priorities = orderedPriorities(plan);
  const actions = priorities.flatMap((entry) => entry.actions.map((action) => ({ action, entry })));
  const overdue = actions.filter(({ action }) => isOverdue(action, today));

  // One row for each priority's heading, then one for each of its actions. The rows are keyed, so
  // two actions with the same title keep a row each; the axis shows the (shortened) title.
  const labels: Record<string, string> = {};
  const domain: string[] = [];
  const bars = priorities.flatMap((entry) => {
    if (entry.actions.length === 0) return [];
    const headingKey = `p${entry.number}`;
    labels[headingKey] = shortLabel(`Priority ${entry.number}: ${entry.priority.title}`);
    domain.push(headingKey);
    return entry.actions.map((action, index) => {
      const key = `a${entry.number}-${index + 1}`;
      labels[key] = shortLabel(action.title);
      domain.push(key);
      const late = isOverdue(action, today);
      const status = actionStatusWords[action.status];
      return {
        key,
        start: utcDay(action.startDate),
        // The due date is the last day of the action: its bar runs to the end of that day.
        end: utcDay(action.dueDate) + day,
        status,
        overdue: late,
        tip: `${action.title}. Priority ${entry.number}: ${entry.priority.title}. Owner: ${action.owner.label}. ${formatDate(action.startDate)} to ${formatDate(action.dueDate)}. ${status}${late ? ', overdue' : ''}.`,
      };
    });
  });

  // Today's line sits at midday, inside the bar of an action due today (not overdue) and after every overdue one.
  const todayAt = utcDay(today) + day / 2;
  const first = Math.min(todayAt, ...bars.map((bar) => bar.start));
  const last = Math.max(todayAt, ...bars.map((bar) => bar.end));
  // Room on the right for the word "Overdue" beside a bar that ends near the edge.
  // (The left edge is the earliest start or today, from the data: an explicit temporal domain trips Vega-Lite's layer merging.)
  const xEnd = last + Math.max(14 * day, (last - first) * 0.08);
  // The scale is set once, on the bars; the other layers share it.
  const x = { type: 'temporal', title: null } as const;

  const drawn = improvementActionStatuses.filter((status) => actions.some(({ action }) => action.status === status));
  const colour = {
    field: 'status',
    type: 'nominal',
    title: 'Status',
    scale: { domain: drawn.map((status) => actionStatusWords[status]), range: drawn.map((status) => statusColours[status]) },
    legend: { orient: 'top', direction: 'horizontal' },
  } as const;
  const isHeading = "indexof(datum.value, 'p') === 0";
  const y = {
    field: 'key',
    type: 'nominal',
    title: null,
    scale: { domain, paddingInner: 0.3, paddingOuter: 0.2 },
    axis: {
      // The axis writes each row's label, looked up by its key.
      labelExpr: `${expressionLiteral(labels)}[datum.value]`,
      labelLimit: 300,
      labelFontWeight: { condition: { test: isHeading, value: 'bold' }, value: 'normal' },
      ticks: false,
      domain: false,
    },
  } as const;

  const rows: FigureCell[][] = actions.map(({ action, entry }) => [
    `${entry.number}. ${entry.priority.title}`,
    action.title,
    action.owner.label,
    formatDate(action.startDate),
    formatDate(action.dueDate),
    statusCell(action, today),
  ]);

  const counts = drawn.map((status) => {
    const count = actions.filter(({ action }) => action.status === status).length;
    return `${count.toLocaleString('en-GB')} ${actionStatusWords[status].toLowerCase()}`;
  });
  const withActions = priorities.filter((entry) => entry.actions.length > 0).length;
  const summary =
    actions.length === 0
      ? 'This plan has no actions yet.'
      : [
          `${plural(actions.length, 'action', 'actions')} under ${plural(withActions, 'priority', 'priorities')}, from ${formatDate(earliest(actions.map(({ action }) => action.startDate)))} to ${formatDate(latest(actions.map(({ action }) => action.dueDate)))}: ${counts.join(', ')}.`,
          overdue.length === 0 ? `None is overdue on ${formatDate(today)}.` : `${plural(overdue.length, 'action is', 'actions are')} overdue on ${formatDate(today)}.`,
        ].join(' ');

  const figure: ChartFigure = {
    id: 'timeline',
    title: 'Actions over time',
    summary,
    description: `Timeline of the plan’s ${plural(actions.length, 'action', 'actions')}, grouped by priority: each action is a bar from its start date to its due date, coloured by its status; overdue actions have a thick black outline and the word “Overdue” beside them; a vertical line marks today, ${formatDate(today)}. The table below gives each action’s dates and status.`,
    spec: {
      width: 560,
      height: { step: rowHeight },
      layer: [
        {
          data: { values: bars },
          mark: { type: 'bar', stroke: chartColours.text, aria: true },
          encoding: {
            x: { field: 'start', ...x, scale: { type: 'utc', domainMax: xEnd, nice: false }, axis: { orient: 'top', format: '%b %Y', labelOverlap: true, grid: true } },
            x2: { field: 'end' },
            y,
            color: colour,
            strokeWidth: { condition: { test: 'datum.overdue', value: 3 }, value: 0.5 },
            description: { field: 'tip' },
          },
        },
        {
          data: { values: bars.filter((bar) => bar.overdue).map((bar) => ({ key: bar.key, end: bar.end, text: 'Overdue' })) },
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5, fontSize: 13, fontWeight: 'bold', color: overdueColour },
          encoding: { x: { field: 'end', ...x }, y, text: { field: 'text' } },
        },
        {
          data: { values: [{ today: todayAt, text: 'Today' }] },
          mark: { type: 'rule', color: chartColours.text, strokeWidth: 2 },
          encoding: { x: { field: 'today', ...x } },
        },
        {
          // The top row is always a priority's heading, with no bar under the word.
          data: { values: [{ today: todayAt, text: 'Today' }] },
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5, fontSize: 13, fontWeight: 'bold', color: chartColours.text },
          encoding: { x: { field: 'today', ...x }, y: { value: rowHeight / 2 }, text: { field: 'text' } },
        },
      ],
    },
    table: {
      caption: `Actions in “${plan.title}”, by priority and due date, with their owners, dates and status on ${formatDate(today)}`,
      head: ['Priority', 'Action', 'Owner', 'Start', 'Due', 'Status'],
      rows,
    },
    notes: ['An action is overdue when its due date has passed and it is not done.'],
  };
  return actions.length === 0 ? { ...figure, withoutChart: 'There are no actions in this plan yet, so there is no timeline to draw.' } : figure;
}
