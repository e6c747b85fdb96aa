import { localAuthoritiesIn, findArea } from '../areas/areas.js';
import { formatAcademicYear } from '../ingest/child-standard.js';

/**
 * Fictional published statistics for the demo, in the DfE open data standard (the shape of files on
 * Explore Education Statistics): one file per publication, with England, the demo's region and
 * every authority of that region, over the demo's years, broken down by the pupil characteristics
 * each publication really splits by. They go through the same import as a real file, as national
 * statistics, so every comparator has something to read.
 *
 * The England figures follow the national headlines of recent years (rounded; sources in
 * docs/demo-data.md); the region and the authorities differ from England by fixed, invented
 * amounts. **Every figure is demo data**: the file names and titles say so, and so does every
 * provenance line that quotes them.
 */

/** A figure for each academic year (start year); undefined: not published that year (written `x`). */
type Series = Readonly<Record<number, number>>;

interface Characteristic {
  /** The filter value as DfE publishes it. */
  value: string;
  /** Its share of the publication's cohort (Total is 1). */
  share: number;
}

interface Indicator {
  name: string;
  label: string;
  unit: '%' | '';
  decimalPlaces: number;
  /** England's figure by characteristic value, by year. */
  england: Readonly<Record<string, Series>>;
  /** How much an area's attainment offset (−1 to 1) moves this figure: a better area adds `perStep` × offset. */
  perStep: number;
}

export interface DemoPublication {
  /** The file name, which is also the loaded dataset's title (src/ingest/statistics/summary.ts). */
  fileName: string;
  /** The count column: pupils (or children) the figures are about. */
  countColumn: { name: string; label: string };
  /** Pupils in the cohort in England each year. */
  englandCohort: number;
  characteristics: readonly Characteristic[];
  indicators: readonly Indicator[];
}

const total: Characteristic = { value: 'Total', share: 1 };
const disadvantaged: Characteristic = { value: 'Disadvantaged', share: 0.3 };
const disadvantagedOther: Characteristic = { value: 'Disadvantaged all other', share: 0.7 };
const fsm: Characteristic = { value: 'FSM eligible', share: 0.24 };
const anySen: Characteristic = { value: 'Any SEN', share: 0.19 };
const eal: Characteristic = { value: 'First language known or believed to be other than English', share: 0.21 };
const lookedAfter: Characteristic = { value: 'Looked after', share: 0.007 };
const protectionPlan: Characteristic = { value: 'Child protection plan', share: 0.005 };

/** Years 2020 to 2024 (2020/21 to 2024/25), the demo's five: values in that order, undefined for a year not published. */
function series(...values: (number | undefined)[]): Series {
  const entries = values.flatMap((value, index) => (value === undefined ? [] : [[2020 + index, value] as const]));
  return Object.fromEntries(entries);
}

/** No assessments in 2020/21 (the pandemic): published as `x`. */
const none = undefined;

