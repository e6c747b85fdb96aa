import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GapEvidence, RatingEvidence, SuggestionEvidence } from './suggest.js';
import { combinedScore, ratingWeight, suggestPriorities, unknownShareThreshold } from './suggest.js';

const threadTitles = new Map([
  ['GT03', 'through the eyes of the child'],
  ['GT09', 'prove it'],
]);

function gap(fields: Partial<GapEvidence> & Pick<GapEvidence, 'group' | 'indicator' | 'curveScore'>): GapEvidence {
  return {
    groupLabel: fields.group === 'children-in-care' ? 'Children in care' : `Group ${fields.group}`,
    indicatorLabel: fields.indicator,
    year: '2025/26',
    gap: -20,
    valueType: 'percentage',
    significant: true,
    trend: 'no-significant-change',
    curveRank: 1,
    ...fields,
  };
}

function rating(statementId: string, level: number, previousLevel: number | null = null): RatingEvidence {
  const labels = ['', 'not yet in place', 'developing', 'established', 'embedded'];
  return {
    statementId,
    thread: /^GT\d{2}/.exec(statementId)?.[0] ?? null,
    text: `Statement ${statementId}`,
    level,
    levelLabel: labels[level]!,
    previousLevel,
    previousLevelLabel: previousLevel === null ? null : labels[previousLevel]!,
    assessment: 'The ten golden threads, 2025/26',
    assessmentId: '00000000-0000-4000-8000-000000000001',
  };
}

const none: SuggestionEvidence = { gaps: [], offerGaps: [], ratings: [], disagreements: [], dataGaps: [], curvePlans: [], threadTitles, authority: 'E09000007' };

