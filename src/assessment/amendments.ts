/**
 * The reality check: councils propose changes to the framework's statements (a new wording, a new
 * statement, or that one be retired), with their reason and local evidence; the national team
 * accepts, rejects or merges them, and each acceptance publishes the next catalogue revision in the
 * same transaction as the decision (src/framework/revisions.ts). Old assessments keep the wording
 * they copied; new ones rate the new wording.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { LAYER_IDS, TIER_IDS, findItems, itemById } from '../framework/catalogue.js';
import { refreshEffectiveItems } from '../framework/effective.js';
import type { FrameworkStatement, StatementKind } from '../framework/revisions.js';
import { changesUpTo, isStatementKind, latestRevision, publishRevision, seedStatements, statementsAt } from '../framework/revisions.js';
import type { StatementChangeKind } from '../framework/tables.js';
import type { FieldError } from './rating-input.js';
import type { AmendmentStatus, FrameworkAmendmentTable } from './tables.js';
import { amendmentStatuses } from './tables.js';

type Db = Kysely<Schema> | Transaction<Schema>;

export const changeKinds = ['amend', 'add', 'retire'] as const satisfies readonly StatementChangeKind[];

export const changeLabels: Record<StatementChangeKind, string> = {
  amend: 'Change the wording',
  add: 'Add a new statement',
  retire: 'Retire a statement',
};

export const statusLabels: Record<AmendmentStatus, string> = {
  proposed: 'Waiting for review',
  accepted: 'Accepted',
  rejected: 'Not accepted',
  merged: 'Merged with a similar proposal',
  withdrawn: 'Withdrawn',
};

export function isChangeKind(value: unknown): value is StatementChangeKind {
  return typeof value === 'string' && (changeKinds as readonly string[]).includes(value);
}

export function isAmendmentStatus(value: unknown): value is AmendmentStatus {
  return typeof value === 'string' && (amendmentStatuses as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Places: where a new statement goes
// ---------------------------------------------------------------------------------------------

/** Where a statement sits: a golden thread, a matrix template's general conditions, one cell of its matrix, or a template-three principle. */
export type Place =
  | { kind: 'thread'; thread: string }
  | { kind: 'conditions'; template: number }
  | { kind: 'cell'; template: number; layer: string; tier: string }
  | { kind: 'principle'; principle: string };

/** A place as one form value: `thread:GT04`, `conditions:1`, `cell:1:frontline:universal`, `principle:T3-P2`. */
export function placeKey(place: Place): string {
  if (place.kind === 'thread') return `thread:${place.thread}`;
  if (place.kind === 'conditions') return `conditions:${place.template}`;
  if (place.kind === 'cell') return `cell:${place.template}:${place.layer}:${place.tier}`;
  return `principle:${place.principle}`;
}

/** The place a statement sits in. */
export function placeOfStatement(statement: Pick<FrameworkStatement, 'id' | 'kind' | 'template' | 'layer' | 'tier' | 'thread' | 'parentId'>): Place {
  if (statement.kind === 'golden-thread' || statement.kind === 'thread-means') return { kind: 'thread', thread: statement.thread ?? statement.id };
  if (statement.kind === 'general-condition') return { kind: 'conditions', template: statement.template! };
  if (statement.kind === 'matrix-statement') return { kind: 'cell', template: statement.template!, layer: statement.layer!, tier: statement.tier! };
  return { kind: 'principle', principle: statement.kind === 'principle' ? statement.id : statement.parentId! };
}

export interface PlaceOption {
  key: string;
  place: Place;
  /** As a person reads it: "Template 1, integrated frontline delivery, universal". */
  label: string;
  /** The heading the option is listed under: "The golden threads", "Template 1". */
  group: string;
}

