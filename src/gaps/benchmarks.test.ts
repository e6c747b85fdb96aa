import { indicators } from '../aggregates/indicators.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { temporaryFiles } from '../../test/support/files.js';
import { migrateToLatest } from '../db/migrate.js';
import { importStatistics } from '../ingest/statistics/service.js';
import { renderChart } from '../web/charts.js';
import { benchmarkFigure } from './benchmark-figure.js';
import { englandComparisons, publishedBenchmarksLoaded, readBenchmarks, regionComparisons } from './benchmarks.js';
import { computeGapMatrix } from './matrix.js';
import { parseGroup } from './groups.js';
import { measures } from '../ingest/child-standard.js';

const file = temporaryFiles('ntg-benchmarks-');
const operator = { userId: null, label: 'operator (command line)', organisationId: null };

const leeds = 'E08000035';
const bradford = 'E08000032';
const yorkshire = 'E12000003';

// A key stage 2 file as DfE publishes them: `breakdown` grouped by `breakdown_topic`, and gender.
const meta = [
  'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  'breakdown,Filter,Pupil characteristic,,,,,breakdown_topic',
  'gender,Filter,Gender,,,,,',
  't_rwm_eligible_pupils,Indicator,Eligible pupils,,,0,,',
  'pt_rwm_met_expected_standard,Indicator,Percentage meeting the expected standard in reading writing and maths,,%,0,,',
].join('\n');
const header = 'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,breakdown_topic,breakdown,gender,t_rwm_eligible_pupils,pt_rwm_met_expected_standard';
const england = 'National,E92000001,England,,,,,';
const region = `Regional,E92000001,England,${yorkshire},Yorkshire and The Humber,,,`;
const leedsRow = `Local authority,E92000001,England,${yorkshire},Yorkshire and The Humber,383,${leeds},Leeds`;
const bradfordRow = `Local authority,E92000001,England,${yorkshire},Yorkshire and The Humber,380,${bradford},Bradford`;
const row = (period: string, place: string, topic: string, breakdown: string, gender: string, pupils: string, percent: string) =>
  `${period},Academic year,${place},${topic},${breakdown},${gender},${pupils},${percent}`;

const firstRelease = [
  header,
  row('202223', england, 'Total', 'Total', 'Total', '650000', '60'),
  row('202223', england, 'Disadvantage status', 'Disadvantaged', 'Total', '200000', '44'),
  // A breakdown within the group, the rest of the children, and a narrower SEN group: none is a group's figure.
  row('202223', england, 'Disadvantage status', 'Disadvantaged', 'Boys', '100000', '41'),
  row('202223', england, 'Disadvantage status', 'Disadvantaged all other', 'Total', '450000', '67'),
  row('202223', england, 'SEN status', 'SEN support', 'Total', '80000', '24'),
  row('202324', england, 'Total', 'Total', 'Total', '660000', '61'),
  row('202324', england, 'Disadvantage status', 'Disadvantaged', 'Total', '205000', '46'),
  row('202223', region, 'Total', 'Total', 'Total', '60000', '58'),
  row('202223', region, 'Disadvantage status', 'Disadvantaged', 'Total', '19000', '42'),
  row('202324', region, 'Total', 'Total', 'Total', '61000', '59'),
  row('202324', region, 'Disadvantage status', 'Disadvantaged', 'Total', '19500', '44'),
  row('202324', leedsRow, 'Total', 'Total', 'Total', '9000', '60'),
  row('202324', leedsRow, 'Disadvantage status', 'Disadvantaged', 'Total', '2800', '45'),
  row('202324', bradfordRow, 'Total', 'Total', 'Total', '7000', '56'),
  row('202324', bradfordRow, 'Disadvantage status', 'Disadvantaged', 'Total', 'c', 'c'),
].join('\n');

// Loaded later: England's disadvantaged figure revised, the region's total withdrawn as x.
const revised = [
  header,
  row('202324', england, 'Disadvantage status', 'Disadvantaged', 'Total', '205100', '47'),
  row('202324', region, 'Total', 'Total', 'Total', 'x', 'x'),
].join('\n');

