/**
 * Reading a page's query string. Pages have no query-string schema, so a field the address gives
 * twice (a link pasted twice over, or someone probing) arrives as a list where the page expects
 * text: read through here, it counts once, by its first value.
 */

/** The field's text: its first value when given more than once, undefined when absent. */
export function queryText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** Every text the field gives (a filter of many choices, such as checkboxes). */
export function queryList(value: unknown): string[] {
  return [value ?? []].flat().filter((entry): entry is string => typeof entry === 'string');
}

/** The query with each named field read once, and every other field left out. */
export function queryTexts<Field extends string>(raw: unknown, fields: readonly Field[]): Partial<Record<Field, string>> {
  const source = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const read: Partial<Record<Field, string>> = {};
  for (const field of fields) {
    const value = queryText(source[field]);
    if (value !== undefined) read[field] = value;
  }
  return read;
}
