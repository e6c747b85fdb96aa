import { groupForFilterValue } from './groups.js';
import { locationResolver } from './locations.js';
import type { Location } from './locations.js';
import type { IndicatorColumn, StatisticsMetadata } from './metadata.js';
import type { StatisticsProblem } from './problems.js';
import {
  describePeriodFormat,
  findGeographicLevel,
  findTimeIdentifier,
  geographicLevels,
  indicatorCellExpectation,
  authorityColumns,
  locationColumns,
  notSpecified,
  nullWords,
  parseIndicatorCell,
  periodStartYear,
  regionColumns,
  requiredColumnsFor,
  requiredDataColumns,
  timeAndLevelColumns,
} from './standard.js';
import type { GeographicLevel, TimeIdentifier } from './standard.js';

/** A valid data row, ready to store. */
export interface StatisticsRow {
  row: number;
  /** As published: 201617, 2017. */
  timePeriod: string;
  /** The standard's spelling: "Academic year". */
  timeIdentifier: string;
  startYear: number;
  geographicLevel: string;
  location: Location;
  /** Every filter (and filter grouping column), blank values given as "Not specified". */
  filters: Record<string, string>;
  groupId: string | null;
  /** One per indicator of the reader, in its order: the number, the symbol published instead, or a category in words. */
  cells: StatisticsCell[];
}

/** A number; a symbol (c, x, z, ...) published instead of one; or an indicator's category in words. */
export type StatisticsCell = number | string | { text: string };

/**
 * A row read: valid, or its problems. `level` is the row's geographic level when it names one.
 * `contentOnly` says every problem is with the row's location, filters or values, none with its
 * shape, time or level: EES checks only those for rows it then ignores (a School row in a file of
 * several levels), so such problems do not count when the row is ignored.
 */
export type StatisticsRowResult =
  | { ok: true; row: StatisticsRow; level: GeographicLevel }
  | { ok: false; problems: StatisticsProblem[]; level: GeographicLevel | undefined; contentOnly: boolean };

export interface StatisticsRowReader {
  /** The indicators the data file has, in metadata order. */
  indicators: IndicatorColumn[];
  read(values: readonly string[], rowNumber: number): StatisticsRowResult;
}


/**
 * Checks a data file's header against the standard and its metadata, and returns a reader for its
 * rows together with the header's problems and the columns it ignores. Refused, as the standard's
 * checker refuses them: a required column missing (time_period, time_identifier, geographic_level,
 * country_code, country_name), a column named twice or blank, some but not all of the local
 * authority columns or of the region columns, a column the metadata describes that is not there.
 * Ignored, as EES ignores them: columns that are neither time, location, nor described by the
 * metadata (as a filter, an indicator or a filter grouping column); the caller tells the user
 * which. The reader reads what it can even when the header has problems, so every problem is
 * found in one go.
 */
export function statisticsRowReader(
  header: readonly string[],
  metadata: StatisticsMetadata,
  files: { data: string; meta: string },
): { reader: StatisticsRowReader; problems: StatisticsProblem[]; ignoredColumns: string[] } {
  const problems: StatisticsProblem[] = [];
  const problem = (column: string, value: string, expected: string) => problems.push({ file: files.data, row: 1, column, value, expected });
  const columns = header.map((name) => name.trim());
  const groupingColumns = new Set(metadata.filters.flatMap((filter) => (filter.groupingColumn === null ? [] : [filter.groupingColumn])));
  const ignoredColumns: string[] = [];

  const seen = new Set<string>();
  columns.forEach((column, index) => {
    if (column === '') problem(`column ${index + 1}`, '', 'a column name (this header cell is blank)');
    else if (seen.has(column)) problem(column, column, 'each column once: this name appears more than once');
    else if (!(timeAndLevelColumns as readonly string[]).includes(column) && !locationColumns.has(column) && !metadata.described.has(column) && !groupingColumns.has(column))
      ignoredColumns.push(column);
    seen.add(column);
  });
  for (const required of requiredDataColumns) {
    if (!seen.has(required)) problem(required, '', `the column "${required}", which every data file has`);
  }
  for (const [group, what] of [
    [authorityColumns, 'local authority'],
    [regionColumns, 'region'],
  ] as const) {
    const present = group.filter((column) => seen.has(column));
    if (present.length > 0 && present.length < group.length)
      for (const missing of group.filter((column) => !seen.has(column)))
        problem(missing, '', `the column "${missing}": a file with any of the ${what} columns (${group.join(', ')}) has all of them`);
  }
  for (const described of [...metadata.filters, ...metadata.indicators]) {
    if (!seen.has(described.name)) problem(described.name, '', `the column "${described.name}", which ${files.meta} describes; it is not in the data file`);
  }
  for (const grouping of groupingColumns) {
    if (!seen.has(grouping) && !metadata.described.has(grouping)) problem(grouping, '', `the column "${grouping}", which ${files.meta} names as a filter grouping column`);
  }

  return { reader: makeReader(columns, metadata, groupingColumns, files.data), problems, ignoredColumns };
}