describe.each(testEngines)('published benchmarks on %s', (engine) => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-benchmarks-data-'));
    expect(await publishedBenchmarksLoaded(database.db)).toBe(false);
    for (const [name, data] of [
      ['key_stage_2_attainment', firstRelease],
      ['key_stage_2_attainment_revised', revised],
    ] as const) {
      const result = await importStatistics(database.db, { dataPath: file(`${name}.csv`, data), metaPath: file(`${name}.meta.csv`, meta), dataDir, uploadedBy: operator });
      expect(result.outcome).toBe('loaded');
    }
  });

  afterAll(async () => {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const provenance = (title: string, fileName: string) => ({
    source: expect.stringMatching(new RegExp(`^National statistics: “${title}” \\(${fileName}, batch \\d+\\), loaded [\\d :-]+ UTC by `)) as unknown,
    source_label: expect.stringMatching(new RegExp(`^${fileName} \\(batch \\d+, national\\)$`)) as unknown,
  });
  const first = { published_indicator: 'pt_rwm_met_expected_standard', dataset_title: 'Key stage 2 attainment', ...provenance('Key stage 2 attainment', 'key_stage_2_attainment.csv') };
  const later = { published_indicator: 'pt_rwm_met_expected_standard', dataset_title: 'Key stage 2 attainment revised', ...provenance('Key stage 2 attainment revised', 'key_stage_2_attainment_revised.csv') };
  const places = { england: true, regions: [yorkshire], authorities: [leeds, bradford] };

  it('reads a group’s figures for England, the region and authorities, the latest file winning and c kept as a status', async () => {
    const points = await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: ['poorer-socio-economic-groups'], places });
    const common = { indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups' };
    expect(points).toEqual([
      { ...common, ...first, area_code: 'E92000001', area_name: 'England', level: 'National', year: 2022, value: 44, status: 'value', count: 200000 },
      // 46 in the first release, 47 in the revised one loaded after it.
      { ...common, ...later, area_code: 'E92000001', area_name: 'England', level: 'National', year: 2023, value: 47, status: 'value', count: 205100 },
      { ...common, ...first, area_code: yorkshire, area_name: 'Yorkshire and The Humber', level: 'Regional', year: 2022, value: 42, status: 'value', count: 19000 },
      { ...common, ...first, area_code: yorkshire, area_name: 'Yorkshire and The Humber', level: 'Regional', year: 2023, value: 44, status: 'value', count: 19500 },
      { ...common, ...first, area_code: bradford, area_name: 'Bradford', level: 'Local authority', year: 2023, value: null, status: 'c', count: null },
      { ...common, ...first, area_code: leeds, area_name: 'Leeds', level: 'Local authority', year: 2023, value: 45, status: 'value', count: 2800 },
    ]);
  });

  it('reads all children from the rows where every filter is Total, a later x replacing an earlier number', async () => {
    const points = await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: [null], places: { england: true, regions: [yorkshire] } });
    expect(points.map((point) => [point.area_code, point.year, point.value, point.status, point.count])).toEqual([
      ['E92000001', 2022, 60, 'value', 650000],
      ['E92000001', 2023, 61, 'value', 660000],
      [yorkshire, 2022, 58, 'value', 60000],
      [yorkshire, 2023, null, 'x', null],
    ]);
  });

  it('finds no figure for a group published only in part, nor for a measure without an equivalent', async () => {
    expect(await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: ['children-with-sen'], places })).toEqual([]);
    expect(await readBenchmarks(database.db, { indicators: ['ks2_reading_scaled'], groups: ['poorer-socio-economic-groups'], places })).toEqual([]);
    expect(await readBenchmarks(database.db, { indicators: ['ks2_rwm_expected'], groups: ['young-carers'], places })).toEqual([]);
  });

  it('gives the england comparator England’s figure, or the reason there is none', async () => {
    const lookup = await englandComparisons(database.db, ['ks2_rwm_expected', 'healthy_weight_y6'], ['poorer-socio-economic-groups', 'young-carers']);
    expect(lookup('ks2_rwm_expected', 'poorer-socio-economic-groups', 2023)).toEqual({ value: 47, count: 205100, source: later.source });
    expect(lookup('ks2_rwm_expected', 'poorer-socio-economic-groups', 2021)).toEqual({ value: null, note: 'no published figure for this group in England in 2021/22 has been loaded' });
    expect(lookup('healthy_weight_y6', 'poorer-socio-economic-groups', 2023)).toEqual({ value: null, note: 'no published statistic measures this indicator in the same way' });
    expect(lookup('ks2_rwm_expected', 'young-carers', 2023)).toEqual({ value: null, note: 'published statistics do not give this group as defined here' });
    expect(await publishedBenchmarksLoaded(database.db)).toBe(true);
  });

  it('compares a group with the same group in the authority’s region, as published, with the reason when there is no figure', async () => {
    const lookup = await regionComparisons(database.db, leeds, ['ks2_rwm_expected', 'healthy_weight_y6'], ['poorer-socio-economic-groups', 'young-carers']);
    // The region's disadvantaged figures in the first release: 42 in 2022/23, 44 in 2023/24.
    expect(lookup('ks2_rwm_expected', 'poorer-socio-economic-groups', 2022)).toEqual({ value: 42, count: 19000, source: first.source });
    expect(lookup('ks2_rwm_expected', 'poorer-socio-economic-groups', 2023)).toEqual({ value: 44, count: 19500, source: first.source });
    expect(lookup('ks2_rwm_expected', 'poorer-socio-economic-groups', 2021)).toEqual({ value: null, note: 'no published figure for this group in Yorkshire and The Humber in 2021/22 has been loaded' });
    expect(lookup('healthy_weight_y6', 'poorer-socio-economic-groups', 2023)).toEqual({ value: null, note: 'no published statistic measures this indicator in the same way' });
    expect(lookup('ks2_rwm_expected', 'young-carers', 2023)).toEqual({ value: null, note: 'published statistics do not give this group as defined here' });
  });

  it('computes the region comparator’s gap in the matrix from the region’s published figure', async () => {
    const published = await regionComparisons(database.db, bradford, ['ks2_rwm_expected'], ['poorer-socio-economic-groups']);
    const ks2 = measures.find((measure) => measure.name === 'ks2_rwm_expected')!;
    const group = parseGroup('poorer-socio-economic-groups');
    // 100 disadvantaged children in 2023/24, 50 of whom met the standard (50%); the region published 44.
    const figures = new Float64Array(indicators.length * 3);
    const at = measures.indexOf(ks2) * 3;
    figures[at] = 100;
    figures[at + 1] = 50;
    figures[at + 2] = 50;
    const inGroup = group.terms.reduce((signature, term) => signature + term.value * 2 ** term.dimension.shift, 0);
    const aggregates = new Map([[2023, [{ signature: inGroup, children: 100, figures }]]]);
    const [cell] = computeGapMatrix(aggregates, { groups: [group], indicators: [ks2], comparator: 'region', published });
    expect(cell).toMatchObject({ comparator: 'region', group_value: 50, comparator_value: 44, comparator_count: 19500, gap: 6, comparator_source: first.source, comparator_note: null });
    expect(Object.keys(cell!).slice(-3)).toEqual(['comparator_note', 'comparator_source', 'suppressed_reason']);
  });

  describe('the benchmark figure', () => {
    const localSeries = [
      { year: '2022/23', group_value: 40, group_lower: 36.1, group_upper: 44.2, suppressed: false },
      { year: '2023/24', group_value: 41.26, group_lower: 37.3, group_upper: 45.4, suppressed: false },
    ];

    it('sets the authority’s group beside England, its region and a chosen authority, in a table, a sentence and a chart', async () => {
      const figure = await benchmarkFigure(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups', comparators: [bradford], localSeries });
      expect(figure).toBeDefined();
      expect(figure!.id).toBe('benchmarks');
      expect(figure!.summary).toBe(
        'In 2023/24 children from poorer socio-economic groups here reached 41.3%, against 47% for the same group in England, 44% in Yorkshire and The Humber and Bradford’s is published as c (confidential: suppressed to protect individuals).',
      );
      const places = ['England', 'Yorkshire and The Humber', 'Bradford'];
      expect(figure!.table.head).toEqual(['Academic year', 'Leeds', 'Leeds: lower 95% limit', 'Leeds: upper 95% limit', ...places, ...places.map((place) => `${place}: source`)]);
      // Each published figure with the file it came from beside it.
      const firstFile = first.source_label;
      const laterFile = later.source_label;
      expect(figure!.table.rows).toEqual([
        ['2022/23', 40, 36.1, 44.2, 44, 42, null, firstFile, firstFile, null],
        ['2023/24', 41.3, 37.3, 45.4, 47, 44, 'c', laterFile, firstFile, firstFile],
      ]);
      const sourceNote = (place: string, title: string, fileName: string) =>
        expect.stringMatching(new RegExp(`^Source of ${place}: National statistics: “${title}” \\(${fileName}, batch \\d+\\), loaded [\\d :-]+ UTC by .+ \\(pt_rwm_met_expected_standard\\)\\.$`)) as unknown;
      expect(figure!.notes).toEqual([
        'England, Yorkshire and The Humber, Bradford: published statistics for the same group. They carry no confidence interval here.',
        sourceNote('England', 'Key stage 2 attainment', 'key_stage_2_attainment.csv'),
        sourceNote('England', 'Key stage 2 attainment revised', 'key_stage_2_attainment_revised.csv'),
        sourceNote('Yorkshire and The Humber', 'Key stage 2 attainment', 'key_stage_2_attainment.csv'),
        sourceNote('Bradford', 'Key stage 2 attainment', 'key_stage_2_attainment.csv'),
        'c: withheld to protect individuals (here: fewer than 5 children in the group, or meeting or missing the outcome; published: suppressed)',
        'A blank cell: no figure for that year (none has been loaded, or the group had no child with a value).',
      ]);
      const svg = await renderChart(figure!.spec, figure!.description);
      expect(svg.startsWith('<svg role="img" aria-label="Line chart of children from poorer socio-economic groups in Leeds')).toBe(true);
      for (const text of ['Leeds', 'England', 'Yorkshire and The Humber', 'Bradford', '2022/23', '2023/24']) expect(svg).toContain(text);
      expect(svg).toContain('data-ntg-tip="England, 2023/24: 47% (205,100 children, published)"');
      expect(svg).toContain('data-ntg-tip="Leeds, 2023/24: 41.3% (95% interval 37.3 to 45.4)"');
    });

    it('gives no figure when nothing is published for the group or the measure', async () => {
      expect(await benchmarkFigure(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'children-in-care', localSeries })).toBeUndefined();
      expect(await benchmarkFigure(database.db, { laCode: leeds, indicator: 'ks4_attainment8', group: 'poorer-socio-economic-groups', localSeries })).toBeUndefined();
    });

    it('refuses a chosen authority it does not know, naming it', async () => {
      await expect(benchmarkFigure(database.db, { laCode: leeds, indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups', comparators: ['E08999999'], localSeries })).rejects.toThrow(
        'comparator: "E08999999" is not the GSS code of a current local authority',
      );
    });
  });
});
