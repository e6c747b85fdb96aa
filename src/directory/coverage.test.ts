import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CoverageInput } from './coverage.js';
import { coverageOfOffer } from './coverage.js';
import type { ServiceReach } from './offer.js';

const service = (id: string, strands: ServiceReach['strands'], districts: string[], authorityWide = false): ServiceReach => ({
  id,
  name: `Service ${id}`,
  strands,
  districts,
  authorityWide,
  minimumAge: null,
  maximumAge: null,
  groups: [],
  tier: null,
});

const asIs = (count: number) => count;

/**
 * A hand-built authority: three localities. Hillside (HX1, HX2) has two settings, 600 children and
 * 300 of them vulnerable (50%); Valley (HX3) one setting, 400 children, 100 vulnerable (25%);
 * Moor (HX4) one setting, 200 children, 20 vulnerable (10%). A fifth setting has no locality.
 * Across the placed settings: 1,200 children, 420 vulnerable (35%).
 */
function fixture(overrides: Partial<CoverageInput> = {}): CoverageInput {
  return {
    localities: [
      { name: 'Valley', districts: ['HX3'] },
      { name: 'Hillside', districts: ['HX1', 'HX2'] },
      { name: 'Moor', districts: ['HX4'] },
      { name: 'Heath', districts: [] },
    ],
    settings: [
      { urn: 100001, locality: 'Hillside' },
      { urn: 100002, locality: 'hillside ' },
      { urn: 100003, locality: 'Valley' },
      { urn: 100004, locality: 'Moor' },
      { urn: 100005, locality: null },
      { urn: 100006, locality: 'Fen' },
    ],
    needs: [
      { settingUrn: 100001, children: 400, inAnyGroup: 220, idaciKnown: 400, idaciMostDeprived: 240 },
      { settingUrn: 100002, children: 200, inAnyGroup: 80, idaciKnown: 190, idaciMostDeprived: 60 },
      { settingUrn: 100003, children: 400, inAnyGroup: 100, idaciKnown: 400, idaciMostDeprived: 80 },
      { settingUrn: 100004, children: 200, inAnyGroup: 20, idaciKnown: 200, idaciMostDeprived: 10 },
      { settingUrn: 100005, children: 50, inAnyGroup: 10, idaciKnown: 50, idaciMostDeprived: 5 },
    ],
    groupNeeds: [
      { settingUrn: 100001, group: 'children-in-care', children: 12 },
      { settingUrn: 100002, group: 'children-in-care', children: 3 },
      { settingUrn: 100004, group: 'children-in-care', children: 2 },
    ],
    services: [
      // Childcare: 2 in Hillside (one at two locations there counts once), 2 in Valley, 1 in Moor.
      service('c1', ['childcare'], ['HX1', 'HX2']),
      service('c2', ['childcare', 'varied-activities'], ['HX2']),
      service('c3', ['childcare'], ['HX3']),
      service('c4', ['childcare'], ['HX3']),
      service('c5', ['childcare'], ['HX4']),
      // Parenting support: none in Hillside, 1 in Valley; 1 authority-wide line.
      service('p1', ['parenting-support'], ['HX3']),
      service('p2', ['parenting-support'], [], true),
      // A service outside every locality.
      service('x1', ['community-access'], ['HX9']),
    ],
    groups: [
      { id: 'children-in-care', label: 'Children in care' },
      { id: 'young-carers', label: 'Young carers' },
    ],
    release: asIs,
    ...overrides,
  };
}

