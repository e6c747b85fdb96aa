/**
 * The catalogue's counts against counts established by reading the seed pack by eye (not by
 * running the parser). File 004 was read table block by table block: each `<p>` in a cell is a
 * statement, except that a paragraph ending mid-sentence at the bottom of a block continues in the
 * same column of the next block (so the two count once), and lines left outside a table count
 * where catalogue-corrections.json puts them.
 */
import { describe, expect, it } from 'vitest';
import { LAYER_IDS, TIER_IDS, findItems, loadCatalogue, matrixStatements, type LayerId } from './catalogue.js';

const catalogue = loadCatalogue();

/** Statements per layer, columns left to right: universal, targeted, complex, specialist. */
type Matrix = Record<LayerId, [number, number, number, number]>;

const MATRIX_COUNTS: Record<number, Matrix> = {
  // File 004, template one (lines 163–202).
  1: {
    // Universal: block 1 has 3 paragraphs (the 3rd, "… information, advice", runs on), block 2 adds 4
    // after its continuation, block 3 adds 5 after its continuation ("… child care," runs on), block 4
    // adds 2 after "and enable children to take acceptable risks." → 3 + 4 + 5 + 2 = 14.
    // Targeted: 4 + 4 + 4 + 1 = 13, no statement runs on. Complex: 3 + 3 ("… but" / "sharing in …").
    // Specialist: 4 + 3 ("… maximise the" / "opportunities …").
    frontline: [14, 13, 6, 7],
    // Universal 4 + 4 + 4 + 2; targeted 3 + 4 + 1 ("… complex" / "needs."; "… supported by" /
    // "professional relationships …"); complex 4 + 4 + 4; specialist 4 + 2.
    processes: [14, 8, 12, 6],
    // Universal 2 + 5 + 3 ("… early years providers" / "is used to inform …"); targeted 4 + 4 + 1
    // ("Children's Centres know the number" / "of disabled children …"); complex 4 (the 4th ends in
    // the next block); specialist 3.
    strategy: [10, 9, 4, 3],
    // Universal 4 in the table plus "Regular satisfaction surveys …" left below it (line 202, C01).
    governance: [5, 2, 1, 2],
  },
  // File 004, template two (lines 257–299).
  2: {
    // Universal 3 + 3 + 5 + 2; targeted 4 + 4 + 3 + 4 ("… and other" / "agencies provides …",
    // "… becoming the single point of contact, and" / "making early referrals …"); complex 3 + 3 + 2;
    // specialist 4 + 4 + 1 ("… has access" / "to/ authority …", "… with wider partners" / "until they
    // return to full time education.").
    frontline: [13, 15, 8, 9],
    // Universal 4 + 4 + 4, the last finished by line 280 left below the table (C02); targeted 3 + 4;
    // complex 4 + 4; specialist 3 + 4 + 1.
    processes: [12, 7, 8, 8],
    // Universal 3 + 4 + 4 + 1 ("… to extended schools" and "Extended schools are seen …" are two
    // statements, C09); targeted 4 + 4 + 3; complex 4 + 1; specialist 4 (the 4th ends "joint commissioning.").
    strategy: [12, 11, 5, 4],
    // Universal 4 (after the layer label) + 2; the other columns only in the first block.
    governance: [6, 4, 2, 3],
  },
  // File 004, template four (lines 560–595).
  4: {
    // Universal 3 + 5 + 6 + 5 ("… governing bodies of schools and" / "Children's Centres.", C10);
    // targeted 3 + 4 + 5 + 4 ("… Early Years Foundation Stage" / "(EYFS). …", C11); complex 4 + 5 + 5;
    // specialist 4 + 6 + 4.
    frontline: [19, 16, 14, 14],
    processes: [6, 8, 6, 3],
    // Universal 5 + 6, the 6th finished by line 586, plus lines 588, 590 and 592 (C03–C06);
    // targeted 5 + 1; complex 3; specialist 2.
    strategy: [14, 6, 3, 2],
    // The complex column of the governance table is empty.
    governance: [4, 1, 0, 2],
  },
  // File 004, template five (lines 695–733).
  5: {
    // Universal 3 + 5 + 4 + 4 plus lines 707 and 709 (C07, C08); targeted 6 + 4 + 4; complex 6 + 1;
    // specialist 4 + 3.
    frontline: [18, 14, 7, 7],
    // Universal 4 + 6 + 2; targeted 5 + 4 ("… accredited by the" / "Criminal Records Bureau …", C12);
    // complex 5 ("… helps practitioners to" / "target effective intervention early."); specialist 5 + 1.
    processes: [12, 9, 5, 6],
    // Universal 5 + 3 ("Agreed commissioning standards" / "require all those …"); targeted 4 + 4
    // ("The CYP Plan describes:" with its bullets and "and has mechanisms …" is one statement);
    // complex 1; specialist 1 (with five bullets).
    strategy: [8, 8, 1, 1],
    governance: [10, 2, 1, 1],
  },
};

