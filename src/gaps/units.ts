/**
 * The unit a gap on an indicator is in, as a person reads it: percentage points for yes/no
 * indicators and attendance (itself a percentage), points for scores, suspensions a pupil for
 * suspensions. One place, so the pages and overviews say the same.
 */
const averageUnits: Readonly<Record<string, string>> = {
  attendance_pct: 'percentage points',
  suspensions: 'suspensions a pupil',
  progress_eyfsp_phonics: 'percentage points',
  progress_ks2_ks4: 'Attainment 8 points',
  progress_attendance: 'percentage points',
};

export function gapUnit(cell: { indicator: string; value_type: 'percentage' | 'mean' }): string {
  return cell.value_type === 'percentage' ? 'percentage points' : (averageUnits[cell.indicator] ?? 'points');
}
