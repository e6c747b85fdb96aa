/**
 * Benchmark harness: runs every `bench/*.bench.ts` (or those named on the command line) in its own
 * process, so peak memory is measured per benchmark, and passes through the one JSON line of
 * figures each prints. Usage: `npm run bench [-- name ...]`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();

if (files.length === 0) {
  console.error(`No benchmark matches ${wanted.join(', ') || 'bench/*.bench.ts'}.`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, file)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (run.status !== 0) {
    failed += 1;
    console.error(`${file} failed (exit ${String(run.status)})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
