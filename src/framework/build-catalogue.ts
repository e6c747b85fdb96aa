/**
 * Derives the framework catalogue from the seed pack text and the reviewed corrections.
 *
 * Pure and deterministic: the same seed text and corrections always give the same catalogue,
 * byte for byte. Used by scripts/build-framework-catalogue.ts and by the tests.
 *
 * Repairs applied without a correction (each recorded in the item's `source.fragments`):
 * - a statement whose last piece does not end a sentence, followed across a page break (the next
 *   table block, or the next line after a blank line) by a piece starting with a lower-case letter,
 *   is one statement: the pieces are joined with a space;
 * - HTML tags, markdown emphasis (`*`, `**`), list markers and heading marks are removed and
 *   whitespace is collapsed; quotes and dashes are kept as they are.
 * Anything less clear-cut (a break where the next piece starts with a capital, a line outside the
 * tables, a paragraph out of place) stops the build until catalogue-corrections.json decides it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  LAYER_CODES,
  LAYER_IDS,
  TIER_CODES,
  TIER_IDS,
  parseCatalogue,
  type Catalogue,
  type CatalogueItem,
  type ChildField,
  type GroupDefinition,
  type LayerId,
  type OutcomeId,
  type TierId,
} from './catalogue.js';

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

export interface SeedFile {
  name: string;
  text: string;
}

const lineRef = {
  id: z.string().regex(/^C\d{2}$/),
  file: z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/),
  /** 1-based line number in the seed file. */
  line: z.number().int().positive(),
  /** The start of the line's cleaned text, to catch a changed seed. */
  startsWith: z.string().min(1),
  reason: z.string().min(20),
};

const correctionSchema = z.discriminatedUnion('type', [
  /** Decides whether a cell's statement continues in the same column of the next table block. */
  z.strictObject({
    id: lineRef.id,
    type: z.literal('matrix-boundary'),
    template: z.number().int().min(1).max(5),
    layer: z.enum(LAYER_IDS),
    tier: z.enum(TIER_IDS),
    previousEndsWith: z.string().min(1),
    nextStartsWith: z.string().min(1),
    decision: z.enum(['join', 'separate']),
    reason: lineRef.reason,
  }),
  /** A line the conversion left outside the matrix table it belongs to. */
  z.strictObject({
    ...lineRef,
    type: z.literal('stray-line'),
    template: z.number().int().min(1).max(5),
    layer: z.enum(LAYER_IDS),
    tier: z.enum(TIER_IDS),
    decision: z.enum(['join', 'new-statement']),
  }),
  /** A line the conversion moved away from the general condition it ends. */
  z.strictObject({
    ...lineRef,
    type: z.literal('relocate-line'),
    template: z.number().int().min(1).max(5),
    condition: z.number().int().positive(),
  }),
  /** A template three bullet that lost its sub-bullet indentation at a page break. */
  z.strictObject({ ...lineRef, type: z.literal('demote-to-subpoint') }),
  /** A reference line, after a blank line, that ends the reference before it. */
  z.strictObject({ ...lineRef, type: z.literal('reference-continuation') }),
]);

export const correctionsSchema = z.strictObject({
  $comment: z.string(),
  /** Date part of the catalogue version: bump it when a reviewed change is released. */
  releaseDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  corrections: z.array(correctionSchema),
});

export type Correction = z.infer<typeof correctionSchema>;
export type Corrections = z.infer<typeof correctionsSchema>;

/** The seed text files (`NNN_<hash>.txt`) of a seed pack folder, in name order. */
export function readSeedPack(folder: string): SeedFile[] {
  const names = readdirSync(folder)
    .filter((name) => /^\d{3}_[0-9a-f]{16}\.txt$/.test(name))
    .sort();
  return names.map((name) => ({ name, text: readFileSync(join(folder, name), 'utf8') }));
}

