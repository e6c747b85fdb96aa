import { describe, expect, it } from 'vitest';
import { findPersonalData } from './personal-data.js';

/** What was flagged, as kind and text. */
function flagged(text: string): [string, string][] {
  return findPersonalData(text).map((finding) => [finding.kind, finding.text]);
}

describe('the personal-data check on a submission', () => {
  it('personal data check flags planted names, however they are introduced', () => {
    expect(flagged('We worked with Jack Smith and his mum over six weeks.')).toEqual([['name', 'Jack Smith']]);
    expect(flagged('Amira, aged 7, made rapid progress in reading.')).toEqual([['name', 'Amira']]);
    expect(flagged('One boy (Tyler) was excluded twice before the programme.')).toEqual([['name', 'Tyler']]);
    expect(flagged('A girl known as Kai joined in the second term.')).toEqual([['name', 'Kai']]);
  });

  it('personal data check flags dates, and calls one a date of birth where the words say so', () => {
    expect(flagged('Kayden, born 12/03/2015, attends the nursery.').map(([kind]) => kind)).toContain('date of birth');
    expect(flagged('DOB: 3 March 2015.')).toEqual([['date of birth', '3 March 2015']]);
    expect(flagged('The review on 2024-09-01 found gains.')).toEqual([['date', '2024-09-01']]);
    expect(flagged('Sessions ran from March to July 2024.')).toEqual([]);
  });

  it('personal data check flags identifiers and contact details', () => {
    expect(flagged('UPN A123456789012 was matched.')).toEqual([['identifier', 'A123456789012']]);
    expect(flagged('NHS number 943 476 5919 on the referral.')).toEqual([['identifier', '943 476 5919']]);
    expect(flagged('NI number QQ 12 34 56 C.')).toEqual([['identifier', 'QQ 12 34 56 C']]);
    expect(flagged('Write to parent@example.org or ring 07700 900123; the family live at LS1 4AP.')).toEqual([
      ['contact', 'parent@example.org'],
      ['contact', '07700 900123'],
      ['contact', 'LS1 4AP'],
    ]);
  });

  it('personal data check leaves practice text without personal data alone: places, professionals, figures', () => {
    expect(flagged('Children in Bradford and Leeds took part; Early Help in Yorkshire and The Humber coordinated.')).toEqual([]);
    expect(flagged('The head teacher, Mrs Patel, led the project with Dr Okafor from the university.')).toEqual([]);
    expect(flagged('Evaluation found an effect size of 0.32 (95% CI 0.10 to 0.54) across 1,240 pupils in 2023/24, costing £85 per child.')).toEqual([]);
  });

  it('personal data check says where each finding is, so a moderator can see it in place', () => {
    const text = 'Notes: Jack Smith, DOB 01/02/2016.';
    for (const finding of findPersonalData(text)) expect(text.slice(finding.start, finding.start + finding.text.length)).toBe(finding.text);
    expect(findPersonalData(text).map((finding) => finding.reason)).toEqual(["a person's name", 'a date of birth']);
  });
});
