/**
 * The facts in areas.json: counts, unique codes, the reorganisations since 2009 in both directions,
 * and agreement with the shared DfE files (the 2016/17 authority list and the 2006/07–2016/17
 * exclusions file) that older data will arrive in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import {
  allAreas,
  allLocalAuthorities,
  currentAuthoritiesFor,
  findArea,
  findLocalAuthority,
  isPredecessorMatch,
  loadAreas,
  localAuthoritiesIn,
  localAuthorityByGss,
  predecessorsOf,
  type LocalAuthority,
} from './areas.js';

/** The shared reference data: $NTG_SHARED_DATA_DIR, or ../shared/data beside the repository. */
const sharedData = process.env.NTG_SHARED_DATA_DIR ?? resolve(packageRoot, '..', 'shared', 'data');
if (!existsSync(sharedData)) {
  throw new Error(`These tests read the shared data, expected at ${sharedData}; set NTG_SHARED_DATA_DIR to its folder.`);
}
const list2016Path = join(sharedData, 'england-local-authorities-2016-17.csv');
const exclusionsPath = join(sharedData, 'ees-samples', 'exclusions_by_reason.csv');

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse<Row>(readFileSync(path), { columns: true, bom: true });
const list2016 = readCsv(list2016Path);

const areas = loadAreas();
const currentLas = allLocalAuthorities();
const everyLa = allLocalAuthorities({ includePredecessors: true });

function la(gss: string): LocalAuthority {
  const found = localAuthorityByGss(gss);
  if (found === undefined) throw new Error(`no authority ${gss}`);
  return found;
}

function names(authority: LocalAuthority): string[] {
  return [authority.name, ...(authority.aliases ?? [])].map((name) => name.toLowerCase());
}

describe('counts', () => {
  it('counts 153 current local authorities', () => {
    // Established from the shared 2016/17 list, then each change since, as recorded in the data:
    //   151  authorities in england-local-authorities-2016-17.csv
    //   + 1  Isles of Scilly (E06000053, 420): an authority throughout, but absent from the 2016/17 file  = 152
    //   2013 Gateshead E08000020 -> E08000037, Northumberland E06000048 -> E06000057: -2 + 2            = 152
    //   2019 Bournemouth, Poole, Dorset County -> Bournemouth, Christchurch and Poole; Dorset: -3 + 2   = 151
    //   2020 Buckinghamshire county -> Buckinghamshire unitary: -1 + 1                                   = 151
    //   2021 Northamptonshire -> North Northamptonshire, West Northamptonshire: -1 + 2                    = 152
    //   2023 Cumbria -> Cumberland, Westmorland and Furness: -1 + 2                                      = 153
    //   2023 North Yorkshire county -> unitary: -1 + 1; Somerset county -> unitary: -1 + 1               = 153
    //   2025 Barnsley E08000016 -> E08000038, Sheffield E08000019 -> E08000039: -2 + 2                   = 153
    // (153 also matches, from memory rather than a source on this machine, DfE's recent statistics.)
    expect(list2016).toHaveLength(151);
    expect(currentLas).toHaveLength(153);
  });

  it('derives the current list from the 2016/17 list and the recorded changes', () => {
    const codes = new Set(list2016.map((row) => row.new_la_code!));
    codes.add('E06000053');
    const byDate = [...areas.successions].sort((a, b) => (a.date < b.date ? -1 : 1));
    for (const succession of byDate) {
      if (!codes.has(succession.predecessor)) continue;
      codes.delete(succession.predecessor);
      for (const code of succession.successors) codes.add(code);
    }
    expect([...codes].sort()).toEqual(currentLas.map((authority) => authority.gss));
  });

  it('counts current authorities of each type', () => {
    const count = (type: string) => currentLas.filter((authority) => authority.type === type).length;
    // 36 metropolitan districts, 32 London boroughs plus the City of London, 21 counties,
    // 62 unitary authorities plus the Isles of Scilly: 36 + 33 + 21 + 63 = 153.
    expect(count('metropolitan-district')).toBe(36);
    expect(count('london-borough')).toBe(32);
    expect(count('city-of-london')).toBe(1);
    expect(count('county')).toBe(21);
    expect(count('unitary')).toBe(62);
    expect(count('isles-of-scilly')).toBe(1);
  });

  it('counts 19 predecessors, one per recorded succession', () => {
    expect(everyLa.length - currentLas.length).toBe(19);
    expect(areas.successions).toHaveLength(19);
  });

  it('counts nine regions in England and two London sub-regions', () => {
    expect(allAreas('country')).toEqual([expect.objectContaining({ code: 'E92000001', name: 'England' })]);
    expect(allAreas('region').map((area) => `${area.code} ${area.name}`)).toEqual([
      'E12000001 North East',
      'E12000002 North West',
      'E12000003 Yorkshire and The Humber',
      'E12000004 East Midlands',
      'E12000005 West Midlands',
      'E12000006 East of England',
      'E12000007 London',
      'E12000008 South East',
      'E12000009 South West',
    ]);
    expect(allAreas('region').every((area) => area.parent === 'E92000001')).toBe(true);
    expect(allAreas('sub-region').map((area) => `${area.code} ${area.name} in ${String(area.parent)}`)).toEqual([
      'E13000001 Inner London in E12000007',
      'E13000002 Outer London in E12000007',
    ]);
  });

  it('counts 33 London authorities: 14 Inner and 19 Outer London', () => {
    expect(localAuthoritiesIn('E12000007')).toHaveLength(33);
    expect(localAuthoritiesIn('E13000001')).toHaveLength(14);
    expect(localAuthoritiesIn('E13000002')).toHaveLength(19);
  });
});

