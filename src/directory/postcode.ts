/**
 * UK postcodes: the shape check and the parts the directory uses. A postcode is an outward code
 * (area and district, "LS12") and an inward code (sector and unit, "3AB"); the postcode district is
 * the outward code, which is how an authority draws its localities.
 */

// The Royal Mail formats (A9, A99, AA9, AA99, A9A, AA9A outward; 9AA inward), and GIR 0AA.
const postcodePattern = /^(GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d{2}|[A-HK-Y]\d[ABEHMNPRVWXY]?|[A-HK-Y]\d{2}) ?\d[ABD-HJLNP-UW-Z]{2})$/;
const districtPattern = /^[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d{2}|[A-HK-Y]\d[ABEHMNPRVWXY]?|[A-HK-Y]\d{2})$/;

/** The postcode in its standard form (upper case, one space before the inward code), or null when it is not a postcode's shape. */
export function normalisePostcode(value: string): string | null {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 5 || compact.length > 7) return null;
  const standard = `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  return postcodePattern.test(standard) ? standard : null;
}

/** The postcode district (outward code) of a postcode, or null when it is not a postcode's shape. */
export function postcodeDistrict(value: string): string | null {
  const postcode = normalisePostcode(value);
  return postcode === null ? null : postcode.slice(0, postcode.indexOf(' '));
}

/** A postcode district in its standard form ("ls12" gives "LS12"), or null when it is not one's shape. */
export function normaliseDistrict(value: string): string | null {
  const district = value.trim().toUpperCase();
  return districtPattern.test(district) ? district : null;
}
