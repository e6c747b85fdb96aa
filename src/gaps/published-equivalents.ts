/**
 * Which published figures measure the same thing as our child-level measures and groups, so an
 * authority's group can be set beside the same group in England, its region or other authorities.
 *
 * A mapping is listed only when the published figure is the same quantity for the same children as
 * the gap matrix computes (docs/data-standards.md), possibly on another scale. Anything uncertain is
 * left out: no benchmark is better than a benchmark of something else. Indicator names are the
 * `col_name`s of DfE open data files (explore-education-statistics).
 */

export interface PublishedEquivalent {
  /** The indicator's col_name in published files. */
  readonly indicator: string;
  /** The indicator in the same row giving how many children the figure is about, where files have one. */
  readonly countIndicator?: string;
  /** A figure on another scale: how it becomes the measure's, in words and as arithmetic. */
  readonly transformation?: { readonly description: string; readonly toMeasure: (published: number) => number };
}

/**
 * Published equivalents of each measure, in order of preference. Measures not listed have none:
 *
 * - `phonics_y1_met`, `ks2_reading_scaled`, `ks2_maths_scaled` and `neet_16_17` below are named as in
 *   the demo's published-shaped files (src/demo/published-statistics.ts); check them against a
 *   published file's column names when one is at hand, and add its names beside them.
 * - `attendance_pct` reads the published overall absence rate (`sess_overall_percent`) as 100 − the
 *   rate. That rate pools sessions over all pupils, so each pupil counts by their possible sessions;
 *   our group value is the mean of each child's percentage, where a child on roll for a term counts
 *   as much as one on roll all year. The two differ a little (children with few sessions tend to
 *   miss more, so the mean of children's attendance runs slightly below the pooled figure); it is
 *   the attendance DfE publishes by group, and the pages say how it is made (docs/gaps.md).
 *   `sess_unauthorised_percent` (in the school absence sample) counts unauthorised absence only.
 * - `suspensions`: the exclusions-by-reason files count suspensions by reason with no pupil count,
 *   so no per-pupil figure can be made from them; the suspension rate below is the equivalent.
 * - `healthy_weight_reception`, `healthy_weight_y6`: the National Child Measurement Programme is
 *   published by NHS England and OHID (Fingertips), not in DfE open data files.
 * - `neet_16_17`: DfE publishes NEET together with "activity not known" and on its own; only the
 *   NEET-alone percentage is the same quantity as ours (`neet_percent`).
 */
export const publishedEquivalents: Readonly<Record<string, readonly PublishedEquivalent[]>> = {
  // EYFSP results: percentage of children with a good level of development, of those assessed.
  eyfsp_gld: [{ indicator: 'gld_percentage', countIndicator: 'children_number' }],
  // Phonics screening check: percentage of Year 1 pupils meeting the expected standard.
  phonics_y1_met: [{ indicator: 'pt_phonics_met_expected_standard', countIndicator: 't_phonics_eligible_pupils' }],
  // KS2 attainment: percentage of eligible pupils meeting the expected standard in reading, writing and maths.
  ks2_rwm_expected: [{ indicator: 'pt_rwm_met_expected_standard', countIndicator: 't_rwm_eligible_pupils' }],
  // KS2 attainment: average scaled score of pupils with a scaled score (no count: those eligible include pupils without one).
  ks2_reading_scaled: [{ indicator: 'avg_read_scaled_score' }],
  ks2_maths_scaled: [{ indicator: 'avg_mat_scaled_score' }],
  // KS4 performance: average Attainment 8 score per pupil at the end of key stage 4.
  ks4_attainment8: [{ indicator: 'avg_att8', countIndicator: 't_pupils' }],
  // KS4 performance: percentage of pupils with grade 4 or above in English and maths.
  ks4_eng_maths_grade4: [{ indicator: 'pt_l2basics_94', countIndicator: 't_pupils' }],
  // Pupil absence: 100 − the overall absence rate, the percentage of possible sessions attended, pooled over pupils (see above).
  attendance_pct: [
    {
      indicator: 'sess_overall_percent',
      countIndicator: 'enrolments',
      transformation: { description: '100 − the overall absence rate = the percentage of possible sessions attended, pooled over pupils', toMeasure: (rate) => 100 - rate },
    },
  ],
  suspensions: [
    // Exclusions statistics: suspensions per 100 pupils (a pupil suspended twice counts twice). Our
    // measure's group value is the mean of each child's suspensions, which is suspensions per pupil:
    // the same quantity, a hundredth of the rate. Before 2021/22 suspensions were called fixed-period
    // exclusions and the same rate was `fixed_excl_rate`.
    { indicator: 'susp_rate', countIndicator: 'headcount', transformation: { description: 'suspensions per 100 pupils ÷ 100 = suspensions per pupil', toMeasure: (rate) => rate / 100 } },
    { indicator: 'fixed_excl_rate', countIndicator: 'headcount', transformation: { description: 'fixed-period exclusions per 100 pupils ÷ 100 = suspensions per pupil', toMeasure: (rate) => rate / 100 } },
  ],
  // Participation and NEET at 16 and 17: percentage NEET (activity not known left out), of the cohort known to the authority.
  neet_16_17: [{ indicator: 'neet_percent', countIndicator: 'cohort' }],
};

