import { stringify } from 'csv-stringify/sync';

/**
 * A value a spreadsheet would run as a formula gets a leading apostrophe, so opening an export never
 * executes its contents: it starts with =, +, -, @, a tab or a carriage return (OWASP, "CSV
 * Injection"), or a null character (OWASP ASVS 5.0, requirement 1.2.10). A separator or quote inside
 * a value cannot start a new cell: the CSV writer quotes such fields (RFC 4180).
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r\0]/.test(value) ? `'${value}` : value;
}

export type CsvValue = string | number | boolean | null | undefined;

/**
 * A CSV document (RFC 4180, CRLF line ends), UTF-8 with a byte-order mark, and every text cell made
 * safe to open. The mark is there because Excel, the program most people open these files with,
 * reads a CSV without one in the computer's legacy code page, which garbles "’", "–" and accented
 * names; pandas, R's readr, LibreOffice and csv-parse (with `bom: true`) skip it.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const safeRows = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? neutraliseFormula(cell) : (cell ?? ''))));
  return `\uFEFF${stringify([header.map(neutraliseFormula), ...safeRows], { record_delimiter: 'windows' })}`;
}