describe('coverage of the core offer against need', () => {
  it('counts children, vulnerable children and the most deprived by locality from its settings', () => {
    const coverage = coverageOfOffer(fixture());
    expect(coverage.localities.map((locality) => [locality.locality, locality.settings, locality.children, locality.vulnerable])).toEqual([
      ['Heath', 0, 0, 0],
      ['Hillside', 2, 600, 300],
      ['Moor', 1, 200, 20],
      ['Valley', 1, 400, 100],
    ]);
    const hillside = coverage.localities.find((locality) => locality.locality === 'Hillside')!;
    expect(hillside.vulnerableShare).toBeCloseTo(0.5, 12);
    expect(hillside.mostDeprivedShare).toBeCloseTo(300 / 590, 12);
    expect(hillside.groups).toEqual([
      { group: 'children-in-care', label: 'Children in care', children: 15 },
      { group: 'young-carers', label: 'Young carers', children: 0 },
    ]);
    expect(coverage.authority).toEqual({ children: 1200, vulnerable: 420, vulnerableShare: 0.35, mostDeprivedShare: 390 / 1190 });
  });

  it('finds need high where the share of vulnerable or most deprived children is above the authority’s', () => {
    const coverage = coverageOfOffer(fixture());
    expect(Object.fromEntries(coverage.localities.map((locality) => [locality.locality, locality.highNeed]))).toEqual({ Heath: false, Hillside: true, Moor: false, Valley: false });
  });

  it('counts each service once in each locality it has a location in, and authority-wide services apart', () => {
    const coverage = coverageOfOffer(fixture());
    const cell = (locality: string, strand: string) => coverage.cells.find((entry) => entry.locality === locality && entry.strand === strand)!;
    expect(cell('Hillside', 'childcare').services.map((entry) => entry.id)).toEqual(['c1', 'c2']);
    expect(cell('Valley', 'childcare').services.map((entry) => entry.id)).toEqual(['c3', 'c4']);
    expect(cell('Hillside', 'parenting-support').services).toEqual([]);
    expect(cell('Valley', 'parenting-support').services.map((entry) => entry.id)).toEqual(['p1']);
    const childcare = coverage.strands.find((entry) => entry.strand === 'childcare')!;
    expect(childcare.localServices).toBe(5);
    expect(childcare.perThousandVulnerable).toBeCloseTo((5 * 1000) / 420, 12);
    expect(coverage.strands.find((entry) => entry.strand === 'parenting-support')!.authorityWide).toEqual([{ id: 'p2', name: 'Service p2' }]);
    expect(coverage.unplaced.services).toEqual([{ id: 'x1', name: 'Service x1', districts: ['HX9'] }]);
  });

  it('calls the offer thin under half the authority’s rate, and flags it where need is high', () => {
    const coverage = coverageOfOffer(fixture());
    const cell = (locality: string, strand: string) => coverage.cells.find((entry) => entry.locality === locality && entry.strand === strand)!;
    // Authority: 5 childcare services for 420 vulnerable children, 11.9 per 1,000; half is 5.95.
    // Hillside: 2 for 300, 6.67 per 1,000: not thin. Valley 2 for 100 (20); Moor 1 for 20 (50).
    expect(cell('Hillside', 'childcare').perThousandVulnerable).toBeCloseTo(2000 / 300, 12);
    expect(cell('Hillside', 'childcare').thin).toBe(false);
    expect(cell('Hillside', 'parenting-support')).toMatchObject({ thin: true, flagged: true });
    expect(cell('Valley', 'parenting-support')).toMatchObject({ thin: false, flagged: false });
    expect(cell('Moor', 'parenting-support')).toMatchObject({ thin: true, flagged: false });
    // Hillside with 1 childcare service (3.33 per 1,000) is under half the authority's 9.5 (4 for 420).
    const thinner = coverageOfOffer(fixture({ services: fixture().services.filter((entry) => entry.id !== 'c2') }));
    expect(thinner.cells.find((entry) => entry.locality === 'Hillside' && entry.strand === 'childcare')).toMatchObject({ thin: true, flagged: true });
  });

  it('ranks flagged gaps first, then by vulnerable children, then by fewest services', () => {
    const coverage = coverageOfOffer(fixture());
    const ranked = coverage.ranked.map((cell) => `${cell.locality}: ${cell.strand}${cell.flagged ? ' (flagged)' : ''}`);
    expect(ranked.slice(0, 4)).toEqual(['Hillside: parenting-support (flagged)', 'Hillside: swift-access (flagged)', 'Hillside: community-access (flagged)', 'Valley: varied-activities']);
    expect(ranked.at(-1)).toBe('Heath: community-access');
    expect(coverage.ranked.every((cell) => cell.thin)).toBe(true);
  });

  it('says what cannot be placed: settings without a drawn locality, and localities without districts', () => {
    const coverage = coverageOfOffer(fixture());
    expect(coverage.unplaced).toMatchObject({ settings: 2, children: 50, withoutSetting: 0, localitiesWithoutDistricts: ['Heath'], undrawnLocalities: ['Fen'] });
  });

  it('builds every figure from released counts, so a withheld count stays withheld', () => {
    const released: string[] = [];
    const release = (count: number, ...parts: (string | number)[]) => {
      released.push(parts.join('/'));
      return count > 0 && count < 5 ? null : Math.round(count / 5) * 5;
    };
    const coverage = coverageOfOffer(fixture({ release }));
    const hillside = coverage.localities.find((locality) => locality.locality === 'Hillside')!;
    expect(hillside.groups[0]).toEqual({ group: 'children-in-care', label: 'Children in care', children: 15 });
    const moor = coverage.localities.find((locality) => locality.locality === 'Moor')!;
    expect(moor.groups[0]!.children).toBeNull();
    expect(released).toContain('group/children-in-care/Moor');
    expect(new Set(released).size).toBe(released.length);
  });

  it('keeps every service counted in a locality among those with a location there, whatever the directory', () => {
    const districts = ['HX1', 'HX2', 'HX3', 'HX4', 'HX9'];
    const strands = ['childcare', 'varied-activities', 'parenting-support', 'swift-access', 'community-access'] as const;
    fc.assert(
      fc.property(
        fc.array(fc.record({ strands: fc.subarray([...strands], { minLength: 1 }), districts: fc.subarray(districts), wide: fc.boolean() }), { maxLength: 30 }),
        (drawn) => {
          const services = drawn.map((entry, index) => service(`s${index}`, [...entry.strands], [...entry.districts], entry.wide));
          const coverage = coverageOfOffer(fixture({ services }));
          const localities = fixture().localities;
          for (const cell of coverage.cells) {
            const own = localities.find((locality) => locality.name === cell.locality)!.districts;
            const expected = services.filter((entry) => !entry.authorityWide && entry.strands.includes(cell.strand) && entry.districts.some((district) => own.includes(district)));
            expect(cell.services.map((entry) => entry.id)).toEqual(expected.map((entry) => entry.id));
            if (cell.services.length === 0) expect(cell.thin).toBe(true);
            expect(cell.flagged).toBe(cell.thin && coverage.localities.find((locality) => locality.locality === cell.locality)!.highNeed);
          }
        },
      ),
    );
  });
});
