/**
 * Page numbers and offsets from the address. Each is bounded: a number past what the database can
 * hold as an offset (page 99999999999999999999) would otherwise fail inside the query as a 500.
 */

/** The highest page number any list accepts; beyond it the address is refused, not guessed at. */
export const maxPage = 100_000;
/** The highest offset the API accepts. */
export const maxOffset = 100_000_000;

/** The query-string schema of a page number, for routes validated by Fastify. */
export const pageQuerySchema = { type: 'integer', minimum: 1, maximum: maxPage, default: 1 } as const;
/** The query-string schema of an offset, for routes validated by Fastify. */
export const offsetQuerySchema = { type: 'integer', minimum: 0, maximum: maxOffset, default: 0 } as const;

/** What to tell someone whose page number is refused. */
export const pageProblem = `Check the page number: it must be a whole number from 1 to ${maxPage.toLocaleString('en-GB')}.`;

/** The page asked for (1 when none is), or undefined when it is not a whole number from 1 to `maxPage`. */
export function readPage(value: unknown): number | undefined {
  if (value === undefined || value === '') return 1;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[1-9]\d{0,5}$/.test(text)) return undefined;
  const page = Number(text);
  return page <= maxPage ? page : undefined;
}
