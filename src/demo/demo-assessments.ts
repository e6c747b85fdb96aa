/**
 * The demo's self-assessments (fictional): the demo authority (Leeds) has a signed-off assessment of
 * every scope for 2025/26 (template 3 by its demo school, the rest by the authority) and one in
 * progress for 2026/27 that carried it forward, partly re-rated; ten more authorities, five in
 * Yorkshire and The Humber and five in the North West, have signed-off 2025/26 assessments of the
 * threads and templates 1, 2, 4 and 5, so that peer distributions (shown from five authorities)
 * appear for both regions and England. A regional adviser has moderated a sample of the demo
 * authority's threads, partly agreed; and five proposed changes to the framework wait for review.
 *
 * Ratings are generated, not real: each authority has its own strength, each statement its own
 * difficulty (the same everywhere, so authorities agree more on some statements than others), and
 * each rating some noise, from seeded generators, so every load makes the same demo. Rows are
 * written with a few bulk inserts in one transaction: all of it or none.
 */
import { createHash, randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { Kysely, Transaction } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { statementsInScope } from '../assessment/scope.js';
import type { RatingFields } from '../assessment/store.js';
import { statementRowOf } from '../assessment/store.js';
import type { AssessmentScope, Confidence } from '../assessment/tables.js';
import { demoAuthorityCode } from '../auth/demo.js';
import type { Schema } from '../db/schema.js';
import { loadCatalogue } from '../framework/catalogue.js';
import type { FrameworkStatement } from '../framework/revisions.js';
import { statementsAt } from '../framework/revisions.js';
import { createRandom } from '../stats/random.js';
import type { SeededRandom } from '../stats/random.js';
import { demoSettingUrn } from './demo-settings.js';

export const demoPreviousPeriod = '2025/26';
export const demoCurrentPeriod = '2026/27';

/** The demo's peers, by region: real authority codes; the demo authority (Leeds) makes six in its region. */
export const demoPeerAuthorities: Readonly<Record<string, readonly string[]>> = {
  // Yorkshire and The Humber: Bradford, Wakefield (the other demo authorities), Kirklees, Calderdale, Sheffield.
  E12000003: ['E08000032', 'E08000036', 'E08000034', 'E08000033', 'E08000039'],
  // North West: Manchester, Salford, Trafford, Stockport, Bolton.
  E12000002: ['E08000003', 'E08000006', 'E08000009', 'E08000007', 'E08000001'],
};

const authorityScopes: readonly AssessmentScope[] = ['threads', 'T1', 'T2', 'T4', 'T5'];

/** Whose hands the ratings passed through, as the history shows them. */
const raters = ['Head of early help', 'Early years lead', 'Head of school improvement', 'Virtual school head', 'Family hubs manager', 'Performance and intelligence lead', 'Inclusion lead', 'Partnership manager'];
const owners = ['Head of early help', 'Early years lead', 'Head of school improvement', 'Virtual school head', 'Family hubs manager', 'Designated clinical officer (SEND)', 'Children’s Trust board', 'Workforce development lead'];
const schoolRaters = ['Headteacher', 'Deputy headteacher', 'SENCO', 'Pupil premium lead'];

const evidenceNotes: Record<number, readonly string[]> = {
  1: [
    'Discussed at the partnership board; no agreed approach yet and practice depends on individual staff.',
    'Only anecdotal examples so far; nothing written down or measured.',
    'Raised in the last peer challenge as a gap; work has not started.',
  ],
  2: [
    'A pilot in two localities; the evaluation report is due next term.',
    'Agreed in the early help strategy, but so far only some settings and teams work this way.',
    'Audit of 20 case files found this in about half of them.',
    'Training delivered to the first cohort of practitioners; roll-out continues.',
  ],
  3: [
    'Happens routinely across the authority; case file audits and the quarterly dashboard show it.',
    'Written into the service specification and checked in contract monitoring.',
    'Partnership board minutes and the annual report evidence it; families’ feedback is positive.',
    'Ofsted’s last inspection noted this as a strength.',
  ],
  4: [
    'Sustained for three years; the gap for children on free school meals has narrowed each year.',
    'How every team works: reviewed annually with families, and independently evaluated.',
    'Shared as practice with neighbouring authorities; outcomes tracked over time show the difference.',
  ],
};

const nextSteps = [
  'Extend the locality pilot to all wards and evaluate it',
  'Agree a shared protocol with schools and health visitors',
  'Add this to the case file audit and report it quarterly',
  'Train the remaining practitioners and check it in supervision',
  'Ask families what would help, through the parent carer forum',
  'Set a measure on the partnership dashboard and review it termly',
  'Write it into the commissioning specification at the next renewal',
];

const notApplicableReasons = ['We commission no service of this kind; the neighbouring authority provides it for our families.', 'Not part of our remit: the health trust leads this and reports to the board.'];

/** FNV-1a of a text: a seed per statement, the same on every load. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
}

/** How hard a statement is, everywhere: shared by all authorities, so their ratings agree more on some statements than others. */
function difficultyOf(statement: FrameworkStatement): number {
  const layer = { frontline: -0.1, processes: 0, strategy: 0.1, governance: 0.15 }[statement.layer ?? ''] ?? 0;
  const tier = { universal: 0.25, targeted: 0.05, complex: -0.15, specialist: -0.3 }[statement.tier ?? ''] ?? 0;
  return createRandom(hashOf(statement.id)).normal() * 0.55 - layer - tier;
}

function pick<T>(random: SeededRandom, list: readonly T[]): T {
  return list[Math.floor(random.uniform() * list.length)]!;
}

function clampLevel(value: number): number {
  return Math.min(4, Math.max(1, Math.round(value)));
}

function day(iso: string, plusDays: number): Date {
  return new Date(Date.parse(`${iso}T09:00:00Z`) + Math.round(plusDays * 86_400_000));
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A generated rating as a row of assessment_rating (the demo and the benchmark load them in bulk). */
export function demoRatingRow(laCode: string, assessmentId: string, rating: DemoRating, extra: { carried_forward?: boolean; version?: number } = {}) {
  return {
    la_code: laCode,
    assessment_id: assessmentId,
    statement_id: rating.statementId,
    level: rating.level,
    not_applicable: rating.notApplicable,
    not_applicable_reason: rating.notApplicableReason,
    note: rating.note,
    links: JSON.stringify(rating.links),
    confidence: rating.confidence,
    next_step: rating.nextStep,
    next_step_owner: rating.nextStepOwner,
    next_step_due: rating.nextStepDue,
    updated_by: null,
    updated_by_label: rating.updatedBy,
    updated_at: rating.updatedAt,
    ...extra,
  };
}

/** A generated rating: what a form would set, with who set it and when. */
export interface DemoRating extends RatingFields {
  statementId: string;
  updatedBy: string;
  updatedAt: Date;
}

/**
 * One authority's ratings of a scope: the level is round(2.45 + strength − difficulty + noise), kept
 * to 1..4, with evidence notes, links, confidence and next steps to match; a few general conditions
 * or "this means" items are not applicable.
 */
export function generateDemoRatings(statements: readonly FrameworkStatement[], options: { seed: number; strength: number; slug: string; school?: boolean; from: string }): DemoRating[] {
  const random = createRandom(options.seed);
  return statements.map((statement, index) => {
    const latent = 2.45 + options.strength - difficultyOf(statement) + random.normal() * 0.55;
    const notApplicable = (statement.kind === 'thread-means' || statement.kind === 'general-condition') && random.uniform() < 0.02;
    const level = notApplicable ? null : clampLevel(latent);
    const confidence: Confidence | null = level === null ? null : level >= 4 || (level === 3 && random.uniform() < 0.5) ? 'high' : level === 1 || (level === 2 && random.uniform() < 0.4) ? 'low' : 'medium';
    const withStep = level !== null && (level <= 2 || random.uniform() < 0.3);
    const updatedAt = day(options.from, 20 + ((index * 37) % 230) + random.uniform());
    return {
      statementId: statement.id,
      level,
      notApplicable,
      notApplicableReason: notApplicable ? pick(random, notApplicableReasons) : '',
      note: level === null ? '' : pick(random, evidenceNotes[level]!),
      links: level !== null && random.uniform() < 0.3 ? [{ url: `https://www.example.org/${options.slug}/evidence/${statement.id.toLowerCase()}`, title: level >= 3 ? 'Annual report extract' : 'Partnership board minutes' }] : [],
      confidence,
      nextStep: withStep ? pick(random, nextSteps) : '',
      nextStepOwner: withStep ? pick(random, options.school === true ? schoolRaters : owners) : '',
      nextStepDue: withStep ? isoDate(day(options.from, 300 + Math.floor(random.uniform() * 200))) : null,
      updatedBy: pick(random, options.school === true ? schoolRaters : raters),
      updatedAt,
    };
  });
}

/** A one-page PDF (1.4) saying `lines`: small, valid, opened by any reader. */
export function tinyPdf(lines: readonly string[]): Buffer {
  const escape = (text: string) => text.replace(/[\\()]/g, (character) => `\\${character}`).replace(/[^\x20-\x7e]/g, '-');
  const stream = `BT /F1 12 Tf 36 110 Td 16 TL ${lines.map((line) => `(${escape(line)}) Tj T*`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 150] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A small PNG bar chart of `values` (each 1..4): valid, a few hundred bytes. */
export function tinyPng(values: readonly number[]): Buffer {
  const barWidth = 8;
  const width = values.length * barWidth;
  const height = 32;
  const raw = Buffer.alloc((width * 3 + 1) * height, 255);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const value = values[Math.floor(x / barWidth)]!;
      const filled = x % barWidth !== barWidth - 1 && height - y <= value * 8;
      if (filled) raw.set([29, 112, 184], y * (width * 3 + 1) + 1 + x * 3);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

type Db = Kysely<Schema> | Transaction<Schema>;

async function insertChunks<T extends 'assessment' | 'assessment_statement' | 'assessment_rating' | 'assessment_evidence_file' | 'assessment_moderation_rating' | 'framework_amendment'>(
  db: Db,
  table: T,
  rows: readonly Record<string, unknown>[],
  size = 1000,
): Promise<void> {
  for (let start = 0; start < rows.length; start += size) {
    // The rows are built to the table's columns above; Kysely's per-table insert type is too narrow for a shared helper.
    await db
      .insertInto(table)
      .values(rows.slice(start, start + size) as never)
      .execute();
  }
}

interface Organisation {
  id: string;
  laCode: string;
  name: string;
}

interface PlannedAssessment {
  id: string;
  organisation: Organisation;
  scope: AssessmentScope;
  statements: FrameworkStatement[];
  ratings: DemoRating[];
}

/**
 * Loads the demo's assessments, moderation and proposed amendments unless the demo authority has
 * assessments already. Needs the area organisations and demo accounts (src/auth/demo.ts) and the
 * demo school (URN 999001). Returns whether it loaded anything.
 */
export async function loadDemoAssessments(db: Kysely<Schema>, log: (message: string) => void = () => undefined): Promise<boolean> {
  const started = Date.now();
  const authorityRows = await db.selectFrom('organisation').select(['id', 'la_code', 'name']).where('kind', '=', 'local-authority').where('area_code', 'in', [demoAuthorityCode, ...Object.values(demoPeerAuthorities).flat()]).execute();
  const authorities = new Map(authorityRows.map((row) => [row.la_code!, { id: row.id, laCode: row.la_code!, name: row.name }]));
  const leeds = authorities.get(demoAuthorityCode);
  if (leeds === undefined) return false;
  const existing = await db.selectFrom('assessment').select('id').where('la_code', '=', demoAuthorityCode).limit(1).executeTakeFirst();
  if (existing !== undefined) return false;

  const schoolRow = await db.selectFrom('organisation').select(['id', 'name', 'la_code']).where('kind', '=', 'setting').where('urn', '=', String(demoSettingUrn)).executeTakeFirst();
  const school = schoolRow?.la_code === demoAuthorityCode ? { id: schoolRow.id, laCode: demoAuthorityCode, name: schoolRow.name } : undefined;
  const accounts = new Map(
    (await db.selectFrom('user_account').select(['id', 'email', 'display_name']).where('email', 'in', ['leader@demo.invalid', 'setting-leader@demo.invalid', 'regional-adviser@demo.invalid']).execute()).map((row) => [
      row.email,
      { id: row.id, label: row.display_name || row.email },
    ]),
  );
  const leader = accounts.get('leader@demo.invalid') ?? { id: null, label: 'Director of Children’s Services' };
  const headteacher = accounts.get('setting-leader@demo.invalid') ?? { id: null, label: 'Headteacher' };

  const catalogue = loadCatalogue();
  const { revision, statements } = await statementsAt(db, catalogue);
  const inScope = new Map((['threads', 'T1', 'T2', 'T3', 'T4', 'T5'] as const).map((scope) => [scope, statementsInScope(statements, scope)]));

  // Leeds a little ahead of the average, the rest spread around it; each authority and scope its own seed.
  const plans: PlannedAssessment[] = [];
  const peers = Object.values(demoPeerAuthorities).flat();
  const strengthRandom = createRandom(2025);
  const strengths = new Map([demoAuthorityCode, ...peers].map((code) => [code, code === demoAuthorityCode ? 0.2 : strengthRandom.normal() * 0.4]));
  [demoAuthorityCode, ...peers].forEach((code, authorityIndex) => {
    const organisation = authorities.get(code);
    if (organisation === undefined) return;
    const slug = (localAuthorityByGss(code)?.name ?? code).toLowerCase().replace(/[^a-z]+/g, '-');
    authorityScopes.forEach((scope, scopeIndex) => {
      const scoped = inScope.get(scope)!;
      plans.push({ id: randomUUID(), organisation, scope, statements: scoped, ratings: generateDemoRatings(scoped, { seed: 1000 + authorityIndex * 10 + scopeIndex, strength: strengths.get(code)!, slug, from: '2025-09-15' }) });
    });
  });
  if (school !== undefined) {
    const scoped = inScope.get('T3')!;
    plans.push({ id: randomUUID(), organisation: school, scope: 'T3', statements: scoped, ratings: generateDemoRatings(scoped, { seed: 999, strength: 0.1, slug: 'chapel-fold', school: true, from: '2025-09-15' }) });
  }

  const assessmentRows: Record<string, unknown>[] = [];
  const statementRows: Record<string, unknown>[] = [];
  const ratingRows: Record<string, unknown>[] = [];
  const evidenceRows: Record<string, unknown>[] = [];
  const addAssessment = (plan: PlannedAssessment, period: string, status: 'in-progress' | 'signed-off', previousId: string | null) => {
    const isSchool = plan.scope === 'T3';
    const signer = plan.organisation.laCode === demoAuthorityCode ? (isSchool ? headteacher : leader) : { id: null, label: `Director of Children’s Services, ${plan.organisation.name}` };
    const createdAt = day(period === demoPreviousPeriod ? '2025-09-15' : '2026-09-14', 0);
    assessmentRows.push({
      la_code: plan.organisation.laCode,
      id: plan.id,
      organisation_id: plan.organisation.id,
      scope: plan.scope,
      period,
      catalogue_version: catalogue.version,
      catalogue_revision: revision,
      status,
      previous_id: previousId,
      owner_user_id: null,
      owner_label: isSchool ? 'Deputy headteacher' : 'Performance and intelligence lead',
      created_at: createdAt,
      submitted_at: status === 'signed-off' ? day('2026-06-19', 0) : null,
      submitted_by_label: status === 'signed-off' ? (isSchool ? 'Deputy headteacher' : 'Performance and intelligence lead') : null,
      signed_off_at: status === 'signed-off' ? day('2026-07-02', 0) : null,
      signed_off_by: status === 'signed-off' ? signer.id : null,
      signed_off_by_label: status === 'signed-off' ? signer.label : null,
    });
    plan.statements.forEach((statement, position) => statementRows.push(statementRowOf(plan.organisation.laCode, plan.id, statement, position)));
  };
  const ratingRow = (plan: PlannedAssessment, rating: DemoRating, extra: { carried_forward: boolean; version: number }) => demoRatingRow(plan.organisation.laCode, plan.id, rating, extra);
  const evidenceRow = (plan: PlannedAssessment, statementId: string, filename: string, mediaType: string, content: Buffer, carriedFrom: string | null, id = randomUUID()) => ({
    la_code: plan.organisation.laCode,
    id,
    assessment_id: plan.id,
    statement_id: statementId,
    filename,
    media_type: mediaType,
    size_bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
    carried_from: carriedFrom,
    uploaded_by: null,
    uploaded_by_label: 'Performance and intelligence lead',
    uploaded_at: day('2026-02-10', 0),
  });

  for (const plan of plans) {
    addAssessment(plan, demoPreviousPeriod, 'signed-off', null);
    for (const rating of plan.ratings) ratingRows.push(ratingRow(plan, rating, { carried_forward: false, version: 1 }));
  }

  // The demo authority's evidence files: a few small documents and charts.
  const leedsPlans = plans.filter((plan) => plan.organisation.laCode === demoAuthorityCode);
  const files: { scope: AssessmentScope; statement: number; filename: string; mediaType: string; content: Buffer }[] = [
    { scope: 'threads', statement: 0, filename: 'aspiration-campaign-evaluation.pdf', mediaType: 'application/pdf', content: tinyPdf(['Demo data (fictional)', 'Aspiration campaign: evaluation summary, 2025/26', 'Reach: 14 secondary schools, 3,200 pupils']) },
    { scope: 'threads', statement: 1, filename: 'parents-survey-results.png', mediaType: 'image/png', content: tinyPng([2, 3, 3, 4, 2, 3]) },
    { scope: 'threads', statement: 11, filename: 'partnership-board-minutes-march-2026.pdf', mediaType: 'application/pdf', content: tinyPdf(['Demo data (fictional)', 'Children and families partnership board, March 2026', 'Item 4: narrowing the gap self-assessment']) },
    { scope: 'T1', statement: 10, filename: 'early-years-dashboard.png', mediaType: 'image/png', content: tinyPng([1, 2, 2, 3, 3, 4, 3]) },
    { scope: 'T3', statement: 0, filename: 'pupil-premium-strategy.pdf', mediaType: 'application/pdf', content: tinyPdf(['Demo data (fictional)', 'Chapel Fold Primary School: pupil premium strategy', 'Identification and tailored support, 2025/26']) },
  ];
  const fileIds = new Map<string, { id: string; file: (typeof files)[number]; statementId: string }[]>();
  for (const file of files) {
    const plan = leedsPlans.find((candidate) => candidate.scope === file.scope);
    const statementId = plan?.statements[file.statement]?.id;
    if (plan === undefined || statementId === undefined) continue;
    const row = evidenceRow(plan, statementId, file.filename, file.mediaType, file.content, null);
    evidenceRows.push(row);
    fileIds.set(plan.scope, [...(fileIds.get(plan.scope) ?? []), { id: row.id, file, statementId }]);
  }

  // 2026/27 in progress for the demo authority: carried forward, a third re-rated (mostly the same, some up, some down).
  const current: PlannedAssessment[] = [];
  for (const previous of leedsPlans) {
    const plan: PlannedAssessment = { ...previous, id: randomUUID() };
    current.push(plan);
    addAssessment(plan, demoCurrentPeriod, 'in-progress', previous.id);
    const random = createRandom(hashOf(`${previous.scope}-2026`));
    for (const rating of previous.ratings) {
      if (random.uniform() >= 0.35 || rating.level === null) {
        ratingRows.push(ratingRow(plan, rating, { carried_forward: true, version: 1 }));
        continue;
      }
      const move = random.uniform();
      const level = clampLevel(rating.level + (move < 0.3 ? 1 : move < 0.5 ? -1 : 0));
      const note = level > rating.level ? `Re-checked in autumn 2026: now ${['', 'still patchy', 'in place in most teams', 'routine and evidenced', 'sustained and reviewed'][level]}. ${rating.note}` : level < rating.level ? `Re-checked in autumn 2026: slipped after staff changes. ${rating.note}` : `Re-checked in autumn 2026: no change. ${rating.note}`;
      ratingRows.push(
        ratingRow(plan, { ...rating, level, note, updatedAt: day('2026-09-21', random.uniform() * 60), nextStepDue: rating.nextStepDue === null ? null : isoDate(day(rating.nextStepDue, 365)) }, { carried_forward: false, version: 2 }),
      );
    }
    for (const carried of fileIds.get(previous.scope) ?? []) evidenceRows.push(evidenceRow(plan, carried.statementId, carried.file.filename, carried.file.mediaType, carried.file.content, carried.id));
  }

  await db.transaction().execute(async (transaction) => {
    await insertChunks(transaction, 'assessment', assessmentRows);
    await insertChunks(transaction, 'assessment_statement', statementRows);
    await insertChunks(transaction, 'assessment_rating', ratingRows);
    await insertChunks(transaction, 'assessment_evidence_file', evidenceRows, 50);
    const threads = leedsPlans.find((plan) => plan.scope === 'threads');
    const adviser = accounts.get('regional-adviser@demo.invalid');
    if (threads !== undefined && adviser !== undefined) await addModeration(transaction, threads, adviser, leader.label);
    await addAmendments(transaction, authorities, statements);
  });
  log(`Demo mode: ${assessmentRows.length} self-assessments (${ratingRows.length.toLocaleString('en-GB')} ratings) of ${authorities.size} authorities loaded in ${Date.now() - started} ms.`);
  return true;
}

/**
 * The regional adviser's moderation of the demo authority's 2025/26 threads: 20 statements rated
 * blind and submitted; 7 differ from the self-rating by a level; 12 agreed so far (some at the
 * moderator's level, some at the authority's), the rest still to discuss.
 */
async function addModeration(db: Transaction<Schema>, plan: PlannedAssessment, adviser: { id: string; label: string }, leaderLabel: string): Promise<void> {
  const sample = plan.ratings.filter((_, index) => index % 3 === 0).slice(0, 20);
  const { id } = await db
    .insertInto('assessment_moderation')
    .values({
      la_code: plan.organisation.laCode,
      assessment_id: plan.id,
      moderator_user_id: adviser.id,
      moderator_label: adviser.label,
      moderator_organisation: 'Yorkshire and The Humber (regional adviser)',
      sample: sample.map((rating) => rating.statementId),
      status: 'submitted',
      invited_by_label: leaderLabel,
      invited_at: day('2026-04-28', 0),
      submitted_at: day('2026-05-29', 0),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const random = createRandom(7);
  const rows = sample.map((rating, index) => {
    const differs = index % 3 === 1 && rating.level !== null;
    const level = rating.level === null ? null : differs ? clampLevel(rating.level + (random.uniform() < 0.65 ? -1 : 1)) : rating.level;
    const agreed = index < 12;
    const agreedLevel = !agreed || level === null ? null : differs && random.uniform() < 0.5 ? rating.level : level;
    return {
      la_code: plan.organisation.laCode,
      moderation_id: id,
      statement_id: rating.statementId,
      level,
      not_applicable: rating.notApplicable,
      comment: differs ? (level! < rating.level! ? 'The evidence shows this in some localities, not yet across the authority.' : 'Stronger than rated: the case file audit shows it routinely.') : 'The evidence supports the rating.',
      agreed_level: agreedLevel,
      agreed_not_applicable: agreed && rating.notApplicable,
      agreed_comment: agreed ? (differs ? 'Agreed after discussion of the locality audit.' : 'Agreed as rated.') : '',
      agreed_by_label: agreed ? `${leaderLabel} with ${adviser.label}` : null,
      agreed_at: agreed ? day('2026-06-10', 0) : null,
      updated_at: day('2026-06-10', 0),
    };
  });
  await insertChunks(db, 'assessment_moderation_rating', rows);
}

/** Five proposed changes from five authorities, two about the same statement, waiting for the national team. */
async function addAmendments(db: Transaction<Schema>, authorities: Map<string, Organisation>, statements: readonly FrameworkStatement[]): Promise<void> {
  const exists = (id: string) => statements.some((statement) => statement.id === id);
  const proposals = [
    {
      la: 'E08000032',
      by: 'Head of early years, Bradford',
      change: 'amend' as const,
      statement_id: 'T1-FRONTLINE-UNIVERSAL-03',
      proposed_text:
        'Children’s centres, family hubs and early years settings work closely with perinatal and infant mental health services and children’s mental health professionals, giving practitioners information, advice and support to maintain the emotional well-being of children and their families.',
      reason: 'Perinatal and infant mental health services now lead much of this work; the statement should name them.',
      local_evidence: 'Our perinatal mental health pathway (2025) reaches 1,100 families a year through the family hubs.',
    },
    {
      la: 'E08000003',
      by: 'Early help strategic lead, Manchester',
      change: 'amend' as const,
      statement_id: 'T1-FRONTLINE-UNIVERSAL-03',
      proposed_text:
        'Early years settings and family hubs work with infant mental health and perinatal services, so practitioners get information, advice and support to maintain the emotional well-being of children and their families.',
      reason: 'Children’s centres have become family hubs here; the statement reads as if they no longer apply.',
      local_evidence: 'Family hub transformation programme evaluation, 2025.',
    },
    {
      la: demoAuthorityCode,
      by: 'Family hubs manager, Leeds',
      change: 'add' as const,
      template: 5,
      layer: 'frontline',
      tier: 'targeted',
      proposed_text: 'Family hubs offer one place where families with a child at risk of falling behind get early help, health and education support together, with a named lead professional.',
      reason: 'The template has no statement about family hubs, which now carry most early intervention.',
      local_evidence: 'Ten family hubs opened 2024–2026; early help assessments started in hubs rose by a third.',
    },
    {
      la: 'E08000039',
      by: 'School improvement adviser, Sheffield',
      change: 'amend' as const,
      statement_id: 'GT03-M2',
      proposed_text: 'breakfast clubs for all children through family hubs and schools, free to every primary pupil and to families eligible for free school meals.',
      reason: 'Free breakfast clubs in primary schools have changed what this item should ask for.',
      local_evidence: 'All 130 of our primary schools run a free breakfast club.',
    },
    {
      la: 'E08000009',
      by: 'Virtual school head, Trafford',
      change: 'retire' as const,
      statement_id: 'GT01-M1',
      proposed_text: '',
      reason: 'The national “you can do it” campaign ended long ago; local aspiration work is covered by the thread itself.',
      local_evidence: '',
    },
  ];
  const rows = proposals.flatMap((proposal, index) => {
    const organisation = authorities.get(proposal.la);
    const statementId = 'statement_id' in proposal ? (proposal.statement_id ?? null) : null;
    if (organisation === undefined || (statementId !== null && !exists(statementId))) return [];
    return [
      {
        la_code: organisation.laCode,
        organisation_id: organisation.id,
        proposed_by: null,
        proposed_by_label: proposal.by,
        proposed_at: day('2026-10-05', index * 9),
        change: proposal.change,
        statement_id: statementId,
        template: 'template' in proposal ? proposal.template : null,
        layer: 'layer' in proposal ? proposal.layer : null,
        tier: 'tier' in proposal ? proposal.tier : null,
        thread: null,
        proposed_text: proposal.proposed_text,
        reason: proposal.reason,
        local_evidence: proposal.local_evidence,
        status: 'proposed' as const,
      },
    ];
  });
  await insertChunks(db, 'framework_amendment', rows);
}
