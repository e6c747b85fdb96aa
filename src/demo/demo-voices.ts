/**
 * The demo's surveys for Leeds: a children's survey (open, with its children's version and emoji
 * scale), a parents' survey (closed last term) and a draft still being built; the first two each with a few thousand synthetic responses.
 * Seeded, so every demo has the same answers. Children in care, young carers and children at risk
 * of harm agree less often (as surveys of children's experience tend to find); some groups are so
 * small among respondents that their figures are withheld. A few free-text answers, one with a
 * name and a telephone number, show the personal-data check at work.
 */
import type { Kysely } from 'kysely';
import { demoAuthorityCode } from '../auth/demo.js';
import type { Schema } from '../db/schema.js';
import { createRandom } from '../stats/index.js';
import type { SeededRandom } from '../stats/index.js';
import type { Declared } from '../voices/model.js';
import { insertResponses } from '../voices/responses.js';
import type { CheckedResponse } from '../voices/responses.js';
import { addQuestion, closeSurvey, createSurvey, openSurvey, questionsOf, readSurvey } from '../voices/store.js';
import type { Question } from '../voices/store.js';

/** The share of respondents in each group (of those who say), and how much less often they agree (percentage points). */
const groupProfile: Record<string, { share: number; lower: number }> = {
  'poorer-socio-economic-groups': { share: 0.24, lower: 6 },
  'children-in-care': { share: 0.02, lower: 18 },
  'children-with-disabilities': { share: 0.07, lower: 8 },
  'children-with-sen': { share: 0.14, lower: 7 },
  'excluded-from-school': { share: 0.0015, lower: 20 },
  'poor-attendance': { share: 0.09, lower: 10 },
  'ethnic-minority-backgrounds': { share: 0.26, lower: 2 },
  'young-offenders': { share: 0.001, lower: 15 },
  'young-carers': { share: 0.05, lower: 14 },
  'at-risk-of-significant-harm': { share: 0.01, lower: 16 },
  'living-with-vulnerable-adults': { share: 0.04, lower: 9 },
  'not-fluent-in-english': { share: 0.06, lower: 5 },
  'asylum-seekers-refugees': { share: 0.0012, lower: 6 },
};

const day = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** A respondent: which groups they said they are in (one in eight skip the question), and how much less likely they are to agree. */
function respondent(random: SeededRandom, groupIds: readonly string[]): { declared: Declared[]; lower: number } {
  if (random.uniform() < 0.125) return { declared: groupIds.map(() => 'not-said'), lower: 0 };
  let lower = 0;
  const declared = groupIds.map((id): Declared => {
    if (random.uniform() < 0.04) return 'not-said';
    const profile = groupProfile[id] ?? { share: 0, lower: 0 };
    if (random.uniform() < profile.share) {
      lower += profile.lower;
      return 'in';
    }
    return 'out';
  });
  return { declared, lower: Math.min(lower, 40) };
}

/** A Likert answer around a chance of agreeing: 4 or 5 with that chance, else 1 to 3. */
function likert(random: SeededRandom, agreeChance: number): string {
  if (random.uniform() < agreeChance) return random.uniform() < 0.45 ? '5' : '4';
  const u = random.uniform();
  return u < 0.2 ? '1' : u < 0.5 ? '2' : '3';
}

function responsesFor(questions: readonly Question[], groupIds: readonly string[], count: number, seed: number, base: Record<string, number>, freeTexts: readonly string[]): CheckedResponse[] {
  const random = createRandom(seed);
  const responses: CheckedResponse[] = [];
  for (let index = 0; index < count; index++) {
    const who = respondent(random, groupIds);
    const answers = new Map<string, string>();
    for (const question of questions) {
      if (random.uniform() < 0.03) continue;
      const chance = Math.max(0.05, ((base[question.text] ?? 70) - who.lower) / 100);
      if (question.kind === 'likert') answers.set(question.id, likert(random, chance));
      else if (question.kind === 'yes-no') answers.set(question.id, random.uniform() < chance ? 'yes' : 'no');
      else if (question.kind === 'choice') answers.set(question.id, random.uniform() < chance ? question.options[0]! : question.options[1 + Math.floor(random.uniform() * (question.options.length - 1))]!);
    }
    const text = questions.find((question) => question.kind === 'text');
    if (text !== undefined && index < freeTexts.length) answers.set(text.id, freeTexts[index]!);
    responses.push({ answers, declared: who.declared });
  }
  return responses;
}

