/** How people refer to a practice item: "P-0042", in lists, headings, emails and the digest. */
export function practiceReference(reference: number): string {
  return `P-${String(reference).padStart(4, '0')}`;
}
