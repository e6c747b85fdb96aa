import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartFigure } from '../web/chart-figure.js';
import { renderChart } from '../web/charts.js';
import type { ImprovementAction, ImprovementPlan, Priority } from './model.js';
import { improvementActionStatuses } from './tables.js';
import type { ImprovementActionStatus } from './tables.js';
import { isOverdue, timelineFigure } from './timeline.js';

interface ActionSeed {
  title: string;
  start: string;
  due: string;
  status: ImprovementActionStatus;
  owner?: string;
}

let nextId = 0;

function action(priorityId: string, seed: ActionSeed): ImprovementAction {
  nextId += 1;
  return {
    id: `action-${nextId}`,
    priorityId,
    title: seed.title,
    owner: { kind: 'member', userId: `user-${nextId}`, label: seed.owner ?? 'Sam Jones' },
    startDate: seed.start,
    dueDate: seed.due,
    status: seed.status,
    version: 1,
    updates: [],
  };
}

function priority(id: string, position: number, title: string, actions: readonly ActionSeed[]): Priority {
  return { id, position, title, rationale: '', source: 'written', suggestionKey: null, version: 1, links: [], measures: [], actions: actions.map((seed) => action(id, seed)) };
}

function planOf(priorities: Priority[]): ImprovementPlan {
  const at = new Date('2026-04-01T09:00:00Z');
  return {
    laCode: '383',
    id: 'plan-1',
    organisationId: 'org-1',
    organisationName: 'Leeds City Council',
    organisationKind: 'local-authority',
    periodStart: '2026-04-01',
    periodEnd: '2029-03-31',
    title: 'Closing the gaps',
    vision: '',
    ownerUserId: null,
    ownerLabel: null,
    version: 1,
    revision: 1,
    createdBy: 'Sam Jones',
    createdAt: at,
    updatedBy: 'Sam Jones',
    updatedAt: at,
    priorities,
  };
}

const today = '2026-12-01';

/** Two priorities given out of order, their actions out of due-date order. */
function samplePlan(): ImprovementPlan {
  return planOf([
    priority('p-b', 2, 'Attendance', [
      { title: 'Attendance panel', start: '2026-05-01', due: '2027-01-31', status: 'on-track', owner: 'Priya Shah' },
      { title: 'Letters home', start: '2026-04-01', due: '2026-06-30', status: 'done' },
    ]),
    priority('p-a', 1, 'Reading by seven', [
      { title: 'Phonics training for every Reception teacher in the authority’s schools', start: '2026-09-01', due: '2026-11-30', status: 'at-risk', owner: 'Alex Brown' },
      { title: 'Reading buddies', start: '2026-04-15', due: '2026-12-01', status: 'not-started' },
      { title: 'Library refit', start: '2026-06-01', due: '2027-03-31', status: 'off-track' },
    ]),
  ]);
}

interface LayerSpec {
  data: { values: Record<string, unknown>[] };
  mark: { type: string };
  encoding: Record<string, unknown>;
}

function layers(figure: ChartFigure): LayerSpec[] {
  return (figure.spec as unknown as { layer: LayerSpec[] }).layer;
}

function layerOf(figure: ChartFigure, type: string, text?: string): LayerSpec {
  const found = layers(figure).find((layer) => layer.mark.type === type && (text === undefined || layer.data.values.some((row) => row.text === text)));
  if (found === undefined) throw new Error(`no ${type} layer`);
  return found;
}

/** The bars, and the label the axis shows for each: the labels are looked up by key in the axis's expression. */
function barsOf(figure: ChartFigure) {
  const layer = layerOf(figure, 'bar');
  const y = layer.encoding.y as { scale: { domain: string[] }; axis: { labelExpr: string } };
  const labels = JSON.parse(y.axis.labelExpr.replace(/\[datum\.value\]$/, '')) as Record<string, string>;
  return { rows: layer.data.values, domain: y.scale.domain, labels };
}