function makeReader(columns: string[], metadata: StatisticsMetadata, groupingColumns: Set<string>, file: string): StatisticsRowReader {
  const position = new Map<string, number>();
  columns.forEach((column, index) => {
    if (!position.has(column)) position.set(column, index);
  });
  const indicators = metadata.indicators.filter((indicator) => position.has(indicator.name));
  const indicatorPositions = indicators.map((indicator) => position.get(indicator.name)!);
  // A grouping column may itself be a filter (a hierarchy: subject within qualification level): read it once.
  const filterNames = [...new Set([...metadata.filters.map((filter) => filter.name), ...groupingColumns])].filter((name) => position.has(name));
  const filterPositions = filterNames.map((name) => position.get(name)!);
  const missingColumnsByLevel = new Map<GeographicLevel, string[]>(
    geographicLevels.map((level) => [level, requiredColumnsFor(level).filter((column) => !position.has(column))]),
  );
  const levelsReported = new Set<GeographicLevel>();
  const resolveLocation = locationResolver();
  let firstIdentifier: TimeIdentifier | undefined;
  const levelList = geographicLevels.map((level) => level.name).join(', ');

  return {
    indicators,
    read(values, rowNumber) {
      const problems: StatisticsProblem[] = [];
      const problem = (column: string, value: string, expected: string) => problems.push({ file, row: rowNumber, column, value, expected });
      if (values.length !== columns.length) {
        problem('(row)', `${values.length} values`, `${columns.length} values, one for each column of the header`);
        return { ok: false, problems, level: undefined, contentOnly: false };
      }
      const raw = (column: string): string => {
        const index = position.get(column);
        return index === undefined ? '' : (values[index] ?? '');
      };
      const cell = (column: string): string => raw(column).trim();

      const identifierText = cell('time_identifier');
      const identifier = findTimeIdentifier(identifierText);
      let startYear: number | undefined;
      if (identifier === undefined) {
        problem('time_identifier', raw('time_identifier'), 'a time identifier of the standard, such as Academic year, Calendar year, Financial year, Tax year, Spring term, a month or Week 1 to Week 52');
        if (!/^(19|20)\d\d(\d\d)?$/.test(cell('time_period'))) problem('time_period', raw('time_period'), 'a year of four digits, such as 2017, or six, such as 201617');
      } else {
        firstIdentifier ??= identifier;
        if (identifier.group !== firstIdentifier.group)
          problem('time_identifier', raw('time_identifier'), `an identifier of the same kind as the file's first rows (${firstIdentifier.name}): the standard does not mix kinds of time period in one file`);
        startYear = periodStartYear(cell('time_period'), identifier.format);
        if (startYear === undefined) problem('time_period', raw('time_period'), describePeriodFormat(identifier));
      }

      const levelText = cell('geographic_level');
      const level = findGeographicLevel(levelText);
      let location: Location | undefined;
      if (level === undefined) problem('geographic_level', raw('geographic_level'), `a geographic level of the standard: ${levelList}`);
      // Problems so far are with the row's shape, time or level; those after it with its content.
      const coreProblems = problems.length;
      if (level !== undefined) {
        const missing = missingColumnsByLevel.get(level) ?? [];
        if (missing.length > 0) {
          // Said once per level: every row of the level has the same problem, and all are refused.
          if (!levelsReported.has(level))
            problem('geographic_level', raw('geographic_level'), `the columns a ${level.name} row needs, which the header lacks: ${missing.join(', ')} (every ${level.name} row is refused)`);
          levelsReported.add(level);
        } else {
          const resolved = resolveLocation(level, cell);
          if (resolved.ok) location = resolved.location;
          else for (const found of resolved.problems) problem(found.column, raw(found.column), found.expected);
        }
      }

      const filters: Record<string, string> = {};
      const groups = new Set<string>();
      for (const [index, name] of filterNames.entries()) {
        const text = (values[filterPositions[index]!] ?? '').trim();
        if (nullWords.has(text)) {
          problem(name, text, `a filter value, or blank for "${notSpecified}": ${text} is how software writes a missing value`);
          continue;
        }
        const value = text === '' ? notSpecified : text;
        filters[name] = value;
        const group = groupForFilterValue(value);
        if (group !== undefined) groups.add(group);
      }
      // Two different groups in one row is an intersection ("SEN support" and "FSM eligible"): neither group's figure.
      const groupId = groups.size === 1 ? [...groups][0]! : null;

      const cells: StatisticsCell[] = [];
      indicators.forEach((indicator, index) => {
        const text = values[indicatorPositions[index]!] ?? '';
        const parsed = parseIndicatorCell(text.trim());
        if (parsed === undefined) problem(indicator.name, text, indicatorCellExpectation(text));
        else cells.push(parsed.status === 'value' ? parsed.value : parsed.status === 'symbol' ? parsed.symbol : { text: parsed.text });
      });

      if (problems.length > 0 || identifier === undefined || startYear === undefined || level === undefined || location === undefined)
        return { ok: false, problems, level, contentOnly: coreProblems === 0 };
      return {
        ok: true,
        level,
        row: {
          row: rowNumber,
          timePeriod: cell('time_period'),
          timeIdentifier: identifier.name,
          startYear,
          geographicLevel: level.name,
          location,
          filters,
          groupId,
          cells,
        },
      };
    },
  };
}
