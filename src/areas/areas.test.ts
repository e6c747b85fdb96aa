/**
 * The loader and lookups of the areas data: validation that names the offending entry, and lookups
 * by GSS code, DfE number and name that resolve old codes to the authorities that replaced them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import {
  AreasValidationError,
  allAreas,
  allLocalAuthorities,
  areasPath,
  currentAuthoritiesFor,
  findArea,
  findLocalAuthority,
  isPredecessorMatch,
  loadAreas,
  localAuthoritiesIn,
  localAuthorityByGss,
  parseAreas,
  predecessorsOf,
  regionOf,
  subRegionOf,
  successionOf,
  type LocalAuthority,
  type PredecessorMatch,
} from './areas.js';

const scratch = mkdtempSync(join(tmpdir(), 'ntg-areas-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Json = Record<string, unknown> & { localAuthorities: Record<string, unknown>[]; successions: Record<string, unknown>[]; areas: Record<string, unknown>[] };
const committed = JSON.parse(readFileSync(areasPath(), 'utf8')) as Json;

/** A copy of the committed areas JSON with one change made to it. */
function changed(change: (json: Json) => void): unknown {
  const copy = structuredClone(committed);
  change(copy);
  return copy;
}

function entry(json: Json, gss: string): Record<string, unknown> {
  const found = json.localAuthorities.find((la) => la.gss === gss);
  if (found === undefined) throw new Error(`no ${gss} in the committed data`);
  return found;
}

