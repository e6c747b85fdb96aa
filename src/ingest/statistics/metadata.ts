import type { Hash } from 'node:crypto';
import type { StatisticsProblem } from './problems.js';
import { CsvReadError, readCsvRows } from './read-csv.js';
import type { CsvRow } from './read-csv.js';
import { indicatorUnits, locationColumns, optionalMetadataColumns, requiredMetadataColumns, timeAndLevelColumns } from './standard.js';

export interface FilterColumn {
  name: string;
  label: string;
  hint: string | null;
  /** A data column that groups this filter's values (ethnicity_major for ethnicity_minor, say). */
  groupingColumn: string | null;
  parentFilter: string | null;
  defaultValue: string | null;
}

export interface IndicatorColumn {
  name: string;
  label: string;
  grouping: string | null;
  /** '' for a plain number, or %, pp, £, £m, numberstring. */
  unit: string;
  decimalPlaces: number | null;
}

export interface StatisticsMetadata {
  filters: FilterColumn[];
  indicators: IndicatorColumn[];
  /** Every column the metadata names, described well or not, so the data file is not blamed twice. */
  described: Set<string>;
}

export interface MetadataReading {
  /** What could be read; use it only when `problems` is empty. */
  metadata: StatisticsMetadata;
  problems: StatisticsProblem[];
}

const knownColumns: readonly string[] = [...requiredMetadataColumns, ...optionalMetadataColumns];
const missingValue = 'NA';

/** Reads and checks a metadata file. Problems name the file by `fileName`. */
export async function readMetadata(path: string, fileName: string, options: { hash?: Hash } = {}): Promise<MetadataReading> {
  const rows: CsvRow[] = [];
  try {
    for await (const row of readCsvRows(path, options)) rows.push(row);
  } catch (error) {
    if (!(error instanceof CsvReadError)) throw error;
    const reading = checkMetadata(rows, fileName);
    reading.problems.push({ file: fileName, row: error.row, column: '(file)', value: error.value, expected: error.expected });
    return reading;
  }
  return checkMetadata(rows, fileName);
}

/**
 * Checks the records of a metadata file (header first) against the standard: its columns, one row
 * per filter or indicator, `col_type` Filter or Indicator, a label for each, units and decimal
 * places for indicators only, no `NA` (R's missing value written out), no column described twice.
 */