describe('the matrix statements of templates one, two, four and five', () => {
  for (const [template, layers] of Object.entries(MATRIX_COUNTS)) {
    for (const layer of LAYER_IDS) {
      it(`counts template ${template}'s ${layer} statements per tier as read from the seed`, () => {
        const counts = TIER_IDS.map((tier) => matrixStatements(catalogue, Number(template), layer, tier).length);
        expect(counts).toEqual(layers[layer]);
      });
    }
  }

  it('totals 116, 127, 118 and 110 statements for templates one, two, four and five', () => {
    // Sums of the tables above.
    expect([1, 2, 4, 5].map((t) => matrixStatements(catalogue, t).length)).toEqual([116, 127, 118, 110]);
  });

  it('counts statements joined across page breaks per template as read from the seed', () => {
    // Counted the paragraphs that end mid-sentence at the bottom of a table block and continue at the
    // top of the same column in the next block, or in a line left below the table (C02, C03):
    // template one 5 + 6 + 3 + 0, template two 9 + 7 + 5 + 1, template four 7 + 0 + 3 + 0,
    // template five 5 + 2 + 2 + 0 (frontline + processes + strategy + governance).
    const joined = [1, 2, 4, 5].map(
      (t) => matrixStatements(catalogue, t).filter((s) => s.source.fragments !== undefined).length,
    );
    expect(joined).toEqual([14, 22, 10, 9]);
  });

  it('gives only template five strategy statements bullet points: three and five', () => {
    // File 004 line 723: "The CYP Plan describes:" (targeted) has 3 bullets, "… investment is needed
    // for:" (specialist) has 5.
    const points = findItems(catalogue, { kind: 'matrix-point' });
    expect(points.filter((p) => p.parentId === 'T5-STRATEGY-TARGETED-03')).toHaveLength(3);
    expect(points.filter((p) => p.parentId === 'T5-STRATEGY-SPECIALIST-01')).toHaveLength(5);
    expect(points).toHaveLength(8);
  });
});

describe('the general conditions and template three', () => {
  it('counts the numbered general conditions of templates one, two, four and five', () => {
    // File 004: template one numbers 1–8, template two 1–9, template four 1–9, template five 1–15.
    const counts = [1, 2, 4, 5].map((t) => findItems(catalogue, { kind: 'general-condition', template: t }).length);
    expect(counts).toEqual([8, 9, 9, 15]);
  });

  it('counts four factors for success and seven under-pinning principles in template three', () => {
    // File 004 lines 385–388 (four bullets) and the principles numbered 1–7 (lines 392–522).
    expect(findItems(catalogue, { kind: 'success-factor', template: 3 })).toHaveLength(4);
    expect(findItems(catalogue, { kind: 'principle', template: 3 })).toHaveLength(7);
  });

  it('counts the paragraphs, bullets and sub-bullets of each under-pinning principle', () => {
    // Paragraphs: principle 1 has 3 (the 2nd runs over a page break at "move through school" /
    // "and into adult life"), 2 has 4 (incl. the lead-ins "… Good schools:", "These schools are
    // organised … through:" and "Equally, … by:"), 3 has 2 (the first runs over "for" / "example"),
    // 4–7 have 1 each.
    // Bullets: principle 2 has 11 ("Good schools:") + 5 ("through:") + 7 ("by:") = 23; principle 3
    // has 5 + 4; principle 6 has 8.
    // Sub-bullets, under principle 2's five "through:" bullets: 6, 5 (the last two after the page
    // break lost their indent, C14/C15), 8, 6 and 5.
    const per = (kind: 'principle-narrative' | 'principle-point' | 'principle-subpoint') =>
      [1, 2, 3, 4, 5, 6, 7].map((p) => findItems(catalogue, { kind, template: 3 }).filter((i) => i.principle === p).length);
    expect(per('principle-narrative')).toEqual([3, 4, 2, 1, 1, 1, 1]);
    expect(per('principle-point')).toEqual([0, 23, 9, 0, 0, 8, 0]);
    expect(per('principle-subpoint')).toEqual([0, 30, 0, 0, 0, 0, 0]);
    const subpointsPerPoint = ['B12', 'B13', 'B14', 'B15', 'B16'].map(
      (b) => findItems(catalogue, { kind: 'principle-subpoint', parentId: `T3-P2-${b}` }).length,
    );
    expect(subpointsPerPoint).toEqual([6, 5, 8, 6, 5]);
  });

  it('counts the references of each template', () => {
    // Template one: 23 bullets. Template two: 26 + 29 bullets, then 8 unbulleted references (two of
    // them over several lines: "Aiming High … / HM Treasury … / 2007" and "Moving towards … / October
    // 2007"). Template three: 6. Template four: 26 bullets and 20 unbulleted ("DfES, RB574" ends the
    // Moran reference, C16). Template five: 18 lines, "www.raguide.org" ending the line before → 17.
    const counts = [1, 2, 3, 4, 5].map((t) => findItems(catalogue, { kind: 'reference', template: t }).length);
    expect(counts).toEqual([23, 63, 6, 46, 17]);
  });
});

