import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StandingAssessment, StandingRating, StandingStatement } from './standing.js';
import { changeSince, distributionText, headlineOf, heatmapOf, lowerMedian, medianText, nextStepsOf, progressOf, sectionBarsOf, weakestOf } from './standing.js';
import type { Confidence } from './tables.js';

/**
 * Hand-built fixtures: a small template (two general conditions; frontline universal with four
 * statements, frontline targeted with one, governance universal with two) and three golden threads.
 * Every expected figure below is counted by hand from these.
 */
function statement(id: string, position: number, fields: Partial<StandingStatement>): StandingStatement {
  return { id, position, kind: 'matrix-statement', template: 5, layer: null, tier: null, thread: null, parentId: null, text: `Statement ${id}`, ...fields };
}

function rating(statementId: string, level: number | null, fields: Partial<StandingRating> = {}): StandingRating {
  return { statementId, level, notApplicable: false, confidence: 'medium', carriedForward: false, note: '', links: [], nextStep: '', nextStepOwner: '', nextStepDue: null, ...fields };
}

const templateStatements: StandingStatement[] = [
  statement('T5-GC-01', 0, { kind: 'general-condition' }),
  statement('T5-GC-02', 1, { kind: 'general-condition' }),
  statement('T5-FRONTLINE-UNIVERSAL-01', 2, { layer: 'frontline', tier: 'universal' }),
  statement('T5-FRONTLINE-UNIVERSAL-02', 3, { layer: 'frontline', tier: 'universal' }),
  statement('T5-FRONTLINE-UNIVERSAL-03', 4, { layer: 'frontline', tier: 'universal' }),
  statement('T5-FRONTLINE-UNIVERSAL-04', 5, { layer: 'frontline', tier: 'universal' }),
  statement('T5-FRONTLINE-TARGETED-01', 6, { layer: 'frontline', tier: 'targeted' }),
  statement('T5-GOVERNANCE-UNIVERSAL-01', 7, { layer: 'governance', tier: 'universal' }),
  statement('T5-GOVERNANCE-UNIVERSAL-02', 8, { layer: 'governance', tier: 'universal' }),
];

function assessmentOf(statements: StandingStatement[], ratings: StandingRating[], scope: StandingAssessment['scope'] = 'T5', evidence: { statementId: string }[] = []): StandingAssessment {
  const byId = new Map(ratings.map((entry) => [entry.statementId, entry]));
  return Object.freeze({ scope, statements, ratings: statements.map((entry) => byId.get(entry.id) ?? rating(entry.id, null, { confidence: null })), evidence });
}

const template = assessmentOf(templateStatements, [
  rating('T5-GC-01', 3),
  rating('T5-GC-02', null, { notApplicable: true }),
  rating('T5-FRONTLINE-UNIVERSAL-01', 1, { confidence: 'high' }),
  rating('T5-FRONTLINE-UNIVERSAL-02', 2, { carriedForward: true }),
  rating('T5-FRONTLINE-UNIVERSAL-03', 3),
  rating('T5-FRONTLINE-UNIVERSAL-04', 4),
  rating('T5-FRONTLINE-TARGETED-01', 1, { confidence: 'low', note: 'Minutes of the partnership board' }),
  rating('T5-GOVERNANCE-UNIVERSAL-01', 1, { confidence: 'low' }),
  // T5-GOVERNANCE-UNIVERSAL-02 not rated
]);

