import { describe, expect, it } from 'vitest';
import { MappingError, parseMapping } from './mapping.js';

const header = 'column,kind,label,type,min,max,polarity,outcome';

describe('mapping files', () => {
  it('declares local groups and measures', () => {
    expect(parseMapping(`${header}\nTraveller_Family,group,GRT families,,,,,\nreading_gap,measure,Reading age gap,continuous,-60,60,higher-is-better,enjoy-and-achieve\n`)).toEqual([
      { name: 'traveller_family', kind: 'group', label: 'GRT families' },
      { name: 'reading_gap', kind: 'measure', label: 'Reading age gap', type: 'continuous', min: -60, max: 60, polarity: 'higher-is-better', outcome: 'enjoy-and-achieve' },
    ]);
  });

  it('names every problem by row and field', () => {
    const text = `${header}\nfsm,group,Clash,,,,,\nbad name,group,x,,,,,\nscore,measure,Score,ratio,10,1,up,happy\nok,group,,,,,,\n`;
    let error: unknown;
    try {
      parseMapping(text, 'map.csv');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).problems).toEqual([
      'row 2, column: "fsm" is already part of the standard',
      'row 3, column: "bad name" should be a column name of letters, digits and underscores',
      'row 4, type: "ratio" should be binary, continuous, count',
      'row 4, polarity: "up" should be higher-is-better or lower-is-better',
      'row 4, outcome: "happy" should be one of be-healthy, stay-safe, enjoy-and-achieve, make-a-positive-contribution, achieve-economic-well-being',
      'row 4, min/max: a ratio measure needs a valid range (min no greater than max)',
      'row 5, label: give the column a label for pages and reports',
    ]);
  });

  it('refuses an empty file, a wrong header and bytes that are not UTF-8', () => {
    expect(() => parseMapping('')).toThrow(/is empty/);
    expect(() => parseMapping('name,type\nx,group\n')).toThrow(/the header lacks column, kind, label/);
    expect(() => parseMapping(Buffer.from([0x63, 0xff, 0x0a]))).toThrow(/not UTF-8/);
  });
});
