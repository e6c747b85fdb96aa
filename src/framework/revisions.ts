/**
 * Catalogue revisions: the reality check's accepted changes on top of the seed catalogue.
 *
 * Revision 0 is the seed (catalogue.json). Each published revision lists what it did to which
 * statements: a new wording, a new statement, or a statement retired. The statements at revision N
 * are the seed's, with each statement's last change at or before N applied. Ids never change, so an
 * assessment, a plan or a practice item that names a statement keeps naming the same one.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Catalogue, CatalogueItem } from './catalogue.js';
import type { FrameworkStatementChangeTable, StatementChangeKind } from './tables.js';

type Db = Kysely<Schema> | Transaction<Schema>;

/** The kinds of item that are statements a council can rate, amend or add to. */
export const statementKinds = ['golden-thread', 'thread-means', 'general-condition', 'matrix-statement', 'principle', 'principle-point'] as const;
export type StatementKind = (typeof statementKinds)[number];

export function isStatementKind(kind: string): kind is StatementKind {
  return (statementKinds as readonly string[]).includes(kind);
}

/** A statement as a revision of the catalogue has it. */
export interface FrameworkStatement {
  id: string;
  kind: StatementKind;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  /** For template three's points: the principle they belong to (`T3-P2`). */
  parentId: string | null;
  text: string;
  /** Where the wording comes from: the seed, or the revision that last changed it. */
  revision: number;
  origin: 'seed' | 'amended' | 'added';
}

export interface StatementChange {
  revision: number;
  statementId: string;
  change: StatementChangeKind;
  kind: StatementKind;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  parentId: string | null;
  text: string;
  previousText: string | null;
  reason: string;
}

export interface Revision {
  number: number;
  publishedAt: Date;
  publishedBy: string;
  summary: string;
  changes: StatementChange[];
}

/** The principle a template-three item belongs to (`T3-P2-B01` → `T3-P2`). */
function principleOf(item: CatalogueItem): string | null {
  return item.kind === 'principle-point' ? `T${item.template}-P${item.principle}` : null;
}

/** The seed catalogue's statements, in seed order. */
export function seedStatements(catalogue: Catalogue): FrameworkStatement[] {
  return catalogue.items.flatMap((item): FrameworkStatement[] => {
    if (!isStatementKind(item.kind)) return [];
    return [
      {
        id: item.id,
        kind: item.kind,
        template: 'template' in item ? item.template : null,
        layer: 'layer' in item ? item.layer : null,
        tier: 'tier' in item ? item.tier : null,
        thread: item.kind === 'golden-thread' ? item.id : 'thread' in item ? item.thread : null,
        parentId: principleOf(item),
        text: item.text,
        revision: 0,
        origin: 'seed',
      },
    ];
  });
}

/** The place a statement sits in: a thread, a template's conditions, a matrix cell or a principle. */
function placeOf(statement: Pick<FrameworkStatement, 'kind' | 'template' | 'layer' | 'tier' | 'thread' | 'parentId' | 'id'>): string {
  if (statement.kind === 'golden-thread' || statement.kind === 'thread-means') return `thread:${statement.thread}`;
  if (statement.kind === 'general-condition') return `conditions:${statement.template}`;
  if (statement.kind === 'matrix-statement') return `cell:${statement.template}:${statement.layer}:${statement.tier}`;
  return `principle:${statement.kind === 'principle' ? statement.id : statement.parentId}`;
}

/**
 * The statements at a revision: the seed with the changes applied in order. A changed statement
 * keeps its place; an added one goes after the last statement of its place (thread, conditions,
 * matrix cell or principle); a retired one is left out.
 */
export function applyChanges(seed: readonly FrameworkStatement[], changes: readonly StatementChange[]): FrameworkStatement[] {
  const ordered = [...changes].sort((a, b) => a.revision - b.revision);
  let statements = [...seed];
  for (const change of ordered) {
    const index = statements.findIndex((statement) => statement.id === change.statementId);
    if (change.change === 'retire') {
      if (index >= 0) statements = statements.filter((_, position) => position !== index);
      continue;
    }
    if (change.change === 'amend' && index >= 0) {
      statements[index] = { ...statements[index]!, text: change.text, revision: change.revision, origin: statements[index]!.origin === 'added' ? 'added' : 'amended' };
      continue;
    }
    const added: FrameworkStatement = {
      id: change.statementId,
      kind: change.kind,
      template: change.template,
      layer: change.layer,
      tier: change.tier,
      thread: change.thread,
      parentId: change.parentId,
      text: change.text,
      revision: change.revision,
      origin: 'added',
    };
    const place = placeOf(added);
    const lastInPlace = statements.findLastIndex((statement) => placeOf(statement) === place);
    statements.splice(lastInPlace >= 0 ? lastInPlace + 1 : statements.length, 0, added);
  }
  return statements;
}