describe('progress', () => {
  it('count rated statements overall excludes carried-forward ratings and counts them apart', () => {
    const overall = progressOf(template).find((row) => row.dimension === 'overall')!;
    expect(overall).toMatchObject({ rated: 7, carriedForward: 1, notRated: 1, total: 9 });
    expect(overall.percentRated).toBeCloseTo((100 * 7) / 9, 10);
  });

  it('count progress by section layer and tier gives the hand-counted figures', () => {
    const rows = progressOf(template).map((row) => [row.dimension, row.key, row.rated, row.carriedForward, row.notRated, row.total]);
    expect(rows).toEqual([
      ['overall', 'all', 7, 1, 1, 9],
      ['section', 'conditions', 2, 0, 0, 2],
      ['layer', 'frontline', 4, 1, 0, 5],
      ['layer', 'governance', 1, 0, 1, 2],
      ['tier', 'universal', 4, 1, 1, 6],
      ['tier', 'targeted', 1, 0, 0, 1],
    ]);
  });

  it('count progress of the golden threads by thread', () => {
    const threads = assessmentOf(
      [
        statement('GT01', 0, { kind: 'golden-thread', template: null, thread: 'GT01', text: 'you can do it! (expect the best)' }),
        statement('GT01-M1', 1, { kind: 'thread-means', template: null, thread: 'GT01' }),
        statement('GT02', 2, { kind: 'golden-thread', template: null, thread: 'GT02', text: 'together with parents' }),
      ],
      [rating('GT01', 2), rating('GT02', 3, { carriedForward: true })],
      'threads',
    );
    expect(progressOf(threads).map((row) => [row.dimension, row.key, row.label, row.rated, row.carriedForward, row.total])).toEqual([
      ['overall', 'all', 'All statements', 1, 1, 3],
      ['thread', 'GT01', '1. You can do it! (expect the best)', 1, 0, 2],
      ['thread', 'GT02', '2. Together with parents', 0, 1, 1],
    ]);
  });

  it('count progress of template three by principle', () => {
    const school = assessmentOf(
      [
        statement('T3-P1', 0, { kind: 'principle', template: 3, text: 'pupils at risk are identified' }),
        statement('T3-P1-B01', 1, { kind: 'principle-point', template: 3, parentId: 'T3-P1' }),
        statement('T3-P2', 2, { kind: 'principle', template: 3 }),
      ],
      [rating('T3-P1-B01', 4)],
      'T3',
    );
    expect(progressOf(school).map((row) => [row.dimension, row.key, row.label, row.rated, row.total])).toEqual([
      ['overall', 'all', 'All statements', 1, 3],
      ['section', 'T3-P1', 'Principle 1: Pupils at risk are identified', 1, 2],
      ['section', 'T3-P2', 'Principle 2: Statement T3-P2', 0, 1],
    ]);
  });
});

describe('heatmap', () => {
  const heatmap = heatmapOf(template)!;

  it('build heatmap cells gives each layer and tier its distribution and lower median', () => {
    expect(heatmap.layers.map((layer) => layer.id)).toEqual(['frontline', 'governance']);
    expect(heatmap.tiers.map((tier) => tier.id)).toEqual(['universal', 'targeted']);
    const frontlineUniversal = heatmap.rows[0]!.cells[0]!;
    // Levels 1, 2 (carried), 3, 4: the middle two are 2 and 3, so the lower median is 2, between 2 and 3.
    expect(frontlineUniversal).toMatchObject({ layer: 'frontline', tier: 'universal', levels: [1, 1, 1, 1], notApplicable: 0, notRated: 0, carriedForward: 1, median: 2, medianUpper: 3, medianBetween: true, total: 4 });
    expect(medianText(frontlineUniversal)).toBe('Developing to established');
    expect(distributionText(frontlineUniversal)).toBe('1 embedded, 1 established, 1 developing, 1 not yet in place');
    const governanceUniversal = heatmap.rows[1]!.cells[0]!;
    expect(governanceUniversal).toMatchObject({ levels: [1, 0, 0, 0], notRated: 1, median: 1, medianBetween: false, total: 2 });
    expect(medianText(governanceUniversal)).toBe('Not yet in place');
    const governanceTargeted = heatmap.rows[1]!.cells[1]!;
    expect(governanceTargeted).toMatchObject({ total: 0, median: null });
    expect(medianText(governanceTargeted)).toBe('No levels yet');
  });

  it('summarise general conditions as their own row with not applicable apart', () => {
    expect(heatmap.conditions).toMatchObject({ levels: [0, 0, 1, 0], notApplicable: 1, notRated: 0, median: 3, total: 2 });
    expect(distributionText(heatmap.conditions)).toBe('1 established, 1 not applicable');
  });

  it('build heatmap for the golden threads gives none', () => {
    expect(heatmapOf({ ...template, scope: 'threads' })).toBeNull();
  });
});

describe('bars per thread', () => {
  it('distribute each thread over its statement and "this means" items', () => {
    const threads = assessmentOf(
      [
        statement('GT01', 0, { kind: 'golden-thread', template: null, thread: 'GT01' }),
        statement('GT01-M1', 1, { kind: 'thread-means', template: null, thread: 'GT01' }),
        statement('GT01-M2', 2, { kind: 'thread-means', template: null, thread: 'GT01' }),
        statement('GT02', 3, { kind: 'golden-thread', template: null, thread: 'GT02' }),
      ],
      [rating('GT01', 4), rating('GT01-M1', 4), rating('GT01-M2', 2), rating('GT02', null, { notApplicable: true })],
      'threads',
    );
    const bars = sectionBarsOf(threads);
    expect(bars.map((bar) => [bar.key, bar.levels, bar.notApplicable, bar.median])).toEqual([
      ['GT01', [0, 1, 0, 2], 0, 4],
      ['GT02', [0, 0, 0, 0], 1, null],
    ]);
    expect(sectionBarsOf(template)).toEqual([]);
  });
});

