/**
 * narrowing-the-gap/stats — pure statistics for measuring gaps in outcomes between groups of children.
 * No I/O. Every function documents its formula, published source, errors and an example; see
 * docs/methods.md for the full methods and citations.
 */
export { StatsInputError, isMissing } from './errors.js';
export type { MaybeNumber } from './errors.js';
export type { ConfidenceOptions, Estimate, Interval } from './interval.js';

export { normalQuantile, twoSidedZ } from './normal-quantile.js';
export { normalCdf, normalUpperTail } from './normal-cdf.js';
export { gammaQuantile, logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
export { chiSquareCdf, chiSquareQuantile, chiSquareUpperTail } from './chi-square.js';
export { logBeta, regularizedBeta } from './beta.js';
export { studentTCdf, studentTQuantile } from './student-t.js';
export { binomialCdf } from './binomial.js';
export { createRandom } from './random.js';
export type { SeededRandom } from './random.js';

export { proportion, wilsonInterval } from './proportion.js';
export type { ProportionOptions, ProportionResult } from './proportion.js';
export { byarLimits, crudeRate, exactPoissonLimits } from './rate.js';
export type { RateOptions, RateResult } from './rate.js';
export { meanFromSummary, meanFromValues, summarise } from './mean.js';
export type { MeanResult, MeanSummary } from './mean.js';

export { standardDeviationFromSums, standardErrorFromLimits, summaryFromSums } from './sums.js';
export type { Sums } from './sums.js';
export { gapAgainstWhole } from './whole-comparison.js';
export type { WholeComparison } from './whole-comparison.js';
export { proportionDifference } from './proportion-difference.js';
export type { Counts, ProportionDifferenceResult } from './proportion-difference.js';
export { proportionRatio } from './proportion-ratio.js';
export type { ProportionRatioResult } from './proportion-ratio.js';
export { hedgesCorrection, meanDifference, standardisedMeanDifference } from './mean-difference.js';
export type { MeanDifferenceResult, StandardisedMeanDifferenceResult } from './mean-difference.js';
export { standardisedDifferenceFromCounts } from './effect-from-counts.js';
export type { EffectFromCountsResult } from './effect-from-counts.js';
export { poolEffects, standardErrorFromInterval } from './pooled-effect.js';
export type { PooledEffect, PooledEstimate, StudyEffect } from './pooled-effect.js';
export { impactBand, monthsOfProgress } from './months-progress.js';
export type { ImpactBand } from './months-progress.js';

export { compareWithBenchmark, judge } from './compare.js';
export type { Benchmark, Comparison, Direction, Judgement, MaybeInterval, Polarity } from './compare.js';

export { disadvantageGapIndex } from './gap-index.js';
export type { GapIndexResult, GroupFlag } from './gap-index.js';
export { slopeIndexOfInequality } from './inequality.js';
export type { InequalityOptions, InequalityResult, QuantileValue } from './inequality.js';
export { gapTrend, recentTrend } from './trend.js';
export type { GapPoint, GapTrendResult, TrendOptions, TrendPoint, TrendResult } from './trend.js';
export { forecastLinear } from './forecast.js';
export type { ForecastPoint, ForecastResult, LinearFit } from './forecast.js';
export { funnelLimits } from './funnel.js';
export type { FunnelLevel, FunnelOptions, FunnelPoint } from './funnel.js';
export { meanFunnelLimits } from './funnel-mean.js';
export type { MeanFunnelOptions } from './funnel-mean.js';
export { DFE_SYMBOLS, applyDisclosureControl, discloseCount, discloseDerived, formatFigure, mixKey, perturbation, releaseCount, releaseSummary, roundToBase } from './disclosure.js';
export type { DisclosedCell, DisclosedTable, DisclosureOptions, MeasureSummary, ReleaseOptions, ReleasedSummary, SummaryKind, SuppressionReason, WithheldBecause } from './disclosure.js';
export { childrenBeyondMean, cohensH, standardDeviationFromMeanInterval } from './effect-size.js';
