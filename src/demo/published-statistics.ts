import { formatAcademicYear } from '../ingest/child-standard.js';

/**
 * A small statistics file in the DfE open data standard for the demo: key stage 2 attainment by
 * disadvantage for England and the demo authority's region, over the demo's years, so benchmarking
 * has something to compare with. The national figures follow the published key stage 2 headlines
 * (KS2 attainment, 2022 to 2024: expected standard in reading, writing and maths 59%, 60%, 61%;
 * disadvantaged pupils 43%, 44%, 46%; all other pupils 65%, 66%, 67%); the region is illustrative,
 * two points lower. No test was taken in 2019/20 or 2020/21: those years are published as `x`.
 */
const national: Record<number, [total: number, disadvantaged: number, others: number]> = {
  2021: [59, 43, 65],
  2022: [60, 44, 66],
  2023: [61, 46, 67],
  2024: [62, 47, 68],
};
const regionalDifference = -2;
const pupils = { England: 660_000, region: 62_000 };
const disadvantagedShare = 0.3;

export const demoStatisticsMeta = [
  'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  'characteristic,Filter,Characteristic,,,,Disadvantage status,',
  't_rwm_eligible_pupils,Indicator,Number of eligible pupils,Key stage 2,,0,,',
  'pt_rwm_met_expected_standard,Indicator,Percentage meeting the expected standard in reading writing and maths,Key stage 2,%,0,,',
].join('\n');

/** The data file's rows for the academic years given (start years), England then the region. */
export function demoStatisticsData(years: readonly number[], region: { code: string; name: string }): string {
  const lines = ['time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,characteristic,t_rwm_eligible_pupils,pt_rwm_met_expected_standard'];
  for (const year of years) {
    const period = formatAcademicYear(year).replace('/', '');
    const figures = national[year];
    for (const [level, where, count, shift] of [
      ['National', 'E92000001,England,,', pupils.England, 0],
      ['Regional', `E92000001,England,${region.code},${region.name}`, pupils.region, regionalDifference],
    ] as const) {
      const cells: [string, number, number | undefined][] = [
        ['Total', count, figures?.[0]],
        ['Disadvantaged', Math.round(count * disadvantagedShare), figures?.[1]],
        ['Disadvantaged all other', Math.round(count * (1 - disadvantagedShare)), figures?.[2]],
      ];
      for (const [characteristic, pupilCount, percent] of cells) {
        const value = percent === undefined ? 'x' : String(percent + shift);
        lines.push(`${period},Academic year,${level},${where},${characteristic},${percent === undefined ? 'x' : pupilCount},${value}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
