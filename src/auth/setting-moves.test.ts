import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from './gate.js';
import { englandCode } from './organisations.js';

const camden = 'E09000007';
const hackney = 'E09000012';
const islington = 'E09000019';

describe.each(testEngines)('moving a setting between authorities on %s', (engine) => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();
  const as = (who: string) => agents.get(who)!;

  async function newSetting(urn: string, laCode: string) {
    return newOrganisation(testApp.database.db, { kind: 'setting', name: `School ${urn}`, laCode, urn });
  }
  const ownerOf = async (urn: string) => (await testApp.database.db.selectFrom('organisation').select('la_code').where('urn', '=', urn).executeTakeFirstOrThrow()).la_code;
  const auditOf = (action: string, urn: string) =>
    testApp.database.db.selectFrom('audit_log').select(['la_code', 'actor_email']).where('action', '=', action).where('target', '=', `urn:${urn}`).orderBy('la_code').execute();
  const move = (who: string, urn: string, laCode: string) => as(who).submit('/admin/organisations', '/admin/organisations/moves', { urn, la_code: laCode });
  const pendingMoveOf = async (urn: string) =>
    (
      await testApp.database.db
        .selectFrom('setting_move')
        .innerJoin('organisation', 'organisation.id', 'setting_move.organisation_id')
        .select('setting_move.id')
        .where('organisation.urn', '=', urn)
        .where('setting_move.decided_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id;
  const decide = async (who: string, urn: string, decision: string) => as(who).submit('/admin/organisations', `/admin/organisations/moves/${await pendingMoveOf(urn)}`, { decision });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const organisations = {
      camden: await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden }),
      hackney: await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney }),
      islington: await newOrganisation(db, { kind: 'local-authority', name: 'Islington', areaCode: islington, laCode: islington }),
      england: await newOrganisation(db, { kind: 'national', name: 'National team (England)', areaCode: englandCode }),
    };
    const sessions = await signedInPeople(db, [
      ['camden-admin', 'authority-admin', organisations.camden],
      ['hackney-admin', 'authority-admin', organisations.hackney],
      ['islington-admin', 'authority-admin', organisations.islington],
      ['platform-admin', 'platform-admin', organisations.england],
    ]);
    for (const [who, token] of sessions) {
      const agent = new Agent(testApp.app);
      agent.cookies.set(sessionCookieName(false), token);
      agents.set(who, agent);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('request a move into another authority waits until the owning authority confirms it, then moves the setting', async () => {
    await newSetting('100001', camden);
    const asked = await move('hackney-admin', '100001', hackney);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('The move of URN 100001 is waiting for the other authority to confirm it.');
    expect(await ownerOf('100001')).toBe(camden);
    // The side that asked cannot confirm its own request.
    const selfConfirmed = await decide('hackney-admin', '100001', 'confirm');
    expect(selfConfirmed.statusCode).toBe(403);
    expect(selfConfirmed.body).toContain('Only an administrator of the other authority, or the platform admin, can confirm or decline this move');
    // A third authority does not see it at all.
    expect((await decide('islington-admin', '100001', 'confirm')).statusCode).toBe(404);
    const page = await as('camden-admin').get('/admin/organisations');
    expect(page.body).toContain('Moves waiting for a decision');
    const confirmed = await decide('camden-admin', '100001', 'confirm');
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('The setting has moved.');
    expect(await ownerOf('100001')).toBe(hackney);
    expect(await auditOf('setting-move-requested', '100001')).toEqual([
      { la_code: camden, actor_email: 'hackney-admin@example.org' },
      { la_code: hackney, actor_email: 'hackney-admin@example.org' },
    ]);
    expect(await auditOf('setting-moved', '100001')).toEqual([
      { la_code: camden, actor_email: 'camden-admin@example.org' },
      { la_code: hackney, actor_email: 'camden-admin@example.org' },
    ]);
  });

  it('decline a move keeps the setting with its authority', async () => {
    await newSetting('100002', camden);
    await move('camden-admin', '100002', hackney);
    const again = await move('hackney-admin', '100002', hackney);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('A move of URN 100002 is already waiting for confirmation');
    expect((await decide('hackney-admin', '100002', 'decline')).statusCode).toBe(200);
    expect(await ownerOf('100002')).toBe(camden);
    expect((await auditOf('setting-move-declined', '100002')).map((entry) => entry.la_code)).toEqual([camden, hackney]);
  });

  it('request a move of a setting neither side of which the administrator manages is answered as unknown', async () => {
    await newSetting('100003', camden);
    const response = await move('hackney-admin', '100003', islington);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('No setting you may move has URN 100003');
    expect((await move('hackney-admin', 'abc', hackney)).body).toContain('Enter the setting’s six-digit URN');
    expect((await move('hackney-admin', '100003', 'E99999999')).body).toContain('Choose the authority the setting moves to');
    expect(await ownerOf('100003')).toBe(camden);
  });

  it('move a setting as the platform admin happens at once and is audited to both authorities', async () => {
    await newSetting('100004', camden);
    const moved = await move('platform-admin', '100004', islington);
    expect(moved.statusCode).toBe(200);
    expect(moved.body).toContain('URN 100004 has moved.');
    expect(await ownerOf('100004')).toBe(islington);
    expect((await auditOf('setting-moved', '100004')).map((entry) => entry.la_code)).toEqual([camden, islington]);
  });

  it('import a settings CSV as the platform admin moves a setting and audits the move to both authorities', async () => {
    await newSetting('100005', camden);
    const response = await as('platform-admin').upload('/admin/organisations', '/admin/organisations/settings', {}, [
      { field: 'file', fileName: 'national.csv', content: `urn,name,kind,la_code,phase\n100005,School 100005,school,${hackney},Primary\n` },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('national.csv: 0 settings added, 1 updated. 1 moved to another authority.');
    expect(await ownerOf('100005')).toBe(hackney);
    expect((await auditOf('setting-moved', '100005')).map((entry) => entry.la_code)).toEqual([camden, hackney]);
  });
});
