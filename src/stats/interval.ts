/** Shapes shared by the estimate functions. */

/**
 * An estimate with a confidence interval. A *missing result* has value, lower and upper all null
 * (an input was missing); an interval that cannot be formed for a present value has lower and upper null.
 */
export interface Estimate {
  readonly value: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** An interval whose bounds are known. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Options taken by most estimate functions. */
export interface ConfidenceOptions {
  /** Confidence level strictly between 0 and 1; default 0.95. 0.998 is the other standard level. */
  readonly confidence?: number;
}
