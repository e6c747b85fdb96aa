import { writeFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { capabilities } from '../src/capabilities.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { buildApp } from '../src/web/app.js';

const config = loadConfig({ NTG_DATA_DIR: '/tmp/ntg-prof-dir', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ntg_prof_practice', DATABASE_POOL_MAX: '4', LOG_LEVEL: 'warn' });
const database = await openDatabase(config);

const { readFileSync } = await import('node:fs');
const flat = readFileSync('/tmp/prof/page.html', 'utf8');
const ascii = flat.replace(/[^\x00-\x7f]/g, '?');
const app = await buildApp({ config, database, capabilities: [...capabilities, { name: 'zz', registerRoutes(a) {
  a.get('/zz-flat', { schema: { hide: true }, config: { permission: 'public' } }, (_r, reply) => reply.type('text/html').send(flat));
  a.get('/zz-ascii', { schema: { hide: true }, config: { permission: 'public' } }, (_r, reply) => reply.type('text/html').send(ascii));
} }], logger: false });
await app.listen({ port: 3177, host: '127.0.0.1' });
const paths = (process.argv[2] ?? '/practice').split(' ');
const dispatcher = new Agent({ connections: 20 });
async function run(seconds: number) {
  const deadline = performance.now() + seconds * 1000;
  let n = 0; const lat: number[] = [];
  await Promise.all(Array.from({ length: 20 }, async (_, u) => {
    let i = u;
    while (performance.now() < deadline) {
      const t = performance.now();
      const r = await request(`http://127.0.0.1:3177${paths[i++ % paths.length]}`, { dispatcher });
      await r.body.arrayBuffer(); n++; lat.push(performance.now() - t);
    }
  }));
  lat.sort((a, b) => a - b);
  return { perSecond: n / seconds, p50: lat[Math.floor(lat.length / 2)], p95: lat[Math.floor(lat.length * 0.95)] };
}
await run(2);
const inspector = await import('node:inspector/promises');
const session = new inspector.Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.start');
const cpu = process.cpuUsage();
const result = await run(Number(process.env.SECS ?? 8));
const used = process.cpuUsage(cpu);
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/prof/http.cpuprofile', JSON.stringify(profile));
console.log(JSON.stringify(result), 'cpu ms/request (incl. client)', ((used.user + used.system) / 1000 / (result.perSecond * Number(process.env.SECS ?? 8))).toFixed(2));
await dispatcher.close(); await app.close(); await database.close();
