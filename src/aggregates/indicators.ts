import { measures } from '../ingest/child-standard.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { trackingIndicators } from '../tracking/indicators.js';

/**
 * Every indicator the aggregates keep sufficient statistics for: the standard's measures, as loaded,
 * then those worked out from the records after each load (coverage and progress). The gap matrix,
 * its pages, downloads and API read this list; the import reads only the standard's measures.
 */
export const indicators: readonly MeasureDefinition[] = [...measures, ...trackingIndicators];

export const derivedIndicators: readonly MeasureDefinition[] = trackingIndicators;