export async function loadDemoVoices(db: Kysely<Schema>, log: (message: string) => void = () => undefined, clock: () => Date = () => new Date()): Promise<boolean> {
  const existing = await db.selectFrom('survey').select('id').where('la_code', '=', demoAuthorityCode).limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  const now = clock();
  const by = 'the demo loader (fictional demo data)';

  const childrenId = await createSurvey(db, demoAuthorityCode, by, {
    title: 'Children’s voice survey: school and feeling safe',
    audience: 'children',
    introduction: 'Leeds wants to know how children and young people feel about school, feeling safe and getting help. The survey is anonymous.',
    childVersion: true,
    childTitle: 'Tell us how you feel',
    childIntroduction: 'We want to know what school is like for you. There are no right or wrong answers.',
    emojiScale: true,
    asksGroups: true,
    groupsReason: 'So we can see whether some groups of children, such as children in care or young carers, feel less safe or less supported than others, and do something about it. You do not have to answer.',
  });
  let children = (await readSurvey(db, childrenId))!;
  const childQuestions: [string, string, string][] = [
    ['likert', 'I feel safe at school', 'I feel safe at school'],
    ['likert', 'There is an adult at school I can talk to', 'There is a grown-up at school I can talk to'],
    ['likert', 'I enjoy learning', 'I like learning'],
    ['yes-no', 'I have a good friend at school', 'I have a good friend at school'],
    ['likert', 'Adults at school listen to what I say', 'Grown-ups at school listen to me'],
    ['text', 'Is there anything else you want to tell us?', 'Is there anything else you want to tell us?'],
  ];
  for (const [kind, text, childText] of childQuestions) await addQuestion(db, children, { kind, text, childText, options: '', agreeing: [], polarity: 'higher-is-better' });
  await openSurvey(db, children, { opensOn: day(now, -30), closesOn: day(now, 60) });
  children = (await readSurvey(db, childrenId))!;
  const childAnswers = responsesFor(await questionsOf(db, children), children.groupIds, 3200, 9001, {
    'I feel safe at school': 78,
    'There is an adult at school I can talk to': 72,
    'I enjoy learning': 64,
    'I have a good friend at school': 86,
    'Adults at school listen to what I say': 61,
  }, [
    'I like the breakfast club because I get to see my friends before school.',
    'Sometimes people are mean at lunchtime and nobody sees.',
    'My name is Jayden Clarke and my mum’s number is 07700 900123, please call her about the bus.',
    'I wish there were more clubs after school.',
    'The new reading corner is nice.',
  ]);
  await db.transaction().execute((trx) => insertResponses(trx, children, childAnswers, 'online'));

  const parentsId = await createSurvey(db, demoAuthorityCode, by, {
    title: 'Parents’ and carers’ survey: help and schools',
    audience: 'parents',
    introduction: 'Tell us about getting help with parenting and how your child’s school works with you. Anonymous.',
    childVersion: false,
    childTitle: '',
    childIntroduction: '',
    emojiScale: false,
    asksGroups: true,
    groupsReason: 'So we can see whether families of some groups of children find help harder to get. Answer for your child; every question is optional.',
  });
  let parents = (await readSurvey(db, parentsId))!;
  await addQuestion(db, parents, { kind: 'likert', text: 'I know where to get help with parenting', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
  await addQuestion(db, parents, { kind: 'likert', text: 'My child’s school listens to me', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
  await addQuestion(db, parents, { kind: 'choice', text: 'How easy was it to get help when you last needed it?', childText: '', options: 'Easy\nQuite hard\nVery hard\nI did not need help', agreeing: ['Easy'], polarity: 'higher-is-better' });
  await addQuestion(db, parents, { kind: 'text', text: 'What would make it easier to get help?', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
  await openSurvey(db, parents, { opensOn: day(now, -150), closesOn: day(now, -100) });
  parents = (await readSurvey(db, parentsId))!;
  const parentAnswers = responsesFor(await questionsOf(db, parents), parents.groupIds, 2100, 9002, {
    'I know where to get help with parenting': 66,
    'My child’s school listens to me': 70,
    'How easy was it to get help when you last needed it?': 48,
  }, ['A single place to ask, open in the evenings.', 'Someone who calls back.', 'Help in Polish as well as English.']);
  await db.transaction().execute((trx) => insertResponses(trx, parents, parentAnswers, 'online'));
  await closeSurvey(db, parents);

  // A draft still being built, so its questions can be changed, moved and previewed.
  const draftId = await createSurvey(db, demoAuthorityCode, by, {
    title: 'Young people’s survey: things to do',
    audience: 'children',
    introduction: 'What young people do after school and at weekends, and what stops them.',
    childVersion: true,
    childTitle: 'Things to do',
    childIntroduction: 'Tell us what you like doing after school.',
    emojiScale: false,
    asksGroups: true,
    groupsReason: 'So we can see whether some groups of young people find it harder to take part.',
  });
  const draft = (await readSurvey(db, draftId))!;
  await addQuestion(db, draft, { kind: 'likert', text: 'There are enough things for young people to do near where I live', childText: 'There are lots of things to do near my home', options: '', agreeing: [], polarity: 'higher-is-better' });
  await addQuestion(db, draft, { kind: 'choice', text: 'What stops you doing more?', childText: '', options: 'Cost\nGetting there\nNot knowing what is on\nNothing', agreeing: ['Nothing'], polarity: 'higher-is-better' });
  log('Demo mode: a children’s survey (open), a parents’ survey (closed), both with synthetic responses, and a draft for Leeds are ready.');
  return true;
}