describe('weakest statements', () => {
  it('order weakest by level then confidence then evidence leaving out not applicable', () => {
    const weakest = weakestOf(template, 4).map((entry) => entry.statement.id);
    // Level 1: governance (low, no evidence), frontline targeted (low, a note), frontline universal 01 (high); then level 2.
    expect(weakest).toEqual(['T5-GOVERNANCE-UNIVERSAL-01', 'T5-FRONTLINE-TARGETED-01', 'T5-FRONTLINE-UNIVERSAL-01', 'T5-FRONTLINE-UNIVERSAL-02']);
    expect(weakestOf(template, 100).some((entry) => entry.statement.id === 'T5-GC-02')).toBe(false);
    expect(weakestOf(template, 100)).toHaveLength(7);
  });

  it('count evidence files links and notes of a weak statement', () => {
    const withFiles = assessmentOf(templateStatements.slice(0, 1), [rating('T5-GC-01', 1, { links: [{ url: 'https://example.org', title: 'x' }], note: 'n' })], 'T5', [{ statementId: 'T5-GC-01' }, { statementId: 'T5-GC-01' }]);
    expect(weakestOf(withFiles)[0]).toMatchObject({ evidenceCount: 4, section: 'conditions' });
  });
});

describe('change since previous', () => {
  const previous = assessmentOf(
    [...templateStatements.slice(0, 8), statement('T5-GOVERNANCE-UNIVERSAL-09', 9, { layer: 'governance', tier: 'universal' })],
    [
      rating('T5-GC-01', 3),
      rating('T5-GC-02', null, { notApplicable: true }),
      rating('T5-FRONTLINE-UNIVERSAL-01', 2),
      rating('T5-FRONTLINE-UNIVERSAL-02', 2),
      rating('T5-FRONTLINE-UNIVERSAL-03', 2),
      rating('T5-FRONTLINE-UNIVERSAL-04', 4),
      // T5-FRONTLINE-TARGETED-01 not rated before
      rating('T5-GOVERNANCE-UNIVERSAL-01', 1),
      rating('T5-GOVERNANCE-UNIVERSAL-09', 2),
    ],
  );

  it('classify each statement as improved slipped unchanged new not yet re-rated or retired', () => {
    const { counts, changes } = changeSince(template, previous);
    expect(Object.fromEntries(changes.map((change) => [change.statementId, change.kind]))).toEqual({
      'T5-GC-01': 'unchanged',
      'T5-GC-02': 'unchanged',
      'T5-FRONTLINE-UNIVERSAL-01': 'slipped',
      'T5-FRONTLINE-UNIVERSAL-02': 'not-yet-re-rated',
      'T5-FRONTLINE-UNIVERSAL-03': 'improved',
      'T5-FRONTLINE-UNIVERSAL-04': 'unchanged',
      'T5-FRONTLINE-TARGETED-01': 'new',
      'T5-GOVERNANCE-UNIVERSAL-01': 'unchanged',
      'T5-GOVERNANCE-UNIVERSAL-02': 'new',
      'T5-GOVERNANCE-UNIVERSAL-09': 'retired',
    });
    expect(counts).toEqual({ improved: 1, slipped: 1, unchanged: 4, new: 2, 'not-applicable': 0, 'not-yet-re-rated': 1, retired: 1 });
    expect(changes.find((change) => change.statementId === 'T5-FRONTLINE-UNIVERSAL-03')).toMatchObject({ previousLevel: 2, currentLevel: 3 });
    expect(changes.find((change) => change.statementId === 'T5-GOVERNANCE-UNIVERSAL-09')).toMatchObject({ previousLevel: 2, currentLevel: null });
  });

  it('classify a statement rated in neither assessment as not yet re-rated', () => {
    const now = assessmentOf(templateStatements.slice(6, 7), []);
    const before = assessmentOf(templateStatements.slice(6, 7), []);
    expect(changeSince(now, before).changes[0]!.kind).toBe('not-yet-re-rated');
  });

  it('classify a statement rated not applicable now but with a level before', () => {
    const now = assessmentOf(templateStatements.slice(2, 3), [rating('T5-FRONTLINE-UNIVERSAL-01', null, { notApplicable: true })]);
    expect(changeSince(now, previous).changes[0]!.kind).toBe('not-applicable');
  });

  it('summarise the headline with established or embedded share median and change', () => {
    const headline = headlineOf(template, previous);
    // Levels in force: 3, 1, 2, 3, 4, 1, 1 → 3 of 7 established or embedded; sorted 1 1 1 2 3 3 4, median 2.
    expect(headline).toMatchObject({ withLevel: 7, establishedOrEmbedded: 3, median: 2, medianBetween: false, improved: 1, slipped: 1 });
    expect(headline.percentEstablishedOrEmbedded).toBeCloseTo((100 * 3) / 7, 10);
    expect(headlineOf(template)).toMatchObject({ improved: null, slipped: null });
  });
});

