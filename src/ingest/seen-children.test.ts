import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenChildren } from './seen-children.js';

const pseudonym = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the children a file has already given', () => {
  it('answers exactly as a map of (year, pseudonym) to first row would, through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 2019, max: 2023 })), { maxLength: 400 }), (children) => {
        const seen = new SeenChildren();
        const reference = new Map<string, number>();
        return children.every(([child, year], index) => {
          const key = `${year}:${child}`;
          const expected = reference.get(key);
          if (expected === undefined) reference.set(key, index + 2);
          return seen.firstRow(pseudonym(String(child)), year, index + 2) === expected;
        });
      }),
    );
  });

  it('keeps 200,000 children apart and finds a repeat', () => {
    const seen = new SeenChildren();
    for (let child = 0; child < 200_000; child++) expect(seen.firstRow(pseudonym(`c${child}`), 2023, child + 2)).toBeUndefined();
    expect(seen.firstRow(pseudonym('c12345'), 2023, 999_999)).toBe(12_347);
    expect(seen.firstRow(pseudonym('c12345'), 2024, 999_999)).toBeUndefined();
  });
});
