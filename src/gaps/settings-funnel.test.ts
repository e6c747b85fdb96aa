import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { dimension, memberIn } from '../aggregates/signature.js';
import { migrateToLatest } from '../db/migrate.js';
import { measures } from '../ingest/child-standard.js';
import { renderChart } from '../web/charts.js';
import { GapRequestError } from './service.js';
import { settingsFunnel, settingsFunnelFigure } from './settings-funnel.js';

const leeds = 'E08000035';
const poorer = 'poorer-socio-economic-groups';
// Two-sided critical values Φ⁻¹(0.975) and Φ⁻¹(0.999) (Python: statistics.NormalDist().inv_cdf).
const z95 = 1.959963984540054;
const z998 = 3.090232306167813;

type Figures = Partial<Record<string, [n: number, sum: number, sumsq: number]>>;

/** One row of child_setting_aggregate: every measure zero except those given as [n, sum, sum of squares]. */
function aggregateRow(year: number, urn: number, dimension: string, figures: Figures): Record<string, unknown> {
  const row: Record<string, unknown> = { la_code: leeds, academic_year: year, setting_urn: urn, dimension, membership: 1, children: 0 };
  for (const measure of measures) {
    const [n, sum, sumsq] = figures[measure.name] ?? [0, 0, 0];
    row[`${measure.name}_n`] = n;
    row[`${measure.name}_sum`] = sum;
    row[`${measure.name}_sumsq`] = sumsq;
    row.children = Math.max(row.children as number, n);
  }
  return row;
}

/** One joint-aggregate row per authority, year and group of the setting rows: each group's children summed, with only that group's membership known. */
function jointRowsOf(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const joint = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const found = dimension(row.dimension as string)!;
    const key = `${row.la_code as string}|${row.academic_year as number}|${found.id}`;
    const target = joint.get(key) ?? { la_code: row.la_code, academic_year: row.academic_year, signature: memberIn * 2 ** found.shift, children: 0 };
    for (const [column, value] of Object.entries(row)) if (/_(n|sum|sumsq)$/.test(column) || column === 'children') target[column] = ((target[column] as number | undefined) ?? 0) + (value as number);
    joint.set(key, target);
  }
  return [...joint.values()];
}

/** A yes/no measure's figures: n children, `yes` of them said yes (so sum and sum of squares are both `yes`). */
const yesNo = (n: number, yes: number): [number, number, number] => [n, yes, yes];

