import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { multipartBody } from '../../test/support/agent.js';
import type { UploadPart } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';

const camden = 'E09000007';
const fileBytes = 4 * 1_048_576;

/** Every route that takes files, with the fields its form sends besides the token. */
const uploadRoutes: { url: string; files: string[] }[] = [
  { url: '/imports/children', files: ['file'] },
  { url: '/imports/statistics', files: ['data', 'meta'] },
  { url: '/imports/statistics/national', files: ['data', 'meta'] },
  { url: '/admin/organisations/settings', files: ['file'] },
];

/** Every file and folder under `folder`, relative to it. */
function listTree(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * The body as a stream that counts what the server pulls from it: a server that refuses before
 * reading the body pulls a chunk or two, never the megabytes behind them.
 */
function countedBody(payload: Buffer): { stream: Readable; pulled: () => number } {
  let offset = 0;
  const stream = new Readable({
    read() {
      if (offset >= payload.length) return void this.push(null);
      const chunk = payload.subarray(offset, offset + 16_384);
      offset += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => offset };
}

describe.each(testEngines)('uploads refused before their body is read on %s', (engine) => {
  let testApp: TestApp;
  let dataDir: string;
  let sessions: Map<string, string>;
  const csrf = new Map<string, { token: string; cookie: string }>();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-upload-gate-'));
    testApp = await createTestApp({ engine, environment: { NTG_DATA_DIR: dataDir, NTG_PSEUDONYM_KEY: testPseudonymKey } });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    sessions = await signedInPeople(db, [
      ['analyst', 'analyst', authority],
      ['leader', 'leader', authority],
      ['admin', 'platform-admin', authority],
    ]);
    for (const [who, session] of sessions) {
      const page = await testApp.app.inject({ method: 'GET', url: '/', cookies: { [sessionCookieName(false)]: session } });
      const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
      const cookie = page.cookies.find((found) => found.name === 'ntg_csrf')?.value ?? '';
      csrf.set(who, { token, cookie });
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  async function post(url: string, files: string[], options: { who?: string; token?: boolean }) {
    const parts: UploadPart[] = files.map((field) => ({ field, fileName: `${field}.csv`, content: Buffer.alloc(fileBytes, 'a') }));
    const secret = options.who === undefined ? undefined : csrf.get(options.who);
    const { payload, contentType } = multipartBody(options.token === true && secret !== undefined ? { _csrf: secret.token } : {}, parts);
    const body = countedBody(payload);
    const cookies: Record<string, string> = {};
    if (options.who !== undefined) cookies[sessionCookieName(false)] = sessions.get(options.who)!;
    if (secret !== undefined) cookies.ntg_csrf = secret.cookie;
    const before = listTree(dataDir);
    const response = await testApp.app.inject({ method: 'POST', url, payload: body.stream, headers: { 'content-type': contentType }, cookies });
    return { response, pulled: body.pulled(), payloadBytes: payload.length, before, after: listTree(dataDir) };
  }

  it.each(uploadRoutes)('refuses an anonymous upload to $url before reading it, writing nothing', async ({ url, files }) => {
    const { response, pulled, payloadBytes, before, after } = await post(url, files, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
    expect(after).toEqual(before);
    expect(pulled).toBeLessThan(payloadBytes / 4);
  });

  it.each(uploadRoutes)('refuses a signed-in upload to $url without a CSRF token, writing nothing', async ({ url, files }) => {
    const who = url.startsWith('/admin') || url.endsWith('/national') ? 'admin' : 'analyst';
    const { response, pulled, payloadBytes, before, after } = await post(url, files, { who, token: false });
    expect(response.statusCode).toBe(403);
    expect(after).toEqual(before);
    expect(pulled).toBeLessThan(payloadBytes / 4);
  });

  it.each(uploadRoutes)('refuses an upload to $url from someone without the permission before reading it, writing nothing', async ({ url, files }) => {
    const { response, pulled, payloadBytes, before, after } = await post(url, files, { who: 'leader', token: true });
    expect(response.statusCode).toBe(403);
    expect(after).toEqual(before);
    expect(pulled).toBeLessThan(payloadBytes / 4);
  });

  it('refuses an anonymous upload to an address that does not exist, writing nothing', async () => {
    const { response, before, after } = await post('/no-such-upload', ['file'], {});
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(after).toEqual(before);
  });

  it('removes the part of a file already written when the upload turns out too large', async () => {
    const small = await createTestApp({ engine, environment: { NTG_DATA_DIR: dataDir, NTG_UPLOAD_LIMIT_MB: '1' } });
    try {
      const session = (await signedInPeople(small.database.db, [['analyst-2', 'analyst', await newOrganisation(small.database.db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden })]])).get('analyst-2')!;
      const page = await small.app.inject({ method: 'GET', url: '/', cookies: { [sessionCookieName(false)]: session } });
      const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
      const cookie = page.cookies.find((found) => found.name === 'ntg_csrf')?.value ?? '';
      const { payload, contentType } = multipartBody({ _csrf: token }, [{ field: 'file', fileName: 'big.csv', content: Buffer.alloc(3 * 1_048_576, 'a') }]);
      const response = await small.app.inject({ method: 'POST', url: '/imports/children', payload, headers: { 'content-type': contentType }, cookies: { [sessionCookieName(false)]: session, ntg_csrf: cookie } });
      expect(response.statusCode).toBe(413);
      expect(response.body).toContain('larger than the upload limit of 1 MB');
      // Removed before the refusal is sent, not some time after.
      expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
    } finally {
      await small.app.close();
      await small.database.dispose();
    }
  });
});
