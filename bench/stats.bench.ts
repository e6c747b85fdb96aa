/**
 * Statistics benchmark: the disadvantage gap index over 1,000,000 pupils (target < 1 s), with integer
 * scores (counting-sort path) and with continuous scores (comparison-sort path), and a proportion
 * with its Wilson interval for 1,000,000 cells (target < 0.5 s). Run with `npm run bench -- stats`.
 * Inputs are generated from a seeded generator, so every run times the same work.
 */
import { createRandom, disadvantageGapIndex, proportion } from '../src/stats/index.js';
import { reportFigures, timeMs } from './report.js';

const PUPILS = 1_000_000;
const CELLS = 1_000_000;
const GAP_TARGET_MS = 1000;
const WILSON_TARGET_MS = 500;

const random = createRandom(20_250_601);

// Pupils: a KS2-like scaled score (80–120, integers, so many ties), about 30% disadvantaged and scoring
// lower on average, and 1% missing scores.
const scores: (number | null)[] = new Array<number | null>(PUPILS);
const disadvantaged: boolean[] = new Array<boolean>(PUPILS);
for (let i = 0; i < PUPILS; i++) {
  const isDisadvantaged = random.uniform() < 0.3;
  disadvantaged[i] = isDisadvantaged;
  const score = Math.round(100 + 8 * random.normal() - (isDisadvantaged ? 4 : 0));
  scores[i] = random.uniform() < 0.01 ? null : Math.min(120, Math.max(80, score));
}

// Cells: denominators 1–500 and numerators between 0 and the denominator.
const numerators = new Float64Array(CELLS);
const denominators = new Float64Array(CELLS);
for (let i = 0; i < CELLS; i++) {
  const n = 1 + Math.floor(random.uniform() * 500);
  denominators[i] = n;
  numerators[i] = Math.floor(random.uniform() * (n + 1));
}

// One warm-up pass each (JIT), then the timed pass.
disadvantageGapIndex(scores.slice(0, 10_000), disadvantaged.slice(0, 10_000));
for (let i = 0; i < 10_000; i++) proportion(numerators[i], denominators[i], { multiplier: 100 });

let checksum = 0;
const wilsonMs = await timeMs(() => {
  for (let i = 0; i < CELLS; i++) {
    const r = proportion(numerators[i], denominators[i], { multiplier: 100 });
    checksum += (r.upper as number) - (r.lower as number);
  }
});

let gapIndex = NaN;
const gapMs = await timeMs(() => {
  gapIndex = disadvantageGapIndex(scores, disadvantaged).value ?? NaN;
});

// The same pupils with continuous scores (a small seeded jitter), which takes the comparison-sort path.
// Built after the Wilson timing so its million boxed numbers do not slow that loop's garbage collection.
const continuous: (number | null)[] = scores.map((s) => (s === null ? null : s + random.uniform() * 0.999));
let continuousIndex = NaN;
const continuousMs = await timeMs(() => {
  continuousIndex = disadvantageGapIndex(continuous, disadvantaged).value ?? NaN;
});

reportFigures('stats', {
  gap_index_pupils: PUPILS,
  gap_index_ms: Math.round(gapMs * 10) / 10,
  gap_index_target_ms: GAP_TARGET_MS,
  gap_index_value: Math.round(gapIndex * 10_000) / 10_000,
  gap_index_continuous_ms: Math.round(continuousMs * 10) / 10,
  gap_index_continuous_value: Math.round(continuousIndex * 10_000) / 10_000,
  wilson_cells: CELLS,
  wilson_ms: Math.round(wilsonMs * 10) / 10,
  wilson_target_ms: WILSON_TARGET_MS,
  wilson_mean_width: Math.round((checksum / CELLS) * 10_000) / 10_000,
  meets_targets: gapMs < GAP_TARGET_MS && continuousMs < GAP_TARGET_MS && wilsonMs < WILSON_TARGET_MS,
});
if (gapMs >= GAP_TARGET_MS || continuousMs >= GAP_TARGET_MS || wilsonMs >= WILSON_TARGET_MS) process.exitCode = 1;
