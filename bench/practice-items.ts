/**
 * Practice items for the library benchmark: realistic-ish text (sentences built from the words
 * submitters use, so common and rare words come in believable proportions) and varied facets, written
 * in bulk as the workflow leaves a published item. Seeded, so every run has the same library.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { allLocalAuthorities } from '../src/areas/areas.js';
import type { Schema } from '../src/db/schema.js';
import { findItems, loadCatalogue, OUTCOME_IDS, TIER_IDS } from '../src/framework/catalogue.js';
import type { PracticeContent, PracticeResult } from '../src/practice/content.js';
import { emptyContent, settingTypes } from '../src/practice/content.js';
import type { PracticeGrade } from '../src/practice/tables.js';
import { practiceGrades } from '../src/practice/tables.js';
import { publishedColumns, searchVector } from '../src/practice/workflow.js';
import { createRandom } from '../src/stats/random.js';

const catalogue = loadCatalogue();
export const groups = findItems(catalogue, { kind: 'group' }).map((group) => group.id);
export const threads = findItems(catalogue, { kind: 'golden-thread' }).map((thread) => thread.id);
const statements = findItems(catalogue, { kind: ['matrix-statement', 'general-condition'] }).map((statement) => statement.id);
const authorities = allLocalAuthorities().map((la) => la.gss);
export const regions = [...new Set(allLocalAuthorities().map((la) => la.region))];

const random = createRandom(15);
export const pick = <T>(values: readonly T[]): T => values[Math.floor(random.uniform() * values.length)]!;
export function some<T>(values: readonly T[], most: number, least = 1): T[] {
  const count = least + Math.floor(random.uniform() * (most - least + 1));
  return [...new Set(Array.from({ length: count }, () => pick(values)))];
}

// Words of the kind submitters write, so that the text search meets common and rare words in realistic proportions.
export const activities = [
  'reading buddies', 'phonics catch-up', 'breakfast club', 'mentoring', 'nurture group', 'speech and language therapy', 'family learning', 'homework club',
  'transition support', 'attendance mentoring', 'restorative practice', 'peer tutoring', 'maths recovery', 'school counselling', 'detached youth work',
  'parenting programme', 'outdoor learning', 'music tuition', 'careers guidance', 'virtual school tutoring', 'home visiting', 'sleep clinic', 'healthy eating',
  'sports coaching', 'drama therapy', 'language support', 'forest school', 'play therapy', 'summer school', 'one-to-one tuition', 'story sacks', 'chess club',
  'book gifting', 'coding club', 'young carers forum', 'anger management', 'mindfulness sessions', 'emotional literacy', 'debate club', 'allotment project',
];
const adjectives = ['Intensive', 'Targeted', 'Whole-school', 'Community', 'Early', 'Weekly', 'Evening', 'Holiday', 'Multi-agency', 'Peer-led', 'Family', 'Structured', 'Small-group', 'Online', 'Home-based', 'Saturday'];
export const people = ['pupils', 'children', 'families', 'parents', 'carers', 'teachers', 'teaching assistants', 'volunteers', 'mentors', 'social workers', 'health visitors', 'youth workers', 'governors', 'foster carers', 'school nurses', 'librarians'];
const verbs = ['improved', 'supported', 'raised', 'reduced', 'encouraged', 'strengthened', 'tracked', 'reviewed', 'planned', 'delivered', 'trained', 'measured', 'celebrated', 'coordinated', 'funded', 'extended'];
export const targets = [
  'attendance', 'reading age', 'attainment in mathematics', 'behaviour', 'fixed-term exclusions', 'self-esteem', 'wellbeing', 'vocabulary', 'school readiness',
  'punctuality', 'engagement with learning', 'confidence', 'speech and language', 'homework completion', 'parental involvement', 'writing', 'spelling',
  'friendships', 'resilience', 'healthy weight', 'sleep', 'dental health', 'anxiety', 'placement stability', 'aspirations', 'oracy', 'numeracy', 'punctual arrival',
];
const places = ['the library', 'the children’s centre', 'the primary school', 'the secondary school', 'the community hall', 'the youth centre', 'home', 'the pupil referral unit', 'the sports centre', 'the health centre'];
const times = ['each week', 'twice a week', 'every morning', 'after school', 'during the holidays', 'at weekends', 'for ten weeks', 'for a school year', 'each term'];

function sentence(): string {
  const forms = [
    () => `${capital(pick(people))} ${pick(verbs)} ${pick(targets)} through ${pick(activities)} at ${pick(places)} ${pick(times)}.`,
    () => `The ${pick(activities)} ${pick(verbs)} ${pick(targets)} for ${pick(people)} ${pick(times)}.`,
    () => `We ${pick(verbs)} ${pick(people)} so that ${pick(targets)} and ${pick(targets)} came first.`,
    () => `${capital(pick(targets))} was ${pick(verbs)} by ${pick(people)} working with ${pick(people)} at ${pick(places)}.`,
  ];
  return pick(forms)();
}
function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
/**
 * Real prose about children's services: the sentences of the framework's own statements and
 * narratives (nearly 900 sentences, 2,000 words), so that the items' words follow a natural spread of
 * common and rare ones rather than a few dozen words repeated in every item.
 */
