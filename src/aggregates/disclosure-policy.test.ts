import { describe, expect, it } from 'vitest';
import type { Viewer } from '../auth/gate.js';
import type { Membership } from '../auth/sessions.js';
import type { Action, Role } from '../auth/permissions.js';
import { seesSmallNumbers } from './disclosure-policy.js';

const camden = 'E09000007';
const hackney = 'E09000012';

function viewer(role: Role, organisation: Partial<Membership> & Pick<Membership, 'organisationKind'>, tokenScopes?: Action[]): Viewer {
  return {
    signedIn: true,
    sessionIdHash: 'x',
    userId: 'u',
    email: `${role}@example.org`,
    displayName: role,
    secondFactorDone: true,
    totpConfigured: true,
    ...(tokenScopes === undefined ? {} : { tokenScopes }),
    memberships: [{ organisationId: 'o', organisationName: 'Org', laCode: null, areaCode: null, urn: null, role, ...organisation }],
  };
}

describe('who sees small numbers', () => {
  const analyst = viewer('analyst', { organisationKind: 'local-authority', laCode: camden, areaCode: camden });
  const headTeacher = viewer('setting-leader', { organisationKind: 'setting', laCode: camden, urn: '100001' });

  it('shows them to the authority’s own analyst, for the authority and its settings', () => {
    expect(seesSmallNumbers(analyst, { laCode: camden })).toBe(true);
    expect(seesSmallNumbers(analyst, { laCode: camden, settingUrn: 100002 })).toBe(true);
  });

  it('suppresses them for another authority, a wider area, and roles without child-level access', () => {
    expect(seesSmallNumbers(analyst, { laCode: hackney })).toBe(false);
    expect(seesSmallNumbers(analyst, 'wider-area')).toBe(false);
    expect(seesSmallNumbers(viewer('regional-adviser', { organisationKind: 'region', areaCode: 'E12000007' }), { laCode: camden })).toBe(false);
    expect(seesSmallNumbers(viewer('leader', { organisationKind: 'local-authority', laCode: camden, areaCode: camden }), { laCode: camden })).toBe(false);
    expect(seesSmallNumbers({ signedIn: false }, { laCode: camden })).toBe(false);
  });

  it('shows a head teacher their own setting only', () => {
    expect(seesSmallNumbers(headTeacher, { laCode: camden, settingUrn: 100001 })).toBe(true);
    expect(seesSmallNumbers(headTeacher, { laCode: camden, settingUrn: 100002 })).toBe(false);
    expect(seesSmallNumbers(headTeacher, { laCode: camden })).toBe(false);
  });

  it('suppresses them for a script whose token does not carry the child-level permission', () => {
    const script = viewer('analyst', { organisationKind: 'local-authority', laCode: camden, areaCode: camden }, ['aggregates:read']);
    expect(seesSmallNumbers(script, { laCode: camden })).toBe(false);
  });
});
