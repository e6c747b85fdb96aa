// Server CPU per request: the service in its own process, CPU read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
const url = 'postgres://postgres@127.0.0.1:5432/ntg_prof_practice';
const port = 3179;
const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof/svc'] : []), '--import', 'tsx', 'bench/assessment-service.ts', url, String(port), '/tmp/ntg-prof-dir'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (;;) { try { if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 300)); }
const ticks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
const pgTicks = () => { let t = 0; for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) void line; return t; };
void pgTicks;
const dispatcher = new Agent({ connections: 20 });
async function phase(name: string, next: () => string, seconds = 6) {
  const before = ticks(child.pid!);
  const deadline = performance.now() + seconds * 1000; let n = 0; const lat: number[] = [];
  await Promise.all(Array.from({ length: 20 }, async () => { while (performance.now() < deadline) { const t = performance.now(); const r = await request(`http://127.0.0.1:${port}${next()}`, { dispatcher }); await r.body.arrayBuffer(); lat.push(performance.now() - t); n++; } }));
  const cpuMs = (ticks(child.pid!) - before) * 10;
  lat.sort((a, b) => a - b);
  console.log(name.padEnd(40), 'server cpu/request', (cpuMs / n).toFixed(2), 'ms', 'rate', (n / seconds).toFixed(0), 'p95', lat[Math.floor(n * 0.95)]!.toFixed(1));
}
const groups = ['children-in-care', 'young-carers', 'poor-attendance', 'excluded-from-school', 'children-with-sen'];
const rnd = (a: string[]) => a[Math.floor(Math.random() * a.length)]!;
await phase('warm', () => `/practice?group=${rnd(groups)}`, 3);
for (const spec of (process.argv[2] ?? 'health home filters api').split(' ')) {
  if (spec === 'health') await phase('health', () => '/health');
  if (spec === 'home') await phase('home', () => '/practice');
  if (spec === 'filters') await phase('filters (random)', () => `/practice?group=${rnd(groups)}&grade=${rnd(['validated', 'promising', 'emerging'])}&strength=${1 + Math.floor(Math.random() * 5)}&region=${rnd(['E12000007', 'E12000001', 'E12000003'])}`);
  if (spec === 'api') await phase('api (random)', () => `/api/v1/practice?group=${rnd(groups)}&grade=${rnd(['validated', 'promising', 'emerging'])}&strength=${1 + Math.floor(Math.random() * 5)}`);
  if (spec === 'item') await phase('item', () => '/practice');
}
await dispatcher.close();
child.kill('SIGTERM');
