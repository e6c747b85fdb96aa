/**
 * The DfE open data standard for published statistics (the CSV files Explore Education Statistics
 * publishes): time identifiers, geographic levels and their location columns, the symbols that stand
 * in for a value, and the metadata file's columns.
 *
 * Source: the standard's own checker, dfe-analytical-services/eesyscreener (data-raw/acceptable_values.R,
 * data-raw/geography_df.R, data-raw/req_values.R) and the screener app it replaced
 * (dfe-analytical-services/dfe-published-data-qa, data/geography_matrix.csv); symbols from the GSS
 * guidance "Using symbols and shorthand in tables".
 */

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** `four-digit`: a year, 2017. `six-digit`: a year and the last two digits of the next, 201617. */
export type PeriodFormat = 'four-digit' | 'six-digit';

export interface TimeIdentifier {
  name: string;
  format: PeriodFormat;
  /** The standard's compatibility group: every row of a file uses identifiers of one group. */
  group: string;
}

const terms = ['Spring term', 'Autumn term', 'Summer term'];
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const weeks = Array.from({ length: 52 }, (_, index) => `Week ${index + 1}`);
const financialQuarters = ['Financial year Q1', 'Financial year Q2', 'Financial year Q3', 'Financial year Q4'];
const financialHalves = ['Part 1 (April to September)', 'Part 2 (October to March)'];

export const timeIdentifiers: readonly TimeIdentifier[] = [
  { name: 'Academic year', format: 'six-digit', group: 'Academic year' },
  { name: 'Calendar year', format: 'four-digit', group: 'Calendar year' },
  { name: 'Financial year', format: 'six-digit', group: 'Financial year' },
  { name: 'Tax year', format: 'six-digit', group: 'Tax year' },
  { name: 'Reporting year', format: 'four-digit', group: 'Reporting year' },
  { name: 'Autumn and spring term', format: 'six-digit', group: 'Autumn and spring term' },
  ...terms.map((name) => ({ name, format: 'six-digit' as const, group: 'terms' })),
  ...weeks.map((name) => ({ name, format: 'four-digit' as const, group: 'weeks' })),
  ...months.map((name) => ({ name, format: 'four-digit' as const, group: 'months' })),
  ...financialQuarters.map((name) => ({ name, format: 'six-digit' as const, group: 'financial quarters' })),
  ...financialHalves.map((name) => ({ name, format: 'six-digit' as const, group: 'financial halves' })),
];

const identifierByName = new Map(timeIdentifiers.map((identifier) => [identifier.name.toLowerCase(), identifier]));

/** The identifier a file names, matched without regard to case ("academic year" is in older files). */
export function findTimeIdentifier(text: string): TimeIdentifier | undefined {
  return identifierByName.get(text.trim().toLowerCase());
}

/**
 * The first year of a time period written as its identifier requires: 2017 for `2017` (four digits)
 * or `201718` (six digits, the second pair being the year after the first). Undefined when the text
 * does not fit the format.
 */
export function periodStartYear(text: string, format: PeriodFormat): number | undefined {
  if (format === 'four-digit') return /^(19|20)\d\d$/.test(text) ? Number(text) : undefined;
  if (!/^(19|20)\d{4}$/.test(text)) return undefined;
  const start = Number(text.slice(0, 4));
  return (start + 1) % 100 === Number(text.slice(4, 6)) ? start : undefined;
}

export function describePeriodFormat(identifier: TimeIdentifier): string {
  return identifier.format === 'four-digit'
    ? `four digits for ${identifier.name}: the year, such as 2017`
    : `six digits for ${identifier.name}: the start year and the last two digits of the next, such as 201617`;
}

// ---------------------------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------------------------

export interface GeographicLevel {
  name: string;
  /** The column holding the level's code; RSC regions have only a name. */
  codeColumn: string | null;
  nameColumn: string;
  /** A second code the standard puts beside the first (the DfE LA number, a school's LAESTAB). */
  secondaryColumn: string | null;
  /**
   * Loaded only when every row of the file is at this level: in a file that mixes levels, EES's
   * importer ignores these rows (SoloImportableLevels: Institution, Planning area, Provider, School).
   */
  soloOnly: boolean;
}