export const demoPublications: readonly DemoPublication[] = [
  {
    // EYFSP results: published by FSM eligibility, SEN and first language, not by disadvantage.
    fileName: 'Demo data (fictional) early years foundation stage profile.csv',
    countColumn: { name: 'children_number', label: 'Number of children' },
    englandCohort: 610_000,
    characteristics: [total, fsm, anySen, eal],
    indicators: [
      {
        name: 'gld_percentage',
        label: 'Percentage of children with a good level of development',
        unit: '%',
        decimalPlaces: 1,
        perStep: 3,
        england: {
          Total: series(none, 65.2, 67.2, 67.7, 68.3),
          'FSM eligible': series(none, 49.1, 51.6, 51.5, 52.4),
          'Any SEN': series(none, 20.1, 21.4, 20.9, 21.3),
          'First language known or believed to be other than English': series(none, 60.8, 63.6, 64.1, 64.9),
        },
      },
    ],
  },
  {
    fileName: 'Demo data (fictional) phonics screening check.csv',
    countColumn: { name: 't_phonics_eligible_pupils', label: 'Number of pupils eligible for the check' },
    englandCohort: 620_000,
    characteristics: [total, disadvantaged, fsm, anySen, eal],
    indicators: [
      {
        name: 'pt_phonics_met_expected_standard',
        label: 'Percentage of pupils meeting the expected standard in the phonics screening check in Year 1',
        unit: '%',
        decimalPlaces: 0,
        perStep: 3,
        england: {
          Total: series(none, 75, 79, 80, 80),
          Disadvantaged: series(none, 62, 67, 68, 68),
          'FSM eligible': series(none, 62, 66, 67, 67),
          'Any SEN': series(none, 40, 45, 46, 46),
          'First language known or believed to be other than English': series(none, 74, 78, 79, 80),
        },
      },
    ],
  },
  {
    // KS2 by pupil characteristics, with children looked after and on a protection plan from the
    // outcomes for children in need publication, put in one file for the demo.
    fileName: 'Demo data (fictional) key stage 2 attainment.csv',
    countColumn: { name: 't_rwm_eligible_pupils', label: 'Number of eligible pupils' },
    englandCohort: 660_000,
    characteristics: [total, disadvantaged, disadvantagedOther, fsm, anySen, eal, lookedAfter, protectionPlan],
    indicators: [
      {
        name: 'pt_rwm_met_expected_standard',
        label: 'Percentage meeting the expected standard in reading writing and maths',
        unit: '%',
        decimalPlaces: 0,
        perStep: 3,
        england: {
          Total: series(none, 59, 60, 61, 62),
          Disadvantaged: series(none, 43, 44, 46, 47),
          'Disadvantaged all other': series(none, 65, 66, 67, 68),
          'FSM eligible': series(none, 42, 44, 45, 46),
          'Any SEN': series(none, 18, 20, 20, 21),
          'First language known or believed to be other than English': series(none, 58, 60, 61, 62),
          'Looked after': series(none, 28, 27, 28, 29),
          'Child protection plan': series(none, 30, 31, 31, 32),
        },
      },
      {
        name: 'avg_read_scaled_score',
        label: 'Average scaled score in reading',
        unit: '',
        decimalPlaces: 1,
        perStep: 1,
        england: {
          Total: series(none, 104.8, 105.1, 105.0, 105.6),
          Disadvantaged: series(none, 101.9, 102.1, 102.0, 102.6),
          'Disadvantaged all other': series(none, 106.1, 106.4, 106.3, 106.9),
          'FSM eligible': series(none, 101.5, 101.8, 101.7, 102.3),
          'Any SEN': series(none, 97.4, 97.8, 97.7, 98.2),
          'First language known or believed to be other than English': series(none, 103.6, 104.0, 103.9, 104.6),
          'Looked after': series(none, 99.6, 99.9, 99.8, 100.3),
          'Child protection plan': series(none, 99.9, 100.2, 100.1, 100.6),
        },
      },
      {
        name: 'avg_mat_scaled_score',
        label: 'Average scaled score in mathematics',
        unit: '',
        decimalPlaces: 1,
        perStep: 1,
        england: {
          Total: series(none, 104.0, 104.2, 104.0, 104.4),
          Disadvantaged: series(none, 100.9, 101.1, 100.9, 101.3),
          'Disadvantaged all other': series(none, 105.3, 105.5, 105.3, 105.7),
          'FSM eligible': series(none, 100.6, 100.8, 100.6, 101.0),
          'Any SEN': series(none, 97.3, 97.5, 97.3, 97.7),
          'First language known or believed to be other than English': series(none, 104.5, 104.8, 104.6, 105.0),
          'Looked after': series(none, 98.4, 98.6, 98.4, 98.8),
          'Child protection plan': series(none, 98.9, 99.1, 98.9, 99.3),
        },
      },
    ],
  },
  {
    fileName: 'Demo data (fictional) key stage 4 performance.csv',
    countColumn: { name: 't_pupils', label: 'Number of pupils at the end of key stage 4' },
    englandCohort: 620_000,
    characteristics: [total, { ...disadvantaged, share: 0.27 }, { ...disadvantagedOther, share: 0.73 }, { ...fsm, share: 0.23 }, { ...anySen, share: 0.16 }, { ...eal, share: 0.18 }, lookedAfter, protectionPlan],
    indicators: [
      {
        name: 'avg_att8',
        label: 'Average Attainment 8 score per pupil',
        unit: '',
        decimalPlaces: 1,
        perStep: 2,
        england: {
          Total: series(50.9, 48.8, 46.4, 45.9, 46.2),
          Disadvantaged: series(40.2, 37.6, 35.0, 34.6, 34.9),
          'Disadvantaged all other': series(55.1, 53.3, 50.6, 50.3, 50.6),
          'FSM eligible': series(38.8, 36.2, 33.8, 33.4, 33.7),
          'Any SEN': series(33.1, 31.2, 29.4, 28.9, 29.1),
          'First language known or believed to be other than English': series(51.5, 49.8, 47.8, 47.3, 47.6),
          'Looked after': series(23.2, 20.3, 19.4, 19.5, 19.9),
          'Child protection plan': series(25.1, 22.4, 21.0, 20.8, 21.2),
        },
      },
      {
        name: 'pt_l2basics_94',
        label: 'Percentage of pupils achieving grade 4 or above in English and mathematics GCSEs',
        unit: '%',
        decimalPlaces: 1,
        perStep: 3,
        england: {
          Total: series(72.2, 69.0, 65.1, 65.1, 64.9),
          Disadvantaged: series(56.8, 51.7, 43.6, 43.4, 43.5),
          'Disadvantaged all other': series(79.6, 77.0, 72.9, 72.8, 72.6),
          'FSM eligible': series(53.1, 47.4, 40.3, 40.0, 40.2),
          'Any SEN': series(38.6, 35.1, 31.5, 31.0, 31.2),
          'First language known or believed to be other than English': series(72.0, 68.9, 66.1, 65.6, 65.3),
          'Looked after': series(19.1, 15.8, 14.3, 14.1, 14.5),
          'Child protection plan': series(22.3, 18.9, 16.4, 16.0, 16.3),
        },
      },
    ],
  },
  {
    // Suspensions by pupil characteristics: FSM and SEN from the exclusions release, children looked
    // after and on a protection plan from the outcomes for children in need.
    fileName: 'Demo data (fictional) suspensions.csv',
    countColumn: { name: 'headcount', label: 'Number of pupils (headcount)' },
    englandCohort: 8_200_000,
    characteristics: [total, { ...fsm, share: 0.25 }, { ...anySen, share: 0.18 }, { ...eal, share: 0.21 }, lookedAfter, { ...protectionPlan, share: 0.004 }],
    indicators: [
      {
        name: 'susp_rate',
        label: 'Suspension rate (suspensions per 100 pupils)',
        unit: '',
        decimalPlaces: 2,
        perStep: -0.8,
        england: {
          Total: series(4.25, 6.91, 9.33, 10.98, 11.31),
          'FSM eligible': series(11.52, 18.47, 24.36, 27.49, 28.10),
          'Any SEN': series(10.74, 16.90, 22.09, 25.01, 25.60),
          'First language known or believed to be other than English': series(2.41, 3.87, 5.34, 6.18, 6.40),
          'Looked after': series(15.80, 22.60, 27.90, 30.40, 31.00),
          'Child protection plan': series(17.20, 24.90, 31.30, 34.70, 35.30),
        },
      },
    ],
  },
  {
    // Pupil absence by characteristic: FSM, SEN and first language from the absence release,
    // children looked after and on a protection plan from the outcomes for children in need.
    fileName: 'Demo data (fictional) pupil absence.csv',
    countColumn: { name: 'enrolments', label: 'Number of pupil enrolments' },
    englandCohort: 7_300_000,
    characteristics: [total, { ...fsm, share: 0.25 }, { ...anySen, share: 0.18 }, eal, lookedAfter, { ...protectionPlan, share: 0.004 }],
    indicators: [
      {
        name: 'sess_overall_percent',
        label: 'Overall absence rate (percentage of possible sessions missed)',
        unit: '%',
        decimalPlaces: 1,
        perStep: -0.6,
        england: {
          Total: series(4.6, 7.6, 7.4, 7.1, 6.9),
          'FSM eligible': series(7.1, 11.0, 10.7, 10.4, 10.2),
          'Any SEN': series(6.9, 10.3, 10.0, 9.8, 9.6),
          'First language known or believed to be other than English': series(3.9, 6.4, 6.3, 6.1, 6.0),
          'Looked after': series(4.4, 6.5, 6.6, 6.4, 6.3),
          'Child protection plan': series(9.8, 14.6, 14.9, 14.5, 14.2),
        },
      },
    ],
  },
  {
    // Participation and NEET at 16 and 17 by characteristic: SEN and children in care.
    fileName: 'Demo data (fictional) NEET age 16 to 17.csv',
    countColumn: { name: 'cohort', label: 'Number of young people aged 16 and 17 known to the authority' },
    englandCohort: 1_240_000,
    characteristics: [total, { ...anySen, share: 0.13 }, { ...lookedAfter, share: 0.009 }],
    indicators: [
      {
        name: 'neet_percent',
        label: 'Percentage of 16 and 17 year olds not in education, employment or training (NEET)',
        unit: '%',
        decimalPlaces: 1,
        perStep: -0.6,
        england: {
          Total: series(5.0, 5.2, 5.3, 5.5, 5.5),
          'Any SEN': series(9.4, 9.8, 10.1, 10.4, 10.5),
          'Looked after': series(20.4, 21.1, 21.6, 22.0, 22.3),
        },
      },
    ],
  },
];

