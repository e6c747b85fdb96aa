import { stringify } from 'csv-stringify/sync';

/**
 * A value a spreadsheet would run as a formula (it starts with =, +, -, @, or a tab or carriage
 * return) gets a leading apostrophe, so opening an export never executes its contents (OWASP
 * "CSV injection").
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export type CsvValue = string | number | boolean | null | undefined;

/**
 * A CSV document (RFC 4180, CRLF line ends) with a byte-order mark so spreadsheet programs read
 * it as UTF-8, and every text cell made safe to open.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const safeRows = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? neutraliseFormula(cell) : (cell ?? ''))));
  return `\uFEFF${stringify([header, ...safeRows], { record_delimiter: 'windows' })}`;
}
