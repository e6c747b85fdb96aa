import { describe, expect, it } from 'vitest';
import { loggableUrl } from './logging.js';

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