/** Every place a new statement may go, in the order of the pack. */
export function placeOptions(catalogue: Catalogue): PlaceOption[] {
  const layers = findItems(catalogue, { kind: 'layer' });
  const tiers = findItems(catalogue, { kind: 'tier' });
  const options: PlaceOption[] = findItems(catalogue, { kind: 'golden-thread' }).map((thread) => ({
    key: placeKey({ kind: 'thread', thread: thread.id }),
    place: { kind: 'thread', thread: thread.id },
    label: `Golden thread ${thread.number}: ${thread.shortTitle}`,
    group: 'The golden threads (“this means” items)',
  }));
  for (const template of findItems(catalogue, { kind: 'template' })) {
    const group = `Template ${template.number}: ${template.text}`;
    if (template.format === 'principles') {
      for (const principle of findItems(catalogue, { kind: 'principle', template: template.number })) {
        options.push({ key: placeKey({ kind: 'principle', principle: principle.id }), place: { kind: 'principle', principle: principle.id }, label: `Template ${template.number}, principle ${principle.number}: ${principle.text}`, group });
      }
      continue;
    }
    options.push({ key: placeKey({ kind: 'conditions', template: template.number }), place: { kind: 'conditions', template: template.number }, label: `Template ${template.number}, general conditions`, group });
    for (const layer of LAYER_IDS) {
      for (const tier of TIER_IDS) {
        const layerName = layers.find((entry) => entry.id === layer)?.text ?? layer;
        const tierName = tiers.find((entry) => entry.id === tier)?.name ?? tier;
        options.push({ key: placeKey({ kind: 'cell', template: template.number, layer, tier }), place: { kind: 'cell', template: template.number, layer, tier }, label: `Template ${template.number}, ${layerName}, ${tierName}`, group });
      }
    }
  }
  return options;
}

/** The place a form value names, if it is one of the catalogue's. */
export function parsePlaceKey(catalogue: Catalogue, value: string): PlaceOption | undefined {
  return placeOptions(catalogue).find((option) => option.key === value);
}

/** The id prefix of a place's statements: `GT04`, `T1-GC`, `T1-FRONTLINE-UNIVERSAL`, `T3-P2`. */
export function placePrefix(place: Place): string {
  if (place.kind === 'thread') return place.thread;
  if (place.kind === 'conditions') return `T${place.template}-GC`;
  if (place.kind === 'cell') return `T${place.template}-${place.layer.toUpperCase()}-${place.tier.toUpperCase()}`;
  return place.principle;
}

/** The kind a statement added to a place has. */
export function addedKind(place: Place): StatementKind {
  return place.kind === 'thread' ? 'thread-means' : place.kind === 'conditions' ? 'general-condition' : place.kind === 'cell' ? 'matrix-statement' : 'principle-point';
}

const catalogueIdPattern = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

/**
 * The id of the next statement added to a place: `<prefix>-X01`, `-X02`, ... one more than the
 * highest `X` number any statement of that place has ever had (retired ones too), so an id is
 * never given twice. `X` keeps added ids apart from the pack's own numbering.
 */
export function nextStatementId(place: Place, everyId: Iterable<string>): string {
  const prefix = placePrefix(place);
  const pattern = new RegExp(`^${prefix.replace(/[-]/g, '\\-')}-X(\\d+)$`);
  let highest = 0;
  for (const id of everyId) {
    const match = pattern.exec(id);
    if (match !== null) highest = Math.max(highest, Number(match[1]));
  }
  const id = `${prefix}-X${String(highest + 1).padStart(2, '0')}`;
  if (!catalogueIdPattern.test(id)) throw new Error(`${id} is not a catalogue id`);
  return id;
}

/** The fields a new statement in a place takes. */
function placeFields(place: Place): Pick<FrameworkStatement, 'template' | 'layer' | 'tier' | 'thread' | 'parentId'> {
  if (place.kind === 'thread') return { template: null, layer: null, tier: null, thread: place.thread, parentId: null };
  if (place.kind === 'conditions') return { template: place.template, layer: null, tier: null, thread: null, parentId: null };
  if (place.kind === 'cell') return { template: place.template, layer: place.layer, tier: place.tier, thread: null, parentId: null };
  return { template: Number(/^T(\d)/.exec(place.principle)?.[1] ?? 3), layer: null, tier: null, thread: null, parentId: place.principle };
}

