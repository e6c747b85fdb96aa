/**
 * The published practice that serves a golden thread or a template statement: what the
 * catalogue's pages list beside the framework's own words.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { practiceReference } from './reference.js';
import type { PracticeGrade } from './tables.js';

export interface ServingPractice {
  id: string;
  reference: string;
  title: string;
  grade: PracticeGrade;
  evidenceStrength: number;
  impactMonths: number | null;
  href: string;
}

/** Most items a catalogue page lists; the library's search finds the rest. */
export const servingLimit = 10;

/** Published items serving the thread (`GT03`) or statement, best evidence first. */
export async function practiceServing(db: Kysely<Schema>, target: { thread: string } | { statement: string }): Promise<{ items: ServingPractice[]; total: number; searchHref: string }> {
  const column = 'thread' in target ? 'threads' : 'statements';
  const value = 'thread' in target ? target.thread : target.statement;
  const base = db.selectFrom('practice_item').where('status', '=', 'published').where((eb) => eb(eb.val(value), '=', eb.fn.any(column)));
  const [rows, count] = await Promise.all([
    base
      .select(['id', 'reference', 'title', 'grade', 'evidence_strength', 'impact_months'])
      .orderBy('evidence_strength', 'desc')
      .orderBy('impact_months', (order) => order.desc().nullsLast())
      .orderBy('reference')
      .limit(servingLimit)
      .execute(),
    base.select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((row) => ({
      id: row.id,
      reference: practiceReference(row.reference),
      title: row.title,
      grade: row.grade as PracticeGrade,
      evidenceStrength: row.evidence_strength ?? 1,
      impactMonths: row.impact_months === null ? null : Number(row.impact_months),
      href: `/practice/${row.id}`,
    })),
    total: Number(count.count),
    searchHref: `/practice?${'thread' in target ? 'thread' : 'statement'}=${encodeURIComponent(value)}`,
  };
}

/** How many published items each authority has (by where the practice ran); authorities with none are absent. */
export async function publishedCountsByAuthority(db: Kysely<Schema>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('practice_item')
    .select(['la_code', (eb) => eb.fn.countAll<string>().as('items')])
    .where('status', '=', 'published')
    .where('la_code', 'is not', null)
    .groupBy('la_code')
    .execute();
  return new Map(rows.map((row) => [row.la_code!, Number(row.items)]));
}

/** An authority's published items, newest first, as its network profile lists them. */
export async function publishedItemsOf(db: Kysely<Schema>, laCode: string): Promise<(Omit<ServingPractice, 'impactMonths'> & { publishedAt: Date })[]> {
  const rows = await db
    .selectFrom('practice_item')
    .select(['id', 'reference', 'title', 'grade', 'evidence_strength', 'published_at'])
    .where('status', '=', 'published')
    .where('la_code', '=', laCode)
    .orderBy('published_at', 'desc')
    .orderBy('reference')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    reference: practiceReference(row.reference),
    title: row.title,
    grade: row.grade as PracticeGrade,
    evidenceStrength: row.evidence_strength ?? 1,
    publishedAt: row.published_at ?? new Date(0),
    href: `/practice/${row.id}`,
  }));
}

/**
 * For each authority: items submitted to the call for evidence (every item that has been sent, in
 * whatever state now) and items published. Authorities with none are absent.
 */
export async function practiceCountsByAuthority(db: Kysely<Schema>, laCodes: readonly string[]): Promise<Map<string, { submitted: number; published: number }>> {
  if (laCodes.length === 0) return new Map();
  const rows = await db
    .selectFrom('practice_item')
    .select([
      'la_code',
      (eb) => eb.fn.countAll<string>().filterWhere('submitted_at', 'is not', null).as('submitted'),
      (eb) => eb.fn.countAll<string>().filterWhere('status', '=', 'published').as('published'),
    ])
    .where('la_code', 'in', laCodes)
    .groupBy('la_code')
    .execute();
  return new Map(rows.map((row) => [row.la_code!, { submitted: Number(row.submitted), published: Number(row.published) }]));
}