export const geographicLevels: readonly GeographicLevel[] = [
  { name: 'National', codeColumn: 'country_code', nameColumn: 'country_name', secondaryColumn: null, soloOnly: false },
  { name: 'Regional', codeColumn: 'region_code', nameColumn: 'region_name', secondaryColumn: null, soloOnly: false },
  { name: 'Local authority', codeColumn: 'new_la_code', nameColumn: 'la_name', secondaryColumn: 'old_la_code', soloOnly: false },
  { name: 'Local authority district', codeColumn: 'lad_code', nameColumn: 'lad_name', secondaryColumn: null, soloOnly: false },
  { name: 'RSC region', codeColumn: null, nameColumn: 'rsc_region_lead_name', secondaryColumn: null, soloOnly: false },
  { name: 'Parliamentary constituency', codeColumn: 'pcon_code', nameColumn: 'pcon_name', secondaryColumn: null, soloOnly: false },
  { name: 'Local skills improvement plan area', codeColumn: 'lsip_code', nameColumn: 'lsip_name', secondaryColumn: null, soloOnly: false },
  { name: 'Local enterprise partnership', codeColumn: 'local_enterprise_partnership_code', nameColumn: 'local_enterprise_partnership_name', secondaryColumn: null, soloOnly: false },
  { name: 'English devolved area', codeColumn: 'english_devolved_area_code', nameColumn: 'english_devolved_area_name', secondaryColumn: null, soloOnly: false },
  { name: 'Mayoral combined authority', codeColumn: 'mayoral_combined_authority_code', nameColumn: 'mayoral_combined_authority_name', secondaryColumn: null, soloOnly: false },
  { name: 'Opportunity area', codeColumn: 'opportunity_area_code', nameColumn: 'opportunity_area_name', secondaryColumn: null, soloOnly: false },
  { name: 'Ward', codeColumn: 'ward_code', nameColumn: 'ward_name', secondaryColumn: null, soloOnly: false },
  { name: 'MAT', codeColumn: 'trust_id', nameColumn: 'trust_name', secondaryColumn: null, soloOnly: false },
  { name: 'Sponsor', codeColumn: 'sponsor_id', nameColumn: 'sponsor_name', secondaryColumn: null, soloOnly: false },
  { name: 'School', codeColumn: 'school_urn', nameColumn: 'school_name', secondaryColumn: 'school_laestab', soloOnly: true },
  { name: 'Provider', codeColumn: 'provider_ukprn', nameColumn: 'provider_name', secondaryColumn: null, soloOnly: true },
  { name: 'Institution', codeColumn: 'institution_id', nameColumn: 'institution_name', secondaryColumn: null, soloOnly: true },
  { name: 'Planning area', codeColumn: 'planning_area_code', nameColumn: 'planning_area_name', secondaryColumn: null, soloOnly: true },
  { name: 'Police force area', codeColumn: 'pfa_code', nameColumn: 'pfa_name', secondaryColumn: null, soloOnly: false },
];

const levelByName = new Map(geographicLevels.map((level) => [level.name.toLowerCase(), level]));

/** The level a file names, matched without regard to case ("local authority" is in older files). */
export function findGeographicLevel(text: string): GeographicLevel | undefined {
  return levelByName.get(text.trim().toLowerCase());
}

export const countryColumns = ['country_code', 'country_name'] as const;
export const authorityColumns = ['old_la_code', 'new_la_code', 'la_name'] as const;
export const regionColumns = ['region_code', 'region_name'] as const;

/**
 * The columns the header needs for rows of this level: the level's code, name and second code
 * (eesyscreener's precheck_geog_level_present; a Planning area needs none, as the screener exempts
 * it). Every file has the country columns besides (req_data_cols).
 */
export function requiredColumnsFor(level: GeographicLevel): string[] {
  if (level.name === 'Planning area') return [];
  return [level.codeColumn, level.nameColumn, level.secondaryColumn].filter((column): column is string => column !== null);
}