describe('codes', () => {
  it('keeps every GSS code unique across current and past authorities', () => {
    const codes = everyLa.map((authority) => authority.gss);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps every DfE number and name unique among current authorities', () => {
    const numbers = currentLas.map((authority) => authority.dfeNumber);
    expect(numbers.every((number) => number !== null && /^\d{3}$/.test(number))).toBe(true);
    expect(new Set(numbers).size).toBe(153);
    const allNames = currentLas.flatMap(names);
    expect(new Set(allNames).size).toBe(allNames.length);
  });

  it('places every current authority in exactly one region, and London ones in one sub-region', () => {
    const regions = allAreas('region');
    for (const authority of currentLas) {
      expect(regions.filter((region) => localAuthoritiesIn(region.code).includes(authority)), authority.gss).toHaveLength(1);
      const subs = allAreas('sub-region').filter((sub) => localAuthoritiesIn(sub.code).includes(authority));
      expect(subs, authority.gss).toHaveLength(authority.region === 'E12000007' ? 1 : 0);
    }
    expect(regions.reduce((sum, region) => sum + localAuthoritiesIn(region.code).length, 0)).toBe(153);
  });

  it('uses only a-to-z source ids that the file lists, with the shared files pinned by hash', () => {
    const pinned = areas.sources.filter((source) => source.sha256 !== undefined);
    expect(pinned.map((source) => source.id)).toEqual(['ntg-la-2016-17', 'ees-exclusions']);
    const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(pinned[0]?.sha256).toBe(hash(list2016Path));
    expect(pinned[1]?.sha256).toBe(hash(exclusionsPath));
  });
});

