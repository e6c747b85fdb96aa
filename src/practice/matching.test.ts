import { describe, expect, it } from 'vitest';
import type { CandidateItem, GapToClose, WeakRating } from './matching.js';
import { matchPractice } from './matching.js';

function item(overrides: Partial<CandidateItem> & { id: string }): CandidateItem {
  return { reference: 1, title: overrides.id, grade: 'promising', evidenceStrength: 3, impactMonths: 2, groups: [], outcomes: [], threads: [], statements: [], ...overrides };
}

const careReading: GapToClose = { group: 'children-in-care', groupLabel: 'Children in care', outcome: 'enjoy-and-achieve', indicatorLabel: 'Key stage 2 reading', rank: 1, trend: 'widening', significant: true };
const senSafety: GapToClose = { group: 'children-with-sen', groupLabel: 'Children with SEN', outcome: 'stay-safe', indicatorLabel: 'Suspensions', rank: 4, trend: 'no-significant-change', significant: true };
const weak: WeakRating = { statementId: 'T1-GC-01', thread: null, text: 'Partners share information about children in a timely way.', level: 1, levelLabel: 'Not yet in place', assessment: 'Template 1, 2026/27' };

describe('practice for your gaps', () => {
  it('an item serving the group on the gap’s own outcome outranks one serving the group elsewhere, and says why', () => {
    const exact = item({ id: 'exact', groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'] });
    const elsewhere = item({ id: 'elsewhere', groups: ['children-in-care'], outcomes: ['be-healthy'] });
    const unrelated = item({ id: 'unrelated', groups: ['young-carers'], outcomes: ['enjoy-and-achieve'] });
    const ranked = matchPractice([unrelated, elsewhere, exact], [careReading], []);
    expect(ranked.map((match) => match.item.id)).toEqual(['exact', 'elsewhere']);
    expect(ranked[0]!.reasons[0]!.text).toBe('Serves this group on “enjoy and achieve”: your gap for children in care on Key stage 2 reading (number 1 of your curves to turn, widening)');
    expect(ranked[1]!.reasons[0]!.kind).toBe('group');
  });

  it('the more urgent gap counts more', () => {
    const care = item({ id: 'care', groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'] });
    const sen = item({ id: 'sen', groups: ['children-with-sen'], outcomes: ['stay-safe'] });
    expect(matchPractice([sen, care], [careReading, senSafety], []).map((match) => match.item.id)).toEqual(['care', 'sen']);
  });

  it('a weak self-assessment rating matches the statement directly or through its golden thread, with the statement’s words', () => {
    const direct = item({ id: 'direct', statements: ['T1-GC-01'] });
    const threadRating: WeakRating = { ...weak, statementId: 'GT04-M2', thread: 'GT04', text: 'Information is shared.', level: 2, levelLabel: 'Developing' };
    const byThread = item({ id: 'thread', threads: ['GT04'] });
    const ranked = matchPractice([byThread, direct], [], [weak, threadRating]);
    expect(ranked.map((match) => match.item.id)).toEqual(['direct', 'thread']);
    expect(ranked[0]!.reasons[0]!.text).toBe('Serves “Partners share information about children in a timely way.”, which your self-assessment (Template 1, 2026/27) rated “Not yet in place”');
    expect(ranked[1]!.reasons[0]!.text).toContain('Serves the golden thread of “Information is shared.”');
  });

  it('among equal matches, better evidence comes first; nothing matching is left out', () => {
    const weakEvidence = item({ id: 'weak', grade: 'emerging', evidenceStrength: 1, groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'] });
    const strong = item({ id: 'strong', grade: 'validated', evidenceStrength: 5, groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'] });
    expect(matchPractice([weakEvidence, strong], [careReading], []).map((match) => match.item.id)).toEqual(['strong', 'weak']);
    expect(matchPractice([weakEvidence], [], [])).toEqual([]);
  });
});
