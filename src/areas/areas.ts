/**
 * Areas of England: the country, its nine regions, the DfE's Inner and Outer London sub-regions and
 * the local authorities with children's services responsibility, current and past.
 *
 * `areas.json` beside this module is the data, maintained by hand (docs/areas.md gives the source of
 * every fact and what could not be verified). This module holds its types, the zod schema it is
 * validated against, the loader and the lookups. Older statistics files use codes that have since
 * been replaced (Northamptonshire, Cumbria, Dorset, ...); the lookups resolve them to the authorities
 * that replaced them and say when one old code maps to more than one current authority.
 *
 * Codes: a GSS code (`E06000001`) is the ONS nine-character code; a DfE number (`805`) is the
 * three-digit local authority number DfE files call `old_la_code` (they call the GSS code
 * `new_la_code`).
 */
import { z } from 'zod';
import { dataFilePath, listProblems, readJsonFile } from '../data-files.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const AREA_KINDS = ['country', 'region', 'sub-region'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

/** Kinds of upper-tier authority, each with the GSS entity prefix its codes carry. */
export const AUTHORITY_TYPES = [
  'county',
  'unitary',
  'metropolitan-district',
  'london-borough',
  'city-of-london',
  'isles-of-scilly',
] as const;
export type AuthorityType = (typeof AUTHORITY_TYPES)[number];

export const GSS_PREFIX: Record<AuthorityType, string> = {
  county: 'E10',
  unitary: 'E06',
  'metropolitan-district': 'E08',
  'london-borough': 'E09',
  'city-of-london': 'E09',
  'isles-of-scilly': 'E06',
};

/**
 * What happened to a predecessor:
 * - `recoded`: same authority and DfE number, new GSS code (usually after a small boundary change);
 * - `became-unitary`: a county council replaced by a unitary council on the same area;
 * - `merged`: the whole area went into one new authority together with other areas;
 * - `split`: the area was divided between several authorities (the code is ambiguous).
 */
export const SUCCESSION_CHANGES = ['recoded', 'became-unitary', 'merged', 'split'] as const;
export type SuccessionChange = (typeof SUCCESSION_CHANGES)[number];

/** The region whose authorities also carry an Inner or Outer London sub-region. */
export const LONDON = 'E12000007';

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const gssCode = z.string().regex(/^E(06|08|09|10)\d{6}$/, 'not the GSS code of an English upper-tier authority (E06, E08, E09 or E10 and six digits)');
const areaCode = z.string().regex(/^E(92|12|13)\d{6}$/, 'not the GSS code of a country (E92), region (E12) or sub-region (E13)');
const dfeNumber = z.string().regex(/^\d{3}$/, 'not a three-digit DfE local authority number');
const isoDate = z.iso.date('not a date in the form YYYY-MM-DD');
const text = z.string().min(1);
const sourceId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'not a source id');
const sourceIds = z.array(sourceId).min(1);

export const sourceSchema = z.strictObject({
  id: sourceId,
  title: text,
  /** A path (relative to the repository root) or a URL. */
  location: text,
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  note: text.optional(),
});

export const areaSchema = z.strictObject({
  code: areaCode,
  name: text,
  kind: z.enum(AREA_KINDS),
  /** The area this one lies in: null for the country. */
  parent: areaCode.nullable(),
  sources: sourceIds,
});

export const localAuthoritySchema = z.strictObject({
  gss: gssCode,
  /** Null only for a few county codes of 2009 whose authorities kept their DfE number under the new code. */
  dfeNumber: dfeNumber.nullable(),
  /** The name DfE and ONS use today (e.g. "Kingston upon Hull, City of"). */
  name: text,
  /** Other exact names found in DfE files (e.g. "Kingston upon Hull City of", "Durham"). */
  aliases: z.array(text).min(1).optional(),
  type: z.enum(AUTHORITY_TYPES),
  /** An E12 region code. */
  region: areaCode,
  /** London authorities only: E13000001 (Inner London) or E13000002 (Outer London), as DfE publishes them. */
  subRegion: areaCode.optional(),
  /** First day the code is in force; null when that was before 2009-04-01. */
  validFrom: isoDate.nullable(),
  /** First day the code is no longer in force; null while it is in force. */
  validTo: isoDate.nullable(),
  sources: sourceIds,
});

