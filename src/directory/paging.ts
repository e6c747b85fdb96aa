/** The Open Referral paging fields every list answer carries (the API specification's Page schema). */
export interface OrukPage<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
}

export function orukPage<T>(contents: T[], total: number, page: number, perPage: number): OrukPage<T> {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return { total_items: total, total_pages: totalPages, page_number: page, size: contents.length, first_page: page === 1, last_page: page >= totalPages, empty: contents.length === 0, contents };
}

export const pageSchema = {
  total_items: { type: 'integer', description: 'How many there are in all' },
  total_pages: { type: 'integer' },
  page_number: { type: 'integer' },
  size: { type: 'integer', description: 'How many are on this page' },
  first_page: { type: 'boolean' },
  last_page: { type: 'boolean' },
  empty: { type: 'boolean', description: 'True when this page holds none' },
} as const;