/**
 * The published filter values that name exactly a group as this service defines it
 * (docs/data-standards.md), by group id. Files tag a row with the framework group a value names
 * (src/ingest/statistics/groups.ts), and that tagging is deliberately wide: "SEN support" and
 * "EHC plan" are both tagged as children with SEN. A benchmark needs the whole group, so only these
 * values count; a narrower or differently defined value (SEN support alone, FSM in the last six
 * years, looked after for 12 months) is not the same group. Groups defined locally (disabilities,
 * young carers, young offenders, vulnerable adults, asylum seekers and refugees) have no national
 * equivalent. Persistent absence is left out: DfE counts a pupil missing exactly 10% of sessions,
 * our group starts below 90% attendance.
 */
export const publishedGroupValues: Readonly<Record<string, readonly string[]>> = {
  // The pupil premium definition: FSM in the last six years, or looked after or previously looked after.
  'poorer-socio-economic-groups': ['Disadvantaged', 'Disadvantaged pupils', 'Disadvantaged children'],
  // The alternative definition: eligible for free school meals now.
  'poorer-socio-economic-groups:fsm': ['FSM', 'FSM eligible', 'Eligible for FSM', 'Known to be eligible for FSM', 'Eligible for free school meals', 'Known to be eligible for free school meals'],
  'children-in-care': ['Looked after', 'Looked after children', 'Looked-after children', 'Children looked after', 'CLA', 'Children in care'],
  // SEN support or an EHC plan (sen_provision K or E).
  'children-with-sen': ['SEN', 'Any SEN', 'With SEN', 'Any special educational need', 'Special educational needs'],
  'ethnic-minority-backgrounds': ['Minority ethnic', 'Ethnic minority', 'Minority ethnic group', 'Minority ethnic pupils'],
  'at-risk-of-significant-harm': ['Child protection plan', 'On a child protection plan', 'Children on a child protection plan', 'CPP'],
  'not-fluent-in-english': ['EAL', 'English as an additional language', 'First language known or believed to be other than English', 'Other than English'],
};

/** The framework group id files tag a group's rows with: the group itself, or the group an alternative definition belongs to. */
export function taggedGroupOf(groupId: string): string {
  return groupId.split(':')[0]!;
}

/** Every published indicator name a measure's benchmarks read: the figures and their counts. */
export function publishedIndicatorNames(measureNames: readonly string[]): string[] {
  return [
    ...new Set(measureNames.flatMap((name) => (publishedEquivalents[name] ?? []).flatMap((equivalent) => (equivalent.countIndicator === undefined ? [equivalent.indicator] : [equivalent.indicator, equivalent.countIndicator])))),
  ];
}