export const successionSchema = z.strictObject({
  /** GSS code of the authority that ceased. */
  predecessor: gssCode,
  /** GSS codes of the authorities that took over its area (for Dorset County, the one with most of it first). */
  successors: z.array(gssCode).min(1),
  /** The day the successors came into force (the predecessor's validTo). */
  date: isoDate,
  change: z.enum(SUCCESSION_CHANGES),
  note: text.optional(),
  sources: sourceIds,
});

export const areasSchema = z.strictObject({
  $comment: z.string(),
  schemaVersion: z.literal(1),
  /** Date of the data: the authorities listed as current were in force on this date. */
  version: isoDate,
  sources: z.array(sourceSchema).min(1),
  areas: z.array(areaSchema).min(1),
  localAuthorities: z.array(localAuthoritySchema).min(1),
  successions: z.array(successionSchema),
});

export type Areas = z.infer<typeof areasSchema>;
export type Area = z.infer<typeof areaSchema>;
export type LocalAuthority = z.infer<typeof localAuthoritySchema>;
export type Succession = z.infer<typeof successionSchema>;
export type AreasSource = z.infer<typeof sourceSchema>;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

export class AreasValidationError extends Error {
  override readonly name = 'AreasValidationError';
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}

function describeIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(whole value)';
    return `${where}: field ${path}: ${issue.message}`;
  });
}

