import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { formatLogLine, loggableUrl, loggerOptions } from './logging.js';

describe('loggableUrl', () => {
  it('hides the token of an invitation or password-reset link', () => {
    expect(loggableUrl('/invitation/AbC-123_xyz')).toBe('/invitation/[token]');
    expect(loggableUrl('/password-reset/AbC-123_xyz?x=1')).toBe('/password-reset/[token]?x=1');
  });

  it('hides the authorisation code and state of a single sign-on answer', () => {
    expect(loggableUrl('/sign-in/oidc/callback?code=secret&state=s')).toBe('/sign-in/oidc/callback?[redacted]');
  });

  it('leaves other addresses as they are', () => {
    expect(loggableUrl('/framework/search?q=trusted+adult')).toBe('/framework/search?q=trusted+adult');
    expect(loggableUrl('/password-reset')).toBe('/password-reset');
  });
});

describe('loggableUrl for child records', () => {
  it('hides the pseudonym of a child on pages and in the API', () => {
    const ref = 'a'.repeat(64);
    expect(loggableUrl(`/children/${ref}`)).toBe('/children/[child]');
    expect(loggableUrl(`/api/v1/children/${ref}?x=1`)).toBe('/api/v1/children/[child]?x=1');
    expect(loggableUrl('/children?year=2023%2F24')).toBe('/children?year=2023%2F24');
  });
});

describe('readable log lines (LOG_FORMAT=pretty)', () => {
  it('writes time, level, message, the request and its answer, then the other fields', () => {
    const line = formatLogLine(
      JSON.stringify({ level: 30, time: Date.UTC(2026, 11, 3, 10, 5, 9), pid: 1, hostname: 'h', reqId: 'req-7', req: { method: 'GET', url: '/gaps' }, res: { statusCode: 200 }, responseTime: 12.4, msg: 'request completed' }),
    );
    expect(line).toBe('10:05:09 INFO  request completed GET /gaps → 200 in 12 ms [req-7]');
    expect(formatLogLine(JSON.stringify({ level: 40, time: 0, msg: 'database ready', engine: 'pglite', appliedMigrations: [] }))).toBe('00:00:00 WARN  database ready engine=pglite appliedMigrations=[]');
  });

  it('puts an error’s stack on the lines after, and leaves a line that is not JSON as it is', () => {
    const line = formatLogLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } }));
    expect(line.split('\n')).toEqual(['00:00:00 ERROR failed', '    Error: boom', '        at x']);
    expect(formatLogLine('not json')).toBe('not json');
  });

  it('goes through the same redaction as the JSON lines', async () => {
    const lines: string[] = [];
    const target = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ logger: loggerOptions('info', target, 'pretty') });
    app.get('/invitation/:token', () => 'ok');
    await app.inject({ method: 'GET', url: '/invitation/secret-token', headers: { cookie: 'ntg_session=abc' } });
    await app.close();
    const text = lines.join('');
    expect(text).toMatch(/^\d{2}:\d{2}:\d{2} INFO {2}incoming request GET \/invitation\/\[token\]/m);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('abc');
  });
});
