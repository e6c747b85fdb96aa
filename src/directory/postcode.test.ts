import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseDistrict, normalisePostcode, postcodeDistrict } from './postcode.js';

describe('postcodes', () => {
  it('puts a postcode in its standard form whatever its spacing and case', () => {
    expect(normalisePostcode('ls12 3ab')).toBe('LS12 3AB');
    expect(normalisePostcode('LS123AB')).toBe('LS12 3AB');
    expect(normalisePostcode(' sw1a  1aa ')).toBe('SW1A 1AA');
    expect(normalisePostcode('M1 1AE')).toBe('M1 1AE');
    expect(normalisePostcode('B33 8TH')).toBe('B33 8TH');
    expect(normalisePostcode('CR2 6XH')).toBe('CR2 6XH');
    expect(normalisePostcode('DN55 1PT')).toBe('DN55 1PT');
    expect(normalisePostcode('W1A 0AX')).toBe('W1A 0AX');
  });

  it('refuses what is not a postcode', () => {
    for (const value of ['', 'LS12', 'LS12 3A', '12345', 'QQ1 1AA', 'LS12 3CI', 'LS12 3ABC', '<script>']) expect(normalisePostcode(value)).toBeNull();
  });

  it('gives the postcode district, the outward code', () => {
    expect(postcodeDistrict('ls12 3ab')).toBe('LS12');
    expect(postcodeDistrict('SW1A1AA')).toBe('SW1A');
    expect(postcodeDistrict('nonsense')).toBeNull();
    expect(normaliseDistrict(' ls12 ')).toBe('LS12');
    expect(normaliseDistrict('LS12 3AB')).toBeNull();
  });

  it('keeps the district of any postcode in standard form as its outward code', () => {
    const letters = 'ABDEFGHJLNPQRSTUWXYZ';
    fc.assert(
      fc.property(fc.constantFrom('LS', 'M', 'BD', 'WF', 'SW'), fc.integer({ min: 1, max: 29 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom(...letters), fc.constantFrom(...letters), (area, district, sector, a, b) => {
        const postcode = `${area}${district} ${sector}${a}${b}`;
        expect(normalisePostcode(postcode.toLowerCase().replace(' ', ''))).toBe(postcode);
        expect(postcodeDistrict(postcode)).toBe(`${area}${district}`);
      }),
    );
  });
});
