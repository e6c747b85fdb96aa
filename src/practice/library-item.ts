/**
 * A published item as the library's page and API show it: its grade and evidence with what they
 * mean, its cost, its impact (the pooled effect as months of progress, and the spread behind it as a
 * forest plot with its table), what it is for in the catalogue's own words and links, and its text.
 */
import type { Catalogue } from '../framework/catalogue.js';
import { findItems, itemById } from '../framework/catalogue.js';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { withoutChartWhenEmpty } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { formatNumber, formatSigned } from '../web/format.js';
import { allowedEvidenceTypes } from '../assessment/evidence-files.js';
import { designLabels, settingTypeLabels } from './content.js';
import type { PracticeContent, SettingType } from './content.js';
import type { Effect, EffectMethod, ItemImpact } from './impact.js';
import type { FacetName, LibraryVocabulary } from './library.js';
import { costBandLabel, gradeLabel, gradeMeanings, placeName, statementPlace, strengthMeanings, strengthText } from './library.js';
import { contentCostBand } from './content.js';
import { practiceReference } from './reference.js';
import type { PublishedView } from './service.js';

export interface LinkedLabel {
  label: string;
  href: string;
  /** The catalogue's wording, for threads and statements. */
  text?: string;
}

const methodWords: Record<EffectMethod, string> = {
  'hedges-g': 'Hedges’ g from the two groups’ means and standard deviations',
  'logit-d': 'From the numbers with the outcome in each group (logit method)',
  reported: 'As the submitter reported it',
};

/** "+4 months", "−1 month", "0 months". */
export function monthsText(months: number): string {
  return `${formatSigned(months, 0)} month${Math.abs(months) === 1 ? '' : 's'}`;
}

/** "−1 to +6 months", or '' without an interval. */
export function monthsIntervalText(effect: Pick<Effect, 'monthsLower' | 'monthsUpper'>): string {
  if (effect.monthsLower === null || effect.monthsUpper === null) return '';
  return `${formatSigned(effect.monthsLower, 0)} to ${formatSigned(effect.monthsUpper, 0)} months`;
}

/** "+0.28 (95% confidence interval +0.02 to +0.54)". */
export function effectText(effect: Pick<Effect, 'value' | 'lower' | 'upper'>): string {
  const interval = effect.lower === null || effect.upper === null ? '' : ` (95% confidence interval ${formatSigned(effect.lower, 2)} to ${formatSigned(effect.upper, 2)})`;
  return `${formatSigned(effect.value, 2)}${interval}`;
}

/**
 * How far the results agree, from I² (the share of their spread beyond what chance would give),
 * in the bands of the Cochrane Handbook (section 10.10.2) put plainly.
 */
export function agreementWords(iSquared: number | null, pooledFrom: number): string {
  if (pooledFrom < 2 || iSquared === null) return 'From one result, so there is no spread to judge.';
  const percent = `I² ${formatNumber(iSquared * 100, 0)}%`;
  if (iSquared < 0.3) return `The results agree: their differences are about what chance alone would give (${percent}).`;
  if (iSquared < 0.6) return `The results differ somewhat: part of their spread is more than chance (${percent}).`;
  return `The results differ a lot (${percent}): the average hides real differences, so look at each result and whom it was for.`;
}

/** A document's type in words, from its stored media type. */
export function documentTypeLabel(mediaType: string): string {
  return allowedEvidenceTypes.find((type) => type.mediaType === mediaType)?.label ?? 'File';
}