function problemOf(json: unknown): string {
  try {
    parseAreas(json);
  } catch (error) {
    expect(error).toBeInstanceOf(AreasValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the areas data to be rejected');
}

function current(result: LocalAuthority | PredecessorMatch | undefined): LocalAuthority {
  if (result === undefined || isPredecessorMatch(result)) throw new Error(`expected a current authority, got ${JSON.stringify(result)}`);
  return result;
}

function predecessor(result: LocalAuthority | PredecessorMatch | undefined): PredecessorMatch {
  if (!isPredecessorMatch(result)) throw new Error(`expected a predecessor match, got ${JSON.stringify(result)}`);
  return result;
}

describe('loadAreas', () => {
  it('loads and validates the committed areas once', () => {
    const areas = loadAreas();
    expect(areas.localAuthorities.length).toBeGreaterThan(150);
    expect(loadAreas()).toBe(areas);
  });

  it('finds areas.json beside the module when running from src', () => {
    expect(areasPath()).toBe(join(packageRoot, 'src', 'areas', 'areas.json'));
  });

  it('falls back to src/areas/areas.json under the package root for a compiled module', () => {
    const root = mkdtempSync(join(scratch, 'package-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'areas'), { recursive: true });
    mkdirSync(join(root, 'src', 'areas'), { recursive: true });
    writeFileSync(join(root, 'src', 'areas', 'areas.json'), '{}');
    const compiled = pathToFileURL(join(root, 'dist', 'areas', 'areas.js'));
    expect(areasPath(compiled)).toBe(join(root, 'src', 'areas', 'areas.json'));
  });

  it('reports an unreadable file with its path', () => {
    const path = join(scratch, 'broken.json');
    writeFileSync(path, '{ not json');
    expect(() => loadAreas(path)).toThrow(`Cannot read the areas data at ${path}`);
  });

  it('rejects an invalid file naming the file and the entry', () => {
    const path = join(scratch, 'invalid.json');
    writeFileSync(path, JSON.stringify(changed((json) => (entry(json, 'E06000004').dfeNumber = '8080'))));
    expect(() => loadAreas(path)).toThrow(/invalid\.json[\s\S]*localAuthorities\[3\] \(E06000004 Stockton-on-Tees\): field dfeNumber: not a three-digit DfE/);
  });
});

describe('parseAreas', () => {
  it('accepts the committed data unchanged', () => {
    expect(() => parseAreas(structuredClone(committed))).not.toThrow();
  });

  it('rejects a malformed GSS code naming the entry', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000001').gss = 'E0600001')));
    expect(message).toContain('localAuthorities[0] (E0600001 Hartlepool): field gss: not the GSS code');
  });

  it('rejects an unknown field naming the entry', () => {
    const message = problemOf(changed((json) => (entry(json, 'E09000001').borough = true)));
    expect(message).toMatch(/E09000001 City of London\): field \(whole value\): Unrecognized key/);
  });

  it('rejects a duplicate GSS code', () => {
    const message = problemOf(changed((json) => json.localAuthorities.push({ ...entry(json, 'E06000001'), dfeNumber: '999', name: 'Copy' })));
    expect(message).toContain('local authority E06000001 Copy: field gss: duplicate GSS code');
  });

  it('rejects two current authorities with one DfE number', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000002').dfeNumber = '805')));
    expect(message).toContain('local authority E06000002 Middlesbrough: field dfeNumber: 805 is also the number of current local authority E06000001 Hartlepool');
  });

  it('rejects a DfE number in force twice at the same time', () => {
    // The old Buckinghamshire county ending a day late overlaps the unitary that shares its number.
    const message = problemOf(
      changed((json) => {
        entry(json, 'E10000002').validTo = '2020-04-02';
        const succession = json.successions.find((s) => s.predecessor === 'E10000002');
        if (succession) succession.date = '2020-04-02';
      }),
    );
    expect(message).toContain('825 is in force at the same time');
  });

  it('rejects a region that does not exist', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000001').region = 'E12000010')));
    expect(message).toContain('local authority E06000001 Hartlepool: field region: no region E12000010');
  });

  it('rejects a London borough without its Inner or Outer London sub-region', () => {
    const message = problemOf(changed((json) => delete entry(json, 'E09000002').subRegion));
    expect(message).toContain('local authority E09000002 Barking and Dagenham: field subRegion: a London authority needs Inner or Outer London');
  });

  it('rejects a sub-region outside London', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000001').subRegion = 'E13000001')));
    expect(message).toContain('field subRegion: only London authorities have a sub-region');
  });

  it('rejects a type that does not match the GSS code', () => {
    const message = problemOf(changed((json) => (entry(json, 'E08000001').type = 'county')));
    expect(message).toContain('local authority E08000001 Bolton: field type: a county has a GSS code starting E10');
  });

  it('rejects a past authority without a succession', () => {
    const message = problemOf(changed((json) => (json.successions = json.successions.filter((s) => s.predecessor !== 'E10000021'))));
    expect(message).toContain('local authority E10000021 Northamptonshire: field validTo: a past authority needs a succession');
  });

  it('rejects a succession whose date disagrees with its successor', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000061').validFrom = '2021-05-01')));
    expect(message).toContain('succession of E10000021: field successors: local authority E06000061 North Northamptonshire starts 2021-05-01, not 2021-04-01');
  });

  it('rejects a succession to an authority that does not exist', () => {
    const message = problemOf(
      changed((json) => {
        const succession = json.successions.find((s) => s.predecessor === 'E10000006');
        if (succession) succession.successors = ['E06000063', 'E06000099'];
      }),
    );
    expect(message).toContain('succession of E10000006: field successors: no local authority E06000099');
  });

  it('rejects a split with one successor', () => {
    const message = problemOf(
      changed((json) => {
        const succession = json.successions.find((s) => s.predecessor === 'E10000023');
        if (succession) succession.change = 'split';
      }),
    );
    expect(message).toContain('succession of E10000023: field change: "split" exactly when there is more than one successor');
  });

  it('rejects a source id that is not listed', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000001').sources = ['hearsay'])));
    expect(message).toContain('local authority E06000001 Hartlepool: field sources: no source hearsay');
  });

  it('rejects two current authorities with the same name', () => {
    const message = problemOf(changed((json) => (entry(json, 'E06000002').aliases = ['hartlepool'])));
    expect(message).toContain('local authority E06000002 Middlesbrough: field name: "hartlepool" also names current local authority E06000001 Hartlepool');
  });
});

