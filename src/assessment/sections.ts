/**
 * How an assessment's statements fall into the sections its pages walk through: each golden thread
 * (the thread and its "this means" items); for a matrix template its general conditions and then
 * each layer (statements grouped by tier of need); for template three each principle with its
 * points. Labels come from the catalogue, written for people to read.
 */
import type { Catalogue, CatalogueItem } from '../framework/catalogue.js';
import { LAYER_IDS, TIER_IDS, childrenOf, itemById } from '../framework/catalogue.js';
import type { AssessmentStatementRow, Rating } from './store.js';

export type SectionKind = 'thread' | 'conditions' | 'layer' | 'principle';

export interface Section {
  /** As in the address: a thread id (`GT01`), `conditions`, a layer id (`frontline`) or a principle id (`T3-P1`). */
  id: string;
  kind: SectionKind;
  label: string;
}

/** The first letter in capitals, the rest as written (the catalogue keeps its own capitals). */
export function upperFirst(text: string): string {
  return text === '' ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/** The section a statement belongs to. */
export function sectionIdOf(statement: Pick<AssessmentStatementRow, 'id' | 'kind' | 'thread' | 'layer' | 'parentId'>): string {
  if (statement.kind === 'golden-thread' || statement.kind === 'thread-means') return statement.thread ?? statement.id;
  if (statement.kind === 'general-condition') return 'conditions';
  if (statement.kind === 'matrix-statement') return statement.layer ?? 'unplaced';
  if (statement.kind === 'principle') return statement.id;
  return statement.parentId ?? 'unplaced';
}

function sectionKind(id: string): SectionKind {
  if (/^GT\d{2}$/.test(id)) return 'thread';
  if (id === 'conditions') return 'conditions';
  if ((LAYER_IDS as readonly string[]).includes(id)) return 'layer';
  return 'principle';
}

/** A section's label: "Golden thread 1: You can do it! (expect the best)", "General conditions", "Integrated frontline delivery", "Principle 2: Children and young people are engaged…". */
export function sectionLabel(catalogue: Catalogue, id: string): string {
  const kind = sectionKind(id);
  if (kind === 'conditions') return 'General conditions';
  const item = itemById(catalogue, id);
  if (item === undefined) return id;
  if (item.kind === 'golden-thread') return `Golden thread ${item.number}: ${upperFirst(item.text)}`;
  if (item.kind === 'layer') return upperFirst(item.text);
  if (item.kind === 'principle') return `Principle ${item.number}: ${upperFirst(item.text)}`;
  return upperFirst(item.text);
}

/** A tier of need as a person reads it: "All children (universal services)". */
export function tierLabel(catalogue: Catalogue, tier: string): string {
  const item = itemById(catalogue, tier);
  return item?.kind === 'tier' ? upperFirst(item.text) : tier;
}

/** The sections of an assessment in the order its statements come, conditions before layers and layers in the catalogue's order. */
export function sectionsOf(catalogue: Catalogue, statements: readonly Pick<AssessmentStatementRow, 'id' | 'kind' | 'thread' | 'layer' | 'parentId'>[]): Section[] {
  const ids = [...new Set(statements.map(sectionIdOf))];
  const rank = (id: string) => (id === 'conditions' ? -1 : (LAYER_IDS as readonly string[]).indexOf(id));
  const ordered = ids.every((id) => id === 'conditions' || (LAYER_IDS as readonly string[]).includes(id)) ? [...ids].sort((a, b) => rank(a) - rank(b)) : ids;
  return ordered.map((id) => ({ id, kind: sectionKind(id), label: sectionLabel(catalogue, id) }));
}

export interface Progress {
  total: number;
  /** Rated this period: a level or "not applicable", not merely carried forward. */
  rated: number;
  /** Carried forward from the previous period and not yet confirmed. */
  carriedForward: number;
  notRated: number;
}

/** Whether a rating gives a level or says "not applicable". */
export function hasAnswer(rating: Pick<Rating, 'level' | 'notApplicable'>): boolean {
  return rating.level !== null || rating.notApplicable;
}

export function progressOf(ratings: readonly Pick<Rating, 'level' | 'notApplicable' | 'carriedForward'>[]): Progress {
  const rated = ratings.filter((rating) => hasAnswer(rating) && !rating.carriedForward).length;
  const carriedForward = ratings.filter((rating) => rating.carriedForward).length;
  return { total: ratings.length, rated, carriedForward, notRated: ratings.length - rated - carriedForward };
}

/** "12 of 20 rated", and how many wait to be confirmed. */
export function progressText(progress: Progress): string {
  const carried = progress.carriedForward > 0 ? `, ${progress.carriedForward} carried forward` : '';
  return `${progress.rated} of ${progress.total} rated${carried}`;
}

/** A task-list status for a section: not started, in progress, or completed. */
export function progressStatus(progress: Progress): { text: string; tag: string | null } {
  if (progress.total > 0 && progress.rated === progress.total) return { text: 'Completed', tag: null };
  if (progress.rated === 0 && progress.carriedForward === 0) return { text: 'Not started', tag: 'govuk-tag--grey' };
  return { text: 'In progress', tag: 'govuk-tag--blue' };
}

/** The tiers of need in catalogue order, for grouping a layer's statements. */
export const tierOrder: readonly string[] = TIER_IDS;

/** A statement's points and sub-points from the catalogue, where it has them, and any words after them. */
export function pointsOf(catalogue: Catalogue, statementId: string): { points: { id: string; text: string }[]; textAfter: string | null } {
  const item: CatalogueItem | undefined = itemById(catalogue, statementId);
  if (item === undefined) return { points: [], textAfter: null };
  const points = childrenOf(catalogue, statementId)
    .filter((child) => child.kind === 'matrix-point' || child.kind === 'principle-subpoint')
    .map((child) => ({ id: child.id, text: child.text }));
  return { points, textAfter: item.kind === 'matrix-statement' ? (item.textAfterPoints ?? null) : null };
}
