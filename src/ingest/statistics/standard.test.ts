import { describe, expect, it } from 'vitest';
import { findGeographicLevel, findTimeIdentifier, parseIndicatorCell, periodStartYear, requiredColumnsFor } from './standard.js';

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

  it('requires the authority columns of school rows and the country columns of every row', () => {
    expect(requiredColumnsFor(findGeographicLevel('School')!)).toEqual(['country_code', 'country_name', 'school_urn', 'school_name', 'old_la_code', 'new_la_code', 'la_name']);
    expect(requiredColumnsFor(findGeographicLevel('Regional')!)).toEqual(['country_code', 'country_name', 'region_code', 'region_name']);
    expect(requiredColumnsFor(findGeographicLevel('Local authority')!)).toEqual(['country_code', 'country_name', 'new_la_code', 'la_name', 'old_la_code']);
  });

  it.each([
    ['12', { value: 12, status: 'value' }],
    ['-3.25', { value: -3.25, status: 'value' }],
    ['0', { value: 0, status: 'value' }],
    ['1.5e3', { value: 1500, status: 'value' }],
    ['c', { value: null, status: 'c' }],
    ['x', { value: null, status: 'x' }],
    ['z', { value: null, status: 'z' }],
    ['low', { value: null, status: 'low' }],
    ['k', { value: null, status: 'k' }],
    ['u', { value: null, status: 'u' }],
    [':', { value: null, status: ':' }],
    ['~', { value: null, status: '~' }],
    ['X', { value: null, status: 'x' }],
  ])('reads indicator cell %j', (text, expected) => {
    expect(parseIndicatorCell(text)).toEqual(expected);
  });

  it.each(['', 'NA', '1,234', '12%', '£5', 'n/a', '1e999', 'suppressed'])('refuses indicator cell %j', (text) => {
    expect(parseIndicatorCell(text)).toBeUndefined();
  });
});