describe('suggested priorities', () => {
  it('weighs a rating by its level, doubled when it slipped', () => {
    expect([ratingWeight(1, null), ratingWeight(2, null), ratingWeight(3, null), ratingWeight(4, null)]).toEqual([2, 1, 0, 0]);
    expect([ratingWeight(1, 2), ratingWeight(2, 3), ratingWeight(3, 4), ratingWeight(2, 2)]).toEqual([4, 2, 1, 1]);
  });

  it('scores the heaviest piece of evidence plus a quarter of the rest', () => {
    expect(combinedScore([])).toBe(0);
    expect(combinedScore([2])).toBe(2);
    expect(combinedScore([1, 4, 1, 2])).toBe(5);
  });

  it('ranks a fixture in the known order, merging evidence about the same group or thread', () => {
    const suggestions = suggestPriorities({
      ...none,
      gaps: [
        gap({ group: 'children-in-care', indicator: 'ks2_rwm_expected', curveScore: 2.4, curveRank: 1 }),
        gap({ group: 'children-in-care', indicator: 'ks4_attainment8', curveScore: 1.6, curveRank: 2, valueType: 'mean' }),
        gap({ group: 'special-educational-needs', indicator: 'eyfsp_gld', curveScore: 3.1, curveRank: 3, significant: false, trend: 'widening' }),
        // Neither significant nor widening: not evidence.
        gap({ group: 'special-educational-needs', indicator: 'ks1_phonics', curveScore: 9, curveRank: 4, significant: false, trend: 'narrowing' }),
      ],
      ratings: [rating('GT09-M1', 1), rating('GT09-M2', 2, 3), rating('GT03-M1', 3, 4), rating('GT03-M2', 3)],
      disagreements: [{ statementId: 'GT03-M2', thread: 'GT03', text: 'Statement GT03-M2', selfLevelLabel: 'established', moderatedLevelLabel: 'developing', assessmentId: '00000000-0000-4000-8000-000000000001' }],
      dataGaps: [
        { kind: 'indicator-missing', subject: 'ks4_attainment8', label: 'Attainment 8', year: '2025/26' },
        { kind: 'group-unknown', subject: 'young-carers', label: 'Young carers', unknownShare: 0.4, year: '2025/26' },
        { kind: 'group-unknown', subject: 'children-in-care', label: 'Children in care', unknownShare: unknownShareThreshold, year: '2025/26' },
      ],
      curvePlans: [{ id: '00000000-0000-4000-8000-00000000000a', title: 'Children in care reaching the standard', indicator: 'ks2_rwm_expected', groupSpec: 'children-in-care' }],
    });
    // SEN: 3.1. Children in care: 2.4 + 1.6/4 = 2.8. GT09: 2 + 2/4 = 2.5. Data: 1 + 1/4 = 1.25. GT03: 1 + 1/4 = 1.25 (ties by name: "Fill" before "Strengthen").
    expect(suggestions.map((suggestion) => [suggestion.key, suggestion.score])).toEqual([
      ['group:special-educational-needs', 3.1],
      ['group:children-in-care', 2.8],
      ['thread:GT09', 2.5],
      ['data', 1.25],
      ['thread:GT03', 1.25],
    ]);
    expect(suggestions.map((suggestion) => suggestion.rank)).toEqual([1, 2, 3, 4, 5]);
    const inCare = suggestions[1]!;
    expect(inCare.title).toBe('Close the gaps for children in care');
    expect(inCare.why).toBe('2 significant or widening gaps and 1 turn-the-curve plan already started.');
    expect(inCare.links).toEqual([
      { kind: 'gap', target: 'ks2_rwm_expected|children-in-care' },
      { kind: 'gap', target: 'ks4_attainment8|children-in-care' },
      { kind: 'curve-plan', target: '00000000-0000-4000-8000-00000000000a' },
    ]);
    expect(inCare.evidence[0]!.href).toBe('/gaps/indicator?la=E09000007&indicator=ks2_rwm_expected&group=children-in-care&comparator=all-other');
    const gt09 = suggestions[2]!;
    expect(gt09.title).toBe('Strengthen golden thread 9: prove it');
    expect(gt09.evidence.map((item) => [item.kind, item.weight])).toEqual([
      ['rating', 2],
      ['slipping', 2],
    ]);
    expect(gt09.evidence[1]!.text).toBe('“Statement GT09-M2” fell from established to developing (The ten golden threads, 2025/26)');
    expect(suggestions[4]!.why).toBe('1 statement rated lower than before and 1 statement where moderation disagreed.');
  });

  it('gathers thin places in the core offer into one suggestion, no local service weighing 2 and too few 1', () => {
    const suggestions = suggestPriorities({
      ...none,
      offerGaps: [
        { locality: 'East', strandLabel: 'Childcare 8am to 6pm', localServices: 0, vulnerable: 1235 },
        { locality: 'East', strandLabel: 'Parenting and family support', localServices: 1, vulnerable: 1235 },
        { locality: 'South', strandLabel: 'Community access', localServices: 0, vulnerable: null },
      ],
      dataGaps: [{ kind: 'indicator-missing', subject: 'ks4_attainment8', label: 'Attainment 8', year: '2024/25' }],
    });
    expect(suggestions.map((suggestion) => [suggestion.key, suggestion.score])).toEqual([
      ['offer', 2 + (2 + 1) / 4],
      ['data', 1],
    ]);
    const offer = suggestions[0]!;
    expect(offer).toMatchObject({ kind: 'offer', title: 'Close the gaps in the core offer where need is greatest', why: '3 localities and strands where need is high and the core offer thin.' });
    expect(offer.evidence.map((item) => [item.text, item.weight, item.href])).toEqual([
      ['East: no local service for childcare 8am to 6pm, with 1,235 children in vulnerable groups', 2, '/directory/coverage?la=E09000007'],
      ['South: no local service for community access, with a few children in vulnerable groups', 2, '/directory/coverage?la=E09000007'],
      ['East: only one local service for parenting and family support, with 1,235 children in vulnerable groups', 1, '/directory/coverage?la=E09000007'],
    ]);
  });

  it('suggests nothing without evidence, and a curve plan alone is no reason', () => {
    expect(suggestPriorities(none)).toEqual([]);
    expect(suggestPriorities({ ...none, curvePlans: [{ id: 'x', title: 'A plan', indicator: 'eyfsp_gld', groupSpec: 'children-in-care' }] })).toEqual([]);
  });

  it('ranks by score, highest first, ties in alphabetical order, whatever order the evidence comes in', () => {
    const groups = ['children-in-care', 'special-educational-needs', 'young-carers', 'young-offenders'];
    const arbitraryGap = fc.record({
      group: fc.constantFrom(...groups),
      indicator: fc.constantFrom('eyfsp_gld', 'ks2_rwm_expected', 'ks4_attainment8'),
      curveScore: fc.double({ min: 0.01, max: 5, noNaN: true }),
      significant: fc.constantFrom(true, false, null),
      trend: fc.constantFrom('narrowing', 'widening', 'no-significant-change', 'not-enough-data' as const),
    });
    const arbitraryRating = fc.record({ thread: fc.constantFrom('GT03', 'GT09'), number: fc.integer({ min: 1, max: 4 }), level: fc.integer({ min: 1, max: 4 }), previous: fc.option(fc.integer({ min: 1, max: 4 })) });
    fc.assert(
      fc.property(fc.array(arbitraryGap, { maxLength: 12 }), fc.array(arbitraryRating, { maxLength: 12 }), (gaps, ratings) => {
        const evidence: SuggestionEvidence = {
          ...none,
          gaps: gaps.map((entry, index) => gap({ ...entry, curveRank: index + 1 })),
          ratings: ratings.map((entry) => rating(`${entry.thread}-M${entry.number}`, entry.level, entry.previous)),
        };
        const forwards = suggestPriorities(evidence);
        const backwards = suggestPriorities({ ...evidence, gaps: [...evidence.gaps].reverse(), ratings: [...evidence.ratings].reverse() });
        expect(backwards.map((suggestion) => [suggestion.key, suggestion.score])).toEqual(forwards.map((suggestion) => [suggestion.key, suggestion.score]));
        for (const [index, suggestion] of forwards.entries()) {
          expect(suggestion.rank).toBe(index + 1);
          expect(suggestion.score).toBeGreaterThan(0);
          const next = forwards[index + 1];
          if (next !== undefined) expect(suggestion.score > next.score || (suggestion.score === next.score && suggestion.title.localeCompare(next.title, 'en-GB') <= 0)).toBe(true);
        }
        // Every gap that counts is in exactly one suggestion: its group's.
        const counted = evidence.gaps.filter((entry) => entry.significant === true || entry.trend === 'widening');
        for (const entry of counted) {
          const holders = forwards.filter((suggestion) => suggestion.links.some((link) => link.kind === 'gap' && link.target === `${entry.indicator}|${entry.group}`));
          expect(holders.map((suggestion) => suggestion.key)).toEqual([`group:${entry.group}`]);
        }
      }),
    );
  });
});
