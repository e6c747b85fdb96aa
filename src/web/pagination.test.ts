import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import { maxPage, readPage } from './pagination.js';

describe('readPage', () => {
  it('reads a page number from 1 to the largest page, and 1 when none is given', () => {
    expect(readPage(undefined)).toBe(1);
    expect(readPage('')).toBe(1);
    expect(readPage('1')).toBe(1);
    expect(readPage(' 7 ')).toBe(7);
    expect(readPage(12)).toBe(12);
    expect(readPage(String(maxPage))).toBe(maxPage);
  });

  it('refuses anything else rather than guessing', () => {
    for (const page of ['0', '-1', '1.5', '1e3', 'abc', '0x10', '99999999999999999999', String(maxPage + 1), 0, 1.5, Number.MAX_SAFE_INTEGER, ['1', '2']]) {
      expect({ page, read: readPage(page) }).toEqual({ page, read: undefined });
    }
  });
});

/** Every route that takes a page number (or an offset), asked for one far beyond any page, answers 400 with a message that says what to fix. */
describe.each(testEngines)('paginated routes asked for an impossible page on %s', (engine) => {
  let testApp: TestApp;
  let sessions: Map<string, string>;
  const huge = '99999999999999999999';

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const camden = await newOrganisation(testApp.database.db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    sessions = await signedInPeople(testApp.database.db, [
      ['analyst', 'analyst', camden],
      ['admin', 'authority-admin', camden],
    ]);
  });
  afterAll(async () => {
    await testApp.close();
  });

  const get = (who: string | undefined, url: string) =>
    testApp.app.inject({ method: 'GET', url, cookies: who === undefined ? {} : { [sessionCookieName(false)]: sessions.get(who)! } });

  it.each([
    ['analyst', '/children'],
    ['analyst', '/api/v1/children'],
    ['admin', '/admin/audit'],
    [undefined, '/framework/search?q=trusted'],
  ])('answers 400 for %s asking %s for page 99999999999999999999', async (who, path) => {
    const separator = path.includes('?') ? '&' : '?';
    for (const page of [huge, '0', 'abc', String(maxPage + 1)]) {
      const response = await get(who, `${path}${separator}page=${page}`);
      expect({ page, status: response.statusCode }).toEqual({ page, status: 400 });
      expect(response.body).toContain(`page`);
      expect(response.body).not.toContain('Something went wrong');
    }
    expect((await get(who, `${path}${separator}page=${maxPage}`)).statusCode).toBe(200);
    expect((await get(who, `${path}${separator}page=1`)).statusCode).toBe(200);
  });

  it('shows the second page of a framework search with more results than a page holds', async () => {
    const response = await get(undefined, '/framework/search?q=child&page=2');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/showing 2[01] to \d+/);
  });

  it('answers 400 for an offset or limit far beyond the catalogue in the framework API', async () => {
    for (const query of [`offset=${huge}`, 'offset=-1', `limit=${huge}`]) {
      const response = await get(undefined, `/api/v1/framework/items?${query}`);
      expect({ query, status: response.statusCode }).toEqual({ query, status: 400 });
    }
    expect((await get(undefined, '/api/v1/framework/items?offset=1000000')).statusCode).toBe(200);
  });
});