describe('findLocalAuthority', () => {
  it('finds a current authority by GSS code in any case', () => {
    expect(current(findLocalAuthority('E06000001')).name).toBe('Hartlepool');
    expect(current(findLocalAuthority(' e06000001 ')).gss).toBe('E06000001');
  });

  it('finds a current authority by DfE number as string or number', () => {
    expect(current(findLocalAuthority('805')).gss).toBe('E06000001');
    expect(current(findLocalAuthority(805)).gss).toBe('E06000001');
    expect(current(findLocalAuthority(201)).name).toBe('City of London');
  });

  it('finds a current authority by exact name, ignoring case, including older DfE spellings', () => {
    expect(current(findLocalAuthority('west northamptonshire')).gss).toBe('E06000062');
    expect(current(findLocalAuthority('Kingston upon Hull, City of')).gss).toBe('E06000010');
    expect(current(findLocalAuthority('Kingston upon Hull City of')).gss).toBe('E06000010');
    expect(current(findLocalAuthority('Durham')).gss).toBe('E06000047');
    expect(current(findLocalAuthority('Isles Of Scilly')).gss).toBe('E06000053');
  });

  it('returns nothing for a code, number or name it does not know', () => {
    expect(findLocalAuthority('E06000099')).toBeUndefined();
    expect(findLocalAuthority('999')).toBeUndefined();
    expect(findLocalAuthority(8.5)).toBeUndefined();
    expect(findLocalAuthority('Hartlepool Borough')).toBeUndefined();
    expect(findLocalAuthority('')).toBeUndefined();
  });

  it('resolves a split predecessor to all its successors and flags it ambiguous', () => {
    const match = predecessor(findLocalAuthority('E10000021'));
    expect(match.predecessor.name).toBe('Northamptonshire');
    expect(match.successors.map((la) => la.gss)).toEqual(['E06000061', 'E06000062']);
    expect(match.ambiguous).toBe(true);
    expect(match.changedOn).toBe('2021-04-01');
    expect(match.changes.map((c) => c.change)).toEqual(['split']);
  });

  it('resolves a merged predecessor to its one successor, not ambiguous', () => {
    const match = predecessor(findLocalAuthority(837));
    expect(match.predecessor.name).toBe('Bournemouth');
    expect(match.successors.map((la) => la.gss)).toEqual(['E06000058']);
    expect(match.ambiguous).toBe(false);
  });

  it('follows a chain of changes to the current authority', () => {
    // Northumberland county (2009) -> Northumberland unitary E06000048 -> recoded E06000057 (2013).
    const match = predecessor(findLocalAuthority('E10000022'));
    expect(match.successors.map((la) => la.gss)).toEqual(['E06000057']);
    expect(match.changes.map((c) => c.date)).toEqual(['2009-04-01', '2013-04-01']);
  });

  it('gives the current authority for a DfE number an old and a current authority share', () => {
    expect(current(findLocalAuthority('825')).gss).toBe('E06000060');
    expect(current(findLocalAuthority('815')).gss).toBe('E06000065');
    expect(current(findLocalAuthority('390')).gss).toBe('E08000037');
  });

  it('gives the current authority for a name an old and a current authority share', () => {
    expect(current(findLocalAuthority('Dorset')).gss).toBe('E06000059');
    expect(current(findLocalAuthority('Somerset')).gss).toBe('E06000066');
  });

  it('resolves a predecessor name to its successors', () => {
    expect(predecessor(findLocalAuthority('Cumbria')).successors.map((la) => la.name)).toEqual(['Cumberland', 'Westmorland and Furness']);
    expect(predecessor(findLocalAuthority('Bedfordshire (Pre LGR 2009)')).predecessor.dfeNumber).toBe('820');
  });
});

describe('currentAuthoritiesFor', () => {
  it('lists one authority for a current code', () => {
    expect(currentAuthoritiesFor('E06000001')).toMatchObject({ authorities: [{ gss: 'E06000001' }], ambiguous: false });
  });

  it('lists every successor for a split code and says it is ambiguous', () => {
    const result = currentAuthoritiesFor('909');
    expect(result?.authorities.map((la) => la.gss)).toEqual(['E06000063', 'E06000064']);
    expect(result?.ambiguous).toBe(true);
    expect(result?.predecessor?.predecessor.gss).toBe('E10000006');
  });

  it('returns nothing for an unknown code', () => {
    expect(currentAuthoritiesFor('E10000099')).toBeUndefined();
  });
});