export function parseCorrections(json: unknown): Corrections {
  const result = correctionsSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`Invalid catalogue-corrections.json:\n  ${issues}`);
  }
  const ids = new Set<string>();
  for (const correction of result.data.corrections) {
    if (ids.has(correction.id)) throw new Error(`catalogue-corrections.json: duplicate id ${correction.id}`);
    ids.add(correction.id);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Removes HTML tags and entities, markdown emphasis, and collapses whitespace. Keeps quotes. */
export function cleanText(raw: string): string {
  return raw
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\*+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Ends a sentence: a full stop, question or exclamation mark, perhaps inside a quote or bracket. */
export function endsSentence(text: string): boolean {
  return /[.!?]['"’”)]*$/.test(text);
}

function startsLowercase(text: string): boolean {
  return /^[a-z]/.test(text);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dropListFullStop(text: string): string {
  return text.replace(/\.$/, '');
}

// ---------------------------------------------------------------------------------------------
// Drafts: an item's text as the seed pieces it is made of
// ---------------------------------------------------------------------------------------------

interface Piece {
  text: string;
  line: number;
}

class Draft {
  /** Paragraphs, each a list of pieces joined by page-break repairs. */
  readonly paragraphs: Piece[][];
  readonly corrections: string[] = [];

  constructor(first: Piece) {
    this.paragraphs = [[first]];
  }

  private get lastParagraph(): Piece[] {
    const last = this.paragraphs[this.paragraphs.length - 1];
    if (last === undefined) throw new Error('empty draft');
    return last;
  }

  /** Continues the current sentence (a page-break repair). */
  join(piece: Piece, correction?: string): void {
    this.lastParagraph.push(piece);
    if (correction !== undefined) this.corrections.push(correction);
  }

  /** Starts a new paragraph within the same item. */
  paragraph(piece: Piece): void {
    this.paragraphs.push([piece]);
  }

  get lastPiece(): Piece {
    const piece = this.lastParagraph[this.lastParagraph.length - 1];
    if (piece === undefined) throw new Error('empty draft');
    return piece;
  }

  get text(): string {
    return this.paragraphs.map((pieces) => pieces.map((p) => p.text).join(' ')).join('\n\n');
  }

  source(file: string, section: string): CatalogueItem['source'] {
    const pieces = this.paragraphs.flat();
    return {
      file,
      section,
      lines: [...new Set(pieces.map((p) => p.line))],
      ...(pieces.length > 1 ? { fragments: pieces.map((p) => p.text) } : {}),
      ...(this.corrections.length > 0 ? { corrections: [...this.corrections] } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Corrections bookkeeping
// ---------------------------------------------------------------------------------------------

class CorrectionBook {
  private readonly used = new Set<string>();

  constructor(private readonly all: readonly Correction[]) {}

  /** The line correction of this type for this seed line, checking the line still says the same. */
  forLine<T extends Correction['type']>(type: T, file: string, line: Line): Extract<Correction, { type: T }> | undefined {
    const found = this.all.find(
      (c): c is Extract<Correction, { type: T }> => c.type === type && 'line' in c && c.file === file && c.line === line.n,
    );
    if (found === undefined) return undefined;
    if (!('startsWith' in found) || !cleanText(stripMarker(line.raw)).startsWith(found.startsWith)) {
      throw new Error(`Correction ${found.id}: ${file} line ${line.n} no longer starts with the text the correction expects`);
    }
    this.used.add(found.id);
    return found;
  }

  boundary(template: number, layer: LayerId, tier: TierId, previous: string, next: string) {
    const found = this.all.find(
      (c): c is Extract<Correction, { type: 'matrix-boundary' }> =>
        c.type === 'matrix-boundary' &&
        c.template === template &&
        c.layer === layer &&
        c.tier === tier &&
        previous.endsWith(c.previousEndsWith) &&
        next.startsWith(c.nextStartsWith),
    );
    if (found !== undefined) this.used.add(found.id);
    return found;
  }

  assertAllUsed(): void {
    const unused = this.all.filter((c) => !this.used.has(c.id)).map((c) => c.id);
    if (unused.length > 0) throw new Error(`Corrections that matched nothing in the seed: ${unused.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lines and blocks
// ---------------------------------------------------------------------------------------------

interface Line {
  /** 1-based line number. */
  n: number;
  raw: string;
}

function linesOf(text: string): Line[] {
  return text.split(/\r?\n/).map((raw, i) => ({ n: i + 1, raw }));
}

type Marker = 'none' | 'bullet' | 'subbullet';

function markerOf(raw: string): Marker {
  if (/^ +- /.test(raw)) return 'subbullet';
  if (/^- /.test(raw)) return 'bullet';
  return 'none';
}

function stripMarker(raw: string): string {
  return raw.replace(/^ *- /, '').replace(/^#+\s*/, '');
}

interface Block {
  line: Line;
  marker: Marker;
  /** Cleaned text without list marker or heading marks. */
  text: string;
}

function blocksOf(lines: readonly Line[]): Block[] {
  return lines
    .filter((line) => line.raw.trim() !== '')
    .map((line) => ({ line, marker: markerOf(line.raw), text: cleanText(stripMarker(line.raw)) }));
}

function piece(block: Block, text = block.text): Piece {
  return { text, line: block.line.n };
}

/** True when `block` continues `draft` across a page break: an unfinished sentence, then lower case. */
function continues(draft: Draft, block: Block): boolean {
  const previous = draft.lastPiece.text;
  return (
    block.marker === 'none' &&
    !endsSentence(previous) &&
    !previous.endsWith(':') && // a lead-in: what follows is its list or the next heading
    LAYER_LABELS[block.text] === undefined &&
    startsLowercase(block.text)
  );
}

function indexWhere(blocks: readonly Block[], predicate: (b: Block) => boolean, from = 0, what = 'block'): number {
  const index = blocks.findIndex((b, i) => i >= from && predicate(b));
  if (index < 0) throw new Error(`Seed structure changed: cannot find ${what}`);
  return index;
}

function at<T>(array: readonly T[], index: number): T {
  const value = array[index];
  if (value === undefined) throw new Error(`index ${index} out of range`);
  return value;
}

/**
 * The bulleted list starting at blocks[start]: one draft per bullet, with page-break continuations
 * joined. Stops at the first block that is neither a bullet nor a continuation.
 */
function readList(blocks: readonly Block[], start: number): { items: Draft[]; end: number } {
  const items: Draft[] = [];
  let i = start;
  for (; i < blocks.length; i++) {
    const block = at(blocks, i);
    const last = items[items.length - 1];
    if (block.marker === 'bullet') items.push(new Draft(piece(block)));
    else if (last !== undefined && continues(last, block)) last.join(piece(block));
    else break;
  }
  if (items.length === 0) throw new Error(`Seed structure changed: expected a list at line ${at(blocks, start).line.n}`);
  return { items, end: i };
}

/** A paragraph starting at blocks[start], with any page-break continuations joined. */
function readParagraph(blocks: readonly Block[], start: number): { draft: Draft; end: number } {
  const draft = new Draft(piece(at(blocks, start)));
  let i = start + 1;
  while (i < blocks.length && continues(draft, at(blocks, i))) {
    draft.join(piece(at(blocks, i)));
    i++;
  }
  return { draft, end: i };
}

// ---------------------------------------------------------------------------------------------
// Annotations that are not in the seed: short ids, display names, data definitions
// ---------------------------------------------------------------------------------------------

interface GroupAnnotation {
  id: string;
  name: string;
  definition: GroupDefinition;
}

type FlagField = Exclude<ChildField, 'sen_provision' | 'ethnicity' | 'english_proficiency' | 'attendance_pct'>;

function flag(field: FlagField): GroupDefinition['rule'] {
  return { kind: 'flag', field };
}

/** Keyed by the group's exact text in the seed (section 2), so a changed seed stops the build. */
const GROUPS: Record<string, GroupAnnotation> = {
  "children from poorer socio-economic groups (including white 'working class' boys)": {
    id: 'poorer-socio-economic-groups',
    name: 'Children from poorer socio-economic groups',
    definition: {
      text: 'Disadvantaged: eligible for free school meals at any time in the last six years, or looked after or previously looked after (the pupil premium definition). Current free school meal eligibility is the narrower alternative.',
      basis: 'national',
      rule: flag('disadvantaged'),
      alternatives: [{ text: 'Eligible for free school meals now (FSM).', rule: flag('fsm') }],
    },
  },
  'children in care': {
    id: 'children-in-care',
    name: 'Children in care',
    definition: {
      text: 'Child looked after (CLA) by the local authority under the Children Act 1989, as returned in the looked-after children (SSDA903) return.',
      basis: 'national',
      rule: flag('child_in_care'),
      alternatives: [],
    },
  },
  'children with disabilities': {
    id: 'children-with-disabilities',
    name: 'Children with disabilities',
    definition: {
      text: 'Disabled within the meaning of the Equality Act 2010, as recorded locally; there is no single national child-level disability flag.',
      basis: 'local',
      rule: flag('disability'),
      alternatives: [],
    },
  },
  'children with SEN': {
    id: 'children-with-sen',
    name: 'Children with special educational needs (SEN)',
    definition: {
      text: 'Special educational needs provision as recorded in the school census: K (SEN support) or E (education, health and care plan); N is no special educational need.',
      basis: 'national',
      rule: { kind: 'codes', field: 'sen_provision', codes: ['K', 'E'] },
      alternatives: [],
    },
  },
  'children excluded from school': {
    id: 'excluded-from-school',
    name: 'Children excluded from school',
    definition: {
      text: 'Permanently excluded or suspended from school, as recorded in the exclusions return.',
      basis: 'national',
      rule: flag('excluded'),
      alternatives: [],
    },
  },
  'children with poor records of attendance at school': {
    id: 'poor-attendance',
    name: 'Children with poor attendance at school',
    definition: {
      text: 'Persistently absent: attendance below 90% of possible sessions.',
      basis: 'national',
      rule: { kind: 'below', field: 'attendance_pct', threshold: 90 },
      alternatives: [],
    },
  },
  'children from different ethnic minority backgrounds': {
    id: 'ethnic-minority-backgrounds',
    name: 'Children from ethnic minority backgrounds',
    definition: {
      text: 'Any CBDS ethnicity code other than WBRI (White British). REFU (refused) and NOBT (information not yet obtained) are unknown and kept apart, counted neither in nor out of the group.',
      basis: 'national',
      rule: { kind: 'codes-except', field: 'ethnicity', except: ['WBRI'], unknown: ['REFU', 'NOBT'] },
      alternatives: [],
    },
  },
  'young offenders': {
    id: 'young-offenders',
    name: 'Young offenders',
    definition: {
      text: 'Known to the youth justice system (the youth offending team), as recorded locally.',
      basis: 'local',
      rule: flag('young_offender'),
      alternatives: [],
    },
  },
  'young carers': {
    id: 'young-carers',
    name: 'Young carers',
    definition: {
      text: 'Identified as a young carer by the school or the local authority.',
      basis: 'local',
      rule: flag('young_carer'),
      alternatives: [],
    },
  },
  'children at risk from significant harm': {
    id: 'at-risk-of-significant-harm',
    name: 'Children at risk of significant harm',
    definition: {
      text: 'The subject of a child protection plan, as returned in the children in need census.',
      basis: 'national',
      rule: flag('child_protection_plan'),
      alternatives: [{ text: 'A child in need under section 17 of the Children Act 1989 (a wider group).', rule: flag('child_in_need') }],
    },
  },
  "children living with 'vulnerable' adults": {
    id: 'living-with-vulnerable-adults',
    name: "Children living with 'vulnerable' adults",
    definition: {
      text: 'Living with a parent or carer whose own needs (for example mental ill-health, substance misuse, domestic abuse or learning disability) make them vulnerable, as recorded locally.',
      basis: 'local',
      rule: flag('vulnerable_adults'),
      alternatives: [],
    },
  },
  'children not fluent in English': {
    id: 'not-fluent-in-english',
    name: 'Children not fluent in English',
    definition: {
      text: 'English as an additional language (EAL): first language known or believed to be other than English, as recorded in the school census. Where proficiency in English is recorded, codes A to D (new to English to competent, short of fluent) are the closer match.',
      basis: 'national',
      rule: flag('eal'),
      alternatives: [
        {
          text: 'Proficiency in English A (new to English), B (early acquisition), C (developing competence) or D (competent).',
          rule: { kind: 'codes', field: 'english_proficiency', codes: ['A', 'B', 'C', 'D'] },
        },
      ],
    },
  },
  'children who are asylum seekers/refugees': {
    id: 'asylum-seekers-refugees',
    name: 'Children who are asylum seekers or refugees',
    definition: {
      text: 'Asylum-seeking or refugee status, including unaccompanied asylum-seeking children looked after by the local authority, as recorded locally.',
      basis: 'local',
      rule: flag('asylum_refugee'),
      alternatives: [],
    },
  },
};

/** Keyed by the outcome's words in the seed (section 2, "being healthy; staying safe; …"). */
const OUTCOMES: Record<string, { id: OutcomeId; name: string }> = {
  'being healthy': { id: 'be-healthy', name: 'be healthy' },
  'staying safe': { id: 'stay-safe', name: 'stay safe' },
  'enjoying and achieving': { id: 'enjoy-and-achieve', name: 'enjoy and achieve' },
  'making a positive contribution': { id: 'make-a-positive-contribution', name: 'make a positive contribution' },
  'achieving economic well-being': { id: 'achieve-economic-well-being', name: 'achieve economic well-being' },
};

const LAYER_LABELS: Record<string, LayerId> = {
  'integrated frontline delivery': 'frontline',
  'integrated processes': 'processes',
  'integrated strategy': 'strategy',
  'integrated governance': 'governance',
};

const LAYER_NAMES: Record<LayerId, string> = {
  frontline: 'frontline delivery',
  processes: 'processes',
  strategy: 'strategy',
  governance: 'governance',
};

const TIER_NAMES: Record<TierId, string> = {
  universal: 'universal',
  targeted: 'targeted',
  complex: 'complex/multiple needs',
  specialist: 'specialist/acute',
};

const TEMPLATE_WORDS = ['one', 'two', 'three', 'four', 'five'] as const;

/**
 * Key line of enquiry (theme) of each template, by matching subjects: templates one to three are
 * about links between Children's Centres, schools and other services (theme 1), template four
 * about parents and carers (theme 2), template five about ECM systems and processes (theme 3).
 */
const TEMPLATE_THEME = ['THEME-1', 'THEME-1', 'THEME-1', 'THEME-2', 'THEME-3'] as const;

// ---------------------------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------------------------

interface Context {
  items: CatalogueItem[];
  book: CorrectionBook;
}

function seedNamed(seeds: readonly SeedFile[], prefix: string): SeedFile {
  const found = seeds.find((s) => s.name.startsWith(prefix));
  if (found === undefined) throw new Error(`Seed pack has no file ${prefix}*.txt`);
  return found;
}

/** Builds the catalogue. Throws, naming the seed line, when the seed needs a decision it lacks. */
export function buildCatalogue(seeds: readonly SeedFile[], corrections: Corrections, correctionsText: string): Catalogue {
  const context: Context = { items: [], book: new CorrectionBook(corrections.corrections) };
  const overview = seedNamed(seeds, '001_');
  const leaflet = seedNamed(seeds, '002_');
  const threads = seedNamed(seeds, '003_');
  const templates = seedNamed(seeds, '004_');

  const overviewParts = parseOverview(overview);
  addThemes(context, overviewParts.themes, leaflet);
  addOverviewLists(context, overviewParts, overview.name);
  addLayersAndTiers(context, templates);
  addGoldenThreads(context, threads, overviewParts.headlines, overview.name);
  addSection5(context, templates);
  context.book.assertAllUsed();

  const items = context.items;
  const contentHash = sha256(JSON.stringify(items));
  const catalogue = {
    $comment:
      'Generated by scripts/build-framework-catalogue.ts from the seed pack and src/framework/catalogue-corrections.json. Do not edit by hand; see docs/framework-catalogue.md.',
    schemaVersion: 1 as const,
    version: `${corrections.releaseDate}+${contentHash.slice(0, 12)}`,
    contentHash: `sha256:${contentHash}`,
    sources: [
      ...seeds.map((s) => ({ file: s.name, sha256: sha256(s.text) })),
      { file: 'src/framework/catalogue-corrections.json', sha256: sha256(correctionsText) },
    ],
    items,
  };
  // Validate what we produce with the same schema the loader uses.
  return parseCatalogue(catalogue, 'built catalogue');
}

/** The catalogue as written to catalogue.json. */
export function serialiseCatalogue(catalogue: Catalogue): string {
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Section 2 (overview) and the leaflet
// ---------------------------------------------------------------------------------------------

interface OverviewParts {
  outputs: Draft[];
  outcomes: { text: string; line: number }[];
  groups: Draft[];
  themes: { draft: Draft; note: string | undefined }[];
  headlines: Draft[];
}

function parseOverview(seed: SeedFile): OverviewParts {
  const blocks = blocksOf(linesOf(seed.text));
  const listAfter = (text: string) => readList(blocks, indexWhere(blocks, (b) => b.text === text, 0, `"${text}"`) + 1).items;

  const outputs = listAfter('On completion, the project should deliver the following outputs:');

  const outcomeBlock = at(blocks, indexWhere(blocks, (b) => b.text.startsWith('The outcomes in question are'), 0, 'the outcomes'));
  const outcomeMatch = /identified in Every Child Matters: (.+?)\. /.exec(outcomeBlock.text);
  if (outcomeMatch?.[1] === undefined) throw new Error('Seed structure changed: the five outcomes');
  const outcomes = outcomeMatch[1].split('; ').map((t) => ({ text: t.replace(/^and /, ''), line: outcomeBlock.line.n }));

  const groupsHeading = indexWhere(blocks, (b) => b.text === 'the groups of children on whom the project is concentrating');
  const groups = readList(blocks, indexWhere(blocks, (b) => b.marker === 'bullet', groupsHeading, 'the groups list')).items;

  const themeDrafts = listAfter('These themes are:');
  const themes = themeDrafts.map((draft) => {
    // "- 3 how best to use … (*being explored now in year one: June 2007–June 2008*)"
    const raw = at(linesOf(seed.text), draft.lastPiece.line - 1).raw;
    const note = /\(\*([^*]+)\*\)\.?\s*$/.exec(raw)?.[1];
    return { draft, note: note === undefined ? undefined : cleanText(note) };
  });

  const headlines = listAfter('The ten hypotheses, or golden threads, are as follows:');
  return { outputs, outcomes, groups, themes, headlines };
}

function addThemes(context: Context, overviewThemes: OverviewParts['themes'], leaflet: SeedFile): void {
  const blocks = blocksOf(linesOf(leaflet.text));
  const start = indexWhere(blocks, (b) => b.marker === 'bullet', indexWhere(blocks, (b) => b.text === 'the five themes'));
  const { items } = readList(blocks, start);
  if (items.length !== 5 || overviewThemes.length !== 5) throw new Error('Seed structure changed: expected five themes');
  items.forEach((draft, i) => {
    const overview = at(overviewThemes, i);
    let overviewText = dropListFullStop(overview.draft.text).replace(/^\d+ /, '');
    if (overview.note !== undefined) overviewText = overviewText.replace(` (${overview.note})`, '');
    const number = i + 1;
    context.items.push({
      id: `THEME-${number}`,
      kind: 'theme',
      text: draft.text,
      source: draft.source(leaflet.name, 'leaflet: the five themes'),
      number,
      overviewText,
      // Section 2: the first three themes are explored in year one, the final two in year two.
      year: number <= 3 ? 1 : 2,
      ...(overview.note !== undefined ? { note: overview.note } : {}),
    });
  });
}

function addOverviewLists(context: Context, parts: OverviewParts, file: string): void {
  parts.outputs.forEach((draft, i) => {
    context.items.push({
      id: `OUTPUT-${i + 1}`,
      kind: 'output',
      text: dropListFullStop(draft.text),
      source: draft.source(file, 'section 2 overview: what the project is, what it is for and how it is working (outputs)'),
      number: i + 1,
    });
  });
  parts.outcomes.forEach(({ text, line }, i) => {
    const outcome = OUTCOMES[text];
    if (outcome === undefined) throw new Error(`Seed structure changed: unknown outcome "${text}"`);
    context.items.push({
      id: outcome.id,
      kind: 'outcome',
      text,
      source: { file, section: "section 2 overview: what is meant by 'narrowing the gap'", lines: [line] },
      number: i + 1,
      name: outcome.name,
    });
  });
  parts.groups.forEach((draft, i) => {
    const text = dropListFullStop(draft.text);
    const group = GROUPS[text];
    if (group === undefined) throw new Error(`Seed structure changed: unknown group "${text}"`);
    context.items.push({
      id: group.id,
      kind: 'group',
      text,
      source: draft.source(file, 'section 2 overview: the groups of children on whom the project is concentrating'),
      number: i + 1,
      name: group.name,
      definition: group.definition,
    });
  });
}

function addLayersAndTiers(context: Context, seed: SeedFile): void {
  const lines = linesOf(seed.text);
  const header = lines.find((l) => l.raw.startsWith('all children (universal services)\t'));
  if (header === undefined) throw new Error('Seed structure changed: no matrix header');
  LAYER_IDS.forEach((layer, i) => {
    const label = layerLabel(layer);
    const line = lines.find((l) => l.raw.includes('\t') && cleanText(l.raw.split('\t')[0] ?? '').startsWith(label));
    if (line === undefined) throw new Error(`Seed structure changed: no matrix label ${label}`);
    context.items.push({
      id: layer,
      kind: 'layer',
      text: label,
      source: { file: seed.name, section: 'section 5, template one: matrix layer label', lines: [line.n] },
      number: i + 1,
      code: LAYER_CODES[layer],
      name: LAYER_NAMES[layer],
    });
  });
  const headers = header.raw.split('\t').map(cleanText);
  TIER_IDS.forEach((tier, i) => {
    context.items.push({
      id: tier,
      kind: 'tier',
      text: at(headers, i),
      source: { file: seed.name, section: 'section 5, template one: matrix column header', lines: [header.n] },
      number: i + 1,
      code: TIER_CODES[tier],
      name: TIER_NAMES[tier],
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Section 4: golden threads
// ---------------------------------------------------------------------------------------------

function splitThreadTitle(title: string): { shortTitle: string; subtitle?: string } {
  const bracket = /^(.+?) \((.+)\)$/.exec(title);
  if (bracket?.[1] !== undefined && bracket[2] !== undefined) return { shortTitle: bracket[1], subtitle: bracket[2] };
  const dash = /^(.+?) – (.+)$/.exec(title);
  if (dash?.[1] !== undefined && dash[2] !== undefined) return { shortTitle: dash[1], subtitle: dash[2] };
  return { shortTitle: title };
}

function addGoldenThreads(context: Context, seed: SeedFile, headlines: readonly Draft[], overviewFile: string): void {
  const lines = linesOf(seed.text);
  const blocks = blocksOf(lines);
  const isHeading = (b: Block) => /^#{2,4} \d+\. /.test(b.line.raw);
  const starts = blocks.map((b, i) => (isHeading(b) ? i : -1)).filter((i) => i >= 0);
  if (starts.length !== 10 || headlines.length !== 10) throw new Error('Seed structure changed: expected ten golden threads');
  starts.forEach((start, t) => {
    const number = t + 1;
    const id = `GT${pad(number)}`;
    const heading = at(blocks, start);
    const match = /^(\d+)\. (.+)$/.exec(heading.text);
    if (match?.[2] === undefined || Number(match[1]) !== number) throw new Error(`Golden thread ${number} heading at line ${heading.line.n}`);
    const title = match[2];
    const section = `section 4, golden thread ${number}`;
    context.items.push({
      id,
      kind: 'golden-thread',
      text: title,
      source: { file: seed.name, section, lines: [heading.line.n] },
      number,
      ...splitThreadTitle(title),
    });
    const headline = at(headlines, t);
    context.items.push({
      id: `${id}-H`,
      kind: 'thread-headline',
      text: dropListFullStop(headline.text),
      source: headline.source(overviewFile, `section 2 overview: the golden threads, number ${number}`),
      thread: id,
    });

    const end = starts[t + 1] ?? blocks.length;
    let phase: 'narrative' | 'means' | 'after' = 'narrative';
    let narratives = 0;
    let means = 0;
    for (let i = start + 1; i < end; i++) {
      const block = at(blocks, i);
      if (block.text === 'this means') {
        phase = 'means';
        continue;
      }
      if (phase === 'narrative') {
        if (block.marker !== 'none') throw new Error(`Unexpected bullet in golden thread ${number} at line ${block.line.n}`);
        const { draft, end: next } = readParagraph(blocks, i);
        i = next - 1;
        narratives++;
        context.items.push({
          id: `${id}-N${narratives}`,
          kind: 'thread-narrative',
          text: draft.text,
          source: draft.source(seed.name, section),
          thread: id,
          number: narratives,
        });
      } else if (phase === 'means' && block.marker === 'bullet') {
        const { items, end: next } = readList(blocks, i);
        i = next - 1;
        for (const draft of items) {
          means++;
          context.items.push({
            id: `${id}-M${means}`,
            kind: 'thread-means',
            text: draft.text,
            source: draft.source(seed.name, `${section}: this means`),
            thread: id,
            number: means,
          });
        }
        phase = 'after';
      } else if (phase === 'after' && block.marker === 'none') {
        context.items.push({
          id: `${id}-NOTE`,
          kind: 'thread-note',
          text: block.text,
          source: { file: seed.name, section, lines: [block.line.n] },
          thread: id,
        });
      } else {
        throw new Error(`Unexpected line in golden thread ${number} at line ${block.line.n}`);
      }
    }
    if (narratives === 0 || means === 0) throw new Error(`Golden thread ${number} has no narrative or no "this means"`);
  });
}

// ---------------------------------------------------------------------------------------------
// Section 5: summary and templates
// ---------------------------------------------------------------------------------------------

function addSection5(context: Context, seed: SeedFile): void {
  const lines = linesOf(seed.text);
  const blocks = blocksOf(lines);
  const titleIndex = (n: number) =>
    indexWhere(blocks, (b) => b.text.startsWith(`template ${TEMPLATE_WORDS[n - 1]} –`), 0, `template ${n} title`);
  const titles = [1, 2, 3, 4, 5].map(titleIndex);

  // Template subjects, as the section 5 introduction lists them.
  const subjects = readList(blocks, indexWhere(blocks, (b) => b.text === 'The five themes that these papers cover are:') + 1).items;
  if (subjects.length !== 5) throw new Error('Seed structure changed: expected five template subjects');

  addSummary(context, seed, blocks.slice(0, at(titles, 0)));

  titles.forEach((start, t) => {
    const number = t + 1;
    const end = titles[t + 1] ?? blocks.length;
    const own = blocks.slice(start, end);
    const subject = dropListFullStop(at(subjects, t).text);
    if (number === 3) addPrinciplesTemplate(context, seed, own, subject);
    else addMatrixTemplate(context, seed, own, number, subject);
  });
}

function addSummary(context: Context, seed: SeedFile, blocks: readonly Block[]): void {
  const introStart = indexWhere(blocks, (b) => b.text.startsWith('The templates present a detailed set of hypotheses'));
  const intro = readParagraph(blocks, introStart);
  const section = 'section 5 introduction: headlines across the five templates';
  context.items.push({
    id: 'SUM-INTRO',
    kind: 'summary-introduction',
    text: intro.draft.text,
    source: intro.draft.source(seed.name, section),
  });
  interface Headline {
    layer: LayerId;
    group: string;
    draft: Draft;
  }
  const headlines: Headline[] = [];
  const notes = new Map<LayerId, Block>();
  let layer: LayerId | undefined;
  let group: string | undefined;
  let last: Draft | undefined;
  for (let i = intro.end; i < blocks.length; i++) {
    const block = at(blocks, i);
    const newLayer = LAYER_LABELS[block.text];
    if (newLayer !== undefined) {
      layer = newLayer;
      group = undefined;
      last = undefined;
    } else if (layer === undefined) {
      throw new Error(`Unexpected line before the summary's first layer: line ${block.line.n}`);
    } else if (last !== undefined && continues(last, block)) {
      last.join(piece(block));
    } else if (block.marker === 'bullet') {
      if (group === undefined) throw new Error(`Summary headline without a sub-heading at line ${block.line.n}`);
      last = new Draft(piece(block));
      headlines.push({ layer, group, draft: last });
    } else if (block.marker === 'none' && endsSentence(block.text) && group === undefined && !notes.has(layer)) {
      notes.set(layer, block);
    } else if (block.marker === 'none' && !endsSentence(block.text)) {
      group = block.text;
      last = undefined;
    } else {
      throw new Error(`Unexpected line in the section 5 summary: line ${block.line.n}`);
    }
  }
  for (const layerId of LAYER_IDS) {
    const note = notes.get(layerId);
    if (note !== undefined) {
      context.items.push({
        id: `SUM-${LAYER_CODES[layerId]}-NOTE`,
        kind: 'summary-note',
        text: note.text,
        source: { file: seed.name, section: `${section}: ${layerLabel(layerId)}`, lines: [note.line.n] },
        layer: layerId,
      });
    }
    headlines
      .filter((h) => h.layer === layerId)
      .forEach(({ group: heading, draft }, i) => {
        context.items.push({
          id: `SUM-${LAYER_CODES[layerId]}-${pad(i + 1)}`,
          kind: 'summary-headline',
          text: draft.text,
          source: draft.source(seed.name, `${section}: ${layerLabel(layerId)} / ${heading}`),
          layer: layerId,
          group: heading,
          number: i + 1,
        });
      });
  }
}

function layerLabel(layer: LayerId): string {
  const label = Object.keys(LAYER_LABELS).find((key) => LAYER_LABELS[key] === layer);
  if (label === undefined) throw new Error(`no label for layer ${layer}`);
  return label;
}

function titleAndHeading(blocks: readonly Block[]): { title: Draft; heading: Draft | undefined; next: number } {
  // Titles and the general conditions heading may run over several consecutive lines.
  const joinConsecutive = (start: number): { draft: Draft; end: number } => {
    const draft = new Draft(piece(at(blocks, start)));
    let i = start + 1;
    while (i < blocks.length && at(blocks, i).line.n === at(blocks, i - 1).line.n + 1 && at(blocks, i).marker === 'none') {
      draft.join(piece(at(blocks, i)));
      i++;
    }
    return { draft, end: i };
  };
  const title = joinConsecutive(0);
  const first = blocks[title.end];
  if (first?.text.startsWith('general conditions:')) {
    const heading = joinConsecutive(title.end);
    return { title: title.draft, heading: heading.draft, next: heading.end };
  }
  return { title: title.draft, heading: undefined, next: title.end };
}

function pushTemplate(
  context: Context,
  seed: SeedFile,
  number: number,
  subject: string,
  title: Draft,
  heading: Draft | undefined,
): void {
  context.items.push({
    id: `T${number}`,
    kind: 'template',
    text: title.text,
    source: title.source(seed.name, `section 5, template ${TEMPLATE_WORDS[number - 1]}: title`),
    number,
    subject,
    themeId: at(TEMPLATE_THEME, number - 1),
    format: number === 3 ? 'principles' : 'matrix',
    ...(heading !== undefined ? { conditionsHeading: heading.text } : {}),
  });
}

function isReferencesHeading(block: Block): boolean {
  return block.marker === 'none' && /^references:?$/.test(block.text);
}

function isTableHeader(block: Block): boolean {
  return block.line.raw.startsWith('all children (universal services)\t');
}

// ----- matrix templates -----------------------------------------------------------------------

function addMatrixTemplate(
  context: Context,
  seed: SeedFile,
  blocks: readonly Block[],
  number: number,
  subject: string,
): void {
  const { title, heading, next } = titleAndHeading(blocks);
  if (heading === undefined) throw new Error(`Template ${number}: no general conditions heading`);
  pushTemplate(context, seed, number, subject, title, heading);
  const word = TEMPLATE_WORDS[number - 1] ?? '';
  const firstTable = indexWhere(blocks, isTableHeader, next, `template ${number} matrix`);
  const references = indexWhere(blocks, isReferencesHeading, firstTable, `template ${number} references`);

  addGeneralConditions(context, seed, blocks.slice(next, firstTable), number, `section 5, template ${word}: general condition`);
  addMatrix(context, seed, blocks.slice(firstTable, references), number);
  addReferences(context, seed, blocks.slice(references + 1), number);
}

function addGeneralConditions(context: Context, seed: SeedFile, blocks: readonly Block[], template: number, section: string): void {
  const conditions: Draft[] = [];
  const relocated: { condition: number; block: Block; correction: string }[] = [];
  for (const block of blocks) {
    const numbered = /^(\d{1,2})\.? (.+)$/.exec(block.text);
    const last = conditions[conditions.length - 1];
    if (numbered?.[2] !== undefined && Number(numbered[1]) === conditions.length + 1) {
      conditions.push(new Draft(piece(block, numbered[2])));
      continue;
    }
    const relocate = context.book.forLine('relocate-line', seed.name, block.line);
    if (relocate !== undefined) {
      if (relocate.template !== template) throw new Error(`Correction ${relocate.id}: wrong template`);
      relocated.push({ condition: relocate.condition, block, correction: relocate.id });
      continue;
    }
    if (last === undefined) throw new Error(`Template ${template}: text before the first general condition at line ${block.line.n}`);
    // Inside general conditions there are no lists: a "- " here is a conversion artefact.
    const unmarked = { ...block, marker: 'none' as const };
    if (continues(last, unmarked)) last.join(piece(block));
    else if (endsSentence(last.lastPiece.text) && !startsLowercase(block.text)) last.paragraph(piece(block));
    else throw new Error(`Template ${template} general conditions: cannot place line ${block.line.n} without a correction`);
  }
  for (const { condition, block, correction } of relocated) {
    const target = conditions[condition - 1];
    if (target === undefined || endsSentence(target.lastPiece.text)) {
      throw new Error(`Correction ${correction}: condition ${condition} does not end mid-sentence`);
    }
    target.join(piece(block), correction);
  }
  conditions.forEach((draft, i) => {
    context.items.push({
      id: `T${template}-GC-${pad(i + 1)}`,
      kind: 'general-condition',
      text: draft.text,
      source: draft.source(seed.name, `${section} ${i + 1}`),
      template,
      number: i + 1,
    });
  });
}

type CellToken = { type: 'p'; text: string } | { type: 'list'; points: string[] };

function tokeniseCell(cell: string, where: string): CellToken[] {
  const tokens: CellToken[] = [];
  const pattern = /<p>([\s\S]*?)<\/p>|<ul[^>]*>([^<]*)/g;
  let rest = cell;
  for (const match of cell.matchAll(pattern)) {
    rest = rest.replace(match[0], '');
    if (match[1] !== undefined) {
      const text = cleanText(match[1]);
      if (text !== '') tokens.push({ type: 'p', text });
    } else if (match[2] !== undefined) {
      const points = match[2].split('•').map(cleanText).filter((p) => p !== '');
      tokens.push({ type: 'list', points });
    }
  }
  const leftover = cleanText(rest);
  if (leftover !== '') {
    if (tokens.length === 0 && LAYER_LABELS[leftover] !== undefined) return [{ type: 'p', text: leftover }];
    throw new Error(`Unexpected text outside paragraphs in ${where}: "${leftover}"`);
  }
  return tokens;
}

interface MatrixDraft {
  draft: Draft;
  points: Piece[];
  after: Piece | undefined;
}

function addMatrix(context: Context, seed: SeedFile, blocks: readonly Block[], template: number): void {
  const word = TEMPLATE_WORDS[template - 1] ?? '';
  let layer: LayerId | undefined;
  const done = new Set<LayerId>();
  let columns: MatrixDraft[][] = [];
  let rowsInLayer = 0;

  const flush = () => {
    if (layer === undefined) return;
    columns.forEach((statements, col) => {
      const tier = at(TIER_IDS, col);
      const section = `section 5, template ${word}: ${layerLabel(layer as LayerId)} / ${TIER_NAMES[tier]}`;
      statements.forEach(({ draft, points, after }, s) => {
        const id = `T${template}-${LAYER_CODES[layer as LayerId]}-${TIER_CODES[tier]}-${pad(s + 1)}`;
        context.items.push({
          id,
          kind: 'matrix-statement',
          text: draft.text,
          source: draft.source(seed.name, section),
          template,
          layer: layer as LayerId,
          tier,
          number: s + 1,
          ...(after !== undefined ? { textAfterPoints: after.text } : {}),
        });
        points.forEach((point, p) => {
          context.items.push({
            id: `${id}-P${p + 1}`,
            kind: 'matrix-point',
            text: point.text,
            source: { file: seed.name, section, lines: [point.line] },
            template,
            layer: layer as LayerId,
            tier,
            parentId: id,
            number: p + 1,
          });
        });
      });
    });
    done.add(layer);
  };

  const startLayer = (next: LayerId, line: number) => {
    if (done.has(next) || next === layer) throw new Error(`Template ${template}: layer ${next} again at line ${line}`);
    flush();
    layer = next;
    columns = [[], [], [], []];
    rowsInLayer = 0;
  };

  for (const block of blocks) {
    const raw = block.line.raw;
    if (isTableHeader(block)) {
      const headers = raw.split('\t').map(cleanText);
      const expected = context.items.filter((i) => i.kind === 'tier').map((i) => i.text);
      if (headers.join('|') !== expected.join('|')) throw new Error(`Template ${template}: unexpected column headers at line ${block.line.n}`);
      continue;
    }
    if (/^[-\t ]+$/.test(raw)) continue; // table separator
    if (!raw.includes('\t')) {
      addStrayLine(context, seed, block, template, layer, columns);
      continue;
    }
    const cells = raw.split('\t');
    const tokens = cells.map((cell, col) => tokeniseCell(cell, `template ${template} line ${block.line.n} column ${col + 1}`));
    const first = tokens[0]?.[0];
    const label = first?.type === 'p' ? LAYER_LABELS[first.text] : undefined;
    if (label !== undefined) {
      startLayer(label, block.line.n);
      tokens[0]?.shift();
      if (tokens.every((t) => t.length === 0)) continue; // a label-only row
    }
    if (layer === undefined) throw new Error(`Template ${template}: matrix row before any layer label at line ${block.line.n}`);
    if (tokens.length > 4) throw new Error(`Template ${template}: more than four columns at line ${block.line.n}`);
    tokens.forEach((cellTokens, col) => {
      const column = at(columns, col);
      cellTokens.forEach((token, t) => {
        const last = column[column.length - 1];
        if (token.type === 'list') {
          if (last === undefined || t === 0 || !last.draft.text.endsWith(':')) {
            throw new Error(`Template ${template}: list without a lead-in at line ${block.line.n}`);
          }
          last.points.push(...token.points.map((text) => ({ text, line: block.line.n })));
          return;
        }
        const p: Piece = { text: token.text, line: block.line.n };
        const previousToken = cellTokens[t - 1];
        if (previousToken?.type === 'list' && last !== undefined && startsLowercase(p.text)) {
          last.after = p; // the words after a statement's points
          return;
        }
        if (t === 0 && rowsInLayer > 0 && last !== undefined) {
          const decision = decideBoundary(context, template, layer as LayerId, at(TIER_IDS, col), last, p, block.line.n);
          if (decision.join) {
            last.draft.join(p, decision.correction);
            return;
          }
          column.push({ draft: new Draft(p), points: [], after: undefined });
          if (decision.correction !== undefined) column[column.length - 1]?.draft.corrections.push(decision.correction);
          return;
        }
        if (startsLowercase(p.text)) {
          throw new Error(`Template ${template}: statement starting in lower case inside a cell at line ${block.line.n}: "${p.text}"`);
        }
        column.push({ draft: new Draft(p), points: [], after: undefined });
      });
    });
    rowsInLayer++;
  }
  flush();
  if (done.size !== 4) throw new Error(`Template ${template}: expected four layers, found ${[...done].join(', ')}`);
}

function decideBoundary(
  context: Context,
  template: number,
  layer: LayerId,
  tier: TierId,
  previous: MatrixDraft,
  next: Piece,
  line: number,
): { join: boolean; correction?: string } {
  const previousText = previous.after?.text ?? previous.draft.lastPiece.text;
  const correction = context.book.boundary(template, layer, tier, previousText, next.text);
  if (correction !== undefined) return { join: correction.decision === 'join', correction: correction.id };
  const unfinished = !endsSentence(previousText);
  const lower = startsLowercase(next.text);
  if (unfinished && lower) return { join: true };
  if (!unfinished && !lower) return { join: false };
  throw new Error(
    `Template ${template} ${layer}/${tier}, line ${line}: does "${previousText.slice(-40)}" continue with "${next.text.slice(0, 40)}"? ` +
      'Add a matrix-boundary correction.',
  );
}

function addStrayLine(
  context: Context,
  seed: SeedFile,
  block: Block,
  template: number,
  layer: LayerId | undefined,
  columns: MatrixDraft[][],
): void {
  const correction = context.book.forLine('stray-line', seed.name, block.line);
  if (correction === undefined) {
    throw new Error(`Template ${template}: line ${block.line.n} is outside the matrix table; add a stray-line correction`);
  }
  if (correction.template !== template || correction.layer !== layer) {
    throw new Error(`Correction ${correction.id}: line ${block.line.n} follows the ${layer ?? 'no'} layer of template ${template}`);
  }
  const column = at(columns, TIER_IDS.indexOf(correction.tier));
  const last = column[column.length - 1];
  const p = piece(block);
  if (correction.decision === 'join') {
    if (last === undefined || endsSentence(last.draft.lastPiece.text)) {
      throw new Error(`Correction ${correction.id}: nothing unfinished to join line ${block.line.n} to`);
    }
    last.draft.join(p, correction.id);
  } else {
    if (last !== undefined && !endsSentence(last.draft.lastPiece.text)) {
      throw new Error(`Correction ${correction.id}: the statement before line ${block.line.n} is unfinished`);
    }
    const draft = new Draft(p);
    draft.corrections.push(correction.id);
    column.push({ draft, points: [], after: undefined });
  }
}

function addReferences(context: Context, seed: SeedFile, blocks: readonly Block[], template: number): void {
  const references: Draft[] = [];
  blocks.forEach((block, i) => {
    const previous = blocks[i - 1];
    const last = references[references.length - 1];
    const adjacent = previous !== undefined && previous.line.n === block.line.n - 1;
    if (block.marker === 'none' && last !== undefined && adjacent) {
      last.join(piece(block)); // a reference running over several lines
      return;
    }
    const correction = context.book.forLine('reference-continuation', seed.name, block.line);
    if (correction !== undefined) {
      if (last === undefined) throw new Error(`Correction ${correction.id}: no reference to continue`);
      last.join(piece(block), correction.id);
      return;
    }
    references.push(new Draft(piece(block)));
  });
  const word = TEMPLATE_WORDS[template - 1] ?? '';
  references.forEach((draft, i) => {
    context.items.push({
      id: `T${template}-REF-${pad(i + 1)}`,
      kind: 'reference',
      text: draft.text,
      source: draft.source(seed.name, `section 5, template ${word}: references`),
      template,
      number: i + 1,
    });
  });
}

// ----- template three -------------------------------------------------------------------------

function addPrinciplesTemplate(context: Context, seed: SeedFile, blocks: readonly Block[], subject: string): void {
  const template = 3;
  const { title, next } = titleAndHeading(blocks);
  pushTemplate(context, seed, template, subject, title, undefined);
  const references = indexWhere(blocks, isReferencesHeading, next, 'template 3 references');
  const section = 'section 5, template three';

  interface Unit {
    id: string;
    draft: Draft;
    kind: 'template-introduction' | 'success-factor' | 'principle' | 'principle-narrative' | 'principle-point' | 'principle-subpoint';
    section: string;
    principle?: number;
    parentId?: string;
    number: number;
  }
  const units: Unit[] = [];
  let phase: 'introduction' | 'principles' = 'introduction';
  let principle = 0;
  let narratives = 0;
  let points = 0;
  let subpoints = 0;
  let lastNarrative: Unit | undefined;
  let lastPoint: Unit | undefined;

  for (let i = next; i < references; i++) {
    const block = at(blocks, i);
    const last = units[units.length - 1];
    if (last !== undefined && continues(last.draft, block)) {
      last.draft.join(piece(block));
      continue;
    }
    if (block.text === 'under-pinning principles:') {
      phase = 'principles';
      continue;
    }
    const heading = /^(\d)\.? ([a-z].+)$/.exec(block.text);
    if (phase === 'principles' && heading?.[2] !== undefined && Number(heading[1]) === principle + 1) {
      principle++;
      narratives = 0;
      points = 0;
      lastNarrative = undefined;
      lastPoint = undefined;
      units.push({
        id: `T3-P${principle}`,
        draft: new Draft(piece(block, heading[2])),
        kind: 'principle',
        section: `${section}: under-pinning principle ${principle}`,
        number: principle,
      });
      continue;
    }
    const demote = context.book.forLine('demote-to-subpoint', seed.name, block.line);
    const marker: Marker = demote !== undefined ? 'subbullet' : block.marker;
    if (phase === 'introduction') {
      if (marker === 'none') {
        narratives++;
        lastNarrative = {
          id: `T3-INTRO-${narratives}`,
          draft: new Draft(piece(block)),
          kind: 'template-introduction',
          section: `${section}: introduction`,
          number: narratives,
        };
        units.push(lastNarrative);
      } else if (marker === 'bullet' && lastNarrative?.draft.text.endsWith(':') === true) {
        points++;
        units.push({
          id: `T3-F${points}`,
          draft: new Draft(piece(block)),
          kind: 'success-factor',
          section: `${section}: factors for success`,
          parentId: lastNarrative.id,
          number: points,
        });
      } else {
        throw new Error(`Template 3: unexpected line ${block.line.n}`);
      }
      continue;
    }
    if (principle === 0) throw new Error(`Template 3: text before the first principle at line ${block.line.n}`);
    const principleSection = `${section}: under-pinning principle ${principle}`;
    if (marker === 'none') {
      if (startsLowercase(block.text)) throw new Error(`Template 3: paragraph starting in lower case at line ${block.line.n}`);
      narratives++;
      lastNarrative = {
        id: `T3-P${principle}-N${narratives}`,
        draft: new Draft(piece(block)),
        kind: 'principle-narrative',
        section: principleSection,
        principle,
        number: narratives,
      };
      lastPoint = undefined;
      units.push(lastNarrative);
    } else if (marker === 'bullet') {
      if (lastNarrative === undefined || !lastNarrative.draft.text.endsWith(':')) {
        throw new Error(`Template 3: bullet without a lead-in at line ${block.line.n}`);
      }
      points++;
      subpoints = 0;
      lastPoint = {
        id: `T3-P${principle}-B${pad(points)}`,
        draft: new Draft(piece(block)),
        kind: 'principle-point',
        section: principleSection,
        principle,
        parentId: lastNarrative.id,
        number: points,
      };
      units.push(lastPoint);
    } else {
      if (lastPoint === undefined || !lastPoint.draft.text.endsWith(':')) {
        throw new Error(`Template 3: sub-bullet without a lead-in at line ${block.line.n}`);
      }
      subpoints++;
      const draft = new Draft(piece(block));
      if (demote !== undefined) draft.corrections.push(demote.id);
      units.push({
        id: `${lastPoint.id}-S${pad(subpoints)}`,
        draft,
        kind: 'principle-subpoint',
        section: principleSection,
        principle,
        parentId: lastPoint.id,
        number: subpoints,
      });
    }
  }
  if (principle !== 7) throw new Error(`Template 3: expected seven under-pinning principles, found ${principle}`);

  for (const unit of units) {
    const common = { id: unit.id, text: unit.draft.text, source: unit.draft.source(seed.name, unit.section), template };
    switch (unit.kind) {
      case 'template-introduction':
      case 'principle':
        context.items.push({ ...common, kind: unit.kind, number: unit.number });
        break;
      case 'success-factor':
        context.items.push({ ...common, kind: unit.kind, parentId: unit.parentId ?? '', number: unit.number });
        break;
      case 'principle-narrative':
        context.items.push({ ...common, kind: unit.kind, principle: unit.principle ?? 0, number: unit.number });
        break;
      case 'principle-point':
      case 'principle-subpoint':
        context.items.push({
          ...common,
          kind: unit.kind,
          principle: unit.principle ?? 0,
          parentId: unit.parentId ?? '',
          number: unit.number,
        });
        break;
    }
  }
  addReferences(context, seed, blocks.slice(references + 1), template);
}
