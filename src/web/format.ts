/**
 * How the service writes numbers, dates and its few symbols wherever a person reads them: one
 * place, so every page says "1,474", "42.1%", "−16.7" and "3 December 2026" the same way
 * (GOV.UK style: thousands separators, a real minus sign, the day, the month in words, the year).
 * Registered as Nunjucks filters and globals in views.ts; CSV and JSON keep plain numbers.
 */

const timeZone = 'Europe/London';

/** An empty figure: a value that is not there, as tables show it. */
export const noFigure = '–';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// One formatter per number of decimals, made on first use: `toLocaleString` with options builds a new one every call.
const numberFormats = new Map<number, Intl.NumberFormat>();

function numberFormat(decimals: number): Intl.NumberFormat {
  let format = numberFormats.get(decimals);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, format);
  }
  return format;
}

/** A count or measure with thousands separators and a fixed number of decimals: 1,474; 52.0. */
export function formatNumber(value: unknown, decimals = 0): string {
  if (!isNumber(value)) return noFigure;
  // Most figures on a page are small counts: written as they are without Intl's cost (no separator below 1,000).
  if (decimals === 0 && Number.isInteger(value) && value >= 0 && value < 1000) return String(value);
  return numberFormat(decimals).format(value).replace(/^-/, '−');
}

/** A percentage already on the 0 to 100 scale, to one decimal by default: 42.1%. */
export function formatPercent(value: unknown, decimals = 1): string {
  return isNumber(value) ? `${formatNumber(value, decimals)}%` : noFigure;
}

/** A difference with its sign always shown, a true minus sign, one decimal by default: +3.2, −16.7, 0.0. */
export function formatSigned(value: unknown, decimals = 1): string {
  if (!isNumber(value)) return noFigure;
  const rounded = Number(value.toFixed(decimals));
  const text = formatNumber(Math.abs(rounded), decimals);
  return rounded > 0 ? `+${text}` : rounded < 0 ? `−${text}` : text;
}

function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' && value.trim() !== '') {
    // A calendar date alone ("2027-03-31") is that day wherever the reader is.
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

// Made once: building a formatter costs far more than using one, and long tables format hundreds of dates.
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone });
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone });

/** A date as GOV.UK writes it: 3 December 2026. */
export function formatDate(value: unknown): string {
  const date = asDate(value);
  return date === undefined ? noFigure : dateFormat.format(date);
}

/** A moment: the date as GOV.UK writes it, then the time in the UK on the 12-hour clock: 3 December 2026, 10:22am. */
export function formatDateTime(value: unknown): string {
  const date = asDate(value);
  if (date === undefined) return noFigure;
  const parts = timeFormat.formatToParts(date);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  const hour = part('hour') === '0' ? '12' : part('hour');
  return `${formatDate(date)}, ${hour}:${part('minute')}${part('dayPeriod').toLowerCase().replace(/\s/g, '')}`;
}

/**
 * The service's symbols, one meaning each. Whether a gap is significant, and which way, has its
 * own markers; the direction of travel of the gap over the years has arrows, always with words.
 */
export const symbols = {
  /** The group does significantly worse than its comparator. */
  worse: '◆',
  /** The group does significantly better than its comparator. */
  better: '◇',
  /** No significant gap. */
  similar: '≈',
  /** The gap is widening over the years. */
  widening: '↑',
  /** The gap is narrowing over the years. */
  narrowing: '↓',
  /** No significant change in the gap over the years. */
  steady: '→',
} as const;

/** The arrow for a gap's direction of travel, or nothing when there are too few years to tell. */
export function trendSymbol(trend: unknown): string {
  if (trend === 'widening') return symbols.widening;
  if (trend === 'narrowing') return symbols.narrowing;
  if (trend === 'no-significant-change') return symbols.steady;
  return '';
}

/** The marker for a gap's reading (worse, better, similar), or nothing when it is unknown. */
export function readingSymbol(reading: unknown): string {
  return reading === 'worse' || reading === 'better' || reading === 'similar' ? symbols[reading] : '';
}

/** First words that stay capitalised inside a sentence: proper nouns, names of measures, and the like. */
const keepsItsCapital = /^(English|England|Year|Reception|Attainment|GCSEs?|White|Black|Asian|Mixed|Chinese|Gypsy|Roma|Irish|Traveller|British|Leeds|[A-Z]{2,}\w*)\b/;

/**
 * A label as it reads inside a sentence: its first letter lowered unless the first word is a proper
 * noun or an abbreviation ("Children in care" → "children in care", "English as…" stays), and
 * nothing else touched, so "English", "England" and "GCSEs" later in the label keep their capitals.
 */
export function inSentence(label: unknown): string {
  const text = typeof label === 'string' ? label : typeof label === 'number' ? String(label) : '';
  if (text === '' || keepsItsCapital.test(text)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A code made of words ("regional-adviser", "not_started") as the words themselves, first one capitalised: "Regional adviser". */
export function wordsOf(code: unknown): string {
  const text = (typeof code === 'string' ? code : '').replace(/[-_]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Made once: building a formatter costs far more than using one.
const isoDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });

/** ISO date of a moment, in UK time: what "today" means to the people the dates are for. */
export function isoDateIn(moment: Date): string {
  return isoDateFormat.format(moment);
}