const proseKinds: ReadonlySet<string> = new Set(['matrix-statement', 'general-condition', 'thread-means', 'thread-narrative', 'principle-narrative', 'principle-point', 'summary-headline', 'success-factor', 'matrix-point', 'principle-subpoint', 'template-introduction']);
const prose = catalogue.items
  .filter((item) => proseKinds.has(item.kind))
  .flatMap((item) => item.text.split(/(?<=[.!?])\s+/))
  .filter((text) => {
    const words = text.split(/\s+/).length;
    return words >= 6 && words <= 45;
  });

/** Sentences: two in three from the framework's prose, one in three about the activity. */
function paragraph(sentences: number): string {
  return Array.from({ length: sentences }, () => (random.uniform() < 0.67 ? pick(prose) : sentence())).join(' ');
}

function effectResult(): PracticeResult {
  const value = Math.round((0.25 + random.normal() * 0.2) * 100) / 100;
  const half = Math.round((0.08 + random.uniform() * 0.25) * 100) / 100;
  return {
    outcome: capital(pick(targets)),
    forWhom: `${capital(pick(people))} in ${pick(['Year 3', 'Year 5', 'Year 7', 'Year 9', 'the early years', 'Key Stage 4'])}`,
    measure: 'effect',
    higherIsBetter: true,
    effectSize: value,
    lower: Math.round((value - half) * 100) / 100,
    upper: Math.round((value + half) * 100) / 100,
    n: 20 + Math.floor(random.uniform() * 400),
    mean: null,
    sd: null,
    events: null,
    comparatorMean: null,
    comparatorSd: null,
    comparatorEvents: null,
    comparatorN: null,
  };
}

function content(): PracticeContent {
  const activity = pick(activities);
  return {
    ...emptyContent(),
    title: `${pick(adjectives)} ${activity} for ${pick(people)}`,
    summary: `${capital(activity)} ${pick(verbs)} ${pick(targets)}. ${paragraph(2)}`,
    problem: paragraph(4),
    whatWasDone: paragraph(6),
    implementation: paragraph(3),
    whatWentWrong: paragraph(2),
    evaluation: paragraph(2),
    groups: some(groups, 3),
    outcomes: some(OUTCOME_IDS, 2),
    threads: some(threads, 2, 0),
    statements: some(statements, 3, 0),
    tiers: some(TIER_IDS, 2),
    settingTypes: some(settingTypes, 2),
    ageFrom: 4 + Math.floor(random.uniform() * 6),
    ageTo: 11 + Math.floor(random.uniform() * 7),
    laCode: random.uniform() < 0.9 ? pick(authorities) : null,
    partners: `${capital(pick(people))} and ${pick(people)}`,
    costPerChild: random.uniform() < 0.08 ? 0 : Math.round(Math.exp(3 + random.uniform() * 5)),
    costNotes: `${capital(pick(people))} time and materials`,
    staffing: `${1 + Math.floor(random.uniform() * 4)} ${pick(people)}`,
    durationMonths: 3 + Math.floor(random.uniform() * 30),
    design: pick(['before-after', 'comparison', 'randomised'] as const),
    results: random.uniform() < 0.1 ? [] : Array.from({ length: 1 + Math.floor(random.uniform() * 3) }, effectResult),
    links: [],
    contactName: 'Benchmark contact',
    contactEmail: 'contact@example.org',
    contactPublic: random.uniform() < 0.5,
    consent: true,
  };
}

