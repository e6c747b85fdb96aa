import { standardColumns } from '../../src/ingest/child-standard.js';

export type ChildFields = Partial<Record<string, string>>;

/** A key for tests only: the service refuses to load child data without one. */
export const testPseudonymKey = 'test-only-pseudonym-key-0123456789abcdef';

/** A child-level CSV with the given columns (the required three by default) and rows; missing fields are blank. */
export function childCsv(rows: readonly ChildFields[], columns: readonly string[] = columnsOf(rows)): string {
  const escape = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [columns.join(','), ...rows.map((row) => columns.map((column) => escape(row[column] ?? '')).join(','))].join('\n') + '\n';
}

/** The columns the rows use, in the standard's order. */
export function columnsOf(rows: readonly ChildFields[]): string[] {
  const used = new Set(['child_id', 'academic_year', 'la_code', ...rows.flatMap((row) => Object.keys(row))]);
  return [...standardColumns.filter((column) => used.has(column)), ...[...used].filter((column) => !standardColumns.includes(column))];
}

/** A plausible child: a UPN-like identifier and the required fields. */
export function child(number: number, fields: ChildFields = {}): ChildFields {
  return { child_id: `A${String(number).padStart(12, '0')}`, academic_year: '2023/24', la_code: 'E09000007', ...fields };
}