function field(raw: unknown, key: string): string | undefined {
  if (typeof raw === 'object' && raw !== null && key in raw) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** `localAuthorities[12] (E06000013 North Lincolnshire)`: where an entry is and what it is. */
function entryLabel(list: string, index: number, raw: unknown): string {
  const code = field(raw, 'gss') ?? field(raw, 'code') ?? field(raw, 'predecessor') ?? field(raw, 'id');
  const name = field(raw, 'name');
  const what = [code, name].filter((part) => part !== undefined).join(' ');
  return what === '' ? `${list}[${index}]` : `${list}[${index}] (${what})`;
}

function laLabel(la: LocalAuthority): string {
  return `local authority ${la.gss} ${la.name}`;
}

function lower(name: string): string {
  return name.trim().toLowerCase();
}

/** Checks that the schema alone cannot express: unique codes, references that resolve, dates that agree. */
function checkConsistency(data: Areas): string[] {
  const problems: string[] = [];

  const sourceIdsKnown = new Set<string>();
  for (const source of data.sources) {
    if (sourceIdsKnown.has(source.id)) problems.push(`source ${source.id}: field id: duplicate id`);
    sourceIdsKnown.add(source.id);
  }
  const checkSources = (label: string, ids: readonly string[]) => {
    for (const id of ids) if (!sourceIdsKnown.has(id)) problems.push(`${label}: field sources: no source ${id}`);
  };

  // Areas: one country, regions in it, sub-regions in a region.
  const areaByCode = new Map<string, Area>();
  for (const area of data.areas) {
    if (areaByCode.has(area.code)) problems.push(`area ${area.code} ${area.name}: field code: duplicate code`);
    areaByCode.set(area.code, area);
    checkSources(`area ${area.code} ${area.name}`, area.sources);
  }
  const expectedPrefix: Record<AreaKind, string> = { country: 'E92', region: 'E12', 'sub-region': 'E13' };
  const expectedParent: Record<AreaKind, AreaKind | null> = { country: null, region: 'country', 'sub-region': 'region' };
  for (const area of data.areas) {
    const label = `area ${area.code} ${area.name}`;
    if (!area.code.startsWith(expectedPrefix[area.kind])) {
      problems.push(`${label}: field code: a ${area.kind} code starts with ${expectedPrefix[area.kind]}`);
    }
    const parentKind = expectedParent[area.kind];
    if (parentKind === null) {
      if (area.parent !== null) problems.push(`${label}: field parent: a country has no parent`);
    } else {
      const parent = area.parent === null ? undefined : areaByCode.get(area.parent);
      if (parent?.kind !== parentKind) problems.push(`${label}: field parent: expected the code of a ${parentKind}, got ${String(area.parent)}`);
    }
  }
  if (data.areas.filter((area) => area.kind === 'country').length !== 1) problems.push('areas: expected exactly one country');

  // Local authorities.
  const byGss = new Map<string, LocalAuthority>();
  const currentByDfe = new Map<string, LocalAuthority>();
  const currentByName = new Map<string, LocalAuthority>();
  for (const la of data.localAuthorities) {
    const label = laLabel(la);
    if (byGss.has(la.gss)) problems.push(`${label}: field gss: duplicate GSS code`);
    byGss.set(la.gss, la);
    checkSources(label, la.sources);
    if (!la.gss.startsWith(GSS_PREFIX[la.type])) {
      problems.push(`${label}: field type: a ${la.type} has a GSS code starting ${GSS_PREFIX[la.type]}`);
    }
    const region = areaByCode.get(la.region);
    if (region?.kind !== 'region') problems.push(`${label}: field region: no region ${la.region}`);
    if (la.region === LONDON) {
      const sub = la.subRegion === undefined ? undefined : areaByCode.get(la.subRegion);
      if (sub?.kind !== 'sub-region' || sub.parent !== LONDON) {
        problems.push(`${label}: field subRegion: a London authority needs Inner or Outer London, got ${String(la.subRegion)}`);
      }
    } else if (la.subRegion !== undefined) {
      problems.push(`${label}: field subRegion: only London authorities have a sub-region`);
    }
    if (la.validFrom !== null && la.validTo !== null && la.validFrom >= la.validTo) {
      problems.push(`${label}: field validTo: ${la.validTo} is not after validFrom ${la.validFrom}`);
    }
    if (la.validTo === null) {
      if (la.dfeNumber === null) {
        problems.push(`${label}: field dfeNumber: a current authority needs its DfE number`);
      } else {
        const other = currentByDfe.get(la.dfeNumber);
        if (other !== undefined) problems.push(`${label}: field dfeNumber: ${la.dfeNumber} is also the number of current ${laLabel(other)}`);
        currentByDfe.set(la.dfeNumber, la);
      }
      for (const name of [la.name, ...(la.aliases ?? [])]) {
        const other = currentByName.get(lower(name));
        if (other !== undefined && other !== la) problems.push(`${label}: field name: "${name}" also names current ${laLabel(other)}`);
        currentByName.set(lower(name), la);
      }
    }
  }
  // A DfE number names at most one authority on any day.
  const byDfe = new Map<string, LocalAuthority[]>();
  for (const la of data.localAuthorities) {
    if (la.dfeNumber !== null) byDfe.set(la.dfeNumber, [...(byDfe.get(la.dfeNumber) ?? []), la]);
  }
  for (const [number, las] of byDfe) {
    for (let i = 0; i < las.length; i++) {
      for (let j = i + 1; j < las.length; j++) {
        const a = las[i]!;
        const b = las[j]!;
        const overlap = (a.validTo === null || b.validFrom === null || b.validFrom < a.validTo) && (b.validTo === null || a.validFrom === null || a.validFrom < b.validTo);
        if (overlap) problems.push(`${laLabel(b)}: field dfeNumber: ${number} is in force at the same time for ${laLabel(a)}`);
      }
    }
  }

  // Successions: every past authority has exactly one, and its dates agree with the entries.
  const successionOf = new Map<string, Succession>();
  for (const succession of data.successions) {
    const label = `succession of ${succession.predecessor}`;
    checkSources(label, succession.sources);
    if (successionOf.has(succession.predecessor)) problems.push(`${label}: field predecessor: more than one succession`);
    successionOf.set(succession.predecessor, succession);
    const predecessor = byGss.get(succession.predecessor);
    if (predecessor === undefined) {
      problems.push(`${label}: field predecessor: no local authority ${succession.predecessor}`);
      continue;
    }
    if (predecessor.validTo !== succession.date) {
      problems.push(`${label}: field date: ${succession.date} is not the predecessor's validTo (${String(predecessor.validTo)})`);
    }
    if (new Set(succession.successors).size !== succession.successors.length) problems.push(`${label}: field successors: listed twice`);
    if ((succession.change === 'split') !== succession.successors.length > 1) {
      problems.push(`${label}: field change: "split" exactly when there is more than one successor`);
    }
    for (const code of succession.successors) {
      const successor = byGss.get(code);
      if (successor === undefined) {
        problems.push(`${label}: field successors: no local authority ${code}`);
        continue;
      }
      if (successor.validFrom !== succession.date) {
        problems.push(`${label}: field successors: ${laLabel(successor)} starts ${String(successor.validFrom)}, not ${succession.date}`);
      }
      if (successor.region !== predecessor.region) {
        problems.push(`${label}: field successors: ${laLabel(successor)} is in region ${successor.region}, not ${predecessor.region}`);
      }
      if (succession.change === 'recoded' && (successor.dfeNumber !== predecessor.dfeNumber || successor.name !== predecessor.name)) {
        problems.push(`${label}: field change: a recoded authority keeps its name and DfE number`);
      }
    }
  }
  for (const la of data.localAuthorities) {
    if (la.validTo !== null && !successionOf.has(la.gss)) problems.push(`${laLabel(la)}: field validTo: a past authority needs a succession`);
    if (la.validTo === null && successionOf.has(la.gss)) problems.push(`${laLabel(la)}: field validTo: an authority with successors needs validTo`);
  }
  return problems;
}

/**
 * Validates parsed JSON as areas data. Throws an AreasValidationError whose message names the
 * offending entry and field.
 */
export function parseAreas(json: unknown, origin = 'areas'): Areas {
  const problems: string[] = [];
  const lists = ['areas', 'localAuthorities', 'successions', 'sources'] as const;
  const shell = areasSchema
    .extend({
      sources: z.array(z.unknown()).min(1),
      areas: z.array(z.unknown()).min(1),
      localAuthorities: z.array(z.unknown()).min(1),
      successions: z.array(z.unknown()),
    })
    .safeParse(json);
  if (!shell.success) {
    problems.push(...describeIssues(origin, shell.error));
  } else {
    const schemas = { areas: areaSchema, localAuthorities: localAuthoritySchema, successions: successionSchema, sources: sourceSchema };
    for (const list of lists) {
      shell.data[list].forEach((raw, index) => {
        const result = schemas[list].safeParse(raw);
        if (!result.success) problems.push(...describeIssues(entryLabel(list, index, raw), result.error));
      });
    }
  }
  if (problems.length === 0) {
    const data = areasSchema.parse(json);
    problems.push(...checkConsistency(data));
    if (problems.length === 0) return data;
  }
  throw new AreasValidationError(listProblems(`Invalid areas data (${origin})`, problems), problems);
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/**
 * Where areas.json is: beside this module when running from src (tsx, vitest), otherwise (the build
 * copies no data files into dist) at src/areas/areas.json under the package root.
 */
export function areasPath(moduleUrl: string | URL = import.meta.url): string {
  return dataFilePath(moduleUrl, 'areas', 'areas.json', 'Areas data');
}

let cached: { path: string; areas: Areas } | undefined;
/** Found once: every page names authorities, and finding the file looks on disk. */
let defaultPath: string | undefined;

/**
 * Reads and validates the areas data (once per path; later calls return the same object). Call it
 * at start-up: it throws an AreasValidationError naming the offending entry if the file is invalid.
 */
export function loadAreas(path: string = (defaultPath ??= areasPath())): Areas {
  if (cached?.path === path) return cached.areas;
  const areas = parseAreas(readJsonFile(path, 'the areas data'), path);
  cached = { path, areas };
  return areas;
}

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

/** What a predecessor's code resolves to. */
export interface PredecessorMatch {
  /** The authority the code belonged to. */
  predecessor: LocalAuthority;
  /** The current authorities that now cover its area (following later changes too), in the data's order. */
  successors: LocalAuthority[];
  /**
   * True when there is more than one successor: a child-level record carrying this code cannot be
   * given a current authority without more information (an address); aggregate figures cannot be split.
   */
  ambiguous: boolean;
  /** The day the predecessor's code ceased (its validTo). */
  changedOn: string;
  /** The successions followed from the predecessor to the current authorities, in date order. */
  changes: Succession[];
}

interface Index {
  byGss: Map<string, LocalAuthority>;
  /** Current authorities first, then past ones, most recently ended first. */
  byDfe: Map<string, LocalAuthority[]>;
  byName: Map<string, LocalAuthority[]>;
  areaByCode: Map<string, Area>;
  successionOf: Map<string, Succession>;
  predecessorsOf: Map<string, LocalAuthority[]>;
}

const indexes = new WeakMap<Areas, Index>();

/** Current first, then by validTo, latest first. */
function byRecency(a: LocalAuthority, b: LocalAuthority): number {
  if (a.validTo === b.validTo) return 0;
  if (a.validTo === null) return -1;
  if (b.validTo === null) return 1;
  return a.validTo < b.validTo ? 1 : -1;
}

function indexOf(areas: Areas): Index {
  let index = indexes.get(areas);
  if (index !== undefined) return index;
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => map.set(key, [...(map.get(key) ?? []), value]);
  index = {
    byGss: new Map(),
    byDfe: new Map(),
    byName: new Map(),
    areaByCode: new Map(areas.areas.map((area) => [area.code, area])),
    successionOf: new Map(areas.successions.map((succession) => [succession.predecessor, succession])),
    predecessorsOf: new Map(),
  };
  for (const la of [...areas.localAuthorities].sort(byRecency)) {
    index.byGss.set(la.gss, la);
    if (la.dfeNumber !== null) push(index.byDfe, la.dfeNumber, la);
    for (const name of new Set([la.name, ...(la.aliases ?? [])].map(lower))) push(index.byName, name, la);
  }
  for (const succession of areas.successions) {
    const predecessor = index.byGss.get(succession.predecessor);
    if (predecessor === undefined) continue;
    for (const code of succession.successors) push(index.predecessorsOf, code, predecessor);
  }
  indexes.set(areas, index);
  return index;
}

/** The authorities a code, number or name could mean, most relevant first. */
function candidates(index: Index, code: string | number): LocalAuthority[] {
  if (typeof code === 'number') {
    return Number.isInteger(code) && code >= 100 && code <= 999 ? (index.byDfe.get(String(code)) ?? []) : [];
  }
  const trimmed = code.trim();
  if (/^[Ee]\d{8}$/.test(trimmed)) {
    const la = index.byGss.get(trimmed.toUpperCase());
    return la === undefined ? [] : [la];
  }
  if (/^\d{3}$/.test(trimmed)) return index.byDfe.get(trimmed) ?? [];
  return index.byName.get(lower(trimmed)) ?? [];
}

function resolvePredecessor(index: Index, predecessor: LocalAuthority): PredecessorMatch {
  const successors: LocalAuthority[] = [];
  const changes: Succession[] = [];
  const follow = (la: LocalAuthority) => {
    if (la.validTo === null) {
      if (!successors.includes(la)) successors.push(la);
      return;
    }
    const succession = index.successionOf.get(la.gss);
    if (succession === undefined) return; // impossible in validated data
    if (!changes.includes(succession)) changes.push(succession);
    for (const code of succession.successors) {
      const next = index.byGss.get(code);
      if (next !== undefined) follow(next);
    }
  };
  follow(predecessor);
  changes.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { predecessor, successors, ambiguous: successors.length > 1, changedOn: predecessor.validTo ?? '', changes };
}

/**
 * The local authority a code names: a GSS code (`E06000001`, any case), a DfE number (`805` or
 * `'805'`) or an exact name (case-insensitive; DfE's older spellings such as "Durham" too).
 *
 * Returns the current authority; or, when the code belonged to an authority that has since been
 * replaced, a PredecessorMatch with the current successors and `ambiguous` set when there are
 * several (Northamptonshire, Cumbria, Dorset County, Bedfordshire, Cheshire). A DfE number that an
 * old and a current authority share (Buckinghamshire 825, North Yorkshire 815, Gateshead 390, ...)
 * means the current one. Undefined when nothing matches.
 */
export function findLocalAuthority(code: string | number, areas: Areas = loadAreas()): LocalAuthority | PredecessorMatch | undefined {
  const index = indexOf(areas);
  const found = candidates(index, code)[0];
  if (found === undefined) return undefined;
  return found.validTo === null ? found : resolvePredecessor(index, found);
}

/** True for the result of findLocalAuthority for a predecessor's code. */
export function isPredecessorMatch(result: LocalAuthority | PredecessorMatch | undefined): result is PredecessorMatch {
  return result !== undefined && 'predecessor' in result;
}

/**
 * The current authorities a code resolves to, whether it is current or a predecessor's: one for a
 * current code, or all successors (with `ambiguous`) for a predecessor's. Undefined when nothing matches.
 */
export function currentAuthoritiesFor(
  code: string | number,
  areas: Areas = loadAreas(),
): { authorities: LocalAuthority[]; ambiguous: boolean; predecessor?: PredecessorMatch } | undefined {
  const result = findLocalAuthority(code, areas);
  if (result === undefined) return undefined;
  if (isPredecessorMatch(result)) return { authorities: result.successors, ambiguous: result.ambiguous, predecessor: result };
  return { authorities: [result], ambiguous: false };
}

/** The authority with this GSS code, current or past, without resolving successors. */
export function localAuthorityByGss(gss: string, areas: Areas = loadAreas()): LocalAuthority | undefined {
  return indexOf(areas).byGss.get(gss.trim().toUpperCase());
}

/** The authorities whose codes this one replaced, directly or through earlier changes, latest first. */
export function predecessorsOf(la: LocalAuthority | string, areas: Areas = loadAreas()): LocalAuthority[] {
  const index = indexOf(areas);
  const start = typeof la === 'string' ? index.byGss.get(la.trim().toUpperCase()) : la;
  if (start === undefined) return [];
  const found: LocalAuthority[] = [];
  const visit = (current: LocalAuthority) => {
    for (const predecessor of index.predecessorsOf.get(current.gss) ?? []) {
      if (found.includes(predecessor)) continue;
      found.push(predecessor);
      visit(predecessor);
    }
  };
  visit(start);
  return found.sort(byRecency);
}

/** The succession that ended this authority's code, if it has ended. */
export function successionOf(la: LocalAuthority | string, areas: Areas = loadAreas()): Succession | undefined {
  return indexOf(areas).successionOf.get(typeof la === 'string' ? la.trim().toUpperCase() : la.gss);
}

/** The country, a region or a sub-region by GSS code or exact name (case-insensitive). */
export function findArea(codeOrName: string, areas: Areas = loadAreas()): Area | undefined {
  const wanted = lower(codeOrName);
  return indexOf(areas).areaByCode.get(codeOrName.trim().toUpperCase()) ?? areas.areas.find((area) => lower(area.name) === wanted);
}

/** The areas of one kind (default: the nine regions), in code order. */
export function allAreas(kind: AreaKind = 'region', areas: Areas = loadAreas()): Area[] {
  return areas.areas.filter((area) => area.kind === kind).sort((a, b) => (a.code < b.code ? -1 : 1));
}

/**
 * The E12 region of an authority (London for London boroughs: see subRegionOf for Inner/Outer).
 * Given a code, number or name, a predecessor's code gives the predecessor's region; undefined when
 * nothing matches.
 */
export function regionOf(la: LocalAuthority, areas?: Areas): Area;
export function regionOf(la: string | number, areas?: Areas): Area | undefined;
export function regionOf(la: LocalAuthority | string | number, areas: Areas = loadAreas()): Area | undefined {
  const authority = resolveAny(la, areas);
  if (authority === undefined) return undefined;
  const region = indexOf(areas).areaByCode.get(authority.region);
  if (region === undefined) throw new Error(`No region ${authority.region} for ${laLabel(authority)}`);
  return region;
}

/** Inner or Outer London (E13) for a London authority; undefined elsewhere or when nothing matches. */
export function subRegionOf(la: LocalAuthority | string | number, areas: Areas = loadAreas()): Area | undefined {
  const authority = resolveAny(la, areas);
  return authority?.subRegion === undefined ? undefined : indexOf(areas).areaByCode.get(authority.subRegion);
}

function resolveAny(la: LocalAuthority | string | number, areas: Areas): LocalAuthority | undefined {
  if (typeof la === 'object') return la;
  const found = findLocalAuthority(la, areas);
  return isPredecessorMatch(found) ? found.predecessor : found;
}

export interface AuthorityListOptions {
  /** Include authorities whose codes have ceased (default false: current only). */
  includePredecessors?: boolean;
}

/** The local authorities, current only unless asked, in GSS code order. */
export function allLocalAuthorities(options: AuthorityListOptions = {}, areas: Areas = loadAreas()): LocalAuthority[] {
  return areas.localAuthorities
    .filter((la) => options.includePredecessors === true || la.validTo === null)
    .sort((a, b) => (a.gss < b.gss ? -1 : 1));
}

/**
 * The local authorities in an area, in GSS code order: a region (E12), Inner or Outer London (E13)
 * or England (E92). Current only unless asked. Throws for a code that is not an area in the data.
 */
export function localAuthoritiesIn(areaCode: string, options: AuthorityListOptions = {}, areas: Areas = loadAreas()): LocalAuthority[] {
  const area = indexOf(areas).areaByCode.get(areaCode.trim().toUpperCase());
  if (area === undefined) throw new Error(`No region, sub-region or country with code ${areaCode}`);
  const inside = (la: LocalAuthority) =>
    area.kind === 'country' || (area.kind === 'region' ? la.region === area.code : la.subRegion === area.code);
  return allLocalAuthorities(options, areas).filter(inside);
}
