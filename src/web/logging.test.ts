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
