/**
 * The voices benchmark (issue 20): on PostgreSQL, one survey of BENCH_VOICES_RESPONSES responses
 * (default 50,000) to six closed questions and one free-text question, every respondent asked
 * which of the 13 framework groups they are in (a few per cent in each, some not saying). Then the
 * survey's results by group (one aggregate query, and every figure released under disclosure
 * control), BENCH_VOICES_RUNS times (default 15): target under 1 s. Reports the median and the slowest.
 * `npm run bench -- voices`.
 */
import { sql } from 'kysely';
import { createRandom } from '../src/stats/index.js';
import type { Declared } from '../src/voices/model.js';
import { insertResponses } from '../src/voices/responses.js';
import type { CheckedResponse } from '../src/voices/responses.js';
import { surveyResults } from '../src/voices/results.js';
import { addQuestion, createSurvey, openSurvey, questionsOf, readSurvey } from '../src/voices/store.js';
import { openBenchDatabase } from './service.js';
import { reportFigures, timeMs } from './report.js';

const RESPONSES = Number(process.env.BENCH_VOICES_RESPONSES ?? 50_000);
const RUNS = Number(process.env.BENCH_VOICES_RUNS ?? 15);
const round1 = (value: number) => Math.round(value * 10) / 10;

const bench = await openBenchDatabase('voices');
const database = bench.database;
try {
  const db = database.db;
  const id = await createSurvey(db, 'E08000035', 'benchmark', { title: 'Benchmark survey', audience: 'children', introduction: '', childVersion: false, childTitle: '', childIntroduction: '', emojiScale: false, asksGroups: true, groupsReason: 'To compare groups' });
  let survey = (await readSurvey(db, id))!;
  for (let number = 1; number <= 6; number++) await addQuestion(db, survey, { kind: number % 3 === 0 ? 'yes-no' : 'likert', text: `Statement ${number}`, childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
  await addQuestion(db, survey, { kind: 'text', text: 'Anything else?', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
  await openSurvey(db, survey, { opensOn: '2026-01-05', closesOn: '2026-02-27' });
  survey = (await readSurvey(db, id))!;
  const questions = await questionsOf(db, survey);
  const random = createRandom(2026);
  const shares = [0.24, 0.02, 0.07, 0.14, 0.01, 0.09, 0.26, 0.01, 0.05, 0.01, 0.04, 0.06, 0.01];
  const buildMs = await timeMs(async () => {
    const responses: CheckedResponse[] = Array.from({ length: RESPONSES }, (_, index) => {
      const declared = survey.groupIds.map((_, group): Declared => (random.uniform() < 0.08 ? 'not-said' : random.uniform() < shares[group]! ? 'in' : 'out'));
      const answers = new Map<string, string>();
      for (const question of questions) {
        if (question.kind === 'likert') answers.set(question.id, String(1 + Math.floor(random.uniform() * 5)));
        else if (question.kind === 'yes-no') answers.set(question.id, random.uniform() < 0.7 ? 'yes' : 'no');
        else if (index % 20 === 0) answers.set(question.id, 'Something to say.');
      }
      return { answers, declared };
    });
    await db.transaction().execute((trx) => insertResponses(trx, survey, responses, 'online'));
    await sql`analyze`.execute(db);
  });
  const times: number[] = [];
  let groups = 0;
  for (let run = 0; run < RUNS; run++) {
    times.push(
      await timeMs(async () => {
        const results = await surveyResults(db, survey);
        groups = results.questions[0]!.groups.length;
      }),
    );
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const slowest = sorted[sorted.length - 1]!;
  console.log(`  ${RESPONSES.toLocaleString('en-GB')} responses loaded in ${round1(buildMs / 1000)} s; results by ${groups} groups for ${questions.length - 1} closed questions: median ${round1(median)} ms, slowest ${round1(slowest)} ms over ${RUNS} runs (target < 1,000 ms)`);
  reportFigures('voices', { responses: RESPONSES, groups, closed_questions: questions.length - 1, runs: RUNS, results_median_ms: round1(median), results_slowest_ms: round1(slowest), build_s: round1(buildMs / 1000), met: slowest < 1000 });
} finally {
  await bench.close();
}
