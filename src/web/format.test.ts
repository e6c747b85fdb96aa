import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordsOf, inSentence, formatDate, formatDateTime, formatNumber, formatPercent, formatSigned, readingSymbol, symbols, trendSymbol } from './format.js';

describe('format', () => {
  it('writes counts with thousands separators and a true minus sign', () => {
    expect(formatNumber(1474)).toBe('1,474');
    expect(formatNumber(300000)).toBe('300,000');
    expect(formatNumber(52, 1)).toBe('52.0');
    expect(formatNumber(-1234.56, 1)).toBe('−1,234.6');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
  });

  it('writes every whole number as the en-GB number format does, small counts included', () => {
    const intl = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0, minimumFractionDigits: 0 });
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5_000_000 }), (value) => {
        expect(formatNumber(value)).toBe(intl.format(value).replace(/^-/, '−'));
      }),
    );
    for (let value = 0; value < 1000; value++) expect(formatNumber(value)).toBe(intl.format(value));
  });

  it('writes percentages and signed gaps to one decimal', () => {
    expect(formatPercent(42.06)).toBe('42.1%');
    expect(formatPercent(undefined)).toBe('–');
    expect(formatSigned(3.21)).toBe('+3.2');
    expect(formatSigned(-16.71)).toBe('−16.7');
    expect(formatSigned(-0.04)).toBe('0.0');
    expect(formatSigned(1234.5, 0)).toBe('+1,235');
  });

  it('writes dates as GOV.UK does, in UK time', () => {
    expect(formatDate(new Date('2026-12-03T10:22:00Z'))).toBe('3 December 2026');
    expect(formatDate('2027-03-31')).toBe('31 March 2027');
    expect(formatDate('not a date')).toBe('–');
    expect(formatDateTime(new Date('2026-12-03T10:22:00Z'))).toBe('3 December 2026, 10:22am');
    expect(formatDateTime(new Date('2026-07-01T12:05:00Z'))).toBe('1 July 2026, 1:05pm');
    expect(formatDateTime(new Date('2026-01-01T00:00:00Z'))).toBe('1 January 2026, 12:00am');
  });

  it('lowers only the first letter of a label in a sentence, keeping proper nouns', () => {
    expect(inSentence('Children in care')).toBe('children in care');
    expect(inSentence('Grade 4 or above in English and maths GCSEs')).toBe('grade 4 or above in English and maths GCSEs');
    expect(inSentence('English as an additional language')).toBe('English as an additional language');
    expect(inSentence('Year 6 healthy weight')).toBe('Year 6 healthy weight');
    expect(inSentence('SEN support')).toBe('SEN support');
  });

  it('writes a code made of words as the words', () => {
    expect(wordsOf('regional-adviser')).toBe('Regional adviser');
    expect(wordsOf('not_started')).toBe('Not started');
  });

  it('gives each symbol one meaning: markers for the reading, arrows for the trend', () => {
    expect(readingSymbol('worse')).toBe(symbols.worse);
    expect(readingSymbol('unknown')).toBe('');
    expect(trendSymbol('widening')).toBe('↑');
    expect(trendSymbol('narrowing')).toBe('↓');
    expect(trendSymbol('not-enough-data')).toBe('');
    const all = Object.values(symbols);
    expect(new Set(all).size).toBe(all.length);
  });
});