/** The latest published revision's number (0 when only the seed has been published). */
export async function latestRevision(db: Db): Promise<number> {
  const row = await db.selectFrom('framework_revision').select((eb) => eb.fn.max('number').as('latest')).executeTakeFirst();
  return Number(row?.latest ?? 0);
}

function changeFromRow(row: Selectable<FrameworkStatementChangeTable>): StatementChange {
  return {
    revision: row.revision,
    statementId: row.statement_id,
    change: row.change,
    kind: row.kind as StatementKind,
    template: row.template,
    layer: row.layer,
    tier: row.tier,
    thread: row.thread,
    parentId: row.parent_id,
    text: row.text,
    previousText: row.previous_text,
    reason: row.reason,
  };
}

/** Every change published up to and including a revision, oldest first. */
export async function changesUpTo(db: Db, revision: number): Promise<StatementChange[]> {
  const rows = await db.selectFrom('framework_statement_change').selectAll().where('revision', '<=', revision).orderBy('revision').orderBy('statement_id').execute();
  return rows.map(changeFromRow);
}

/** The statements at a revision (the latest when not given), with that revision's number. */
export async function statementsAt(db: Db, catalogue: Catalogue, revision?: number): Promise<{ revision: number; statements: FrameworkStatement[] }> {
  const number = revision ?? (await latestRevision(db));
  return { revision: number, statements: applyChanges(seedStatements(catalogue), await changesUpTo(db, number)) };
}

/** Every published revision with its changes, newest first. */
export async function listRevisions(db: Db): Promise<Revision[]> {
  const revisions = await db.selectFrom('framework_revision').selectAll().orderBy('number', 'desc').execute();
  // The largest integer the column holds: every revision there is.
  const changes = await changesUpTo(db, 2_147_483_647);
  return revisions.map((revision) => ({
    number: revision.number,
    publishedAt: revision.published_at,
    publishedBy: revision.published_by_label,
    summary: revision.summary,
    changes: changes.filter((change) => change.revision === revision.number),
  }));
}

/** The published changes to one statement, oldest first. */
export async function historyOf(db: Db, statementId: string): Promise<StatementChange[]> {
  const rows = await db.selectFrom('framework_statement_change').selectAll().where('statement_id', '=', statementId).orderBy('revision').execute();
  return rows.map(changeFromRow);
}

export type NewStatementChange = Omit<StatementChange, 'revision' | 'previousText'>;

/**
 * Publishes the next revision with these changes, inside the caller's transaction so that whatever
 * accepted the changes (an amendment's decision) and the revision stand or fall together. Revisions
 * are numbered one at a time (an advisory lock), and each change records the wording it replaced.
 */
export async function publishRevision(transaction: Transaction<Schema>, catalogue: Catalogue, revision: { summary: string; publishedBy: string; changes: readonly NewStatementChange[] }): Promise<number> {
  if (revision.changes.length === 0) throw new Error('A revision needs at least one change');
  await sql`select pg_advisory_xact_lock(7362017)`.execute(transaction);
  const number = (await latestRevision(transaction)) + 1;
  const before = applyChanges(seedStatements(catalogue), await changesUpTo(transaction, number - 1));
  await transaction.insertInto('framework_revision').values({ number, published_by_label: revision.publishedBy, summary: revision.summary }).execute();
  await transaction
    .insertInto('framework_statement_change')
    .values(
      revision.changes.map((change) => ({
        revision: number,
        statement_id: change.statementId,
        change: change.change,
        kind: change.kind,
        template: change.template,
        layer: change.layer,
        tier: change.tier,
        thread: change.thread,
        parent_id: change.parentId,
        text: change.text,
        previous_text: before.find((statement) => statement.id === change.statementId)?.text ?? null,
        reason: change.reason,
      })),
    )
    .execute();
  return number;
}
