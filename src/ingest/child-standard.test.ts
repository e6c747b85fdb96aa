import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ethnicityMainCode, formatAcademicYear, parseAcademicYear, parseFlag, parseNcy } from './child-standard.js';

describe('the child-level standard’s value formats', () => {
  it('reads academic years written either way, and nothing else', () => {
    expect(parseAcademicYear('2023/24')).toBe(2023);
    expect(parseAcademicYear('202324')).toBe(2023);
    expect(parseAcademicYear(' 2023-24 ')).toBe(2023);
    expect(parseAcademicYear('1999/00')).toBe(1999);
    for (const text of ['2023', '2023/25', '23/24', '2023/2024', '', 'abcd/ef']) expect(parseAcademicYear(text), text).toBeUndefined();
  });

  it('turns every academic year back into the year it was written from', () => {
    fc.assert(fc.property(fc.integer({ min: 1990, max: 2100 }), (year) => parseAcademicYear(formatAcademicYear(year)) === year));
  });

  it('treats blank as unknown and never as no', () => {
    expect(parseFlag('')).toBeNull();
    expect(parseFlag('  ')).toBeNull();
    for (const yes of ['Y', 'y', 'yes', '1', 'TRUE']) expect(parseFlag(yes)).toBe(true);
    for (const no of ['N', 'no', '0', 'false']) expect(parseFlag(no)).toBe(false);
    fc.assert(fc.property(fc.string(), (text) => parseFlag(text) !== false || ['n', 'no', '0', 'false'].includes(text.trim().toLowerCase())));
  });

  it('reads national curriculum years with Reception as 0 and nursery years below it', () => {
    expect([parseNcy('R'), parseNcy('0'), parseNcy('N1'), parseNcy('N2'), parseNcy('14')]).toEqual([0, 0, -2, -1, 14]);
    expect([parseNcy('15'), parseNcy('Y6'), parseNcy('-3')]).toEqual([undefined, undefined, undefined]);
  });

  it('rolls every extended ethnicity code up to a main code that rolls up to itself', () => {
    for (const main of Object.values(ethnicityMainCode)) expect(ethnicityMainCode[main]).toBe(main);
    expect(ethnicityMainCode.WENG).toBe('WBRI');
    expect(ethnicityMainCode.BSOM).toBe('BAFR');
  });
});
