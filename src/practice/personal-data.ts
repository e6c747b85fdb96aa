/**
 * The check a submission's text passes before a person reads it: does it look as if it holds
 * personal data about a child? Practice is published for anyone to read, so a name, a date of birth,
 * an identifier or contact details in a summary must be caught before, not after. The check flags;
 * the moderator decides. It leans towards flagging, since a missed name is worse than a second look.
 *
 * - Names: people's names as an English-language parser finds them (compromise), and any capitalised
 *   word introduced as a name ("a boy called Tyler", "known as Kai") or followed by an age ("Amira,
 *   aged 7"). Names after a title (Mrs Patel, Dr Okafor) are professionals and are not flagged; place
 *   names of English authorities and regions are not names.
 * - Dates: any full date (day, month and year), called a date of birth where the words around it say
 *   so ("born", "DOB", "date of birth").
 * - Identifiers: a Unique Pupil Number (a letter and 12 digits), a 10-digit number (an NHS number or
 *   Unique Learner Number), a National Insurance number.
 * - Contact details: an email address, a UK telephone number, a full postcode.
 */
import nlp from 'compromise';
import { allAreas, allLocalAuthorities } from '../areas/areas.js';

export type PersonalDataKind = 'name' | 'date of birth' | 'date' | 'identifier' | 'contact';

export interface PersonalDataFinding {
  kind: PersonalDataKind;
  /** The words found, as written. */
  text: string;
  /** Where they start in the text (a UTF-16 index), so a page can mark them. */
  start: number;
  /** Why they were flagged, in words a moderator reads. */
  reason: string;
}

const months = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

const patterns: { kind: PersonalDataKind; pattern: RegExp; reason: string }[] = [
  { kind: 'contact', pattern: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, reason: 'an email address' },
  { kind: 'contact', pattern: /(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b/g, reason: 'a telephone number' },
  { kind: 'contact', pattern: /\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b/g, reason: 'a full postcode' },
  { kind: 'identifier', pattern: /\b[A-HJ-NP-TV-Z]\d{12}\b/g, reason: 'looks like a Unique Pupil Number (a letter and 12 digits)' },
  { kind: 'identifier', pattern: /(?<![\d.,])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d.,]\d)/g, reason: 'a 10-digit number: could be an NHS number or Unique Learner Number' },
  { kind: 'identifier', pattern: /\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b/g, reason: 'looks like a National Insurance number' },
  { kind: 'date', pattern: /\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b/g, reason: 'a full date' },
  { kind: 'date', pattern: /\b\d{4}-\d{2}-\d{2}\b/g, reason: 'a full date' },
  { kind: 'date', pattern: new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${months})\\.?,?\\s+\\d{4}\\b`, 'gi'), reason: 'a full date' },
  { kind: 'date', pattern: new RegExp(`\\b(?:${months})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi'), reason: 'a full date' },
];

/** Words that introduce a child's name, or follow it with an age. */
const introducedName = /\b(?:called|named|name is|known as|nicknamed)\s+([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)/g;
const nameWithAge = /\b([A-Z][a-z'’-]+)(?:,|\s)\s*\(?(?:aged|age|who is|now)\s+\d{1,2}\b/g;
const namedInBrackets = /\b(?:boy|girl|child|pupil|student|son|daughter|brother|sister|baby|toddler|teenager|young person)\s+\(([A-Z][a-z'’-]+)\)/g;

const birthWords = /\b(?:born|d\.?o\.?b\.?|date of birth|birthday|birth date)\b/i;
const titles = /^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|cllr|councillor|rev|revd)\.?\s/i;

let placeNames: Set<string> | undefined;

/** Names of English authorities and regions, and the words in them, lower-cased: not people. */
function places(): Set<string> {
  if (placeNames === undefined) {
    placeNames = new Set<string>();
    for (const name of [...allLocalAuthorities().map((la) => la.name), ...allAreas('region').map((area) => area.name), 'England', 'London']) {
      placeNames.add(name.toLowerCase());
      for (const word of name.split(/[\s,-]+/)) if (word.length > 2) placeNames.add(word.toLowerCase());
    }
  }
  return placeNames;
}

/** A person's name as compromise finds it, without the punctuation it sometimes keeps. */
function cleanName(text: string): string {
  return text.replace(/^[("'‘“]+|[)"'’”.,;:!?]+$/g, '').replace(/['’]s$/, '');
}

/** Everything in `text` that looks like personal data, in the order it appears (each place once). */
export function findPersonalData(text: string): PersonalDataFinding[] {
  const findings: PersonalDataFinding[] = [];
  const add = (kind: PersonalDataKind, found: string, start: number, reason: string) => {
    if (findings.some((finding) => start < finding.start + finding.text.length && finding.start < start + found.length)) return;
    findings.push({ kind, text: found, start, reason });
  };
  for (const { kind, pattern, reason } of patterns) {
    for (const match of text.matchAll(pattern)) {
      const before = text.slice(Math.max(0, match.index - 30), match.index);
      if (kind === 'date' && birthWords.test(before)) add('date of birth', match[0], match.index, 'a date of birth');
      else add(kind, match[0], match.index, kind === 'date' ? `${reason}: could be a date of birth` : reason);
    }
  }
  for (const [pattern, reason] of [
    [introducedName, 'introduced as a name'],
    [nameWithAge, 'a name given with an age'],
    [namedInBrackets, 'a child named in brackets'],
  ] as const) {
    for (const match of text.matchAll(pattern)) {
      const name = match[1]!;
      if (!places().has(name.toLowerCase())) add('name', name, match.index + match[0].indexOf(name), reason);
    }
  }
  const document = nlp(text);
  for (const person of document.people().json({ offset: true }) as { text: string; offset: { start: number } }[]) {
    if (titles.test(person.text)) continue;
    const name = cleanName(person.text);
    if (name === '' || places().has(name.toLowerCase())) continue;
    const start = text.indexOf(name, person.offset.start);
    add('name', name, start < 0 ? person.offset.start : start, "a person's name");
  }
  return findings.sort((a, b) => a.start - b.start);
}
