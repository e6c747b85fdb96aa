/**
 * The indicators this capability adds to the gap matrix: coverage (the share of the children a
 * rule is about who have what it asks for) and progress (outcome less what was expected from the
 * starting point). They are computed from the records after each load (derived.ts) and from then on
 * are read like any other indicator, with intervals, trends and suppression.
 */
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { progressPairs } from './progress-pairs.js';

const coverageCollection = 'Worked out from the child-level records (coordination around the child)';

export const coverageDefinitions: readonly MeasureDefinition[] = [
  {
    name: 'coverage_trusted_adult',
    label: 'Vulnerable children with a trusted adult',
    outcome: 'stay-safe',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: coverageCollection,
    cohort: 'Vulnerable children (in as many framework groups as the authority’s rule asks) whose trusted adult is recorded, yes or no',
    derived: 'coverage',
  },
  {
    name: 'coverage_lead_professional',
    label: 'Children with complex needs who have a lead professional',
    outcome: 'stay-safe',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: coverageCollection,
    cohort: 'Children with complex needs (by the authority’s rule) whose lead professional is recorded, yes or no',
    derived: 'coverage',
  },
  {
    name: 'coverage_early_help',
    label: 'Children with complex needs who have an early help assessment',
    outcome: 'stay-safe',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: coverageCollection,
    cohort: 'Children with complex needs (by the authority’s rule) whose early help assessment is recorded, yes or no',
    derived: 'coverage',
  },
  {
    name: 'coverage_pep',
    label: 'Children in care with a current personal education plan',
    outcome: 'enjoy-and-achieve',
    type: 'binary',
    polarity: 'higher-is-better',
    collection: coverageCollection,
    cohort: 'Children in care whose personal education plan is recorded, yes or no',
    derived: 'coverage',
  },
];

export const progressDefinitions: readonly MeasureDefinition[] = progressPairs.map((pair) => ({
  name: pair.indicator,
  label: pair.label,
  outcome: 'enjoy-and-achieve',
  type: 'continuous',
  min: pair.id === 'ks2_ks4' ? -90 : -100,
  max: pair.id === 'ks2_ks4' ? 90 : 100,
  polarity: 'higher-is-better',
  collection: 'Worked out from two of each pupil’s records: the starting point and the outcome',
  cohort: `Pupils with both points, in a starting band of at least ten pupils: ${pair.prior.charAt(0).toLowerCase()}${pair.prior.slice(1)}, then ${pair.outcome.charAt(0).toLowerCase()}${pair.outcome.slice(1)}`,
  derived: 'progress',
  // Poor attendance is attendance below 90%, so that group's gap in attendance progress says little new.
  ...(pair.id === 'attendance' ? { definesGroups: ['poor-attendance'] } : {}),
}));

export const trackingIndicators: readonly MeasureDefinition[] = [...coverageDefinitions, ...progressDefinitions];
