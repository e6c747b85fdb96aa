import type { Estimate } from './interval.js';
import { StatsInputError, requireNonNegative, show } from './errors.js';

/** A gap against everyone, with the share of everyone who are not in the group. */
export interface WholeComparison extends Estimate {
  /** (N − n_g)/N: the factor that turns a gap against the rest into the gap against everyone. */
  readonly restShare: number;
}

/**
 * A group's gap against everyone (the group included), derived from its gap against the rest.
 *
 * Everyone's value is the children-weighted mix of the group's and the rest's:
 * θ_all = (n_g θ_g + n_r θ_r) / N with N = n_g + n_r. So
 *   θ_g − θ_all = (n_r / N)(θ_g − θ_r) = (1 − n_g/N)(θ_g − θ_r),
 * for a proportion and for a mean alike. The comparison with everyone is therefore a fixed multiple
 * of the comparison with the rest, and its interval is the rest-interval (Newcombe's for proportions,
 * Welch's for means, both of which need independent samples, which the group and the rest are)
 * scaled by the same factor, conditioning on the numbers of children as those intervals do. The
 * significance is the same as against the rest: the scaled interval excludes zero exactly when the
 * other does. Comparing the group directly with everyone by a two-independent-samples interval
 * would be wrong, because the group is part of everyone: the two estimates are positively
 * correlated and such an interval is too wide.
 *
 * Reference: the identity is the decomposition of an overall mean (or proportion) into the
 * children-weighted means of disjoint parts; it is derived here, not taken from a publication. The
 * intervals it scales: Newcombe RG. Interval estimation for the difference between independent
 * proportions: comparison of eleven methods. Stat Med 1998;17(8):873–890 (method 10); Welch BL. The
 * generalization of "Student's" problem when several different population variances are involved.
 * Biometrika 1947;34(1/2):28–35.
 *
 * @param againstRest the group's gap against the rest, with its interval (any scale: percentage points, units)
 * @param groupCount n_g, children in the group with a value
 * @param restCount n_r, children not in the group with a value
 * @throws {StatsInputError} for a negative count or no children at all
 * @example gapAgainstWhole({ value: -35, lower: -49.1, upper: -19.4 }, 40, 410) // { value: -31.9, lower: -44.7, upper: -17.7, restShare: 0.911 }
 */
export function gapAgainstWhole(againstRest: Estimate, groupCount: number, restCount: number): WholeComparison {
  requireNonNegative(groupCount, 'the number of children in the group');
  requireNonNegative(restCount, 'the number of other children');
  const total = groupCount + restCount;
  if (total === 0) throw new StatsInputError(`a gap against everyone needs at least one child (got ${show(groupCount)} in the group and ${show(restCount)} others)`);
  const restShare = restCount / total;
  const scale = (figure: number | null) => (figure === null ? null : restShare * figure);
  return { value: scale(againstRest.value), lower: scale(againstRest.lower), upper: scale(againstRest.upper), restShare };
}