export function checkMetadata(records: readonly CsvRow[], fileName: string): MetadataReading {
  const problems: StatisticsProblem[] = [];
  const problem = (row: number | null, column: string, value: string, expected: string) => problems.push({ file: fileName, row, column, value, expected });
  const metadata: StatisticsMetadata = { filters: [], indicators: [], described: new Set() };
  const [headerRow, ...rows] = records;
  if (headerRow === undefined || isBlankLine(headerRow.values)) {
    problem(null, '(file)', '', `a metadata file: a header row (${requiredMetadataColumns.join(', ')}) and one row for each filter and indicator of the data file`);
    return { metadata, problems };
  }

  const header = headerRow.values.map((name) => name.trim().toLowerCase());
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') problem(1, `column ${index + 1}`, '', 'a column name (this header cell is blank)');
    else if (seen.has(name)) problem(1, name, name, 'each metadata column once');
    else if (!knownColumns.includes(name)) problem(1, name, headerRow.values[index] ?? name, `a metadata column of the standard: ${knownColumns.join(', ')}`);
    seen.add(name);
  });
  for (const required of requiredMetadataColumns) {
    if (!seen.has(required)) problem(1, required, '', `the column "${required}", which every metadata file has`);
  }

  const dataRows = rows.filter((row) => !isBlankLine(row.values));
  if (dataRows.length === 0) {
    problem(null, '(file)', '', 'at least one row describing an indicator: the file has a header and no rows');
    return { metadata, problems };
  }

  const position = new Map(header.map((name, index) => [name, index]));
  const firstRowOf = new Map<string, number>();
  const labelRows = { Filter: new Map<string, number>(), Indicator: new Map<string, number>() };
  const typesSeen = new Set<string>();

  for (const { row, values } of dataRows) {
    if (values.length !== header.length) {
      problem(row, '(row)', `${values.length} values`, `${header.length} values, one for each column of the header`);
      continue;
    }
    if (values.every((value) => value.trim() === missingValue || value.trim() === '')) {
      problem(row, '(row)', values.join(','), 'a row describing one column of the data file: this row is all NA (how R writes a missing value); delete it');
      continue;
    }
    const cell = (column: string): string => {
      const index = position.get(column);
      const value = index === undefined ? '' : (values[index] ?? '').trim();
      return value === missingValue ? '' : value;
    };
    header.forEach((column, index) => {
      if ((values[index] ?? '').trim() === missingValue)
        problem(row, column, missingValue, 'a value, or blank where there is none: NA is how R writes a missing value (write the file with na = "")');
    });

    const name = cell('col_name');
    const typeText = cell('col_type');
    const type = typeText.toLowerCase() === 'filter' ? 'Filter' : typeText.toLowerCase() === 'indicator' ? 'Indicator' : undefined;
    const label = cell('label');
    if (type !== undefined) typesSeen.add(type);
    let valid = true;
    const refuse = (column: string, value: string, expected: string) => {
      problem(row, column, value, expected);
      valid = false;
    };

    if (name === '') refuse('col_name', '', 'the name of a filter or indicator column of the data file');
    else if (/\s/.test(name)) refuse('col_name', name, 'a column name without spaces, as the data file has it');
    else if (firstRowOf.has(name)) refuse('col_name', name, `each column described once: row ${firstRowOf.get(name)} describes "${name}" already`);
    else if ((timeAndLevelColumns as readonly string[]).includes(name) || locationColumns.has(name))
      refuse('col_name', name, `a filter or indicator column: "${name}" is a time or location column of the standard and is not described in the metadata`);
    if (name !== '') {
      if (!firstRowOf.has(name)) firstRowOf.set(name, row);
      metadata.described.add(name);
    }
    if (type === undefined) refuse('col_type', typeText, 'Filter or Indicator');
    if (label === '') refuse('label', '', 'a label for the column, as people will see it');
    else if (type !== undefined) {
      const earlier = labelRows[type].get(label.toLowerCase());
      if (earlier !== undefined) refuse('label', label, `a label no other ${type.toLowerCase()} has: row ${earlier} has it too`);
      else labelRows[type].set(label.toLowerCase(), row);
    }

    if (type === 'Indicator') {
      const unit = cell('indicator_unit');
      if (!indicatorUnits.includes(unit)) refuse('indicator_unit', unit, `blank or one of the standard's units: ${indicatorUnits.filter((known) => known !== '').join(', ')}`);
      const places = cell('indicator_dp');
      if (places !== '' && !/^\d{1,2}$/.test(places)) refuse('indicator_dp', places, 'a whole number of decimal places (0, 1, 2, …) or blank');
      for (const column of ['filter_hint', 'filter_grouping_column', 'filter_default', 'parent_filter']) {
        if (cell(column) !== '') refuse(column, cell(column), `blank for an indicator: ${column} describes filters`);
      }
      if (valid) {
        metadata.indicators.push({
          name,
          label,
          grouping: cell('indicator_grouping') || null,
          unit,
          decimalPlaces: places === '' ? null : Number(places),
        });
      }
    } else if (type === 'Filter') {
      for (const column of ['indicator_grouping', 'indicator_unit', 'indicator_dp']) {
        if (cell(column) !== '') refuse(column, cell(column), `blank for a filter: ${column} describes indicators`);
      }
      if (valid) {
        metadata.filters.push({
          name,
          label,
          hint: cell('filter_hint') || null,
          groupingColumn: cell('filter_grouping_column') || null,
          parentFilter: cell('parent_filter') || null,
          defaultValue: cell('filter_default') || null,
        });
      }
    }
  }

  const filterNames = new Set(metadata.filters.map((filter) => filter.name));
  for (const filter of metadata.filters) {
    const row = firstRowOf.get(filter.name) ?? null;
    // A grouping column may be a filter itself (a hierarchy: course within subject within level), as
    // EES accepts and the checker recommends (check_meta_fil_grp_is_fil); an indicator groups nothing.
    if (filter.groupingColumn !== null && metadata.indicators.some((indicator) => indicator.name === filter.groupingColumn))
      problem(row, 'filter_grouping_column', filter.groupingColumn, 'a column of the data file that groups this filter\'s values: a filter or an undescribed column, not an indicator');
    else if (filter.groupingColumn === filter.name) problem(row, 'filter_grouping_column', filter.groupingColumn, 'another column than the filter itself, or blank');
    if (filter.parentFilter !== null && !filterNames.has(filter.parentFilter))
      problem(row, 'parent_filter', filter.parentFilter, `blank or the name of another filter: ${[...filterNames].join(', ') || 'there are none'}`);
  }
  if (!typesSeen.has('Indicator') && !problems.some((found) => found.column === 'col_type'))
    problem(null, '(file)', '', 'at least one row with col_type Indicator: the metadata describes no indicator');
  return { metadata, problems };
}

/** A blank line of a CSV file: one empty value. */
export function isBlankLine(values: readonly string[]): boolean {
  return values.length === 1 && values[0]!.trim() === '';
}