export function sizeText(bytes: number): string {
  if (bytes < 1_024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${formatNumber(bytes / 1_024, 0)} KB`;
  return `${formatNumber(bytes / 1_048_576, 1)} MB`;
}

/** Text as paragraphs: a blank line or a line break starts a new one. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function resultLabel(result: { index: number; outcome: string; forWhom: string }): string {
  const outcome = result.outcome || `Result ${result.index + 1}`;
  const label = `${result.index + 1}. ${outcome}`;
  return label.length > 48 ? `${label.slice(0, 46).trimEnd()}…` : label;
}

/** The forest plot: each result's effect with its interval, and the pooled effect below them. */
export function forestFigure(impact: ItemImpact, title: string): ChartFigure {
  const overall = impact.overall;
  const points = [
    ...impact.results.map((result) => ({
      label: resultLabel(result),
      kind: 'Result',
      value: result.value,
      lower: result.lower,
      upper: result.upper,
      tip: `${result.outcome || `Result ${result.index + 1}`}${result.forWhom ? ` (${result.forWhom})` : ''}: effect size ${effectText(result)}, ${monthsText(result.months)}`,
    })),
    ...(overall !== null && overall.pooledFrom >= 2
      ? [{ label: `Overall (${overall.pooledFrom} results pooled)`, kind: 'Overall', value: overall.value, lower: overall.lower, upper: overall.upper, tip: `Overall: effect size ${effectText(overall)}, ${monthsText(overall.months)}` }]
      : []),
  ];
  const x = { type: 'quantitative', title: 'Effect size (standardised difference; right of 0 is better)', scale: { zero: true, nice: true } } as const;
  const rows: FigureCell[][] = impact.results.map((result) => [
    result.outcome || `Result ${result.index + 1}`,
    result.forWhom || '–',
    Number(result.value.toFixed(2)),
    result.lower === null ? null : Number(result.lower.toFixed(2)),
    result.upper === null ? null : Number(result.upper.toFixed(2)),
    result.months,
    result.children,
    methodWords[result.method],
  ]);
  if (overall !== null && overall.pooledFrom >= 2) {
    rows.push([
      `Overall (${overall.pooledFrom} results pooled)`,
      '–',
      Number(overall.value.toFixed(2)),
      overall.lower === null ? null : Number(overall.lower.toFixed(2)),
      overall.upper === null ? null : Number(overall.upper.toFixed(2)),
      overall.months,
      null,
      'Random-effects pooling (DerSimonian–Laird)',
    ]);
  }
  const notes = [
    'An effect size is the difference between the children who took part and those who did not, in standard deviations; months of additional progress use the Education Endowment Foundation’s conversion.',
    ...impact.notComparable.map((entry) => `${entry.outcome || `Result ${entry.index + 1}`}: not shown, because ${entry.reason}.`),
  ];
  const figure: ChartFigure = {
    id: 'results',
    title: 'Each result, and the overall effect',
    summary:
      overall === null
        ? 'None of the results gives an effect size.'
        : `${impact.results.length === 1 ? 'One result' : `${impact.results.length} results`}, each with its 95% confidence interval${overall.pooledFrom >= 2 ? ', and the overall effect pooled from them' : ''}. ${agreementWords(overall.iSquared, overall.pooledFrom)}`,
    description: `Forest plot of the results of “${title}”: each result’s effect size as a dot with its 95% confidence interval as a line${overall !== null && overall.pooledFrom >= 2 ? ', and the overall effect as a diamond' : ''}; the dashed line is no effect. The table below gives the figures.`,
    spec: {
      width: 420,
      height: Math.max(60, points.length * 34),
      data: { values: points },
      encoding: { y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 260 } } },
      layer: [
        { mark: { type: 'rule', color: chartColours.neutral, strokeDash: [4, 4] }, encoding: { x: { datum: 0, ...x } } },
        {
          transform: [{ filter: 'datum.lower != null && datum.upper != null' }],
          mark: { type: 'rule', strokeWidth: 2, color: chartColours.group },
          encoding: { x: { field: 'lower', ...x }, x2: { field: 'upper' } },
        },
        {
          mark: { type: 'point', filled: true, opacity: 1, aria: true },
          encoding: {
            x: { field: 'value', ...x },
            shape: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['Result', 'Overall'], range: ['circle', 'diamond'] }, legend: null },
            size: { field: 'kind', type: 'ordinal', sort: ['Result', 'Overall'], scale: { domain: ['Result', 'Overall'], range: [90, 260] }, legend: null },
            color: { field: 'kind', type: 'nominal', scale: { domain: ['Result', 'Overall'], range: [chartColours.group, chartColours.text] }, legend: null },
            description: { field: 'tip' },
          },
        },
      ],
    },
    table: {
      caption: `Results of “${title}”: effect sizes with 95% confidence intervals and months of additional progress`,
      head: ['Outcome measured', 'For whom', 'Effect size', 'Lower 95% limit', 'Upper 95% limit', 'Months of progress', 'Children', 'How the effect was found'],
      rows,
      rowHeaders: true,
    },
    notes,
  };
  return withoutChartWhenEmpty(figure, points.length, 'None of the results gives an effect size, so there is nothing to draw.');
}

/** Catalogue links for what an item is for. */
export function purposeLinks(catalogue: Catalogue, vocabulary: LibraryVocabulary, content: Pick<PracticeContent, 'groups' | 'outcomes' | 'threads' | 'statements' | 'tiers' | 'settingTypes'>) {
  const labelOf = (facet: FacetName, value: string) => vocabulary.facets[facet].byValue.get(value)?.label ?? value;
  const threads = findItems(catalogue, { kind: 'golden-thread' });
  return {
    groups: content.groups.map((id) => ({ label: labelOf('group', id), href: `/framework/items/${encodeURIComponent(id)}` })),
    outcomes: content.outcomes.map((id) => ({ label: labelOf('outcome', id), href: `/framework/items/${encodeURIComponent(id)}` })),
    threads: content.threads.map((id) => {
      const thread = threads.find((entry) => entry.id === id);
      return thread === undefined
        ? { label: id, href: `/framework/items/${encodeURIComponent(id)}` }
        : { label: `Golden thread ${thread.number}: ${thread.shortTitle}`, text: thread.text, href: `/framework/golden-threads/${thread.number}` };
    }),
    statements: content.statements.map((id) => {
      const option = vocabulary.facets.statement.byValue.get(id);
      const seed = itemById(catalogue, id);
      const label =
        option?.label ??
        (seed !== undefined && (seed.kind === 'matrix-statement' || seed.kind === 'general-condition')
          ? statementPlace(catalogue, { id, kind: seed.kind, template: seed.template, layer: 'layer' in seed ? seed.layer : null, tier: 'tier' in seed ? seed.tier : null })
          : id);
      return { label, text: option?.hint ?? seed?.text ?? '', href: `/framework/items/${encodeURIComponent(id)}` };
    }),
    tiers: content.tiers.map((id) => labelOf('tier', id)),
    settings: content.settingTypes.map((type) => settingTypeLabels[type as SettingType] ?? type),
  };
}

function agesText(content: PracticeContent): string | null {
  const { ageFrom, ageTo } = content;
  if (ageFrom === null && ageTo === null) return null;
  if (ageFrom !== null && ageTo !== null) return ageFrom === ageTo ? `${ageFrom} years old` : `${ageFrom} to ${ageTo} years old`;
  return ageFrom !== null ? `${ageFrom} years old and over` : `Up to ${ageTo} years old`;
}

/** "£150 per child per year", "No extra cost". */
export function costText(costPerChild: number | null): string | null {
  if (costPerChild === null) return null;
  if (costPerChild === 0) return 'No extra cost';
  return `£${formatNumber(costPerChild, Number.isInteger(costPerChild) ? 0 : 2)} per child per year`;
}

/** Everything the item page shows, worked out once. */
export function itemPage(view: PublishedView, catalogue: Catalogue, vocabulary: LibraryVocabulary) {
  const { content, impact } = view;
  const overall = impact.overall;
  const band = contentCostBand(content);
  const sections = [
    { heading: 'The problem and its context', text: content.problem },
    { heading: 'What was done', text: content.whatWasDone },
    { heading: 'What it takes to implement', text: content.implementation },
    { heading: 'What went wrong, and what was learnt', text: content.whatWentWrong },
    { heading: 'Partners', text: content.partners },
    { heading: 'Staffing', text: content.staffing },
  ]
    .filter((section) => section.text !== '')
    .map((section) => ({ heading: section.heading, paragraphs: paragraphs(section.text) }));
  return {
    referenceLabel: practiceReference(view.reference),
    gradeLabel: gradeLabel(view.grade),
    gradeMeaning: gradeMeanings[view.grade],
    strengthText: strengthText(view.evidenceStrength),
    strengthMeaning: strengthMeanings[view.evidenceStrength] ?? '',
    cost: {
      band: band === null ? null : costBandLabel(band),
      figure: costText(content.costPerChild),
      notes: paragraphs(content.costNotes),
    },
    impact:
      overall === null
        ? null
        : {
            months: monthsText(overall.months),
            monthsInterval: monthsIntervalText(overall),
            effect: effectText(overall),
            band: overall.impact,
            pooledFrom: overall.pooledFrom,
            agreement: agreementWords(overall.iSquared, overall.pooledFrom),
          },
    forWhom: [...new Set(impact.results.map((result) => result.forWhom).filter((text) => text !== ''))],
    purpose: purposeLinks(catalogue, vocabulary, content),
    ages: agesText(content),
    where: placeName(content.laCode),
    duration: content.durationMonths === null ? null : `${content.durationMonths} month${content.durationMonths === 1 ? '' : 's'}`,
    design: content.design === null ? null : designLabels[content.design],
    evaluation: paragraphs(content.evaluation),
    sections,
    summary: paragraphs(content.summary),
  };
}
