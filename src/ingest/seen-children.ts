/**
 * Which children a file has already given, for each academic year, in a few bytes each: the first
 * 96 bits of each pseudonym (mixed with the year) in an open-addressing table of typed arrays, with
 * the row where the child first appeared. A million children take about 32 MB, where a Map of
 * strings takes ten times that. Two different children share 96 bits with a chance of about 1 in
 * 10^17 in a file of a million rows.
 */
export class SeenChildren {
  private capacity = 1 << 16;
  private size = 0;
  private first = new Uint32Array(this.capacity);
  private second = new Uint32Array(this.capacity);
  private third = new Uint32Array(this.capacity);
  private rows = new Uint32Array(this.capacity);

  /** The row where this child was first seen in this year, or undefined after recording it at `row` (from 1). */
  firstRow(pseudonym: string, academicYear: number, row: number): number | undefined {
    const a = Number.parseInt(pseudonym.slice(0, 8), 16) >>> 0;
    const b = Number.parseInt(pseudonym.slice(8, 16), 16) >>> 0;
    const c = (Number.parseInt(pseudonym.slice(16, 24), 16) ^ Math.imul(academicYear, 0x9e3779b1)) >>> 0;
    const slot = this.find(a, b, c);
    if (this.rows[slot] !== 0) return this.rows[slot];
    this.first[slot] = a;
    this.second[slot] = b;
    this.third[slot] = c;
    this.rows[slot] = row;
    this.size += 1;
    if (this.size * 2 > this.capacity) this.grow();
    return undefined;
  }

  private find(a: number, b: number, c: number): number {
    const mask = this.capacity - 1;
    let slot = (a ^ (c >>> 7)) & mask;
    while (this.rows[slot] !== 0 && (this.first[slot] !== a || this.second[slot] !== b || this.third[slot] !== c)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const [first, second, third, rows] = [this.first, this.second, this.third, this.rows];
    this.capacity *= 2;
    this.first = new Uint32Array(this.capacity);
    this.second = new Uint32Array(this.capacity);
    this.third = new Uint32Array(this.capacity);
    this.rows = new Uint32Array(this.capacity);
    for (let old = 0; old < rows.length; old++) {
      if (rows[old] === 0) continue;
      const slot = this.find(first[old]!, second[old]!, third[old]!);
      this.first[slot] = first[old]!;
      this.second[slot] = second[old]!;
      this.third[slot] = third[old]!;
      this.rows[slot] = rows[old]!;
    }
  }
}