describe('predecessorsOf and successionOf', () => {
  it('lists the predecessors of a successor, latest first', () => {
    expect(predecessorsOf('E06000058').map((la) => la.gss).sort()).toEqual(['E06000028', 'E06000029', 'E10000009']);
    expect(predecessorsOf('E06000057').map((la) => la.gss)).toEqual(['E06000048', 'E10000022']);
    expect(predecessorsOf('E06000001')).toEqual([]);
    expect(predecessorsOf('E99999999')).toEqual([]);
  });

  it('gives the succession that ended a code', () => {
    expect(successionOf('E10000027')).toMatchObject({ successors: ['E06000066'], date: '2023-04-01', change: 'became-unitary' });
    expect(successionOf('E06000066')).toBeUndefined();
  });

  it('finds a past authority by GSS code without resolving it', () => {
    expect(localAuthorityByGss('e10000009')?.name).toBe('Dorset');
    expect(localAuthorityByGss('E10000099')).toBeUndefined();
  });
});

describe('regions', () => {
  it('gives the region of an authority, by object or by code', () => {
    const hartlepool = current(findLocalAuthority('E06000001'));
    expect(regionOf(hartlepool).name).toBe('North East');
    expect(regionOf('Cumberland')?.code).toBe('E12000002');
    expect(regionOf('E10000021')?.name).toBe('East Midlands');
    expect(regionOf('nowhere')).toBeUndefined();
  });

  it('gives London and the DfE sub-region for a London borough', () => {
    expect(regionOf('E09000007')?.code).toBe('E12000007');
    expect(subRegionOf('E09000007')?.name).toBe('Inner London');
    expect(subRegionOf('Bromley')?.name).toBe('Outer London');
    expect(subRegionOf('E06000001')).toBeUndefined();
  });

  it('lists the authorities of a region, a sub-region and the country', () => {
    expect(localAuthoritiesIn('E12000001').map((la) => la.name)).toContain('Gateshead');
    expect(localAuthoritiesIn('E13000001').every((la) => la.subRegion === 'E13000001')).toBe(true);
    expect(localAuthoritiesIn('E12000007')).toHaveLength(localAuthoritiesIn('E13000001').length + localAuthoritiesIn('E13000002').length);
    expect(localAuthoritiesIn('E92000001')).toEqual(allLocalAuthorities());
  });

  it('lists predecessors in a region only when asked', () => {
    expect(localAuthoritiesIn('E12000002').map((la) => la.gss)).not.toContain('E10000006');
    expect(localAuthoritiesIn('E12000002', { includePredecessors: true }).map((la) => la.gss)).toContain('E10000006');
  });

  it('refuses an unknown region code', () => {
    expect(() => localAuthoritiesIn('E12000010')).toThrow('No region, sub-region or country with code E12000010');
  });

  it('finds areas by code or name and lists them by kind', () => {
    expect(findArea('yorkshire and the humber')?.code).toBe('E12000003');
    expect(findArea('E13000002')?.name).toBe('Outer London');
    expect(findArea('Wales')).toBeUndefined();
    expect(allAreas().map((area) => area.code)).toHaveLength(9);
    expect(allAreas('sub-region').map((area) => area.name)).toEqual(['Inner London', 'Outer London']);
    expect(allAreas('country').map((area) => area.name)).toEqual(['England']);
  });
});

describe('allLocalAuthorities', () => {
  it('lists current authorities only by default, in GSS order', () => {
    const list = allLocalAuthorities();
    expect(list.every((la) => la.validTo === null)).toBe(true);
    expect(list.map((la) => la.gss)).toEqual([...list.map((la) => la.gss)].sort());
  });

  it('lists predecessors too when asked', () => {
    const all = allLocalAuthorities({ includePredecessors: true });
    expect(all.length).toBeGreaterThan(allLocalAuthorities().length);
    expect(all.some((la) => la.gss === 'E10000001')).toBe(true);
  });
});