/**
 * Each authority's attainment offset, from −1 (well below England) to 1 (well above): invented, in
 * the spirit of the authorities' published standing. Unlisted authorities sit at −0.3.
 */
const authorityOffsets: Readonly<Record<string, number>> = {
  E06000010: -0.9, // Kingston upon Hull
  E06000011: 0.4, // East Riding of Yorkshire
  E06000012: -0.5, // North East Lincolnshire
  E06000013: -0.2, // North Lincolnshire
  E06000014: 0.6, // York
  E06000065: 0.5, // North Yorkshire
  E08000017: -0.6, // Doncaster
  E08000018: -0.4, // Rotherham
  E08000032: -0.8, // Bradford
  E08000033: 0.1, // Calderdale
  E08000034: -0.3, // Kirklees
  E08000035: -0.2, // Leeds
  E08000036: -0.1, // Wakefield
  E08000038: -0.3, // Barnsley
  E08000039: -0.3, // Sheffield
};

/** Each authority's share of England's pupils, roughly as published (the region's is their sum). */
const authorityShares: Readonly<Record<string, number>> = {
  E06000010: 0.0049, E06000011: 0.0048, E06000012: 0.0029, E06000013: 0.0029, E06000014: 0.0028,
  E06000065: 0.0094, E08000017: 0.0058, E08000018: 0.0052, E08000032: 0.0125, E08000033: 0.0041,
  E08000034: 0.0088, E08000035: 0.0152, E08000036: 0.0062, E08000038: 0.0045, E08000039: 0.0102,
};