const utcMidnight = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('isOverdue', () => {
  it('is true only when the due date has passed and the action is not done', () => {
    expect(isOverdue({ dueDate: '2026-11-30', status: 'on-track' }, '2026-12-01')).toBe(true);
    expect(isOverdue({ dueDate: '2026-11-30', status: 'not-started' }, '2026-12-01')).toBe(true);
    // Due today is not yet overdue.
    expect(isOverdue({ dueDate: '2026-12-01', status: 'off-track' }, '2026-12-01')).toBe(false);
    expect(isOverdue({ dueDate: '2026-12-02', status: 'at-risk' }, '2026-12-01')).toBe(false);
    expect(isOverdue({ dueDate: '2025-01-01', status: 'done' }, '2026-12-01')).toBe(false);
    // Across a year's end, where the dates compare as text.
    expect(isOverdue({ dueDate: '2026-12-31', status: 'on-track' }, '2027-01-01')).toBe(true);
  });
});

describe('the timeline of a plan’s actions', () => {
  it('has a row per action, by priority position and then due date, with dates and statuses in words', () => {
    const figure = timelineFigure(samplePlan(), today);
    expect(figure.id).toBe('timeline');
    expect(figure.withoutChart).toBeUndefined();
    expect(figure.table.head).toEqual(['Priority', 'Action', 'Owner', 'Start', 'Due', 'Status']);
    expect(figure.table.rows).toEqual([
      ['1. Reading by seven', 'Phonics training for every Reception teacher in the authority’s schools', 'Alex Brown', '1 September 2026', '30 November 2026', 'At risk (overdue)'],
      ['1. Reading by seven', 'Reading buddies', 'Sam Jones', '15 April 2026', '1 December 2026', 'Not started'],
      ['1. Reading by seven', 'Library refit', 'Sam Jones', '1 June 2026', '31 March 2027', 'Off track'],
      ['2. Attendance', 'Letters home', 'Sam Jones', '1 April 2026', '30 June 2026', 'Done'],
      ['2. Attendance', 'Attendance panel', 'Priya Shah', '1 May 2026', '31 January 2027', 'On track'],
    ]);
    expect(figure.table.caption).toContain('Closing the gaps');
    expect(figure.summary).toBe(
      '5 actions under 2 priorities, from 1 April 2026 to 31 March 2027: 1 not started, 1 on track, 1 at risk, 1 off track, 1 done. 1 action is overdue on 1 December 2026.',
    );
  });

  it('draws the rows in the table’s order under a heading for each priority, shortening long titles on the chart only', () => {
    const figure = timelineFigure(samplePlan(), today);
    const { rows, domain, labels } = barsOf(figure);
    expect(domain.map((key) => labels[key])).toEqual([
      'Priority 1: Reading by seven',
      'Phonics training for every Reception te…',
      'Reading buddies',
      'Library refit',
      'Priority 2: Attendance',
      'Letters home',
      'Attendance panel',
    ]);
    // The bars, in the same order as the table, run from the start of the first day to the end of the due date.
    expect(rows.map((row) => labels[row.key as string])).toEqual(domain.map((key) => labels[key]).filter((label) => !label!.startsWith('Priority')));
    expect(rows[0]).toMatchObject({ start: utcMidnight('2026-09-01'), end: utcMidnight('2026-12-01'), status: 'At risk', overdue: true });
    expect(rows.map((row) => row.status)).toEqual(['At risk', 'Not started', 'Off track', 'Done', 'On track']);
  });

  it('colours by status in GOV.UK colours, with a legend of the statuses drawn in words', () => {
    const plan = planOf([
      priority('p', 1, 'Only', [
        { title: 'One', start: '2026-04-01', due: '2026-05-01', status: 'done' },
        { title: 'Two', start: '2026-04-01', due: '2027-05-01', status: 'on-track' },
      ]),
    ]);
    const colour = layerOf(timelineFigure(plan, today), 'bar').encoding.color as { title: string; scale: { domain: string[]; range: string[] } };
    expect(colour.title).toBe('Status');
    expect(colour.scale.domain).toEqual(['On track', 'Done']);
    expect(colour.scale.range).toEqual(['#00703c', '#1d70b8']);
  });

  it('marks overdue actions by a thick outline and the word "Overdue", not by colour alone', () => {
    const figure = timelineFigure(samplePlan(), today);
    const bars = layerOf(figure, 'bar');
    expect(bars.encoding.strokeWidth).toEqual({ condition: { test: 'datum.overdue', value: 3 }, value: 0.5 });
    const overdueKeys = bars.data.values.filter((row) => row.overdue === true).map((row) => row.key);
    expect(overdueKeys).toHaveLength(1);
    const words = layerOf(figure, 'text', 'Overdue');
    expect(words.data.values.map((row) => row.key)).toEqual(overdueKeys);
    // The tooltip says so too.
    const tip = bars.data.values.find((row) => row.overdue === true)!.tip as string;
    expect(tip).toBe('Phonics training for every Reception teacher in the authority’s schools. Priority 1: Reading by seven. Owner: Alex Brown. 1 September 2026 to 30 November 2026. At risk, overdue.');
    expect(figure.notes).toContain('An action is overdue when its due date has passed and it is not done.');
  });

  it('draws a vertical line for today, labelled "Today"', () => {
    const figure = timelineFigure(samplePlan(), today);
    const rule = layerOf(figure, 'rule');
    const midday = utcMidnight(today) + 12 * 60 * 60 * 1000;
    expect(rule.data.values).toEqual([{ today: midday, text: 'Today' }]);
    expect(rule.encoding.y).toBeUndefined();
    expect(layerOf(figure, 'text', 'Today').data.values).toEqual([{ today: midday, text: 'Today' }]);
    expect(figure.description).toContain('a vertical line marks today, 1 December 2026');
  });

  it('says there are no actions yet when the plan has none, and draws no chart', () => {
    for (const plan of [planOf([]), planOf([priority('p', 1, 'Reading', [])])]) {
      const figure = timelineFigure(plan, today);
      expect(figure.withoutChart).toBe('There are no actions in this plan yet, so there is no timeline to draw.');
      expect(figure.table.rows).toEqual([]);
      expect(figure.summary).toBe('This plan has no actions yet.');
    }
  });

  it('draws one action (a bar and today are still a chart)', async () => {
    const plan = planOf([priority('p', 1, 'Reading', [{ title: 'Only action', start: '2027-01-01', due: '2027-02-01', status: 'not-started' }])]);
    const figure = timelineFigure(plan, today);
    expect(figure.withoutChart).toBeUndefined();
    const svg = await renderChart(figure.spec, figure.description);
    expect(svg).toContain('Only action');
    expect(svg).toContain('>Today<');
  });

  it('renders to SVG with the titles, the statuses, "Today" and "Overdue"', async () => {
    const plan = samplePlan();
    plan.priorities[0]!.actions[0]!.title = 'Attendance & “belonging” panel';
    const figure = timelineFigure(plan, today);
    const svg = await renderChart(figure.spec, figure.description);
    expect(svg).toMatch(/^<svg role="img" aria-label="Timeline of the plan’s 5 actions/);
    for (const text of ['Attendance &amp; “belonging” panel', 'Letters home', 'Reading buddies', 'Library refit', 'Phonics training for every Reception te…', 'Priority 1: Reading by seven', 'Today', 'Overdue', 'Not started', 'Off track']) {
      expect(svg).toContain(`>${text}<`);
    }
    // The whole title is in the table and the tooltip, never cut, but the axis shows it shortened.
    expect(svg).not.toContain('>Phonics training for every Reception teacher in the authority’s schools<');
    expect(svg).toContain('data-ntg-tip="Phonics training for every Reception teacher in the authority’s schools.');
  });

  it('keeps the labels of titles with quotes, backslashes, full stops and line separators', async () => {
    const titles = ['Say "hello" \\ goodbye', 'It’s {datum.label}', 'Line\u2028break', 'Émile’s plan 🎯'];
    const plan = planOf([priority('p', 1, 'Odd titles', titles.map((title, index) => ({ title, start: '2026-04-01', due: `2027-04-0${index + 1}`, status: 'on-track' as const })))]);
    const figure = timelineFigure(plan, today);
    const { domain, labels } = barsOf(figure);
    expect(domain.slice(1).map((key) => labels[key])).toEqual(titles);
    const svg = await renderChart(figure.spec, figure.description);
    expect(svg).toContain('>Say "hello" \\ goodbye<');
    expect(svg).toContain('>It’s {datum.label}<');
    expect(svg).toContain('>Émile’s plan 🎯<');
  });

  it('grows about 22 pixels a row, so 200 actions render and stay readable', async () => {
    const statuses = improvementActionStatuses;
    const priorities = Array.from({ length: 8 }, (_, p) =>
      priority(
        `p${p}`,
        p + 1,
        `Priority number ${p + 1}`,
        Array.from({ length: 25 }, (_, a) => {
          const index = p * 25 + a;
          const start = new Date(Date.UTC(2026, 3, 1 + index * 4));
          const due = new Date(start.getTime() + (30 + (index % 9) * 20) * 86_400_000);
          return { title: `Action ${index + 1}`, start: start.toISOString().slice(0, 10), due: due.toISOString().slice(0, 10), status: statuses[index % statuses.length]! };
        }),
      ),
    );
    const figure = timelineFigure(planOf(priorities), today);
    expect(figure.table.rows).toHaveLength(200);
    const svg = await renderChart(figure.spec, figure.description);
    const height = Number(/<svg[^>]* height="([\d.]+)"/.exec(svg)?.[1]);
    expect(height).toBeGreaterThanOrEqual(208 * 22);
    expect(height).toBeLessThan(208 * 22 + 200);
    const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
    expect(width).toBeLessThanOrEqual(1280);
    for (const index of [1, 100, 200]) expect(svg).toContain(`>Action ${index}<`);
  });

  it('lists every action exactly once, in order, overdue exactly when due before today and not done (property)', () => {
    const isoDate = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2029-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
    const seed = fc.record({ start: isoDate, due: isoDate, status: fc.constantFrom(...improvementActionStatuses) });
    const planShape = fc.array(fc.record({ position: fc.integer({ min: 0, max: 20 }), actions: fc.array(seed, { maxLength: 8 }) }), { maxLength: 6 });
    fc.assert(
      fc.property(planShape, isoDate, (shape, day) => {
        let count = 0;
        const plan = planOf(
          shape.map((entry, p) =>
            priority(`p${p}`, entry.position, `Priority ${p}`, entry.actions.map((action) => ({ ...action, title: `Action ${(count += 1)}` }))),
          ),
        );
        const figure = timelineFigure(plan, day);
        const all = plan.priorities.flatMap((entry) => entry.actions);
        const titles = figure.table.rows.map((row) => row[1]);
        expect(titles).toHaveLength(all.length);
        expect(new Set(titles).size).toBe(all.length);
        for (const action of all) {
          const row = figure.table.rows.find((cells) => cells[1] === action.title)!;
          const overdue = action.dueDate < day && action.status !== 'done';
          expect(isOverdue(action, day)).toBe(overdue);
          expect(String(row[5]).endsWith('(overdue)')).toBe(overdue);
        }
        if (all.length === 0) {
          expect(figure.withoutChart).toBeDefined();
          return;
        }
        // By priority position, then due date, and the chart's bars in the same order, overdue flagged the same.
        const keys = plan.priorities
          .map((entry, index) => ({ entry, index }))
          .sort((a, b) => a.entry.position - b.entry.position || a.index - b.index)
          .flatMap(({ entry }) => [...entry.actions].sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0)).map((action) => action.dueDate));
        const byTitle = new Map(all.map((action) => [action.title, action]));
        expect(titles.map((title) => byTitle.get(title as string)!.dueDate)).toEqual(keys);
        const { rows, labels } = barsOf(figure);
        expect(rows.map((row) => labels[row.key as string])).toEqual(titles);
        expect(rows.map((row) => row.overdue)).toEqual(titles.map((title) => isOverdue(byTitle.get(title as string)!, day)));
      }),
      { numRuns: 200 },
    );
  });
});
