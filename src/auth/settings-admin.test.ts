import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { sessionCookieName } from './gate.js';

const camden = 'E09000007';

describe('registering settings and partners', () => {
  let testApp: TestApp;
  let admin: Agent;

  function upload(fileName: string, content: string) {
    return admin.upload('/admin/organisations', '/admin/organisations/settings', {}, [{ field: 'file', fileName, content }]);
  }
  const settingsCount = async () =>
    Number((await testApp.database.db.selectFrom('organisation').select((eb) => eb.fn.countAll<string>().as('n')).where('kind', '=', 'setting').executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    testApp = await createTestApp();
    const organisation = await newOrganisation(testApp.database.db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const { sessionToken } = await newSignedInUser(testApp.database.db, { email: 'admin@camden.example', role: 'authority-admin', organisationId: organisation });
    admin = new Agent(testApp.app);
    admin.cookies.set(sessionCookieName(false), sessionToken);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('registers every setting of a valid file and updates one already registered', async () => {
    const csv = 'urn,name,kind,la_code,phase\r\n100001,Primrose Hill Primary,school,E09000007,Primary\r\n100002,Kentish Town Children’s Centre,childrens-centre,E09000007,\r\n';
    const first = await upload('settings.csv', csv);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('settings.csv: 2 settings added, 0 updated.');
    const again = await upload('settings.csv', csv.replace('Primrose Hill Primary', 'Primrose Hill Primary School'));
    expect(again.body).toContain('settings.csv: 0 settings added, 2 updated.');
    const names = await testApp.database.db.selectFrom('organisation').select('name').where('urn', '=', '100001').execute();
    expect(names).toEqual([{ name: 'Primrose Hill Primary School' }]);
  });

  it('stores nothing from a file with a bad row, and names its row, column, value and expectation', async () => {
    const before = await settingsCount();
    const response = await upload('bad.csv', 'urn,name,kind,la_code,phase\n100003,Good School,school,E09000007,Primary\n12,Bad School,school,E09000007,Primary\n');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('bad.csv has 1 problem: nothing was stored');
    expect(response.body).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">urn<\/td><td class="govuk-table__cell">12<\/td>/);
    expect(await settingsCount()).toBe(before);
  });

  it('refuses a setting in an authority the administrator does not manage', async () => {
    const response = await upload('elsewhere.csv', 'urn,name,kind,la_code,phase\n100004,Hackney School,school,E09000012,Primary\n');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('E09000012');
  });

  it('adds a partner organisation in the administrator’s authority', async () => {
    const added = await admin.submit('/admin/organisations', '/admin/organisations/partners', { name: 'Camden Youth Offending Service', la_code: camden });
    expect(added.statusCode).toBe(303);
    const refused = await admin.submit('/admin/organisations', '/admin/organisations/partners', { name: 'Hackney Police', la_code: 'E09000012' });
    expect(refused.statusCode).toBe(400);
    const partners = await testApp.database.db.selectFrom('organisation').select(['name', 'la_code']).where('kind', '=', 'partner').execute();
    expect(partners).toEqual([{ name: 'Camden Youth Offending Service', la_code: camden }]);
  });
});
