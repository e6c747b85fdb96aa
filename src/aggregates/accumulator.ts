import type { BulkColumn, BulkValue } from '../db/bulk.js';
import { indicators } from './indicators.js';
import { dimensions, valueIn } from './signature.js';

const groupDimensions = dimensions.filter((entry) => entry.kind === 'group');
/**
 * Per child: the count, then for each indicator n, sum and sum of squares. A load fills the
 * standard's measures; the derived indicators stay zero here and are worked out after (derived.ts).
 */
const width = 1 + indicators.length * 3;
/** Per setting: 'all' (one slot) and each group in, out or unknown (three slots each). */
const settingSlots = 1 + groupDimensions.length * 3;

export const aggregateMeasureColumns: BulkColumn[] = indicators.flatMap((measure) => [
  { name: `${measure.name}_n`, type: 'integer' },
  { name: `${measure.name}_sum`, type: 'float8' },
  { name: `${measure.name}_sumsq`, type: 'float8' },
]);

export const jointColumns: BulkColumn[] = [
  { name: 'la_code', type: 'text' },
  { name: 'academic_year', type: 'smallint' },
  { name: 'signature', type: 'bigint' },
  { name: 'children', type: 'integer' },
  ...aggregateMeasureColumns,
];

export const settingColumns: BulkColumn[] = [
  { name: 'la_code', type: 'text' },
  { name: 'academic_year', type: 'smallint' },
  { name: 'setting_urn', type: 'integer' },
  { name: 'dimension', type: 'text' },
  { name: 'membership', type: 'smallint' },
  { name: 'children', type: 'integer' },
  ...aggregateMeasureColumns,
];

/** The measures a child has a value for, as positions; most children have one or two. */
const present: number[] = [];

function addTo(cells: Float64Array, offset: number, values: readonly (number | null)[], count: number): void {
  cells[offset]! += 1;
  for (let slot = 0; slot < count; slot++) {
    const index = present[slot]!;
    const value = values[index]!;
    const at = offset + 1 + index * 3;
    cells[at]! += 1;
    cells[at + 1]! += value;
    cells[at + 2]! += value * value;
  }
}

function figures(cells: Float64Array, offset: number): number[] {
  return Array.from(cells.subarray(offset, offset + width));
}

/**
 * The aggregates of one load, built while its rows stream past (the same figures the SQL rebuild in
 * rebuild.ts makes from stored rows; a test holds the two equal). Memory grows with the number of
 * distinct signatures and settings, not with the number of children.
 */
export class AggregateAccumulator {
  private readonly joint = new Map<number, Map<number, Float64Array>>();
  private readonly settings = new Map<number, Map<number, Float64Array>>();

  add(academicYear: number, settingUrn: number | null, signature: number, measureValues: readonly (number | null)[]): void {
    let count = 0;
    for (let index = 0; index < measureValues.length; index++) if (measureValues[index] !== null && measureValues[index] !== undefined) present[count++] = index;
    let year = this.joint.get(academicYear);
    if (year === undefined) this.joint.set(academicYear, (year = new Map<number, Float64Array>()));
    let cells = year.get(signature);
    if (cells === undefined) year.set(signature, (cells = new Float64Array(width)));
    addTo(cells, 0, measureValues, count);

    let bySetting = this.settings.get(academicYear);
    if (bySetting === undefined) this.settings.set(academicYear, (bySetting = new Map<number, Float64Array>()));
    const urn = settingUrn ?? -1;
    let block = bySetting.get(urn);
    if (block === undefined) bySetting.set(urn, (block = new Float64Array(settingSlots * width)));
    addTo(block, 0, measureValues, count);
    for (let index = 0; index < groupDimensions.length; index++) {
      const membership = valueIn(signature, groupDimensions[index]!);
      addTo(block, (1 + index * 3 + membership) * width, measureValues, count);
    }
  }

  jointRows(laCode: string): BulkValue[][] {
    const rows: BulkValue[][] = [];
    for (const [year, bySignature] of this.joint) {
      for (const [signature, cells] of bySignature) rows.push([laCode, year, signature, ...figures(cells, 0)]);
    }
    return rows;
  }

  settingRows(laCode: string): BulkValue[][] {
    const rows: BulkValue[][] = [];
    for (const [year, bySetting] of this.settings) {
      for (const [urn, block] of bySetting) {
        rows.push([laCode, year, urn, 'all', 1, ...figures(block, 0)]);
        groupDimensions.forEach((group, index) => {
          for (let membership = 0; membership < 3; membership++) {
            const offset = (1 + index * 3 + membership) * width;
            if (block[offset]! > 0) rows.push([laCode, year, urn, group.id, membership, ...figures(block, offset)]);
          }
        });
      }
    }
    return rows;
  }
}
