import { describe, expect, it } from 'vitest';
import { findGeographicLevel, findTimeIdentifier, geographicLevels, parseIndicatorCell, periodStartYear, requiredColumnsFor } from './standard.js';

describe('the open data standard', () => {
  it.each([
    ['201617', 'Academic year', 2016],
    ['199900', 'Financial year', 1999],
    ['202324', 'Spring term', 2023],
    ['202324', 'Autumn and spring term', 2023],
    ['202324', 'Financial year Q2', 2023],
    ['2017', 'Calendar year', 2017],
    ['2023', 'Week 14', 2023],
    ['2023', 'March', 2023],
  ])('reads time period %s of a %s as starting in %i', (period, identifier, year) => {
    expect(periodStartYear(period, findTimeIdentifier(identifier)!.format)).toBe(year);
  });

  it.each([
    ['201618', 'Academic year', 'the second pair is not the next year'],
    ['2016', 'Academic year', 'four digits where six are needed'],
    ['2016/17', 'Academic year', 'written with a slash'],
    ['201617', 'Calendar year', 'six digits where four are needed'],
    ['17', 'Calendar year', 'two digits'],
    ['NA', 'Academic year', "R's missing value"],
  ])('refuses time period %s for a %s (%s)', (period, identifier) => {
    expect(periodStartYear(period, findTimeIdentifier(identifier)!.format)).toBeUndefined();
  });

  it('finds time identifiers and levels whatever their case, as older files write them', () => {
    expect(findTimeIdentifier('academic year')?.name).toBe('Academic year');
    expect(findGeographicLevel('local authority')?.name).toBe('Local authority');
    expect(findTimeIdentifier('Academic Year Q1')).toBeUndefined();
    expect(findGeographicLevel('County')).toBeUndefined();
  });

  it('requires each level\'s code, name and second code, as the checker\'s precheck_geog_level_present does, and nothing of a planning area', () => {
    expect(requiredColumnsFor(findGeographicLevel('School')!)).toEqual(['school_urn', 'school_name', 'school_laestab']);
    expect(requiredColumnsFor(findGeographicLevel('Regional')!)).toEqual(['region_code', 'region_name']);
    expect(requiredColumnsFor(findGeographicLevel('Local authority')!)).toEqual(['new_la_code', 'la_name', 'old_la_code']);
    expect(requiredColumnsFor(findGeographicLevel('RSC region')!)).toEqual(['rsc_region_lead_name']);
    expect(requiredColumnsFor(findGeographicLevel('Mayoral Combined Authority')!)).toEqual(['mayoral_combined_authority_code', 'mayoral_combined_authority_name']);
    expect(requiredColumnsFor(findGeographicLevel('Planning area')!)).toEqual([]);
  });

  it('knows which levels EES loads only from a file of that level alone', () => {
    expect(geographicLevels.filter((level) => level.soloOnly).map((level) => level.name)).toEqual(['School', 'Provider', 'Institution', 'Planning area']);
    expect(geographicLevels).toHaveLength(19);
  });

  it.each([
    ['12', { status: 'value', value: 12 }],
    ['-3.25', { status: 'value', value: -3.25 }],
    ['0', { status: 'value', value: 0 }],
    ['1.5e3', { status: 'value', value: 1500 }],
    ['c', { status: 'symbol', symbol: 'c' }],
    ['x', { status: 'symbol', symbol: 'x' }],
    ['z', { status: 'symbol', symbol: 'z' }],
    ['low', { status: 'symbol', symbol: 'low' }],
    ['k', { status: 'symbol', symbol: 'k' }],
    ['u', { status: 'symbol', symbol: 'u' }],
    [':', { status: 'symbol', symbol: ':' }],
    ['~', { status: 'symbol', symbol: '~' }],
    ['X', { status: 'symbol', symbol: 'x' }],
    ['large', { status: 'text', text: 'large' }],
    ['1,234', { status: 'text', text: '1,234' }],
    ['n/a', { status: 'text', text: 'n/a' }],
    ['1e999', { status: 'text', text: '1e999' }],
  ])('reads indicator cell %j', (text, expected) => {
    expect(parseIndicatorCell(text)).toEqual(expected);
  });

  it.each(['', 'NA', 'na', 'NULL', 'Null', 'null'])('refuses indicator cell %j, as the checker refuses blanks and null words', (text) => {
    expect(parseIndicatorCell(text)).toBeUndefined();
  });
});
