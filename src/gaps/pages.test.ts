import { describe, expect, it } from 'vitest';
import type { GapCell } from './matrix.js';
import { sortRows } from './pages.js';

function row(label: string, cells: { reading: string; trend: GapCell['trend'] }[]) {
  return { label, cells: new Map(cells.map((cell, index) => [`indicator-${index}`, cell as GapCell & { reading: string }])) };
}

describe('the order of the gap matrix’s groups', () => {
  const rows = [
    row('first', [{ reading: 'similar', trend: 'widening' }]),
    row('second', [{ reading: 'worse', trend: 'narrowing' }, { reading: 'worse', trend: 'widening' }]),
    row('third', [{ reading: 'worse', trend: 'widening' }, { reading: 'better', trend: 'widening' }]),
  ];

  it('keeps the framework’s order, or puts most worse or most widening gaps first, ties in the framework’s order', () => {
    expect(sortRows(rows, 'catalogue').map((entry) => entry.label)).toEqual(['first', 'second', 'third']);
    expect(sortRows(rows, 'worse').map((entry) => entry.label)).toEqual(['second', 'third', 'first']);
    expect(sortRows(rows, 'widening').map((entry) => entry.label)).toEqual(['third', 'first', 'second']);
  });
});