describe('the overview vocabularies', () => {
  it('lists thirteen groups of children, five outcomes, five themes and three outputs', () => {
    // File 001: the 13 bullets under "the groups of children on whom the project is concentrating";
    // "being healthy; staying safe; enjoying and achieving; making a positive contribution; and
    // achieving economic well-being"; themes 1–5 (and the five bullets of leaflet 002); the three
    // bullets after "the following outputs:".
    expect(findItems(catalogue, { kind: 'group' })).toHaveLength(13);
    expect(findItems(catalogue, { kind: 'outcome' })).toHaveLength(5);
    expect(findItems(catalogue, { kind: 'theme' })).toHaveLength(5);
    expect(findItems(catalogue, { kind: 'output' })).toHaveLength(3);
  });

  it('lists four layers and four tiers in seed order', () => {
    expect(findItems(catalogue, { kind: 'layer' }).map((i) => i.id)).toEqual(['frontline', 'processes', 'strategy', 'governance']);
    expect(findItems(catalogue, { kind: 'tier' }).map((i) => i.id)).toEqual(['universal', 'targeted', 'complex', 'specialist']);
  });

  it('takes the thirteen groups word for word from the seed in its order', () => {
    // File 001 lines 42–54, the list's closing full stop dropped.
    expect(findItems(catalogue, { kind: 'group' }).map((g) => g.text)).toEqual([
      "children from poorer socio-economic groups (including white 'working class' boys)",
      'children in care',
      'children with disabilities',
      'children with SEN',
      'children excluded from school',
      'children with poor records of attendance at school',
      'children from different ethnic minority backgrounds',
      'young offenders',
      'young carers',
      'children at risk from significant harm',
      "children living with 'vulnerable' adults",
      'children not fluent in English',
      'children who are asylum seekers/refugees',
    ]);
  });
});

describe('the golden threads', () => {
  it('counts ten threads, each with a headline', () => {
    expect(findItems(catalogue, { kind: 'golden-thread' })).toHaveLength(10);
    expect(findItems(catalogue, { kind: 'thread-headline' })).toHaveLength(10);
  });

  it('counts each thread\'s "this means" items as read from the seed', () => {
    // File 003: the bullets under each "this means" heading.
    const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => findItems(catalogue, { kind: 'thread-means', thread: t }).length);
    expect(counts).toEqual([4, 5, 5, 5, 8, 9, 5, 6, 5, 4]);
  });

  it("counts each thread's narrative paragraphs as read from the seed", () => {
    // File 003: the paragraphs between each numbered heading and its "this means".
    const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => findItems(catalogue, { kind: 'thread-narrative', thread: t }).length);
    expect(counts).toEqual([2, 1, 3, 3, 2, 3, 3, 1, 2, 2]);
  });
});

describe('the section 5 summary', () => {
  it('counts the headlines per layer as read from the seed', () => {
    // File 004 lines 31–147: frontline 3 + 5 + 3 + 2, processes 7 + 2 + 3 + 5 (plus one unbulleted
    // note), strategy 7 + 3 + 4, governance 4 + 3 + 3 (bullets per sub-heading).
    const counts = LAYER_IDS.map((layer) => findItems(catalogue, { kind: 'summary-headline', layer }).length);
    expect(counts).toEqual([13, 17, 14, 10]);
    expect(findItems(catalogue, { kind: 'summary-note' }).map((n) => n.id)).toEqual(['SUM-PROCESSES-NOTE']);
  });
});