function placeFromRow(row: Pick<Selectable<FrameworkAmendmentTable>, 'template' | 'layer' | 'tier' | 'thread' | 'parent_id'>): Place | null {
  if (row.thread !== null) return { kind: 'thread', thread: row.thread };
  if (row.parent_id !== null) return { kind: 'principle', principle: row.parent_id };
  if (row.template !== null && row.layer !== null && row.tier !== null) return { kind: 'cell', template: row.template, layer: row.layer, tier: row.tier };
  if (row.template !== null) return { kind: 'conditions', template: row.template };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Statements as the latest revision has them, and every statement ever
// ---------------------------------------------------------------------------------------------

export interface KnownStatement extends FrameworkStatement {
  /** Retired at the latest revision: still readable by id. */
  retired: boolean;
}

/** Every statement the catalogue has ever had (the seed's and those added since), with its wording at the latest revision or, when retired, its last wording. */
export async function knownStatements(db: Db, catalogue: Catalogue): Promise<{ revision: number; current: FrameworkStatement[]; byId: Map<string, KnownStatement> }> {
  const { revision, statements: current } = await statementsAt(db, catalogue);
  const byId = new Map<string, KnownStatement>(current.map((statement) => [statement.id, { ...statement, retired: false }]));
  const changes = await changesUpTo(db, revision);
  for (const statement of seedStatements(catalogue)) if (!byId.has(statement.id)) byId.set(statement.id, { ...statement, retired: true });
  for (const change of changes) {
    if (byId.has(change.statementId)) continue;
    byId.set(change.statementId, { id: change.statementId, kind: change.kind, template: change.template, layer: change.layer, tier: change.tier, thread: change.thread, parentId: change.parentId, text: change.change === 'retire' ? (change.previousText ?? change.text) : change.text, revision: change.revision, origin: 'added', retired: true });
  }
  return { revision, current, byId };
}

/** Wording compared as a person reads it: spaces and case do not make it different. */
function sameWording(a: string, b: string): boolean {
  const normal = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
  return normal(a) === normal(b);
}

// ---------------------------------------------------------------------------------------------
// Proposing
// ---------------------------------------------------------------------------------------------

export interface ProposerOrganisation {
  organisationId: string;
  organisationName: string;
  laCode: string;
}

export interface Proposer {
  userId: string | null;
  label: string;
  /** The organisations the proposer may propose for (their memberships that may write assessments). */
  organisations: readonly ProposerOrganisation[];
}

export interface ProposalFields {
  organisation: ProposerOrganisation;
  change: StatementChangeKind;
  statementId: string | null;
  place: Place | null;
  proposedText: string;
  reason: string;
  localEvidence: string;
}

/** A form or JSON field as trimmed text ('' when absent or not text). */
export function fieldText(value: unknown): string {
  if (Array.isArray(value)) return fieldText(value[0]);
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

const limits = { text: 2000, reason: 5000, evidence: 10000, reply: 5000 };

/**
 * Checks a proposal from a form or JSON body (`organisation_id`, `change`, `statement`, `place`,
 * `proposed_text`, `reason`, `local_evidence`). Each problem names its field. The statement to
 * change or retire must be a statement at the latest revision.
 */
export async function parseProposal(db: Db, catalogue: Catalogue, body: Record<string, unknown>, proposer: Proposer): Promise<{ ok: true; value: ProposalFields } | { ok: false; errors: FieldError[] }> {
  const errors: FieldError[] = [];
  const change = fieldText(body.change);
  const organisationId = fieldText(body.organisation_id) || (proposer.organisations.length === 1 ? proposer.organisations[0]!.organisationId : '');
  const organisation = proposer.organisations.find((entry) => entry.organisationId === organisationId);
  if (organisation === undefined) errors.push({ field: 'organisation_id', text: organisationId === '' ? 'Choose the organisation you are proposing for' : 'Choose one of your own organisations' });
  if (!isChangeKind(change)) errors.push({ field: 'change', text: 'Choose whether to change a statement’s wording, add a statement or retire one' });
  // References are written in capitals on the pages; one typed in lower case means the same statement.
  const statementId = fieldText(body.statement).toUpperCase();
  const proposedText = fieldText(body.proposed_text).replace(/\s+/g, ' ');
  const reason = fieldText(body.reason);
  const localEvidence = fieldText(body.local_evidence);
  let place: Place | null = null;
  let statement: FrameworkStatement | undefined;
  if (change === 'amend' || change === 'retire') {
    const { statements } = await statementsAt(db, catalogue);
    statement = statements.find((entry) => entry.id === statementId);
    if (statementId === '') errors.push({ field: 'statement', text: 'Give the reference of the statement to change, such as T1-FRONTLINE-UNIVERSAL-03' });
    else if (statement === undefined) {
      const item = itemById(catalogue, statementId);
      errors.push({
        field: 'statement',
        text: item !== undefined && !isStatementKind(item.kind) ? `${statementId.slice(0, 60)} is part of the pack’s text, not a statement that is rated: choose a statement` : `There is no statement ${statementId.slice(0, 60)} in the current framework (it may have been retired)`,
      });
    }
  }
  if (change === 'add') {
    const option = parsePlaceKey(catalogue, fieldText(body.place));
    if (option === undefined) errors.push({ field: 'place', text: 'Choose where the new statement goes: a golden thread, a template’s general conditions, a layer and tier, or a principle' });
    else place = option.place;
  }
  if (change === 'amend' || change === 'add') {
    if (proposedText === '') errors.push({ field: 'proposed_text', text: change === 'amend' ? 'Enter the wording you propose' : 'Enter the wording of the new statement' });
    else if (proposedText.length > limits.text) errors.push({ field: 'proposed_text', text: `The wording must be ${limits.text} characters or fewer` });
    else if (change === 'amend' && statement !== undefined && sameWording(statement.text, proposedText)) errors.push({ field: 'proposed_text', text: 'The proposed wording is the same as the current wording: change it, or propose retiring the statement' });
  }
  if (reason === '') errors.push({ field: 'reason', text: 'Enter the reason for the change' });
  else if (reason.length > limits.reason) errors.push({ field: 'reason', text: `The reason must be ${limits.reason} characters or fewer` });
  if (localEvidence === '') errors.push({ field: 'local_evidence', text: 'Enter the local evidence behind the proposal' });
  else if (localEvidence.length > limits.evidence) errors.push({ field: 'local_evidence', text: `The local evidence must be ${limits.evidence} characters or fewer` });
  if (errors.length > 0 || organisation === undefined || !isChangeKind(change)) return { ok: false, errors };
  return { ok: true, value: { organisation, change, statementId: change === 'add' ? null : statementId, place, proposedText: change === 'retire' ? '' : proposedText, reason, localEvidence } };
}

/** Stores a checked proposal; its id. */
export async function storeProposal(db: Db, fields: ProposalFields, proposer: Pick<Proposer, 'userId' | 'label'>): Promise<string> {
  const where = fields.place === null ? { template: null, layer: null, tier: null, thread: null, parent_id: null } : (() => {
    const place = placeFields(fields.place);
    return { template: place.template, layer: place.layer, tier: place.tier, thread: place.thread, parent_id: place.parentId };
  })();
  const row = await db
    .insertInto('framework_amendment')
    .values({
      la_code: fields.organisation.laCode,
      organisation_id: fields.organisation.organisationId,
      proposed_by: proposer.userId,
      proposed_by_label: proposer.label,
      change: fields.change,
      statement_id: fields.statementId,
      ...where,
      proposed_text: fields.proposedText,
      reason: fields.reason,
      local_evidence: fields.localEvidence,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface Amendment {
  id: string;
  laCode: string;
  authorityName: string;
  organisationId: string;
  organisationName: string;
  proposedBy: string;
  proposedAt: Date;
  change: StatementChangeKind;
  statementId: string | null;
  place: Place | null;
  /** For an addition, where it goes; otherwise where the statement is. */
  placeLabel: string;
  /** The statement's wording now (or its last wording when retired since). */
  currentText: string | null;
  statementRetired: boolean;
  template: number | null;
  proposedText: string;
  reason: string;
  localEvidence: string;
  status: AmendmentStatus;
  mergedInto: string | null;
  reply: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  revision: number | null;
  addedStatementId: string | null;
  /** What happened in the end: a merged proposal follows the one it was merged into. */
  outcome: { status: AmendmentStatus; reply: string; revision: number | null; decidedAt: Date | null; via: string | null };
  /** The wording the catalogue took when accepted (the reviewer may have edited it). */
  acceptedText: string | null;
}

export interface AmendmentFilter {
  /** Only these authorities' proposals; undefined for every authority (reviewers). */
  laCodes?: readonly string[];
  status?: AmendmentStatus;
  /** 1 to 5, or 'threads'. */
  template?: number | 'threads';
  change?: StatementChangeKind;
  statementId?: string;
  ids?: readonly string[];
}

function statementPlaceLabel(catalogue: Catalogue, place: Place | null): string {
  if (place === null) return '';
  return placeOptions(catalogue).find((option) => option.key === placeKey(place))?.label ?? placeKey(place);
}

/** Proposals matching the filter, newest first, each with its outcome. */
export async function listAmendments(db: Db, catalogue: Catalogue, filter: AmendmentFilter = {}): Promise<Amendment[]> {
  if (filter.laCodes !== undefined && filter.laCodes.length === 0) return [];
  let query = db.selectFrom('framework_amendment').innerJoin('organisation', 'organisation.id', 'framework_amendment.organisation_id').selectAll('framework_amendment').select('organisation.name as organisation_name');
  if (filter.laCodes !== undefined) query = query.where('framework_amendment.la_code', 'in', [...filter.laCodes]);
  if (filter.change !== undefined) query = query.where('framework_amendment.change', '=', filter.change);
  if (filter.statementId !== undefined) query = query.where((eb) => eb.or([eb('framework_amendment.statement_id', '=', filter.statementId!), eb('framework_amendment.added_statement_id', '=', filter.statementId!)]));
  if (filter.ids !== undefined) {
    if (filter.ids.length === 0) return [];
    query = query.where('framework_amendment.id', 'in', [...filter.ids]);
  }
  const rows = await query.orderBy('framework_amendment.proposed_at', 'desc').orderBy('framework_amendment.id').execute();
  const { byId } = await knownStatements(db, catalogue);
  // A merged proposal's outcome is its target's: read the targets too, wherever they are.
  const targetIds = [...new Set(rows.map((row) => row.merged_into).filter((id): id is string => id !== null))];
  const targets = targetIds.length === 0 ? [] : await db.selectFrom('framework_amendment').select(['id', 'status', 'reply', 'revision', 'decided_at', 'merged_into']).where('id', 'in', targetIds).execute();
  const targetById = new Map(targets.map((target) => [target.id, target]));
  const acceptedTexts = await db
    .selectFrom('framework_statement_change')
    .select(['revision', 'statement_id', 'text'])
    .where('revision', 'in', [0, ...new Set(rows.map((row) => row.revision).filter((revision): revision is number => revision !== null))])
    .execute();
  const amendments = rows.map((row): Amendment => {
    const statement = row.statement_id === null ? undefined : byId.get(row.statement_id);
    const place = row.change === 'add' ? placeFromRow(row) : statement === undefined ? null : placeOfStatement(statement);
    const target = row.merged_into === null ? undefined : targetById.get(row.merged_into);
    const outcome =
      row.status === 'merged' && target !== undefined
        ? { status: target.status, reply: target.reply, revision: target.revision, decidedAt: target.decided_at, via: target.id }
        : { status: row.status, reply: row.reply, revision: row.revision, decidedAt: row.decided_at, via: null };
    const changedId = row.change === 'add' ? row.added_statement_id : row.statement_id;
    const acceptedText = outcome.status === 'accepted' && row.change !== 'retire' ? (acceptedTexts.find((entry) => entry.revision === outcome.revision && entry.statement_id === (changedId ?? ''))?.text ?? null) : null;
    return {
      id: row.id,
      laCode: row.la_code,
      authorityName: localAuthorityByGss(row.la_code)?.name ?? row.la_code,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
      proposedBy: row.proposed_by_label,
      proposedAt: row.proposed_at,
      change: row.change,
      statementId: row.statement_id,
      place,
      placeLabel: statementPlaceLabel(catalogue, place),
      currentText: statement?.text ?? null,
      statementRetired: statement?.retired ?? false,
      template: place === null ? null : place.kind === 'thread' ? null : place.kind === 'principle' ? placeFields(place).template : place.template,
      proposedText: row.proposed_text,
      reason: row.reason,
      localEvidence: row.local_evidence,
      status: row.status,
      mergedInto: row.merged_into,
      reply: row.reply,
      decidedBy: row.decided_by_label,
      decidedAt: row.decided_at,
      revision: row.revision,
      addedStatementId: row.added_statement_id,
      outcome,
      acceptedText,
    };
  });
  return amendments.filter((amendment) => {
    if (filter.status !== undefined && amendment.status !== filter.status) return false;
    if (filter.template === 'threads') return amendment.place?.kind === 'thread';
    if (filter.template !== undefined) return amendment.template === filter.template;
    return true;
  });
}

/** One proposal, or undefined. */
export async function readAmendment(db: Db, catalogue: Catalogue, id: string): Promise<Amendment | undefined> {
  if (!isUuid(id)) return undefined;
  return (await listAmendments(db, catalogue, { ids: [id] }))[0];
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

// ---------------------------------------------------------------------------------------------
// Grouping for review
// ---------------------------------------------------------------------------------------------

const stopWords = new Set(['the', 'and', 'for', 'are', 'with', 'that', 'this', 'their', 'from', 'have', 'all', 'who', 'has', 'its', 'into', 'our', 'they', 'them', 'there', 'where']);

function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length >= 3 && !stopWords.has(word)));
}

/** Jaccard similarity of two texts' words (of three letters or more, common words left out): 1 the same words, 0 none shared. */
export function wordingSimilarity(a: string, b: string): number {
  const left = wordsOf(a);
  const right = wordsOf(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared += 1;
  return shared / (left.size + right.size - shared);
}

/** Proposals this alike (or more) are shown together as similar. */
export const similarityThreshold = 0.5;

/**
 * Proposals about one statement (or one place) put into sets of similar ones: the same kind of
 * change and, for wordings, words alike (single linkage: alike to any one already in the set).
 * Proposals to retire the same statement are always alike.
 */
export function similarSets<T extends Pick<Amendment, 'change' | 'proposedText'>>(proposals: readonly T[]): T[][] {
  const sets: T[][] = [];
  for (const proposal of proposals) {
    const alike = sets.filter((set) => set.some((other) => other.change === proposal.change && (proposal.change === 'retire' || wordingSimilarity(other.proposedText, proposal.proposedText) >= similarityThreshold)));
    const merged = [...alike.flat(), proposal];
    for (const set of alike) sets.splice(sets.indexOf(set), 1);
    sets.push(merged);
  }
  return sets;
}

export interface AmendmentGroup {
  /** `statement:<id>` or `place:<key>`. */
  key: string;
  statementId: string | null;
  place: Place | null;
  title: string;
  currentText: string | null;
  statementRetired: boolean;
  /** Distinct authorities that proposed something here. */
  councils: number;
  waiting: number;
  similar: { councils: number; proposals: Amendment[] }[];
}

/** Proposals grouped by the statement they change (or the place of an addition), the most councils first. */
export function groupAmendments(amendments: readonly Amendment[]): AmendmentGroup[] {
  const groups = new Map<string, Amendment[]>();
  for (const amendment of amendments) {
    const key = amendment.change === 'add' ? `place:${amendment.place === null ? '' : placeKey(amendment.place)}` : `statement:${amendment.statementId}`;
    groups.set(key, [...(groups.get(key) ?? []), amendment]);
  }
  return [...groups]
    .map(([key, members]): AmendmentGroup => {
      const first = members[0]!;
      const isAddition = key.startsWith('place:');
      return {
        key,
        statementId: isAddition ? null : first.statementId,
        place: first.place,
        title: isAddition ? `New statements: ${first.placeLabel}` : first.placeLabel,
        currentText: isAddition ? null : first.currentText,
        statementRetired: isAddition ? false : first.statementRetired,
        councils: new Set(members.map((member) => member.laCode)).size,
        waiting: members.filter((member) => member.status === 'proposed').length,
        similar: similarSets(members)
          .map((set) => ({ councils: new Set(set.map((member) => member.laCode)).size, proposals: set }))
          .sort((a, b) => b.councils - a.councils || b.proposals.length - a.proposals.length),
      };
    })
    .sort((a, b) => b.waiting - a.waiting || b.councils - a.councils || a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------

export type Decision =
  | { outcome: 'accept'; reply: string; finalText: string }
  | { outcome: 'reject'; reply: string }
  | { outcome: 'merge'; reply: string; mergeInto: string };

/** Checks a decision from a form or JSON body (`outcome`, `reply`, `final_text`, `merge_into`). */
export function parseDecision(body: Record<string, unknown>, amendment: Pick<Amendment, 'change' | 'proposedText'>): { ok: true; value: Decision } | { ok: false; errors: FieldError[] } {
  const outcome = fieldText(body.outcome);
  const reply = fieldText(body.reply);
  const errors: FieldError[] = [];
  if (reply.length > limits.reply) errors.push({ field: 'reply', text: `The reply must be ${limits.reply} characters or fewer` });
  if (outcome === 'accept') {
    const finalText = amendment.change === 'retire' ? '' : fieldText(body.final_text).replace(/\s+/g, ' ') || amendment.proposedText;
    if (amendment.change !== 'retire' && finalText.length > limits.text) errors.push({ field: 'final_text', text: `The wording must be ${limits.text} characters or fewer` });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { outcome, reply, finalText } };
  }
  if (outcome === 'reject') {
    if (reply === '') errors.push({ field: 'reply', text: 'Enter a reply telling the council why the proposal is not accepted' });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { outcome, reply } };
  }
  if (outcome === 'merge') {
    const mergeInto = fieldText(body.merge_into);
    if (!isUuid(mergeInto)) errors.push({ field: 'merge_into', text: 'Choose the proposal to merge this one into' });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { outcome, reply, mergeInto } };
  }
  return { ok: false, errors: [{ field: 'outcome', text: 'Choose whether to accept, reject or merge the proposal' }] };
}

export class DecisionRefusedError extends Error {
  override readonly name = 'DecisionRefusedError';
  constructor(
    message: string,
    readonly errors: FieldError[],
    readonly statusCode: 409 | 422 = 422,
  ) {
    super(message);
  }
}

export interface DecisionResult {
  status: AmendmentStatus;
  revision: number | null;
  addedStatementId: string | null;
  /** Proposals that were merged into this one and so took the same outcome. */
  followers: string[];
}

/**
 * Decides a proposal. Accepting publishes the next catalogue revision in the same transaction
 * (with the wording the reviewer settled on, and the proposal's reason); the proposals merged into
 * this one are part of that one change. Rejecting needs a reply. Merging needs another proposal
 * still waiting, of the same kind about the same statement (or place); proposals already merged
 * into this one move with it. Throws DecisionRefusedError, naming the field, and changes nothing
 * when the decision cannot be made.
 */
export async function decideAmendment(db: Kysely<Schema>, catalogue: Catalogue, id: string, decision: Decision, reviewer: { label: string }): Promise<DecisionResult> {
  const result = await db.transaction().execute(async (transaction) => {
    // Decisions and revisions are made one at a time: the same lock publishRevision takes.
    await sql`select pg_advisory_xact_lock(7362017)`.execute(transaction);
    const row = await transaction.selectFrom('framework_amendment').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (row === undefined) throw new DecisionRefusedError('There is no such proposal', [{ field: 'outcome', text: 'There is no such proposal' }]);
    if (row.status !== 'proposed') throw new DecisionRefusedError('This proposal has already been decided', [{ field: 'outcome', text: `This proposal has already been decided: ${statusLabels[row.status].toLowerCase()}` }], 409);
    const followers = await transaction.selectFrom('framework_amendment').select('id').where('merged_into', '=', id).execute();
    const decided = { reply: decision.reply, decided_by_label: reviewer.label, decided_at: new Date() };

    if (decision.outcome === 'reject') {
      await transaction.updateTable('framework_amendment').set({ status: 'rejected', ...decided }).where('id', '=', id).execute();
      return { status: 'rejected' as const, revision: null, addedStatementId: null, followers: followers.map((follower) => follower.id) };
    }

    if (decision.outcome === 'merge') {
      if (decision.mergeInto === id) throw new DecisionRefusedError('A proposal cannot be merged into itself', [{ field: 'merge_into', text: 'Choose another proposal to merge this one into' }]);
      const target = await transaction.selectFrom('framework_amendment').selectAll().where('id', '=', decision.mergeInto).forUpdate().executeTakeFirst();
      if (target === undefined || target.status !== 'proposed') throw new DecisionRefusedError('The proposal to merge into is not waiting for review', [{ field: 'merge_into', text: 'Choose a proposal that is still waiting for review' }]);
      const samePlace = row.change === 'add' ? target.change === 'add' && JSON.stringify(placeFromRow(target)) === JSON.stringify(placeFromRow(row)) : target.change === row.change && target.statement_id === row.statement_id;
      if (!samePlace) throw new DecisionRefusedError('Only alike proposals can be merged', [{ field: 'merge_into', text: 'Choose a proposal of the same kind, about the same statement (or, for new statements, the same place)' }]);
      await transaction.updateTable('framework_amendment').set({ status: 'merged', merged_into: target.id, ...decided, reply: decision.reply || 'Merged with a similar proposal: it follows that proposal’s outcome.' }).where('id', '=', id).execute();
      // No chains: whatever was merged into this one now follows the target too.
      await transaction.updateTable('framework_amendment').set({ merged_into: target.id }).where('merged_into', '=', id).execute();
      return { status: 'merged' as const, revision: null, addedStatementId: null, followers: followers.map((follower) => follower.id) };
    }

    const { byId, current } = await knownStatements(transaction, catalogue);
    let change: Parameters<typeof publishRevision>[2]['changes'][number];
    let addedStatementId: string | null = null;
    if (row.change === 'add') {
      const place = placeFromRow(row);
      if (place === null) throw new DecisionRefusedError('The proposal does not say where the statement goes', [{ field: 'outcome', text: 'The proposal does not say where the new statement goes' }]);
      if (decision.finalText === '') throw new DecisionRefusedError('The new statement needs wording', [{ field: 'final_text', text: 'Enter the wording of the new statement' }]);
      const everyId = [...byId.keys(), ...catalogue.items.map((item) => item.id)];
      addedStatementId = nextStatementId(place, everyId);
      change = { statementId: addedStatementId, change: 'add', kind: addedKind(place), ...placeFields(place), text: decision.finalText, reason: row.reason };
    } else {
      const statement = current.find((entry) => entry.id === row.statement_id);
      if (statement === undefined) throw new DecisionRefusedError('The statement is no longer in the framework', [{ field: 'outcome', text: `Statement ${row.statement_id ?? ''} has been retired since this was proposed: reject the proposal, or merge it` }], 409);
      if (row.change === 'amend' && (decision.finalText === '' || sameWording(decision.finalText, statement.text))) {
        throw new DecisionRefusedError('The accepted wording must differ from the current wording', [{ field: 'final_text', text: 'The accepted wording is the same as the current wording: change it, or reject the proposal' }]);
      }
      change = { statementId: statement.id, change: row.change, kind: statement.kind, template: statement.template, layer: statement.layer, tier: statement.tier, thread: statement.thread, parentId: statement.parentId, text: row.change === 'retire' ? statement.text : decision.finalText, reason: row.reason };
    }
    const councils = 1 + followers.length;
    const verb = row.change === 'add' ? `Added ${change.statementId}` : row.change === 'amend' ? `Reworded ${change.statementId}` : `Retired ${change.statementId}`;
    const revision = await publishRevision(transaction, catalogue, {
      summary: `${verb}, as ${councils === 1 ? 'a council' : `${councils} councils`} proposed`,
      publishedBy: reviewer.label,
      changes: [change],
    });
    await transaction.updateTable('framework_amendment').set({ status: 'accepted', revision, added_statement_id: addedStatementId, ...decided }).where('id', '=', id).execute();
    if (followers.length > 0) {
      await transaction.updateTable('framework_amendment').set({ revision, added_statement_id: addedStatementId }).where('merged_into', '=', id).execute();
    }
    // Search finds the new wording at once (src/framework/effective.ts).
    await refreshEffectiveItems(transaction, catalogue);
    return { status: 'accepted' as const, revision, addedStatementId, followers: followers.map((follower) => follower.id) };
  });
  return result;
}

/** The latest revision's number, for pages that say which version they show. */
export { latestRevision };