describe('next steps', () => {
  it('list next steps dated first soonest first then undated in order', () => {
    const withSteps = assessmentOf(templateStatements.slice(0, 3), [
      rating('T5-GC-01', 3, { nextStep: 'Undated step' }),
      rating('T5-GC-02', 2, { nextStep: 'Later', nextStepOwner: 'Head of early help', nextStepDue: '2027-03-31' }),
      rating('T5-FRONTLINE-UNIVERSAL-01', 1, { nextStep: 'Sooner', nextStepOwner: 'Director', nextStepDue: '2026-12-31' }),
    ]);
    expect(nextStepsOf(withSteps).map((step) => [step.step, step.owner, step.due])).toEqual([
      ['Sooner', 'Director', '2026-12-31'],
      ['Later', 'Head of early help', '2027-03-31'],
      ['Undated step', '', null],
    ]);
  });
});

describe('properties', () => {
  const confidences: (Confidence | null)[] = ['low', 'medium', 'high', null];
  /** Any small template assessment: each statement in a random cell with a random answer. */
  const arbitraryAssessment = fc
    .array(
      fc.record({
        layer: fc.constantFrom('frontline', 'processes', 'strategy', 'governance'),
        tier: fc.constantFrom('universal', 'targeted', 'complex', 'specialist'),
        condition: fc.boolean(),
        answer: fc.constantFrom<number | 'na' | null>(1, 2, 3, 4, 'na', null),
        carried: fc.boolean(),
        confidence: fc.constantFrom(...confidences),
      }),
      { maxLength: 40 },
    )
    .map((entries) =>
      assessmentOf(
        entries.map((entry, index) => statement(`S${index}`, index, entry.condition ? { kind: 'general-condition' } : { layer: entry.layer, tier: entry.tier })),
        entries.map((entry, index) =>
          rating(`S${index}`, typeof entry.answer === 'number' ? entry.answer : null, { notApplicable: entry.answer === 'na', carriedForward: entry.carried && entry.answer !== null, confidence: entry.confidence }),
        ),
      ),
    );

  it('count progress rows sum to their totals and the matrix layers sum to the tiers', () => {
    fc.assert(
      fc.property(arbitraryAssessment, (assessment) => {
        const rows = progressOf(assessment);
        for (const row of rows) expect(row.rated + row.carriedForward + row.notRated).toBe(row.total);
        const sum = (dimension: string) => rows.filter((row) => row.dimension === dimension).reduce((total, row) => total + row.total, 0);
        expect(sum('layer')).toBe(sum('tier'));
        expect(sum('layer') + sum('section')).toBe(assessment.statements.length);
      }),
    );
  });

  it('build heatmap cells whose counts sum to their totals with the median within the levels present', () => {
    fc.assert(
      fc.property(arbitraryAssessment, (assessment) => {
        const heatmap = heatmapOf(assessment)!;
        let cellTotal = 0;
        for (const cell of heatmap.rows.flatMap((row) => row.cells)) {
          expect(cell.levels.reduce((a, b) => a + b, 0) + cell.notApplicable + cell.notRated).toBe(cell.total);
          cellTotal += cell.total;
          const present = [1, 2, 3, 4].filter((level) => cell.levels[level - 1]! > 0);
          if (present.length === 0) expect(cell.median).toBeNull();
          else {
            expect(cell.median).toBeGreaterThanOrEqual(Math.min(...present));
            expect(cell.medianUpper).toBeLessThanOrEqual(Math.max(...present));
            expect(cell.median).toBeLessThanOrEqual(cell.medianUpper!);
          }
        }
        expect(cellTotal).toBe(heatmap.overall.total);
      }),
    );
  });

  it('compute the lower median as a level at least half the levels reach and at most half exceed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 50 }), (levels) => {
        const { lower } = lowerMedian(levels)!;
        expect(levels.filter((level) => level <= lower).length * 2).toBeGreaterThanOrEqual(levels.length);
        expect(levels.filter((level) => level >= lower).length * 2).toBeGreaterThanOrEqual(levels.length);
      }),
    );
  });

  it('classify every statement of either assessment exactly once', () => {
    fc.assert(
      fc.property(arbitraryAssessment, arbitraryAssessment, (current, previous) => {
        const { counts, changes } = changeSince(current, previous);
        const ids = new Set([...current.statements, ...previous.statements].map((entry) => entry.id));
        expect(changes).toHaveLength(ids.size);
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(ids.size);
      }),
    );
  });

  it('order the weakest statements by level never putting a higher level first', () => {
    fc.assert(
      fc.property(arbitraryAssessment, (assessment) => {
        const levels = weakestOf(assessment, 100).map((entry) => entry.level);
        expect(levels).toEqual([...levels].sort((a, b) => a - b));
      }),
    );
  });
});