/** Every location column the standard defines: none of them is a filter or an indicator. */
export const locationColumns: ReadonlySet<string> = new Set(
  geographicLevels.flatMap((level) => [level.codeColumn, level.nameColumn, level.secondaryColumn].filter((column): column is string => column !== null)),
);

/** The columns every data file starts with. */
export const timeAndLevelColumns = ['time_period', 'time_identifier', 'geographic_level'] as const;

/** The columns every data file has (eesyscreener's req_data_cols). */
export const requiredDataColumns = [...timeAndLevelColumns, ...countryColumns] as const;

/** ONS codes of the countries a DfE file may report on (England's figures are E92000001). */
export const countryCodes: ReadonlyMap<string, string> = new Map([
  ['E92000001', 'England'],
  ['K02000001', 'United Kingdom'],
  ['K03000001', 'Great Britain'],
  ['K04000001', 'England and Wales'],
  ['W92000004', 'Wales'],
  ['S92000003', 'Scotland'],
  ['N92000002', 'Northern Ireland'],
]);

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/**
 * The symbols a published cell may hold instead of a number, stored as the observation's status
 * (never as a number). `c`, `x`, `z` and `low` are the current GSS set the standard's checker
 * accepts; `k` and `u` are GSS shorthand some DfE files use; `:` and `~` are the legacy symbols the
 * checker names as obsolete, accepted so older published files load unchanged.
 */
export const valueSymbols: Readonly<Record<string, string>> = {
  c: 'confidential: suppressed to protect individuals',
  x: 'not available',
  z: 'not applicable',
  low: 'rounds to 0 but is not 0',
  k: 'a low figure that rounds to 0 but is not 0',
  u: 'low reliability',
  ':': 'not available (legacy symbol)',
  '~': 'rounds to 0 but is not 0 (legacy symbol)',
};

const numberPattern = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Words software writes for a missing value, which the checker refuses anywhere in a data file
 * (check_general_null). Its legacy no-data symbols ("N/A", ".", "..", "-") only draw a warning there,
 * so they load, as words.
 */
export const nullWords: ReadonlySet<string> = new Set(['NULL', 'Null', 'null', 'NA', 'na']);

/** What an indicator cell holds: a number, a symbol published instead of one, or a category in words. */
export type IndicatorCell = { status: 'value'; value: number } | { status: 'symbol'; symbol: string } | { status: 'text'; text: string };

/**
 * A cell of an indicator column: a finite number, a symbol (lower-cased), or any other text, which
 * EES keeps as published (its importer stores every measure as text, and indicators such as a
 * school's size band "large" or "small" are categories, not numbers). Undefined for a blank, which
 * the standard's checker refuses (check_ind_invalid_entry).
 */
export function parseIndicatorCell(text: string): IndicatorCell | undefined {
  if (text === '' || nullWords.has(text)) return undefined;
  if (numberPattern.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return { status: 'value', value };
  }
  const symbol = text.toLowerCase();
  if (Object.hasOwn(valueSymbols, symbol)) return { status: 'symbol', symbol };
  return { status: 'text', text };
}

/** What an indicator cell that cannot be read should hold instead, said for the cell as given. */
export function indicatorCellExpectation(text: string): string {
  const instead = 'x (not available), z (not applicable) or c (suppressed)';
  if (text.trim() === '') return `a value: a number, a symbol or words; a blank is not allowed, use ${instead}`;
  return `a value: ${text.trim()} is how software writes a missing value, which the standard does not allow; use ${instead}`;
}

/** A blank filter cell, as the standard asks it to be shown. */
export const notSpecified = 'Not specified';

// ---------------------------------------------------------------------------------------------
// Metadata file
// ---------------------------------------------------------------------------------------------

export const requiredMetadataColumns = [
  'col_name',
  'col_type',
  'label',
  'indicator_grouping',
  'indicator_unit',
  'indicator_dp',
  'filter_hint',
  'filter_grouping_column',
] as const;

export const optionalMetadataColumns = ['filter_default', 'parent_filter'] as const;

/** Units an indicator may declare; blank means a plain number. */
export const indicatorUnits: readonly string[] = ['', '%', 'pp', '£', '£m', 'numberstring'];