describe.each(testEngines)('the funnel plot of an authority’s settings on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    const db = database.db;
    await db
      .insertInto('organisation')
      .values(
        [
          [100001, 'Alder Primary'],
          [100002, 'Birch Primary'],
          [100003, 'Cedar Primary'],
          [100004, 'Damson Primary'],
          [100005, 'Elm Primary'],
          // 100006 is left unregistered.
        ].map(([urn, name]) => ({ kind: 'setting' as const, name: String(name), urn: String(urn), la_code: leeds, area_code: null, setting_kind: 'school' })),
      )
      .execute();
    // 2023/24, poorer socio-economic groups. KS2 expected standard (a percentage), 300 children, 150 of
    // them at the standard, so the authority's value is 50%. Reading scaled score (a mean) at three schools.
    const reading = {
      alder: [40, 4400, 40 * (110 ** 2 + 25)],
      birch: [50, 5000, 50 * (100 ** 2 + 25)],
      cedar: [30, 2910, 30 * (97 ** 2 + 25)],
    } as const;
    const rows = [
      aggregateRow(2023, 100001, poorer, { ks2_rwm_expected: yesNo(40, 36), ks2_reading_scaled: [...reading.alder] }), // 90%: far above
      aggregateRow(2023, 100002, poorer, { ks2_rwm_expected: yesNo(50, 20), ks2_reading_scaled: [...reading.birch] }), // 40%
      aggregateRow(2023, 100003, poorer, { ks2_rwm_expected: yesNo(30, 15), ks2_reading_scaled: [...reading.cedar] }), // 50%
      aggregateRow(2023, 100004, poorer, { ks2_rwm_expected: yesNo(60, 12) }), // 20%: far below
      aggregateRow(2023, 100005, poorer, { ks2_rwm_expected: yesNo(3, 3) }), // 100% of 3: a small number
      aggregateRow(2023, 100006, poorer, { ks2_rwm_expected: yesNo(100, 62) }), // 62%: above the 95% limit only
      aggregateRow(2023, -1, poorer, { ks2_rwm_expected: yesNo(17, 2) }), // no setting recorded
      // Children in care: no child without a setting, so one small count could be found by subtraction.
      aggregateRow(2023, 100001, 'children-in-care', { ks2_rwm_expected: yesNo(20, 10) }),
      aggregateRow(2023, 100002, 'children-in-care', { ks2_rwm_expected: yesNo(2, 1) }),
      aggregateRow(2023, 100003, 'children-in-care', { ks2_rwm_expected: yesNo(10, 5) }),
      // An earlier year, so the default year is the latest.
      aggregateRow(2022, 100001, poorer, { ks2_rwm_expected: yesNo(10, 5) }),
      aggregateRow(2022, 100002, poorer, { ks2_rwm_expected: yesNo(10, 5) }),
      // Another authority's row must not count.
      { ...aggregateRow(2023, 100001, poorer, { ks2_rwm_expected: yesNo(1000, 0) }), la_code: 'E09000007' },
    ];
    await db.insertInto('child_setting_aggregate').values(rows).execute();
    // The same children in the joint aggregates, from which the gap matrix (and so the funnel's target) takes the authority's figure.
    await db.insertInto('child_aggregate').values(jointRowsOf(rows)).execute();
  });
  afterAll(async () => {
    await database.dispose();
  });

  const ks2 = { laCode: leeds, indicator: 'ks2_rwm_expected', group: poorer };

  it('computes each setting’s value and the authority’s target from the latest year', async () => {
    const funnel = await settingsFunnel(database.db, { ...ks2, suppress: false });
    expect(funnel?.year).toBe(2023);
    // (36 + 20 + 15 + 12 + 3 + 62 + 2) / 300: the children with no setting count in the target.
    expect(funnel?.target).toBe(50);
    expect(funnel?.childrenWithoutSetting).toBe(17);
    expect(funnel?.settings.find((setting) => setting.urn === 100001)).toMatchObject({ name: 'Alder Primary', children: 40, value: 90, withheld: null });
    expect(funnel?.settings.find((setting) => setting.urn === 100006)).toMatchObject({ name: null, children: 100, value: 62 });
  });

  it('puts the percentage limits at a setting’s count where θ ∓ z√(θ(1 − θ)/n) puts them', async () => {
    const funnel = await settingsFunnel(database.db, { ...ks2, suppress: false });
    const alder = funnel?.settings.find((setting) => setting.urn === 100001);
    // θ = 0.5, n = 40: standard error √(0.25/40) = 0.0790569…, in percentage points 7.90569…
    const standardError = 100 * Math.sqrt((0.5 * 0.5) / 40);
    expect(alder?.limits?.children).toBe(40);
    expect(alder?.limits?.lower95).toBeCloseTo(50 - z95 * standardError, 10);
    expect(alder?.limits?.upper95).toBeCloseTo(50 + z95 * standardError, 10);
    expect(alder?.limits?.lower998).toBeCloseTo(50 - z998 * standardError, 10);
    expect(alder?.limits?.upper998).toBeCloseTo(50 + z998 * standardError, 10);
    expect(alder?.limits?.upper998).toBeCloseTo(74.43, 2);
    // The drawn lines pass through every plotted setting's count and span the smallest plotted (Cedar,
    // 30: Elm's 3 children are too few to plot, funnelRule) to the largest.
    expect(funnel?.lines.find((at) => at.children === 40)).toEqual(alder?.limits);
    expect(funnel?.lines[0]?.children).toBe(30);
    expect(funnel?.lines.at(-1)?.children).toBe(100);
  });

  it('labels each setting against the limits and ranks them best first', async () => {
    const funnel = await settingsFunnel(database.db, { ...ks2, suppress: false });
    expect(funnel?.settings.map((setting) => [setting.urn, setting.position])).toEqual([
      [100005, 'within'], // 100% of 3 children: the limits at n = 3 reach 100%
      [100001, 'above-99.8'], // 90% of 40
      [100006, 'above-95'], // 62% of 100: above 50 + 1.96 × 5 = 59.8, below 50 + 3.09 × 5 = 65.45
      [100003, 'within'],
      [100002, 'within'],
      [100004, 'below-99.8'], // 20% of 60: below 50 − 3.09 × 6.45 = 30.05
    ]);
  });

  it('ranks lower first when lower is better', async () => {
    const neet = measures.find((measure) => measure.name === 'neet_16_17')!;
    expect(neet.polarity).toBe('lower-is-better');
    await database.db.insertInto('child_setting_aggregate').values([aggregateRow(2021, 100001, 'all', { neet_16_17: yesNo(50, 5) }), aggregateRow(2021, 100002, 'all', { neet_16_17: yesNo(50, 20) })]).execute();
    const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator: 'neet_16_17', group: 'all', year: 2021, suppress: false });
    expect(funnel?.group.label).toBe('All children');
    expect(funnel?.settings.map((setting) => setting.urn)).toEqual([100001, 100002]);
    const figure = await settingsFunnelFigure(database.db, { laCode: leeds, indicator: 'neet_16_17', group: 'all', year: 2021, suppress: false });
    // 10% against 25% of 100, n = 50: 25 − 3.09 × √(0.25 × 0.75/50) × 100 = 6.08, so below the 95% limit (16.5) only.
    expect(figure?.table.rows[0]?.[4]).toBe('Below the lower 95% limit (within 99.8%): possibly better');
  });

  it('puts a mean’s limits at θ ∓ zσ/√n with σ from all the group’s children', async () => {
    const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator: 'ks2_reading_scaled', group: poorer, suppress: false });
    const n = 120;
    const sum = 4400 + 5000 + 2910;
    const sumsq = 40 * (110 ** 2 + 25) + 50 * (100 ** 2 + 25) + 30 * (97 ** 2 + 25);
    const mean = sum / n;
    const sigma = Math.sqrt((sumsq - sum ** 2 / n) / (n - 1));
    expect(funnel?.valueType).toBe('mean');
    expect(funnel?.target).toBeCloseTo(mean, 10);
    expect(funnel?.standardDeviation).toBeCloseTo(sigma, 10);
    expect(funnel?.settings.map((setting) => setting.urn)).toEqual([100001, 100002, 100003]);
    const alder = funnel?.settings[0];
    expect(alder?.value).toBe(110);
    expect(alder?.limits?.upper95).toBeCloseTo(mean + (z95 * sigma) / Math.sqrt(40), 10);
    expect(alder?.limits?.lower998).toBeCloseTo(mean - (z998 * sigma) / Math.sqrt(40), 10);
    // σ ≈ 5.63, so at n = 40 the 99.8% limit is about 102.6 + 2.75: 110 is far above it.
    expect(alder?.position).toBe('above-99.8');
  });

  it('withholds a small setting when suppressing and says so in the notes', async () => {
    const figure = await settingsFunnelFigure(database.db, { ...ks2, suppress: true });
    const elm = figure?.table.rows.find((row) => row[1] === '100005');
    expect(elm).toEqual(['Elm Primary', '100005', null, null, 'Withheld (c)']);
    // Alder's 40 children include only 4 below the standard: a small number too.
    expect(figure?.table.rows.find((row) => row[1] === '100001')).toEqual(['Alder Primary', '100001', null, null, 'Withheld (c)']);
    // Withheld settings come last, and the chart leaves them off.
    expect(figure?.table.rows.slice(-2).map((row) => row[1])).toEqual(['100001', '100005']);
    const points = (figure?.spec as { layer: { data: { values: { children: number }[] } }[] }).layer[1]!.data.values;
    // Four settings plotted (Alder and Elm left off), their children released as multiples of 5.
    expect(points).toHaveLength(4);
    expect(points.every((point) => point.children % 5 === 0)).toBe(true);
    expect(figure?.notes).toContain(
      'The figures for 2 settings are withheld (c) and left off the chart because fewer than 5 children in the group have a figure there (or fewer than 5 of them meet or miss it), to protect children’s privacy.',
    );
    expect(figure?.notes).toContain('Counts are adjusted slightly and rounded to the nearest 5, and every value and limit is made from those counts, so that no child can be picked out.');
    // The 17 children with no setting hide Elm's 3 from subtraction, so no other setting is withheld.
    expect(figure?.table.rows.filter((row) => row[3] === null)).toHaveLength(2);
  });

  it('shows a suppressed viewer values made from released counts, multiples of 5', async () => {
    const funnel = await settingsFunnel(database.db, { ...ks2, suppress: true });
    const damson = funnel?.settings.find((setting) => setting.urn === 100004);
    expect(damson).toMatchObject({ withheld: null });
    expect(damson!.children! % 5).toBe(0);
    // Damson's value is those meeting over its children, both released as multiples of 5.
    const meetingFifths = (damson!.value! * damson!.children!) / 100 / 5;
    expect(Math.abs(meetingFifths - Math.round(meetingFifths))).toBeLessThan(1e-9);
    expect(funnel?.settings.every((setting) => setting.children === null || setting.children % 5 === 0)).toBe(true);
    expect(funnel!.childrenWithoutSetting! % 5).toBe(0);
  });

  it('shows every setting when not suppressing', async () => {
    const figure = await settingsFunnelFigure(database.db, { ...ks2, suppress: false });
    expect(figure?.table.rows.find((row) => row[1] === '100005')).toEqual(['Elm Primary', '100005', 3, 100, 'Within the 95% limits']);
    expect(figure?.notes?.some((note) => note.includes('withheld'))).toBe(false);
  });

  it('withholds a second setting when a small one could be worked out from the authority’s total', async () => {
    const funnel = await settingsFunnel(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'children-in-care', suppress: true });
    // Alder's 20 are released as a multiple of 5; Birch's 2 are withheld, and Cedar's 10 so that Birch's cannot be worked out.
    expect(funnel?.settings.map((setting) => [setting.urn, setting.children === null ? null : setting.children % 5, setting.withheld])).toEqual([
      [100001, 0, null],
      [100002, null, 'small-number'],
      [100003, null, 'secondary'],
    ]);
    const figure = await settingsFunnelFigure(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'children-in-care', suppress: true });
    expect(figure?.notes).toContain(
      'The figures for 2 settings are withheld (c) and left off the chart: 1 because fewer than 5 children in the group have a figure there (or fewer than 5 of them meet or miss it), and 1 more so that those cannot be worked out from the authority’s total, to protect children’s privacy.',
    );
  });

  it('builds the figure: words, table and a chart that renders to SVG', async () => {
    const figure = await settingsFunnelFigure(database.db, { ...ks2, suppress: false });
    expect(figure?.id).toBe('settings-funnel');
    expect(figure?.title).toBe('Children from poorer socio-economic groups: Reached the expected standard in reading, writing and maths at key stage 2, by setting, 2023/24');
    expect(figure?.summary).toBe(
      'Of 5 settings with at least 10 children in the group, 1 is above the upper 99.8% limit and 1 below the lower; 1 more is outside the 95% limits but within the 99.8% limits; the rest are within what chance would give. Higher is better, so a setting above the limits does better than the authority as a whole (50.0%).',
    );
    expect(figure?.table.head).toEqual(['Setting', 'URN', 'Children in the group', 'Per cent', 'Against the control limits']);
    expect(figure?.table.rowHeaders).toBe(true);
    // The plotted settings best first, then Elm (3 children: 100%, but too few to plot).
    expect(figure?.table.rows[0]).toEqual(['Alder Primary', '100001', 40, 90, 'Above the upper 99.8% limit: better than chance would explain']);
    expect(figure?.table.rows[1]).toEqual(['Unregistered setting 100006', '100006', 100, 62, 'Above the upper 95% limit (within 99.8%): possibly better']);
    expect(figure?.table.rows[4]).toEqual(['Damson Primary', '100004', 60, 20, 'Below the lower 99.8% limit: worse than chance would explain']);
    expect(figure?.table.rows[5]?.[0]).toBe('Elm Primary');
    expect(figure?.notes).toContain('The authority’s value includes children with no setting recorded; they are not plotted.');
    // Five settings have 10 or more children, enough for a funnel; Elm's 3 are in the table only. One is unregistered, so they are settings, not schools.
    expect(figure?.withoutChart).toBeUndefined();
    expect(figure?.notes?.[0]).toBe(
      'A funnel plot is drawn only where at least 5 settings each have figures for at least 10 children in the group, and only those settings are plotted: with fewer children the limits are too wide to tell a setting from chance.',
    );
    expect(figure?.notes).toContain('1 setting with fewer than 10 children in the group is in the table but not on the chart.');
    expect((figure?.spec as { layer: unknown[] }).layer[1]).toMatchObject({ data: { values: [{ children: 40 }, { children: 100 }, { children: 30 }, { children: 50 }, { children: 60 }] } });
    const svg = await renderChart(figure!.spec, figure!.description);
    expect(svg.startsWith('<svg role="img" aria-label="Funnel plot of reached the expected standard')).toBe(true);
    expect(svg).toContain('mark-symbol');
    expect(svg).toContain('mark-line');
  });

  it('draws no funnel where too few settings have enough children, and says so in words', async () => {
    // Children in care: 3 settings, 2 with 10 or more children.
    const figure = await settingsFunnelFigure(database.db, { ...ks2, group: 'children-in-care', suppress: false });
    expect(figure?.withoutChart).toBe(
      'There is no funnel plot: only 2 schools have figures for at least 10 children in the group, and a funnel needs at least 5. The figures are in the table below.',
    );
    expect(figure?.table.rows).toHaveLength(3);
  });

  it('gives a year asked for', async () => {
    const funnel = await settingsFunnel(database.db, { ...ks2, year: 2022, suppress: false });
    expect(funnel?.settings.map((setting) => [setting.urn, setting.value])).toEqual([
      [100001, 50],
      [100002, 50],
    ]);
  });

  it('gives nothing for a combination of groups, a year or authority without data', async () => {
    expect(await settingsFunnelFigure(database.db, { ...ks2, group: `${poorer}&sex:M`, suppress: false })).toBeUndefined();
    expect(await settingsFunnelFigure(database.db, { ...ks2, group: 'children-in-care:no', suppress: false })).toBeUndefined();
    expect(await settingsFunnelFigure(database.db, { ...ks2, year: 2019, suppress: false })).toBeUndefined();
    expect(await settingsFunnelFigure(database.db, { ...ks2, laCode: 'E06000001', suppress: false })).toBeUndefined();
  });

  it('refuses an indicator or group that does not exist', async () => {
    await expect(settingsFunnelFigure(database.db, { ...ks2, indicator: 'ks9', suppress: false })).rejects.toThrow(GapRequestError);
    await expect(settingsFunnelFigure(database.db, { ...ks2, group: 'giraffes', suppress: false })).rejects.toThrow(/not a framework group id/);
  });
});