/**
 * The items, written in bulk as the workflow leaves a published item: its version, its facets from
 * `publishedColumns` and search words from `searchVector` (the very code the panel's decision runs), its trail.
 */
export async function loadPracticeItems(db: Kysely<Schema>, count: number): Promise<number> {
  const batch = 400;
  const start = Date.UTC(2024, 0, 1);
  for (let offset = 0; offset < count; offset += batch) {
    const rows = Array.from({ length: Math.min(batch, count - offset) }, (_, index) => {
      const item = content();
      const grade: PracticeGrade = pick(practiceGrades);
      const published = new Date(start + (offset + index) * 3_600_000);
      const { version: _version, ...columns } = publishedColumns(item, grade, 1 + Math.floor(random.uniform() * 5), 1);
      return { id: randomUUID(), content: item, values: { ...columns, published_at: published, updated_at: published, current_version: 1, submitter_label: 'Benchmark', draft: JSON.stringify(item) } };
    });
    const references = await db.insertInto('practice_item').values(rows.map((row) => ({ id: row.id, ...row.values }))).returning(['id', 'reference']).execute();
    const referenceOf = new Map(references.map((row) => [row.id, row.reference]));
    await db
      .insertInto('practice_search')
      .values(rows.map((row) => ({ item_id: row.id, reference: referenceOf.get(row.id)!, published_at: row.values.published_at, search_vector: searchVector(row.content) })))
      .execute();
    await db
      .insertInto('practice_version')
      .values(rows.map((row) => ({ item_id: row.id, version: 1, content: JSON.stringify(row.content), submitted_by_label: 'Benchmark' })))
      .execute();
  }
  await sql`
    insert into practice_event (item_id, at, kind, actor_label, detail)
    select id, published_at - interval '30 days', 'submitted', 'Benchmark', 'Submitted for moderation' from practice_item
    union all
    select id, published_at, 'published', 'Benchmark', 'Published' from practice_item`.execute(db);
  await sql`analyze`.execute(db);
  const published = await db.selectFrom('practice_item').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'published').executeTakeFirstOrThrow();
  return Number(published.n);
}


/** Words people search the library for. */
const stopWords = new Set(['about', 'after', 'all', 'also', 'and', 'are', 'been', 'being', 'between', 'both', 'can', 'could', 'each', 'for', 'from', 'have', 'into', 'its', 'more', 'most', 'must', 'not', 'only', 'other', 'should', 'such', 'than', 'that', 'the', 'their', 'them', 'there', 'these', 'they', 'this', 'those', 'through', 'was', 'were', 'what', 'when', 'where', 'which', 'while', 'who', 'will', 'with', 'within', 'would', 'your']);

/**
 * Words people search the library for: half the time a topic of the generated sentences, half the
 * time a word of the prose, drawn as often as it occurs there (so common words are searched more).
 */
const topics = [...targets, ...activities.map((activity) => activity.split(' ')[0]!), ...people];
const proseWords = prose.flatMap((text) => text.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((word) => !stopWords.has(word));
export const searchWords = [...Array.from({ length: Math.ceil(proseWords.length / topics.length) }, () => topics).flat(), ...proseWords];