/** Each reorganisation: predecessors [gss, dfe, name] and what each maps to, and the successors. */
const reorganisations: {
  name: string;
  date: string;
  predecessors: [gss: string, dfe: string | null, name: string, successors: string[]][];
  successors: [gss: string, dfe: string, name: string][];
}[] = [
  {
    name: 'Bedfordshire 2009',
    date: '2009-04-01',
    predecessors: [['E10000001', '820', 'Bedfordshire', ['E06000055', 'E06000056']]],
    successors: [
      ['E06000055', '822', 'Bedford'],
      ['E06000056', '823', 'Central Bedfordshire'],
    ],
  },
  {
    name: 'Cheshire 2009',
    date: '2009-04-01',
    predecessors: [['E10000004', '875', 'Cheshire', ['E06000049', 'E06000050']]],
    successors: [
      ['E06000049', '895', 'Cheshire East'],
      ['E06000050', '896', 'Cheshire West and Chester'],
    ],
  },
  {
    name: 'Gateshead and Northumberland recoded 2013',
    date: '2013-04-01',
    predecessors: [
      ['E08000020', '390', 'Gateshead', ['E08000037']],
      ['E06000048', '929', 'Northumberland', ['E06000057']],
    ],
    successors: [
      ['E08000037', '390', 'Gateshead'],
      ['E06000057', '929', 'Northumberland'],
    ],
  },
  {
    name: 'Dorset 2019',
    date: '2019-04-01',
    predecessors: [
      ['E06000028', '837', 'Bournemouth', ['E06000058']],
      ['E06000029', '836', 'Poole', ['E06000058']],
      ['E10000009', '835', 'Dorset', ['E06000059', 'E06000058']],
    ],
    successors: [
      ['E06000058', '839', 'Bournemouth, Christchurch and Poole'],
      ['E06000059', '838', 'Dorset'],
    ],
  },
  {
    name: 'Buckinghamshire 2020',
    date: '2020-04-01',
    predecessors: [['E10000002', '825', 'Buckinghamshire', ['E06000060']]],
    successors: [['E06000060', '825', 'Buckinghamshire']],
  },
  {
    name: 'Northamptonshire 2021',
    date: '2021-04-01',
    predecessors: [['E10000021', '928', 'Northamptonshire', ['E06000061', 'E06000062']]],
    successors: [
      ['E06000061', '940', 'North Northamptonshire'],
      ['E06000062', '941', 'West Northamptonshire'],
    ],
  },
  {
    name: 'Cumbria 2023',
    date: '2023-04-01',
    predecessors: [['E10000006', '909', 'Cumbria', ['E06000063', 'E06000064']]],
    successors: [
      ['E06000063', '942', 'Cumberland'],
      ['E06000064', '943', 'Westmorland and Furness'],
    ],
  },
  {
    name: 'North Yorkshire 2023',
    date: '2023-04-01',
    predecessors: [['E10000023', '815', 'North Yorkshire', ['E06000065']]],
    successors: [['E06000065', '815', 'North Yorkshire']],
  },
  {
    name: 'Somerset 2023',
    date: '2023-04-01',
    predecessors: [['E10000027', '933', 'Somerset', ['E06000066']]],
    successors: [['E06000066', '933', 'Somerset']],
  },
  {
    name: 'Barnsley and Sheffield recoded 2025',
    date: '2025-05-01',
    predecessors: [
      ['E08000016', '370', 'Barnsley', ['E08000038']],
      ['E08000019', '373', 'Sheffield', ['E08000039']],
    ],
    successors: [
      ['E08000038', '370', 'Barnsley'],
      ['E08000039', '373', 'Sheffield'],
    ],
  },
];

describe('reorganisations', () => {
  describe.each(reorganisations)('$name', ({ date, predecessors, successors }) => {
    it('maps each old GSS code forward to its successors, flagging splits', () => {
      for (const [gss, dfe, name, expected] of predecessors) {
        const match = findLocalAuthority(gss);
        if (!isPredecessorMatch(match)) throw new Error(`${gss} should be a predecessor`);
        expect(match.predecessor).toMatchObject({ gss, dfeNumber: dfe, name, validTo: date });
        expect(match.successors.map((authority) => authority.gss)).toEqual(expected);
        expect(match.ambiguous).toBe(expected.length > 1);
        expect(match.changedOn).toBe(date);
      }
    });

    it('maps each old DfE number forward, or to the current authority that kept it', () => {
      for (const [gss, dfe, , expected] of predecessors) {
        if (dfe === null) continue;
        const match = findLocalAuthority(dfe);
        const keptBy = successors.find(([, number]) => number === dfe);
        if (keptBy !== undefined) {
          expect(isPredecessorMatch(match), `${dfe} is kept by ${keptBy[0]}`).toBe(false);
          expect((match as LocalAuthority).gss).toBe(keptBy[0]);
        } else {
          if (!isPredecessorMatch(match)) throw new Error(`${dfe} should name the predecessor ${gss}`);
          expect(match.successors.map((authority) => authority.gss)).toEqual(expected);
        }
      }
    });

    it('maps each new authority back to its predecessors', () => {
      for (const [gss, dfe, name] of successors) {
        const authority = la(gss);
        expect(authority).toMatchObject({ dfeNumber: dfe, name, validFrom: date, validTo: null });
        const expected = predecessors.filter(([, , , to]) => to.includes(gss)).map(([code]) => code);
        expect(
          predecessorsOf(gss)
            .filter((old) => old.validTo === date)
            .map((old) => old.gss)
            .sort(),
        ).toEqual(expected.sort());
      }
    });
  });

  it('records the 2009 county codes that became unitary under a new code', () => {
    for (const [county, unitary] of [
      ['E10000010', 'E06000047'],
      ['E10000026', 'E06000051'],
      ['E10000033', 'E06000054'],
      ['E10000022', 'E06000057'],
    ] as const) {
      expect(currentAuthoritiesFor(county)).toMatchObject({ authorities: [{ gss: unitary }], ambiguous: false });
    }
    expect(currentAuthoritiesFor('E10000005')?.authorities.map((authority) => authority.name)).toEqual(['Cornwall', 'Isles of Scilly']);
  });
});

