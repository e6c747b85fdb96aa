import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pseudonymiser } from './pseudonym.js';

describe('pseudonymising child identifiers', () => {
  it('is HMAC-SHA256 of the trimmed, upper-case identifier under the key, for keys of any length', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 32, maxLength: 200 }), fc.string({ maxLength: 40 }), (key, childId) => {
        const expected = createHmac('sha256', key).update(childId.trim().toUpperCase(), 'utf8').digest('hex');
        return pseudonymiser(key)(childId) === expected;
      }),
    );
  });

  it('matches a published HMAC-SHA256 test vector (RFC 4231, test case 2)', () => {
    // Key "Jefe", data "what do ya want for nothing?" (upper-cased here, so the vector is recomputed for that input).
    const key = pseudonymiser('Jefe');
    expect(key('what do ya want for nothing?')).toBe(createHmac('sha256', 'Jefe').update('WHAT DO YA WANT FOR NOTHING?').digest('hex'));
    expect(createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('gives the same child the same pseudonym however the identifier is spaced or cased, and different keys different ones', () => {
    const key = pseudonymiser('k'.repeat(40));
    expect(key(' a123456789012 ')).toBe(key('A123456789012'));
    expect(pseudonymiser('j'.repeat(40))('A123456789012')).not.toBe(key('A123456789012'));
  });
});
