/**
 * The hex map's layout: every current authority as one hexagon of equal size, placed roughly where
 * it is (england-authorities.hexjson beside this module, HexJSON with odd rows shifted right). The
 * layout is adapted from Open Innovations' hexmaps (MIT licence); docs/network.md gives the
 * attribution and what was changed.
 */
import { z } from 'zod';
import { dataFilePath, listProblems, readJsonFile } from '../data-files.js';

const hexSchema = z.strictObject({ n: z.string().min(1), q: z.number().int(), r: z.number().int() });
const layoutSchema = z.object({
  layout: z.literal('odd-r'),
  hexes: z.record(z.string().regex(/^E(06|08|09|10)\d{6}$/, 'not the GSS code of an English upper-tier authority'), hexSchema),
});

export interface HexCell {
  code: string;
  name: string;
  /** Centre across, in hexagon widths. */
  x: number;
  /** Centre up (north), in hexagon widths. */
  y: number;
}

/** Rows of pointy-topped hexagons stand this far apart, in hexagon widths (√3 / 2). */
export const rowSpacing = Math.sqrt(3) / 2;

/** The cells of a HexJSON layout; throws naming each problem (a bad entry, two authorities on one hexagon). */
export function parseHexLayout(json: unknown, origin: string): HexCell[] {
  const parsed = layoutSchema.safeParse(json);
  if (!parsed.success) throw new Error(listProblems(`The hex map layout ${origin} is not valid`, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)));
  const taken = new Map<string, string>();
  const problems: string[] = [];
  const cells = Object.entries(parsed.data.hexes).map(([code, hex]) => {
    const place = `${hex.q},${hex.r}`;
    const other = taken.get(place);
    if (other !== undefined) problems.push(`${code} and ${other} are both at q ${hex.q}, r ${hex.r}`);
    taken.set(place, code);
    // Odd rows sit half a hexagon to the right ("odd-r").
    return { code, name: hex.n, x: hex.q + (Math.abs(hex.r) % 2 === 1 ? 0.5 : 0), y: hex.r * rowSpacing };
  });
  if (problems.length > 0) throw new Error(listProblems(`The hex map layout ${origin} is not valid`, problems));
  return cells;
}

let cells: readonly HexCell[] | undefined;

/** England's authorities as hexagons (read and checked once). */
export function englandHexes(): readonly HexCell[] {
  if (cells === undefined) {
    const path = dataFilePath(import.meta.url, 'network', 'england-authorities.hexjson', 'The hex map layout');
    cells = parseHexLayout(readJsonFile(path, 'the hex map layout'), path);
  }
  return cells;
}
