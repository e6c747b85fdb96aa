/** How a service record reads to people: its cost, opening times, phone and address in words. */
import { arrayOf, isObject, numberOf, textOf } from './service-record.js';
import type { OrukService } from './service-record.js';

const dayNames: Record<string, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const time = (value: unknown) => (typeof value === 'string' && /^\d{2}:\d{2}/.test(value) ? value.slice(0, 5) : null);

/** "Free", or the cost options as given ("£3 per session"). */
export function costText(record: OrukService): string {
  const options = arrayOf(record.cost_options).filter(isObject);
  const priced = options.filter((option) => (numberOf(option.amount) ?? 0) > 0 || textOf(option.option) !== null);
  const fees = textOf(record.fees_description);
  if (priced.length === 0) return fees ?? 'Free';
  return priced
    .map((option) => {
      const amount = numberOf(option.amount);
      const label = textOf(option.option);
      const money = amount === null || amount === 0 ? null : `£${Number.isInteger(amount) ? amount : amount.toFixed(2)}${textOf(option.amount_description) === null ? '' : ` ${textOf(option.amount_description)}`}`;
      return label ?? money ?? '';
    })
    .join('; ');
}

/** When it is open: each schedule's description, or its days and hours. */
export function openingText(record: OrukService): string {
  return arrayOf(record.schedules)
    .filter(isObject)
    .map((schedule) => {
      const description = textOf(schedule.description);
      if (description !== null) return description;
      const days = (textOf(schedule.byday) ?? '')
        .split(',')
        .map((day) => dayNames[day.trim().toUpperCase()])
        .filter((day): day is string => day !== undefined);
      const opens = time(schedule.opens_at);
      const closes = time(schedule.closes_at);
      return [days.join(', '), opens !== null && closes !== null ? `${opens} to ${closes}` : null].filter((part) => part !== null && part !== '').join(', ');
    })
    .filter((text) => text !== '')
    .join('; ');
}

export function phoneText(record: OrukService): string {
  return arrayOf(record.phones)
    .filter(isObject)
    .map((phone) => textOf(phone.number))
    .filter((number): number is string => number !== null)
    .join(', ');
}