describe('shared 2016/17 list', () => {
  it('holds every authority of the 2016/17 list with the same DfE number, name and region', () => {
    for (const row of list2016) {
      const authority = la(row.new_la_code!);
      expect(authority.dfeNumber, row.new_la_code).toBe(row.old_la_code);
      expect(names(authority), row.new_la_code).toContain(row.la_name!.toLowerCase());
      if (row.region_code!.startsWith('E13')) {
        expect([authority.region, authority.subRegion], row.new_la_code).toEqual(['E12000007', row.region_code]);
      } else {
        expect(authority.region, row.new_la_code).toBe(row.region_code);
      }
      expect(findArea(row.region_code!)?.name.toLowerCase()).toBe(row.region_name!.toLowerCase());
    }
  });
});

describe('shared exclusions file, 2006/07 to 2016/17', () => {
  const rows = readCsv(exclusionsPath);
  const laRows = rows.filter((row) => row.geographic_level === 'local authority');
  const pairs = [...new Map(laRows.map((row) => [`${row.old_la_code} ${row.new_la_code}`, row])).values()];

  it('reads the local-authority rows of every year', () => {
    expect(new Set(laRows.map((row) => row.time_period))).toHaveProperty('size', 11);
    expect(pairs).toHaveLength(154);
  });

  it('resolves every old_la_code/new_la_code pair to a current or past authority that agrees with it', () => {
    const unresolved: string[] = [];
    for (const row of pairs) {
      const label = `${row.old_la_code}/${row.new_la_code} ${row.la_name}`;
      // DfE gives no GSS code ('.') for the authorities abolished in 2009.
      const byGss = row.new_la_code === '.' ? undefined : localAuthorityByGss(row.new_la_code!);
      const byNumber = findLocalAuthority(row.old_la_code!);
      const authority = byGss ?? (isPredecessorMatch(byNumber) ? byNumber.predecessor : byNumber);
      if (authority === undefined) {
        unresolved.push(`${label}: unknown`);
        continue;
      }
      if (authority.dfeNumber !== row.old_la_code) unresolved.push(`${label}: DfE number ${String(authority.dfeNumber)}`);
      if (!names(authority).includes(row.la_name!.toLowerCase())) unresolved.push(`${label}: named ${authority.name}`);
      const region = row.region_code!.startsWith('E13') ? authority.subRegion : authority.region;
      if (region !== row.region_code) unresolved.push(`${label}: in ${authority.region}`);
      const resolved = currentAuthoritiesFor(authority.gss);
      if (resolved === undefined || resolved.authorities.length === 0) unresolved.push(`${label}: no current authority`);
    }
    expect(unresolved).toEqual([]);
  });

  it('finds exactly these codes of the file replaced since, and which of them are ambiguous', () => {
    const replaced = pairs
      .map((row) => ({ row, match: row.new_la_code === '.' ? findLocalAuthority(row.old_la_code!) : findLocalAuthority(row.new_la_code!) }))
      .filter(({ match }) => isPredecessorMatch(match))
      .map(({ row, match }) => `${row.old_la_code} ${row.la_name}${isPredecessorMatch(match) && match.ambiguous ? ' (ambiguous)' : ''}`)
      .sort();
    expect(replaced).toEqual([
      '370 Barnsley',
      '373 Sheffield',
      '390 Gateshead',
      '815 North Yorkshire',
      '820 Bedfordshire (Pre LGR 2009) (ambiguous)',
      '825 Buckinghamshire',
      '835 Dorset (ambiguous)',
      '836 Poole',
      '837 Bournemouth',
      '875 Cheshire (Pre LGR 2009) (ambiguous)',
      '909 Cumbria (ambiguous)',
      '928 Northamptonshire (ambiguous)',
      '929 Northumberland',
      '933 Somerset',
    ]);
  });

  it('resolves every region of the file', () => {
    const regions = new Map(rows.filter((row) => row.geographic_level === 'regional').map((row) => [row.region_code!, row.region_name!]));
    // Eight regions and Inner and Outer London: the file has no row for London as a whole.
    expect(regions.size).toBe(10);
    expect(regions.has('E12000007')).toBe(false);
    for (const [code, name] of regions) expect(findArea(code)?.name.toLowerCase(), code).toBe(name.toLowerCase());
  });
});