/** Fewer children than this behind a figure and it is published as `c`, as the DfE suppresses small numbers. */
const smallestPublished = 10;

/** A small, fixed wobble per area, figure and year (−0.5 to 0.5), so the years do not move in lockstep. */
function wobble(...parts: (string | number)[]): number {
  let hash = 2166136261;
  for (const character of parts.join('|')) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619) >>> 0;
  return hash / 2 ** 32 - 0.5;
}

function rounded(value: number, places: number): string {
  return value.toFixed(places);
}

/** A CSV cell, quoted when it holds a comma or a quotation mark. */
function csvCell(text: string): string {
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The metadata file of a publication. */
export function demoPublicationMeta(publication: DemoPublication): string {
  return [
    'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
    'characteristic,Filter,Characteristic,,,,Pupil characteristic,',
    `${publication.countColumn.name},Indicator,${csvCell(publication.countColumn.label)},,,0,,`,
    ...publication.indicators.map((indicator) => `${indicator.name},Indicator,${csvCell(indicator.label)},,${indicator.unit},${indicator.decimalPlaces},,`),
  ].join('\n') + '\n';
}

interface Place {
  level: 'National' | 'Regional' | 'Local authority';
  /** The location columns' cells: country, region, then the authority's. */
  cells: string;
  code: string;
  share: number;
  offset: number;
}

function placesOf(regionCode: string): Place[] {
  const region = findArea(regionCode);
  const regionName = region?.name ?? regionCode;
  const authorities = localAuthoritiesIn(regionCode);
  const regionShare = authorities.reduce((sum, la) => sum + (authorityShares[la.gss] ?? 0.005), 0);
  const regionOffset = authorities.reduce((sum, la) => sum + (authorityShares[la.gss] ?? 0.005) * (authorityOffsets[la.gss] ?? -0.3), 0) / regionShare;
  return [
    { level: 'National', cells: 'E92000001,England,,,,,', code: 'E92000001', share: 1, offset: 0 },
    { level: 'Regional', cells: `E92000001,England,${regionCode},${csvCell(regionName)},,,`, code: regionCode, share: regionShare, offset: regionOffset },
    ...authorities.map(
      (la): Place => ({
        level: 'Local authority',
        cells: `E92000001,England,${regionCode},${csvCell(regionName)},${la.dfeNumber ?? ''},${la.gss},${csvCell(la.name)}`,
        code: la.gss,
        share: authorityShares[la.gss] ?? 0.005,
        offset: authorityOffsets[la.gss] ?? -0.3,
      }),
    ),
  ];
}

/**
 * The data file of a publication for the academic years given (start years): England, the region,
 * then each authority of the region, every characteristic the publication splits by.
 */
export function demoPublicationData(publication: DemoPublication, years: readonly number[], regionCode: string): string {
  const header = [
    'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic',
    publication.countColumn.name,
    ...publication.indicators.map((indicator) => indicator.name),
  ].join(',');
  const lines = [header];
  for (const year of years) {
    const period = formatAcademicYear(year).replace('/', '');
    for (const place of placesOf(regionCode)) {
      for (const characteristic of publication.characteristics) {
        const count = Math.round(publication.englandCohort * place.share * characteristic.share);
        const published = publication.indicators.map((indicator) => indicator.england[characteristic.value]?.[year]);
        const cells = publication.indicators.map((indicator, index) => {
          const england = published[index];
          if (england === undefined) return 'x';
          if (count < smallestPublished) return 'c';
          // Smaller places wobble more: their figures rest on fewer children.
          const noise = place.level === 'National' ? 0 : wobble(publication.fileName, indicator.name, place.code, characteristic.value, year) * Math.abs(indicator.perStep) * (place.level === 'Regional' ? 0.3 : 1);
          const value = Math.max(0, england + indicator.perStep * place.offset + noise);
          return rounded(indicator.unit === '%' ? Math.min(100, value) : value, indicator.decimalPlaces);
        });
        const countCell = published.every((value) => value === undefined) ? 'x' : String(count);
        lines.push(`${period},Academic year,${place.level},${place.cells},${csvCell(characteristic.value)},${countCell},${cells.join(',')}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
